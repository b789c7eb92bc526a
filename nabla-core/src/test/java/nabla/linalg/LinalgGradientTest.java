package nabla.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import nabla.Autograd;
import nabla.DType;
import nabla.GradCheck;
import nabla.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Every function of {@link Linalg} through GradCheck in float64 on fixed, well-conditioned
 * matrices: VJP of order 1 and 2 and the JVP against central finite differences, none skipped.
 * Decompositions with a sign or rotation freedom (eigh, svd) are checked through gauge-invariant
 * functions of their outputs.
 */
class LinalgGradientTest {

  /** GradCheck's every check (first and second order, forward mode), none of them skipped. */
  static void check(Autograd.MultiFunction f, Tensor... inputs) {
    GradCheck.Report r = GradCheck.check(f, inputs);
    assertTrue(r.passed() && r.notes().isEmpty() && r.comparisons() > 0, r.toString());
  }

  /** A float64 matrix batch with entries in [-1, 1) from a fixed seed, plus shift·I. */
  static Tensor matrix(long seed, double shift, int... shape) {
    SplittableRandom r = new SplittableRandom(seed);
    int n = 1;
    for (int s : shape) {
      n *= s;
    }
    double[] d = new double[n];
    int rows = shape.length < 2 ? 1 : shape[shape.length - 2];
    int cols = shape[shape.length - 1];
    for (int i = 0; i < n; i++) {
      d[i] = r.nextDouble(-1, 1);
      int within = i % (rows * cols);
      if (within / cols == within % cols && shape.length >= 2) {
        d[i] += shift;
      }
    }
    return Tensor.ofDoubles(d, shape);
  }

  static Tensor grad(Tensor t) {
    return t.requiresGrad(true);
  }

  @Test
  void solveMatrixRightHandSide() {
    check(x -> Linalg.solve(x[0], x[1]), grad(matrix(1, 3, 2, 3, 3)), grad(matrix(2, 0, 2, 3, 2)));
  }

  @Test
  void solveVectorAndBroadcastBatch() {
    check(x -> Linalg.solve(x[0], x[1]), grad(matrix(3, 3, 2, 3, 3)), grad(matrix(4, 0, 2, 3)));
    Tensor b = Tensor.ofDoubles(new double[] {1, -2, 0.5}, 3);
    check(x -> Linalg.solve(x[0], x[1]), grad(matrix(5, 3, 3, 3)), grad(b));
  }

  @Test
  void inverse() {
    check(x -> Linalg.inv(x[0]), grad(matrix(6, 2.5, 2, 3, 3)));
  }

  @Test
  void determinant() {
    check(x -> Linalg.det(x[0]), grad(matrix(7, 2, 3, 3)));
    check(x -> Linalg.det(x[0]), grad(matrix(8, -2, 2, 4, 4)));
  }

  @Test
  void logAbsDeterminant() {
    check(x -> Linalg.slogdet(x[0]).logAbsDet(), grad(matrix(9, -2.5, 2, 3, 3)));
  }

  @Test
  void solveValuesAndFloat32() {
    Tensor a = Tensor.ofDoubles(new double[] {4, 1, 1, 3}, 2, 2);
    Tensor b = Tensor.ofDoubles(new double[] {1, 2}, 2);
    double[] x = Linalg.solve(a, b).toDoubleArray();
    assertEquals(1.0 / 11, x[0], 1e-15);
    assertEquals(7.0 / 11, x[1], 1e-15);
    Tensor x32 = Linalg.solve(a.to(DType.FLOAT32), b.to(DType.FLOAT32));
    assertEquals(DType.FLOAT32, x32.dtype());
    assertEquals((float) (7.0 / 11), x32.toFloatArray()[1]);
    Tensor big = matrix(10, 4, 3, 5, 5);
    Tensor back = big.matmul(Linalg.inv(big));
    double[] e = back.sub(Tensor.eye(5).to(DType.FLOAT64)).abs().toDoubleArray();
    for (double v : e) {
      assertTrue(v < 1e-13, "A·inv(A) differs from I by " + v);
    }
  }

