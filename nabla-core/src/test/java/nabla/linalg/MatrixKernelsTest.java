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
}
