package nabla.kernels;

/**
 * Double-precision functions that {@link Math} lacks and PyTorch has: the error functions, the
 * inverse hyperbolic functions, the base-2 logarithm, and the two remainders. Each is accurate to
 * about one ulp over the whole double range, and follows C's (and so PyTorch's) results at zeros,
 * infinities and NaN.
 */
public final class MathFunctions {
  private MathFunctions() {}

  private static final double LN2 = 0.6931471805599453;

  // ---------------------------------------------------------------- error function

  // The error function follows the method of Sun's fdlibm (1993, also in FreeBSD and musl): on
  // |x| < 0.84375 an odd rational function in x², on [0.84375, 1.25) a rational function of |x|-1
  // around erf(1) (D_ERX is erf(1) rounded to 24 bits, so that D_ERX + P/Q keeps full precision),
  // and
  // beyond 1.25 erfc(x) = exp(-x² - 0.5625 + R/S) / x with R/S rational in 1/x² (two sets of
  // coefficients, split at 1/0.35), where -x² is computed exactly by splitting x into a high part
  // with 32 zero low bits. The coefficients are the published minimax values of that method.

  static final double D_ERX = 8.45062911510467529297e-01;
  private static final double EFX = 1.28379167095512586316e-01;

  // erf(x) = x + x·P(x²)/Q(x²) on |x| < 0.84375
  static final double[] D_ERF_SMALL_P = {
    1.28379167095512558561e-01,
    -3.25042107247001499370e-01,
    -2.84817495755985104766e-02,
    -5.77027029648944159157e-03,
    -2.37630166566501626084e-05
  };
  static final double[] D_ERF_SMALL_Q = {
    1.0,
    3.97917223959155352819e-01,
    6.50222499887672944485e-02,
    5.08130628187576562776e-03,
    1.32494738004321644526e-04,
    -3.96022827877536812320e-06
  };
  // erf(x) = D_ERX + P(s)/Q(s), s = |x| - 1, on [0.84375, 1.25)
  static final double[] D_ERF_NEAR_ONE_P = {
    -2.36211856075265944077e-03,
    4.14856118683748331666e-01,
    -3.72207876035701323847e-01,
    3.18346619901161753674e-01,
    -1.10894694282396677476e-01,
    3.54783043256182359371e-02,
    -2.16637559486879084300e-03
  };
  static final double[] D_ERF_NEAR_ONE_Q = {
    1.0,
    1.06420880400844228286e-01,
    5.40397917702171048937e-01,
    7.18286544141962662868e-02,
    1.26171219808761642112e-01,
    1.36370839120290507362e-02,
    1.19844998467991074170e-02
  };
  // erfc(x) = exp(-x² - 0.5625 + R(s)/S(s)) / x, s = 1/x², on [1.25, 1/0.35)
  static final double[] D_ERF_MID_R = {
    -9.86494403484714822705e-03,
    -6.93858572707181764372e-01,
    -1.05586262253232909814e+01,
    -6.23753324503260060396e+01,
    -1.62396669462573470355e+02,
    -1.84605092906711035994e+02,
    -8.12874355063065934246e+01,
    -9.81432934416914548592e+00
  };
  static final double[] D_ERF_MID_S = {
    1.0,
    1.96512716674392571292e+01,
    1.37657754143519042600e+02,
    4.34565877475229228821e+02,
    6.45387271733267880336e+02,
    4.29008140027567833386e+02,
    1.08635005541779435134e+02,
    6.57024977031928170135e+00,
    -6.04244152148580987438e-02
  };
  // the same on [1/0.35, 28)
  static final double[] D_ERF_TAIL_R = {
    -9.86494292470009928597e-03,
    -7.99283237680523006574e-01,
    -1.77579549177547519889e+01,
    -1.60636384855821916062e+02,
    -6.37566443368389627722e+02,
    -1.02509513161107724954e+03,
    -4.83519191608651397019e+02
  };
  static final double[] D_ERF_TAIL_S = {
    1.0,
    3.03380607434824582924e+01,
    3.25792512996573918826e+02,
    1.53672958608443695994e+03,
    3.19985821950859553908e+03,
    2.55305040643316442583e+03,
    4.74528541206955367215e+02,
    -2.24409524465858183362e+01
  };

