package nabla.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API provider's {@link SumKernels}: the fixed order of {@link ScalarSumKernels}, one
 * group in two 512-bit vectors or four 256-bit ones (whichever the machine prefers), so the bits do
 * not depend on the vector width: partial sums l and l + group/2 are the same lane of the group's
 * two halves, added once at the end. Lanes are added in a fixed order, never with {@code
 * reduceLanes}, whose order differs between the intrinsic and the interpreter's fallback. Used only
 * when 256-bit vectors are available ({@link #usable()}).
 *
 * <p>Column sums hold one column per lane, so their bits depend on nothing but the row order: they
 * use the preferred double vectors (float32 columns loaded as floats of half the width and widened)
 * whichever of the two variants this is.
 */
final class VectorSumKernels implements SumKernels {
  /** The kernels for this machine: 512-bit vectors where they are preferred, else 256-bit. */
  static final VectorSumKernels INSTANCE =
      new VectorSumKernels(FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512);

  /** Two 512-bit vectors per group (true) or four 256-bit ones (false). */
  private final boolean wide;

  private VectorSumKernels(boolean wide) {
    this.wide = wide;
  }

  /** The 256-bit variant whatever the machine prefers (tests compare both variants). */
  static VectorSumKernels with256BitVectors() {
    return new VectorSumKernels(false);
  }

  private static final VectorSpecies<Float> F512 = FloatVector.SPECIES_512;
  private static final VectorSpecies<Float> F256 = FloatVector.SPECIES_256;
  private static final VectorSpecies<Double> D512 = DoubleVector.SPECIES_512;
  private static final VectorSpecies<Double> D256 = DoubleVector.SPECIES_256;

  @Override
  public String toString() {
    return "VectorSumKernels (" + (wide ? 512 : 256) + "-bit)";
  }

  /** Whether the preferred vectors hold at least 256 bits, so that these kernels are compiled. */
  static boolean usable() {
    return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
  }

  @Override
  public double sum(float[] a, int off, int n) {
    float[] lanes = new float[FLOAT_GROUP / 2];
    double total = 0;
    for (int start = 0; start < n; start += FLOAT_BLOCK) {
      int len = Math.min(FLOAT_BLOCK, n - start);
      int base = off + start;
      int full = len - len % FLOAT_GROUP;
      if (wide) {
        groups512(a, base, full, lanes);
      } else {
        groups256(a, base, full, lanes);
      }
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

  /** lanes[l] = partial sum l + partial sum l + 16 over the groups in a[base .. base+full). */
  private static void groups512(float[] a, int base, int full, float[] lanes) {
    FloatVector v0 = FloatVector.zero(F512), v1 = FloatVector.zero(F512);
    for (int j = 0; j < full; j += FLOAT_GROUP) {
      v0 = v0.add(FloatVector.fromArray(F512, a, base + j));
      v1 = v1.add(FloatVector.fromArray(F512, a, base + j + 16));
    }
    v0.add(v1).intoArray(lanes, 0);
  }

  private static void groups256(float[] a, int base, int full, float[] lanes) {
    FloatVector v0 = FloatVector.zero(F256), v1 = FloatVector.zero(F256);
    FloatVector v2 = FloatVector.zero(F256), v3 = FloatVector.zero(F256);
    for (int j = 0; j < full; j += FLOAT_GROUP) {
      int i = base + j;
      v0 = v0.add(FloatVector.fromArray(F256, a, i));
      v1 = v1.add(FloatVector.fromArray(F256, a, i + 8));
      v2 = v2.add(FloatVector.fromArray(F256, a, i + 16));
      v3 = v3.add(FloatVector.fromArray(F256, a, i + 24));
    }
    v0.add(v2).intoArray(lanes, 0); // partial sums l and l + 16, l < 8
    v1.add(v3).intoArray(lanes, 8); // the same for 8 <= l < 16
  }

  @Override
  public double sum(double[] a, int off, int n) {
    int full = n - n % DOUBLE_GROUP;
    double[] lanes = new double[DOUBLE_GROUP / 2];
    if (wide) {
      DoubleVector v0 = DoubleVector.zero(D512), v1 = DoubleVector.zero(D512);
      for (int j = 0; j < full; j += DOUBLE_GROUP) {
        v0 = v0.add(DoubleVector.fromArray(D512, a, off + j));
        v1 = v1.add(DoubleVector.fromArray(D512, a, off + j + 8));
      }
      v0.add(v1).intoArray(lanes, 0);
    } else {
      DoubleVector v0 = DoubleVector.zero(D256), v1 = DoubleVector.zero(D256);
      DoubleVector v2 = DoubleVector.zero(D256), v3 = DoubleVector.zero(D256);
      for (int j = 0; j < full; j += DOUBLE_GROUP) {
        int i = off + j;
        v0 = v0.add(DoubleVector.fromArray(D256, a, i));
        v1 = v1.add(DoubleVector.fromArray(D256, a, i + 4));
        v2 = v2.add(DoubleVector.fromArray(D256, a, i + 8));
        v3 = v3.add(DoubleVector.fromArray(D256, a, i + 12));
      }
      v0.add(v2).intoArray(lanes, 0); // partial sums l and l + 8, l < 4
      v1.add(v3).intoArray(lanes, 4); // the same for 4 <= l < 8
    }
    double s = 0;
    for (double v : lanes) {
      s += v;
    }
    for (int j = full; j < n; j++) {
      s += a[off + j];
    }
    return s;
  }

  // ---------------------------------------------------------------------------------------------
  // column sums
  // ---------------------------------------------------------------------------------------------

  /** The double accumulators of the column sums. */
  private static final VectorSpecies<Double> CD = DoubleVector.SPECIES_PREFERRED;

  /** Float32 columns are loaded with as many lanes as {@link #CD} and widened. */
  private static final VectorSpecies<Float> CF =
      VectorSpecies.of(float.class, VectorShape.forBitSize(CD.vectorBitSize() / 2));

  /**
   * Vector accumulators of one strip of columns: eight chains of additions keep two adders busy.
   */
  private static final int STRIP = 8;

  @Override
  public void columnSum(float[] a, int off, int rows, int cols, int c0, int c1, float[] out) {
    int step = CD.length();
    int c = c0;
    for (; c + STRIP * step <= c1; c += STRIP * step) {
      floatStrip(a, off, rows, cols, c, out);
    }
    // The rest one vector at a time, the last one masked. (Four masked vectors in one pass, to
    // share the rows of a tall matrix of few columns, ran 10-100x slower.)
    for (; c + step <= c1; c += step) {
      DoubleVector s = DoubleVector.zero(CD);
      for (int i = 0, p = off + c; i < rows; i++, p += cols) {
        s = s.add(widen(FloatVector.fromArray(CF, a, p)));
      }
      narrow(s).intoArray(out, c);
    }
    if (c < c1) {
      VectorMask<Float> m = CF.indexInRange(c, c1);
      DoubleVector s = DoubleVector.zero(CD);
      for (int i = 0, p = off + c; i < rows; i++, p += cols) {
        s = s.add(widen(FloatVector.fromArray(CF, a, p, m)));
      }
      narrow(s).intoArray(out, c, m);
    }
  }

  private static DoubleVector widen(FloatVector v) {
    return (DoubleVector) v.convertShape(VectorOperators.F2D, CD, 0);
  }

  /** Columns c to c + STRIP * lanes, eight vectors of double sums down the rows. */
  private static void floatStrip(float[] a, int off, int rows, int cols, int c, float[] out) {
    int step = CD.length();
    DoubleVector s0 = DoubleVector.zero(CD), s1 = s0, s2 = s0, s3 = s0;
    DoubleVector s4 = s0, s5 = s0, s6 = s0, s7 = s0;
    for (int i = 0, p = off + c; i < rows; i++, p += cols) {
      s0 = s0.add(widen(FloatVector.fromArray(CF, a, p)));
      s1 = s1.add(widen(FloatVector.fromArray(CF, a, p + step)));
      s2 = s2.add(widen(FloatVector.fromArray(CF, a, p + 2 * step)));
      s3 = s3.add(widen(FloatVector.fromArray(CF, a, p + 3 * step)));
      s4 = s4.add(widen(FloatVector.fromArray(CF, a, p + 4 * step)));
      s5 = s5.add(widen(FloatVector.fromArray(CF, a, p + 5 * step)));
      s6 = s6.add(widen(FloatVector.fromArray(CF, a, p + 6 * step)));
      s7 = s7.add(widen(FloatVector.fromArray(CF, a, p + 7 * step)));
    }
    narrow(s0).intoArray(out, c);
    narrow(s1).intoArray(out, c + step);
    narrow(s2).intoArray(out, c + 2 * step);
    narrow(s3).intoArray(out, c + 3 * step);
    narrow(s4).intoArray(out, c + 4 * step);
    narrow(s5).intoArray(out, c + 5 * step);
    narrow(s6).intoArray(out, c + 6 * step);
    narrow(s7).intoArray(out, c + 7 * step);
  }

  private static FloatVector narrow(DoubleVector v) {
    return (FloatVector) v.convertShape(VectorOperators.D2F, CF, 0);
  }

  @Override
  public void columnSum(double[] a, int off, int rows, int cols, int c0, int c1, double[] out) {
    int step = CD.length();
    int c = c0;
    for (; c + STRIP * step <= c1; c += STRIP * step) {
      doubleStrip(a, off, rows, cols, c, out);
    }
    for (; c + step <= c1; c += step) {
      DoubleVector s = DoubleVector.zero(CD);
      for (int i = 0, p = off + c; i < rows; i++, p += cols) {
        s = s.add(DoubleVector.fromArray(CD, a, p));
      }
      s.intoArray(out, c);
    }
    if (c < c1) {
      VectorMask<Double> m = CD.indexInRange(c, c1);
      DoubleVector s = DoubleVector.zero(CD);
      for (int i = 0, p = off + c; i < rows; i++, p += cols) {
        s = s.add(DoubleVector.fromArray(CD, a, p, m));
      }
      s.intoArray(out, c, m);
    }
  }

  /** Columns c to c + STRIP * lanes, eight vectors of sums down the rows. */
  private static void doubleStrip(double[] a, int off, int rows, int cols, int c, double[] out) {
    int step = CD.length();
    DoubleVector s0 = DoubleVector.zero(CD), s1 = s0, s2 = s0, s3 = s0;
    DoubleVector s4 = s0, s5 = s0, s6 = s0, s7 = s0;
    for (int i = 0, p = off + c; i < rows; i++, p += cols) {
      s0 = s0.add(DoubleVector.fromArray(CD, a, p));
      s1 = s1.add(DoubleVector.fromArray(CD, a, p + step));
      s2 = s2.add(DoubleVector.fromArray(CD, a, p + 2 * step));
      s3 = s3.add(DoubleVector.fromArray(CD, a, p + 3 * step));
      s4 = s4.add(DoubleVector.fromArray(CD, a, p + 4 * step));
      s5 = s5.add(DoubleVector.fromArray(CD, a, p + 5 * step));
      s6 = s6.add(DoubleVector.fromArray(CD, a, p + 6 * step));
      s7 = s7.add(DoubleVector.fromArray(CD, a, p + 7 * step));
    }
    s0.intoArray(out, c);
    s1.intoArray(out, c + step);
    s2.intoArray(out, c + 2 * step);
    s3.intoArray(out, c + 3 * step);
    s4.intoArray(out, c + 4 * step);
    s5.intoArray(out, c + 5 * step);
    s6.intoArray(out, c + 6 * step);
    s7.intoArray(out, c + 7 * step);
  }
}
