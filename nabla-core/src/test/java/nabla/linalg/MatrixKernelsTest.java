package nabla.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import nabla.DType;
import nabla.Tensor;
import org.junit.jupiter.api.Test;

/** The kernels under {@link Linalg} on sizes the gradient tests do not reach. */
class MatrixKernelsTest {
  static double[] random(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] a = new double[n * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = r.nextDouble(-1, 1);
    }
    return a;
  }

  @Test
  void blockedLuEqualsUnblockedLu() {
    for (int n : new int[] {MatrixKernels.BLOCKED_FROM, 200, 261}) {
      double[] a = random(n, n);
      double[] blocked = a.clone();
      double[] plain = a.clone();
      int[] pb = new int[n + 1];
      int[] pp = new int[n + 1];
      int sb = MatrixKernels.luBlocked(blocked, 0, n, pb);
      int sp = MatrixKernels.luUnblocked(plain, 0, n, pp);
      assertEquals(sp, sb, "sign, n = " + n);
      assertArrayEquals(pp, pb, "permutation, n = " + n);
      for (int i = 0; i < a.length; i++) {
        assertEquals(
            plain[i], blocked[i], 1e-10 * (1 + Math.abs(plain[i])), "n = " + n + " at " + i);
      }
    }
  }

  @Test
  void blockedLuReportsTheZeroPivot() {
    int n = 200;
    double[] a = random(7, n);
    for (int i = 0; i < n; i++) {
      a[i * n + 150] = a[i * n + 3] * 2 - a[i * n + 100]; // column 150 depends on 3 and 100
    }
    int[] perm = new int[n + 1];
    double[] copy = a.clone();
    int sign = MatrixKernels.luBlocked(copy, 0, n, perm);
    // rounding may leave a tiny pivot instead of an exact zero; either way the solve is bad
    if (sign == 0) {
      assertEquals(150, perm[n]);
    } else {
      assertTrue(Math.abs(copy[150 * n + 150]) < 1e-12, "pivot " + copy[150 * n + 150]);
    }
  }

  @Test
  void largeSolveAndDeterminantThroughTheBlockedPath() {
    int n = 300;
    Tensor a = Tensor.ofDoubles(random(11, n), n, n).add(Tensor.eye(n).to(DType.FLOAT64).mul(5));
    Tensor b = Tensor.ofDoubles(random(12, n), n, n).slice(1, 0, 3);
    Tensor x = Linalg.solve(a, b);
    double residual = a.matmul(x).sub(b).abs().max().item();
    assertTrue(residual < 1e-12, "residual " + residual);
    // log|det| from LU equals the sum of log singular values
    double fromLu = Linalg.slogdet(a).logAbsDet().item();
    double fromSvd = Linalg.svd(a.slice(0, 0, 200).slice(1, 0, 200)).s().log().sum().item();
    double fromLu200 = Linalg.slogdet(a.slice(0, 0, 200).slice(1, 0, 200)).logAbsDet().item();
    assertEquals(fromSvd, fromLu200, 1e-9 * Math.abs(fromSvd));
    assertTrue(Double.isFinite(fromLu));
  }

  /** max |A V − V Λ| / (n ‖A‖max) and max |Vᵀ V − I| for one eigen-decomposition. */
  static double[] eighErrors(double[] a, int n) {
    double[] values = new double[n];
    double[] vectors = new double[n * n];
    MatrixKernels.eigh(a, 0, n, values, 0, vectors);
    double scale = 1e-300;
    for (double x : a) {
      scale = Math.max(scale, Math.abs(x));
    }
    double residual = 0;
    double orthogonality = 0;
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < n; c++) {
        double av = 0;
        double vv = 0;
        for (int k = 0; k < n; k++) {
          av += a[i * n + k] * vectors[k * n + c];
          vv += vectors[k * n + i] * vectors[k * n + c];
        }
        residual = Math.max(residual, Math.abs(av - values[c] * vectors[i * n + c]));
        orthogonality = Math.max(orthogonality, Math.abs(vv - (i == c ? 1 : 0)));
      }
    }
    for (int c = 1; c < n; c++) {
      assertTrue(values[c] >= values[c - 1], "ascending");
    }
    return new double[] {residual / (n * scale), orthogonality / n};
  }

  static void assertGoodEigh(String what, double[] a, int n) {
    double[] err = eighErrors(a, n);
    assertTrue(
        err[0] < 1e-14 && err[1] < 1e-14, what + ": residual " + err[0] + ", orth " + err[1]);
  }

  @Test
  void eighOnRandomAndHardSymmetricMatrices() {
    for (int n : new int[] {1, 2, 3, 4, 5, 7, 12, 33, 80}) {
      double[] m = random(100 + n, n);
      double[] a = new double[n * n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          a[i * n + j] = m[i * n + j] + m[j * n + i];
        }
      }
      assertGoodEigh("random n = " + n, a, n);
      double[] identity = new double[n * n];
      double[] repeated = new double[n * n];
      double[] graded = new double[n * n];
      double[] wilkinson = new double[n * n];
      for (int i = 0; i < n; i++) {
        identity[i * n + i] = 1;
        repeated[i * n + i] = i % 2;
        wilkinson[i * n + i] = Math.abs((n - 1) / 2.0 - i);
        if (i + 1 < n) {
          wilkinson[i * n + i + 1] = 1;
          wilkinson[(i + 1) * n + i] = 1;
        }
        for (int j = 0; j < n; j++) {
          graded[i * n + j] = a[i * n + j] * Math.pow(10, -(i + j) / 2.0);
        }
      }
      assertGoodEigh("identity n = " + n, identity, n);
      assertGoodEigh("repeated n = " + n, repeated, n);
      assertGoodEigh("graded n = " + n, graded, n);
      assertGoodEigh("Wilkinson n = " + n, wilkinson, n);
    }
  }
}
