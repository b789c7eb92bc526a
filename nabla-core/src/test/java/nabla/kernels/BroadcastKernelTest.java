package nabla.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.stream.Stream;
import nabla.DType;
import nabla.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Comparisons, {@code where} and broadcasting binary ops through every kernel path: flat (both
 * operands contiguous or one broadcast value), broadcast rows (a bias row, a column), strided rows
 * (a transposed operand), small and parallel sizes, float32 and float64. Expected values come from
 * plain loops over the same doubles.
 */
class BroadcastKernelTest {

  static Stream<Arguments> cases() {
    Stream.Builder<Arguments> b = Stream.builder();
    int[][] sizes = {{1, 1}, {3, 37}, {64, 65}, {300, 257}};
    for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      for (int[] s : sizes) {
        b.add(Arguments.of(t, s[0], s[1]));
      }
    }
    return b.build();
  }

  private static double[] random(long seed, int n) {
    Random r = new Random(seed);
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      // Small integers so equalities occur and float32 rounding does not change comparisons.
      d[i] = r.nextInt(7) - 3;
    }
    return d;
  }

  private static void close(String what, double[] expected, double[] got) {
    assertEquals(expected.length, got.length, what + ": length");
    for (int i = 0; i < got.length; i++) {
      if (!(Math.abs(expected[i] - got[i]) <= 1e-6 * (1 + Math.abs(expected[i])))) {
        fail(what + " element " + i + ": expected " + expected[i] + ", got " + got[i]);
      }
    }
  }

  @ParameterizedTest(name = "{0} [{1},{2}]")
  @MethodSource("cases")
  void comparisonsOnEveryPath(DType t, int rows, int cols) {
    double[] a = random(rows * 7L + cols, rows * cols);
    double[] bm = random(rows * 11L + cols, rows * cols);
    double[] row = random(cols, cols);
    Tensor ta = Tensor.ofDoubles(a, rows, cols).to(t);
    Tensor tb = Tensor.ofDoubles(bm, rows, cols).to(t);
    Tensor tRow = Tensor.ofDoubles(row, cols).to(t);
    Tensor tbT = Tensor.ofDoubles(bm, cols, rows).to(t).transpose(0, 1); // strided operand
    String[] names = {"eq", "ne", "lt", "le", "gt", "ge"};
    for (int op = 0; op < 6; op++) {
      boolean[] flat = new boolean[rows * cols];
      boolean[] scalar = new boolean[rows * cols];
      boolean[] bias = new boolean[rows * cols];
      boolean[] strided = new boolean[rows * cols];
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
          int k = i * cols + j;
          flat[k] = cmp(op, a[k], bm[k]);
          scalar[k] = cmp(op, a[k], 1.0);
          bias[k] = cmp(op, a[k], row[j]);
          strided[k] = cmp(op, a[k], bm[j * rows + i]);
        }
      }
      String what = names[op] + " " + t + " [" + rows + "," + cols + "]";
      assertBools(what + " flat", flat, compare(op, ta, tb));
      assertBools(what + " with a scalar", scalar, compare(op, ta, Tensor.scalar(1.0).to(t)));
      assertBools(what + " with a broadcast row", bias, compare(op, ta, tRow));
      assertBools(what + " with a transposed operand", strided, compare(op, ta, tbT));
    }
  }

  @ParameterizedTest(name = "{0} [{1},{2}]")
  @MethodSource("cases")
  void whereAndBroadcastArithmetic(DType t, int rows, int cols) {
    double[] a = random(rows * 3L + cols, rows * cols);
    double[] bm = random(rows * 5L + cols, rows * cols);
    double[] col = random(rows + 1L, rows);
    Tensor ta = Tensor.ofDoubles(a, rows, cols).to(t);
    Tensor tb = Tensor.ofDoubles(bm, rows, cols).to(t);
    Tensor tCol = Tensor.ofDoubles(col, rows, 1).to(t);
    Tensor mask = ta.gt(0);
    double[] whereFlat = new double[rows * cols];
    double[] whereScalar = new double[rows * cols];
    double[] whereCol = new double[rows * cols];
    double[] addCol = new double[rows * cols];
    double[] mulT = new double[rows * cols];
    Tensor tbT = Tensor.ofDoubles(bm, cols, rows).to(t).transpose(0, 1);
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        int k = i * cols + j;
        whereFlat[k] = a[k] > 0 ? a[k] : bm[k];
        whereScalar[k] = a[k] > 0 ? bm[k] : 0;
        whereCol[k] = col[i] > 0 ? a[k] : -2;
        addCol[k] = a[k] + col[i];
        mulT[k] = a[k] * bm[j * rows + i];
      }
    }
    String what = t + " [" + rows + "," + cols + "]";
    close("where flat " + what, whereFlat, Tensor.where(mask, ta, tb).toDoubleArray());
    close("where with a scalar " + what, whereScalar, Tensor.where(mask, tb, 0).toDoubleArray());
    close(
        "where with a column mask " + what,
        whereCol,
        Tensor.where(tCol.gt(0), ta, -2).toDoubleArray());
    close("add a column " + what, addCol, ta.add(tCol).toDoubleArray());
    close("mul a transposed operand " + what, mulT, ta.mul(tbT).toDoubleArray());
  }

  private static Tensor compare(int op, Tensor a, Tensor b) {
    return switch (op) {
      case 0 -> a.eq(b);
      case 1 -> a.ne(b);
      case 2 -> a.lt(b);
      case 3 -> a.le(b);
      case 4 -> a.gt(b);
      default -> a.ge(b);
    };
  }

  private static boolean cmp(int op, double x, double y) {
    return switch (op) {
      case 0 -> x == y;
      case 1 -> x != y;
      case 2 -> x < y;
      case 3 -> x <= y;
      case 4 -> x > y;
      default -> x >= y;
    };
  }

  private static void assertBools(String what, boolean[] expected, Tensor actual) {
    assertEquals(DType.BOOL, actual.dtype(), what + ": dtype");
    double[] got = actual.toDoubleArray();
    double[] want = new double[expected.length];
    for (int i = 0; i < want.length; i++) {
      want[i] = expected[i] ? 1 : 0;
    }
    assertArrayEquals(want, got, 0.0, what);
  }
}
