package nabla.ops;

import nabla.DType;
import nabla.Tensor;
import nabla.kernels.Binary;
import nabla.kernels.BinaryOp;
import nabla.kernels.Copy;
import nabla.kernels.Reduce;
import nabla.kernels.ReduceOp;
import nabla.storage.Shapes;

/** Forward computations shared by several primitives: kernel calls on tensor views, no graph. */
final class KernelCalls {
  private KernelCalls() {}

  /** Elementwise binary kernel with broadcasting; output dtype is a's, or bool for comparisons. */
  static Tensor binary(BinaryOp op, String name, Tensor a, Tensor b) {
    if (a.dtype() != b.dtype()) {
      throw new IllegalArgumentException(
          name
              + ": dtypes "
              + a.dtype()
              + " and "
              + b.dtype()
              + " differ (internal: promote"
              + " before applying the primitive)");
    }
    int[] as = TensorInternals.shape(a);
    int[] bs = TensorInternals.shape(b);
    int[] shape = Shapes.broadcast(name, as, bs);
    if (a.dtype() == DType.BOOL && !op.isComparison() && !definedForBool(op)) {
      throw new IllegalArgumentException(
          name
              + ": not defined for bool tensors (shapes "
              + Shapes.str(a.shape())
              + " and "
              + Shapes.str(b.shape())
              + "); convert with to(DType.FLOAT32), or use logicalAnd / logicalOr / logicalNot");
    }
    Tensor out =
        TensorInternals.emptyForOverwrite(op.isComparison() ? DType.BOOL : a.dtype(), shape);
    Binary.apply(
        op,
        shape,
        a.storage(),
        a.offset(),
        Shapes.broadcastStrides(as, TensorInternals.strides(a), shape),
        b.storage(),
        b.offset(),
        Shapes.broadcastStrides(bs, TensorInternals.strides(b), shape),
        out.storage());
    return out;
  }

  /** add and maximum are "or", mul and minimum "and" on bool; the other ops have no bool kernel. */
  private static boolean definedForBool(BinaryOp op) {
    return op == BinaryOp.ADD || op == BinaryOp.MUL || op == BinaryOp.MAX || op == BinaryOp.MIN;
  }

  /** A contiguous copy of a view with its own storage, optionally converted. */
  static Tensor copy(Tensor x, DType dtype) {
    int[] shape = TensorInternals.shape(x);
    Tensor out = TensorInternals.emptyForOverwrite(dtype, shape);
    Copy.copy(
        shape,
        x.storage(),
        x.offset(),
        TensorInternals.strides(x),
        out.storage(),
        0,
        TensorInternals.strides(out));
    return out;
  }

  /** Reduces the given (normalised, sorted) axes with a row kernel. */
  static Tensor reduce(ReduceOp op, Tensor x, int[] axes, boolean keepDim, DType outType) {
    int[] shape = TensorInternals.shape(x);
    int rank = shape.length;
    boolean[] reduced = new boolean[rank];
    for (int a : axes) {
      reduced[a] = true;
    }
    int[] perm = new int[rank];
    int k = 0;
    int rows = 1;
    int len = 1;
    for (int i = 0; i < rank; i++) {
      if (!reduced[i]) {
        perm[k++] = i;
        rows *= shape[i];
      }
    }
    for (int i = 0; i < rank; i++) {
      if (reduced[i]) {
        perm[k++] = i;
        len *= shape[i];
      }
    }
    Tensor out = TensorInternals.empty(outType, Shapes.reduced(shape, axes, keepDim));
    if (x.numel() == 0) {
      // Nothing to read (sums of nothing are the zeros out holds; max, min and the arg-reductions
      // reject an empty reduction before). Returning here also keeps a huge empty dimension, as in
      // [2^31-1, 0], from being walked row by row.
      return out;
    }
    if (x.isContiguous()) {
      // Reduced axes already last: rows of the input as they are, no copy. So are they when every
      // kept axis has size 1: [n, 1] summed over axis 0 is one contiguous (blocked, vectorised)
      // sum, not a column sum, whose one chain of additions took 273 µs instead of 2 for 1e5.
      boolean trailing = rows == 1;
      if (!trailing) {
        trailing = true;
        for (int i = 0; i < rank; i++) {
          trailing &= perm[i] == i;
        }
      }
      if (trailing) {
        Reduce.rows(op, x.storage(), x.offset(), rows, len, out.storage());
        return out;
      }
      // Leading axes summed (a bias gradient over the batch): column sums, no transpose.
      boolean leading = true;
      for (int i = 0; i < axes.length; i++) {
        leading &= axes[i] == i;
      }
      if (leading
          && op == ReduceOp.SUM
          && (x.dtype() == DType.FLOAT32 || x.dtype() == DType.FLOAT64)) {
        Reduce.columnSum(x.storage(), x.offset(), len, rows, out.storage());
        return out;
      }
    }
    int[] pShape = new int[rank];
    int[] pStrides = new int[rank];
    int[] strides = TensorInternals.strides(x);
    for (int i = 0; i < rank; i++) {
      pShape[i] = shape[perm[i]];
      pStrides[i] = strides[perm[i]];
    }
    Tensor in = Tensor.empty(x.dtype(), pShape);
    Copy.copy(pShape, x.storage(), x.offset(), pStrides, in.storage(), 0, in.strides());
    Reduce.rows(op, in.storage(), rows, len, out.storage());
    return out;
  }

  /** Shape with the reduced axes kept as size 1. */
  static int[] keptShape(int[] shape, int[] axes) {
    return Shapes.reduced(shape, axes, true);
  }

  /** A 0-d tensor of x's dtype. */
  static Tensor scalar(Tensor like, double v) {
    return Tensor.full(v, like.dtype());
  }
}