  @Test
  void determinantValues() {
    Tensor a = Tensor.ofDoubles(new double[] {1, 2, 3, 4, 0, 1, 1, 1, 1, 2, 3, 4}, 3, 2, 2);
    a = a.reshape(3, 2, 2);
    double[] d = Linalg.det(a).toDoubleArray();
    assertEquals(-2, d[0], 1e-15);
    assertEquals(-1, d[1], 1e-15);
    assertEquals(-2, d[2], 1e-15);
    Linalg.Slogdet s = Linalg.slogdet(a);
    assertEquals(-1, s.sign().toDoubleArray()[0]);
    assertEquals(Math.log(2), s.logAbsDet().toDoubleArray()[0], 1e-15);
    Tensor singular = Tensor.ofDoubles(new double[] {1, 2, 2, 4}, 2, 2);
    assertEquals(0, Linalg.det(singular).item());
    assertEquals(0, Linalg.slogdet(singular).sign().item());
    assertEquals(Double.NEGATIVE_INFINITY, Linalg.slogdet(singular).logAbsDet().item());
  }

  /** A symmetric positive-definite batch: M Mᵀ + n·I. */
  static Tensor spd(long seed, int... shape) {
    Tensor m = matrix(seed, 0, shape);
    int n = shape[shape.length - 1];
    return m.matmul(m.transpose(-2, -1)).add(Tensor.eye(n).to(DType.FLOAT64).mul(n));
  }

  @Test
  void cholesky() {
    check(x -> Linalg.cholesky(x[0]), grad(spd(11, 2, 3, 3)));
    Tensor a = Tensor.ofDoubles(new double[] {4, 2, 2, 5}, 2, 2);
    double[] l = Linalg.cholesky(a).toDoubleArray();
    double[] expected = {2, 0, 1, 2};
    for (int i = 0; i < 4; i++) {
      assertEquals(expected[i], l[i], 1e-15);
    }
    Tensor big = spd(12, 6, 6);
    Tensor f = Linalg.cholesky(big);
    double err = f.matmul(f.transpose(-2, -1)).sub(big).abs().max().item();
    assertTrue(err < 1e-13, "L Lᵀ differs from A by " + err);
    Tensor indefinite = Tensor.ofDoubles(new double[] {1, 2, 2, 1}, 2, 2);
    var e = assertThrows(IllegalArgumentException.class, () -> Linalg.cholesky(indefinite));
    assertTrue(
        e.getMessage().contains("positive-definite") && e.getMessage().contains("order 2"),
        e.getMessage());
  }

  @Test
  void solveTriangular() {
    Tensor lower = matrix(13, 3, 2, 3, 3).mul(Matrices.triangleMask(3, false, DType.FLOAT64));
    Tensor upper = matrix(14, -3, 3, 3).mul(Matrices.triangleMask(3, true, DType.FLOAT64));
    check(
        x -> Linalg.solveTriangular(x[0], x[1], false), grad(lower), grad(matrix(15, 0, 2, 3, 2)));
    check(x -> Linalg.solveTriangular(x[0], x[1], true), grad(upper), grad(matrix(16, 0, 2, 3, 2)));
    // the other triangle is ignored: a full matrix gives the same solution as its triangle
    Tensor full = matrix(17, 3, 3, 3);
    Tensor b = matrix(18, 0, 3, 2);
    Tensor x1 = Linalg.solveTriangular(full, b, true);
    Tensor x2 = Linalg.solve(full.mul(Matrices.triangleMask(3, true, DType.FLOAT64)), b);
    assertTrue(x1.sub(x2).abs().max().item() < 1e-14);
    check(x -> Linalg.solveTriangular(x[0], x[1], true), grad(full), grad(b));
  }

  @Test
  void matrixPower() {
    check(x -> Linalg.matrixPower(x[0], 3), grad(matrix(19, 0.5, 2, 3, 3)));
    check(x -> Linalg.matrixPower(x[0], -2), grad(matrix(20, 3, 3, 3)));
    Tensor a = Tensor.ofDoubles(new double[] {1, 1, 0, 1}, 2, 2);
    assertEquals(5, Linalg.matrixPower(a, 5).toDoubleArray()[1]);
    assertEquals(-5, Linalg.matrixPower(a, -5).toDoubleArray()[1], 1e-12);
    assertEquals(1, Linalg.matrixPower(a, 0).toDoubleArray()[3]);
    assertEquals(0, Linalg.matrixPower(a, 0).toDoubleArray()[1]);
  }

