package nabla;

import nabla.ops.Primitives;
import nabla.storage.Shapes;

/**
 * Products of vectors and matrices with NumPy's rules for 1-d operands (promoted to a row on the
 * left, a column on the right, the added dimension removed afterwards), over the one matmul
 * primitive.
 */
final class LinearAlgebra {
  private LinearAlgebra() {}

  /** The inner product of two 1-d tensors of equal length. */
  static Tensor dot(Tensor a, Tensor b) {
    Checks.nonNull("dot", "other", b);
    if (a.dim() != 1 || b.dim() != 1 || a.shape[0] != b.shape[0]) {
      throw new IllegalArgumentException(
          "dot: expected two 1-d tensors of the same length, got shapes "
              + Shapes.str(a.shape)
              + " and "
              + Shapes.str(b.shape));
    }
    return a.mul(b).sum();
  }

  /** {@link Tensor#matmul}: at least float32, batch dimensions broadcast. */
  static Tensor matmul(Tensor left, Tensor right) {
    Checks.nonNull("matmul", "other", right);
    Primitives.matmulShape(left.shape, right.shape); // checks, naming the user's shapes
    Tensor a = left.dim() == 1 ? left.unsqueeze(0) : left;
    Tensor b = right.dim() == 1 ? right.unsqueeze(1) : right;
    DType exact = TypePromotion.resultType(left, right);
    Tensor r =
        exact.isInteger()
            ? integerMatmul(a, b).to(exact)
            : floatingMatmul(a, b, TypePromotion.resultType(left, right, true));
    if (right.dim() == 1) {
      r = r.squeeze(-1);
    }
    if (left.dim() == 1) {
      r = r.squeeze(r.dim() == 1 ? 0 : -2);
    }
    return r;
  }

  private static Tensor floatingMatmul(Tensor a, Tensor b, DType t) {
    return Engine.apply(Primitives.matmul(), a.to(t), b.to(t));
  }

  /**
   * The exact product of integer matrices (rank >= 2, batch dimensions broadcast), in int64 as
   * PyTorch computes it: every product and sum in 64-bit two's complement, wrapping on overflow.
   * Integers carry no gradient, so nothing is recorded.
   */
  private static Tensor integerMatmul(Tensor a, Tensor b) {
    int ra = a.dim(), rb = b.dim();
    int m = a.shape[ra - 2], k = a.shape[ra - 1], n = b.shape[rb - 1];
    int[] batch =
        Shapes.broadcast(
            "matmul",
            java.util.Arrays.copyOf(a.shape, ra - 2),
            java.util.Arrays.copyOf(b.shape, rb - 2));
    Tensor x = a.to(DType.INT64).expand(withMatrix(batch, m, k)).contiguous();
    Tensor y = b.to(DType.INT64).expand(withMatrix(batch, k, n)).contiguous();
    int[] outShape = withMatrix(batch, m, n);
    long[] out = new long[Shapes.numel("matmul", outShape)];
    long[] xs = x.storage.l, ys = y.storage.l;
    int batches = Shapes.numel(batch);
    for (int t = 0; t < batches; t++) {
      int xb = x.offset + t * m * k, yb = y.offset + t * k * n, ob = t * m * n;
      for (int i = 0; i < m; i++) {
        for (int p = 0; p < k; p++) {
          long aip = xs[xb + i * k + p];
          int yr = yb + p * n, or = ob + i * n;
          for (int j = 0; j < n; j++) {
            out[or + j] += aip * ys[yr + j];
          }
        }
      }
    }
    return Tensor.ofLongs(out, outShape);
  }

  private static int[] withMatrix(int[] batch, int rows, int cols) {
    int[] s = java.util.Arrays.copyOf(batch, batch.length + 2);
    s[batch.length] = rows;
    s[batch.length + 1] = cols;
    return s;
  }
}
