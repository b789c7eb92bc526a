package nabla.ops;

import static nabla.ops.PrimitiveKind.ARGMAX;
import static nabla.ops.PrimitiveKind.ARGMIN;
import static nabla.ops.PrimitiveKind.CAST;
import static nabla.ops.PrimitiveKind.CAT;
import static nabla.ops.PrimitiveKind.COMPARE;
import static nabla.ops.PrimitiveKind.CONTIGUOUS;
import static nabla.ops.PrimitiveKind.CUSTOM;
import static nabla.ops.PrimitiveKind.EXP;
import static nabla.ops.PrimitiveKind.EXPAND;
import static nabla.ops.PrimitiveKind.GATHER;
import static nabla.ops.PrimitiveKind.LOG;
import static nabla.ops.PrimitiveKind.LOG_SOFTMAX;
import static nabla.ops.PrimitiveKind.MATMUL;
import static nabla.ops.PrimitiveKind.MAX;
import static nabla.ops.PrimitiveKind.MIN;
import static nabla.ops.PrimitiveKind.MUL;
import static nabla.ops.PrimitiveKind.NORM;
import static nabla.ops.PrimitiveKind.PAD;
import static nabla.ops.PrimitiveKind.PERMUTE;
import static nabla.ops.PrimitiveKind.POW;
import static nabla.ops.PrimitiveKind.RESHAPE;
import static nabla.ops.PrimitiveKind.SCATTER_ADD;
import static nabla.ops.PrimitiveKind.SLICE;
import static nabla.ops.PrimitiveKind.SUM;
import static nabla.ops.PrimitiveKind.WHERE;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import nabla.Autograd;
import nabla.CustomFunction;
import nabla.DType;
import nabla.Tensor;

/**
 * The spec table, the one list of operations the tests cover. Its rows are {@code /nabla/ops.json},
 * which {@code tools/reference/generate_forward.py} reads too: a row of family {@code unary},
 * {@code binary} or {@code compare} needs nothing here (its Nabla call and gradient specs are
 * derived from the row); the other rows get their call and specs below. Each op has:
 *
 * <ul>
 *   <li>a {@link Call}: the Nabla expression the PyTorch reference values of {@code
 *       ForwardReferenceTest} are compared with;
 *   <li>gradient {@link Spec}s: sample inputs (shapes including broadcasting and 0-d, a domain for
 *       the differentiable ones) and the expression that applies a primitive, for the finite
 *       difference, forward-mode, batched-Jacobian and trait checks. A test fails when a {@link
 *       PrimitiveKind} has no spec.
 * </ul>
 */
public final class PrimitiveSpecs {
  private PrimitiveSpecs() {}

  /** Where differentiable inputs are drawn from (kinks and singularities are avoided). */
  public enum Domain {
    ANY(-2, 2),
    POSITIVE(0.5, 2),
    /** Away from 0 by at least 0.25, either sign (for kinks at 0). */
    NONZERO(0.25, 2),
    /** Inside (-1, 1), away from its ends (asin, acos, atanh; tan away from its poles). */
    UNIT(-0.9, 0.9),
    /** Above 1, away from it (acosh). */
    ABOVE_ONE(1.25, 3);

    final double lo;
    final double hi;

    Domain(double lo, double hi) {
      this.lo = lo;
      this.hi = hi;
    }

    double sample(Random r) {
      double v = lo + (hi - lo) * r.nextDouble();
      return this == NONZERO && r.nextBoolean() ? -v : v;
    }
  }

  /** One argument: a differentiable float64 input of a shape and domain, or a constant. */
  public record Arg(int[] shape, Domain domain, Tensor constant) {
    public boolean differentiable() {
      return constant == null;
    }

    public Tensor make(Random r) {
      if (constant != null) {
        return constant;
      }
      int n = 1;
      for (int s : shape) {
        n *= s;
      }
      double[] d = new double[n];
      for (int i = 0; i < n; i++) {
        d[i] = domain.sample(r);
      }
      return Tensor.ofDoubles(d, shape);
    }
  }

