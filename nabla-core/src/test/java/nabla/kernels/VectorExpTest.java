package nabla.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.SplittableRandom;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorExp}: accuracy of exp and tanh against the exact functions, the special values, and
 * the property it exists for: the same bits before and after the JIT compiles it.
 */
class VectorExpTest {

  @BeforeAll
  static void vectorApi() {
    assumeTrue(
        ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
        "needs --add-modules jdk.incubator.vector");
  }

  /** f applied to x one preferred-species vector at a time (x's length a multiple of it). */
  static double[] mapD(java.util.function.UnaryOperator<DoubleVector> f, double[] x) {
    double[] out = new double[x.length];
    var s = DoubleVector.SPECIES_PREFERRED;
    for (int i = 0; i < x.length; i += s.length()) {
      f.apply(DoubleVector.fromArray(s, x, i)).intoArray(out, i);
    }
    return out;
  }

  static float[] mapF(java.util.function.UnaryOperator<FloatVector> f, float[] x) {
    float[] out = new float[x.length];
    var s = FloatVector.SPECIES_PREFERRED;
    for (int i = 0; i < x.length; i += s.length()) {
      f.apply(FloatVector.fromArray(s, x, i)).intoArray(out, i);
    }
    return out;
  }

  /** |got − exact| in ulps of the exact value's binade, as a double or as a float. */
  static double ulps(double got, BigDecimal exact) {
    return new BigDecimal(got).subtract(exact).abs().doubleValue() / Math.ulp(exact.doubleValue());
  }

  static double ulps(float got, BigDecimal exact) {
    return new BigDecimal(got).subtract(exact).abs().doubleValue() / Math.ulp(exact.floatValue());
  }

  /** Asserts every got[i] within bound ulps of exact(x[i]), naming the worst. */
  static void assertWithinUlps(
      String what,
      double bound,
      double[] x,
      double[] got,
      java.util.function.DoubleFunction<BigDecimal> exact) {
    double worst = 0;
    double worstAt = 0;
    for (int i = 0; i < x.length; i++) {
      double u = ulps(got[i], exact.apply(x[i]));
      if (u > worst) {
        worst = u;
        worstAt = x[i];
      }
    }
    assertTrue(worst <= bound, what + ": worst error " + worst + " ulp at " + worstAt);
  }

  static void assertWithinUlps(
      String what,
      double bound,
      float[] x,
      float[] got,
      java.util.function.DoubleFunction<BigDecimal> exact) {
    double worst = 0;
    double worstAt = 0;
    for (int i = 0; i < x.length; i++) {
      double u = ulps(got[i], exact.apply(x[i]));
      if (u > worst) {
        worst = u;
        worstAt = x[i];
      }
    }
    assertTrue(worst <= bound, what + ": worst error " + worst + " ulp at " + worstAt);
  }

  /** values at the start of an array of whole vectors (at least 16 elements), zeros after. */
  static double[] padded(double[] values) {
    return java.util.Arrays.copyOf(values, Math.max(16, DoubleVector.SPECIES_PREFERRED.length()));
  }

  static float[] padded(float[] values) {
    return java.util.Arrays.copyOf(values, Math.max(16, FloatVector.SPECIES_PREFERRED.length()));
  }

