package nabla;

import java.util.Arrays;
import nabla.ops.Primitives;
import nabla.storage.Shapes;

/**
 * Selecting and joining along a dimension, composed from the gather and cat primitives: whole
 * slices by an index, elements by a mask, tensors joined along an existing or a new dimension.
 */
final class Selection {
  private Selection() {}

  /** {@link Tensor#where(Tensor, Tensor, Tensor)}: the condition must be bool. */
  static Tensor where(Tensor condition, Tensor x, Tensor y) {
    Checks.nonNull("where", "condition", condition);
    Checks.nonNull("where", "x", x);
    Checks.nonNull("where", "y", y);
    if (condition.dtype() != DType.BOOL) {
      throw new IllegalArgumentException(
          "where: the condition must be a bool tensor, got "
              + condition.dtype()
              + " of shape "
              + Shapes.str(condition.shape)
              + "; build it with a comparison, e.g. x.gt(0), or c.ne(0) for a numeric mask");
    }
    DType t = TypePromotion.resultType(x, y);
    return Engine.apply(Primitives.where(), condition.to(DType.BOOL), x.to(t), y.to(t));
  }

  /** {@link Tensor#gather}; 0-d operands are taken as 1-d of size 1, as PyTorch does. */
  static Tensor gather(Tensor t, int dim, Tensor index) {
    Checks.nonNull("gather", "index", index);
    int d = Shapes.axis("gather", dim, t.dim());
    if (t.dim() == 0 || index.dim() == 0) {
      Tensor x = t.dim() == 0 ? t.reshape(1) : t;
      Tensor i = index.dim() == 0 ? index.reshape(1) : index;
      return Engine.apply(Primitives.gather(d), x, i).reshape(index.shape);
    }
    return Engine.apply(Primitives.gather(d), t, index);
  }

  /** {@link Tensor#indexSelect}: a gather with the index expanded along the other dimensions. */
  static Tensor indexSelect(Tensor t, int dim, Tensor index) {
    if (t.dim() == 0) {
      throw new IllegalArgumentException(
          "indexSelect: cannot index a 0-d tensor; reshape(1) it first");
    }
    int d = Shapes.axis("indexSelect", dim, t.dim());
    if (Checks.nonNull("indexSelect", "index", index).dim() != 1 || index.dtype() != DType.INT64) {
      throw new IllegalArgumentException(
          "indexSelect: the index must be a 1-d int64 tensor, got "
              + index.dtype()
              + " of shape "
              + Shapes.str(index.shape));
    }
    ViewChecks.checkIndexRange("indexSelect", index, t.shape[d], d);
    int[] view = new int[Math.max(t.dim(), 1)];
    Arrays.fill(view, 1);
    view[d] = index.shape[0];
    int[] target = t.shape.clone();
    target[d] = index.shape[0];
    return t.gather(d, index.reshape(view).expand(target));
  }

  /** {@link Tensor#maskedSelect}: a gather at the positions where the mask is true. */
  static Tensor maskedSelect(Tensor t, Tensor mask) {
    if (Checks.nonNull("maskedSelect", "mask", mask).dtype() != DType.BOOL) {
      throw new IllegalArgumentException(
          "maskedSelect: the mask must be a bool tensor, got " + mask.dtype());
    }
    int[] common = Shapes.broadcast("maskedSelect", t.shape, mask.shape);
    boolean[] m = mask.expand(common).toBooleanArray();
    int count = 0;
    for (boolean b : m) {
      count += b ? 1 : 0;
    }
    long[] idx = new long[count];
    for (int i = 0, j = 0; i < m.length; i++) {
      if (m[i]) {
        idx[j++] = i;
      }
    }
    return t.expand(common).reshape(-1).gather(0, Tensor.ofLongs(idx, count));
  }

  /** {@link Tensor#cat}: converts all to their common dtype first. */
  static Tensor cat(int dim, Tensor[] tensors) {
    if (Checks.noNulls("cat", "tensors", tensors).length == 0) {
      throw new IllegalArgumentException("cat: needs at least one tensor");
    }
    DType t = TypePromotion.promoteAll(tensors);
    Tensor[] in = new Tensor[tensors.length];
    for (int i = 0; i < in.length; i++) {
      in[i] = tensors[i].to(t);
    }
    return Engine.apply(Primitives.cat(Shapes.axis("cat", dim, tensors[0].dim())), in);
  }

  /** {@link Tensor#stack}: a cat of the tensors each unsqueezed at dim. */
  static Tensor stack(int dim, Tensor[] tensors) {
    if (Checks.noNulls("stack", "tensors", tensors).length == 0) {
      throw new IllegalArgumentException("stack: needs at least one tensor");
    }
    int d = Shapes.newAxis("stack", dim, tensors[0].dim());
    Tensor[] u = new Tensor[tensors.length];
    for (int i = 0; i < u.length; i++) {
      if (!Arrays.equals(tensors[i].shape, tensors[0].shape)) {
        throw new IllegalArgumentException(
            "stack: all tensors must have the same shape, got "
                + Shapes.str(tensors[0].shape)
                + " and "
                + Shapes.str(tensors[i].shape)
                + " (tensor "
                + i
                + ")");
      }
      u[i] = tensors[i].unsqueeze(d);
    }
    return cat(d, u);
  }
}
