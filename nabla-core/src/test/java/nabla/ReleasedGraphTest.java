package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * After backward, nodes that saved nothing (sums, additions, views, casts) let go of their tensors,
 * as PyTorch frees them: a kept result no longer keeps the graph's intermediate values alive. A
 * second backward through such nodes still works, with the tensors a user still holds used as they
 * are.
 */
class ReleasedGraphTest {

  private static Tensor leaf(int n) {
    return Tensor.linspace(-1, 2, n).to(DType.FLOAT64).requiresGrad(true);
  }

  /** Collects until the reference is cleared (or gives up after a few tries). */
  private static boolean collected(WeakReference<?> w) {
    for (int i = 0; i < 20 && w.get() != null; i++) {
      System.gc();
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return w.get() == null;
  }

  @Test
  void aKeptResultNoLongerKeepsTheIntermediatesOfNodesThatSavedNothing() {
    Tensor x = leaf(10_000);
    Tensor a = x.add(1); // AddBackward holds a as its output, ReshapeBackward as its input
    Tensor b = a.reshape(100, 100).transpose().contiguous();
    Tensor s = b.sum();
    WeakReference<Tensor> wa = new WeakReference<>(a);
    WeakReference<Tensor> wb = new WeakReference<>(b);
    a = null;
    b = null;
    s.backward();
    assertTrue(collected(wa), "x + 1 is still reachable from the kept sum");
    assertTrue(collected(wb), "the contiguous copy is still reachable from the kept sum");
    assertNotNull(s.gradFn()); // the graph's structure is kept
  }

  @Test
  void retainGraphKeepsThem() {
    Tensor x = leaf(100);
    Tensor a = x.add(1);
    Tensor s = a.sum();
    WeakReference<Tensor> wa = new WeakReference<>(a);
    a = null;
    s.backward(Tensor.ones(DType.FLOAT64), true);
    assertTrue(!collected(wa), "a retained graph must keep its tensors");
  }

  /** PyTorch's test_backward_twice_without_saved_values, with the intermediates collected. */
  @Test
  void aSecondBackwardWorksWhenTheIntermediatesAreGone() {
    Tensor x = leaf(12);
    Tensor y = leaf(4).detach().requiresGrad(true);
    Tensor mixed =
        Tensor.cat(
                0,
                x.neg().add(y.reshape(4, 1).expand(4, 3).reshape(12)),
                x.narrow(0, 2, 6).sub(1).to(DType.FLOAT32).to(DType.FLOAT64))
            .cumsum(0)
            .reshape(2, 9)
            .permute(1, 0);
    Tensor s = mixed.sum();
    List<WeakReference<Tensor>> refs = new ArrayList<>();
    refs.add(new WeakReference<>(mixed));
    mixed = null;
    s.backward();
    double[] gx = x.grad().toDoubleArray();
    double[] gy = y.grad().toDoubleArray();
    assertTrue(collected(refs.get(0)));
    s.backward(); // through shells where the tensors are gone
    double[] gx2 = x.grad().toDoubleArray();
    double[] gy2 = y.grad().toDoubleArray();
    for (int i = 0; i < gx.length; i++) {
      assertEquals(2 * gx[i], gx2[i], 0, "x[" + i + "]");
    }
    for (int i = 0; i < gy.length; i++) {
      assertEquals(2 * gy[i], gy2[i], 0, "y[" + i + "]");
    }
    // and the gradient itself: d/dx of the cumsum's total through -x and x[2:8] - 1
    double[] expectY = new double[4];
    for (int r = 0; r < 4; r++) {
      for (int c = 0; c < 3; c++) {
        expectY[r] += 18 - (r * 3 + c); // element k of 18 appears in 18 - k prefix sums
      }
    }
    assertArrayEquals(expectY, gy, 0);
  }

  @Test
  void heldIntermediatesStayThemselvesForAutogradGradHooksAndRetainGrad() {
    Tensor x = leaf(6);
    Tensor a = x.add(2); // held by the test
    Tensor b = a.reshape(2, 3);
    b.retainGrad();
    List<double[]> seen = new ArrayList<>();
    a.registerHook(
        g -> {
          seen.add(g.toDoubleArray());
          return g;
        });
    Tensor s = b.sum();
    s.backward();
    assertEquals(1, seen.size());
    Tensor[] viaGrad = Autograd.grad(s, a); // after the first backward, with respect to a
    assertArrayEquals(new double[] {1, 1, 1, 1, 1, 1}, viaGrad[0].toDoubleArray(), 0);
    s.backward();
    assertEquals(3, seen.size()); // the hook fired in the grad call and the second backward
    assertArrayEquals(new double[] {2, 2, 2, 2, 2, 2}, x.grad().toDoubleArray(), 0);
    assertArrayEquals(new double[] {2, 2, 2, 2, 2, 2}, b.grad().toDoubleArray(), 0);
  }

  @Test
  void aHookOnACollectedIntermediateStillFires() {
    Tensor x = leaf(5);
    int[] calls = {0};
    Tensor a = x.sub(1);
    a.registerHook(
        g -> {
          calls[0]++;
          return g.mul(3);
        });
    Tensor s = a.sum();
    WeakReference<Tensor> wa = new WeakReference<>(a);
    a = null;
    s.backward();
    assertTrue(collected(wa));
    s.backward(); // the hook lives with the node's autograd state, as in PyTorch
    assertEquals(2, calls[0]);
    assertArrayEquals(new double[] {6, 6, 6, 6, 6}, x.grad().toDoubleArray(), 0);
  }

  @Test
  void theGraphStillPrintsWholeAfterBackward() {
    Tensor x = leaf(8);
    Tensor s = x.add(1).reshape(2, 4).sum();
    s.backward();
    System.gc();
    String dot = GraphExport.toDot(s);
    for (String name : new String[] {"SumBackward", "ReshapeBackward", "AddBackward"}) {
      assertTrue(dot.contains(name), name + " missing from\n" + dot);
    }
  }

  @Test
  void nodesThatSavedValuesAreFreedAsBefore() {
    Tensor x = leaf(3);
    Tensor s = x.mul(x).sum();
    s.backward();
    IllegalStateException e =
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, s::backward);
    assertTrue(e.getMessage().contains("second time"), e.getMessage());
  }
}
