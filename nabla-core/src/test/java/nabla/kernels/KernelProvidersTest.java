package nabla.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import nabla.storage.Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The two kernel providers side by side in one JVM: every kernel family of the Vector API provider
 * against the scalar one, on the same inputs. Bit-identical where the design promises it (sums,
 * arithmetic, comparisons, selection, and the correctly rounded unary ops), within the ulp bounds
 * below for the transcendental functions, and within the classical error bound for GEMM (fused
 * multiply-adds and another summation order). Skipped, with a reason, when this JVM has no {@code
 * jdk.incubator.vector}; the build's test JVM always has it.
 */
class KernelProvidersTest {

  /** Unary ops whose vector and scalar results must have the same bits. */
  static final EnumSet<UnaryOp> EXACT_UNARY =
      EnumSet.of(UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SQRT, UnaryOp.RELU, UnaryOp.SIGN);

  /**
   * Largest distance, in units in the last place of the result, between the two providers for the
   * transcendental unary ops: the Vector API's functions are within 1 ulp of the exact result, as
   * are {@link Math}'s (float32 computes in double and rounds once), so 2; sigmoid composes an
   * exponential, an add and one or two divides or multiplies in each provider, so 4.
   */
  static final long TRANSCENDENTAL_ULPS = 2;

  static final long SIGMOID_ULPS = 4;

  /** silu multiplies the sigmoid by x: one more rounding. */
  static final long SILU_ULPS = 5;

  /**
   * erf and erfc: the same rational functions in both, but the tail multiplies two exponentials
   * (the vector one within an ulp of Math.exp) and splits x² differently.
   */
  static final long ERROR_FUNCTION_ULPS = 4;

  /**
   * log1p: the vector one is log u − ((u − 1) − x)/u with u = 1 + x (within 1.5 ulps,
   * VectorExpTest), Math.log1p within 1.
   */
  static final long LOG1P_ULPS = 3;

  /** expm1: the vector one is Kahan's (u − 1)·x/log u (within 2.1 ulps), Math.expm1 within 1. */
  static final long EXPM1_ULPS = 4;

  static long bound(UnaryOp op) {
    return switch (op) {
      case LOG1P -> LOG1P_ULPS;
      case EXPM1 -> EXPM1_ULPS;
      case SIGMOID -> SIGMOID_ULPS;
      case SILU -> SILU_ULPS;
      case ERF, ERFC -> ERROR_FUNCTION_ULPS;
      default -> TRANSCENDENTAL_ULPS;
    };
  }

  static final double EPS_F = 0x1p-24;
  static final double EPS_D = 0x1p-53;

