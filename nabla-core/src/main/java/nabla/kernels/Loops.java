package nabla.kernels;

/**
 * The one N-dimensional strided loop: visits every innermost row of a set of operands that share a
 * shape but each have their own offset and strides (stride 0 broadcasts). Adjacent dimensions that
 * are contiguous for every operand are merged first, so contiguous tensors become one long row.
 */
public final class Loops {
  private Loops() {}

  /** Receives one innermost row: start offsets per operand, their inner strides, the row length. */
  @FunctionalInterface
  public interface RowBody {
    void row(int[] offsets, int[] innerStrides, int n);
  }

  /**
   * Calls {@code body} for each innermost row.
   *
   * @param shape common shape of all operands
   * @param strides per operand, its strides (same length as shape)
   * @param offsets per operand, its start offset
   */
  public static void forEachRow(int[] shape, int[][] strides, int[] offsets, RowBody body) {
    int k = strides.length;
    int len = shape.length;
    for (int s : shape) {
      if (s == 0) {
        return;
      }
    }
    // Merge dimensions: drop size-1 dims, then merge d into d+1 when contiguous for all operands.
    // The merged strides of operand o are st[o * len + d] (one flat array: a two-dimensional
    // int[k][len] is a slow runtime call in compiled code, ~100 ns, more than a small loop costs).
    int[] dims = new int[len];
    int[] st = new int[k * len];
    int rank = 0;
    for (int d = 0; d < len; d++) {
      if (shape[d] == 1) {
        continue;
      }
      if (rank > 0) {
        boolean mergeable = true;
        for (int o = 0; o < k; o++) {
          if (st[o * len + rank - 1] != strides[o][d] * shape[d]) {
            mergeable = false;
            break;
          }
        }
        if (mergeable) {
          dims[rank - 1] *= shape[d];
          for (int o = 0; o < k; o++) {
            st[o * len + rank - 1] = strides[o][d];
          }
          continue;
        }
      }
      dims[rank] = shape[d];
      for (int o = 0; o < k; o++) {
        st[o * len + rank] = strides[o][d];
      }
      rank++;
    }
    int[] offs = offsets.clone();
    int[] inner = new int[k];
    if (rank == 0) {
      body.row(offs, inner, 1);
      return;
    }
    for (int o = 0; o < k; o++) {
      inner[o] = st[o * len + rank - 1];
    }
    int n = dims[rank - 1];
    if (rank == 1) {
      body.row(offs, inner, n);
      return;
    }
    int[] idx = new int[rank];
    while (true) {
      body.row(offs, inner, n);
      int d = rank - 2;
      while (d >= 0) {
        idx[d]++;
        for (int o = 0; o < k; o++) {
          offs[o] += st[o * len + d];
        }
        if (idx[d] < dims[d]) {
          break;
        }
        for (int o = 0; o < k; o++) {
          offs[o] -= st[o * len + d] * dims[d];
        }
        idx[d] = 0;
        d--;
      }
      if (d < 0) {
        return;
      }
    }
  }

  /**
   * The rows of two operands over {@code shape} when the shape merges into at most two dimensions
   * for both (dimensions of size 1 dropped, adjacent ones merged where both operands are contiguous
   * across them, as {@link #forEachRow} merges): {@code {rows, n, aRowStride, aInnerStride,
   * bRowStride, bInnerStride}}, or null when more dimensions remain. A contiguous output of the
   * shape has row stride {@code n} then. For callers that run a small broadcast as one loop over
   * rows instead of one call per row.
   */
  static int[] asRows(int[] shape, int[] a, int[] b) {
    int rows = 1;
    int n = 1;
    int ar = 0;
    int ai = 0;
    int br = 0;
    int bi = 0;
    int rank = 0;
    for (int d = 0; d < shape.length; d++) {
      int size = shape[d];
      if (size == 1) {
        continue;
      }
      if (rank > 0 && ai == a[d] * size && bi == b[d] * size) {
        n *= size; // contiguous with the dimension before it for both: merge
        ai = a[d];
        bi = b[d];
        continue;
      }
      if (rank == 2) {
        return null;
      }
      if (rank == 1) {
        rows = n;
        ar = ai;
        br = bi;
      }
      n = size;
      ai = a[d];
      bi = b[d];
      rank++;
    }
    return new int[] {rows, n, ar, ai, br, bi};
  }

  /**
   * Like {@link #forEachRow}, but with the rows split across {@link Parallel} threads when the
   * total work is at least {@code minWork} elements. {@code body} must be safe to call concurrently
   * for distinct rows (each call still gets its own offsets array per chunk).
   */
  public static void forEachRowParallel(
      int[] shape, int[][] strides, int[] offsets, long minWork, RowBody body) {
    long total = 1;
    for (int s : shape) {
      total *= s;
    }
    if (total < minWork || Parallel.threads() < 2 || shape.length < 2) {
      forEachRow(shape, strides, offsets, body);
      return;
    }
    // Split along the outermost dimension of size > 1; each chunk is an ordinary strided loop.
    int first = 0;
    while (first < shape.length - 1 && shape[first] == 1) {
      first++;
    }
    final int d0 = first;
    if (d0 == shape.length - 1) {
      forEachRow(shape, strides, offsets, body);
      return;
    }
    int outer = shape[d0];
    int k = strides.length;
    Parallel.forRows(
        outer,
        total / outer,
        minWork,
        (from, to) -> {
          int[] sub = shape.clone();
          sub[d0] = to - from;
          int[] offs = new int[k];
          for (int o = 0; o < k; o++) {
            offs[o] = offsets[o] + from * strides[o][d0];
          }
          forEachRow(sub, strides, offs, body);
        });
  }
}
