package nabla.kernels;

import nabla.storage.Storage;

/**
 * Row reductions: the input is {@code rows} contiguous rows of {@code len} elements starting at
 * offset 0; output element r (contiguous) is the reduction of row r. Float32 sums accumulate in
 * double. Callers move the reduced axes last (a permute and a copy) before calling.
 */
public final class Reduce {
  private Reduce() {}

  /** out[r] = op(in[r*len .. r*len+len)). */
  public static void rows(ReduceOp op, Storage in, int rows, int len, Storage out) {
    rows(op, in, 0, rows, len, out);
  }

  /**
   * out[r] = op(in[off+r*len .. off+r*len+len)). Many short rows are split across {@link Parallel}
   * threads; a single long sum is split inside {@link Flat#sum}.
   */
  public static void rows(ReduceOp op, Storage in, int off, int rows, int len, Storage out) {
    Parallel.forRows(rows, len, PARALLEL_MIN, (s, e) -> rowRange(op, in, off, s, e, len, out));
  }

  /**
   * Whether the contiguous range in[off .. off+n) holds a NaN (or, when {@code orInfinite}, a NaN
   * or ±∞); always false for integer and bool storages. Vectorised when SIMD is on (anomaly mode
   * scans every result with it).
   *
   * <pre>{@code
   * Reduce.anyNaN(Storage.wrap(new float[] {1, Float.POSITIVE_INFINITY}), 0, 2, false)  // false
   * Reduce.anyNaN(Storage.wrap(new float[] {1, Float.POSITIVE_INFINITY}), 0, 2, true)   // true
   * }</pre>
   */
  public static boolean anyNaN(Storage in, int off, int n, boolean orInfinite) {
    return Flat.anyNaN(in, off, n, orInfinite);
  }

  /** Work (elements) below which a multi-row reduction stays on the calling thread. */
  private static final long PARALLEL_MIN = 1 << 16;

  private static void rowRange(
      ReduceOp op, Storage in, int off, int from, int to, int len, Storage out) {
    if (op == ReduceOp.SUM && shortSums(in, off, from, to, len, out)) {
      return;
    }
    if ((op == ReduceOp.MAX || op == ReduceOp.MIN)
        && len > 0
        && extremes(op == ReduceOp.MAX, in, off, from, to, len, out)) {
      return;
    }
    for (int r = from; r < to; r++) {
      int base = off + r * len;
      switch (op) {
        case SUM -> sum(in, base, len, out, r);
        case MAX, MIN -> extreme(op == ReduceOp.MAX, in, base, len, out, r);
        case ARGMAX, ARGMIN -> out.l[r] = argExtreme(op == ReduceOp.ARGMAX, in, base, len);
      }
    }
  }

  /**
   * Column sums of a contiguous row-major float matrix: out[c] = sum over i of in[off + i*cols +
   * c], for i < rows (the reduction of leading axes, e.g. a bias gradient summed over the batch),
   * without transposing first. Each column is added row by row in double and rounded once for
   * float32 ({@link SumKernels}), so the result is the same with and without the Vector API and on
   * any number of threads; large matrices are split among threads by blocks of columns.
   *
   * <pre>{@code
   * Storage in = Storage.wrap(new float[] {1, 2, 3, 4, 5, 6});   // [[1, 2, 3], [4, 5, 6]]
   * Storage out = Storage.allocate(DType.FLOAT32, 3);
   * Reduce.columnSum(in, 0, 2, 3, out);                           // out = [5, 7, 9]
   * }</pre>
   *
   * @throws IllegalArgumentException if {@code in} is not float32 or float64, or {@code out} has
   *     another dtype
   */
  public static void columnSum(Storage in, int off, int rows, int cols, Storage out) {
    columnSum(SUMS, in, off, rows, cols, out);
  }

  /** {@link #columnSum(Storage, int, int, int, Storage)} with the given kernels (tests). */
  static void columnSum(SumKernels sums, Storage in, int off, int rows, int cols, Storage out) {
    if (in.dtype() != out.dtype()
        || (in.dtype() != nabla.DType.FLOAT32 && in.dtype() != nabla.DType.FLOAT64)) {
      throw new IllegalArgumentException(
          "columnSum: input and output must both be float32 or both float64, got "
              + in.dtype()
              + " and "
              + out.dtype()
              + " (cast first, or reduce with Reduce.rows)");
    }
    int units = (cols + COLUMN_UNIT - 1) / COLUMN_UNIT;
    if ((long) rows * cols >= COLUMN_PARALLEL_MIN && units >= 2) {
      Parallel.forRange(
          0,
          units,
          1,
          (s, e) ->
              columnSumRange(
                  sums,
                  in,
                  off,
                  rows,
                  cols,
                  s * COLUMN_UNIT,
                  Math.min(cols, e * COLUMN_UNIT),
                  out));
    } else {
      columnSumRange(sums, in, off, rows, cols, 0, cols, out);
    }
  }

  /** The kernels' sums, a constant for the JIT. */
  private static final SumKernels SUMS = KernelProvider.chosen().sums();

  /** Columns per piece of a parallel column sum (a whole strip of the vector kernel). */
  private static final int COLUMN_UNIT = 64;

