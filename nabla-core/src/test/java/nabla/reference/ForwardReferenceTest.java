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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import nabla.DType;
import nabla.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Forward values of every tensor operation against PyTorch.
 *
 * <p>The reference data, {@code /nabla/reference/forward.json}, was computed with PyTorch by {@code
 * tools/reference/generate_forward.py} (regenerate with {@code python3
 * tools/reference/generate_forward.py}); PyTorch is not needed to run this test. Each case names an
 * op; {@link #OPS} maps the op name to the Nabla call.
 */
class ForwardReferenceTest {

  private static final String RESOURCE = "/nabla/reference/forward.json";

  /** Every op the reference data must cover and Nabla must implement. */
  static final List<String> REQUIRED_OPS =
      List.of(
          // unary
          "neg",
          "exp",
          "log",
          "sin",
          "cos",
          "tanh",
          "sigmoid",
          "relu",
          "sqrt",
          "abs",
          "sign",
          "reciprocal",
          // binary, broadcasting
          "add",
          "sub",
          "mul",
          "div",
          "pow",
          "maximum",
          "minimum",
          // tensor with a scalar
          "add_scalar",
          "sub_scalar",
          "mul_scalar",
          "div_scalar",
          "pow_scalar",
          // comparisons
          "eq",
          "ne",
          "lt",
          "le",
          "gt",
          "ge",
          "where",
          "clamp",
          // reductions
          "sum",
          "mean",
          "logsumexp",
          "max",
          "min",
          "argmax",
          "argmin",
          "norm",
          "softmax",
          "log_softmax",
          // linear algebra
          "matmul",
          "dot",
          // shape
          "reshape",
          "permute",
          "transpose",
          "expand",
          "squeeze",
          "unsqueeze",
          "flatten",
          "slice",
          "cat",
          "stack",
          // indexing
          "index_select",
          "gather",
          "scatter_add",
          "masked_select",
          "cast",
          // losses
          "cross_entropy",
          "mse_loss");

  /** A Nabla call computing an op from the case's input tensors and params. */
  @FunctionalInterface
  interface Op {
    Tensor apply(List<Tensor> in, JsonNode params);
  }

  static final Map<String, Op> OPS = new LinkedHashMap<>();

  static {
    // unary
    OPS.put("neg", (in, p) -> in.get(0).neg());
    OPS.put("exp", (in, p) -> in.get(0).exp());
    OPS.put("log", (in, p) -> in.get(0).log());
    OPS.put("sin", (in, p) -> in.get(0).sin());
    OPS.put("cos", (in, p) -> in.get(0).cos());
    OPS.put("tanh", (in, p) -> in.get(0).tanh());
    OPS.put("sigmoid", (in, p) -> in.get(0).sigmoid());
    OPS.put("relu", (in, p) -> in.get(0).relu());
    OPS.put("sqrt", (in, p) -> in.get(0).sqrt());
    OPS.put("abs", (in, p) -> in.get(0).abs());
    OPS.put("sign", (in, p) -> in.get(0).sign());
    OPS.put("reciprocal", (in, p) -> in.get(0).reciprocal());
    // binary
    OPS.put("add", (in, p) -> in.get(0).add(in.get(1)));
    OPS.put("sub", (in, p) -> in.get(0).sub(in.get(1)));
    OPS.put("mul", (in, p) -> in.get(0).mul(in.get(1)));
    OPS.put("div", (in, p) -> in.get(0).div(in.get(1)));
    OPS.put("pow", (in, p) -> in.get(0).pow(in.get(1)));
    OPS.put("maximum", (in, p) -> in.get(0).maximum(in.get(1)));
    OPS.put("minimum", (in, p) -> in.get(0).minimum(in.get(1)));
    // with a scalar
    OPS.put("add_scalar", (in, p) -> in.get(0).add(dbl(p, "scalar")));
    OPS.put("sub_scalar", (in, p) -> in.get(0).sub(dbl(p, "scalar")));
    OPS.put("mul_scalar", (in, p) -> in.get(0).mul(dbl(p, "scalar")));
    OPS.put("div_scalar", (in, p) -> in.get(0).div(dbl(p, "scalar")));
    OPS.put("pow_scalar", (in, p) -> in.get(0).pow(dbl(p, "exponent")));
    // comparisons
    OPS.put("eq", (in, p) -> in.get(0).eq(in.get(1)));
    OPS.put("ne", (in, p) -> in.get(0).ne(in.get(1)));
    OPS.put("lt", (in, p) -> in.get(0).lt(in.get(1)));
    OPS.put("le", (in, p) -> in.get(0).le(in.get(1)));
    OPS.put("gt", (in, p) -> in.get(0).gt(in.get(1)));
    OPS.put("ge", (in, p) -> in.get(0).ge(in.get(1)));
    OPS.put("where", (in, p) -> Tensor.where(in.get(0), in.get(1), in.get(2)));
    OPS.put("clamp", (in, p) -> in.get(0).clamp(dbl(p, "min"), dbl(p, "max")));
    // reductions
    OPS.put(
        "sum",
        (in, p) -> {
          int[] axes = intsOrNull(p, "axes");
          return axes == null ? in.get(0).sum() : in.get(0).sum(axes, bool(p, "keepDim"));
        });
    OPS.put(
        "mean",
        (in, p) -> {
          int[] axes = intsOrNull(p, "axes");
          return axes == null ? in.get(0).mean() : in.get(0).mean(axes, bool(p, "keepDim"));
        });
    OPS.put("logsumexp", (in, p) -> in.get(0).logsumexp(intsOrNull(p, "axes"), bool(p, "keepDim")));
    OPS.put(
        "max",
        (in, p) -> {
          Integer axis = intOrNull(p, "axis");
          return axis == null ? in.get(0).max() : in.get(0).max(axis, bool(p, "keepDim"));
        });
    OPS.put(
        "min",
        (in, p) -> {
          Integer axis = intOrNull(p, "axis");
          return axis == null ? in.get(0).min() : in.get(0).min(axis, bool(p, "keepDim"));
        });
    OPS.put(
        "argmax",
        (in, p) -> {
          Integer axis = intOrNull(p, "axis");
          return axis == null ? in.get(0).argmax() : in.get(0).argmax(axis, bool(p, "keepDim"));
        });
    OPS.put(
        "argmin",
        (in, p) -> {
          Integer axis = intOrNull(p, "axis");
          return axis == null ? in.get(0).argmin() : in.get(0).argmin(axis, bool(p, "keepDim"));
        });
    OPS.put(
        "norm", (in, p) -> in.get(0).norm(dbl(p, "p"), intsOrNull(p, "axes"), bool(p, "keepDim")));
    OPS.put("softmax", (in, p) -> in.get(0).softmax(integer(p, "dim")));
    OPS.put("log_softmax", (in, p) -> in.get(0).logSoftmax(integer(p, "dim")));
    // linear algebra
    OPS.put("matmul", (in, p) -> in.get(0).matmul(in.get(1)));
    OPS.put("dot", (in, p) -> in.get(0).dot(in.get(1)));
    // shape
    OPS.put("reshape", (in, p) -> in.get(0).reshape(ints(p, "shape")));
    OPS.put("permute", (in, p) -> in.get(0).permute(ints(p, "dims")));
    OPS.put("transpose", (in, p) -> in.get(0).transpose(integer(p, "dim0"), integer(p, "dim1")));
    OPS.put("expand", (in, p) -> in.get(0).expand(ints(p, "shape")));
    OPS.put(
        "squeeze",
        (in, p) -> {
          Integer dim = intOrNull(p, "dim");
          return dim == null ? in.get(0).squeeze() : in.get(0).squeeze(dim);
        });
    OPS.put("unsqueeze", (in, p) -> in.get(0).unsqueeze(integer(p, "dim")));
    OPS.put("flatten", (in, p) -> in.get(0).flatten());
    OPS.put(
        "slice",
        (in, p) ->
            in.get(0)
                .slice(
                    integer(p, "dim"), integer(p, "start"), integer(p, "end"), integer(p, "step")));
    OPS.put("cat", (in, p) -> Tensor.cat(integer(p, "dim"), in.toArray(Tensor[]::new)));
    OPS.put("stack", (in, p) -> Tensor.stack(integer(p, "dim"), in.toArray(Tensor[]::new)));
    // indexing
    OPS.put("index_select", (in, p) -> in.get(0).indexSelect(integer(p, "dim"), in.get(1)));
    OPS.put("gather", (in, p) -> in.get(0).gather(integer(p, "dim"), in.get(1)));
    OPS.put(
        "scatter_add", (in, p) -> in.get(0).scatterAdd(integer(p, "dim"), in.get(1), in.get(2)));
    OPS.put("masked_select", (in, p) -> in.get(0).maskedSelect(in.get(1)));
    OPS.put("cast", (in, p) -> in.get(0).to(dtype(p.get("dtype").asText())));
    // losses
    OPS.put("cross_entropy", (in, p) -> in.get(0).crossEntropy(in.get(1)));
    OPS.put("mse_loss", (in, p) -> in.get(0).mseLoss(in.get(1)));
  }

  private static JsonNode root;

  static synchronized JsonNode root() {
    if (root == null) {
      try (InputStream s = ForwardReferenceTest.class.getResourceAsStream(RESOURCE)) {
        assertNotNull(s, "missing test resource " + RESOURCE);
        root = new ObjectMapper().readTree(s);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return root;
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (JsonNode c : root().get("cases")) {
      out.add(Arguments.of(c.get("name").asText(), c));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesPyTorch(String name, JsonNode c) {
    String opName = c.get("op").asText();
    Op op = OPS.get(opName);
    if (op == null) {
      fail("no Nabla mapping for op '" + opName + "'");
    }
    List<Tensor> inputs = new ArrayList<>();
    for (JsonNode t : c.get("inputs")) {
      inputs.add(tensor(t));
    }
    Tensor actual;
    try {
      actual = op.apply(inputs, c.get("params"));
    } catch (RuntimeException e) {
      // surefire reports parameterized cases by index, so put the case name in the message
      throw new AssertionError(name + ": " + e, e);
    }
    assertMatches(name, c.get("output"), actual);
  }

  /** Every op of the data has a mapping, and the mapping covers every required op. */
  @Test
  void everyOpIsCovered() {
    Set<String> inData = new LinkedHashSet<>();
    for (JsonNode c : root().get("cases")) {
      inData.add(c.get("op").asText());
    }
    Set<String> unmappedInData = new TreeSet<>(inData);
    unmappedInData.removeAll(OPS.keySet());
    Set<String> requiredUnmapped = new TreeSet<>(REQUIRED_OPS);
    requiredUnmapped.removeAll(OPS.keySet());
    Set<String> requiredWithoutData = new TreeSet<>(REQUIRED_OPS);
    requiredWithoutData.removeAll(inData);
    List<String> problems = new ArrayList<>();
    if (!unmappedInData.isEmpty()) {
      problems.add("ops in " + RESOURCE + " without a Nabla mapping: " + unmappedInData);
    }
    if (!requiredUnmapped.isEmpty()) {
      problems.add("required ops missing from the Nabla mapping: " + requiredUnmapped);
    }
    if (!requiredWithoutData.isEmpty()) {
      problems.add("required ops without reference cases: " + requiredWithoutData);
    }
    assertTrue(problems.isEmpty(), String.join("; ", problems));
  }

  @Test
  void referenceDataIsWellFormed() {
    JsonNode r = root();
    assertFalse(r.get("torch_version").asText().isEmpty(), "torch_version");
    Set<String> names = new LinkedHashSet<>();
    for (JsonNode c : r.get("cases")) {
      assertTrue(names.add(c.get("name").asText()), "duplicate case " + c.get("name"));
    }
    assertTrue(names.size() > 0, "no cases");
  }

  // ---------------------------------------------------------------- decoding

  static DType dtype(String name) {
    return switch (name) {
      case "float32" -> DType.FLOAT32;
      case "float64" -> DType.FLOAT64;
      case "int64" -> DType.INT64;
      case "bool" -> DType.BOOL;
      default -> throw new IllegalArgumentException("unknown dtype " + name);
    };
  }

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

  static long[] longs(JsonNode t) {
    JsonNode d = t.get("data");
    long[] out = new long[d.size()];
    for (int i = 0; i < out.length; i++) {
      assertTrue(d.get(i).isIntegralNumber(), "int64 datum " + d.get(i));
      out[i] = d.get(i).asLong();
    }
    return out;
  }

  static boolean[] booleans(JsonNode t) {
    JsonNode d = t.get("data");
    boolean[] out = new boolean[d.size()];
    for (int i = 0; i < out.length; i++) {
      assertTrue(d.get(i).isBoolean(), "bool datum " + d.get(i));
      out[i] = d.get(i).asBoolean();
    }
    return out;
  }

  static Tensor tensor(JsonNode t) {
    int[] shape = shape(t);
    return switch (dtype(t.get("dtype").asText())) {
      case FLOAT32 -> Tensor.of(doubles(t), shape);
      case FLOAT64 -> Tensor.ofDoubles(doubles(t), shape);
      // ofLongs/ofBooleans read an empty shape as "1-d", so 0-d tensors are made by a reshape
      case INT64 ->
          shape.length == 0
              ? Tensor.ofLongs(longs(t), 1).reshape()
              : Tensor.ofLongs(longs(t), shape);
      case BOOL ->
          shape.length == 0
              ? Tensor.ofBooleans(booleans(t), 1).reshape()
              : Tensor.ofBooleans(booleans(t), shape);
    };
  }

  // ---------------------------------------------------------------- params

  static double dbl(JsonNode p, String key) {
    JsonNode v = p.get(key);
    assertNotNull(v, "param " + key);
    return number(v);
  }

  static int integer(JsonNode p, String key) {
    JsonNode v = p.get(key);
    assertNotNull(v, "param " + key);
    assertTrue(v.isIntegralNumber(), "param " + key + " is not an integer: " + v);
    return v.asInt();
  }

  static Integer intOrNull(JsonNode p, String key) {
    JsonNode v = p.get(key);
    return v == null || v.isNull() ? null : integer(p, key);
  }

  static int[] ints(JsonNode p, String key) {
    JsonNode v = p.get(key);
    assertNotNull(v, "param " + key);
    assertTrue(v.isArray(), "param " + key + " is not an array: " + v);
    int[] out = new int[v.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.get(i).asInt();
    }
    return out;
  }

  static int[] intsOrNull(JsonNode p, String key) {
    JsonNode v = p.get(key);
    return v == null || v.isNull() ? null : ints(p, key);
  }

  static boolean bool(JsonNode p, String key) {
    JsonNode v = p.get(key);
    assertNotNull(v, "param " + key);
    return v.asBoolean();
  }

  // ---------------------------------------------------------------- comparison

  static void assertMatches(String name, JsonNode expected, Tensor actual) {
    assertNotNull(actual, name + ": null result");
    DType dt = dtype(expected.get("dtype").asText());
    assertEquals(dt, actual.dtype(), name + ": dtype");
    int[] shape = shape(expected);
    assertArrayEquals(
        shape,
        actual.shape(),
        () ->
            name
                + ": shape expected "
                + Arrays.toString(shape)
                + " but was "
                + Arrays.toString(actual.shape()));
    switch (dt) {
      case FLOAT32 -> assertClose(name, doubles(expected), actual.toDoubleArray(), 1e-6, 1e-6);
      case FLOAT64 -> assertClose(name, doubles(expected), actual.toDoubleArray(), 1e-12, 1e-12);
      case INT64 -> assertArrayEquals(longs(expected), actual.toLongArray(), name + ": values");
      case BOOL ->
          assertArrayEquals(booleans(expected), actual.toBooleanArray(), name + ": values");
    }
  }

  static void assertClose(String name, double[] expected, double[] actual, double rel, double abs) {
    assertEquals(expected.length, actual.length, name + ": element count");
    List<String> bad = new ArrayList<>();
    int count = 0;
    for (int i = 0; i < expected.length; i++) {
      if (!close(expected[i], actual[i], rel, abs)) {
        count++;
        if (bad.size() < 8) {
          bad.add("[" + i + "] expected " + expected[i] + " but was " + actual[i]);
        }
      }
    }
    if (count > 0) {
      fail(
          name
              + ": "
              + count
              + " of "
              + expected.length
              + " values differ (tolerance "
              + rel
              + " relative + "
              + abs
              + " absolute): "
              + String.join(", ", bad));
    }
  }

  static boolean close(double expected, double actual, double rel, double abs) {
    if (Double.isNaN(expected)) {
      return Double.isNaN(actual);
    }
    if (Double.isInfinite(expected)) {
      return expected == actual;
    }
    if (Double.isNaN(actual) || Double.isInfinite(actual)) {
      return false;
    }
    return Math.abs(expected - actual) <= abs + rel * Math.abs(expected);
  }
}
