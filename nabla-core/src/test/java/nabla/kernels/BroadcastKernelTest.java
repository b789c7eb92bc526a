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

  /**
   * Broadcasts whose rows are short run as one loop over all rows ({@code binaryRows}, one loop per
   * inner-stride kind); every arithmetic op, every operand kind (a row, a column, both as an outer
   * sum, a transposed operand, a 3-d shape that merges into rows and one that does not) gives the
   * bits of the same op on the elements, and rows as long as {@code SHORT_ROW} go the vector way.
   */
  @org.junit.jupiter.api.Test
  void shortRowsGiveTheBitsOfTheElementwiseOp() {
    String[] ops = {"add", "sub", "mul", "div", "maximum", "pow"};
    for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      for (int[] s : new int[][] {{1, 3}, {7, 5}, {64, 8}, {3, 31}, {40, Binary.SHORT_ROW}}) {
        int rows = s[0];
        int cols = s[1];
        double[] a = positive(rows * 13L + cols, rows * cols);
        double[] bm = positive(rows * 17L + cols, rows * cols);
        double[] row = positive(cols + 5L, cols);
        double[] col = positive(rows + 9L, rows);
        Tensor ta = Tensor.ofDoubles(a, rows, cols).to(t);
        Tensor tRow = Tensor.ofDoubles(row, cols).to(t);
        Tensor tCol = Tensor.ofDoubles(col, rows, 1).to(t);
        Tensor tbT = Tensor.ofDoubles(bm, cols, rows).to(t).transpose(0, 1);
        for (String op : ops) {
          String what = op + " " + t + " [" + rows + "," + cols + "]";
          double[] withRow = new double[rows * cols];
          double[] rowFirst = new double[rows * cols];
          double[] withCol = new double[rows * cols];
          double[] outer = new double[rows * cols];
          double[] transposed = new double[rows * cols];
          for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
              int k = i * cols + j;
              withRow[k] = op(op, t, a[k], row[j]);
              rowFirst[k] = op(op, t, row[j], a[k]);
              withCol[k] = op(op, t, a[k], col[i]);
              outer[k] = op(op, t, col[i], row[j]);
              transposed[k] = op(op, t, a[k], bm[j * rows + i]);
            }
          }
          assertArrayEquals(withRow, apply(op, ta, tRow).toDoubleArray(), 0, what + " row");
          assertArrayEquals(rowFirst, apply(op, tRow, ta).toDoubleArray(), 0, what + " row first");
          assertArrayEquals(withCol, apply(op, ta, tCol).toDoubleArray(), 0, what + " column");
          assertArrayEquals(outer, apply(op, tCol, tRow).toDoubleArray(), 0, what + " outer");
          assertArrayEquals(
              transposed, apply(op, ta, tbT).toDoubleArray(), 0, what + " transposed");
          // 3-d: [2, rows, cols] with a row merges into [2 * rows, cols]; with [2, 1, cols] not
          Tensor t3 = Tensor.cat(0, ta.unsqueeze(0), ta.unsqueeze(0).add(1));
          Tensor pair = Tensor.cat(0, tRow.reshape(1, 1, cols), tRow.reshape(1, 1, cols).mul(2));
          double[] merged = new double[2 * rows * cols];
          double[] unmerged = new double[2 * rows * cols];
          for (int h = 0; h < 2; h++) {
            for (int k = 0; k < rows * cols; k++) {
              double x = h == 0 ? a[k] : op("add", t, a[k], 1);
              double r = row[k % cols];
              merged[h * rows * cols + k] = op(op, t, x, r);
              unmerged[h * rows * cols + k] = op(op, t, x, h == 0 ? r : op("mul", t, r, 2));
            }
          }
          assertArrayEquals(merged, apply(op, t3, tRow).toDoubleArray(), 0, what + " 3-d merged");
          assertArrayEquals(unmerged, apply(op, t3, pair).toDoubleArray(), 0, what + " 3-d");
        }
      }
    }
  }

  /** Values in [0.5, 2): pow and div stay finite, and every op rounds (float32 too). */
  private static double[] positive(long seed, int n) {
    Random r = new Random(seed);
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = 0.5 + 1.5 * r.nextDouble();
    }
    return d;
  }

  private static Tensor apply(String op, Tensor a, Tensor b) {
    return switch (op) {
      case "add" -> a.add(b);
      case "sub" -> a.sub(b);
      case "mul" -> a.mul(b);
      case "div" -> a.div(b);
      case "maximum" -> a.maximum(b);
      default -> a.pow(b);
    };
  }

  /**
   * The op on two values of dtype t, rounded as t rounds it (float32 operands rounded first; a
   * float32 +, -, *, / of them computed in float64 and rounded once is the float32 result).
   */
  private static double op(String op, DType t, double x, double y) {
    boolean f = t == DType.FLOAT32;
    double a = f ? (float) x : x;
    double b = f ? (float) y : y;
    double r =
        switch (op) {
          case "add" -> a + b;
          case "sub" -> a - b;
          case "mul" -> a * b;
          case "div" -> a / b;
          case "maximum" -> Math.max(a, b);
          default -> f ? Math.pow((float) a, (float) b) : Math.pow(a, b);
        };
    return f ? (float) r : r;
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
