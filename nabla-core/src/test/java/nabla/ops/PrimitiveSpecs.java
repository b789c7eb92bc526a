package nabla.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import nabla.DType;
import nabla.Tensor;

/**
 * The spec table: for every primitive, sample inputs (shapes including broadcasting and 0-d, a
 * domain for the differentiable ones) and the expression that applies it. Used by the gradient
 * checks; a test fails when a {@link PrimitiveKind} has no entry.
 */
public final class PrimitiveSpecs {
  private PrimitiveSpecs() {}

  /** Where differentiable inputs are drawn from (kinks and singularities are avoided). */
  public enum Domain {
    ANY(-2, 2),
    POSITIVE(0.5, 2),
    /** Away from 0 by at least 0.25, either sign (for kinks at 0). */
    NONZERO(0.25, 2);

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

  /** A named use of a primitive. */
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
  }

  static Arg in(Domain d, int... shape) {
    return new Arg(shape, d, null);
  }

  static Arg any(int... shape) {
    return in(Domain.ANY, shape);
  }

  static Arg pos(int... shape) {
    return in(Domain.POSITIVE, shape);
  }

  static Arg nonzero(int... shape) {
    return in(Domain.NONZERO, shape);
  }

  static Arg constant(Tensor t) {
    return new Arg(t.shape(), null, t);
  }

  private static final List<Spec> ALL = new ArrayList<>();

  /** x³ as a user-defined function with both rules. */
  static final nabla.CustomFunction CUBE =
      nabla.CustomFunction.of(
          "Cube",
          in -> in[0].mul(in[0]).mul(in[0]),
          (g, out, in) -> new Tensor[] {g.mul(in[0].mul(in[0]).mul(3))},
          (t, out, in) -> t[0].mul(in[0].mul(in[0]).mul(3)));

  private static void add(
      String name, PrimitiveKind kind, Function<Tensor[], Tensor> f, Arg... args) {
    ALL.add(new Spec(name, kind, List.of(args), f, 1e-6, 1e-6));
  }

  /** A spec whose values pass through float32: a coarser step and tolerance. */
  private static void addFloat32(
      String name, PrimitiveKind kind, Function<Tensor[], Tensor> f, Arg... args) {
    ALL.add(new Spec(name, kind, List.of(args), f, 1e-4, 1e-2));
  }

