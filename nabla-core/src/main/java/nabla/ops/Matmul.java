package nabla.ops;

import nabla.DType;
import nabla.Tensor;
import nabla.kernels.Gemm;
import nabla.storage.Shapes;
import nabla.storage.Storage;

/**
 * Matrix product of tensors of rank ≥ 2, [..., m, k] · [..., k, n] → [..., m, n], with leading
 * (batch) dimensions broadcast. Operands are passed to the GEMM kernel by strides, so transposed
 * views cost no copy. (1-d operands are handled by {@code Tensor.matmul}.)
 */
final class Matmul extends Primitive {
  Matmul() {
    super(PrimitiveKind.MATMUL);
  }

  /**
   * Batching rule. The primitive multiplies the last two dimensions and broadcasts the leading
   * ones, so the batch dimension becomes one more leading dimension: batched operands get unit
   * dimensions after it up to the other operand's number of leading dimensions. A batched left
   * operand times an unbatched matrix is one product of {@code [n·…·m, k]} by {@code [k, p]} (rows
   * are independent), which is what makes a batched linear layer one matrix product. An unbatched
   * matrix times a batched matrix {@code [n, k, p]} is one product too, transposed: the rows of
   * {@code [n·p, k]} (each example's columns) times {@code Aᵀ}, which turns {@code n} matrix-vector
   * products (the VJP of {@code W·x} in {@code jacrev}, the JVP in {@code jacfwd}) into one GEMM.
   */
  @Override
  public Tensor batch(Tensor[] in, boolean[] batched) {
    Tensor a = in[0];
    Tensor b = in[1];
    if (!batched[0] && batched[1] && a.dim() == 2 && b.dim() >= 3 && b.numel() > 0) {
      int d = b.dim();
      int[] bs = b.shape();
      int k = bs[d - 2], p = bs[d - 1], m = a.shape()[0];
      int rows = b.numel() / k;
      Tensor r = Batching.apply(this, b.transpose(d - 2, d - 1).reshape(rows, k), a.transpose());
      int[] shape = bs.clone(); // [..., p, m], then the last two swapped back
      shape[d - 2] = p;
      shape[d - 1] = m;
      return r.reshape(shape).transpose(d - 2, d - 1);
    }
    if (batched[0] && !batched[1] && b.dim() == 2) {
      int[] as = a.shape();
      int rows = 1;
      for (int i = 0; i < as.length - 1; i++) {
        rows *= as[i];
      }
      Tensor r = Batching.apply(this, a.reshape(rows, as[as.length - 1]), b);
      int[] shape = as.clone();
      shape[as.length - 1] = b.shape()[1];
      return r.reshape(shape);
    }
    int lead =
        Math.max(Batching.exampleRank(a, batched[0]), Batching.exampleRank(b, batched[1])) - 2;
    Tensor la = batched[0] ? Batching.lift(a, lead + 2) : a;
    Tensor lb = batched[1] ? Batching.lift(b, lead + 2) : b;
    if (!batched[0] && la.dim() < lb.dim()) {
      la = la.reshape(withUnitsInFront(la.shape(), lb.dim()));
    }
    if (!batched[1] && lb.dim() < la.dim()) {
      lb = lb.reshape(withUnitsInFront(lb.shape(), la.dim()));
    }
    return Batching.apply(this, la, lb);
  }

  private static int[] withUnitsInFront(int[] shape, int rank) {
    int[] r = new int[rank];
    java.util.Arrays.fill(r, 1);
    System.arraycopy(shape, 0, r, rank - shape.length, shape.length);
    return r;
  }

