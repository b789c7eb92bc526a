package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Differentiable {@code asStrided} (issue #11), after PyTorch's test_as_strided tests. */
class AsStridedTest {

  private static Tensor f64(double... v) {
    return Tensor.ofDoubles(v, v.length);
  }

  @Test
  void overlappingWindowsShareStorageAndAccumulateGradients() {
    Tensor x = f64(1, 2, 3, 4).requiresGrad(true);
    Tensor w = x.asStrided(new int[] {3, 2}, new int[] {1, 1}, 0); // sliding windows of 2
    assertArrayEquals(new double[] {1, 2, 2, 3, 3, 4}, w.toDoubleArray());
    assertTrue(w.storage() == x.storage(), "a view, not a copy");
    w.mul(w).sum().backward(); // each middle element is in two windows
    assertArrayEquals(new double[] {2, 8, 12, 8}, x.grad().toDoubleArray());
  }

  @Test
  void gradCheckFirstSecondOrderAndForwardMode() {
    GradCheck.assertGradients(
        a -> {
          Tensor y = a[0].mul(a[0]); // a computed, contiguous tensor
          return y.asStrided(new int[] {2, 3}, new int[] {1, 2}, 1).sin().sum();
        },
        f64(0.1, -0.4, 0.9, 1.3, -0.2, 0.5, 0.8).requiresGrad(true));
  }

  @Test
  void inPlaceThroughAnAsStridedViewReachesTheTensor() {
    Tensor x = f64(1, 2, 3).requiresGrad(true);
    Tensor y = x.mul(1);
    y.asStrided(new int[] {2}, new int[] {2}, 0).mulInPlace(5); // elements 0 and 2
    assertArrayEquals(new double[] {5, 2, 15}, y.toDoubleArray());
    y.sum().backward();
    assertArrayEquals(new double[] {5, 1, 5}, x.grad().toDoubleArray());
  }

  @Test
  void errors() {
    Tensor x = f64(1, 2, 3, 4).requiresGrad(true);
    Tensor part = x.mul(1).slice(0, 1, 3, 1);
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> part.asStrided(new int[] {3}, new int[] {1}, 0));
    assertTrue(e.getMessage().contains("outside this tensor's elements 1..2"), e.getMessage());
    Tensor t = x.mul(1).reshape(2, 2).transpose(0, 1);
    var u =
        assertThrows(
            UnsupportedOperationException.class,
            () -> t.asStrided(new int[] {2}, new int[] {1}, 0));
    assertTrue(u.getMessage().contains("contiguous()"), u.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> x.asStrided(new int[] {5}, new int[] {1}, 0));
    // without gradients any in-bounds view is fine
    Tensor plain = f64(1, 2, 3, 4).reshape(2, 2).transpose(0, 1);
    assertArrayEquals(
        new double[] {1, 2}, plain.asStrided(new int[] {2}, new int[] {1}, 0).toDoubleArray());
  }
}
