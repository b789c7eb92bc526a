package nabla.kernels;

import nabla.storage.Storage;

/**
 * Fused log-softmax over contiguous rows: out[r, j] = x[r, j] - m_r - log(sum_j exp(x[r, j] -
 * m_r)), where m_r is the row maximum (replaced by 0 when it is infinite, so rows of -inf give NaN
 * as in PyTorch and a +inf entry does not turn the whole row into NaN through inf - inf). Three
 * passes over the data instead of the seven tensors of the composed form; the exp runs through the
 * flat vector kernel. Float32 rows are summed in double.
 */
public final class Softmax {
  private Softmax() {}

  /** Rows of at least this many elements in total are split across threads. */
  private static final long PARALLEL_MIN = 1 << 15;

  /**
   * out[r*len + j] = logSoftmax of row r of {@code in} (row r starts at {@code off + r*len}), for r
   * < rows; out is contiguous from offset 0 and has in's dtype (float32 or float64).
   */
  public static void logSoftmaxRows(Storage in, int off, int rows, int len, Storage out) {
    if (rows == 0 || len == 0) {
      return;
    }
    Parallel.forRows(rows, len, PARALLEL_MIN, (s, e) -> range(in, off, s, e, len, out));
  }

  private static void range(Storage in, int off, int r0, int r1, int len, Storage out) {
    int n = (r1 - r0) * len;
    int o0 = r0 * len;
    // Pass 1: z = x - m (into out).
    for (int r = r0; r < r1; r++) {
      int base = off + r * len;
      int ob = r * len;
      double m = Double.NEGATIVE_INFINITY;
      switch (in.dtype()) {
        case FLOAT32 -> {
          float[] x = in.f;
          float mf = Float.NEGATIVE_INFINITY;
          for (int j = 0; j < len; j++) {
            mf = Math.max(mf, x[base + j]);
          }
          m = mf;
          if (Double.isInfinite(m)) {
            m = 0;
          }
          float mm = (float) m;
          float[] o = out.f;
          for (int j = 0; j < len; j++) {
            o[ob + j] = x[base + j] - mm;
          }
        }
        case FLOAT64 -> {
          double[] x = in.d;
          for (int j = 0; j < len; j++) {
            m = Math.max(m, x[base + j]);
          }
          if (Double.isInfinite(m)) {
            m = 0;
          }
          double[] o = out.d;
          for (int j = 0; j < len; j++) {
            o[ob + j] = x[base + j] - m;
          }
        }
        default -> throw new IllegalArgumentException("logSoftmax: float32 or float64 only");
      }
    }
    // Pass 2: e = exp(z) (vectorised), row sums.
    Storage e = Storage.allocate(in.dtype(), n);
    Flat.unaryRange(UnaryOp.EXP, out, o0, e, 0, n);
    // Pass 3: out = z - log(sum e).
    for (int r = r0; r < r1; r++) {
      int eb = (r - r0) * len;
      int ob = r * len;
      double s = 0;
      switch (in.dtype()) {
        case FLOAT32 -> {
          for (int j = 0; j < len; j++) {
            s += e.f[eb + j];
          }
          float ls = (float) Math.log(s);
          float[] o = out.f;
          for (int j = 0; j < len; j++) {
            o[ob + j] -= ls;
          }
        }
        default -> {
          for (int j = 0; j < len; j++) {
            s += e.d[eb + j];
          }
          double ls = Math.log(s);
          double[] o = out.d;
          for (int j = 0; j < len; j++) {
            o[ob + j] -= ls;
          }
        }
      }
    }
  }
}