  /**
   * Elements below which a column sum stays on the calling thread: about 20 µs of vectorised work,
   * several times the cost of handing half of it to a worker.
   */
  private static final long COLUMN_PARALLEL_MIN = 1 << 18;

  private static void columnSumRange(
      SumKernels sums, Storage in, int off, int rows, int cols, int c0, int c1, Storage out) {
    switch (in.dtype()) {
      case FLOAT32 -> sums.columnSum(in.f, off, rows, cols, c0, c1, out.f);
      case FLOAT64 -> sums.columnSum(in.d, off, rows, cols, c0, c1, out.d);
      default -> throw new IllegalStateException("columnSum: unreachable dtype " + in.dtype());
    }
  }

  /**
   * Sums of rows shorter than one group of {@link SumKernels} (32 float32 or 16 float64 elements),
   * in one loop: for such a row the kernels add the elements one after the other, in double, from
   * +0, which is what this does (ReductionKernelTest checks every length against them). A call per
   * row cost more than the row ([256, 10], a softmax layer's logits: 3.5 µs). False (nothing done)
   * for longer rows and other dtypes.
   */
  private static boolean shortSums(Storage in, int off, int from, int to, int len, Storage out) {
    switch (in.dtype()) {
      case FLOAT32 -> {
        if (len >= SumKernels.FLOAT_GROUP) {
          return false;
        }
        float[] a = in.f;
        float[] o = out.f;
        for (int r = from, base = off + from * len; r < to; r++, base += len) {
          double s = 0;
          for (int j = 0; j < len; j++) {
            s += a[base + j];
          }
          o[r] = (float) s;
        }
        return true;
      }
      case FLOAT64 -> {
        if (len >= SumKernels.DOUBLE_GROUP) {
          return false;
        }
        double[] a = in.d;
        double[] o = out.d;
        for (int r = from, base = off + from * len; r < to; r++, base += len) {
          double s = 0;
          for (int j = 0; j < len; j++) {
            s += a[base + j];
          }
          o[r] = s;
        }
        return true;
      }
      default -> {
        return false;
      }
    }
  }

  /**
   * Row maxima or minima of float32 or float64 rows, read from the arrays directly (Math.max and
   * Math.min of the element type: NaN wins, -0 is below +0, as the generic loop over doubles
   * gives); false (nothing done) for other dtypes.
   */
  private static boolean extremes(
      boolean max, Storage in, int off, int from, int to, int len, Storage out) {
    switch (in.dtype()) {
      case FLOAT32 -> {
        float[] a = in.f;
        float[] o = out.f;
        for (int r = from, base = off + from * len; r < to; r++, base += len) {
          float m = a[base];
          for (int j = 1; j < len; j++) {
            m = max ? Math.max(m, a[base + j]) : Math.min(m, a[base + j]);
          }
          o[r] = m;
        }
        return true;
      }
      case FLOAT64 -> {
        double[] a = in.d;
        double[] o = out.d;
        for (int r = from, base = off + from * len; r < to; r++, base += len) {
          double m = a[base];
          for (int j = 1; j < len; j++) {
            m = max ? Math.max(m, a[base + j]) : Math.min(m, a[base + j]);
          }
          o[r] = m;
        }
        return true;
      }
      default -> {
        return false;
      }
    }
  }

  private static void sum(Storage in, int base, int len, Storage out, int r) {
    switch (in.dtype()) {
      case FLOAT32 -> out.f[r] = (float) Flat.sum(in, base, len);
      case FLOAT64 -> out.d[r] = Flat.sum(in, base, len);
      case INT64 -> {
        long[] a = in.l;
        long s = 0;
        for (int j = 0; j < len; j++) s += a[base + j];
        out.l[r] = s;
      }
      case BOOL -> {
        boolean[] a = in.b;
        long s = 0;
        for (int j = 0; j < len; j++) s += a[base + j] ? 1 : 0;
        out.l[r] = s;
      }
    }
  }

  private static void extreme(boolean max, Storage in, int base, int len, Storage out, int r) {
    if (len == 0) {
      throw new IllegalArgumentException(
          (max ? "max" : "min") + ": cannot reduce an empty dimension (it has no identity)");
    }
    switch (in.dtype()) {
      case INT64 -> {
        long m = in.l[base];
        for (int j = 1; j < len; j++) {
          long v = in.l[base + j];
          m = max ? Math.max(m, v) : Math.min(m, v);
        }
        out.l[r] = m;
      }
      default -> {
        double m = in.getDouble(base);
        for (int j = 1; j < len; j++) {
          double v = in.getDouble(base + j);
          m = max ? Math.max(m, v) : Math.min(m, v);
        }
        out.setDouble(r, m);
      }
    }
  }

  private static long argExtreme(boolean max, Storage in, int base, int len) {
    if (len == 0) {
      throw new IllegalArgumentException(
          (max ? "argmax" : "argmin") + ": cannot reduce an empty dimension");
    }
    int best = 0;
    double m = in.getDouble(base);
    if (m != m) {
      return 0;
    }
    for (int j = 1; j < len; j++) {
      double v = in.getDouble(base + j);
      if (v != v) {
        return j;
      }
      if (max ? v > m : v < m) {
        m = v;
        best = j;
      }
    }
    return best;
  }
}
