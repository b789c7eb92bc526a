package nabla.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * e^x, and tanh, log, log1p and expm1, on vectors, from IEEE arithmetic only (adds, multiplies,
 * fused multiply-adds, exact conversions and bit shifts), so their bits are the same in the
 * interpreter, C1 and C2. The Vector API's own {@code lanewise(EXP)} is not: the C2 intrinsic (a
 * short-vector math library) and the Java fallback that runs before compilation round differently
 * in the last bit, which made a training run's losses depend on when the JIT compiled the softmax
 * (issue #10's reproducibility).
 *
 * <p>exp's method (Cody and Waite's): n = round(x / ln 2) by the add-and-subtract-a-large-constant
 * trick, r = x − n·ln 2 in two fused steps (ln 2 split in a high part with trailing zero bits and a
 * low part), e^r by its Taylor polynomial in Horner form (|r| ≤ ln 2 / 2: degree 13 for double, 7
 * for float, truncation error far below half an ulp), and 2^n applied as two exact powers of two so
 * that results down to the smallest subnormal and up to the largest finite value come out right.
 * Accuracy: within 1 ulp of the exact value for doubles, 2 ulp for floats ({@code VectorExpTest}
 * measures it, and the others, against 40-digit values). Hand-written for each type on purpose: the
 * constants, the polynomial degree and the exponent field differ. Every method stays under 325
 * bytes of bytecode, C2's limit for inlining a hot callee (a vector crossing a call that is not
 * inlined is boxed and runs the Vector API's Java fallbacks).
 */
final class VectorExp {
  private VectorExp() {}

  // The species as constants, so that the broadcasts below do not depend on what C2 can prove about
  // x.species() at each call site. Every caller passes vectors of the preferred species. (The
  // slowness first blamed on this, 1 ns per float32 element, came from the kernels' shared switch
  // over ops: see VectorKernelsDouble.unary.)
  private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;

  // ------------------------------------------------------------------------------------- double

  /** 2^-64, to undo {@code exp(x, 64)} (the float twin is {@link #F_TWO_M64}). */
  static final double D_TWO_M64 = 0x1p-64;

  static final float F_TWO_M64 = 0x1p-64f;

  private static final double D_LOG2E = 1.4426950408889634;
  private static final double D_LN2 = 0.6931471805599453;
  private static final double D_LN2_HI = 6.93147180369123816490e-01; // 0x3fe62e42fee00000
  private static final double D_LN2_LO = 1.90821492927058770002e-10; // 0x3dea39ef35793c76
  private static final double D_ROUND = 6755399441055744.0; // 1.5 * 2^52
  private static final double D_MAX = 709.782712893384; // above: +inf
  private static final double D_MIN = -745.1332191019412; // below: 0

  /** 1/k! for k = 13 down to 2 (Horner order). */
  private static final double[] D_POLY = {
    1.6059043836821613e-10,
    2.08767569878681e-09,
    2.505210838544172e-08,
    2.755731922398589e-07,
    2.7557319223985893e-06,
    2.48015873015873e-05,
    1.984126984126984e-04,
    1.388888888888889e-03,
    8.333333333333333e-03,
    4.1666666666666664e-02,
    1.6666666666666666e-01,
    0.5
  };

  static DoubleVector exp(DoubleVector x) {
    return exp(x, 0);
  }

