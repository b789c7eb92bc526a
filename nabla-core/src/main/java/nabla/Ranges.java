package nabla;

import nabla.storage.Storage;

/** {@code arange} and {@code linspace}: element counts checked before anything is allocated. */
final class Ranges {
  private Ranges() {}

  /** float32 values start, start+step, ... below end (above it for a negative step). */
  static Tensor arange(double start, double end, double step) {
    if (step == 0 || !Double.isFinite(start) || !Double.isFinite(end) || !Double.isFinite(step)) {
      throw new IllegalArgumentException(
          "arange: step must be non-zero and start, end and step finite (start="
              + start
              + ", end="
              + end
              + ", step="
              + step
              + ")");
    }
    double count = Math.max(0, Math.ceil((end - start) / step));
    int n = checkCount(count, start + ", " + end + ", " + step);
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      // Computed in double, then rounded once (PyTorch's accumulate type on CPU).
      f[i] = (float) (start + i * step);
    }
    return Tensor.fromStorage(Storage.wrap(f), n);
  }

  /** int64 values start, start+step, ... below end (above it for a negative step). */
  static Tensor arange(long start, long end, long step) {
    if (step == 0) {
      throw new IllegalArgumentException(
          "arange: step must be non-zero (start="
              + start
              + ", end="
              + end
              + ", step="
              + step
              + ")");
    }
    // Exact count ceil((end - start) / step): end - start can overflow a long, so in BigInteger.
    java.math.BigInteger span =
        java.math.BigInteger.valueOf(end).subtract(java.math.BigInteger.valueOf(start));
    java.math.BigInteger[] qr = span.divideAndRemainder(java.math.BigInteger.valueOf(step));
    java.math.BigInteger q = qr[0];
    if (qr[1].signum() != 0 && qr[1].signum() == span.signum()) {
      q = q.add(java.math.BigInteger.ONE);
    }
    double count = q.signum() <= 0 ? 0 : q.doubleValue();
    int n = checkCount(count, start + ", " + end + ", " + step);
    long[] l = new long[n];
    for (int i = 0; i < n; i++) {
      l[i] = start + i * step;
    }
    return Tensor.fromStorage(Storage.wrap(l), n);
  }

  /** {@code steps} evenly spaced float32 values from start to end inclusive. */
  static Tensor linspace(double start, double end, int steps) {
    if (steps < 0) {
      throw new IllegalArgumentException("linspace: steps must be >= 0, got " + steps);
    }
    if (!Double.isFinite(start) || !Double.isFinite(end)) {
      throw new IllegalArgumentException(
          "linspace: start and end must be finite (start=" + start + ", end=" + end + ")");
    }
    float[] f = new float[steps];
    for (int i = 0; i < steps; i++) {
      f[i] = (float) (steps == 1 ? start : start + (end - start) * i / (steps - 1));
    }
    return Tensor.fromStorage(Storage.wrap(f), steps);
  }

  private static int checkCount(double count, String args) {
    if (count > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "arange("
              + args
              + "): the range has "
              + String.format("%.4g", count)
              + " elements; a Nabla tensor holds at most 2^31-1 = "
              + Integer.MAX_VALUE
              + " (check the bounds and the step)");
    }
    return (int) count;
  }
}
