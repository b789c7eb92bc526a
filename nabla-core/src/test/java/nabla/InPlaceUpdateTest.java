package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/**
 * In-place updates (optimiser steps) give the same values on the direct path (contiguous target,
 * other operand in another storage: the kernel writes straight into the target) and on the general
 * path (anything else: compute, then copy back), for every layout that picks one or the other.
 * Expected values come from plain loops.
 */
class InPlaceUpdateTest {

  private static double[] seq(int n, double start, double step) {
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = start + step * i;
    }
    return d;
  }

  @Test
  void directPathWithSameShapeBroadcastRowAndScalar() {
    for (int n : new int[] {5, 70_001}) { // below and above the parallel threshold
      double[] a = seq(2 * n, 1, 0.5);
      double[] b = seq(2 * n, -3, 0.25);
      double[] row = seq(n, 2, 1);
      Tensor x = Tensor.ofDoubles(a, 2, n);
      assertSame(x, x.subInPlace(Tensor.ofDoubles(b, 2, n)));
      x.addInPlace(Tensor.ofDoubles(row, n));
      x.mulInPlace(0.5);
      double[] expected = new double[2 * n];
      for (int i = 0; i < 2 * n; i++) {
        expected[i] = (a[i] - b[i] + row[i % n]) * 0.5;
      }
      assertArrayEquals(expected, x.toDoubleArray(), 1e-12, "n = " + n);
    }
  }

  @Test
  void contiguousSliceWithAnOffsetIsUpdatedInPlaceOnly() {
    Tensor base = Tensor.ofDoubles(seq(12, 0, 1), 3, 4);
    Tensor middle = base.slice(0, 1, 2, 1); // row 1: contiguous, offset 4
    middle.addInPlace(Tensor.ofDoubles(new double[] {10, 20, 30, 40}, 4));
    double[] expected = seq(12, 0, 1);
    for (int j = 0; j < 4; j++) {
      expected[4 + j] += 10 * (j + 1);
    }
    assertArrayEquals(expected, base.toDoubleArray(), 0.0);
  }

  @Test
  void generalPathForTransposedTargetAliasingAndMixedDtypes() {
    // Transposed (non-contiguous) target.
    Tensor base = Tensor.ofDoubles(seq(6, 0, 1), 2, 3);
    base.transpose(0, 1).subInPlace(Tensor.ofDoubles(new double[] {1, 2}, 2));
    assertArrayEquals(new double[] {-1, 0, 1, 1, 2, 3}, base.toDoubleArray(), 0.0);
    // The other operand is a view of the same storage: x += x (a slice of itself), x += xT.
    Tensor x = Tensor.ofDoubles(seq(4, 1, 1), 4);
    x.addInPlace(x.slice(0, 0, 4, 1));
    assertArrayEquals(new double[] {2, 4, 6, 8}, x.toDoubleArray(), 0.0);
    Tensor y = Tensor.ofDoubles(seq(4, 1, 1), 2, 2);
    y.addInPlace(y.transpose(0, 1));
    assertArrayEquals(new double[] {2, 5, 5, 8}, y.toDoubleArray(), 0.0);
    // float64 operand into a float32 target.
    Tensor f = Tensor.of(1, 2, 3);
    f.addInPlace(Tensor.ofDoubles(new double[] {0.5, 0.5, 0.5}, 3));
    assertArrayEquals(new double[] {1.5, 2.5, 3.5}, f.toDoubleArray(), 0.0);
  }

  /**
   * {@code addInPlace(other, alpha)} / {@code subInPlace(other, alpha)}: the direct path is one
   * fused multiply-add per element (checked bit for bit against {@link Math#fma}), above and below
   * the parallel threshold, in float32 and float64; every other layout (broadcast, transposed
   * target, the same storage, another dtype) gives t + alpha·other as the composite does.
   */
  @Test
  void scaledAddIsOneFusedMultiplyAddOnTheDirectPath() {
    for (int n : new int[] {7, 200_003}) {
      double[] a = seq(n, 1, 1e-3);
      double[] b = seq(n, -3, 7e-4);
      Tensor x = Tensor.ofDoubles(a, n);
      assertSame(x, x.addInPlace(Tensor.ofDoubles(b, n), -0.1));
      Tensor xf = Tensor.ofDoubles(a, n).to(DType.FLOAT32);
      Tensor bf = Tensor.ofDoubles(b, n).to(DType.FLOAT32);
      float[] af = xf.toFloatArray();
      float[] bfa = bf.toFloatArray();
      xf.subInPlace(bf, 0.1);
      double[] got = x.toDoubleArray();
      float[] gotF = xf.toFloatArray();
      for (int i = 0; i < n; i++) {
        org.junit.jupiter.api.Assertions.assertEquals(Math.fma(-0.1, b[i], a[i]), got[i], 0.0);
        org.junit.jupiter.api.Assertions.assertEquals(
            Math.fma(-0.1f, bfa[i], af[i]), gotF[i], 0.0f, "float32 element " + i);
      }
    }
  }

  @Test
  void scaledAddOnTheGeneralPaths() {
    // broadcast row
    Tensor x = Tensor.ofDoubles(seq(6, 0, 1), 2, 3);
    x.addInPlace(Tensor.ofDoubles(new double[] {1, 2, 3}, 3), 2);
    assertArrayEquals(new double[] {2, 5, 8, 5, 8, 11}, x.toDoubleArray(), 0.0);
    // transposed target
    Tensor base = Tensor.ofDoubles(seq(6, 0, 1), 2, 3);
    base.transpose(0, 1).subInPlace(Tensor.ofDoubles(seq(6, 1, 1), 3, 2), 0.5);
    // base^T[i][j] -= 0.5 * o[i][j]  <=>  base[j][i] -= 0.5 * (1 + 2i + j)
    assertArrayEquals(new double[] {-0.5, -0.5, -0.5, 2, 2, 2}, base.toDoubleArray(), 1e-15);
    // the same storage: y += 2y
    Tensor y = Tensor.ofDoubles(new double[] {1, 2}, 2);
    y.addInPlace(y, 2);
    assertArrayEquals(new double[] {3, 6}, y.toDoubleArray(), 0.0);
    // float64 operand into a float32 target (same category: allowed, as addInPlace)
    Tensor f = Tensor.ofDoubles(new double[] {1, 2}, 2).to(DType.FLOAT32);
    f.addInPlace(Tensor.ofDoubles(new double[] {10, 20}, 2), 0.5);
    assertArrayEquals(new double[] {6, 12}, f.toDoubleArray(), 0.0);
  }

  @Test
  void scaledAddIsRecordedOnComputedTensorsAndRejectsBadAlpha() {
    Tensor w = Tensor.ofDoubles(new double[] {1, 2, 3}, 3).requiresGrad(true);
    Tensor v = Tensor.ofDoubles(new double[] {4, 5, 6}, 3).requiresGrad(true);
    Tensor y = w.mul(2.0);
    y.addInPlace(v, 0.25).mul(y).sum().backward(); // L = sum(y'^2), y' = 2w + v/4
    double[] yv = {2 + 1, 4 + 1.25, 6 + 1.5};
    double[] gw = new double[3];
    double[] gv = new double[3];
    for (int i = 0; i < 3; i++) {
      gw[i] = 2 * yv[i] * 2;
      gv[i] = 2 * yv[i] * 0.25;
    }
    assertArrayEquals(gw, w.grad().toDoubleArray(), 1e-12);
    assertArrayEquals(gv, v.grad().toDoubleArray(), 1e-12);
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> Tensor.zeros(3).addInPlace(Tensor.ones(3), Double.NaN));
    org.junit.jupiter.api.Assertions.assertTrue(
        e.getMessage().contains("addInPlace") && e.getMessage().contains("alpha"), e.getMessage());
    // a leaf that requires grad cannot be updated in place while recording (as addInPlace)
    org.junit.jupiter.api.Assertions.assertThrows(
        RuntimeException.class, () -> w.addInPlace(v, 1.0));
  }
}