  /**
   * e^x · 2^k, the power of two applied exactly with the exponent (so a result that e^x alone would
   * round into the subnormals keeps its precision when a later product scales it back up).
   */
  static DoubleVector exp(DoubleVector x, int k) {
    // Keep this method under 325 bytes of bytecode (FreqInlineSize, the JIT's limit for inlining a
    // hot callee; VectorExpTest checks it): when it is not inlined it gets x as an abstract vector
    // and runs the Vector API's Java fallbacks (at 327 bytes: 2.2-2.7 ns per float64 element, the
    // speed of Math.exp). Hence no local for t, a literal loop bound and test(IS_NAN). Splitting
    // it in two, or constant vectors in static fields, measured slower still.
    VectorSpecies<Double> s = DS;
    DoubleVector n =
        x.fma(DoubleVector.broadcast(s, D_LOG2E), DoubleVector.broadcast(s, D_ROUND)).sub(D_ROUND);
    DoubleVector r = n.fma(DoubleVector.broadcast(s, -D_LN2_HI), x);
    r = n.fma(DoubleVector.broadcast(s, -D_LN2_LO), r);
    DoubleVector p = DoubleVector.broadcast(s, D_POLY[0]);
    for (int i = 1; i < 12; i++) { // D_POLY.length
      p = p.fma(r, DoubleVector.broadcast(s, D_POLY[i]));
    }
    p = p.fma(r, DoubleVector.broadcast(s, 1.0)).fma(r, DoubleVector.broadcast(s, 1.0));
    // 2^n as 2^n1 · 2^n2 with n1 = n >> 1: both factors normal for every n in [-1075, 1024]
    VectorMask<Double> big = x.compare(VectorOperators.GT, D_MAX - k * D_LN2);
    VectorMask<Double> small = x.compare(VectorOperators.LT, D_MIN - k * D_LN2);
    VectorMask<Double> nan = x.test(VectorOperators.IS_NAN);
    DoubleVector nSafe = n.blend(0.0, big.or(small).or(nan));
    LongVector ni = ((LongVector) nSafe.convert(VectorOperators.D2L, 0)).add(k);
    LongVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
    LongVector n2 = ni.sub(n1);
    DoubleVector s1 = n1.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
    DoubleVector s2 = n2.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
    DoubleVector y = p.mul(s1).mul(s2);
    y = y.blend(Double.POSITIVE_INFINITY, big).blend(0.0, small);
    return y.blend(x, nan);
  }

  /** Below this |x|, tanh by its Taylor series; from it, by e^2|x| (there tanh(|x|) ≥ 0.5). */
  static final double TANH_SERIES_LIMIT = 0.55;

  /**
   * The Taylor coefficients of tanh(x) = x + x³·P(x²), P's from x³'s (−1/3) up to x³⁷'s, highest
   * first (Horner order): 2^2n (2^2n − 1) B_2n / (2n)! with B the Bernoulli numbers. Below 0.55 the
   * first one left out adds under 0.04 ulp.
   */
  private static final double[] D_TANH_POLY = {
    7.054636946400968e-08,
    -1.7406618963571648e-07,
    4.294911078273806e-07,
    -1.0597268320104654e-06,
    2.6147711512907546e-06,
    -6.451689215655431e-06,
    1.5918905069328964e-05,
    -3.927832388331683e-05,
    9.691537956929451e-05,
    -0.00023912911424355248,
    0.000590027440945586,
    -0.0014558343870513183,
    0.003592128036572481,
    -0.008863235529902197,
    0.021869488536155203,
    -0.05396825396825397,
    0.13333333333333333,
    -0.3333333333333333
  };

  /**
   * tanh(x), from the same IEEE operations in every tier (the scalar kernels' {@code Math.tanh}
   * differs in the last bits): x + x³·P(x²) below {@link #TANH_SERIES_LIMIT}, else ±(1 − 2 /
   * (e^2|x| + 1)), which is exactly ±1 where e^2|x| overflows. Odd, so −0 stays −0; NaN stays NaN.
   */
  static DoubleVector tanh(DoubleVector x) {
    // Under 325 bytes of bytecode, as exp (VectorExpTest checks it).
    VectorSpecies<Double> s = DS;
    DoubleVector z = x.mul(x);
    DoubleVector p = DoubleVector.broadcast(s, D_TANH_POLY[0]);
    for (int i = 1; i < 18; i++) { // D_TANH_POLY.length
      p = p.fma(z, DoubleVector.broadcast(s, D_TANH_POLY[i]));
    }
    DoubleVector a = x.abs();
    DoubleVector e = exp(a.add(a), 0);
    DoubleVector far =
        DoubleVector.broadcast(s, 1.0).sub(DoubleVector.broadcast(s, 2.0).div(e.add(1.0)));
    far = far.blend(far.neg(), x.compare(VectorOperators.LT, 0.0));
    DoubleVector r =
        x.mul(z).fma(p, x).blend(far, a.compare(VectorOperators.GE, TANH_SERIES_LIMIT));
    // Below 2^-28 tanh(x) rounds to x; x itself also keeps −0 (x + x³·P would give +0).
    return r.blend(x, a.compare(VectorOperators.LT, 0x1p-28));
  }

