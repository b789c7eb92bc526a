package nabla.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import nabla.DType;
import nabla.storage.Storage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every unary op declared with its function only ({@code LOG1P(Math::log1p)}) through every path of
 * {@link Unary#apply}: contiguous from an offset (short, vector-sized and split among threads) and
 * strided (a transposed view), float64 exactly and float32 rounded once from the double result (ops
 * that also have a vector path, erf, erfc, log1p and expm1, within its ulp bound). Ops added that
 * way are covered here without a line of test code.
 */
class FunctionUnaryKernelTest {

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (UnaryOp op : UnaryOp.values()) {
      if (op.hasFunction()) {
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
          for (int n : new int[] {1, 33, 1029, 70_003}) {
            cases.add(Arguments.of(op, t, n));
          }
        }
      }
    }
    assertFalse(cases.isEmpty(), "no unary op is declared with a function");
    return cases.stream();
  }

  /** Values in [0, 2] (a domain of every such op so far), stored from index 3 on. */
  private static Storage input(DType t, int n, long seed) {
    Random r = new Random(seed);
    Storage s = Storage.allocate(t, n + 3);
    for (int i = 0; i < n; i++) {
      double v = 2 * r.nextDouble();
      if (t == DType.FLOAT32) {
        s.f[i + 3] = (float) v;
      } else {
        s.d[i + 3] = v;
      }
    }
    return s;
  }

  private static double expected(UnaryOp op, DType t, Storage in, int i) {
    return t == DType.FLOAT32 ? (float) op.apply(in.f[i]) : op.apply(in.d[i]);
  }

  private static double got(DType t, Storage out, int i) {
    return t == DType.FLOAT32 ? out.f[i] : out.d[i];
  }

  @ParameterizedTest(name = "{0} {1} n={2}")
  @MethodSource("cases")
  void contiguousFromAnOffset(UnaryOp op, DType t, int n) {
    Storage in = input(t, n, n);
    Storage out = Storage.allocate(t, n);
    Unary.apply(op, new int[] {n}, in, 3, new int[] {1}, out);
    for (int i = 0; i < n; i++) {
      check(op, t, i, expected(op, t, in, i + 3), got(t, out, i));
    }
  }

  @ParameterizedTest(name = "{0} {1} n={2}")
  @MethodSource("cases")
  void stridedTransposedView(UnaryOp op, DType t, int n) {
    int rows = 3;
    int cols = Math.max(1, n / rows);
    Storage in = input(t, rows * cols, n + 1);
    Storage out = Storage.allocate(t, rows * cols);
    // the transpose of a [rows, cols] row-major matrix stored from index 3: shape [cols, rows]
    Unary.apply(op, new int[] {cols, rows}, in, 3, new int[] {1, cols}, out);
    for (int c = 0; c < cols; c++) {
      for (int r = 0; r < rows; r++) {
        check(
            op, t, c * rows + r, expected(op, t, in, 3 + r * cols + c), got(t, out, c * rows + r));
      }
    }
  }

  /** Ops with a Vector API path besides their function: within its ulp bound, not exact. */
  private static final java.util.Set<UnaryOp> VECTORIZED =
      java.util.EnumSet.of(UnaryOp.ERF, UnaryOp.ERFC, UnaryOp.LOG1P, UnaryOp.EXPM1);

  private static void check(UnaryOp op, DType t, int i, double expected, double actual) {
    if (VECTORIZED.contains(op)) {
      double ulp = t == DType.FLOAT32 ? Math.ulp((float) expected) : Math.ulp(expected);
      double bound = KernelProvidersTest.bound(op) * ulp;
      if (!(Math.abs(expected - actual) <= bound)) {
        fail(op + " " + t + " element " + i + ": expected " + expected + ", got " + actual);
      }
      return;
    }
    if (Double.compare(expected, actual) != 0) {
      fail(op + " " + t + " element " + i + ": expected " + expected + ", got " + actual);
    }
    assertEquals(expected, actual, 0.0);
  }
}