  /** A named use of a primitive; the name starts with its op ({@code sum/axis}: op sum). */
  public record Spec(
      String name,
      PrimitiveKind kind,
      List<Arg> args,
      Function<Tensor[], Tensor> f,
      double tolerance,
      double step) {
    @Override
    public String toString() {
      return name;
    }

    /** The op of ops.json this spec belongs to. */
    public String op() {
      int slash = name.indexOf('/');
      return slash < 0 ? name : name.substring(0, slash);
    }
  }

  /** A Nabla call computing an op from a reference case's input tensors and params. */
  @FunctionalInterface
  public interface Call {
    Tensor apply(List<Tensor> in, JsonNode params);
  }

  /**
   * One row of ops.json with its Java half.
   *
   * @param family unary, binary, compare, or null for a row written out here
   * @param hasReference whether the row has PyTorch reference values (a generator group)
   * @param call the Nabla call, null if none
   */
  public record Op(String name, String family, boolean hasReference, Call call, List<Spec> specs) {}

  /** The resource holding the rows. */
  public static final String RESOURCE = "/nabla/ops.json";

  /** x³ as a user-defined function with both rules. */
  static final CustomFunction CUBE =
      CustomFunction.of(
          "Cube",
          in -> in[0].mul(in[0]).mul(in[0]),
          (g, out, in) -> new Tensor[] {g.mul(in[0].mul(in[0]).mul(3))},
          (t, out, in) -> t[0].mul(in[0].mul(in[0]).mul(3)));

  private static final Map<String, Call> CALLS = new LinkedHashMap<>();
  private static final List<Spec> SPECS = new ArrayList<>();

  // ---------------------------------------------------------------- the rows written out here