  static Tensor both(Tensor a, Tensor b) {
    return Tensor.cat(0, a.flatten(), b.flatten());
  }

  @Test
  void qr() {
    check(x -> both(Linalg.qr(x[0]).q(), Linalg.qr(x[0]).r()), grad(matrix(21, 2, 2, 3, 3)));
    check(x -> both(Linalg.qr(x[0]).q(), Linalg.qr(x[0]).r()), grad(matrix(22, 2, 5, 3)));
    Tensor a = matrix(23, 0, 2, 6, 4);
    Linalg.Qr f = Linalg.qr(a);
    assertTrue(f.q().matmul(f.r()).sub(a).abs().max().item() < 1e-14);
    Tensor qtq = f.q().transpose(-2, -1).matmul(f.q());
    assertTrue(qtq.sub(Tensor.eye(4).to(DType.FLOAT64)).abs().max().item() < 1e-14);
    assertEquals(0, f.r().mul(Matrices.strictlyLower(4, DType.FLOAT64)).abs().max().item());
    Linalg.Qr wide = Linalg.qr(matrix(24, 0, 2, 4));
    assertTrue(wide.q().matmul(wide.r()).sub(matrix(24, 0, 2, 4)).abs().max().item() < 1e-14);
    assertEquals(2, wide.r().size(0));
  }

  /** A symmetric float64 batch with well-separated eigenvalues. */
  static Tensor symmetric(long seed, int... shape) {
    Tensor m = matrix(seed, 0, shape);
    int n = shape[shape.length - 1];
    double[] d = new double[n * n];
    for (int i = 0; i < n; i++) {
      d[i * n + i] = 2.0 * i;
    }
    return m.add(m.transpose(-2, -1)).mul(0.25).add(Tensor.ofDoubles(d, n, n));
  }

  @Test
  void eigh() {
    Tensor w = Tensor.ofDoubles(new double[] {0.3, -1.2, 0.7, 2.0}, 4);
    check(x -> Linalg.eigh(x[0]).eigenvalues().square(), grad(symmetric(25, 2, 4, 4)));
    check(
        x -> {
          Linalg.Eigh e = Linalg.eigh(x[0]);
          Tensor v = e.eigenvectors();
          return v.mul(w.add(e.eigenvalues()).unsqueeze(-2)).matmul(v.transpose(-2, -1));
        },
        grad(symmetric(26, 2, 4, 4)));
    // a non-symmetric input: only its symmetric part counts
    check(
        x -> Linalg.eigh(x[0]).eigenvectors().square(),
        grad(matrix(27, 0, 4, 4).add(symmetric(28, 4, 4))));
    Tensor a = symmetric(29, 3, 5, 5);
    Linalg.Eigh e = Linalg.eigh(a);
    Tensor v = e.eigenvectors();
    Tensor back = v.mul(e.eigenvalues().unsqueeze(-2)).matmul(v.transpose(-2, -1));
    assertTrue(back.sub(a).abs().max().item() < 1e-13);
    double[] l = e.eigenvalues().toDoubleArray();
    for (int i = 1; i < 5; i++) {
      assertTrue(l[i] >= l[i - 1], "eigenvalues ascending");
    }
  }

  @Test
  void svd() {
    Tensor w = Tensor.ofDoubles(new double[] {0.3, -1.2, 0.7}, 3);
    for (int[] shape : new int[][] {{2, 3, 3}, {5, 3}, {3, 5}}) {
      Tensor a = matrix(30 + shape.length, 0, shape);
      check(x -> Linalg.svd(x[0]).s(), grad(matrix(34 + shape[1], 1, shape)));
      check(
          x -> {
            Linalg.Svd d = Linalg.svd(x[0]);
            return d.u().mul(w.add(d.s()).unsqueeze(-2)).matmul(d.vh());
          },
          grad(matrix(40 + shape[1], 1, shape)));
      Linalg.Svd d = Linalg.svd(a);
      Tensor back = d.u().mul(d.s().unsqueeze(-2)).matmul(d.vh());
      assertTrue(back.sub(a).abs().max().item() < 1e-13, "U S Vh differs from A");
    }
  }