  static float[] toFloats(double[] x) {
    float[] f = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      f[i] = (float) x[i];
    }
    return f;
  }

  static double[] exp(double[] x) {
    return mapD(VectorExp::exp, x);
  }

  static float[] exp(float[] x) {
    return mapF(VectorExp::exp, x);
  }

  /** e^x to 40 digits (BigDecimal: exp of the integer part by powers, of the rest by series). */
  static BigDecimal exactExp(double x) {
    MathContext mc = new MathContext(40);
    BigDecimal e = new BigDecimal("2.718281828459045235360287471352662497757247093700");
    long n = (long) Math.floor(x);
    BigDecimal f = new BigDecimal(x).subtract(BigDecimal.valueOf(n), mc);
    BigDecimal term = BigDecimal.ONE;
    BigDecimal sum = BigDecimal.ONE;
    for (int k = 1; k < 60; k++) {
      term = term.multiply(f, mc).divide(BigDecimal.valueOf(k), mc);
      sum = sum.add(term, mc);
    }
    BigDecimal pow = n >= 0 ? e.pow((int) n, mc) : BigDecimal.ONE.divide(e.pow((int) -n, mc), mc);
    return sum.multiply(pow, mc);
  }

  static double[] tanh(double[] x) {
    return mapD(VectorExp::tanh, x);
  }

  static float[] tanh(float[] x) {
    return mapF(VectorExp::tanh, x);
  }

  /**
   * tanh(x) to 40 digits: (e^2x − 1)/(e^2x + 1) with {@link #exactExp}, or its series x − x³/3 +
   * 2x⁵/15 − 17x⁷/315 where |x| < 1e-5 (the next term is below 1e-40 of x there; the quotient would
   * lose x in the 40 digits of e^2x).
   */
  static BigDecimal exactTanh(double x) {
    MathContext mc = new MathContext(40);
    BigDecimal b = new BigDecimal(x);
    if (Math.abs(x) < 1e-5) {
      BigDecimal x2 = b.multiply(b, mc);
      BigDecimal poly =
          BigDecimal.ONE
              .subtract(x2.divide(BigDecimal.valueOf(3), mc), mc)
              .add(
                  x2.pow(2, mc)
                      .multiply(BigDecimal.valueOf(2), mc)
                      .divide(BigDecimal.valueOf(15), mc),
                  mc)
              .subtract(
                  x2.pow(3, mc)
                      .multiply(BigDecimal.valueOf(17), mc)
                      .divide(BigDecimal.valueOf(315), mc),
                  mc);
      return b.multiply(poly, mc);
    }
    if (Math.abs(x) > 40) {
      return BigDecimal.valueOf(Math.signum(x));
    }
    BigDecimal e = exactExp(2 * x);
    return e.subtract(BigDecimal.ONE, mc).divide(e.add(BigDecimal.ONE, mc), mc);
  }

  /** Values around the series/exponential switch, near 0 and out to where tanh is 1. */
  static double[] tanhPoints(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      double v =
          switch (i % 4) {
            case 0 -> r.nextDouble(-1, 1);
            case 1 -> r.nextDouble(0.5, 0.6);
            case 2 -> r.nextDouble(-25, 25);
            default -> Math.scalb(r.nextDouble(1, 2), -r.nextInt(1, 60));
          };
      x[i] = r.nextBoolean() ? v : -v;
    }
    return x;
  }

  @Test
  void tanhDoubleWithinItsBound() {
    double[] x = tanhPoints(8192, 4);
    assertWithinUlps("tanh float64", TANH_ULPS_D, x, tanh(x), VectorExpTest::exactTanh);
  }

  @Test
  void tanhFloatWithinItsBound() {
    float[] x = toFloats(tanhPoints(8192, 5));
    assertWithinUlps("tanh float32", TANH_ULPS_F, x, tanh(x), VectorExpTest::exactTanh);
  }

  /**
   * tanh's error bounds in ulps. The worst measured on these points, 1.35 (double) and 1.44
   * (float), is just above the switch to the exponential (tanh 0.5), where 1 − 2/(e^2x + 1) adds
   * the errors of exp, the add and the divide.
   */
  static final double TANH_ULPS_D = 2;

  static final double TANH_ULPS_F = 2;

  @Test
  void tanhSpecialValues() {
    double[] in = {
      0.0,
      -0.0,
      Double.NaN,
      Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY,
      19.1,
      -400.0,
      1e-300,
      -Double.MIN_VALUE,
      0.55
    };
    double[] x = padded(in);
    double[] y = tanh(x);
    assertEquals(0x0L, Double.doubleToRawLongBits(y[0]));
    assertEquals(
        Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(y[1]), "tanh(-0) is -0");
    assertTrue(Double.isNaN(y[2]));
    assertEquals(1.0, y[3]);
    assertEquals(-1.0, y[4]);
    assertEquals(1.0, y[5]);
    assertEquals(-1.0, y[6]);
    assertEquals(1e-300, y[7]);
    assertEquals(-Double.MIN_VALUE, y[8]);
    assertEquals(StrictMath.tanh(0.55), y[9], 2 * Math.ulp(StrictMath.tanh(0.55)));
    float[] fin = {
      0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 9.1f, -100f, 1e-30f
    };
    float[] f = padded(fin);
    float[] g = tanh(f);
    assertEquals(0, Float.floatToRawIntBits(g[0]));
    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(g[1]), "tanh(-0) is -0");
    assertTrue(Float.isNaN(g[2]));
    assertEquals(1f, g[3]);
    assertEquals(-1f, g[4]);
    assertEquals(1f, g[5]);
    assertEquals(-1f, g[6]);
    assertEquals(1e-30f, g[7]);
  }

  static double[] log(double[] x) {
    return mapD(VectorExp::log, x);
  }

  static float[] log(float[] x) {
    return mapF(VectorExp::log, x);
  }

  static final BigDecimal LN2 =
      new BigDecimal("0.69314718055994530941723212145817656807550013436026");

  /** ln x to 40 digits for x > 0: k·ln 2 + 2·atanh((m − 1)/(m + 1)) with x = 2^k·m, m in [1, 2). */
  static BigDecimal exactLog(double x) {
    return exactLog(new BigDecimal(x));
  }

  static BigDecimal exactLog(BigDecimal v) {
    MathContext mc = new MathContext(45);
    double d = v.doubleValue();
    int k = Math.getExponent(d);
    if (k == Double.MIN_EXPONENT - 1) { // subnormal
      k = Math.getExponent(d * 0x1p54) - 54;
    }
    BigDecimal m =
        k >= 0
            ? v.divide(new BigDecimal(java.math.BigInteger.TWO.pow(k)), mc)
            : v.multiply(new BigDecimal(java.math.BigInteger.TWO.pow(-k)), mc);
    BigDecimal u = m.subtract(BigDecimal.ONE).divide(m.add(BigDecimal.ONE), mc);
    BigDecimal u2 = u.multiply(u, mc);
    BigDecimal term = u;
    BigDecimal sum = BigDecimal.ZERO;
    for (int j = 0; j < 60; j++) {
      sum = sum.add(term.divide(BigDecimal.valueOf(2 * j + 1), mc), mc);
      term = term.multiply(u2, mc);
    }
    return sum.multiply(BigDecimal.valueOf(2), mc).add(LN2.multiply(BigDecimal.valueOf(k), mc), mc);
  }

  /**
   * Positive values: spread over the exponents, near 1 (where log is small), near √2, subnormal.
   */
  static double[] logPoints(int n, long seed, boolean single) {
    SplittableRandom r = new SplittableRandom(seed);
    int maxExp = single ? 126 : 1022;
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] =
          switch (i % 5) {
            case 0 -> Math.scalb(r.nextDouble(1, 2), r.nextInt(-maxExp, maxExp + 1));
            case 1 -> 1 + r.nextDouble(-1e-3, 1e-3);
            case 2 -> r.nextDouble(0.5, 2);
            case 3 -> Math.sqrt(2) * (1 + r.nextDouble(-1e-6, 1e-6));
            default ->
                single
                    ? Math.scalb(r.nextDouble(1, 2), -130)
                    : Math.scalb(r.nextDouble(1, 2), -1040);
          };
      if (single) {
        x[i] = (float) x[i];
      }
    }
    return x;
  }

  @Test
  void logDoubleWithinOneUlp() {
    double[] x = logPoints(8192, 6, false);
    assertWithinUlps("log float64", 1, x, log(x), VectorExpTest::exactLog);
  }

  @Test
  void logFloatWithinOneUlp() {
    float[] x = toFloats(logPoints(8192, 7, true));
    assertWithinUlps("log float32", 1, x, log(x), VectorExpTest::exactLog);
  }

  @Test
  void logSpecialValues() {
    double[] in = {
      0.0,
      -0.0,
      -1.0,
      Double.NaN,
      Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY,
      1.0,
      2.0,
      Double.MIN_VALUE,
      Double.MAX_VALUE,
      Double.MIN_NORMAL,
      Math.E
    };
    double[] x = padded(in);
    double[] y = log(x);
    assertEquals(Double.NEGATIVE_INFINITY, y[0]);
    assertEquals(Double.NEGATIVE_INFINITY, y[1]);
    assertTrue(Double.isNaN(y[2]));
    assertTrue(Double.isNaN(y[3]));
    assertEquals(Double.POSITIVE_INFINITY, y[4]);
    assertTrue(Double.isNaN(y[5]));
    assertEquals(0x0L, Double.doubleToRawLongBits(y[6]), "log(1) is +0");
    assertEquals(StrictMath.log(2.0), y[7], Math.ulp(StrictMath.log(2.0)));
    assertEquals(
        StrictMath.log(Double.MIN_VALUE), y[8], Math.ulp(StrictMath.log(Double.MIN_VALUE)));
    assertEquals(
        StrictMath.log(Double.MAX_VALUE), y[9], Math.ulp(StrictMath.log(Double.MAX_VALUE)));
    assertEquals(
        StrictMath.log(Double.MIN_NORMAL), y[10], Math.ulp(StrictMath.log(Double.MIN_NORMAL)));
    assertEquals(1.0, y[11], Math.ulp(1.0));
    float[] fin = {
      0f,
      -0f,
      -1f,
      Float.NaN,
      Float.POSITIVE_INFINITY,
      Float.NEGATIVE_INFINITY,
      1f,
      Float.MIN_VALUE,
      Float.MAX_VALUE
    };
    float[] f = padded(fin);
    float[] g = log(f);
    assertEquals(Float.NEGATIVE_INFINITY, g[0]);
    assertEquals(Float.NEGATIVE_INFINITY, g[1]);
    assertTrue(Float.isNaN(g[2]));
    assertTrue(Float.isNaN(g[3]));
    assertEquals(Float.POSITIVE_INFINITY, g[4]);
    assertTrue(Float.isNaN(g[5]));
    assertEquals(0, Float.floatToRawIntBits(g[6]), "log(1) is +0");
    assertEquals(
        (float) Math.log(Float.MIN_VALUE), g[7], Math.ulp((float) Math.log(Float.MIN_VALUE)));
    assertEquals(
        (float) Math.log(Float.MAX_VALUE), g[8], Math.ulp((float) Math.log(Float.MAX_VALUE)));
  }

  static double[] log1p(double[] x) {
    return mapD(VectorExp::log1p, x);
  }

  static float[] log1p(float[] x) {
    return mapF(VectorExp::log1p, x);
  }

  /**
   * log(1 + x) to 40 digits: the series x − x²/2 + x³/3 − … for |x| < 1e-3 (where 1 + x would need
   * many digits), else {@link #exactLog} of the exact 1 + x.
   */
  static BigDecimal exactLog1p(double x) {
    MathContext mc = new MathContext(45);
    BigDecimal b = new BigDecimal(x);
    if (Math.abs(x) < 1e-3) {
      BigDecimal sum = BigDecimal.ZERO;
      BigDecimal power = b;
      for (int j = 1; j < 20; j++) {
        BigDecimal term = power.divide(BigDecimal.valueOf(j), mc);
        sum = j % 2 == 1 ? sum.add(term, mc) : sum.subtract(term, mc);
        power = power.multiply(b, mc);
      }
      return sum;
    }
    return exactLog(b.add(BigDecimal.ONE));
  }

  /** Values above −1: tiny, small, around 0, near −1, large. */
  static double[] log1pPoints(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] =
          switch (i % 5) {
            case 0 -> Math.scalb(r.nextDouble(-2, 2), -r.nextInt(1, 60));
            case 1 -> r.nextDouble(-0.5, 1);
            case 2 -> r.nextDouble(-1, -0.9);
            case 3 -> Math.scalb(r.nextDouble(1, 2), r.nextInt(0, 100));
            default -> r.nextDouble(-1e-3, 1e-3);
          };
    }
    return x;
  }

  @Test
  void log1pWithinItsBound() {
    double[] x = log1pPoints(8192, 8);
    assertWithinUlps("log1p float64", LOG1P_ULPS, x, log1p(x), VectorExpTest::exactLog1p);
    float[] xf = toFloats(x);
    assertWithinUlps("log1p float32", LOG1P_ULPS, xf, log1p(xf), VectorExpTest::exactLog1p);
  }

  /**
   * log1p's bound in ulps (measured on these points: 1.41 double, 1.31 float, both at tiny x < 0).
   */
  static final double LOG1P_ULPS = 2;

  @Test
  void log1pSpecialValues() {
    double[] in = {0.0, -0.0, -1.0, -2.0, Double.NaN, Double.POSITIVE_INFINITY, 1e-300, -1e-17};
    double[] x = padded(in);
    double[] y = log1p(x);
    assertEquals(0L, Double.doubleToRawLongBits(y[0]));
    assertEquals(
        Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(y[1]), "log1p(-0) is -0");
    assertEquals(Double.NEGATIVE_INFINITY, y[2]);
    assertTrue(Double.isNaN(y[3]));
    assertTrue(Double.isNaN(y[4]));
    assertEquals(Double.POSITIVE_INFINITY, y[5]);
    assertEquals(1e-300, y[6]);
    assertEquals(-1e-17, y[7]);
    float[] fin = {0f, -0f, -1f, -2f, Float.NaN, Float.POSITIVE_INFINITY, 1e-30f};
    float[] f = padded(fin);
    float[] g = log1p(f);
    assertEquals(0, Float.floatToRawIntBits(g[0]));
    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(g[1]), "log1p(-0) is -0");
    assertEquals(Float.NEGATIVE_INFINITY, g[2]);
    assertTrue(Float.isNaN(g[3]));
    assertTrue(Float.isNaN(g[4]));
    assertEquals(Float.POSITIVE_INFINITY, g[5]);
    assertEquals(1e-30f, g[6]);
  }

  static double[] expm1(double[] x) {
    return mapD(VectorExp::expm1, x);
  }

  static float[] expm1(float[] x) {
    return mapF(VectorExp::expm1, x);
  }

  /** e^x − 1 to 40 digits: its series for |x| < 1e-3, else {@link #exactExp} − 1. */
  static BigDecimal exactExpm1(double x) {
    MathContext mc = new MathContext(45);
    BigDecimal b = new BigDecimal(x);
    if (Math.abs(x) < 1e-3) {
      BigDecimal sum = BigDecimal.ZERO;
      BigDecimal term = b;
      for (int j = 2; j < 20; j++) {
        sum = sum.add(term, mc);
        term = term.multiply(b, mc).divide(BigDecimal.valueOf(j), mc);
      }
      return sum;
    }
    return exactExp(x).subtract(BigDecimal.ONE, mc);
  }

  @Test
  void expm1WithinItsBound() {
    SplittableRandom r = new SplittableRandom(9);
    double[] x = new double[8192];
    for (int i = 0; i < x.length; i++) {
      x[i] =
          switch (i % 4) {
            case 0 -> Math.scalb(r.nextDouble(-2, 2), -r.nextInt(1, 60));
            case 1 -> r.nextDouble(-1, 1);
            case 2 -> r.nextDouble(-40, 80);
            default -> r.nextDouble(-1e-3, 1e-3);
          };
    }
    assertWithinUlps("expm1 float64", EXPM1_ULPS, x, expm1(x), VectorExpTest::exactExpm1);
    float[] xf = toFloats(x);
    assertWithinUlps("expm1 float32", EXPM1_ULPS, xf, expm1(xf), VectorExpTest::exactExpm1);
  }

  /** expm1's bound in ulps (measured on these points: 2.07 double, 1.85 float). */
  static final double EXPM1_ULPS = 3;

  @Test
  void expm1SpecialValues() {
    double[] in = {
      0.0,
      -0.0,
      Double.NaN,
      Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY,
      710,
      -800,
      1e-300,
      709.7
    };
    double[] x = padded(in);
    double[] y = expm1(x);
    assertEquals(0L, Double.doubleToRawLongBits(y[0]));
    assertEquals(
        Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(y[1]), "expm1(-0) is -0");
    assertTrue(Double.isNaN(y[2]));
    assertEquals(Double.POSITIVE_INFINITY, y[3]);
    assertEquals(-1.0, y[4]);
    assertEquals(Double.POSITIVE_INFINITY, y[5]);
    assertEquals(-1.0, y[6]);
    assertEquals(1e-300, y[7]);
    assertEquals(StrictMath.expm1(709.7), y[8], 3 * Math.ulp(StrictMath.expm1(709.7)));
    float[] fin = {
      0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 89f, -120f
    };
    float[] f = padded(fin);
    float[] g = expm1(f);
    assertEquals(0, Float.floatToRawIntBits(g[0]));
    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(g[1]), "expm1(-0) is -0");
    assertTrue(Float.isNaN(g[2]));
    assertEquals(Float.POSITIVE_INFINITY, g[3]);
    assertEquals(-1f, g[4]);
    assertEquals(Float.POSITIVE_INFINITY, g[5]);
    assertEquals(-1f, g[6]);
  }

  /**
   * exp must stay inlinable: C2 inlines a hot callee of at most 325 bytes of bytecode
   * (FreqInlineSize); a bigger one is called with its vector boxed as an abstract DoubleVector and
   * runs the Vector API's Java fallbacks (the float64 exp was 327 bytes and ran at Math.exp's
   * speed, 2.2-2.7 ns an element instead of about 1). Reads the class file with
   * java.lang.classfile.
   */
  @Test
  void expIsSmallEnoughToInline() throws Exception {
    byte[] bytes;
    try (var in = VectorExp.class.getResourceAsStream("VectorExp.class")) {
      bytes = in.readAllBytes();
    }
    var model = java.lang.classfile.ClassFile.of().parse(bytes);
    int checked = 0;
    for (var m : model.methods()) {
      String name = m.methodName().stringValue();
      int params = m.methodTypeSymbol().parameterCount();
      if ((name.equals("exp") && params == 2)
          || name.equals("tanh")
          || name.equals("log")
          || name.equals("logOfPositive")
          || name.equals("log1p")
          || name.equals("expm1")) {
        int size =
            m.findAttribute(java.lang.classfile.Attributes.code()).orElseThrow().codeLength();
        assertTrue(
            size <= 325,
            "VectorExp." + m.methodTypeSymbol().displayDescriptor() + " is " + size + " bytes");
        checked++;
      }
    }
    assertEquals(12, checked, "float and double exp(x, k), tanh, log, logOfPositive, log1p, expm1");
  }

  @Test
  void doubleWithinOneUlp() {
    SplittableRandom r = new SplittableRandom(1);
    double[] x = new double[4096];
    for (int i = 0; i < x.length; i++) {
      x[i] = i < 2048 ? r.nextDouble(-20, 20) : r.nextDouble(-700, 700);
    }
    assertWithinUlps("exp float64", 1, x, exp(x), VectorExpTest::exactExp);
  }

  @Test
  void floatWithinTwoUlps() {
    SplittableRandom r = new SplittableRandom(2);
    float[] x = new float[4096];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (i < 2048 ? r.nextDouble(-10, 10) : r.nextDouble(-87, 88));
    }
    assertWithinUlps("exp float32", 2, x, exp(x), VectorExpTest::exactExp);
  }

  @Test
  void specialValuesAndTheEdgesOfTheRange() {
    double[] x = new double[16];
    double[] in = {
      0.0,
      -0.0,
      1.0,
      Double.NaN,
      Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY,
      709.78,
      709.79,
      -745.0,
      -746.0,
      -708.5,
      -740.0
    };
    System.arraycopy(in, 0, x, 0, in.length);
    double[] y = exp(x);
    assertEquals(1.0, y[0]);
    assertEquals(1.0, y[1]);
    assertEquals(Math.E, y[2], Math.ulp(Math.E));
    assertTrue(Double.isNaN(y[3]));
    assertEquals(Double.POSITIVE_INFINITY, y[4]);
    assertEquals(0.0, y[5]);
    assertEquals(StrictMath.exp(709.78), y[6], Math.ulp(StrictMath.exp(709.78)));
    assertEquals(Double.POSITIVE_INFINITY, y[7]);
    assertEquals(StrictMath.exp(-745.0), y[8]); // the smallest subnormal
    assertEquals(0.0, y[9]);
    assertEquals(StrictMath.exp(-708.5), y[10], Math.ulp(StrictMath.exp(-708.5)));
    assertEquals(StrictMath.exp(-740.0), y[11], Math.ulp(StrictMath.exp(-740.0)));
    float[] f = new float[32];
    float[] fin = {
      0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 88.7f, 89f, -103f, -104f
    };
    System.arraycopy(fin, 0, f, 0, fin.length);
    float[] g = exp(f);
    assertEquals(1f, g[0]);
    assertTrue(Float.isNaN(g[1]));
    assertEquals(Float.POSITIVE_INFINITY, g[2]);
    assertEquals(0f, g[3]);
    assertEquals(
        (float) Math.exp((double) 88.7f), g[4], Math.ulp((float) Math.exp((double) 88.7f)) * 2);
    assertEquals(Float.POSITIVE_INFINITY, g[5]);
    assertEquals((float) Math.exp(-103), g[6], Float.MIN_VALUE); // subnormal
    assertEquals(0f, g[7]);
  }

  /** The reason for this class: no bit may change once C2 has compiled the kernel. */
  @Test
  void sameBitsBeforeAndAfterCompilation() {
    SplittableRandom r = new SplittableRandom(3);
    double[] x = new double[256];
    float[] xf = new float[256];
    for (int i = 0; i < x.length; i++) {
      x[i] = i % 2 == 0 ? r.nextDouble(-30, 30) : r.nextDouble(-1, 1);
      xf[i] = (float) x[i];
    }
    double[] first = exp(x);
    float[] firstF = exp(xf);
    double[] firstTanh = tanh(x);
    float[] firstTanhF = tanh(xf);
    double[] firstLog = log(x);
    float[] firstLogF = log(xf);
    for (int k = 0; k < 20_000; k++) {
      exp(x);
      exp(xf);
      tanh(x);
      tanh(xf);
      log(x);
      log(xf);
    }
    double[] later = exp(x);
    float[] laterF = exp(xf);
    double[] laterTanh = tanh(x);
    float[] laterTanhF = tanh(xf);
    double[] laterLog = log(x);
    float[] laterLogF = log(xf);
    for (int i = 0; i < x.length; i++) {
      assertEquals(Double.doubleToRawLongBits(first[i]), Double.doubleToRawLongBits(later[i]));
      assertEquals(Float.floatToRawIntBits(firstF[i]), Float.floatToRawIntBits(laterF[i]));
      assertEquals(
          Double.doubleToRawLongBits(firstTanh[i]), Double.doubleToRawLongBits(laterTanh[i]));
      assertEquals(Float.floatToRawIntBits(firstTanhF[i]), Float.floatToRawIntBits(laterTanhF[i]));
      assertEquals(
          Double.doubleToRawLongBits(firstLog[i]), Double.doubleToRawLongBits(laterLog[i]));
      assertEquals(Float.floatToRawIntBits(firstLogF[i]), Float.floatToRawIntBits(laterLogF[i]));
    }
  }
}