  static {
    // elementwise beyond the derived specs; sign' = 0, so x is added to give its gradient a graph
    spec("sign", PrimitiveKind.SIGN, x -> x[0].sign().add(x[0]), nonzero(4));
    spec("mul/broadcast3d", MUL, x -> x[0].mul(x[1]), any(2, 1, 3), any(2, 1));
    spec("pow/scalar", POW, x -> x[0].pow(3), any(4));
    // a tensor with a scalar
    call("add_scalar", (in, p) -> in.get(0).add(dbl(p, "scalar")));
    call("sub_scalar", (in, p) -> in.get(0).sub(dbl(p, "scalar")));
    call("mul_scalar", (in, p) -> in.get(0).mul(dbl(p, "scalar")));
    call("div_scalar", (in, p) -> in.get(0).div(dbl(p, "scalar")));
    call("pow_scalar", (in, p) -> in.get(0).pow(dbl(p, "exponent")));
    // comparisons have no gradient: where(a > b, ...) runs the compare primitive in a graph
    spec("gt/where", COMPARE, x -> Tensor.where(x[0].gt(x[1]), x[0], x[1].mul(2)), any(5), any(5));
    call("where", (in, p) -> Tensor.where(in.get(0), in.get(1), in.get(2)));
    spec(
        "where",
        WHERE,
        x -> Tensor.where(x[2], x[0], x[1]),
        any(2, 3),
        any(3),
        constant(Tensor.ofBooleans(new boolean[] {true, false, true, false, false, true}, 2, 3)));
    call("clamp", (in, p) -> in.get(0).clamp(dbl(p, "min"), dbl(p, "max")));
    spec("clamp", WHERE, x -> x[0].clamp(-0.5, 0.7), any(6));
    // rounding has gradient 0 (x is added to give it a graph); values kept away from the jumps
    spec("floor", PrimitiveKind.FLOOR, x -> x[0].floor().add(x[0]), in(Domain.UNIT, 2, 3));
    spec("ceil", PrimitiveKind.CEIL, x -> x[0].ceil().mul(x[0]), in(Domain.UNIT, 4));
    spec("round", PrimitiveKind.ROUND, x -> x[0].mul(3).round().add(x[0]), in(Domain.UNIT, 5));
    spec("trunc", PrimitiveKind.TRUNC, x -> x[0].trunc().add(x[0].sin()), in(Domain.UNIT));
    // elementwise ops with parameters
    call("remainder_scalar", (in, p) -> in.get(0).remainder(dbl(p, "other")));
    spec(
        "remainder_scalar", PrimitiveKind.REMAINDER, x -> x[0].remainder(0.75), in(Domain.UNIT, 5));
    call("fmod_scalar", (in, p) -> in.get(0).fmod(dbl(p, "other")));
    spec("fmod_scalar", PrimitiveKind.FMOD, x -> x[0].fmod(-0.75), in(Domain.UNIT, 5));
    call("gelu_tanh", (in, p) -> in.get(0).gelu("tanh"));
    spec("gelu_tanh", PrimitiveKind.SIGMOID, x -> x[0].gelu("tanh"), any(2, 3));
    call("softplus_beta", (in, p) -> in.get(0).softplus(dbl(p, "beta"), dbl(p, "threshold")));
    // threshold 1 with beta 2: inputs on both sides of x = 0.5
    spec("softplus_beta", PrimitiveKind.LOG1P, x -> x[0].softplus(2, 1), any(2, 3));
    call("leaky_relu_slope", (in, p) -> in.get(0).leakyRelu(dbl(p, "slope")));
    spec("leaky_relu_slope", WHERE, x -> x[0].leakyRelu(-0.5), nonzero(5));
    call("elu_alpha", (in, p) -> in.get(0).elu(dbl(p, "alpha")));
    spec("elu_alpha", PrimitiveKind.EXPM1, x -> x[0].elu(2.5), nonzero(5));
    call("hardtanh_bounds", (in, p) -> in.get(0).hardtanh(dbl(p, "min"), dbl(p, "max")));
    spec("hardtanh_bounds", WHERE, x -> x[0].hardtanh(-0.3, 0.6), in(Domain.UNIT, 6));
    call(
        "nan_to_num_values",
        (in, p) -> in.get(0).nanToNum(dbl(p, "nan"), dbl(p, "posinf"), dbl(p, "neginf")));
    spec("nan_to_num_values", WHERE, x -> x[0].nanToNum(1, 2, 3), any(2, 2));
    call("lerp", (in, p) -> in.get(0).lerp(in.get(1), in.get(2)));
    // weights in [-2, 2]: both of PyTorch's forms (|w| < 1/2 and not)
    spec("lerp", WHERE, x -> x[0].lerp(x[1], x[2]), any(2, 3), any(2, 3), any(2, 3));
    spec("lerp/broadcast", WHERE, x -> x[0].lerp(x[1], x[2]), any(2, 3), any(3), any(2, 1));
    call("lerp_scalar", (in, p) -> in.get(0).lerp(in.get(1), dbl(p, "weight")));
    spec("lerp_scalar", MUL, x -> x[0].lerp(x[1], 0.25), any(2, 3), any(3));
    spec("lerp_scalar/large", MUL, x -> x[0].lerp(x[1], 0.75), any(4), any());
    // reductions
    call(
        "sum",
        (in, p) -> {
          int[] axes = intsOrNull(p, "axes");
          return axes == null ? in.get(0).sum() : in.get(0).sum(axes, bool(p, "keepDim"));
        });
    spec("sum/all", SUM, x -> x[0].sum(), any(2, 3));
    spec("sum/axis", SUM, x -> x[0].sum(1, false), any(2, 3, 2));
    spec("sum/keepDim", SUM, x -> x[0].sum(new int[] {0, 2}, true), any(2, 3, 2));
    call(
        "mean",
        (in, p) -> {
          int[] axes = intsOrNull(p, "axes");
          return axes == null ? in.get(0).mean() : in.get(0).mean(axes, bool(p, "keepDim"));
        });
    spec("mean", SUM, x -> x[0].mean(0, true), any(3, 2));
    call("logsumexp", (in, p) -> in.get(0).logsumexp(intsOrNull(p, "axes"), bool(p, "keepDim")));
    spec("logsumexp", LOG, x -> x[0].logsumexp(0, false), any(3, 2));
    call(
        "max",
        (in, p) -> {
          Integer axis = intOrNull(p, "axis");
          return axis == null ? in.get(0).max() : in.get(0).max(axis, bool(p, "keepDim"));
        });
    spec("max/all", MAX, x -> x[0].max(), any(7));
    spec("max/axis", MAX, x -> x[0].max(0, false), any(3, 4));
    call(
        "min",
        (in, p) -> {
          Integer axis = intOrNull(p, "axis");
          return axis == null ? in.get(0).min() : in.get(0).min(axis, bool(p, "keepDim"));
        });
    spec("min/axis", MIN, x -> x[0].min(-1, true), any(3, 4));
    call(
        "argmax",
        (in, p) -> {
          Integer axis = intOrNull(p, "axis");
          return axis == null ? in.get(0).argmax() : in.get(0).argmax(axis, bool(p, "keepDim"));
        });
    spec("argmax", ARGMAX, x -> x[0].gather(1, x[0].argmax(1, true)), any(3, 4));
    call(
        "argmin",
        (in, p) -> {
          Integer axis = intOrNull(p, "axis");
          return axis == null ? in.get(0).argmin() : in.get(0).argmin(axis, bool(p, "keepDim"));
        });
    spec("argmin", ARGMIN, x -> x[0].gather(1, x[0].argmin(1, true)), any(3, 4));
    call("norm", (in, p) -> in.get(0).norm(dbl(p, "p"), intsOrNull(p, "axes"), bool(p, "keepDim")));
    spec("norm/l2", NORM, x -> x[0].norm(), any(5));
    spec("norm/l1-axis", NORM, x -> x[0].norm(1, new int[] {1}, false), nonzero(2, 3));
    spec("norm/p3-keep", NORM, x -> x[0].norm(3, new int[] {0}, true), nonzero(3, 2));
    call("softmax", (in, p) -> in.get(0).softmax(integer(p, "dim")));
    spec("softmax", EXP, x -> x[0].softmax(1), any(2, 4));
    call("log_softmax", (in, p) -> in.get(0).logSoftmax(integer(p, "dim")));
    spec("log_softmax/last", LOG_SOFTMAX, x -> x[0].logSoftmax(1), any(3, 4));
    spec("log_softmax/first", LOG_SOFTMAX, x -> x[0].logSoftmax(0), any(3, 2));
    spec("log_softmax/middle", LOG_SOFTMAX, x -> x[0].logSoftmax(1), any(2, 3, 2));
    spec("log_softmax/0-d", LOG_SOFTMAX, x -> x[0].logSoftmax(0), any());
    // statistics, scans, sorting and selection
    ReductionSpecs.register();
    // linear algebra
    call("matmul", (in, p) -> in.get(0).matmul(in.get(1)));
    spec("matmul/2d", MATMUL, x -> x[0].matmul(x[1]), any(2, 3), any(3, 4));
    spec("matmul/vec", MATMUL, x -> x[0].matmul(x[1]), any(3), any(3, 2));
    spec("matmul/matvec", MATMUL, x -> x[0].matmul(x[1]), any(2, 3), any(3));
    spec("matmul/batched", MATMUL, x -> x[0].matmul(x[1]), any(2, 2, 3), any(3, 2));
    spec("matmul/transposed", MATMUL, x -> x[0].transpose().matmul(x[1]), any(3, 2), any(3, 2));
    call("dot", (in, p) -> in.get(0).dot(in.get(1)));
    spec("dot", MUL, x -> x[0].dot(x[1]), any(4), any(4));
    // shape
    call("reshape", (in, p) -> in.get(0).reshape(ints(p, "shape")));
    spec("reshape", RESHAPE, x -> x[0].reshape(3, -1).mul(x[0].reshape(3, 2)), any(2, 3));
    spec("reshape/noncontiguous", RESHAPE, x -> x[0].transpose().reshape(6), any(2, 3));
    call("permute", (in, p) -> in.get(0).permute(ints(p, "dims")));
    spec("permute", PERMUTE, x -> x[0].permute(2, 0, 1), any(2, 3, 2));
    call("transpose", (in, p) -> in.get(0).transpose(integer(p, "dim0"), integer(p, "dim1")));
    call("expand", (in, p) -> in.get(0).expand(ints(p, "shape")));
    spec("expand", EXPAND, x -> x[0].expand(4, 2, 3), any(2, 1));
    call(
        "squeeze",
        (in, p) -> {
          Integer dim = intOrNull(p, "dim");
          return dim == null ? in.get(0).squeeze() : in.get(0).squeeze(dim);
        });
    call("unsqueeze", (in, p) -> in.get(0).unsqueeze(integer(p, "dim")));
    call("flatten", (in, p) -> in.get(0).flatten());
    call(
        "slice",
        (in, p) ->
            in.get(0)
                .slice(
                    integer(p, "dim"), integer(p, "start"), integer(p, "end"), integer(p, "step")));
    spec("slice", SLICE, x -> x[0].slice(1, 1, 5, 2), any(2, 5));
    spec("slice/negative", SLICE, x -> x[0].slice(0, -2, 100, 1), any(4));
    call("cat", (in, p) -> Tensor.cat(integer(p, "dim"), in.toArray(Tensor[]::new)));
    spec("cat", CAT, x -> Tensor.cat(0, x[0], x[1]), any(2, 3), any(1, 3));
    call("stack", (in, p) -> Tensor.stack(integer(p, "dim"), in.toArray(Tensor[]::new)));
    spec("stack", CAT, x -> Tensor.stack(1, x[0], x[1]), any(3), any(3));
    spec("embed", PAD, x -> x[0].embed(new int[] {3, 5}, 1, 1, 2), any(3, 2));
    spec("contiguous", CONTIGUOUS, x -> x[0].transpose().contiguous(), any(2, 3));
    ShapeSpecs.register(); // flip, roll, repeat, ..., einsum, tensordot (issue 12)
    // indexing
    call("index_select", (in, p) -> in.get(0).indexSelect(integer(p, "dim"), in.get(1)));
    spec(
        "index_select",
        GATHER,
        x -> x[0].indexSelect(0, x[1]),
        any(3, 2),
        constant(Tensor.ofLongs(new long[] {2, 0, 2})));
    call("gather", (in, p) -> in.get(0).gather(integer(p, "dim"), in.get(1)));
    spec(
        "gather",
        GATHER,
        x -> x[0].gather(1, x[1]),
        any(2, 3),
        constant(Tensor.ofLongs(new long[] {0, 2, 2, 1, 0, 1}, 2, 3)));
    call("scatter_add", (in, p) -> in.get(0).scatterAdd(integer(p, "dim"), in.get(1), in.get(2)));
    spec(
        "scatter_add",
        SCATTER_ADD,
        x -> x[0].scatterAdd(0, x[2], x[1]),
        any(3, 2),
        any(2, 2),
        constant(Tensor.ofLongs(new long[] {0, 2, 0, 0}, 2, 2)));
    call("masked_select", (in, p) -> in.get(0).maskedSelect(in.get(1)));
    spec(
        "masked_select",
        GATHER,
        x -> x[0].maskedSelect(x[1]),
        any(2, 3),
        constant(Tensor.ofBooleans(new boolean[] {true, false, true})));
    call("cast", (in, p) -> in.get(0).to(dtype(p.get("dtype").asText())));
    SPECS.add(
        new Spec( // passes through float32: a coarser step and tolerance
            "cast",
            CAST,
            List.of(any(3)),
            x -> x[0].to(DType.FLOAT32).mul(x[0].to(DType.FLOAT32)).to(DType.FLOAT64),
            1e-4,
            1e-2));
    // losses
    call("cross_entropy", (in, p) -> in.get(0).crossEntropy(in.get(1)));
    spec(
        "cross_entropy",
        GATHER,
        x -> x[0].crossEntropy(x[1]),
        any(3, 4),
        constant(Tensor.ofLongs(new long[] {1, 0, 3})));
    call("mse_loss", (in, p) -> in.get(0).mseLoss(in.get(1)));
    // user-defined functions run through the same engine
    spec("custom", CUSTOM, x -> CUBE.apply(x[0]).mul(x[1]), any(2, 3), any(3));
    spec("checkpoint", CUSTOM, x -> Autograd.checkpoint(t -> t.tanh().mul(t.sin()), x[0]), any(4));
    // the segment captures tensors that require grad (a network's weights)
    spec(
        "checkpoint/captured",
        CUSTOM,
        x -> Autograd.checkpoint(t -> t.tanh().mul(x[1]).matmul(x[2]).sin(), x[0]),
        any(2, 3),
        any(3),
        any(3, 2));
  }