  @Test
  void pinv() {
    for (int[] shape : new int[][] {{2, 3, 3}, {5, 3}, {3, 5}}) {
      check(x -> Linalg.pinv(x[0]), grad(matrix(50 + shape[1], 0.5, shape)));
      Tensor a = matrix(60 + shape[0], 0.5, shape);
      Tensor p = Linalg.pinv(a);
      // the four Penrose conditions
      assertTrue(a.matmul(p).matmul(a).sub(a).abs().max().item() < 1e-13);
      assertTrue(p.matmul(a).matmul(p).sub(p).abs().max().item() < 1e-13);
      Tensor ap = a.matmul(p);
      Tensor pa = p.matmul(a);
      assertTrue(ap.sub(ap.transpose(-2, -1)).abs().max().item() < 1e-13);
      assertTrue(pa.sub(pa.transpose(-2, -1)).abs().max().item() < 1e-13);
    }
    // a rank-1 matrix: the cut-off drops the zero singular value
    Tensor r1 = Tensor.ofDoubles(new double[] {1, 2, 2, 4}, 2, 2);
    double[] p = Linalg.pinv(r1).toDoubleArray();
    double[] expected = {0.04, 0.08, 0.08, 0.16};
    for (int i = 0; i < 4; i++) {
      assertEquals(expected[i], p[i], 1e-15);
    }
    // constant rank 1 along the perturbations: the gradient of the rank-deficient case
    check(
        x -> Linalg.pinv(x[0].matmul(x[1])), grad(matrix(70, 0, 3, 1)), grad(matrix(71, 0, 1, 2)));
  }

  @Test
  void lstsq() {
    check(
        x -> Linalg.lstsq(x[0], x[1]), grad(matrix(72, 1, 2, 5, 3)), grad(matrix(73, 0, 2, 5, 2)));
    check(x -> Linalg.lstsq(x[0], x[1]), grad(matrix(74, 1, 3, 5)), grad(matrix(75, 0, 3)));
    Tensor a = Tensor.ofDoubles(new double[] {1, 0, 1, 1, 1, 2}, 3, 2);
    double[] c = Linalg.lstsq(a, Tensor.ofDoubles(new double[] {1, 2, 2}, 3)).toDoubleArray();
    assertEquals(7.0 / 6, c[0], 1e-14);
    assertEquals(0.5, c[1], 1e-14);
    // a wide system: the minimum-norm solution solves it exactly and lies in the row space
    Tensor w = matrix(76, 0, 2, 4);
    Tensor b = Tensor.ofDoubles(new double[] {1, -1}, 2);
    Tensor x = Linalg.lstsq(w, b);
    assertTrue(w.matmul(x).sub(b).abs().max().item() < 1e-14);
    Tensor rowSpace = w.transpose(-2, -1).matmul(Linalg.solve(w.matmul(w.transpose(-2, -1)), b));
    assertTrue(x.sub(rowSpace).abs().max().item() < 1e-14);
  }

  @Test
  void emptyAndOneByOneMatrices() {
    for (Tensor x :
        new Tensor[] {Tensor.zeros(DType.FLOAT64, 0, 0), Tensor.zeros(DType.FLOAT64, 2, 0, 3, 3)}) {
      assertEquals(0, Linalg.solve(x, x).numel());
      assertEquals(0, Linalg.inv(x).numel());
      assertEquals(0, Linalg.cholesky(x).numel());
      assertEquals(0, Linalg.qr(x).r().numel());
      assertEquals(0, Linalg.eigh(x).eigenvalues().numel());
      assertEquals(0, Linalg.svd(x).s().numel());
      assertEquals(0, Linalg.pinv(x).numel());
    }
    assertEquals(1, Linalg.det(Tensor.zeros(DType.FLOAT64, 0, 0)).item()); // empty product
    Tensor one = Tensor.ofDoubles(new double[] {-4}, 1, 1);
    assertEquals(-0.25, Linalg.inv(one).item());
    assertEquals(-4, Linalg.det(one).item());
    assertEquals(4, Linalg.svd(one).s().item());
    assertEquals(-0.25, Linalg.pinv(one).item());
    assertEquals(-4, Linalg.eigh(one).eigenvalues().item());
    // NaN propagates (as in LAPACK) instead of being called singular
    Tensor nan = Tensor.ofDoubles(new double[] {Double.NaN, 1, 1, 1}, 2, 2);
    assertTrue(Double.isNaN(Linalg.solve(nan, Tensor.ones(DType.FLOAT64, 2)).toDoubleArray()[1]));
  }

