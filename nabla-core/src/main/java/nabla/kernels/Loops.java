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
    for (int s : shape) {
      if (s == 0) {
        return;
      }
    }
    // Merge dimensions: drop size-1 dims, then merge d into d+1 when contiguous for all operands.
    int[] dims = new int[shape.length];
    int[][] st = new int[k][shape.length];
    int rank = 0;
    for (int d = 0; d < shape.length; d++) {
      if (shape[d] == 1) {
        continue;
      }
      if (rank > 0) {
        boolean mergeable = true;
        for (int o = 0; o < k; o++) {
          if (st[o][rank - 1] != strides[o][d] * shape[d]) {
            mergeable = false;
            break;
          }
        }
        if (mergeable) {
          dims[rank - 1] *= shape[d];
          for (int o = 0; o < k; o++) {
            st[o][rank - 1] = strides[o][d];
          }
          continue;
        }
      }
      dims[rank] = shape[d];
      for (int o = 0; o < k; o++) {
        st[o][rank] = strides[o][d];
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
      inner[o] = st[o][rank - 1];
    }
    int n = dims[rank - 1];
    int[] idx = new int[rank];
    while (true) {
      body.row(offs, inner, n);
      int d = rank - 2;
      while (d >= 0) {
        idx[d]++;
        for (int o = 0; o < k; o++) {
          offs[o] += st[o][d];
        }
        if (idx[d] < dims[d]) {
          break;
        }
        for (int o = 0; o < k; o++) {
          offs[o] -= st[o][d] * dims[d];
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
