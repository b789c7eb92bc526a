package nabla.ops;

import java.util.EnumMap;
import java.util.Map;
import nabla.DType;
import nabla.Tensor;
import nabla.kernels.BinaryOp;
import nabla.kernels.UnaryOp;

/**
 * Factories for every primitive of {@link PrimitiveKind}: the calls the {@code Tensor} facade
 * dispatches through. The elementwise primitives are built from their table rows (a new row with a
 * kernel needs no factory), and, like the other parameterless primitives, are shared instances.
 */
public final class Primitives {
  private Primitives() {}

  private static final Map<PrimitiveKind, Primitive> ELEMENTWISE =
      new EnumMap<>(PrimitiveKind.class);
  private static final Map<UnaryOp, Primitive> UNARY = new EnumMap<>(UnaryOp.class);
  private static final Map<BinaryOp, Primitive> COMPARE = new EnumMap<>(BinaryOp.class);

  static {
    for (PrimitiveKind kind : PrimitiveKind.values()) {
      switch (kind.rule()) {
        case Elementwise.UnaryRule r -> {
          Primitive p = new Elementwise.Unary(kind, r);
          ELEMENTWISE.put(kind, p);
          UNARY.put(r.kernel(), p);
        }
        case Elementwise.BinaryRule r -> ELEMENTWISE.put(kind, new Elementwise.Binary(kind, r));
        case null -> {}
      }
    }
    for (BinaryOp op : BinaryOp.values()) {
      if (op.isComparison()) {
        COMPARE.put(op, new Elementwise.Compare(op));
      }
    }
  }

  private static final Primitive WHERE = new Elementwise.Where();
  private static final Primitive CONTIGUOUS = new Movement.Contiguous();
  private static final Primitive MATMUL = new Matmul();

  /** The elementwise primitive whose row has this kernel: neg, exp, log, sin, cos, .... */
  public static Primitive unary(UnaryOp op) {
    Primitive p = UNARY.get(op);
    if (p == null) {
      throw new IllegalArgumentException(
          "the kernel op " + op + " is the kernel of no row of PrimitiveKind; add a unary row");
    }
    return p;
  }

  /**
   * The shared primitive of an elementwise row with a kernel, so that a new row needs no factory of
   * its own: {@code Primitives.elementwise(PrimitiveKind.MUL)} is {@link #mul()}.
   *
   * @throws IllegalArgumentException for a row that is not elementwise with a kernel
   */
  public static Primitive elementwise(PrimitiveKind kind) {
    Primitive p = ELEMENTWISE.get(kind);
    if (p == null) {
      throw new IllegalArgumentException(kind + " is not an elementwise row with a kernel");
    }
    return p;
  }

  public static Primitive add() {
    return elementwise(PrimitiveKind.ADD);
  }

  public static Primitive sub() {
    return elementwise(PrimitiveKind.SUB);
  }

  public static Primitive mul() {
    return elementwise(PrimitiveKind.MUL);
  }

  public static Primitive div() {
    return elementwise(PrimitiveKind.DIV);
  }

  public static Primitive pow() {
    return elementwise(PrimitiveKind.POW);
  }

  public static Primitive maximum() {
    return elementwise(PrimitiveKind.MAXIMUM);
  }

  public static Primitive minimum() {
    return elementwise(PrimitiveKind.MINIMUM);
  }

  /** eq, ne, lt, le, gt, ge. */
  public static Primitive compare(BinaryOp op) {
    Primitive p = COMPARE.get(op);
    if (p == null) {
      throw new IllegalArgumentException(op + " is not a comparison");
    }
    return p;
  }

  public static Primitive where() {
    return WHERE;
  }

  /**
   * The kernel of an elementwise primitive of one input (exp, neg, relu, ...), or null for any
   * other primitive: for loop fusion, which applies the kernel itself.
   */
  public static UnaryOp unaryKernel(Primitive p) {
    return p instanceof Elementwise.Unary && p.kind().rule() instanceof Elementwise.UnaryRule r
        ? r.kernel()
        : null;
  }

  /**
   * The kernel of an elementwise arithmetic primitive of two inputs (add, mul, pow, ...), or null
   * for any other primitive (comparisons included): for loop fusion.
   */
  public static BinaryOp binaryKernel(Primitive p) {
    return p instanceof Elementwise.Binary && p.kind().rule() instanceof Elementwise.BinaryRule r
        ? r.kernel()
        : null;
  }