  // fdlibm's log: x = 2^k · (1 + f) with 1 + f in [√2/2, √2), s = f / (2 + f), and log(1 + f) =
  // f − f²/2 + s·(f²/2 + R(s²)) with R's coefficients below (|error| < 2^-58.45 on the range).
  private static final double D_LG1 = 6.666666666666735130e-01;
  private static final double D_LG2 = 3.999999999940941908e-01;
  private static final double D_LG3 = 2.857142874366239149e-01;
  private static final double D_LG4 = 2.222219843214978396e-01;
  private static final double D_LG5 = 1.818357216161805012e-01;
  private static final double D_LG6 = 1.531383769920937332e-01;
  private static final double D_LG7 = 1.479819860511658591e-01;

  /**
   * The natural logarithm, from IEEE operations only (the scalar kernels' {@code Math.log} and the
   * Vector API's {@code lanewise(LOG)} round differently in the last bit): fdlibm's method in every
   * lane. Subnormals are scaled by 2^54 first; log(±0) = −∞, log of a negative number or NaN is
   * NaN, log(+∞) = +∞.
   */
  static DoubleVector log(DoubleVector x) {
    // In two methods, each under 325 bytes of bytecode so that both are inlined (VectorExpTest
    // checks it): the special values here, the arithmetic in logOfPositive.
    DoubleVector y = logOfPositive(x);
    y = y.blend(Double.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, 0.0));
    y = y.blend(Double.NaN, x.compare(VectorOperators.LT, 0.0));
    return y.blend(
        x,
        x.test(VectorOperators.IS_NAN).or(x.compare(VectorOperators.EQ, Double.POSITIVE_INFINITY)));
  }

  /** log x for positive finite x (subnormals included); anything for other x. */
  private static DoubleVector logOfPositive(DoubleVector x) {
    VectorMask<Double> sub = x.compare(VectorOperators.LT, 0x1p-1022);
    LongVector bits = x.blend(x.mul(0x1p54), sub).reinterpretAsLongs();
    LongVector m = bits.and(0x000FFFFFFFFFFFFFL);
    // i: 2^52 where the mantissa is at least √2's (0x6A09E667F3BCD): then 1 + f = m / 2, and the
    // exponent of bits + i is k + 1
    LongVector i = m.add(0x95F619980C433L).and(0x0010000000000000L);
    DoubleVector f =
        m.or(i.lanewise(VectorOperators.XOR, 0x3FF0000000000000L)).reinterpretAsDoubles().sub(1.0);
    DoubleVector k =
        (DoubleVector)
            bits.add(i)
                .lanewise(VectorOperators.LSHR, 52)
                .sub(1023)
                .convert(VectorOperators.L2D, 0);
    k = k.blend(k.sub(54.0), sub);
    DoubleVector hfsq = f.mul(f).mul(0.5);
    DoubleVector t = f.div(f.add(2.0));
    DoubleVector z = t.mul(t);
    DoubleVector w = z.mul(z);
    DoubleVector even = w.fma(D_LG6, D_LG4);
    even = w.fma(even, DoubleVector.broadcast(DS, D_LG2)).mul(w);
    DoubleVector odd = w.fma(D_LG7, D_LG5);
    odd = w.fma(odd, DoubleVector.broadcast(DS, D_LG3));
    DoubleVector r = w.fma(odd, DoubleVector.broadcast(DS, D_LG1)).fma(z, even);
    return k.mul(D_LN2_HI).sub(hfsq.sub(t.mul(hfsq.add(r)).add(k.mul(D_LN2_LO))).sub(f));
  }

  /**
   * log(1 + x), accurate where x is small: u = 1 + x rounded, then log u − ((u − 1) − x)/u, the
   * second term undoing the rounding of u to first order (Goldberg's method); x itself where u
   * rounds to 1 (which keeps −0). log1p(−1) = −∞, NaN below −1, log1p(+∞) = +∞.
   */
  static DoubleVector log1p(DoubleVector x) {
    DoubleVector u = x.add(1.0);
    DoubleVector y = log(u).sub(u.sub(1.0).sub(x).div(u));
    y = y.blend(Double.NEGATIVE_INFINITY, u.compare(VectorOperators.EQ, 0.0));
    return y.blend(
        x,
        u.compare(VectorOperators.EQ, 1.0)
            .or(x.compare(VectorOperators.EQ, Double.POSITIVE_INFINITY)));
  }

  /**
   * e^x − 1, accurate where x is small: with u = {@link #exp}(x), (u − 1)·(x / log u) (Kahan's
   * method: the quotient undoes the rounding of u), x itself where u rounds to 1 (which keeps −0),
   * +∞ where u overflows and −1 below −40, where e^x − 1 rounds to −1 (and u, near the subnormals,
   * is too coarse for the quotient).
   */
  static DoubleVector expm1(DoubleVector x) {
    DoubleVector u = exp(x);
    DoubleVector y = u.sub(1.0).mul(x.div(log(u)));
    y = y.blend(u, u.compare(VectorOperators.EQ, Double.POSITIVE_INFINITY));
    y = y.blend(-1.0, x.compare(VectorOperators.LT, -40.0)); // e^x < 2^-57: rounds to −1
    return y.blend(x, u.compare(VectorOperators.EQ, 1.0));
  }

  // -------------------------------------------------------------------------------------- float

  private static final float F_LOG2E = 1.44269504f;
  private static final float F_LN2_HI = 6.9313812256e-01f; // 0x3f317180: n·F_LN2_HI is exact
  private static final float F_LN2_LO = 9.0580006145e-06f; // 0x3717f7d1: ln 2 − F_LN2_HI
  private static final float F_ROUND = 12582912f; // 1.5 * 2^23
  private static final float F_MAX = 88.72283f; // above: +inf
  private static final float F_MIN = -103.97208f; // below: 0

  /** 1/k! for k = 7 down to 2. */
  private static final float[] F_POLY = {
    1.9841270e-4f, 1.3888889e-3f, 8.3333333e-3f, 4.1666667e-2f, 1.6666667e-1f, 0.5f
  };

  static FloatVector exp(FloatVector x) {
    return exp(x, 0);
  }

  /** e^x · 2^k, as for doubles. */
  static FloatVector exp(FloatVector x, int k) {
    // Under 325 bytes of bytecode, as the double version.
    VectorSpecies<Float> s = FS;
    FloatVector n =
        x.fma(FloatVector.broadcast(s, F_LOG2E), FloatVector.broadcast(s, F_ROUND)).sub(F_ROUND);
    FloatVector r = n.fma(FloatVector.broadcast(s, -F_LN2_HI), x);
    r = n.fma(FloatVector.broadcast(s, -F_LN2_LO), r);
    FloatVector p = FloatVector.broadcast(s, F_POLY[0]);
    for (int i = 1; i < 6; i++) { // F_POLY.length
      p = p.fma(r, FloatVector.broadcast(s, F_POLY[i]));
    }
    p = p.fma(r, FloatVector.broadcast(s, 1f)).fma(r, FloatVector.broadcast(s, 1f));
    VectorMask<Float> big = x.compare(VectorOperators.GT, (float) (F_MAX - k * D_LN2));
    VectorMask<Float> small = x.compare(VectorOperators.LT, (float) (F_MIN - k * D_LN2));
    VectorMask<Float> nan = x.test(VectorOperators.IS_NAN);
    FloatVector nSafe = n.blend(0f, big.or(small).or(nan));
    IntVector ni = ((IntVector) nSafe.convert(VectorOperators.F2I, 0)).add(k);
    IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
    IntVector n2 = ni.sub(n1);
    FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    FloatVector y = p.mul(s1).mul(s2);
    y = y.blend(Float.POSITIVE_INFINITY, big).blend(0f, small);
    return y.blend(x, nan);
  }

  /** P's coefficients for float32, x³'s up to x¹⁹'s (the first one left out adds 0.01 ulp). */
  private static final float[] F_TANH_POLY = {
    -2.3912912e-4f,
    5.9002743e-4f,
    -1.4558344e-3f,
    3.5921279e-3f,
    -8.8632358e-3f,
    2.1869488e-2f,
    -5.3968254e-2f,
    1.3333334e-1f,
    -3.3333334e-1f
  };

  /** tanh(x), as for doubles. */
  static FloatVector tanh(FloatVector x) {
    VectorSpecies<Float> s = FS;
    FloatVector z = x.mul(x);
    FloatVector p = FloatVector.broadcast(s, F_TANH_POLY[0]);
    for (int i = 1; i < 9; i++) { // F_TANH_POLY.length
      p = p.fma(z, FloatVector.broadcast(s, F_TANH_POLY[i]));
    }
    FloatVector a = x.abs();
    FloatVector e = exp(a.add(a), 0);
    FloatVector far = FloatVector.broadcast(s, 1f).sub(FloatVector.broadcast(s, 2f).div(e.add(1f)));
    far = far.blend(far.neg(), x.compare(VectorOperators.LT, 0f));
    FloatVector r =
        x.mul(z).fma(p, x).blend(far, a.compare(VectorOperators.GE, (float) TANH_SERIES_LIMIT));
    return r.blend(x, a.compare(VectorOperators.LT, 0x1p-28f));
  }

  // fdlibm's logf coefficients (|error| < 2^-34.24 on the range)
  private static final float F_LG1 = 6.6666668653e-01f;
  private static final float F_LG2 = 4.0000000596e-01f;
  private static final float F_LG3 = 2.8571429849e-01f;
  private static final float F_LG4 = 2.2222198546e-01f;
  private static final float F_LG5 = 1.8183572590e-01f;
  private static final float F_LG6 = 1.5313838422e-01f;
  private static final float F_LG7 = 1.4798198640e-01f;

  /** The natural logarithm, as for doubles (subnormals scaled by 2^25). */
  static FloatVector log(FloatVector x) {
    FloatVector y = logOfPositive(x);
    y = y.blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, 0f));
    y = y.blend(Float.NaN, x.compare(VectorOperators.LT, 0f));
    return y.blend(
        x,
        x.test(VectorOperators.IS_NAN).or(x.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY)));
  }

  private static FloatVector logOfPositive(FloatVector x) {
    VectorMask<Float> sub = x.compare(VectorOperators.LT, 0x1p-126f);
    IntVector bits = x.blend(x.mul(0x1p25f), sub).reinterpretAsInts();
    IntVector m = bits.and(0x007FFFFF);
    IntVector i = m.add(0x4AFB20).and(0x00800000);
    FloatVector f = m.or(i.lanewise(VectorOperators.XOR, 0x3F800000)).reinterpretAsFloats().sub(1f);
    FloatVector k =
        (FloatVector)
            bits.add(i).lanewise(VectorOperators.LSHR, 23).sub(127).convert(VectorOperators.I2F, 0);
    k = k.blend(k.sub(25f), sub);
    FloatVector hfsq = f.mul(f).mul(0.5f);
    FloatVector t = f.div(f.add(2f));
    FloatVector z = t.mul(t);
    FloatVector w = z.mul(z);
    FloatVector even = w.fma(F_LG6, F_LG4);
    even = w.fma(even, FloatVector.broadcast(FS, F_LG2)).mul(w);
    FloatVector odd = w.fma(F_LG7, F_LG5);
    odd = w.fma(odd, FloatVector.broadcast(FS, F_LG3));
    FloatVector r = w.fma(odd, FloatVector.broadcast(FS, F_LG1)).fma(z, even);
    return k.mul(F_LN2_HI).sub(hfsq.sub(t.mul(hfsq.add(r)).add(k.mul(F_LN2_LO))).sub(f));
  }

  /** log(1 + x), as for doubles. */
  static FloatVector log1p(FloatVector x) {
    FloatVector u = x.add(1f);
    FloatVector y = log(u).sub(u.sub(1f).sub(x).div(u));
    y = y.blend(Float.NEGATIVE_INFINITY, u.compare(VectorOperators.EQ, 0f));
    return y.blend(
        x,
        u.compare(VectorOperators.EQ, 1f)
            .or(x.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY)));
  }

  /** e^x − 1 given u = e^x, as for doubles. */
  /** e^x − 1, as for doubles. */
  static FloatVector expm1(FloatVector x) {
    FloatVector u = exp(x);
    FloatVector y = u.sub(1f).mul(x.div(log(u)));
    y = y.blend(u, u.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY));
    y = y.blend(-1f, x.compare(VectorOperators.LT, -18f)); // e^x < 2^-25: rounds to −1
    return y.blend(x, u.compare(VectorOperators.EQ, 1f));
  }
}
