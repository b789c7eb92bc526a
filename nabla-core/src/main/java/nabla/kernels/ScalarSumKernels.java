package nabla.kernels;

/**
 * The scalar provider's {@link SumKernels}: the fixed summation order written out with an array of
 * partial sums, one per lane of the vector implementation. It is the definition of that order, and
 * the Vector API provider falls back to it where 256-bit vectors are not available.
 */
final class ScalarSumKernels implements SumKernels {
  /** The one instance (the class has no state). */
  static final ScalarSumKernels INSTANCE = new ScalarSumKernels();

  private ScalarSumKernels() {}

  @Override
  public double sum(float[] a, int off, int n) {
    float[] acc = new float[FLOAT_GROUP];
    int half = FLOAT_GROUP / 2;
    double total = 0;
    for (int start = 0; start < n; start += FLOAT_BLOCK) {
      int len = Math.min(FLOAT_BLOCK, n - start);
      int base = off + start;
      int full = len - len % FLOAT_GROUP;
      java.util.Arrays.fill(acc, 0f);
      for (int j = 0; j < full; j += FLOAT_GROUP) {
        for (int l = 0; l < FLOAT_GROUP; l++) {
          acc[l] += a[base + j + l];
        }
      }
      double s = 0;
      for (int l = 0; l < half; l++) {
        s += acc[l] + acc[l + half];
      }
      for (int j = full; j < len; j++) {
        s += a[base + j];
      }
      total += s;
    }
    return total;
  }

  @Override
  public double sum(double[] a, int off, int n) {
    double[] acc = new double[DOUBLE_GROUP];
    int half = DOUBLE_GROUP / 2;
    int full = n - n % DOUBLE_GROUP;
    for (int j = 0; j < full; j += DOUBLE_GROUP) {
      for (int l = 0; l < DOUBLE_GROUP; l++) {
        acc[l] += a[off + j + l];
      }
    }
    double s = 0;
    for (int l = 0; l < half; l++) {
      s += acc[l] + acc[l + half];
    }
    for (int j = full; j < n; j++) {
      s += a[off + j];
    }
    return s;
  }

  /** Below this many columns the float32 column sum keeps its columns in locals. */
  private static final int ROW_ORDER_MIN = 32;

  @Override
  public void columnSum(float[] a, int off, int rows, int cols, int c0, int c1, float[] out) {
    int w = c1 - c0;
    if (w < ROW_ORDER_MIN) {
      columnSumInLocals(a, off, rows, cols, c0, c1, out);
      return;
    }
    // Row by row into an array of double sums: C2 vectorises the conversion and the addition (the
    // arrays have different types, so they cannot alias).
    double[] acc = new double[w];
    for (int i = 0; i < rows; i++) {
      int base = off + i * cols + c0;
      for (int c = 0; c < w; c++) {
        acc[c] += a[base + c];
      }
    }
    for (int c = 0; c < w; c++) {
      out[c0 + c] = (float) acc[c];
    }
  }

  /** Eight columns at a time down the rows, each in a local double. */
  private static void columnSumInLocals(
      float[] a, int off, int rows, int cols, int c0, int c1, float[] out) {
    int c = c0;
    for (; c + 8 <= c1; c += 8) {
      double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      for (int i = 0, p = off + c; i < rows; i++, p += cols) {
        s0 += a[p];
        s1 += a[p + 1];
        s2 += a[p + 2];
        s3 += a[p + 3];
        s4 += a[p + 4];
        s5 += a[p + 5];
        s6 += a[p + 6];
        s7 += a[p + 7];
      }
      out[c] = (float) s0;
      out[c + 1] = (float) s1;
      out[c + 2] = (float) s2;
      out[c + 3] = (float) s3;
      out[c + 4] = (float) s4;
      out[c + 5] = (float) s5;
      out[c + 6] = (float) s6;
      out[c + 7] = (float) s7;
    }
    for (; c < c1; c++) {
      double s = 0;
      for (int i = 0, p = off + c; i < rows; i++, p += cols) {
        s += a[p];
      }
      out[c] = (float) s;
    }
  }

  /** Rows per block of the float64 column sum. */
  private static final int ROW_BLOCK = 32;

  @Override
  public void columnSum(double[] a, int off, int rows, int cols, int c0, int c1, double[] out) {
    // Eight columns at a time in locals, eight independent chains of additions: row by row into a
    // double[] of sums took 18 µs instead of 12 for [256, 256] (C2 apparently does not vectorise
    // it, since that array might alias a). A block of rows at a time: down all the rows of a wide
    // matrix, eight columns are one cache line per row, and [1024, 1024] took 423 µs, not 277.
    // The running sums wait in out between blocks.
    java.util.Arrays.fill(out, c0, c1, 0.0);
    for (int r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
      int r1 = Math.min(rows, r0 + ROW_BLOCK);
      int start = off + r0 * cols;
      int c = c0;
      for (; c + 8 <= c1; c += 8) {
        double s0 = out[c], s1 = out[c + 1], s2 = out[c + 2], s3 = out[c + 3];
        double s4 = out[c + 4], s5 = out[c + 5], s6 = out[c + 6], s7 = out[c + 7];
        for (int i = r0, p = start + c; i < r1; i++, p += cols) {
          s0 += a[p];
          s1 += a[p + 1];
          s2 += a[p + 2];
          s3 += a[p + 3];
          s4 += a[p + 4];
          s5 += a[p + 5];
          s6 += a[p + 6];
          s7 += a[p + 7];
        }
        out[c] = s0;
        out[c + 1] = s1;
        out[c + 2] = s2;
        out[c + 3] = s3;
        out[c + 4] = s4;
        out[c + 5] = s5;
        out[c + 6] = s6;
        out[c + 7] = s7;
      }
      for (; c < c1; c++) {
        double s = out[c];
        for (int i = r0, p = start + c; i < r1; i++, p += cols) {
          s += a[p];
        }
        out[c] = s;
      }
    }
  }
}
