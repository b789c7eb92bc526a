package nabla.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import nabla.Autograd;
import nabla.DType;
import nabla.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Nabla's functional transforms (jacobian, jacrev, jacfwd, hessian, hvp, vjp, jvp, grad) against
 * PyTorch's {@code torch.autograd.functional}, in float64.
 *
 * <p>The reference data, {@code /nabla/reference/derivatives.json}, was computed with PyTorch by
 * {@code tools/reference/generate_derivatives.py} (regenerate with {@code python3
 * tools/reference/generate_derivatives.py}); PyTorch is not needed to run this test. Each case is a
 * named function f(x, c) of one tensor x and fixed constants c (stored in the JSON); {@link #CASES}
 * writes the same function in Nabla, op for op, under the same name.
 */
class DerivativeReferenceTest {

  private static final String RESOURCE = "/nabla/reference/derivatives.json";
  private static final double REL = 1e-10;
  private static final double ABS = 1e-12;

  /** A case's function of x, given the case's constants. */
  @FunctionalInterface
  interface Fn {
    Tensor apply(Tensor x, Map<String, Tensor> c);
  }

  /** Case name to the Nabla function, identical to the Python function of the same name. */
  static final Map<String, Fn> CASES = new LinkedHashMap<>();

  private static final int MLP_IN = 3;
  private static final int MLP_HID = 4;
  private static final int MLP_OUT = 2;

  static {
    // elementwise chains
    CASES.put("sin_mul_exp", (x, c) -> x.sin().mul(x.exp()));
    CASES.put("tanh_sq_plus_log_sq1", (x, c) -> x.tanh().pow(2.0).add(x.pow(2.0).add(1.0).log()));
    CASES.put(
        "d2l_log_x2_sin_plus_inv", (x, c) -> x.pow(2.0).log().mul(x.sin()).add(x.reciprocal()));
    CASES.put("d2l_sum_x3_sin", (x, c) -> x.pow(3.0).mul(x.sin()).sum());
    CASES.put("sqrt_abs_mul_sigmoid", (x, c) -> x.abs().add(1.0).sqrt().mul(x.sigmoid()));
    CASES.put("pow_self", (x, c) -> x.pow(x));
    CASES.put("pow_const_exponent", (x, c) -> x.pow(c.get("E")));
    CASES.put("rational", (x, c) -> x.div(x.mul(x).add(1.0)));
    CASES.put(
        "piecewise_where_relu_clamp",
        (x, c) ->
            Tensor.where(x.gt(0.0), x.pow(2.0), x.sin())
                .add(x.relu().mul(x))
                .add(x.clamp(-1, 1).mul(x)));
    CASES.put("maximum_sin_cos", (x, c) -> x.sin().maximum(x.cos()).mul(x));
    CASES.put("max_scalar", (x, c) -> x.mul(x.exp()).max());
    // softmax, logsumexp
    CASES.put("softmax_vector", (x, c) -> x.softmax(0));
    CASES.put("softmax_rows", (x, c) -> x.softmax(1));
    CASES.put("softmax_cols", (x, c) -> x.softmax(0));
    CASES.put("log_softmax_rows", (x, c) -> x.logSoftmax(1));
    CASES.put("softmax_weighted_sum", (x, c) -> x.softmax(1).mul(c.get("C")).sum());
    CASES.put("logsumexp_vector", (x, c) -> x.logsumexp(0, false));
    CASES.put("logsumexp_rows_keepdim", (x, c) -> x.logsumexp(1, true));
    CASES.put("logsumexp_axis0_sum", (x, c) -> x.logsumexp(0, false).sum());
    CASES.put("cross_entropy_gather", (x, c) -> x.logSoftmax(1).gather(1, c.get("T")).mean().neg());
    // matrix functions
    CASES.put("matmul_xW", (x, c) -> x.matmul(c.get("W")));
    CASES.put("vector_matmul_W", (x, c) -> x.matmul(c.get("W")));
    CASES.put("gram_xTx", (x, c) -> x.transpose().matmul(x));
    CASES.put("tanh_Ax", (x, c) -> c.get("A").matmul(x).tanh());
    CASES.put(
        "quadratic_form", (x, c) -> x.dot(c.get("A").matmul(x)).mul(0.5).add(c.get("b").dot(x)));
    CASES.put("norm", (x, c) -> x.norm());
    CASES.put("normalize_rows", (x, c) -> x.div(x.norm(2, new int[] {1}, true)));
    // models
    CASES.put(
        "mlp_mse_loss",
        (p, c) -> {
          int o = 0;
          Tensor w1 = p.slice(0, o, o + MLP_IN * MLP_HID).reshape(MLP_IN, MLP_HID);
          o += MLP_IN * MLP_HID;
          Tensor b1 = p.slice(0, o, o + MLP_HID);
          o += MLP_HID;
          Tensor w2 = p.slice(0, o, o + MLP_HID * MLP_OUT).reshape(MLP_HID, MLP_OUT);
          o += MLP_HID * MLP_OUT;
          Tensor b2 = p.slice(0, o, o + MLP_OUT);
          Tensor h = c.get("X").matmul(w1).add(b1).tanh();
          Tensor d = h.matmul(w2).add(b2).sub(c.get("Y"));
          return d.mul(d).mean();
        });
    CASES.put(
        "logistic_loss",
        (w, c) -> {
          Tensor s = c.get("X").matmul(w).sigmoid();
          Tensor y = c.get("y");
          return y.mul(s.log()).add(y.neg().add(1.0).mul(s.neg().add(1.0).log())).mean().neg();
        });
    CASES.put(
        "rosenbrock",
        (x, c) -> {
          Tensor a = x.slice(0, 0, 4);
          Tensor b = x.slice(0, 1, 5);
          return b.sub(a.pow(2.0)).pow(2.0).mul(100.0).add(a.neg().add(1.0).pow(2.0)).sum();
        });
    // slicing, cat, stack, keepdim reductions, broadcasting, shapes
    CASES.put(
        "slice_cat_vector",
        (x, c) -> Tensor.cat(0, x.slice(0, 0, 3).mul(x.slice(0, 3, 6)), x.slice(0, 0, 6, 2).sin()));
    CASES.put(
        "slice_cat_matrix",
        (x, c) -> Tensor.cat(1, x.slice(1, 1, 3).exp(), x.slice(1, 0, 4, 3).pow(2.0)));
    CASES.put("stack_rows", (x, c) -> Tensor.stack(0, x.sin(), x.cos(), x.mul(x)));
    CASES.put("keepdim_broadcast", (x, c) -> x.mul(x.sum(0, true)).add(x.sum(1, true)));
    CASES.put(
        "layer_norm_rows",
        (x, c) -> {
          Tensor d = x.sub(x.mean(1, true));
          return d.div(d.mul(d).mean(1, true).add(1e-5).sqrt());
        });
    CASES.put(
        "shape_3x2_transpose",
        (x, c) -> {
          Tensor t = x.transpose();
          return t.mul(t.exp());
        });
    CASES.put("shape_3x2_scalar", (x, c) -> x.matmul(x.transpose()).tanh().sum());
    CASES.put("shape_3x2_mean_rows", (x, c) -> x.sin().mul(x).mean(1, false));
  }

  // ---------------------------------------------------------------- data

  private static JsonNode root;

  static synchronized JsonNode root() {
    if (root == null) {
      try (InputStream s = DerivativeReferenceTest.class.getResourceAsStream(RESOURCE)) {
        assertNotNull(s, "missing test resource " + RESOURCE);
        root = new ObjectMapper().readTree(s);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return root;
  }

  static Stream<Arguments> cases() {
    return select(c -> true);
  }

  static Stream<Arguments> scalarCases() {
    return select(c -> c.get("scalar").asBoolean());
  }

  static Stream<Arguments> vectorCases() {
    return select(c -> !c.get("scalar").asBoolean());
  }

  private static Stream<Arguments> select(java.util.function.Predicate<JsonNode> p) {
    List<Arguments> out = new ArrayList<>();
    for (JsonNode c : root().get("cases")) {
      if (p.test(c)) {
        out.add(Arguments.of(c.get("name").asText(), c));
      }
    }
    return out.stream();
  }

  /** The case's function with its constants bound. */
  static Function<Tensor, Tensor> function(String name, JsonNode c) {
    Fn fn = CASES.get(name);
    if (fn == null) {
      fail(name + ": no Nabla function for this case in DerivativeReferenceTest.CASES");
    }
    Map<String, Tensor> consts = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = c.get("consts").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      consts.put(e.getKey(), tensor(e.getValue()));
    }
    return x -> fn.apply(x, consts);
  }

  // ---------------------------------------------------------------- tests

  /** The Java function computes the same value as the Python one (checks the transcription). */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void value(String name, JsonNode c) {
    Function<Tensor, Tensor> f = function(name, c);
    check(name, "value", c.get("value"), () -> f.apply(tensor(c.get("x"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void jacobian(String name, JsonNode c) {
    Function<Tensor, Tensor> f = function(name, c);
    check(name, "jacobian", c.get("jacobian"), () -> Autograd.jacobian(f, tensor(c.get("x"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void jacrev(String name, JsonNode c) {
    Function<Tensor, Tensor> f = function(name, c);
    check(name, "jacrev", c.get("jacobian"), () -> Autograd.jacrev(f, tensor(c.get("x"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void jacfwd(String name, JsonNode c) {
    Function<Tensor, Tensor> f = function(name, c);
    check(name, "jacfwd", c.get("jacobian"), () -> Autograd.jacfwd(f, tensor(c.get("x"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void vjp(String name, JsonNode c) {
    Function<Tensor, Tensor> f = function(name, c);
    check(name, "vjp", c.get("vjp"), () -> Autograd.vjp(f, tensor(c.get("x")), tensor(c.get("u"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void jvp(String name, JsonNode c) {
    Function<Tensor, Tensor> f = function(name, c);
    check(name, "jvp", c.get("jvp"), () -> Autograd.jvp(f, tensor(c.get("x")), tensor(c.get("v"))));
  }

  /** For a scalar f, grad(f)(x) is PyTorch's jacobian (shape x.shape). */
  @ParameterizedTest(name = "{0}")
  @MethodSource("scalarCases")
  void grad(String name, JsonNode c) {
    Function<Tensor, Tensor> f = function(name, c);
    check(name, "grad", c.get("jacobian"), () -> Autograd.grad(f).apply(tensor(c.get("x"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scalarCases")
  void hessian(String name, JsonNode c) {
    Function<Tensor, Tensor> f = function(name, c);
    check(name, "hessian", c.get("hessian"), () -> Autograd.hessian(f, tensor(c.get("x"))));
  }

  /** The Hessian again, reverse-over-reverse: jacrev(grad(f)). */
  @ParameterizedTest(name = "{0}")
  @MethodSource("scalarCases")
  void hessianReverseOverReverse(String name, JsonNode c) {
    Function<Tensor, Tensor> f = function(name, c);
    check(
        name,
        "jacrev(grad(f))",
        c.get("hessian"),
        () -> Autograd.jacrev(Autograd.grad(f), tensor(c.get("x"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scalarCases")
  void hvp(String name, JsonNode c) {
    Function<Tensor, Tensor> f = function(name, c);
    check(name, "hvp", c.get("hvp"), () -> Autograd.hvp(f, tensor(c.get("x")), tensor(c.get("v"))));
  }

  /** Second derivatives of vector-valued f: the Hessian of the scalar sum(u * f(x)). */
  @ParameterizedTest(name = "{0}")
  @MethodSource("vectorCases")
  void hessianOfProjection(String name, JsonNode c) {
    Function<Tensor, Tensor> f = function(name, c);
    Tensor u = tensor(c.get("u"));
    check(
        name,
        "hessian(sum(u * f))",
        c.get("u_hessian"),
        () -> Autograd.hessian(x -> f.apply(x).mul(u).sum(), tensor(c.get("x"))));
  }

  /** Every case of the data has a Nabla function and every Nabla function has data. */
  @Test
  void everyCaseIsCovered() {
    Set<String> inData = new LinkedHashSet<>();
    for (JsonNode c : root().get("cases")) {
      inData.add(c.get("name").asText());
    }
    Set<String> noFunction = new TreeSet<>(inData);
    noFunction.removeAll(CASES.keySet());
    Set<String> noData = new TreeSet<>(CASES.keySet());
    noData.removeAll(inData);
    List<String> problems = new ArrayList<>();
    if (!noFunction.isEmpty()) {
      problems.add("cases in " + RESOURCE + " without a Nabla function: " + noFunction);
    }
    if (!noData.isEmpty()) {
      problems.add("Nabla functions without reference data in " + RESOURCE + ": " + noData);
    }
    assertTrue(problems.isEmpty(), String.join("; ", problems));
  }

  /** Names are unique and the stored shapes follow torch.autograd.functional's conventions. */
  @Test
  void referenceDataIsWellFormed() {
    JsonNode r = root();
    assertFalse(r.get("torch_version").asText().isEmpty(), "torch_version");
    Set<String> names = new LinkedHashSet<>();
    for (JsonNode c : r.get("cases")) {
      String name = c.get("name").asText();
      assertTrue(names.add(name), "duplicate case " + name);
      int[] x = shape(c.get("x"));
      int[] y = shape(c.get("value"));
      boolean scalar = c.get("scalar").asBoolean();
      assertEquals(scalar, y.length == 0, name + ": scalar flag");
      assertArrayEquals(concat(y, x), shape(c.get("jacobian")), name + ": jacobian shape");
      assertArrayEquals(y, shape(c.get("u")), name + ": u shape");
      assertArrayEquals(x, shape(c.get("vjp")), name + ": vjp shape");
      assertArrayEquals(x, shape(c.get("v")), name + ": v shape");
      assertArrayEquals(y, shape(c.get("jvp")), name + ": jvp shape");
      if (scalar) {
        assertArrayEquals(concat(x, x), shape(c.get("hessian")), name + ": hessian shape");
        assertArrayEquals(x, shape(c.get("hvp")), name + ": hvp shape");
      } else {
        assertArrayEquals(concat(x, x), shape(c.get("u_hessian")), name + ": u_hessian shape");
      }
    }
    assertTrue(names.size() >= 25, "only " + names.size() + " cases");
  }

  // ---------------------------------------------------------------- decoding

  static int[] shape(JsonNode t) {
    JsonNode s = t.get("shape");
    int[] out = new int[s.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = s.get(i).asInt();
    }
    return out;
  }

  static double number(JsonNode v) {
    if (v.isTextual()) {
      return switch (v.asText()) {
        case "nan" -> Double.NaN;
        case "inf" -> Double.POSITIVE_INFINITY;
        case "-inf" -> Double.NEGATIVE_INFINITY;
        default -> throw new IllegalArgumentException("bad number " + v);
      };
    }
    return v.asDouble();
  }

  static double[] doubles(JsonNode t) {
    JsonNode d = t.get("data");
    double[] out = new double[d.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = number(d.get(i));
    }
    return out;
  }

  static Tensor tensor(JsonNode t) {
    int[] shape = shape(t);
    String dtype = t.get("dtype").asText();
    switch (dtype) {
      case "float64":
        return Tensor.ofDoubles(doubles(t), shape);
      case "int64":
        {
          JsonNode d = t.get("data");
          long[] v = new long[d.size()];
          for (int i = 0; i < v.length; i++) {
            assertTrue(d.get(i).isIntegralNumber(), "int64 datum " + d.get(i));
            v[i] = d.get(i).asLong();
          }
          // ofLongs reads an empty shape as "1-d"
          return shape.length == 0 ? Tensor.ofLongs(v, 1).reshape() : Tensor.ofLongs(v, shape);
        }
      default:
        throw new IllegalArgumentException("unexpected dtype " + dtype);
    }
  }

  private static int[] concat(int[] a, int[] b) {
    int[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  // ---------------------------------------------------------------- comparison

  /** Runs {@code compute} and compares it with the float64 reference {@code expected}. */
  static void check(String name, String what, JsonNode expected, Supplier<Tensor> compute) {
    String label = name + " " + what;
    Tensor actual;
    try {
      actual = compute.get();
    } catch (RuntimeException e) {
      // surefire reports parameterized cases by index, so put the case name in the message
      throw new AssertionError(label + ": " + e, e);
    }
    assertNotNull(actual, label + ": null result");
    assertEquals(DType.FLOAT64, actual.dtype(), label + ": dtype");
    int[] shape = shape(expected);
    assertArrayEquals(
        shape,
        actual.shape(),
        () ->
            label
                + ": shape expected "
                + Arrays.toString(shape)
                + " but was "
                + Arrays.toString(actual.shape()));
    double[] exp = doubles(expected);
    double[] act = actual.toDoubleArray();
    assertEquals(exp.length, act.length, label + ": element count");
    List<String> bad = new ArrayList<>();
    int count = 0;
    for (int i = 0; i < exp.length; i++) {
      if (!close(exp[i], act[i])) {
        count++;
        if (bad.size() < 8) {
          bad.add("[" + i + "] expected " + exp[i] + " but was " + act[i]);
        }
      }
    }
    if (count > 0) {
      fail(
          label
              + ": "
              + count
              + " of "
              + exp.length
              + " values differ (tolerance "
              + REL
              + " relative + "
              + ABS
              + " absolute): "
              + String.join(", ", bad));
    }
  }

  static boolean close(double expected, double actual) {
    if (Double.isNaN(expected)) {
      return Double.isNaN(actual);
    }
    if (Double.isInfinite(expected)) {
      return expected == actual;
    }
    if (Double.isNaN(actual) || Double.isInfinite(actual)) {
      return false;
    }
    return Math.abs(expected - actual) <= ABS + REL * Math.abs(expected);
  }
}
