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
    int[] dims = new int[len];
    int[] st = new int[k * len];
    int rank = merge(shape, strides, dims, st);
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
   * Merges dimensions: drops those of size 1, then merges each into the one before it when every
   * operand is contiguous across the two. Writes the merged sizes into {@code dims} and operand o's
   * merged strides into {@code st[o * shape.length + d]} (one flat array: a two-dimensional
   * int[k][len] is a slow runtime call in compiled code, ~100 ns, more than a small loop costs);
   * returns the merged rank.
   */
  private static int merge(int[] shape, int[][] strides, int[] dims, int[] st) {
    int k = strides.length;
    int len = shape.length;
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
    return rank;
  }

  /**
   * The rows of two operands over {@code shape} when it merges ({@link #merge}, as {@link
   * #forEachRow} merges) into at most two dimensions: {@code {rows, n, aRowStride, aInnerStride,
   * bRowStride, bInnerStride}}, or null when more dimensions remain. A contiguous output of the
   * shape has row stride {@code n} then. For callers that run a small broadcast as one loop over
   * rows instead of one call per row.
   */
  static int[] asRows(int[] shape, int[] a, int[] b) {
    int len = shape.length;
    int[] dims = new int[len];
    int[] st = new int[2 * len];
    int rank = merge(shape, new int[][] {a, b}, dims, st);
    return switch (rank) {
      case 0 -> new int[] {1, 1, 0, 0, 0, 0};
      case 1 -> new int[] {1, dims[0], 0, st[0], 0, st[len]};
      case 2 -> new int[] {dims[0], dims[1], st[0], st[1], st[len], st[len + 1]};
      default -> null;
    };
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