  /** The comparison of a comparison primitive (eq, lt, ...), or null for any other primitive. */
  public static BinaryOp compareKernel(Primitive p) {
    return p instanceof Elementwise.Compare c ? c.op() : null;
  }

  /** Whether {@code p} is {@code where(cond, a, b)}. */
  public static boolean isWhere(Primitive p) {
    return p == WHERE;
  }

  /** Whether {@code p} sums its input over every axis (with or without kept dimensions). */
  public static boolean isFullSum(Primitive p, int rank) {
    return p instanceof Reductions.Sum s && s.axes().length == rank;
  }

  /** Sum over normalised, sorted axes. */
  public static Primitive sum(int[] axes, boolean keepDim) {
    return new Reductions.Sum(axes, keepDim);
  }

  public static Primitive max(int[] axes, boolean keepDim) {
    return new Reductions.Extreme(true, axes, keepDim);
  }

  public static Primitive min(int[] axes, boolean keepDim) {
    return new Reductions.Extreme(false, axes, keepDim);
  }

  /** argmax (max = true) or argmin along a normalised axis. */
  public static Primitive argmax(int axis, boolean keepDim, boolean max) {
    return new Reductions.ArgExtreme(axis, keepDim, max);
  }

  public static Primitive norm(double p, int[] axes, boolean keepDim) {
    return new Reductions.Norm(p, axes, keepDim);
  }

  /** Cumulative sum along a normalised dimension (of a tensor with at least one dimension). */
  public static Primitive cumsum(int dim) {
    return new Scans.Cumsum(dim);
  }

  /** Cumulative product along a normalised dimension; its gradient is exact at zeros. */
  public static Primitive cumprod(int dim) {
    return new Scans.Cumprod(dim);
  }

  /** log(cumsum(exp(x))) along a normalised dimension, computed without overflow. */
  public static Primitive logcumsumexp(int dim) {
    return new Scans.LogCumsumExp(dim);
  }

  /** log(softmax) along a normalised axis, fused. */
  public static Primitive logSoftmax(int axis) {
    return new LogSoftmax(axis);
  }

  public static Primitive reshape(int[] shape) {
    return new Movement.Reshape(shape.clone());
  }

  public static Primitive expand(int[] shape) {
    return new Movement.Expand(shape.clone());
  }

  public static Primitive permute(int[] dims) {
    return new Movement.Permute(dims.clone());
  }

  /** Python-style slice of a tensor of the given shape. */
  public static Primitive slice(int[] shape, int dim, int start, int end, int step) {
    return Movement.Slice.of(shape, dim, start, end, step);
  }

  public static Primitive pad(int[] shape, int dim, int start, int step) {
    return new Movement.Pad(shape.clone(), dim, start, step);
  }

  /** Concatenation along a normalised dimension. */
  public static Primitive cat(int dim) {
    return new Movement.Cat(dim);
  }

  public static Primitive gather(int dim) {
    return new Indexing.Gather(dim);
  }

  public static Primitive scatterAdd(int dim) {
    return new Indexing.ScatterAdd(dim);
  }

  public static Primitive contiguous() {
    return CONTIGUOUS;
  }

  public static Primitive cast(DType dtype) {
    return new Movement.Cast(dtype);
  }

  /**
   * The shape of a matrix product of tensors of these shapes (1-d operands as NumPy treats them).
   *
   * @throws IllegalArgumentException naming both shapes when they cannot be multiplied
   */
  public static int[] matmulShape(int[] left, int[] right) {
    return Matmul.resultShape(left, right);
  }

  public static Primitive matmul() {
    return MATMUL;
  }

  /** Applies pad through the tensor API (so it records a node when needed). */
  static Tensor applyPad(Tensor x, int[] shape, int dim, int start, int step) {
    return x.embed(shape, dim, start, step);
  }

  /** Extends a tensor with zeros at the end of each dimension up to {@code shape}. */
  static Tensor zeroExtend(Tensor x, int[] shape) {
    Tensor r = x;
    for (int d = 0; d < shape.length; d++) {
      if (r.shape()[d] != shape[d]) {
        int[] s = r.shape();
        s[d] = shape[d];
        r = applyPad(r, s, d, 0, 1);
      }
    }
    return r;
  }
}
