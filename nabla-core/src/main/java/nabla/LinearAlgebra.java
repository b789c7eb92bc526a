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
    DType t = TypePromotion.resultType(left, right, true);
    Tensor r = Engine.apply(Primitives.matmul(), a.to(t), b.to(t));
    if (right.dim() == 1) {
      r = r.squeeze(-1);
    }
    if (left.dim() == 1) {
      r = r.squeeze(r.dim() == 1 ? 0 : -2);
    }
    return r;
  }
}