  @Test
  void wideQrHasNoGradientAndSaysSo() {
    Tensor w = matrix(80, 0, 2, 3).requiresGrad(true);
    var e =
        assertThrows(UnsupportedOperationException.class, () -> Linalg.qr(w).r().sum().backward());
    assertTrue(e.getMessage().contains("qr") && e.getMessage().contains("[2, 3]"), e.getMessage());
  }

  static void assertSame(Tensor expected, Tensor actual, double tol) {
    assertEquals(
        java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()));
    double diff = expected.sub(actual).abs().max().item();
    assertTrue(diff <= tol, "differ by " + diff);
  }

  @Test
  void transformsCompose() {
    Tensor x = Tensor.ofDoubles(new double[] {2, 1, 0.5, 3}, 4);
    // det of [[a, b], [c, d]] = ad − bc: a constant Hessian
    Tensor h = Autograd.hessian(v -> Linalg.det(v.reshape(2, 2)), x);
    Tensor expected =
        Tensor.ofDoubles(new double[] {0, 0, 0, 1, 0, 0, -1, 0, 0, -1, 0, 0, 1, 0, 0, 0}, 4, 4);
    assertSame(expected, h, 1e-12);
    java.util.List<java.util.function.Function<Tensor, Tensor>> fs =
        java.util.List.of(
            v -> Linalg.inv(v.reshape(2, 2)).flatten(),
            v -> Linalg.cholesky(v.reshape(2, 2).matmul(v.reshape(2, 2).transpose(0, 1))).flatten(),
            v -> Linalg.qr(v.reshape(2, 2)).q().flatten(),
            v -> Linalg.eigh(v.reshape(2, 2)).eigenvalues(),
            v -> Linalg.svd(v.reshape(2, 2)).s(),
            v -> Linalg.pinv(v.reshape(2, 2)).flatten());
    for (int i = 0; i < fs.size(); i++) {
      var f = fs.get(i);
      assertSame(Autograd.jacrev(f, x), Autograd.jacfwd(f, x), 1e-12);
      // forward-over-reverse against reverse-over-reverse
      java.util.function.Function<Tensor, Tensor> scalar = v -> f.apply(v).square().sum();
      assertSame(Autograd.hessian(scalar, x), Autograd.jacfwd(Autograd.grad(scalar), x), 1e-10);
    }
  }

  @Test
  void errorsNameTheProblem() {
    Tensor singular = Tensor.ofDoubles(new double[] {1, 2, 2, 4}, 2, 2);
    var e = assertThrows(IllegalArgumentException.class, () -> Linalg.inv(singular));
    assertTrue(
        e.getMessage().contains("inv") && e.getMessage().contains("singular"), e.getMessage());
    assertTrue(e.getMessage().contains("pivot 1"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Linalg.solve(singular, Tensor.ones(DType.FLOAT64, 2)));
    assertTrue(
        e.getMessage().contains("solve") && e.getMessage().contains("[2, 2]"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Linalg.inv(matrix(1, 0, 2, 3)));
    assertTrue(
        e.getMessage().contains("square") && e.getMessage().contains("[2, 3]"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Linalg.solve(matrix(1, 2, 2, 3, 3), matrix(1, 0, 3, 3, 1)));
    assertTrue(e.getMessage().contains("broadcast"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Linalg.solve(matrix(1, 2, 3, 3), matrix(1, 0, 3, 1).to(DType.FLOAT32)));
    assertTrue(
        e.getMessage().contains("FLOAT32") || e.getMessage().contains("float32"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Linalg.det(Tensor.ofLongs(new long[] {1, 2, 3, 4}, 2, 2)));
    assertTrue(e.getMessage().contains("det"), e.getMessage());
  }
}
