package nabla.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;
import nabla.DType;
import nabla.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The flat elementwise and sum kernels (vector path when the module is present, scalar otherwise;
 * parallel above the chunk size) against plain double arithmetic, at lengths that hit the vector
 * tail, the vector body and the parallel split, and at non-zero offsets.
 */
class ElementwiseKernelTest {
  static final int[] LENGTHS = {1, 7, 31, 33, 100, 1029, 70_003};

  static Stream<Arguments> cases() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      for (int n : LENGTHS) {
        b.add(Arguments.of(t, n));
      }
    }
    return b.build();
  }

  private static double[] random(Random r, int n, double lo, double hi) {
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = lo + (hi - lo) * r.nextDouble();
    }
    return d;
  }

  /** A tensor whose storage starts 3 elements before its data (a slice), so offsets matter. */
  private static Tensor offsetTensor(double[] d, DType t) {
    double[] padded = new double[d.length + 3];
    System.arraycopy(d, 0, padded, 3, d.length);
    return Tensor.ofDoubles(padded, padded.length).to(t).slice(0, 3, padded.length, 1);
  }

  private static void check(String what, DType t, double[] expected, Tensor actual) {
    double[] got = actual.toDoubleArray();
    assertEquals(expected.length, got.length, what);
    double tol = t == DType.FLOAT32 ? 3e-6 : 1e-13;
    for (int i = 0; i < got.length; i++) {
      double e = t == DType.FLOAT32 ? (float) expected[i] : expected[i];
      if (!(Math.abs(e - got[i]) <= tol * (1 + Math.abs(e)))) {
        fail(
            what
                + " "
                + t
                + " element "
                + i
                + " of "
                + got.length
                + ": expected "
                + e
                + ", got "
                + got[i]);
      }
    }
  }

  /** Rounds the inputs as the dtype stores them, so float32 references see the same values. */
  private static double[] stored(double[] d, DType t) {
    double[] r = d.clone();
    if (t == DType.FLOAT32) {
      for (int i = 0; i < r.length; i++) {
        r[i] = (float) r[i];
      }
    }
    return r;
  }

  @ParameterizedTest(name = "{0} n={1}")
  @MethodSource("cases")
  void unaryOps(DType t, int n) {
    Random r = new Random(n);
    double[] x = stored(random(r, n, -3, 3), t);
    double[] pos = stored(random(r, n, 0.1, 5), t);
    Tensor tx = offsetTensor(x, t);
    Tensor tp = offsetTensor(pos, t);
    unary("neg", t, x, tx.neg(), v -> -v);
    unary("abs", t, x, tx.abs(), Math::abs);
    unary("exp", t, x, tx.exp(), Math::exp);
    unary("sin", t, x, tx.sin(), Math::sin);
    unary("cos", t, x, tx.cos(), Math::cos);
    unary("tanh", t, x, tx.tanh(), Math::tanh);
    unary("relu", t, x, tx.relu(), v -> Math.max(v, 0));
    unary("sigmoid", t, x, tx.sigmoid(), v -> 1 / (1 + Math.exp(-v)));
    unary("log", t, pos, tp.log(), Math::log);
    unary("sqrt", t, pos, tp.sqrt(), Math::sqrt);
  }

  private static void unary(String name, DType t, double[] x, Tensor got, DoubleUnaryOperator f) {
    double[] e = new double[x.length];
    for (int i = 0; i < e.length; i++) {
      e[i] = f.applyAsDouble(x[i]);
    }
    check(name, t, e, got);
  }

  @ParameterizedTest(name = "{0} n={1}")
  @MethodSource("cases")
  void binaryOpsAndScalarBroadcast(DType t, int n) {
    Random r = new Random(31 + n);
    double[] a = stored(random(r, n, -3, 3), t);
    double[] b = stored(random(r, n, 0.5, 3), t);
    Tensor ta = offsetTensor(a, t);
    Tensor tb = offsetTensor(b, t);
    binary("add", t, a, b, ta.add(tb), Double::sum);
    binary("sub", t, a, b, ta.sub(tb), (x, y) -> x - y);
    binary("mul", t, a, b, ta.mul(tb), (x, y) -> x * y);
    binary("div", t, a, b, ta.div(tb), (x, y) -> x / y);
    binary("maximum", t, a, b, ta.maximum(tb), Math::max);
    binary("minimum", t, a, b, ta.minimum(tb), Math::min);
    double[] c = new double[n];
    java.util.Arrays.fill(c, stored(new double[] {1.75}, t)[0]);
    binary("mul scalar", t, a, c, ta.mul(1.75), (x, y) -> x * y);
    binary("sub scalar", t, a, c, ta.sub(1.75), (x, y) -> x - y);
    Tensor first = Tensor.scalar(1.75, t);
    binary("scalar sub", t, c, a, first.sub(ta), (x, y) -> x - y);
    binary("scalar div", t, c, b, first.div(tb), (x, y) -> x / y);
  }

  @ParameterizedTest(name = "{0} n={1}")
  @MethodSource("cases")
  void gradientAccumulatesInPlace(DType t, int n) {
    Random r = new Random(5 + n);
    double[] a = stored(random(r, n, -2, 2), t);
    Tensor x = Tensor.ofDoubles(a, n).to(t).requiresGrad(true);
    x.mul(x).sum().backward();
    Tensor firstGrad = x.grad();
    x.mul(3).sum().backward();
    org.junit.jupiter.api.Assertions.assertSame(firstGrad, x.grad(), "the buffer is reused");
    double[] e = new double[n];
    for (int i = 0; i < n; i++) {
      e[i] = 2 * a[i] + 3;
    }
    check("accumulated grad", t, e, x.grad());
  }

  private static void binary(
      String name, DType t, double[] a, double[] b, Tensor got, DoubleBinaryOperator f) {
    double[] e = new double[a.length];
    for (int i = 0; i < e.length; i++) {
      e[i] = f.applyAsDouble(a[i], b[i]);
    }
    check(name, t, e, got);
  }

  @ParameterizedTest(name = "{0} n={1}")
  @MethodSource("cases")
  void sumAndNanPropagation(DType t, int n) {
    Random r = new Random(77 + n);
    double[] a = stored(random(r, n, -1, 1), t);
    double s = 0;
    for (double v : a) {
      s += v;
    }
    Tensor ta = offsetTensor(a, t);
    double got = ta.sum().item();
    assertEquals(s, got, (t == DType.FLOAT32 ? 1e-5 : 1e-12) * Math.max(1, n), "sum n=" + n);
    a[n / 2] = Double.NaN;
    Tensor withNan = offsetTensor(a, t);
    assertEquals(true, Double.isNaN(withNan.relu().toDoubleArray()[n / 2]), "relu keeps NaN");
    assertEquals(
        true,
        Double.isNaN(withNan.maximum(withNan.zerosLike()).toDoubleArray()[n / 2]),
        "maximum propagates NaN");
  }
}
