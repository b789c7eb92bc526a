package nabla.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import nabla.DType;
import nabla.Tensor;
import nabla.storage.Storage;
import org.junit.jupiter.api.Test;

/**
 * Column sums (the sum over the leading axes of a contiguous tensor, e.g. a bias gradient): each
 * column added row by row in double and rounded once for float32, as {@link SumKernels} documents.
 * Because that order is fixed, every result is compared bit for bit with a plain loop in that
 * order, for the scalar kernels, the Vector API kernels (both vector layouts) and through {@code
 * Tensor.sum}, on shapes around every vector width, with offsets, keepDim, rank 3, and on one, two
 * and three threads.
 */
class ColumnSumTest {

  /** Values over many binades, so that any other order of the additions shows in the bits. */
  private static double[] values(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = (r.nextDouble() - 0.3) * Math.scalb(1.0, r.nextInt(40) - 20);
    }
    return d;
  }

  private static float[] toFloat(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  /** Column c of a[off + i*cols + c], added row by row in double from zero. */
  private static double column(double[] a, int off, int rows, int cols, int c) {
    double s = 0;
    for (int i = 0; i < rows; i++) {
      s += a[off + i * cols + c];
    }
    return s;
  }

  private static double column(float[] a, int off, int rows, int cols, int c) {
    double s = 0;
    for (int i = 0; i < rows; i++) {
      s += a[off + i * cols + c];
    }
    return s;
  }

  /** The scalar kernels and, when this JVM has the Vector API, both vector layouts. */
  private static List<SumKernels> kernels() {
    List<SumKernels> out = new ArrayList<>();
    out.add(KernelProvider.SCALAR.sums());
    out.add(KernelProvider.chosen().sums());
    try {
      KernelProvider.vector();
      if (VectorSumKernels.usable()) {
        out.add(VectorSumKernels.INSTANCE);
        out.add(VectorSumKernels.with256BitVectors());
      }
    } catch (UnsupportedOperationException e) {
      // no Vector API in this JVM: the scalar kernels alone
    }
    return out;
  }

  private static final int[] ROWS = {1, 2, 3, 7, 33, 100};

  private static final int[] COLS = {
    1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 66, 127, 128, 129, 200, 257
  };

  @Test
  void everyKernelGivesTheBitsOfARowByRowLoop() {
    int off = 3;
    for (SumKernels k : kernels()) {
      for (int rows : ROWS) {
        for (int cols : COLS) {
          double[] d = values(rows * 1000L + cols, off + rows * cols + 2);
          float[] f = toFloat(d);
          double[] outD = new double[cols];
          float[] outF = new float[cols];
          k.columnSum(d, off, rows, cols, 0, cols, outD);
          k.columnSum(f, off, rows, cols, 0, cols, outF);
          for (int c = 0; c < cols; c++) {
            String what = k + " [" + rows + ", " + cols + "] column " + c;
            assertEquals(column(d, off, rows, cols, c), outD[c], 0.0, "float64 " + what);
            assertEquals((float) column(f, off, rows, cols, c), outF[c], 0.0f, "float32 " + what);
          }
        }
      }
    }
  }

  @Test
  void aRangeOfColumnsWritesThoseColumnsOnly() {
    int rows = 5, cols = 150;
    double[] d = values(17, rows * cols);
    float[] f = toFloat(d);
    for (SumKernels k : kernels()) {
      for (int[] range : new int[][] {{0, 1}, {1, 9}, {3, 70}, {64, 150}, {149, 150}, {7, 7}}) {
        int c0 = range[0], c1 = range[1];
        double[] outD = new double[cols];
        float[] outF = new float[cols];
        java.util.Arrays.fill(outD, Double.NaN);
        java.util.Arrays.fill(outF, Float.NaN);
        k.columnSum(d, 0, rows, cols, c0, c1, outD);
        k.columnSum(f, 0, rows, cols, c0, c1, outF);
        for (int c = 0; c < cols; c++) {
          String what = k + " columns " + c0 + ".." + c1 + ", element " + c;
          if (c >= c0 && c < c1) {
            assertEquals(column(d, 0, rows, cols, c), outD[c], 0.0, what);
            assertEquals((float) column(f, 0, rows, cols, c), outF[c], 0.0f, what);
          } else {
            assertTrue(Double.isNaN(outD[c]), "float64 written outside the range: " + what);
            assertTrue(Float.isNaN(outF[c]), "float32 written outside the range: " + what);
          }
        }
      }
    }
  }

  @Test
  void float32ColumnsAccumulateInDouble() {
    // 2^25 and then sixty-three 1s: in float32 every 1 is lost against 2^25 (its spacing there is
    // 4); in double they all count, and the total 2^25 + 63 rounds once, to 2^25 + 64.
    int rows = 64, cols = 19; // 19 columns: a full vector and a masked tail on any width
    float[] f = new float[rows * cols];
    for (int i = 0; i < rows; i++) {
      for (int c = 0; c < cols; c++) {
        f[i * cols + c] = i == 0 ? 0x1p25f : 1f;
      }
    }
    for (SumKernels k : kernels()) {
      float[] out = new float[cols];
      k.columnSum(f, 0, rows, cols, 0, cols, out);
      for (int c = 0; c < cols; c++) {
        assertEquals(0x1p25f + 64, out[c], 0.0f, k + " column " + c);
      }
    }
  }

  @Test
  void tensorSumOverLeadingAxesMatchesTheLoop() {
    for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      for (int rows : ROWS) {
        for (int cols : COLS) {
          double[] d = values(rows * 77L + cols, rows * cols);
          Tensor x = Tensor.ofDoubles(d, rows, cols).to(t);
          double[] expected = expected(x.toDoubleArray(), 0, rows, cols, t);
          String what = t + " [" + rows + ", " + cols + "]";
          // One column is one contiguous sum (aSingleKeptColumnIsOneContiguousSum), in another
          // order: compared within rounding.
          double tol =
              cols > 1 ? 0.0 : (t == DType.FLOAT32 ? 1e-6 : 1e-12) * (1 + Math.abs(expected[0]));
          assertArrayEquals(expected, x.sum(0, false).toDoubleArray(), tol, what);
          Tensor kept = x.sum(0, true);
          assertArrayEquals(new int[] {1, cols}, kept.shape(), what + " keepDim shape");
          assertArrayEquals(expected, kept.toDoubleArray(), tol, what + " keepDim");
          if (rows > 1) { // an offset view: a slice without the first row
            double[] rest = expected(x.toDoubleArray(), cols, rows - 1, cols, t);
            assertArrayEquals(
                rest, x.slice(0, 1, rows, 1).sum(0, false).toDoubleArray(), tol, what + " view");
          }
        }
      }
    }
  }

  @Test
  void severalLeadingAxesOfRank3() {
    int b = 3, s = 11, c = 37;
    for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      Tensor x = Tensor.ofDoubles(values(5, b * s * c), b, s, c).to(t);
      double[] flat = x.toDoubleArray();
      double[] overBoth = expected(flat, 0, b * s, c, t);
      assertArrayEquals(overBoth, x.sum(new int[] {0, 1}, false).toDoubleArray(), 0.0, "" + t);
      Tensor kept = x.sum(new int[] {0, 1}, true);
      assertArrayEquals(new int[] {1, 1, c}, kept.shape());
      assertArrayEquals(overBoth, kept.toDoubleArray(), 0.0, t + " keepDim");
      // axis 0 alone: s*c columns of b rows
      assertArrayEquals(
          expected(flat, 0, b, s * c, t), x.sum(0, false).toDoubleArray(), 0.0, t + " axis 0");
    }
  }

  @Test
  void largeSumsAreSplitAmongThreadsWithoutChangingABit() {
    int before = Parallel.threads();
    try {
      for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
        for (int[] shape : new int[][] {{600, 1000}, {517, 1031}, {70, 4001}}) {
          int rows = shape[0], cols = shape[1];
          Tensor x = Tensor.ofDoubles(values(rows + cols, rows * cols), rows, cols).to(t);
          double[] expected = expected(x.toDoubleArray(), 0, rows, cols, t);
          for (int threads : new int[] {1, 2, 3}) {
            Parallel.setThreads(threads);
            double[] got = x.sum(0, false).toDoubleArray();
            for (int c = 0; c < cols; c++) {
              if (Double.doubleToLongBits(expected[c]) != Double.doubleToLongBits(got[c])) {
                fail(
                    t
                        + " ["
                        + rows
                        + ", "
                        + cols
                        + "] on "
                        + threads
                        + " threads, column "
                        + c
                        + ": expected "
                        + expected[c]
                        + ", got "
                        + got[c]);
              }
            }
          }
        }
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  @Test
  void aSingleKeptColumnIsOneContiguousSum() {
    int n = 100_002; // 7 * 14286
    for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      Tensor flat = Tensor.ofDoubles(values(23, n), n).to(t);
      double whole = flat.sum().item();
      double exact = 0;
      for (double v : flat.toDoubleArray()) {
        exact += v;
      }
      assertEquals(exact, whole, Math.abs(exact) * 1e-6, t + " sum of the flat data");
      Tensor column = flat.reshape(n, 1);
      assertEquals(whole, column.sum(0, false).item(), 0.0, t + " [n, 1] over axis 0");
      Tensor kept = column.sum(0, true);
      assertArrayEquals(new int[] {1, 1}, kept.shape());
      assertEquals(whole, kept.toDoubleArray()[0], 0.0, t + " keepDim");
      Tensor threeD = flat.reshape(1, n, 1);
      assertEquals(whole, threeD.sum(1, false).item(), 0.0, t + " [1, n, 1] over axis 1");
      assertEquals(
          whole,
          flat.reshape(7, n / 7, 1).sum(new int[] {0, 1}, false).item(),
          0.0,
          t + " [7, n/7, 1] over axes 0 and 1");
      // max and argmax take the same shortcut
      Tensor m = column.max(0, false);
      assertEquals(flat.max().item(), m.item(), 0.0, t + " max");
      assertEquals(
          flat.argmax(0, false).item(), column.argmax(0, false).item(), 0.0, t + " argmax");
    }
  }

  @Test
  void otherDtypesAreRejectedWithTheOperationNamed() {
    Storage longs = Storage.allocate(DType.INT64, 6);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Reduce.columnSum(longs, 0, 2, 3, longs));
    assertTrue(e.getMessage().contains("columnSum") && e.getMessage().contains("int64"));
    Storage f = Storage.allocate(DType.FLOAT32, 6);
    Storage d = Storage.allocate(DType.FLOAT64, 3);
    assertThrows(IllegalArgumentException.class, () -> Reduce.columnSum(f, 0, 2, 3, d));
  }

  /**
   * The column sums of the [rows, cols] block starting at flat[off], in the documented order,
   * rounded to float for float32 (flat holds the tensor's values, exact for either dtype).
   */
  private static double[] expected(double[] flat, int off, int rows, int cols, DType t) {
    double[] out = new double[cols];
    for (int c = 0; c < cols; c++) {
      double s = column(flat, off, rows, cols, c);
      out[c] = t == DType.FLOAT32 ? (float) s : s;
    }
    return out;
  }
}
