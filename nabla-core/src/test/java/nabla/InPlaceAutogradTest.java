package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Recorded in-place updates (issue #11), after PyTorch's test_autograd in-place tests
 * (test_inplace, test_inplace_on_view_*, test_leaf_assignment, test_inplace_not_requires_grad):
 * values and gradients of programs that update tensors of a graph in place, directly and through
 * views, checked against closed forms and with GradCheck (first- and second-order VJPs and JVPs
 * against central finite differences in float64).
 */
class InPlaceAutogradTest {

  private static Tensor f64(double... v) {
    return Tensor.ofDoubles(v, v.length);
  }

  @Test
  void updateOfAComputedTensorIsRecorded() {
    Tensor x = f64(1, 2, 3).requiresGrad(true);
    Tensor y = x.mul(3);
    y.addInPlace(x);
    assertEquals("AddBackward", y.gradFn().name());
    y.mulInPlace(y); // (4x)², the operand being the tensor itself
    assertArrayEquals(new double[] {16, 64, 144}, y.toDoubleArray());
    y.sum().backward();
    assertArrayEquals(new double[] {32, 64, 96}, x.grad().toDoubleArray(), 1e-12);
  }

  @Test
  void gradCheckOfInPlaceChains() {
    GradCheck.assertGradients(
        a -> {
          Tensor y = a[0].mul(a[1]);
          y.addInPlace(a[0].sin());
          y.mulInPlace(a[1]);
          y.tanhInPlace();
          y.divInPlace(a[1].add(3));
          y.clampInPlace(-0.3, 0.3);
          return y.mul(y).sum();
        },
        f64(0.3, -0.8, 1.1).requiresGrad(true),
        f64(0.5, 1.5, -0.4).requiresGrad(true));
  }

  /** PyTorch's CopySlices: writing through a view updates its base's graph. */
  @Test
  void updateThroughAViewReachesTheBase() {
    Tensor x = f64(1, 2, 3).requiresGrad(true);
    Tensor y = x.mul(2);
    y.slice(0, 0, 2, 1).mulInPlace(10);
    assertArrayEquals(new double[] {20, 40, 6}, y.toDoubleArray());
    y.sum().backward();
    assertArrayEquals(new double[] {20, 20, 2}, x.grad().toDoubleArray());
  }

  @Test
  void gradCheckThroughViewsOfAMatrix() {
    GradCheck.assertGradients(
        a -> {
          Tensor m = a[0].mul(1.5).reshape(2, 3);
          m.slice(1, 1, 3, 1).mulInPlace(a[1].reshape(1, 2)); // columns 1..2 of both rows
          m.transpose(0, 1).slice(0, 0, 1, 1).expInPlace(); // column 0, through a transpose
          Tensor row = m.slice(0, 1, 2, 1);
          row.addInPlace(a[1].sum());
          return m.pow(2).sum().add(row.sum());
        },
        f64(0.1, -0.2, 0.3, 0.4, -0.5, 0.6).requiresGrad(true),
        f64(0.7, -1.2).requiresGrad(true));
  }

  /** Views taken before an update through another view see the new values and graph. */
  @Test
  void otherViewsOfTheBaseRegenerateTheirGraph() {
    Tensor p = f64(1, 2, 3, 4).requiresGrad(true);
    Tensor q = p.mul(1);
    Tensor v1 = q.slice(0, 0, 3, 1);
    Tensor v2 = q.slice(0, 2, 4, 1);
    v1.mulInPlace(3); // q = [3, 6, 9, 4]: v2 = [9, 4] now, 9 = 3·p₂
    v2.mul(v2).sum().backward();
    assertArrayEquals(new double[] {9, 4}, v2.toDoubleArray());
    assertArrayEquals(new double[] {0, 0, 54, 8}, p.grad().toDoubleArray());
  }

  /** A plain buffer receiving values that require grad joins the graph (test_leaf_assignment). */
  @Test
  void plainBufferFilledWithValuesThatRequireGrad() {
    Tensor w = f64(1, 2).requiresGrad(true);
    Tensor buf = Tensor.zeros(DType.FLOAT64, 2, 2);
    buf.slice(0, 0, 1, 1).copyFrom(w.reshape(1, 2));
    buf.slice(0, 1, 2, 1).copyFrom(w.mul(w).reshape(1, 2));
    assertFalse(buf.isLeaf());
    assertTrue(buf.requiresGrad());
    buf.sum().backward();
    assertArrayEquals(new double[] {3, 5}, w.grad().toDoubleArray());
    GradCheck.assertGradients(
        a -> {
          Tensor b = Tensor.zeros(DType.FLOAT64, 3);
          b.slice(0, 0, 2, 1).copyFrom(a[0].exp());
          b.slice(0, 2, 3, 1).copyFrom(a[0].sum().reshape(1));
          return b.mul(b).sum();
        },
        f64(0.2, -0.4).requiresGrad(true));
  }

  @Test
  void fillAndZeroCutTheGradientOfTheOldValues() {
    Tensor x = f64(1, 2, 3).requiresGrad(true);
    Tensor y = x.mul(x);
    y.slice(0, 1, 2, 1).fill(7);
    Tensor z = x.exp().mul(0).add(x); // x again, through a chain
    z.zero();
    y.sum().add(z.sum()).backward();
    assertArrayEquals(new double[] {1, 7, 9}, y.toDoubleArray());
    assertArrayEquals(new double[] {2, 0, 6}, x.grad().toDoubleArray());
  }

  /** The version counter still catches a node whose saved value the update overwrote. */
  @Test
  void savedValuesOverwrittenStillFail() {
    Tensor x = f64(1, 2, 3).requiresGrad(true);
    Tensor y = x.exp(); // saves its output
    y.addInPlace(x);
    var e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
    assertTrue(e.getMessage().contains("saved by ExpBackward"), e.getMessage());
    assertTrue(e.getMessage().contains("addInPlace"), e.getMessage());
  }

  @Test
  void leavesThatRequireGradAndTheirViewsAreStillRefused() {
    Tensor w = f64(1, 2).requiresGrad(true);
    var e = assertThrows(IllegalStateException.class, () -> w.addInPlace(1.0));
    assertTrue(e.getMessage().contains("leaf tensor that requires grad"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> w.slice(0, 0, 1, 1).expInPlace());
    assertArrayEquals(new double[] {1, 2}, w.toDoubleArray());
    try (var g = Autograd.noGrad()) {
      w.addInPlace(1.0); // an optimiser step
    }
    assertArrayEquals(new double[] {2, 3}, w.toDoubleArray());
  }

  @Test
  void forwardModeFollowsTheUpdate() {
    Tensor x = f64(0.5, 1.5);
    Tensor v = f64(1, 0);
    Tensor t =
        Autograd.jvp(
            a -> {
              Tensor y = a.mul(2);
              y.slice(0, 0, 1, 1).mulInPlace(3); // y₀ = 6x₀
              y.expInPlace();
              return y;
            },
            x,
            v);
    assertArrayEquals(new double[] {6 * Math.exp(3), 0}, t.toDoubleArray(), 1e-9);
  }

  @Test
  void detachInPlace() {
    Tensor x = f64(1, 2).requiresGrad(true);
    Tensor y = x.mul(2);
    y.detachInPlace();
    assertNull(y.gradFn());
    assertFalse(y.requiresGrad());
    Tensor z = x.mul(3);
    var e = assertThrows(IllegalStateException.class, () -> z.slice(0, 0, 1, 1).detachInPlace());
    assertTrue(e.getMessage().contains("use detach()"), e.getMessage());
  }

  @Test
  void notRecordedOutsideGradMode() {
    Tensor x = f64(1, 2).requiresGrad(true);
    Tensor y = x.mul(2);
    Node before = y.gradFn();
    try (var g = Autograd.noGrad()) {
      y.addInPlace(1.0);
    }
    assertEquals(before, y.gradFn(), "under noGrad an update is a plain write");
    assertArrayEquals(new double[] {3, 5}, y.toDoubleArray());
  }

  /** The README's autograd example, as written there. */
  @Test
  void readmeExample() {
    Tensor x = Tensor.of(1, 2, 3).requiresGrad(true);
    Tensor y = x.mul(2);
    y.slice(0, 0, 2).mulInPlace(10);
    RemovableHandle clip = x.registerHook(g -> g.clamp(-5, 5));
    y.sum().backward();
    assertArrayEquals(new double[] {20, 40, 6}, y.toDoubleArray());
    assertArrayEquals(new double[] {5, 5, 2}, x.grad().toDoubleArray());
    clip.remove();
  }
}
