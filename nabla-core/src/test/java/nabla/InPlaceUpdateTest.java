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
}