  private static KernelProvider vector() {
    try {
      return KernelProvider.vector();
    } catch (UnsupportedOperationException e) {
      assumeTrue(false, "no Vector API provider in this JVM: " + e.getMessage());
      throw e;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // the choice
  // ---------------------------------------------------------------------------------------------

  @Test
  void chosenProviderMatchesTheJvm() {
    boolean module = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    boolean off = "false".equalsIgnoreCase(System.getProperty("nabla.simd", "").trim());
    KernelProvider chosen = KernelProvider.chosen();
    assertSame(chosen, KernelProvider.chosen(), "chosen once");
    if (!module || off) {
      assertSame(KernelProvider.SCALAR, chosen);
      assertEquals(false, Simd.enabled());
    } else {
      assertEquals(KernelProvider.vector(), chosen);
      assertTrue(chosen.name().endsWith("-bit vectors"), chosen.name());
      assertEquals(true, Simd.enabled());
    }
  }

  @Test
  void vectorProviderIsEitherLoadedOrRefusedWithAReason() {
    boolean module = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    if (module) {
      KernelProvider v = KernelProvider.vector();
      assertTrue(v != KernelProvider.SCALAR && v.elementwiseFloat() != ScalarKernelsFloat.INSTANCE);
    } else {
      UnsupportedOperationException e =
          assertThrows(UnsupportedOperationException.class, KernelProvider::vector);
      assertTrue(e.getMessage().contains("--add-modules jdk.incubator.vector"), e.getMessage());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // inputs
  // ---------------------------------------------------------------------------------------------

  /** Lengths around the vector minimum (32), the vector widths and the sum groups (16, 32). */
  static final int[] LENGTHS = {0, 1, 2, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 257, 1029};

  static final double[] SPECIALS = {
    Double.NaN,
    0.0,
    -0.0,
    Double.POSITIVE_INFINITY,
    Double.NEGATIVE_INFINITY,
    Double.MIN_VALUE,
    -Double.MIN_VALUE,
    1e-310,
    1.0,
    -1.0,
    1e300,
    -1e300,
    3e38,
    1e-40
  };

  /** Random values in [-4, 4), one in seven a special value (NaN, signed zero, infinity, ...). */
  static double[] values(SplittableRandom r, int n) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = r.nextInt(7) == 0 ? SPECIALS[r.nextInt(SPECIALS.length)] : r.nextDouble() * 8 - 4;
    }
    return x;
  }

  static float[] toFloat(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  /** Two ranges at a non-zero offset of arrays with sentinels around them. */
  static final int PAD = 3;

  static Stream<Arguments> lengthsAndStrides() {
    List<Arguments> out = new ArrayList<>();
    for (int n : LENGTHS) {
      for (int[] s : new int[][] {{1, 1}, {1, 0}, {0, 1}, {0, 0}}) {
        out.add(Arguments.of(n, s[0], s[1]));
      }
    }
    return out.stream();
  }

  // ---------------------------------------------------------------------------------------------
  // elementwise
  // ---------------------------------------------------------------------------------------------

  @ParameterizedTest(name = "n={0} strides {1},{2}")
  @MethodSource("lengthsAndStrides")
  void binaryAndCompareAndWhereAreBitIdentical(int n, int as, int bs) {
    KernelProvider v = vector();
    SplittableRandom r = new SplittableRandom(31L * n + 7 * as + bs);
    double[] a = values(r, n + 2 * PAD);
    double[] b = values(r, n + 2 * PAD);
    boolean[] c = new boolean[n + 2 * PAD];
    for (int i = 0; i < c.length; i++) {
      c[i] = r.nextBoolean();
    }
    float[] af = toFloat(a), bf = toFloat(b);
    for (BinaryOp op : BinaryOp.values()) {
      String what = op + " n=" + n + " strides " + as + "," + bs;
      if (op.isComparison()) {
        boolean[] os = new boolean[n + 2 * PAD], ov = new boolean[n + 2 * PAD];
        SCALAR_D.compare(op, a, PAD, as, b, PAD, bs, os, PAD, n);
        v.elementwiseDouble().compare(op, a, PAD, as, b, PAD, bs, ov, PAD, n);
        assertTrue(Arrays.equals(os, ov), "float64 " + what);
        os = new boolean[n + 2 * PAD];
        ov = new boolean[n + 2 * PAD];
        SCALAR_F.compare(op, af, PAD, as, bf, PAD, bs, os, PAD, n);
        v.elementwiseFloat().compare(op, af, PAD, as, bf, PAD, bs, ov, PAD, n);
        assertTrue(Arrays.equals(os, ov), "float32 " + what);
        continue;
      }
      double[] os = sentinels(n), ov = sentinels(n);
      SCALAR_D.binary(op, a, PAD, as, b, PAD, bs, os, PAD, n);
      v.elementwiseDouble().binary(op, a, PAD, as, b, PAD, bs, ov, PAD, n);
      sameBits("float64 " + what, os, ov);
      float[] fs = sentinelsF(n), fv = sentinelsF(n);
      SCALAR_F.binary(op, af, PAD, as, bf, PAD, bs, fs, PAD, n);
      v.elementwiseFloat().binary(op, af, PAD, as, bf, PAD, bs, fv, PAD, n);
      sameBits("float32 " + what, fs, fv);
      // In place: the output is the first operand (an accumulation).
      double[] is = a.clone(), iv = a.clone();
      SCALAR_D.binary(op, is, PAD, 1, b, PAD, bs, is, PAD, n);
      v.elementwiseDouble().binary(op, iv, PAD, 1, b, PAD, bs, iv, PAD, n);
      sameBits("float64 in place " + what, is, iv);
    }
    for (int cs : new int[] {1, 0}) {
      String what = "where n=" + n + " strides " + cs + "," + as + "," + bs;
      double[] os = sentinels(n), ov = sentinels(n);
      SCALAR_D.where(c, PAD, cs, a, PAD, as, b, PAD, bs, os, PAD, n);
      v.elementwiseDouble().where(c, PAD, cs, a, PAD, as, b, PAD, bs, ov, PAD, n);
      sameBits("float64 " + what, os, ov);
      float[] fs = sentinelsF(n), fv = sentinelsF(n);
      SCALAR_F.where(c, PAD, cs, af, PAD, as, bf, PAD, bs, fs, PAD, n);
      v.elementwiseFloat().where(c, PAD, cs, af, PAD, as, bf, PAD, bs, fv, PAD, n);
      sameBits("float32 " + what, fs, fv);
    }
  }

  @Test
  void unaryOpsAgreeBitForBitOrWithinTheirUlpBound() {
    KernelProvider v = vector();
    for (int n : LENGTHS) {
      SplittableRandom r = new SplittableRandom(n);
      // Wide ranges: exp overflows and underflows, log sees negatives and zeros, sin/cos large.
      double[] x = values(r, n + 2 * PAD);
      for (int i = 0; i < x.length; i += 3) {
        x[i] *= 200;
      }
      float[] xf = toFloat(x);
      for (UnaryOp op : UnaryOp.values()) {
        String what = op + " n=" + n;
        double[] os = sentinels(n), ov = sentinels(n);
        SCALAR_D.unary(op, x, PAD, os, PAD, n);
        v.elementwiseDouble().unary(op, x, PAD, ov, PAD, n);
        float[] fs = sentinelsF(n), fv = sentinelsF(n);
        SCALAR_F.unary(op, xf, PAD, fs, PAD, n);
        v.elementwiseFloat().unary(op, xf, PAD, fv, PAD, n);
        if (EXACT_UNARY.contains(op)) {
          sameBits("float64 " + what, os, ov);
          sameBits("float32 " + what, fs, fv);
        } else {
          long bound = bound(op);
          withinUlps("float64 " + what, os, ov, bound);
          withinUlps("float32 " + what, fs, fv, bound);
        }
      }
    }
  }

  /**
   * The vector erf and erfc run in passes over blocks of 2,048 elements, through the output array
   * or, when the output overlaps the input, a scratch block: in place, at offsets, and over several
   * blocks and a partial vector, every element must have the bits of the same element computed
   * alone (a pass reading a value another pass already overwrote, or a block boundary off by one,
   * fails it).
   */
  @Test
  void errorFunctionsInPlaceAndAcrossBlocksGiveEachElementsOwnBits() {
    KernelProvider v = vector();
    java.util.SplittableRandom r = new java.util.SplittableRandom(11);
    int n = 2 * 2048 + 37;
    double[] x = new double[n + 5];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextDouble(-6, 6);
    }
    float[] xf = toFloat(x);
    for (UnaryOp op : new UnaryOp[] {UnaryOp.ERF, UnaryOp.ERFC}) {
      double[] alone = new double[1];
      float[] aloneF = new float[1];
      double[] out = new double[n + 9];
      v.elementwiseDouble().unary(op, x, 5, out, 9, n);
      double[] inPlace = x.clone();
      v.elementwiseDouble().unary(op, inPlace, 5, inPlace, 5, n);
      float[] outF = new float[n + 9];
      v.elementwiseFloat().unary(op, xf, 5, outF, 9, n);
      float[] inPlaceF = xf.clone();
      v.elementwiseFloat().unary(op, inPlaceF, 5, inPlaceF, 5, n);
      for (int i = 0; i < n; i++) {
        v.elementwiseDouble().unary(op, x, 5 + i, alone, 0, 1);
        assertEquals(
            Double.doubleToRawLongBits(alone[0]),
            Double.doubleToRawLongBits(out[9 + i]),
            op + " " + i);
        assertEquals(
            Double.doubleToRawLongBits(alone[0]),
            Double.doubleToRawLongBits(inPlace[5 + i]),
            op + " in place " + i);
        v.elementwiseFloat().unary(op, xf, 5 + i, aloneF, 0, 1);
        assertEquals(
            Float.floatToRawIntBits(aloneF[0]), Float.floatToRawIntBits(outF[9 + i]), op + " " + i);
        assertEquals(
            Float.floatToRawIntBits(aloneF[0]),
            Float.floatToRawIntBits(inPlaceF[5 + i]),
            op + " in place " + i);
      }
      assertEquals(0.0, out[8], "nothing written before the output range");
      assertEquals(x[4], inPlace[4], "nothing written before the input range");
    }
  }

  /**
   * The range ends and the special values of erf and erfc in vector lanes: as the scalar kernel.
   */
  @Test
  void errorFunctionsAtRangeEndsAndSpecialValues() {
    KernelProvider v = vector();
    double[] ends = {
      0.0,
      -0.0,
      1e-300,
      0x1p-28,
      0x1p-56,
      0.25,
      0.84375,
      1.25,
      1 / 0.35,
      6,
      27.5,
      28,
      30,
      1e300,
      Double.POSITIVE_INFINITY,
      Double.NaN,
      Math.nextDown(0.84375),
      Math.nextDown(1.25)
    };
    double[] x = new double[4 * ends.length];
    for (int i = 0; i < ends.length; i++) {
      x[4 * i] = ends[i];
      x[4 * i + 1] = -ends[i];
      x[4 * i + 2] = Math.nextUp(ends[i]);
      x[4 * i + 3] = -Math.nextUp(ends[i]);
    }
    float[] xf = toFloat(x);
    for (UnaryOp op : new UnaryOp[] {UnaryOp.ERF, UnaryOp.ERFC}) {
      double[] os = new double[x.length], ov = new double[x.length];
      SCALAR_D.unary(op, x, 0, os, 0, x.length);
      v.elementwiseDouble().unary(op, x, 0, ov, 0, x.length);
      withinUlps("float64 " + op, os, ov, bound(op));
      float[] fs = new float[x.length], fv = new float[x.length];
      SCALAR_F.unary(op, xf, 0, fs, 0, x.length);
      v.elementwiseFloat().unary(op, xf, 0, fv, 0, x.length);
      withinUlps("float32 " + op, fs, fv, bound(op));
      for (int i = 0; i < x.length; i++) { // exact where the value is exact: ±1, 0, 2, NaN, ±0
        if (os[i] == 0 || Math.abs(os[i]) == 1 || os[i] == 2 || Double.isNaN(os[i])) {
          assertEquals(os[i], ov[i], 0.0, op + "(" + x[i] + ")");
        }
      }
    }
  }

  @Test
  void transcendentalUlpBoundHoldsOnManyValues() {
    KernelProvider v = vector();
    int n = 200_000;
    SplittableRandom r = new SplittableRandom(2025);
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      // log-uniform magnitudes from 1e-8 to 1e3, both signs
      x[i] = Math.copySign(Math.pow(10, r.nextDouble() * 11 - 8), r.nextDouble() - 0.5);
    }
    float[] xf = toFloat(x);
    for (UnaryOp op : UnaryOp.values()) {
      if (EXACT_UNARY.contains(op)) {
        continue;
      }
      double[] os = new double[n], ov = new double[n];
      SCALAR_D.unary(op, x, 0, os, 0, n);
      v.elementwiseDouble().unary(op, x, 0, ov, 0, n);
      float[] fs = new float[n], fv = new float[n];
      SCALAR_F.unary(op, xf, 0, fs, 0, n);
      v.elementwiseFloat().unary(op, xf, 0, fv, 0, n);
      long bound = bound(op);
      withinUlps("float64 " + op, os, ov, bound);
      withinUlps("float32 " + op, fs, fv, bound);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // sums
  // ---------------------------------------------------------------------------------------------

  static Stream<Integer> sumLengths() {
    List<Integer> out = new ArrayList<>();
    for (int n = 0; n <= 130; n++) {
      out.add(n);
    }
    out.addAll(List.of(4095, 4096, 4097, 3 * 4096 + 31, 32_767, 32_768, 65_536 + 13, 100_003));
    return out.stream();
  }

  /**
   * The sum kernels of the Vector API provider, and its 256-bit variant when the machine prefers
   * 512 bits (so both vector layouts are checked on a 512-bit machine).
   */
  static List<SumKernels> vectorSums() {
    KernelProvider v = vector();
    return List.of(v.sums(), VectorSumKernels.with256BitVectors());
  }

  @ParameterizedTest(name = "n={0}")
  @MethodSource("sumLengths")
  void sumsAreBitIdentical(int n) {
    List<SumKernels> vectors = vectorSums();
    SplittableRandom r = new SplittableRandom(n);
    for (int off = 0; off < 4; off++) {
      double[] d = new double[n + off];
      for (int i = 0; i < d.length; i++) {
        // magnitudes over many binades, so that the order of the additions shows in the result
        d[i] = (r.nextDouble() - 0.3) * Math.scalb(1.0, r.nextInt(40) - 20);
      }
      float[] f = toFloat(d);
      for (SumKernels v : vectors) {
        String what = "n=" + n + " offset " + off + " " + v;
        assertEquals(
            bits(KernelProvider.SCALAR.sums().sum(d, off, n)),
            bits(v.sum(d, off, n)),
            "float64 sum " + what);
        assertEquals(
            bits(KernelProvider.SCALAR.sums().sum(f, off, n)),
            bits(v.sum(f, off, n)),
            "float32 sum " + what);
      }
    }
  }

  @Test
  void sumsOfSpecialValuesAgree() {
    List<SumKernels> vectors = vectorSums();
    SplittableRandom r = new SplittableRandom(9);
    for (int trial = 0; trial < 300; trial++) {
      int n = r.nextInt(300);
      double[] d = values(r, n);
      float[] f = toFloat(d);
      for (SumKernels v : vectors) {
        assertEquals(
            bits(KernelProvider.SCALAR.sums().sum(d, 0, n)),
            bits(v.sum(d, 0, n)),
            "float64 " + Arrays.toString(d));
        assertEquals(
            bits(KernelProvider.SCALAR.sums().sum(f, 0, n)),
            bits(v.sum(f, 0, n)),
            "float32 " + Arrays.toString(f));
      }
    }
  }

  @Test
  void parallelBlockedSumsAreBitIdentical() {
    KernelProvider v = vector();
    int before = Parallel.threads();
    try {
      for (int threads : new int[] {1, 2, 3}) {
        Parallel.setThreads(threads);
        SplittableRandom r = new SplittableRandom(threads);
        int n = 300_017;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
          d[i] = r.nextDouble() - 0.25;
        }
        Storage sd = Storage.wrap(d), sf = Storage.wrap(toFloat(d));
        assertEquals(
            bits(Flat.sum(KernelProvider.SCALAR.sums(), sd, 5, n - 5)),
            bits(Flat.sum(v.sums(), sd, 5, n - 5)),
            "float64, threads " + threads);
        assertEquals(
            bits(Flat.sum(KernelProvider.SCALAR.sums(), sf, 5, n - 5)),
            bits(Flat.sum(v.sums(), sf, 5, n - 5)),
            "float32, threads " + threads);
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  @Test
  void sumFollowsTheDocumentedOrder() {
    // One float64 group: 1e16 and fifteen 1s. Added one by one, every 1 is lost against 1e16
    // (1e16 + 1 rounds back to 1e16). In the documented order partial sums l and l + 8 meet
    // first, so seven of the 1s pair up into 2s, which survive: 1e16 + 14.
    double[] d = new double[16];
    d[0] = 1e16;
    for (int l = 1; l < 16; l++) {
      d[l] = 1;
    }
    double sequential = 0;
    for (double x : d) {
      sequential += x;
    }
    assertEquals(1e16, sequential, 0.0);
    assertEquals(1e16 + 14, KernelProvider.SCALAR.sums().sum(d, 0, 16), 0.0);
    assertEquals(
        bits(KernelProvider.SCALAR.sums().sum(d, 0, 16)), bits(vector().sums().sum(d, 0, 16)));
  }

  // ---------------------------------------------------------------------------------------------
  // GEMM
  // ---------------------------------------------------------------------------------------------

  static final int[][] GEMM_SHAPES = {
    {1, 1, 1},
    {5, 7, 3},
    {16, 16, 16},
    {9, 33, 10},
    {15, 17, 19},
    {64, 64, 64},
    {65, 63, 67},
    {41, 71, 257},
    {13, 257, 20},
    {1, 200, 50},
    {200, 1, 50},
    {3, 500, 2},
    {2, 1100, 37},
    {600, 17, 20},
    {97, 201, 89},
    {130, 140, 300}
  };

  static Stream<Arguments> gemmCases() {
    List<Arguments> out = new ArrayList<>();
    for (int threads : new int[] {1, 2}) {
      for (int[] s : GEMM_SHAPES) {
        out.add(Arguments.of(s[0], s[1], s[2], threads));
      }
    }
    return out.stream();
  }

  /**
   * Both providers are within {@code (k + 1) u sum_p |a_ip b_pj|} of the exact product (see {@link
   * GemmKernelsDouble}), so they are within twice that of each other.
   */
  @ParameterizedTest(name = "{0}x{1}x{2} threads={3}")
  @MethodSource("gemmCases")
  void gemmAgreesWithinTheErrorBound(int m, int n, int k, int threads) {
    KernelProvider v = vector();
    int before = Parallel.threads();
    Parallel.setThreads(threads);
    try {
      SplittableRandom r = new SplittableRandom(31L * m + 17L * n + k);
      // A row-major, B column-major (a transposed view), C at an offset.
      double[] a = new double[m * k], b = new double[k * n];
      for (int i = 0; i < a.length; i++) {
        a[i] = r.nextDouble() * 2 - 1;
      }
      for (int i = 0; i < b.length; i++) {
        b[i] = r.nextDouble() * 2 - 1;
      }
      float[] af = toFloat(a), bf = toFloat(b);
      double[] cs = new double[m * n + 1], cv = new double[m * n + 1];
      GemmDouble.run(
          KernelProvider.SCALAR.gemmDouble(), m, n, k, a, 0, k, 1, b, 0, 1, k, cs, 1, true, null);
      GemmDouble.run(v.gemmDouble(), m, n, k, a, 0, k, 1, b, 0, 1, k, cv, 1, true, null);
      float[] fs = new float[m * n + 1], fv = new float[m * n + 1];
      GemmFloat.run(
          KernelProvider.SCALAR.gemmFloat(), m, n, k, af, 0, k, 1, bf, 0, 1, k, fs, 1, true, null);
      GemmFloat.run(v.gemmFloat(), m, n, k, af, 0, k, 1, bf, 0, 1, k, fv, 1, true, null);
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double absD = 0, absF = 0;
          for (int p = 0; p < k; p++) {
            absD += Math.abs(a[i * k + p] * b[j * k + p]);
            absF += Math.abs((double) af[i * k + p] * bf[j * k + p]);
          }
          int c = 1 + i * n + j;
          String what = m + "x" + n + "x" + k + " C(" + i + "," + j + ")";
          double tolD = 2 * (k + 1) * EPS_D * absD, tolF = 2 * (k + 1) * EPS_F * absF;
          if (!(Math.abs(cs[c] - cv[c]) <= tolD)) {
            fail("float64 " + what + ": scalar " + cs[c] + ", vector " + cv[c] + ", tol " + tolD);
          }
          if (!(Math.abs((double) fs[c] - fv[c]) <= tolF)) {
            fail("float32 " + what + ": scalar " + fs[c] + ", vector " + fv[c] + ", tol " + tolF);
          }
        }
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // helpers
  // ---------------------------------------------------------------------------------------------

  private static final ElementwiseKernelsDouble SCALAR_D = ScalarKernelsDouble.INSTANCE;
  private static final ElementwiseKernelsFloat SCALAR_F = ScalarKernelsFloat.INSTANCE;

  /** An output array for a range of n at {@link #PAD}, filled with a value no kernel writes. */
  static double[] sentinels(int n) {
    double[] o = new double[n + 2 * PAD];
    Arrays.fill(o, -12345.678);
    return o;
  }

  static float[] sentinelsF(int n) {
    float[] o = new float[n + 2 * PAD];
    Arrays.fill(o, -12345.678f);
    return o;
  }

  /** The bits of a value, every NaN the same (NaN payloads are not specified). */
  static long bits(double x) {
    return Double.doubleToLongBits(x);
  }

  static void sameBits(String what, double[] s, double[] v) {
    for (int i = 0; i < s.length; i++) {
      if (bits(s[i]) != bits(v[i])) {
        fail(what + ": element " + i + ": scalar " + s[i] + ", vector " + v[i]);
      }
    }
  }

  static void sameBits(String what, float[] s, float[] v) {
    for (int i = 0; i < s.length; i++) {
      if (Float.floatToIntBits(s[i]) != Float.floatToIntBits(v[i])) {
        fail(what + ": element " + i + ": scalar " + s[i] + ", vector " + v[i]);
      }
    }
  }

  /** Distance in ulps; NaN is 0 from NaN and infinitely far from anything else. */
  static long ulps(double x, double y) {
    if (Double.isNaN(x) || Double.isNaN(y)) {
      return Double.isNaN(x) && Double.isNaN(y) ? 0 : Long.MAX_VALUE;
    }
    return Math.abs(ordered(x) - ordered(y));
  }

  static long ulps(float x, float y) {
    if (Float.isNaN(x) || Float.isNaN(y)) {
      return Float.isNaN(x) && Float.isNaN(y) ? 0 : Long.MAX_VALUE;
    }
    return Math.abs((long) ordered(x) - ordered(y));
  }

  /** The bits as a number that grows with the value (so -0.0 and 0.0 are one apart). */
  private static long ordered(double x) {
    long b = Double.doubleToLongBits(x);
    return b < 0 ? Long.MIN_VALUE - b : b;
  }

  private static int ordered(float x) {
    int b = Float.floatToIntBits(x);
    return b < 0 ? Integer.MIN_VALUE - b : b;
  }

  static void withinUlps(String what, double[] s, double[] v, long bound) {
    for (int i = 0; i < s.length; i++) {
      if (ulps(s[i], v[i]) > bound) {
        fail(what + ": element " + i + ": scalar " + s[i] + ", vector " + v[i] + " > " + bound);
      }
    }
  }

  static void withinUlps(String what, float[] s, float[] v, long bound) {
    for (int i = 0; i < s.length; i++) {
      if (ulps(s[i], v[i]) > bound) {
        fail(what + ": element " + i + ": scalar " + s[i] + ", vector " + v[i] + " > " + bound);
      }
    }
  }
}
