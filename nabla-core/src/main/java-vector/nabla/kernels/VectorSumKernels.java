package nabla.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API provider's {@link SumKernels}: the fixed order of {@link ScalarSumKernels} with
 * each group in four 256-bit vectors (partial sums 0-7, 8-15, 16-23, 24-31 of a float32 group), so
 * the bits do not depend on the machine's vector width. On a 512-bit machine this runs as fast as
 * two 512-bit accumulators would: the four add chains keep the same number of bytes in flight.
 * Lanes are added in a fixed order, never with {@code reduceLanes}, whose order differs between the
 * intrinsic and the interpreter's fallback. Used only when 256-bit vectors are available ({@link
 * #usable()}).
 */
final class VectorSumKernels implements SumKernels {
  /** The one instance (the class has no state). */
  static final VectorSumKernels INSTANCE = new VectorSumKernels();

  private VectorSumKernels() {}

  private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_256;

  /** Whether the preferred vectors hold at least 256 bits, so that these kernels are compiled. */
  static boolean usable() {
    return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
  }

  @Override
  public double sum(float[] a, int off, int n) {
    int step = F.length(); // 8: four vectors per group of 32
    float[] lanes = new float[2 * step];
    double total = 0;
    for (int start = 0; start < n; start += FLOAT_BLOCK) {
      int len = Math.min(FLOAT_BLOCK, n - start);
      int base = off + start;
      int full = len - len % FLOAT_GROUP;
      FloatVector v0 = FloatVector.zero(F), v1 = FloatVector.zero(F);
      FloatVector v2 = FloatVector.zero(F), v3 = FloatVector.zero(F);
      for (int j = 0; j < full; j += FLOAT_GROUP) {
        int i = base + j;
        v0 = v0.add(FloatVector.fromArray(F, a, i));
        v1 = v1.add(FloatVector.fromArray(F, a, i + step));
        v2 = v2.add(FloatVector.fromArray(F, a, i + 2 * step));
        v3 = v3.add(FloatVector.fromArray(F, a, i + 3 * step));
      }
      v0.add(v2).intoArray(lanes, 0); // partial sums l + (l + 16), l < 8
      v1.add(v3).intoArray(lanes, step); // the same for 8 <= l < 16
      double s = 0;
      for (float v : lanes) {
        s += v;
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
    int step = D.length(); // 4: four vectors per group of 16
    int full = n - n % DOUBLE_GROUP;
    DoubleVector v0 = DoubleVector.zero(D), v1 = DoubleVector.zero(D);
    DoubleVector v2 = DoubleVector.zero(D), v3 = DoubleVector.zero(D);
    for (int j = 0; j < full; j += DOUBLE_GROUP) {
      int i = off + j;
      v0 = v0.add(DoubleVector.fromArray(D, a, i));
      v1 = v1.add(DoubleVector.fromArray(D, a, i + step));
      v2 = v2.add(DoubleVector.fromArray(D, a, i + 2 * step));
      v3 = v3.add(DoubleVector.fromArray(D, a, i + 3 * step));
    }
    double[] lanes = new double[2 * step];
    v0.add(v2).intoArray(lanes, 0);
    v1.add(v3).intoArray(lanes, step);
    double s = 0;
    for (double v : lanes) {
      s += v;
    }
    for (int j = full; j < n; j++) {
      s += a[off + j];
    }
    return s;
  }
}
