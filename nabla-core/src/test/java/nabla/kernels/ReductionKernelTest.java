package nabla.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.stream.Stream;
import nabla.DType;
import nabla.Tensor;
import nabla.storage.Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reduction paths chosen by layout: trailing axes of a contiguous tensor reduced in place (no
 * copy, offset views), leading axes summed as column sums, everything else through a transposing
 * copy; long sums split in blocks across threads; fills and contiguous copies split across threads.
 * Each is compared with a float64 loop over the same data.
 */
class ReductionKernelTest {

  private static double[] random(long seed, int n) {
    Random r = new Random(seed);
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = r.nextDouble() * 2 - 1;
    }
    return d;
  }

  /** Sum over axis {@code axis} of a row-major [rows, cols] array, in float64. */
  private static double[] reference(double[] d, int rows, int cols, int axis) {
    double[] out = new double[axis == 0 ? cols : rows];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        out[axis == 0 ? j : i] += d[i * cols + j];
      }
    }
    return out;
  }

  /**
   * Rows shorter than one group of the sum kernels are summed in one loop over all rows; every
   * length up to past the group gives the bits of each provider's own sum of the row (the order the
   * results must keep), and the row extremes those of Math.max / Math.min, NaN and signed zeros
   * included.
   */
  @org.junit.jupiter.api.Test
  void shortRowsSumAndCompareAsTheKernelsDo() {
    java.util.List<KernelProvider> providers = new java.util.ArrayList<>();
    providers.add(KernelProvider.SCALAR);
    try {
      providers.add(KernelProvider.vector());
    } catch (UnsupportedOperationException e) {
      // no Vector API in this JVM (./nabla test --no-simd): the scalar provider alone
    }
    Random rnd = new Random(11);
    for (int len = 1; len <= 40; len++) {
      int rows = 7;
      float[] f = new float[rows * len];
      double[] d = new double[rows * len];
      for (int i = 0; i < f.length; i++) {
        double v = (rnd.nextDouble() * 2 - 1) * Math.pow(10, rnd.nextInt(9) - 4); // order matters
        f[i] = (float) v;
        d[i] = v;
      }
      f[len / 2] = Float.NaN; // row 0 holds a NaN
      d[len / 2] = Double.NaN;
      for (int j = 0; j < len; j++) { // row 1: signed zeros only
        f[len + j] = j % 2 == 0 ? -0f : 0f;
        d[len + j] = j % 2 == 0 ? -0.0 : 0.0;
      }
      Storage sf = Storage.wrap(f);
      Storage sd = Storage.wrap(d);
      Storage of = Storage.allocate(nabla.DType.FLOAT32, rows);
      Storage od = Storage.allocate(nabla.DType.FLOAT64, rows);
      Reduce.rows(ReduceOp.SUM, sf, 0, rows, len, of);
      Reduce.rows(ReduceOp.SUM, sd, 0, rows, len, od);
      for (KernelProvider p : providers) {
        for (int r = 0; r < rows; r++) {
          String what = p.name() + " length " + len + " row " + r;
          assertEquals(
              Float.floatToIntBits((float) Flat.sum(p.sums(), sf, r * len, len)),
              Float.floatToIntBits(of.f[r]),
              what + " float32 sum");
          assertEquals(
              Double.doubleToLongBits(Flat.sum(p.sums(), sd, r * len, len)),
              Double.doubleToLongBits(od.d[r]),
              what + " float64 sum");
        }
      }
      for (boolean max : new boolean[] {true, false}) {
        ReduceOp op = max ? ReduceOp.MAX : ReduceOp.MIN;
        Reduce.rows(op, sf, 0, rows, len, of);
        Reduce.rows(op, sd, 0, rows, len, od);
        for (int r = 0; r < rows; r++) {
          float mf = f[r * len];
          double md = d[r * len];
          for (int j = 1; j < len; j++) {
            mf = max ? Math.max(mf, f[r * len + j]) : Math.min(mf, f[r * len + j]);
            md = max ? Math.max(md, d[r * len + j]) : Math.min(md, d[r * len + j]);
          }
          String what = op + " length " + len + " row " + r;
          assertEquals(Float.floatToIntBits(mf), Float.floatToIntBits(of.f[r]), what);
          assertEquals(Double.doubleToLongBits(md), Double.doubleToLongBits(od.d[r]), what);
        }
      }
    }
  }

  private static void close(String what, double[] expected, double[] got, double tol) {
    assertEquals(expected.length, got.length, what + ": length");
    for (int i = 0; i < got.length; i++) {
      if (!(Math.abs(expected[i] - got[i]) <= tol * (1 + Math.abs(expected[i])))) {
        fail(what + " element " + i + ": expected " + expected[i] + ", got " + got[i]);
      }
    }
  }

  static Stream<Arguments> shapes() {
    Stream.Builder<Arguments> b = Stream.builder();
    int[][] sizes = {{1, 1}, {3, 5}, {256, 10}, {10, 256}, {300, 70}, {1000, 130}, {7, 70_001}};
    for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      for (int[] s : sizes) {
        for (int axis = 0; axis < 2; axis++) {
          b.add(Arguments.of(t, s[0], s[1], axis));
        }
      }
    }
    return b.build();
  }

  @ParameterizedTest(name = "{0} [{1},{2}] sum over axis {3}")
  @MethodSource("shapes")
  void sumOverOneAxis(DType t, int rows, int cols, int axis) {
    double[] d = random(rows * 31L + cols, rows * cols);
    Tensor x = Tensor.ofDoubles(d, rows, cols).to(t);
    double tol = t == DType.FLOAT32 ? 2e-6 * Math.sqrt(axis == 0 ? rows : cols) : 1e-12;
    close(
        "sum axis " + axis,
        reference(d, rows, cols, axis),
        x.sum(axis, false).toDoubleArray(),
        tol);
    // The same data seen through a transposed view takes the copying path.
    Tensor xt = Tensor.ofDoubles(d, rows, cols).to(t).transpose(0, 1);
    close(
        "transposed sum axis " + (1 - axis),
        reference(d, rows, cols, axis),
        xt.sum(1 - axis, false).toDoubleArray(),
        tol);
    // An offset view (a slice that skips the first row) still reads the right elements.
    if (rows > 1) {
      Tensor tail = x.slice(0, 1, rows, 1);
      double[] rest = new double[(rows - 1) * cols];
      System.arraycopy(d, cols, rest, 0, rest.length);
      close(
          "offset view sum axis " + axis,
          reference(rest, rows - 1, cols, axis),
          tail.sum(axis, false).toDoubleArray(),
          tol);
    }
  }

  @Test
  void leadingAxesOfRank3AreColumnSums() {
    int a = 4, b = 6, c = 33;
    double[] d = random(7, a * b * c);
    Tensor x = Tensor.ofDoubles(d, a, b, c);
    double[] expected = reference(d, a * b, c, 0);
    close("sum over axes 0,1", expected, x.sum(new int[] {0, 1}, false).toDoubleArray(), 1e-12);
    assertArrayEquals(new int[] {1, 1, c}, x.sum(new int[] {0, 1}, true).shape());
  }

  @Test
  void longSumIsBlockedAndIndependentOfThreadCount() {
    int n = 1_000_003; // many parallel blocks plus a ragged last block
    double[] d = random(3, n);
    double expected = 0;
    for (double v : d) {
      expected += v;
    }
    for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      Tensor x = Tensor.ofDoubles(d, n).to(t);
      int before = Parallel.threads();
      double one;
      double two;
      try {
        Parallel.setThreads(1);
        one = x.sum().item();
        Parallel.setThreads(2);
        two = x.sum().item();
      } finally {
        Parallel.setThreads(before);
      }
      assertEquals(one, two, 0.0, t + ": the result must not depend on the thread count");
      // Nor on whether the kernel is still interpreted or already compiled: repeat until the JIT
      // has compiled it (the Vector API's lane reduction order differs between the two).
      double[] blockSums = new double[400];
      Tensor block = x.slice(0, 0, 70_000, 1);
      for (int i = 0; i < blockSums.length; i++) {
        Parallel.setThreads(1 + i % 2);
        blockSums[i] = block.sum().item();
      }
      Parallel.setThreads(before);
      for (int i = 1; i < blockSums.length; i++) {
        assertEquals(blockSums[0], blockSums[i], 0.0, t + ": sum number " + i + " differs");
      }
      double tol = t == DType.FLOAT32 ? 1e-3 : 1e-9;
      assertEquals(expected, two, tol, t + " sum of " + n + " elements");
    }
  }

  @Test
  void largeFillAndCopyCoverEveryElement() {
    int n = 200_001;
    Tensor z = Tensor.ones(n).mul(3);
    double[] got = z.toDoubleArray();
    for (int i = 0; i < n; i++) {
      if (got[i] != 3) {
        fail("fill: element " + i + " is " + got[i]);
      }
    }
    double[] d = random(11, n);
    Tensor c = Tensor.ofDoubles(d, n).copy();
    assertArrayEquals(d, c.toDoubleArray(), 0.0);
    Tensor g = Tensor.ofDoubles(d, n).requiresGrad(true);
    g.sum().backward();
    g.zeroGrad();
    double[] zeros = g.grad().toDoubleArray();
    for (int i = 0; i < n; i++) {
      if (zeros[i] != 0) {
        fail("zeroGrad: element " + i + " is " + zeros[i]);
      }
    }
  }

  @Test
  void largeOverlappingCopyWithinOneStorageActsLikeMemmove() {
    int n = 200_001; // above the parallel threshold
    Tensor x = Tensor.arange(n);
    x.slice(0, 1, n, 1).copyFrom(x.slice(0, 0, n - 1, 1));
    double[] got = x.toDoubleArray();
    assertEquals(0, got[0], 0.0);
    for (int i = 1; i < n; i++) {
      if (got[i] != i - 1) {
        fail("element " + i + " is " + got[i] + ", expected " + (i - 1));
      }
    }
  }

  /**
   * Reduce.anyNaN (anomaly mode's scan), for every position of one bad value in ranges shorter and
   * longer than a vector, with an offset, and never a false NaN from -∞ and +∞ in different lanes.
   */
  @Test
  void anyNaNFindsEveryPositionOnBothPaths() {
    double[] specials = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
    for (int n : new int[] {0, 1, 5, 31, 32, 33, 64, 67, 200}) {
      for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
        int off = 3;
        nabla.storage.Storage st = nabla.storage.Storage.allocate(dtype, off + n + 2);
        for (int i = 0; i < off + n + 2; i++) {
          st.setDouble(i, i < off || i >= off + n ? Double.NaN : 0.5 * i - 7);
        }
        for (boolean inf : new boolean[] {false, true}) {
          assertEquals(false, Reduce.anyNaN(st, off, n, inf), "clean range, n = " + n);
          assertEquals(false, scalarOrVector(st, off, n, inf), "clean range (direct), n = " + n);
        }
        for (int pos = 0; pos < n; pos++) {
          for (double v : specials) {
            double old = st.getDouble(off + pos);
            st.setDouble(off + pos, v);
            for (boolean inf : new boolean[] {false, true}) {
              boolean expected = Double.isNaN(v) || inf;
              String what = dtype + " n=" + n + " pos=" + pos + " value=" + v + " inf=" + inf;
              assertEquals(expected, Reduce.anyNaN(st, off, n, inf), what);
              assertEquals(expected, scalarOrVector(st, off, n, inf), what + " (direct)");
            }
            st.setDouble(off + pos, old);
          }
        }
        if (n >= 2) { // -∞ and +∞ in different lanes and accumulators are not a NaN
          st.setDouble(off, Double.NEGATIVE_INFINITY);
          st.setDouble(off + n - 1, Double.POSITIVE_INFINITY);
          if (n > 40) {
            st.setDouble(off + 17, Double.POSITIVE_INFINITY);
            st.setDouble(off + 33, Double.NEGATIVE_INFINITY);
          }
          assertEquals(false, Reduce.anyNaN(st, off, n, false), dtype + " ±inf, n = " + n);
          assertEquals(false, scalarOrVector(st, off, n, false), dtype + " ±inf (direct)");
          assertEquals(true, Reduce.anyNaN(st, off, n, true), dtype + " ±inf, n = " + n);
        }
      }
    }
  }

  /** The scan at every length (one path since the scan is plain Java). */
  private static boolean scalarOrVector(
      nabla.storage.Storage st, int off, int n, boolean orInfinite) {
    return Reduce.anyNaN(st, off, n, orInfinite);
  }
}