  static void call(String op, Call call) {
    CALLS.put(op, call);
  }

  static void spec(String name, PrimitiveKind kind, Function<Tensor[], Tensor> f, Arg... a) {
    SPECS.add(new Spec(name, kind, List.of(a), f, 1e-6, 1e-6));
  }

  static Arg in(Domain d, int... shape) {
    return new Arg(shape, d, null);
  }

  static Arg any(int... shape) {
    return in(Domain.ANY, shape);
  }

  static Arg nonzero(int... shape) {
    return in(Domain.NONZERO, shape);
  }

  static Arg constant(Tensor t) {
    return new Arg(t.shape(), null, t);
  }

  // ---------------------------------------------------------------- the table

  private static final List<String> PROBLEMS = new ArrayList<>();
  private static final Map<String, Op> OPS = load();

  /** Every op of ops.json, in its order, with its call and specs. */
  public static Map<String, Op> ops() {
    return Collections.unmodifiableMap(OPS);
  }

  /** Every spec: each op's, in the order of ops.json. */
  public static List<Spec> all() {
    List<Spec> all = new ArrayList<>();
    for (Op op : OPS.values()) {
      all.addAll(op.specs());
    }
    return all;
  }

  /**
   * What does not fit together: a row whose derived call names no Tensor method, a row with neither
   * call nor spec, a call or spec written here for an op ops.json does not list, a reference row
   * without a call. Empty when the table is consistent.
   */
  public static List<String> problems() {
    return List.copyOf(PROBLEMS);
  }