  /**
   * The shape of {@code left · right} under NumPy's matmul rules (a 1-d left operand is a row, a
   * 1-d right operand a column, each dimension added for the product is dropped again; leading
   * dimensions broadcast): the one place where matmul shapes are checked, used both by {@code
   * Tensor.matmul} (with the user's shapes) and by the primitive.
   *
   * @throws IllegalArgumentException naming both shapes when they cannot be multiplied
   */
  public static int[] resultShape(int[] left, int[] right) {
    if (left.length == 0 || right.length == 0) {
      throw new IllegalArgumentException(
          "matmul: both operands need at least one dimension, got shapes "
              + Shapes.str(left)
              + " and "
              + Shapes.str(right)
              + "; use mul for scalars");
    }
    int[] a = left.length == 1 ? new int[] {1, left[0]} : left;
    int[] b = right.length == 1 ? new int[] {right[0], 1} : right;
    int ra = a.length;
    int rb = b.length;
    if (a[ra - 1] != b[rb - 2]) {
      throw new IllegalArgumentException(
          "matmul: shapes "
              + Shapes.str(left)
              + " and "
              + Shapes.str(right)
              + " cannot be multiplied ("
              + a[ra - 1]
              + " columns vs "
              + b[rb - 2]
              + " rows)");
    }
    int[] batchA = java.util.Arrays.copyOf(a, ra - 2);
    int[] batchB = java.util.Arrays.copyOf(b, rb - 2);
    int[] batch;
    try {
      batch = Shapes.broadcast("matmul", batchA, batchB);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "matmul: the batch dimensions of shapes "
              + Shapes.str(left)
              + " and "
              + Shapes.str(right)
              + " cannot be broadcast together ("
              + Shapes.str(batchA)
              + " vs "
              + Shapes.str(batchB)
              + ")");
    }
    int[] out = java.util.Arrays.copyOf(batch, batch.length + 2);
    out[batch.length] = a[ra - 2];
    out[batch.length + 1] = b[rb - 1];
    if (right.length == 1) {
      out = java.util.Arrays.copyOf(out, out.length - 1);
    }
    if (left.length == 1) {
      int drop = out.length - (right.length == 1 ? 1 : 2);
      int[] s = new int[out.length - 1];
      for (int i = 0, j = 0; i < out.length; i++) {
        if (i != drop) {
          s[j++] = out[i];
        }
      }
      out = s;
    }
    return out;
  }

  @Override
  public Tensor forward(Tensor... in) {
    Tensor a = in[0];
    Tensor b = in[1];
    int ra = a.dim();
    int rb = b.dim();
    if (ra < 2 || rb < 2 || a.dtype() != b.dtype() || !a.dtype().isFloating()) {
      throw new IllegalArgumentException(
          "matmul (internal): operands of rank >= 2 and one floating dtype expected, got shapes "
              + Shapes.str(a.shape())
              + " ("
              + a.dtype()
              + ") and "
              + Shapes.str(b.shape())
              + " ("
              + b.dtype()
              + "); Tensor.matmul promotes and adds the dimensions");
    }
    int[] outShape = resultShape(TensorInternals.shape(a), TensorInternals.shape(b));
    int m = outShape[outShape.length - 2];
    int n = outShape[outShape.length - 1];
    int k = TensorInternals.shape(a)[ra - 1];
    int[] batch = java.util.Arrays.copyOf(outShape, outShape.length - 2);
    int[] batchA = java.util.Arrays.copyOf(TensorInternals.shape(a), ra - 2);
    int[] batchB = java.util.Arrays.copyOf(TensorInternals.shape(b), rb - 2);
    int nb = Shapes.numel(batch);
    Tensor out = TensorInternals.emptyForOverwrite(a.dtype(), outShape);
    if (out.numel() == 0) {
      return out;
    }
    int[] sa = a.strides();
    int[] sb = b.strides();
    int[] aOffsets = batchOffsets(batch, batchA, java.util.Arrays.copyOf(sa, ra - 2), a.offset());
    int[] bOffsets = batchOffsets(batch, batchB, java.util.Arrays.copyOf(sb, rb - 2), b.offset());
    Storage x = a.storage(), y = b.storage(), z = out.storage();
    int ars = sa[ra - 2], acs = sa[ra - 1], brs = sb[rb - 2], bcs = sb[rb - 1];
    if (a.dtype() == DType.FLOAT32) {
      Gemm.matmulBatched(nb, m, n, k, x.f, aOffsets, ars, acs, y.f, bOffsets, brs, bcs, z.f, 0);
    } else {
      Gemm.matmulBatched(nb, m, n, k, x.d, aOffsets, ars, acs, y.d, bOffsets, brs, bcs, z.d, 0);
    }
    return out;
  }

  /** Storage offset of each batch matrix, walking the broadcast batch shape row-major. */
  private static int[] batchOffsets(int[] batch, int[] own, int[] ownStrides, int base) {
    int[] strides = Shapes.broadcastStrides(own, ownStrides, batch);
    int nb = Shapes.numel(batch);
    int[] offsets = new int[nb];
    int[] idx = new int[batch.length];
    for (int i = 0; i < nb; i++) {
      int off = base;
      for (int d = 0; d < batch.length; d++) {
        off += idx[d] * strides[d];
      }
      offsets[i] = off;
      for (int d = batch.length - 1; d >= 0; d--) {
        if (++idx[d] < batch[d]) {
          break;
        }
        idx[d] = 0;
      }
    }
    return offsets;
  }

  @Override
  public Tensor[] vjp(Tensor g, Tensor out, Tensor[] in, boolean[] needs) {
    return new Tensor[] {
      needs[0] ? g.matmul(in[1].transpose()) : null, needs[1] ? in[0].transpose().matmul(g) : null
    };
  }

  @Override
  public Tensor jvp(Tensor[] t, Tensor out, Tensor[] in) {
    Tensor fromA = t[0] == null ? null : t[0].matmul(in[1]);
    Tensor fromB = t[1] == null ? null : in[0].matmul(t[1]);
    if (fromA == null) {
      return fromB;
    }
    return fromB == null ? fromA : fromA.add(fromB);
  }
}
