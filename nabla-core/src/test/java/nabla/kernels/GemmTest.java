package nabla.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks {@link Gemm} against a naive triple loop in double precision for many shapes, layouts and
 * thread counts, with the kernels of both providers (the chosen one through the public {@link
 * Gemm#matmul}, the other through its driver directly); when the JVM has no Vector API, only the
 * scalar kernels.
 */
class GemmTest {

  private int savedThreads;

  @BeforeEach
  void saveThreads() {
    savedThreads = Parallel.threads();
  }

  @AfterEach
  void restoreThreads() {
    Parallel.setThreads(savedThreads);
  }

  // ---------------------------------------------------------------------------------------------
  // Operand layouts
  // ---------------------------------------------------------------------------------------------

  /** How a logical rows x cols operand is laid out in its array. */
  enum Layout {
    ROW_MAJOR,
    COL_MAJOR,
    ROW_MAJOR_PADDED,
    COL_MAJOR_PADDED,
    NEGATIVE_STRIDES
  }

  /** A strided view: element (r, c) at {@code off + r*rs + c*cs} in an array of {@code length}. */
  record View(int off, int rs, int cs, int length) {
    int at(int r, int c) {
      return off + r * rs + c * cs;
    }
  }

  static View view(Layout layout, int rows, int cols, int offset) {
    int slack = 3; // unused elements after the block
    switch (layout) {
      case ROW_MAJOR:
        return new View(offset, cols, 1, offset + rows * cols + slack);
      case COL_MAJOR:
        return new View(offset, 1, rows, offset + rows * cols + slack);
      case ROW_MAJOR_PADDED:
        {
          int ld = cols + 5;
          return new View(offset, ld, 1, offset + rows * ld + slack);
        }
      case COL_MAJOR_PADDED:
        {
          int ld = rows + 3;
          return new View(offset, 1, ld, offset + cols * ld + slack);
        }
      case NEGATIVE_STRIDES:
        {
          // Rows and columns both reversed: (0, 0) is the last element of the block.
          int last = offset + Math.max(0, rows * cols - 1);
          return new View(last, -cols, -1, offset + rows * cols + slack);
        }
      default:
        throw new AssertionError(layout);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Reference and comparison
  // ---------------------------------------------------------------------------------------------

  /** Fills the view's elements with values in [-1, 1) and everything else with NaN. */
  static float[] fillF(View v, int rows, int cols, SplittableRandom rnd) {
    float[] x = new float[v.length()];
    java.util.Arrays.fill(x, Float.NaN);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        x[v.at(r, c)] = (float) (rnd.nextDouble() * 2 - 1);
      }
    }
    return x;
  }

  static double[] fillD(View v, int rows, int cols, SplittableRandom rnd) {
    double[] x = new double[v.length()];
    java.util.Arrays.fill(x, Double.NaN);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        x[v.at(r, c)] = rnd.nextDouble() * 2 - 1;
      }
    }
    return x;
  }

  interface Elem {
    double get(int r, int c);
  }

  /**
   * Compares the m x n row-major block of {@code actual} at {@code cOff} against the
   * double-precision triple loop, with tolerance {@code 2 (k + 2) eps sum|a||b|}.
   */
  static void compare(String what, int m, int n, int k, Elem a, Elem b, Elem actual, double eps) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0, abs = 0;
        for (int p = 0; p < k; p++) {
          double t = a.get(i, p) * b.get(p, j);
          s += t;
          abs += Math.abs(t);
        }
        double got = actual.get(i, j);
        double tol = 2.0 * (k + 2) * eps * abs + Double.MIN_NORMAL;
        if (!(Math.abs(got - s) <= tol)) {
          fail(
              what
                  + ": C("
                  + i
                  + ","
                  + j
                  + ") = "
                  + got
                  + ", expected "
                  + s
                  + " (tol "
                  + tol
                  + ")");
        }
      }
    }
  }

  static final double EPS_F = 0x1p-24;
  static final double EPS_D = 0x1p-53;

  /** The providers this JVM can run: the chosen one first. */
  static List<KernelProvider> providers() {
    List<KernelProvider> out = new ArrayList<>(List.of(KernelProvider.chosen()));
    KernelProvider other = KernelProvider.SCALAR;
    if (KernelProvider.chosen() == KernelProvider.SCALAR) {
      try {
        other = KernelProvider.vector();
      } catch (UnsupportedOperationException e) {
        other = null;
      }
    }
    if (other != null) {
      out.add(other);
    }
    return out;
  }

  static Named<KernelProvider> named(KernelProvider p) {
    return Named.of(p.name(), p);
  }

  static void checkFloat(
      KernelProvider provider,
      int m,
      int n,
      int k,
      Layout la,
      Layout lb,
      int aOff,
      int bOff,
      int cOff,
      long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    View va = view(la, m, k, aOff), vb = view(lb, k, n, bOff);
    float[] a = fillF(va, m, k, rnd), b = fillF(vb, k, n, rnd);
    float[] c = new float[cOff + m * n + 7];
    java.util.Arrays.fill(c, Float.NaN); // C is overwritten, so garbage (even NaN) must not leak in
    float[] a0 = a.clone(), b0 = b.clone();
    if (provider == KernelProvider.chosen()) {
      Gemm.matmul(m, n, k, a, va.off(), va.rs(), va.cs(), b, vb.off(), vb.rs(), vb.cs(), c, cOff);
    } else {
      GemmFloat.run(
          provider.gemmFloat(),
          m,
          n,
          k,
          a,
          va.off(),
          va.rs(),
          va.cs(),
          b,
          vb.off(),
          vb.rs(),
          vb.cs(),
          c,
          cOff,
          true,
          null);
    }
    String what = describe("float", provider, m, n, k, la, lb);
    compare(
        what,
        m,
        n,
        k,
        (r, q) -> a[va.at(r, q)],
        (r, q) -> b[vb.at(r, q)],
        (r, q) -> c[cOff + r * n + q],
        EPS_F);
    assertUntouched(what, c, cOff, m * n);
    assertTrue(java.util.Arrays.equals(a, a0) || sameNaN(a, a0), what + ": A modified");
    assertTrue(java.util.Arrays.equals(b, b0) || sameNaN(b, b0), what + ": B modified");
  }

  static void checkDouble(
      KernelProvider provider,
      int m,
      int n,
      int k,
      Layout la,
      Layout lb,
      int aOff,
      int bOff,
      int cOff,
      long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    View va = view(la, m, k, aOff), vb = view(lb, k, n, bOff);
    double[] a = fillD(va, m, k, rnd), b = fillD(vb, k, n, rnd);
    double[] c = new double[cOff + m * n + 7];
    java.util.Arrays.fill(c, Double.NaN);
    double[] a0 = a.clone(), b0 = b.clone();
    if (provider == KernelProvider.chosen()) {
      Gemm.matmul(m, n, k, a, va.off(), va.rs(), va.cs(), b, vb.off(), vb.rs(), vb.cs(), c, cOff);
    } else {
      GemmDouble.run(
          provider.gemmDouble(),
          m,
          n,
          k,
          a,
          va.off(),
          va.rs(),
          va.cs(),
          b,
          vb.off(),
          vb.rs(),
          vb.cs(),
          c,
          cOff,
          true,
          null);
    }
    String what = describe("double", provider, m, n, k, la, lb);
    compare(
        what,
        m,
        n,
        k,
        (r, q) -> a[va.at(r, q)],
        (r, q) -> b[vb.at(r, q)],
        (r, q) -> c[cOff + r * n + q],
        EPS_D);
    for (int i = 0; i < c.length; i++) {
      if (i < cOff || i >= cOff + m * n) {
        assertTrue(Double.isNaN(c[i]), what + ": c[" + i + "] outside the block was written");
      }
    }
    assertTrue(java.util.Arrays.equals(a, a0), what + ": A modified");
    assertTrue(java.util.Arrays.equals(b, b0), what + ": B modified");
  }

  static String describe(
      String type, KernelProvider provider, int m, int n, int k, Layout la, Layout lb) {
    String shape = m + "x" + n + "x" + k + " " + la + "/" + lb;
    return type + " " + provider.name() + " " + shape + " threads=" + Parallel.threads();
  }

  static boolean sameNaN(float[] x, float[] y) {
    if (x.length != y.length) {
      return false;
    }
    for (int i = 0; i < x.length; i++) {
      if (Float.floatToIntBits(x[i]) != Float.floatToIntBits(y[i])) {
        return false;
      }
    }
    return true;
  }

  static void assertUntouched(String what, float[] c, int cOff, int len) {
    for (int i = 0; i < c.length; i++) {
      if (i < cOff || i >= cOff + len) {
        assertTrue(Float.isNaN(c[i]), what + ": c[" + i + "] outside the block was written");
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Shapes
  // ---------------------------------------------------------------------------------------------

  /** m, n, k triples covering tiny sizes, odd sizes, skinny shapes and all tile/block edges. */
  static final int[][] SHAPES = {
    {1, 1, 1},
    {1, 1, 7},
    {2, 3, 4},
    {3, 2, 1},
    {5, 7, 3},
    {6, 6, 7},
    {4, 8, 8},
    {4, 8, 9},
    {6, 6, 8},
    {16, 16, 16}, // around the tiny-path cutoff (256)
    {7, 31, 9},
    {8, 32, 8},
    {9, 33, 10},
    {8, 16, 33},
    {15, 17, 19}, // around 8 x 16 / 8 x 32 tiles
    {23, 47, 29},
    {24, 48, 24},
    {25, 49, 31},
    {31, 63, 37},
    {33, 65, 41},
    {64, 64, 64},
    {65, 63, 67}, // around the threading cutoff
    {40, 70, 255},
    {40, 70, 256},
    {41, 71, 257},
    {9, 33, 513}, // around KC = 256
    {12, 255, 20},
    {12, 256, 20},
    {13, 257, 20},
    {9, 511, 21},
    {9, 512, 21},
    {9, 513, 21}, // NC
    {1023, 9, 20},
    {1024, 17, 12},
    {1025, 33, 13}, // around MC = 1024
    {1, 200, 50},
    {200, 1, 50},
    {1, 1, 500},
    {500, 2, 3},
    {3, 500, 2},
    {257, 5, 300},
    {5, 257, 300},
    {100, 3, 100},
    {3, 100, 100},
    {130, 140, 150},
    {97, 201, 89},
    // skinny kernels: several column blocks, k tails, and the threaded split
    {2, 1100, 37},
    {1100, 2, 37},
    {4, 600, 1},
    {5, 600, 20},
    {600, 17, 20},
    {600, 16, 33},
    {3, 2000, 100},
    {2000, 7, 40},
    {6, 3000, 30},
    {3000, 6, 30},
    // small outputs over a long depth: k is split into fixed chunks (GemmDouble.kSplit)
    {8, 24, 20000},
    {40, 30, 9000},
  };

  static Stream<Arguments> shapesAndThreads() {
    List<Arguments> out = new ArrayList<>();
    for (KernelProvider p : providers()) {
      for (int threads : new int[] {1, 2, 3}) {
        for (int[] s : SHAPES) {
          out.add(Arguments.of(named(p), s[0], s[1], s[2], threads));
        }
      }
    }
    return out.stream();
  }

  static Stream<Arguments> providersAndThreads() {
    List<Arguments> out = new ArrayList<>();
    for (KernelProvider p : providers()) {
      for (int threads : new int[] {1, 2}) {
        out.add(Arguments.of(named(p), threads));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "float {0} {1}x{2}x{3} threads={4}")
  @MethodSource("shapesAndThreads")
  void floatShapes(KernelProvider p, int m, int n, int k, int threads) {
    Parallel.setThreads(threads);
    long seed = 31L * m + 17L * n + k;
    checkFloat(p, m, n, k, Layout.ROW_MAJOR, Layout.ROW_MAJOR, 0, 0, 0, seed);
    checkFloat(p, m, n, k, Layout.COL_MAJOR, Layout.ROW_MAJOR, 3, 0, 1, seed + 1);
    checkFloat(p, m, n, k, Layout.ROW_MAJOR, Layout.COL_MAJOR, 0, 5, 2, seed + 2);
    checkFloat(p, m, n, k, Layout.COL_MAJOR_PADDED, Layout.COL_MAJOR, 1, 2, 0, seed + 3);
    checkFloat(p, m, n, k, Layout.ROW_MAJOR_PADDED, Layout.NEGATIVE_STRIDES, 4, 1, 3, seed + 4);
    checkFloat(p, m, n, k, Layout.NEGATIVE_STRIDES, Layout.ROW_MAJOR_PADDED, 2, 7, 0, seed + 5);
  }

  @ParameterizedTest(name = "double {0} {1}x{2}x{3} threads={4}")
  @MethodSource("shapesAndThreads")
  void doubleShapes(KernelProvider p, int m, int n, int k, int threads) {
    Parallel.setThreads(threads);
    long seed = 37L * m + 13L * n + k;
    checkDouble(p, m, n, k, Layout.ROW_MAJOR, Layout.ROW_MAJOR, 0, 0, 0, seed);
    checkDouble(p, m, n, k, Layout.COL_MAJOR, Layout.ROW_MAJOR, 3, 0, 1, seed + 1);
    checkDouble(p, m, n, k, Layout.ROW_MAJOR, Layout.COL_MAJOR, 0, 5, 2, seed + 2);
    checkDouble(p, m, n, k, Layout.COL_MAJOR_PADDED, Layout.COL_MAJOR, 1, 2, 0, seed + 3);
    checkDouble(p, m, n, k, Layout.ROW_MAJOR_PADDED, Layout.NEGATIVE_STRIDES, 4, 1, 3, seed + 4);
    checkDouble(p, m, n, k, Layout.NEGATIVE_STRIDES, Layout.ROW_MAJOR_PADDED, 2, 7, 0, seed + 5);
  }

  @ParameterizedTest(name = "large square {0} threads={1}")
  @MethodSource("providersAndThreads")
  void largeSquareCrossesEveryBlock(KernelProvider p, int threads) {
    Parallel.setThreads(threads);
    checkFloat(p, 300, 530, 270, Layout.ROW_MAJOR, Layout.ROW_MAJOR, 0, 0, 0, 99);
    checkFloat(p, 530, 300, 270, Layout.COL_MAJOR, Layout.COL_MAJOR, 1, 1, 1, 98);
    checkDouble(p, 300, 530, 270, Layout.ROW_MAJOR, Layout.COL_MAJOR, 0, 0, 0, 97);
  }

  @ParameterizedTest(name = "random shapes and layouts {0} threads={1}")
  @MethodSource("providersAndThreads")
  void randomShapesAndLayouts(KernelProvider p, int threads) {
    Parallel.setThreads(threads);
    SplittableRandom rnd = new SplittableRandom(2024 + threads);
    Layout[] layouts = Layout.values();
    for (int trial = 0; trial < 120; trial++) {
      int m = rnd.nextInt(71), n = rnd.nextInt(91), k = rnd.nextInt(81);
      Layout la = layouts[rnd.nextInt(layouts.length)], lb = layouts[rnd.nextInt(layouts.length)];
      int off = rnd.nextInt(10);
      checkFloat(p, m, n, k, la, lb, off, 9 - off, off / 2, rnd.nextLong());
      checkDouble(p, m, n, k, lb, la, 9 - off, off, off % 3, rnd.nextLong());
    }
  }

  /**
   * B with contiguous columns (x Wᵀ's Wᵀ, packed by 8 x 8 register transposes where the vectors
   * allow) gives exactly the bits of the same B copied row-major first: packing only moves
   * elements, so any element put in the wrong place shows. Depths that are and are not multiples of
   * 8, more than one depth block, partial column slivers, one and two threads, float and double,
   * both providers.
   */
  @Test
  void transposedBGivesTheBitsOfItsRowMajorCopy() {
    int[][] shapes = {{24, 64, 8}, {33, 70, 13}, {256, 256, 784}, {40, 100, 300}, {17, 37, 600}};
    for (KernelProvider p : providers()) {
      for (int threads : new int[] {1, 2}) {
        Parallel.setThreads(threads);
        for (int[] sh : shapes) {
          int m = sh[0], n = sh[1], k = sh[2];
          SplittableRandom rnd = new SplittableRandom(m * 31L + n * 7L + k);
          float[] a = new float[m * k];
          float[] w = new float[n * k]; // W is n x k; B = Wᵀ: element (q, j) at w[j*k + q]
          double[] ad = new double[m * k];
          double[] wd = new double[n * k];
          for (int i = 0; i < a.length; i++) {
            ad[i] = rnd.nextDouble(-1, 1);
            a[i] = (float) ad[i];
          }
          for (int i = 0; i < w.length; i++) {
            wd[i] = rnd.nextDouble(-1, 1);
            w[i] = (float) wd[i];
          }
          float[] bRowMajor = new float[k * n];
          double[] bdRowMajor = new double[k * n];
          for (int q = 0; q < k; q++) {
            for (int j = 0; j < n; j++) {
              bRowMajor[q * n + j] = w[j * k + q];
              bdRowMajor[q * n + j] = wd[j * k + q];
            }
          }
          float[] c1 = new float[m * n], c2 = new float[m * n];
          GemmFloat.run(p.gemmFloat(), m, n, k, a, 0, k, 1, w, 0, 1, k, c1, 0, true, null);
          GemmFloat.run(p.gemmFloat(), m, n, k, a, 0, k, 1, bRowMajor, 0, n, 1, c2, 0, true, null);
          String what = p.name() + " " + m + "x" + n + "x" + k + " threads=" + threads;
          for (int i = 0; i < c1.length; i++) {
            if (Float.floatToRawIntBits(c1[i]) != Float.floatToRawIntBits(c2[i])) {
              fail("float " + what + ": element " + i + " " + c1[i] + " vs " + c2[i]);
            }
          }
          double[] d1 = new double[m * n], d2 = new double[m * n];
          GemmDouble.run(p.gemmDouble(), m, n, k, ad, 0, k, 1, wd, 0, 1, k, d1, 0, true, null);
          GemmDouble.run(
              p.gemmDouble(), m, n, k, ad, 0, k, 1, bdRowMajor, 0, n, 1, d2, 0, true, null);
          for (int i = 0; i < d1.length; i++) {
            if (Double.doubleToRawLongBits(d1[i]) != Double.doubleToRawLongBits(d2[i])) {
              fail("double " + what + ": element " + i + " " + d1[i] + " vs " + d2[i]);
            }
          }
        }
      }
    }
  }

  /**
   * A few-columns product (the unpacked small-n kernel) whose A ends exactly at the end of its
   * array gives the bits of the same A placed inside a longer array: the last row's partial vector,
   * read through a copy where a masked load would reach past the array's end, holds the same lanes.
   * Depths that are not a multiple of any vector width; one and several columns.
   */
  @Test
  void aRowEndingTheArrayGivesTheBitsOfTheSameRowInsideALongerOne() {
    int[][] shapes = {{1, 1, 300}, {5, 1, 37}, {7, 3, 21}, {9, 4, 300}, {200, 1, 300}};
    for (KernelProvider p : providers()) {
      for (int[] sh : shapes) {
        int m = sh[0], n = sh[1], k = sh[2];
        SplittableRandom rnd = new SplittableRandom(m * 131L + n * 17L + k);
        int spare = 40;
        float[] exact = new float[m * k], padded = new float[m * k + spare];
        double[] exactD = new double[m * k], paddedD = new double[m * k + spare];
        for (int i = 0; i < m * k; i++) {
          exactD[i] = paddedD[i] = rnd.nextDouble(-1, 1);
          exact[i] = padded[i] = (float) exactD[i];
        }
        float[] b = new float[k * n];
        double[] bd = new double[k * n];
        for (int i = 0; i < b.length; i++) {
          bd[i] = rnd.nextDouble(-1, 1);
          b[i] = (float) bd[i];
        }
        float[] c1 = new float[m * n], c2 = new float[m * n];
        GemmFloat.run(p.gemmFloat(), m, n, k, exact, 0, k, 1, b, 0, n, 1, c1, 0, false, null);
        GemmFloat.run(p.gemmFloat(), m, n, k, padded, 0, k, 1, b, 0, n, 1, c2, 0, false, null);
        double[] d1 = new double[m * n], d2 = new double[m * n];
        GemmDouble.run(p.gemmDouble(), m, n, k, exactD, 0, k, 1, bd, 0, n, 1, d1, 0, false, null);
        GemmDouble.run(p.gemmDouble(), m, n, k, paddedD, 0, k, 1, bd, 0, n, 1, d2, 0, false, null);
        String what = p.name() + " " + m + "x" + n + "x" + k;
        for (int i = 0; i < c1.length; i++) {
          assertEquals(
              Float.floatToRawIntBits(c2[i]), Float.floatToRawIntBits(c1[i]), "float " + what);
          assertEquals(
              Double.doubleToRawLongBits(d2[i]),
              Double.doubleToRawLongBits(d1[i]),
              "double " + what);
          double naive = 0;
          for (int q = 0; q < k; q++) {
            naive += exactD[(i / n) * k + q] * bd[q * n + i % n];
          }
          assertEquals(naive, d1[i], 1e-12 * k, "double " + what + " against the sum");
        }
      }
    }
  }

  /**
   * Every element of C is computed the same way whatever the thread count: the shared-B parallel
   * path (row blocks handed out dynamically) and the tile split use the single-threaded kernel's
   * blocking, so results are bit-identical for 1, 2 and 3 threads — training runs do not depend on
   * the machine's core count. Shapes cross several depth and column blocks, have partial tiles and
   * transposed operands (the layouts of nn.Linear's forward and weight gradient).
   */
  @Test
  void threadCountsGiveIdenticalBits() {
    int[][] shapes = {
      {256, 256, 784, 1},
      {784, 256, 256, 2},
      {300, 1100, 530, 0},
      {1000, 70, 300, 0},
      {77, 1030, 9, 0},
      {8, 24, 20000, 0},
      {33, 17, 9000, 2},
      {256, 10, 256, 1}, // skinny (smallN): rows split among threads at 85 and 170 for 3
      {255, 13, 100, 0}
    };
    for (int[] s : shapes) {
      int m = s[0], n = s[1], k = s[2], mode = s[3];
      SplittableRandom rnd = new SplittableRandom(m * 31L + n);
      float[] a = new float[m * k], b = new float[k * n];
      double[] ad = new double[m * k], bd = new double[k * n];
      for (int i = 0; i < a.length; i++) {
        ad[i] = rnd.nextDouble(-1, 1);
        a[i] = (float) ad[i];
      }
      for (int i = 0; i < b.length; i++) {
        bd[i] = rnd.nextDouble(-1, 1);
        b[i] = (float) bd[i];
      }
      int ars = mode == 2 ? 1 : k, acs = mode == 2 ? m : 1;
      int brs = mode == 1 ? 1 : n, bcs = mode == 1 ? k : 1;
      float[] first = null;
      double[] firstD = null;
      for (int threads : new int[] {1, 2, 3}) {
        Parallel.setThreads(threads);
        float[] c = new float[m * n];
        double[] cd = new double[m * n];
        Gemm.matmul(m, n, k, a, 0, ars, acs, b, 0, brs, bcs, c, 0);
        Gemm.matmul(m, n, k, ad, 0, ars, acs, bd, 0, brs, bcs, cd, 0);
        if (first == null) {
          first = c;
          firstD = cd;
        } else {
          String what = m + "x" + n + "x" + k + " layout " + mode + ", threads=" + threads;
          assertTrue(Arrays.equals(first, c), "float bits differ from 1 thread: " + what);
          assertTrue(Arrays.equals(firstD, cd), "double bits differ from 1 thread: " + what);
        }
      }
    }
  }

  /**
   * The shared-B parallel path ({@code -Dnabla.gemm.shared=true}, off by default) gives exactly the
   * single-threaded kernel's bits, for 1, 2 and 3 threads, with A read in place or packed.
   */
  @Test
  void sharedPathGivesTheSingleThreadedBits() {
    int[][] shapes = {
      {256, 256, 784, 1}, {784, 256, 256, 2}, {300, 1100, 530, 0}, {77, 1030, 70, 0}
    };
    for (KernelProvider p : providers()) {
      GemmKernelsFloat kf = p.gemmFloat();
      GemmKernelsDouble kd = p.gemmDouble();
      for (int[] s : shapes) {
        int m = s[0], n = s[1], k = s[2], mode = s[3];
        SplittableRandom rnd = new SplittableRandom(m * 7L + k);
        float[] a = new float[m * k], b = new float[k * n];
        double[] ad = new double[m * k], bd = new double[k * n];
        for (int i = 0; i < a.length; i++) {
          ad[i] = rnd.nextDouble(-1, 1);
          a[i] = (float) ad[i];
        }
        for (int i = 0; i < b.length; i++) {
          bd[i] = rnd.nextDouble(-1, 1);
          b[i] = (float) bd[i];
        }
        int ars = mode == 2 ? 1 : k, acs = mode == 2 ? m : 1;
        int brs = mode == 1 ? 1 : n, bcs = mode == 1 ? k : 1;
        float[] one = new float[m * n];
        double[] oneD = new double[m * n];
        kf.gemm(m, n, k, a, 0, ars, acs, b, 0, brs, bcs, one, 0, n, 1);
        kd.gemm(m, n, k, ad, 0, ars, acs, bd, 0, brs, bcs, oneD, 0, n, 1);
        for (int threads : new int[] {1, 2, 3}) {
          Parallel.setThreads(threads);
          float[] c = new float[m * n];
          double[] cd = new double[m * n];
          if (!kf.gemmShared(m, n, k, a, 0, ars, acs, b, 0, brs, bcs, c, 0, n, 1)) {
            continue; // no shared path (the scalar kernels)
          }
          kd.gemmShared(m, n, k, ad, 0, ars, acs, bd, 0, brs, bcs, cd, 0, n, 1);
          String what =
              p.name() + " " + m + "x" + n + "x" + k + " layout " + mode + " t=" + threads;
          assertTrue(Arrays.equals(one, c), "float: " + what);
          assertTrue(Arrays.equals(oneD, cd), "double: " + what);
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Special cases
  // ---------------------------------------------------------------------------------------------

  @Test
  void zeroInnerDimensionGivesZeros() {
    float[] c = {Float.NaN, 5f, 6f, 7f, 8f, 9f, 10f, Float.NaN};
    Gemm.matmul(2, 3, 0, new float[0], 0, 0, 1, new float[0], 0, 3, 1, c, 1);
    assertTrue(Float.isNaN(c[0]) && Float.isNaN(c[7]));
    for (int i = 1; i <= 6; i++) {
      assertEquals(0f, c[i]);
    }
    double[] d = new double[6];
    java.util.Arrays.fill(d, 4.0);
    Gemm.matmul(2, 3, 0, new double[0], 0, 0, 1, new double[0], 0, 3, 1, d, 0);
    for (double x : d) {
      assertEquals(0.0, x);
    }
  }

  @Test
  void emptyOutputIsANoOp() {
    float[] c = {1f};
    Gemm.matmul(0, 5, 3, new float[0], 0, 3, 1, new float[15], 0, 5, 1, c, 0);
    Gemm.matmul(4, 0, 3, new float[12], 0, 3, 1, new float[0], 0, 0, 1, c, 0);
    assertEquals(1f, c[0]);
  }

  @Test
  void zeroStrideBroadcastsARow() {
    // B has stride 0 between rows: every row of B is the same vector.
    int m = 20, n = 40, k = 30;
    float[] a = new float[m * k], b = new float[n], c = new float[m * n];
    SplittableRandom rnd = new SplittableRandom(5);
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) rnd.nextDouble();
    }
    for (int j = 0; j < n; j++) {
      b[j] = j;
    }
    Gemm.matmul(m, n, k, a, 0, k, 1, b, 0, 0, 1, c, 0);
    for (int i = 0; i < m; i++) {
      double rowSum = 0;
      for (int p = 0; p < k; p++) {
        rowSum += a[i * k + p];
      }
      for (int j = 0; j < n; j++) {
        assertEquals(rowSum * j, c[i * n + j], 1e-4 * (1 + rowSum * j));
      }
    }
  }

  @Test
  void identityIsExact() {
    int n = 77;
    float[] eye = new float[n * n], x = new float[n * n], c = new float[n * n];
    SplittableRandom rnd = new SplittableRandom(3);
    for (int i = 0; i < n; i++) {
      eye[i * n + i] = 1f;
    }
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rnd.nextDouble();
    }
    Gemm.matmul(n, n, n, eye, 0, n, 1, x, 0, n, 1, c, 0);
    assertTrue(java.util.Arrays.equals(x, c));
    Gemm.matmul(n, n, n, x, 0, n, 1, eye, 0, n, 1, c, 0);
    assertTrue(java.util.Arrays.equals(x, c));
  }

  // ---------------------------------------------------------------------------------------------
  // Batched
  // ---------------------------------------------------------------------------------------------

  static Stream<Arguments> batchedCases() {
    List<Arguments> out = new ArrayList<>();
    int[][] cases = { // batch, m, n, k
      {0, 3, 3, 3},
      {1, 5, 6, 7},
      {3, 4, 5, 6},
      {17, 8, 8, 8},
      {9, 33, 17, 40},
      {5, 1, 70, 9},
      {4, 70, 1, 9},
      {3, 130, 150, 140},
      {2, 300, 260, 270},
      {6, 0, 4, 4},
      {4, 3, 3, 0},
    };
    for (int threads : new int[] {1, 2}) {
      for (int[] cs : cases) {
        out.add(Arguments.of(cs[0], cs[1], cs[2], cs[3], threads));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "batched float {0} x {1}x{2}x{3} threads={4}")
  @MethodSource("batchedCases")
  void batchedFloat(int batch, int m, int n, int k, int threads) {
    Parallel.setThreads(threads);
    SplittableRandom rnd = new SplittableRandom(batch * 1000L + m + n + k);
    // A_t: row-major with padding, interleaved in reverse order; B_t: transposed (column-major).
    int lda = k + 2, aSize = m * lda, bSize = k * n;
    int[] aOffs = new int[batch + 2], bOffs = new int[batch + 1];
    for (int t = 0; t < batch; t++) {
      aOffs[t] = 1 + (batch - 1 - t) * aSize;
      bOffs[t] = 3 + t * bSize;
    }
    float[] a = new float[1 + batch * aSize + 2], b = new float[3 + batch * bSize];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    int cOff = 4;
    float[] c = new float[cOff + batch * m * n + 5];
    java.util.Arrays.fill(c, Float.NaN);
    Gemm.matmulBatched(batch, m, n, k, a, aOffs, lda, 1, b, bOffs, 1, k, c, cOff);
    for (int t = 0; t < batch; t++) {
      int ao = aOffs[t], bo = bOffs[t], co = cOff + t * m * n;
      compare(
          "batched float t=" + t,
          m,
          n,
          k,
          (i, p) -> a[ao + i * lda + p],
          (p, j) -> b[bo + p + j * k],
          (i, j) -> c[co + i * n + j],
          EPS_F);
    }
    assertUntouched("batched float", c, cOff, batch * m * n);
  }

  @ParameterizedTest(name = "batched double {0} x {1}x{2}x{3} threads={4}")
  @MethodSource("batchedCases")
  void batchedDouble(int batch, int m, int n, int k, int threads) {
    Parallel.setThreads(threads);
    SplittableRandom rnd = new SplittableRandom(batch * 77L + m + n + k);
    // A_t column-major, B_t row-major; all products share one B (offset 0) to test reuse.
    int aSize = m * k;
    int[] aOffs = new int[batch], bOffs = new int[batch];
    for (int t = 0; t < batch; t++) {
      aOffs[t] = t * aSize;
    }
    double[] a = new double[batch * aSize], b = new double[k * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = rnd.nextDouble() * 2 - 1;
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = rnd.nextDouble() * 2 - 1;
    }
    double[] c = new double[batch * m * n];
    java.util.Arrays.fill(c, Double.NaN);
    Gemm.matmulBatched(batch, m, n, k, a, aOffs, 1, m, b, bOffs, n, 1, c, 0);
    for (int t = 0; t < batch; t++) {
      int ao = aOffs[t], co = t * m * n;
      compare(
          "batched double t=" + t,
          m,
          n,
          k,
          (i, p) -> a[ao + i + p * m],
          (p, j) -> b[p * n + j],
          (i, j) -> c[co + i * n + j],
          EPS_D);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Bad input
  // ---------------------------------------------------------------------------------------------

  static void assertRejected(Runnable call, String... fragments) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    String msg = e.getMessage();
    assertTrue(msg.contains("matmul"), msg);
    for (String f : fragments) {
      assertTrue(msg.contains(f), "'" + f + "' not in: " + msg);
    }
  }

  @Test
  void negativeDimensionsAreRejected() {
    float[] x = new float[100];
    assertRejected(
        () -> Gemm.matmul(-1, 2, 2, x, 0, 2, 1, x, 0, 2, 1, new float[4], 0), "m=-1", "n=2", "k=2");
    assertRejected(() -> Gemm.matmul(2, -3, 2, x, 0, 2, 1, x, 0, 2, 1, new float[4], 0), "n=-3");
    assertRejected(
        () ->
            Gemm.matmul(2, 2, -4, new double[9], 0, 2, 1, new double[9], 0, 2, 1, new double[4], 0),
        "k=-4");
    assertRejected(
        () -> Gemm.matmulBatched(-1, 2, 2, 2, x, new int[0], 2, 1, x, new int[0], 2, 1, x, 0),
        "batch=-1");
  }

  @Test
  void tooSmallArraysAreRejectedBeforeAnyWrite() {
    float[] a = new float[6], b = new float[12], c = new float[8];
    // A is 2x3, B is 3x4, C needs 8.
    Gemm.matmul(2, 4, 3, a, 0, 3, 1, b, 0, 4, 1, c, 0);
    assertRejected(
        () -> Gemm.matmul(2, 4, 3, new float[5], 0, 3, 1, b, 0, 4, 1, c, 0),
        "A",
        "m=2",
        "n=4",
        "k=3");
    assertRejected(() -> Gemm.matmul(2, 4, 3, a, 1, 3, 1, b, 0, 4, 1, c, 0), "A");
    assertRejected(() -> Gemm.matmul(2, 4, 3, a, 0, 3, 1, b, 0, 4, 2, c, 0), "B");
    assertRejected(() -> Gemm.matmul(2, 4, 3, a, 0, 3, 1, b, 0, 4, 1, new float[7], 0), "C");
    assertRejected(() -> Gemm.matmul(2, 4, 3, a, 0, 3, 1, b, 0, 4, 1, c, 1), "C");
    assertRejected(() -> Gemm.matmul(2, 4, 3, a, -1, 3, 1, b, 0, 4, 1, c, 0), "A");
    assertRejected(
        () -> Gemm.matmul(2, 4, 3, a, 0, -3, 1, b, 0, 4, 1, c, 0), "A"); // reaches index -3
    assertRejected(() -> Gemm.matmul(2, 4, 3, null, 0, 3, 1, b, 0, 4, 1, c, 0), "A");
    double[] big = new double[1000];
    assertRejected(
        () -> Gemm.matmul(300, 300, 300, big, 0, 300, 1, big, 0, 300, 1, new double[90000], 0),
        "A");
    // Huge strides must not overflow into a false "fits".
    assertRejected(() -> Gemm.matmul(3, 1, 3, a, 0, Integer.MAX_VALUE, 1, b, 0, 1, 1, c, 0), "A");
  }

  @Test
  void batchedBadInputIsRejected() {
    float[] a = new float[24], b = new float[24], c = new float[32];
    int[] offs = {0, 12};
    Gemm.matmulBatched(2, 2, 4, 3, a, new int[] {0, 6}, 3, 1, b, offs, 4, 1, c, 0);
    assertRejected(
        () ->
            Gemm.matmulBatched(
                3, 2, 4, 3, a, new int[] {0, 6}, 3, 1, b, new int[] {0, 12, 0}, 4, 1, c, 0),
        "batch=3");
    assertRejected(
        () -> Gemm.matmulBatched(2, 2, 4, 3, a, new int[] {0, 19}, 3, 1, b, offs, 4, 1, c, 0),
        "A[1]");
    assertRejected(
        () ->
            Gemm.matmulBatched(
                2, 2, 4, 3, a, new int[] {0, 6}, 3, 1, b, new int[] {0, 13}, 4, 1, c, 0),
        "B[1]");
    assertRejected(
        () -> Gemm.matmulBatched(2, 2, 4, 3, a, new int[] {0, 6}, 3, 1, b, offs, 4, 1, c, 17), "C");
    assertRejected(
        () -> Gemm.matmulBatched(2, 2, 4, 3, a, null, 3, 1, b, offs, 4, 1, c, 0), "batch=2");
  }

  @Test
  void overlappingOutputIsRejected() {
    float[] x = new float[100];
    assertRejected(() -> Gemm.matmul(3, 3, 3, x, 0, 3, 1, x, 50, 3, 1, x, 5), "overlaps");
    assertRejected(() -> Gemm.matmul(3, 3, 3, x, 0, 3, 1, x, 50, 3, 1, x, 45), "overlaps");
    // Disjoint regions of one array are fine.
    for (int i = 0; i < 18; i++) {
      x[i] = i;
    }
    Gemm.matmul(3, 3, 3, x, 0, 3, 1, x, 9, 3, 1, x, 20);
    assertEquals(0 * 9 + 1 * 12 + 2 * 15, x[20], 0f);
  }

  // ---------------------------------------------------------------------------------------------
  // Switches
  // ---------------------------------------------------------------------------------------------

  @Test
  void parallelRunsEveryIndexOnceAndNestsInline() throws Exception {
    Parallel.setThreads(2);
    int[] hits = new int[1000];
    Parallel.forRange(
        0,
        hits.length,
        1,
        (lo, hi) -> {
          for (int i = lo; i < hi; i++) {
            hits[i]++;
          }
          // A nested call runs inline on pool threads and must not deadlock.
          Parallel.forRange(0, 10, 1, (l2, h2) -> {});
        });
    for (int h : hits) {
      assertEquals(1, h);
    }
    RuntimeException boom = new IllegalStateException("boom");
    RuntimeException thrown =
        assertThrows(
            RuntimeException.class,
            () ->
                Parallel.forRange(
                    0,
                    100,
                    1,
                    (lo, hi) -> {
                      if (lo > 0) {
                        throw boom;
                      }
                    }));
    assertTrue(thrown == boom || thrown.getCause() == boom, String.valueOf(thrown));
    assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
  }
}