  private static Map<String, Op> load() {
    JsonNode root;
    try (InputStream s = PrimitiveSpecs.class.getResourceAsStream(RESOURCE)) {
      if (s == null) {
        throw new IllegalStateException("missing test resource " + RESOURCE);
      }
      root = new ObjectMapper().readTree(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, List<Spec>> written = new LinkedHashMap<>();
    for (Spec s : SPECS) {
      written.computeIfAbsent(s.op(), k -> new ArrayList<>()).add(s);
    }
    Map<String, Op> ops = new LinkedHashMap<>();
    for (JsonNode row : root.get("ops")) {
      String name = row.get("op").asText();
      String family = row.hasNonNull("family") ? row.get("family").asText() : null;
      boolean reference = family != null || row.hasNonNull("gen");
      List<Spec> specs = new ArrayList<>();
      Call call = CALLS.get(name);
      if (family != null) {
        Method m = method(name, family.equals("unary") ? 0 : 1);
        if (m != null) {
          call = derivedCall(m);
          if (row.hasNonNull("grad")) {
            specs.addAll(derivedSpecs(name, row, m));
          }
        }
      }
      specs.addAll(written.getOrDefault(name, List.of()));
      if (reference && call == null) {
        PROBLEMS.add(name + ": has reference values but no Nabla call");
      }
      if (call == null && specs.isEmpty()) {
        PROBLEMS.add(name + ": neither a Nabla call nor a spec");
      }
      if (ops.put(name, new Op(name, family, reference, call, List.copyOf(specs))) != null) {
        PROBLEMS.add(name + ": listed twice in " + RESOURCE);
      }
    }
    for (String op : CALLS.keySet()) {
      if (!ops.containsKey(op)) {
        PROBLEMS.add(op + ": a call is written for it, but " + RESOURCE + " does not list it");
      }
    }
    for (String op : written.keySet()) {
      if (!ops.containsKey(op)) {
        PROBLEMS.add(op + ": specs are written for it, but " + RESOURCE + " does not list it");
      }
    }
    return ops;
  }

  /** {@code log_softmax} → {@code logSoftmax}. */
  static String camelCase(String op) {
    StringBuilder b = new StringBuilder();
    boolean up = false;
    for (char c : op.toCharArray()) {
      if (c == '_') {
        up = true;
      } else {
        b.append(up ? Character.toUpperCase(c) : c);
        up = false;
      }
    }
    return b.toString();
  }

  /** The Tensor method of a derived row: {@code x.op()} or {@code a.op(b)}. */
  private static Method method(String op, int tensorArgs) {
    Class<?>[] params = tensorArgs == 0 ? new Class<?>[0] : new Class<?>[] {Tensor.class};
    try {
      return Tensor.class.getMethod(camelCase(op), params);
    } catch (NoSuchMethodException e) {
      PROBLEMS.add(
          op
              + ": Tensor has no method "
              + camelCase(op)
              + (tensorArgs == 0 ? "()" : "(Tensor)")
              + " for the derived call");
      return null;
    }
  }

  private static Tensor invoke(Method m, Tensor[] x) {
    try {
      return (Tensor) m.invoke(x[0], (Object[]) java.util.Arrays.copyOfRange(x, 1, x.length));
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Call derivedCall(Method m) {
    return (in, p) -> invoke(m, in.toArray(Tensor[]::new));
  }

  /** unary: shapes [2, 3] and 0-d; binary: equal shapes, broadcast one and both sides, 0-d. */
  private static List<Spec> derivedSpecs(String op, JsonNode row, Method m) {
    PrimitiveKind kind = PrimitiveKind.valueOf(row.get("kind").asText());
    Function<Tensor[], Tensor> f = x -> invoke(m, x);
    JsonNode grad = row.get("grad");
    List<Spec> specs = new ArrayList<>();
    if (m.getParameterCount() == 0) {
      Domain d = Domain.valueOf(grad.asText());
      specs.add(new Spec(op, kind, List.of(in(d, 2, 3)), f, 1e-6, 1e-6));
      specs.add(new Spec(op + "/0d", kind, List.of(in(d)), f, 1e-6, 1e-6));
    } else {
      Domain a = Domain.valueOf(grad.get(0).asText());
      Domain b = Domain.valueOf(grad.get(1).asText());
      specs.add(new Spec(op, kind, List.of(in(a, 2, 3), in(b, 2, 3)), f, 1e-6, 1e-6));
      specs.add(new Spec(op + "/broadcast", kind, List.of(in(a, 2, 3), in(b, 3)), f, 1e-6, 1e-6));
      specs.add(new Spec(op + "/outer", kind, List.of(in(a, 2, 1), in(b, 1, 3)), f, 1e-6, 1e-6));
      specs.add(new Spec(op + "/0d", kind, List.of(in(a), in(b, 2, 2)), f, 1e-6, 1e-6));
    }
    return specs;
  }

  // ---------------------------------------------------------------- params of reference cases

  public static DType dtype(String name) {
    return switch (name) {
      case "float32" -> DType.FLOAT32;
      case "float64" -> DType.FLOAT64;
      case "int64" -> DType.INT64;
      case "bool" -> DType.BOOL;
      case "int32" -> DType.INT32;
      case "uint8" -> DType.UINT8;
      case "float16" -> DType.FLOAT16;
      case "bfloat16" -> DType.BFLOAT16;
      default -> throw new IllegalArgumentException("unknown dtype " + name);
    };
  }

  /** A number of the JSON data: non-finite values are the strings "nan", "inf", "-inf". */
  public static double number(JsonNode v) {
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

  private static JsonNode param(JsonNode p, String key) {
    JsonNode v = p.get(key);
    if (v == null) {
      throw new IllegalArgumentException("missing param " + key + " in " + p);
    }
    return v;
  }

  static double dbl(JsonNode p, String key) {
    return number(param(p, key));
  }

  static int integer(JsonNode p, String key) {
    JsonNode v = param(p, key);
    if (!v.isIntegralNumber()) {
      throw new IllegalArgumentException("param " + key + " is not an integer: " + v);
    }
    return v.asInt();
  }

  static Integer intOrNull(JsonNode p, String key) {
    JsonNode v = p.get(key);
    return v == null || v.isNull() ? null : integer(p, key);
  }

  static int[] ints(JsonNode p, String key) {
    JsonNode v = param(p, key);
    if (!v.isArray()) {
      throw new IllegalArgumentException("param " + key + " is not an array: " + v);
    }
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
    return param(p, key).asBoolean();
  }
}
