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
}
