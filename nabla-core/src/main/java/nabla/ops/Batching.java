package nabla.ops;

import nabla.Tensor;

/**
 * Helpers for the batching rules ({@link Primitive#batch}): a batched input carries one extra
 * leading dimension (the batch dimension, always first), an unbatched input is what one example
 * would see. The rules re-apply a primitive with its parameters shifted by one, after aligning
 * shapes where the primitive broadcasts; every application goes through the engine, so batched
 * results are recorded for reverse mode and carry forward-mode tangents like any other.
 */
final class Batching {
  private Batching() {}

  /** Applies a primitive through the engine (recorded, with tangents). */
  static Tensor apply(Primitive p, Tensor... in) {
    return TensorInternals.apply(p, in);
  }

  /** The rank one example of input i has. */
  static int exampleRank(Tensor x, boolean batched) {
    return batched ? x.dim() - 1 : x.dim();
  }

  /** The batch size: the leading dimension of the first batched input. */
  static int size(Tensor[] in, boolean[] batched) {
    for (int i = 0; i < in.length; i++) {
      if (batched[i]) {
        return in[i].shape()[0];
      }
    }
    throw new IllegalStateException("vmap: a batching rule was called without a batched input");
  }

  /** {@code [n] ++ shape}. */
  static int[] withBatch(int n, int[] shape) {
    return Primitive.batched(n, shape);
  }

  /**
   * A batched x ({@code [n] ++ s}, s of rank r) as {@code [n, 1, ..., 1] ++ s} with rank {@code
   * rank + 1}, so that it broadcasts against unbatched operands of example rank up to {@code rank}
   * (NumPy aligns shapes on the right, which would otherwise pair the batch dimension with an
   * example dimension).
   */
  static Tensor lift(Tensor x, int rank) {
    int r = x.dim() - 1;
    if (r >= rank) {
      return x;
    }
    int[] s = x.shape();
    int[] shape = new int[rank + 1];
    java.util.Arrays.fill(shape, 1);
    shape[0] = s[0];
    System.arraycopy(s, 1, shape, rank + 1 - r, r);
    return x.reshape(shape);
  }

  /** An unbatched x made batched by broadcasting it along a new leading dimension of size n. */
  static Tensor broadcast(Tensor x, int n) {
    return x.unsqueeze(0).expand(withBatch(n, x.shape()));
  }

  /** Every input batched: unbatched ones are broadcast along the batch dimension. */
  static Tensor[] allBatched(Tensor[] in, boolean[] batched) {
    int n = size(in, batched);
    Tensor[] r = in.clone();
    for (int i = 0; i < r.length; i++) {
      if (!batched[i]) {
        r[i] = broadcast(r[i], n);
      }
    }
    return r;
  }

  /**
   * The rule of every elementwise primitive (with NumPy broadcasting): batched operands get unit
   * dimensions after the batch dimension up to the highest example rank; unbatched operands stay as
   * they are; then the primitive itself.
   */
  static Tensor elementwise(Primitive p, Tensor[] in, boolean[] batched) {
    int rank = 0;
    for (int i = 0; i < in.length; i++) {
      rank = Math.max(rank, exampleRank(in[i], batched[i]));
    }
    Tensor[] aligned = in.clone();
    for (int i = 0; i < in.length; i++) {
      if (batched[i]) {
        aligned[i] = lift(in[i], rank);
      }
    }
    return apply(p, aligned);
  }

  /** Normalised axes shifted one to the right (past the batch dimension). */
  static int[] shift(int[] axes) {
    int[] r = new int[axes.length];
    for (int i = 0; i < axes.length; i++) {
      r[i] = axes[i] + 1;
    }
    return r;
  }
}