  static {
    // elementwise unary, on 0-d, 1-d and 2-d inputs
    add("neg", PrimitiveKind.NEG, x -> x[0].neg(), any(2, 3));
    add("neg/0d", PrimitiveKind.NEG, x -> x[0].neg(), any());
    add("exp", PrimitiveKind.EXP, x -> x[0].exp(), any(2, 3));
    add("exp/0d", PrimitiveKind.EXP, x -> x[0].exp(), any());
    add("log", PrimitiveKind.LOG, x -> x[0].log(), pos(5));
    add("sin", PrimitiveKind.SIN, x -> x[0].sin(), any(2, 3));
    add("cos", PrimitiveKind.COS, x -> x[0].cos(), any(4));
    add("tanh", PrimitiveKind.TANH, x -> x[0].tanh(), any(2, 2));
    add("sqrt", PrimitiveKind.SQRT, x -> x[0].sqrt(), pos(3, 2));
    add("abs", PrimitiveKind.ABS, x -> x[0].abs(), nonzero(5));
    add("relu", PrimitiveKind.RELU, x -> x[0].relu(), nonzero(2, 3));
    add("sigmoid", PrimitiveKind.SIGMOID, x -> x[0].sigmoid(), any(5));
    add("sign", PrimitiveKind.SIGN, x -> x[0].sign().add(x[0]), nonzero(4));
    // elementwise binary with broadcasting
    add("add", PrimitiveKind.ADD, x -> x[0].add(x[1]), any(2, 3), any(2, 3));
    add("add/broadcast", PrimitiveKind.ADD, x -> x[0].add(x[1]), any(2, 3), any(3));
    add("add/0d", PrimitiveKind.ADD, x -> x[0].add(x[1]), any(), any(2, 2));
    add("sub/broadcast", PrimitiveKind.SUB, x -> x[0].sub(x[1]), any(2, 1), any(1, 3));
    add("mul", PrimitiveKind.MUL, x -> x[0].mul(x[1]), any(3), any(3));
    add("mul/broadcast3d", PrimitiveKind.MUL, x -> x[0].mul(x[1]), any(2, 1, 3), any(2, 1));
    add("div", PrimitiveKind.DIV, x -> x[0].div(x[1]), any(2, 3), nonzero(3));
    add("pow", PrimitiveKind.POW, x -> x[0].pow(x[1]), pos(2, 3), any(2, 3));
    add("pow/scalar", PrimitiveKind.POW, x -> x[0].pow(3), any(4));
    add("maximum", PrimitiveKind.MAXIMUM, x -> x[0].maximum(x[1]), any(2, 3), any(3));
    add("minimum", PrimitiveKind.MINIMUM, x -> x[0].minimum(x[1]), any(4), any(4));
    add(
        "compare",
        PrimitiveKind.COMPARE,
        x -> Tensor.where(x[0].gt(x[1]), x[0], x[1].mul(2)),
        any(5),
        any(5));
    add(
        "where",
        PrimitiveKind.WHERE,
        x -> Tensor.where(x[2], x[0], x[1]),
        any(2, 3),
        any(3),
        constant(Tensor.ofBooleans(new boolean[] {true, false, true, false, false, true}, 2, 3)));
    // reductions
    add("sum/all", PrimitiveKind.SUM, x -> x[0].sum(), any(2, 3));
    add("sum/axis", PrimitiveKind.SUM, x -> x[0].sum(1, false), any(2, 3, 2));
    add("sum/keepDim", PrimitiveKind.SUM, x -> x[0].sum(new int[] {0, 2}, true), any(2, 3, 2));
    add("max/all", PrimitiveKind.MAX, x -> x[0].max(), any(7));
    add("max/axis", PrimitiveKind.MAX, x -> x[0].max(0, false), any(3, 4));
    add("min/axis", PrimitiveKind.MIN, x -> x[0].min(-1, true), any(3, 4));
    add("argmax", PrimitiveKind.ARGMAX, x -> x[0].gather(1, x[0].argmax(1, true)), any(3, 4));
    add("argmin", PrimitiveKind.ARGMIN, x -> x[0].gather(1, x[0].argmin(1, true)), any(3, 4));
    add("logSoftmax/last", PrimitiveKind.LOG_SOFTMAX, x -> x[0].logSoftmax(1), any(3, 4));
    add("logSoftmax/first", PrimitiveKind.LOG_SOFTMAX, x -> x[0].logSoftmax(0), any(3, 2));
    add("logSoftmax/middle", PrimitiveKind.LOG_SOFTMAX, x -> x[0].logSoftmax(1), any(2, 3, 2));
    add("logSoftmax/0-d", PrimitiveKind.LOG_SOFTMAX, x -> x[0].logSoftmax(0), any());
    add("norm/l2", PrimitiveKind.NORM, x -> x[0].norm(), any(5));
    add("norm/l1-axis", PrimitiveKind.NORM, x -> x[0].norm(1, new int[] {1}, false), nonzero(2, 3));
    add("norm/p3-keep", PrimitiveKind.NORM, x -> x[0].norm(3, new int[] {0}, true), nonzero(3, 2));
    // shape and indexing
    add(
        "reshape",
        PrimitiveKind.RESHAPE,
        x -> x[0].reshape(3, -1).mul(x[0].reshape(3, 2)),
        any(2, 3));
    add(
        "reshape/noncontiguous",
        PrimitiveKind.RESHAPE,
        x -> x[0].transpose().reshape(6),
        any(2, 3));
    add("expand", PrimitiveKind.EXPAND, x -> x[0].expand(4, 2, 3), any(2, 1));
    add("permute", PrimitiveKind.PERMUTE, x -> x[0].permute(2, 0, 1), any(2, 3, 2));
    add("slice", PrimitiveKind.SLICE, x -> x[0].slice(1, 1, 5, 2), any(2, 5));
    add("slice/negative", PrimitiveKind.SLICE, x -> x[0].slice(0, -2, 100, 1), any(4));
    add("pad", PrimitiveKind.PAD, x -> x[0].embed(new int[] {3, 5}, 1, 1, 2), any(3, 2));
    add("cat", PrimitiveKind.CAT, x -> Tensor.cat(0, x[0], x[1]), any(2, 3), any(1, 3));
    add("stack", PrimitiveKind.CAT, x -> Tensor.stack(1, x[0], x[1]), any(3), any(3));
    add(
        "gather",
        PrimitiveKind.GATHER,
        x -> x[0].gather(1, x[1]),
        any(2, 3),
        constant(Tensor.ofLongs(new long[] {0, 2, 2, 1, 0, 1}, 2, 3)));
    add(
        "indexSelect",
        PrimitiveKind.GATHER,
        x -> x[0].indexSelect(0, x[1]),
        any(3, 2),
        constant(Tensor.ofLongs(new long[] {2, 0, 2})));
    add(
        "maskedSelect",
        PrimitiveKind.GATHER,
        x -> x[0].maskedSelect(x[1]),
        any(2, 3),
        constant(Tensor.ofBooleans(new boolean[] {true, false, true})));
    add(
        "scatterAdd",
        PrimitiveKind.SCATTER_ADD,
        x -> x[0].scatterAdd(0, x[2], x[1]),
        any(3, 2),
        any(2, 2),
        constant(Tensor.ofLongs(new long[] {0, 2, 0, 0}, 2, 2)));
    add("contiguous", PrimitiveKind.CONTIGUOUS, x -> x[0].transpose().contiguous(), any(2, 3));
    addFloat32(
        "cast",
        PrimitiveKind.CAST,
        x -> x[0].to(DType.FLOAT32).mul(x[0].to(DType.FLOAT32)).to(DType.FLOAT64),
        any(3));
    // linear algebra
    add("matmul/2d", PrimitiveKind.MATMUL, x -> x[0].matmul(x[1]), any(2, 3), any(3, 4));
    add("matmul/vec", PrimitiveKind.MATMUL, x -> x[0].matmul(x[1]), any(3), any(3, 2));
    add("matmul/matvec", PrimitiveKind.MATMUL, x -> x[0].matmul(x[1]), any(2, 3), any(3));
    add("matmul/batched", PrimitiveKind.MATMUL, x -> x[0].matmul(x[1]), any(2, 2, 3), any(3, 2));
    add(
        "matmul/transposed",
        PrimitiveKind.MATMUL,
        x -> x[0].transpose().matmul(x[1]),
        any(3, 2),
        any(3, 2));
    add("dot", PrimitiveKind.MUL, x -> x[0].dot(x[1]), any(4), any(4));
    // user-defined functions run through the same engine
    add("custom", PrimitiveKind.CUSTOM, x -> CUBE.apply(x[0]).mul(x[1]), any(2, 3), any(3));
    add(
        "checkpoint",
        PrimitiveKind.CUSTOM,
        x -> nabla.Autograd.checkpoint(t -> t.tanh().mul(t.sin()), x[0]),
        any(4));
    // the segment captures tensors that require grad (a network's weights)
    add(
        "checkpoint/captured",
        PrimitiveKind.CUSTOM,
        x -> nabla.Autograd.checkpoint(t -> t.tanh().mul(x[1]).matmul(x[2]).sin(), x[0]),
        any(2, 3),
        any(3),
        any(3, 2));
    // composites the library builds on these primitives
    add("softmax", PrimitiveKind.EXP, x -> x[0].softmax(1), any(2, 4));
    add("logsumexp", PrimitiveKind.LOG, x -> x[0].logsumexp(0, false), any(3, 2));
    add("mean", PrimitiveKind.SUM, x -> x[0].mean(0, true), any(3, 2));
    add("clamp", PrimitiveKind.WHERE, x -> x[0].clamp(-0.5, 0.7), any(6));
    add(
        "crossEntropy",
        PrimitiveKind.GATHER,
        x -> x[0].crossEntropy(x[1]),
        any(3, 4),
        constant(Tensor.ofLongs(new long[] {1, 0, 3})));
  }

  /** Every spec, in declaration order. */
  public static List<Spec> all() {
    return List.copyOf(ALL);
  }
}