  // The same in float32, for the float32 twin of the vector kernels (D_NAME becomes F_NAME there).
  static final float F_ERX = (float) D_ERX;
  static final float[] F_ERF_SMALL_P = floats(D_ERF_SMALL_P);
  static final float[] F_ERF_SMALL_Q = floats(D_ERF_SMALL_Q);
  static final float[] F_ERF_NEAR_ONE_P = floats(D_ERF_NEAR_ONE_P);
  static final float[] F_ERF_NEAR_ONE_Q = floats(D_ERF_NEAR_ONE_Q);
  static final float[] F_ERF_MID_R = floats(D_ERF_MID_R);
  static final float[] F_ERF_MID_S = floats(D_ERF_MID_S);
  static final float[] F_ERF_TAIL_R = floats(D_ERF_TAIL_R);
  static final float[] F_ERF_TAIL_S = floats(D_ERF_TAIL_S);

  private static float[] floats(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  /** c[0] + c[1]·t + c[2]·t² + ... by Horner's rule. */
  private static double poly(double[] c, double t) {
    double r = c[c.length - 1];
    for (int i = c.length - 2; i >= 0; i--) {
      r = r * t + c[i];
    }
    return r;
  }

  /** erfc(a) for 1.25 ≤ a < 28 (a = |x|), without cancellation. */
  private static double erfcTail(double a) {
    double s = 1 / (a * a);
    double ratio =
        a < 1 / 0.35
            ? poly(D_ERF_MID_R, s) / poly(D_ERF_MID_S, s)
            : poly(D_ERF_TAIL_R, s) / poly(D_ERF_TAIL_S, s);
    // hi has a's upper 20 mantissa bits: hi·hi is exact, and a² = hi² + (a - hi)(a + hi)
    double hi = Double.longBitsToDouble(Double.doubleToRawLongBits(a) & 0xffffffff00000000L);
    return Math.exp(-hi * hi - 0.5625) * Math.exp((hi - a) * (hi + a) + ratio) / a;
  }

  /**
   * The error function erf(x) = 2/√π ∫₀ˣ e^(-t²) dt; erf(±∞) = ±1, erf(-0) = -0.
   *
   * <pre>{@code MathFunctions.erf(1)   // 0.8427007929497149}</pre>
   */
  public static double erf(double x) {
    if (Double.isNaN(x)) {
      return x;
    }
    double a = Math.abs(x);
    double r;
    if (a < 0.84375) {
      if (a < 0x1p-28) {
        return x + EFX * x; // 2/√π · x, the next term is below an ulp
      }
      double z = x * x;
      return x + x * (poly(D_ERF_SMALL_P, z) / poly(D_ERF_SMALL_Q, z));
    } else if (a < 1.25) {
      double s = a - 1;
      r = D_ERX + poly(D_ERF_NEAR_ONE_P, s) / poly(D_ERF_NEAR_ONE_Q, s);
    } else if (a < 6) {
      r = 1 - erfcTail(a);
    } else {
      r = 1; // 1 - erfc(6) rounds to 1
    }
    return x < 0 ? -r : r;
  }

  /**
   * The complementary error function erfc(x) = 1 - erf(x), accurate where it is tiny (x large)
   * rather than computed as 1 - erf(x); erfc(-∞) = 2, erfc(∞) = 0.
   *
   * <pre>{@code MathFunctions.erfc(10)   // 2.088487583762545E-45}</pre>
   */
  public static double erfc(double x) {
    if (Double.isNaN(x)) {
      return x;
    }
    double a = Math.abs(x);
    if (a < 0.84375) {
      if (a < 0x1p-56) {
        return 1 - x;
      }
      double z = x * x;
      double y = x * (poly(D_ERF_SMALL_P, z) / poly(D_ERF_SMALL_Q, z));
      // for 1/4 ≤ x < 0.84375, 0.5 - (x - 0.5 + ...) loses fewer bits than 1 - (x + ...)
      return x < 0.25 ? 1 - (x + y) : 0.5 - (x - 0.5 + y);
    }
    double r;
    if (a < 1.25) {
      double s = a - 1;
      double pq = poly(D_ERF_NEAR_ONE_P, s) / poly(D_ERF_NEAR_ONE_Q, s);
      return x > 0 ? 1 - D_ERX - pq : 1 + (D_ERX + pq);
    } else if (a < 28) {
      r = erfcTail(a);
    } else {
      r = 0; // below the smallest subnormal
    }
    return x > 0 ? r : 2 - r;
  }

  // ---------------------------------------------------------------- logarithms

  /**
   * Base-2 logarithm, exact at powers of two: the exponent is taken from the bits and only the
   * significand in [√½, √2) goes through {@link Math#log}.
   *
   * <pre>{@code MathFunctions.log2(8)   // 3.0}</pre>
   */
  public static double log2(double x) {
    if (!(x > 0) || x == Double.POSITIVE_INFINITY) {
      return Math.log(x); // NaN, -∞ at ±0, NaN below 0, ∞ at ∞
    }
    int shift = 0;
    if (x < Double.MIN_NORMAL) {
      x *= 0x1p54;
      shift = 54;
    }
    int e = Math.getExponent(x);
    double m = Math.scalb(x, -e); // in [1, 2)
    if (m > 1.4142135623730951) {
      m *= 0.5;
      e++;
    }
    return (e - shift) + Math.log(m) / LN2;
  }

  // ---------------------------------------------------------------- inverse hyperbolic

  /**
   * Inverse hyperbolic sine, odd: log(|x| + √(x²+1)) computed through log1p for small |x| and as
   * log|x| + log 2 where x² would overflow.
   *
   * <pre>{@code MathFunctions.asinh(1)   // 0.881373587019543}</pre>
   */
  public static double asinh(double x) {
    double a = Math.abs(x);
    if (Double.isNaN(x) || Double.isInfinite(x) || a < 0x1p-28) {
      return x; // asinh(x) = x - x³/6 + ...: x itself below 2^-28
    }
    double r;
    if (a > 0x1p28) {
      r = Math.log(a) + LN2;
    } else if (a > 2) {
      r = Math.log(2 * a + 1 / (Math.sqrt(a * a + 1) + a));
    } else {
      double t = a * a;
      // |x| + √(x²+1) - 1 = |x| + x²/(1 + √(x²+1)) without cancellation
      r = Math.log1p(a + t / (1 + Math.sqrt(1 + t)));
    }
    return x < 0 ? -r : r;
  }

  /**
   * Inverse hyperbolic cosine on [1, ∞): log(x + √(x²-1)); NaN below 1, 0 at 1.
   *
   * <pre>{@code MathFunctions.acosh(2)   // 1.3169578969248166}</pre>
   */
  public static double acosh(double x) {
    if (Double.isNaN(x) || x < 1) {
      return Double.NaN;
    }
    if (x > 0x1p28) {
      return x == Double.POSITIVE_INFINITY ? x : Math.log(x) + LN2;
    }
    if (x > 2) {
      return Math.log(2 * x - 1 / (x + Math.sqrt(x * x - 1)));
    }
    double t = x - 1; // exact for x in [1, 2]: log1p keeps the digits near 1
    return Math.log1p(t + Math.sqrt(2 * t + t * t));
  }

  /**
   * Inverse hyperbolic tangent on [-1, 1]: ½·log((1+x)/(1-x)) through log1p; ±∞ at ±1, NaN beyond.
   *
   * <pre>{@code MathFunctions.atanh(0.5)   // 0.5493061443340549}</pre>
   */
  public static double atanh(double x) {
    double a = Math.abs(x);
    if (Double.isNaN(x) || a > 1) {
      return Double.NaN;
    }
    if (a < 0x1p-28) {
      return x;
    }
    double r;
    if (a < 0.5) {
      // (1+a)/(1-a) - 1 = 2a + 2a²/(1-a)
      r = 0.5 * Math.log1p(2 * a + 2 * a * a / (1 - a));
    } else {
      r = 0.5 * Math.log1p(2 * a / (1 - a)); // 2a/0 = ∞ at a = 1
    }
    return x < 0 ? -r : r;
  }

  // ---------------------------------------------------------------- remainders

  /**
   * The remainder of a / b with the sign of b (Python's {@code %}, PyTorch's {@code remainder}):
   * {@code a - b·floor(a/b)}, computed exactly as C's fmod corrected by one b when the signs
   * differ.
   *
   * <pre>{@code MathFunctions.remainder(-5, 3)   // 1.0}</pre>
   */
  public static double remainder(double a, double b) {
    double r = a % b; // C's fmod: exact, with the sign of a
    if (r != 0 && (r < 0) != (b < 0)) {
      r += b;
    }
    return r;
  }

  /**
   * The remainder of a / b with the sign of a (C's {@code fmod}, PyTorch's {@code fmod}): {@code a
   * - b·trunc(a/b)}, exact.
   *
   * <pre>{@code MathFunctions.fmod(-5, 3)   // -2.0}</pre>
   */
  public static double fmod(double a, double b) {
    return a % b;
  }
}
