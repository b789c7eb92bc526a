package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Tensor hooks, after PyTorch's test_autograd hook tests (test_hooks, test_hook_none,
 * test_post_accumulate_grad_hook_*): what a hook sees, when, how often, and what its result does.
 */
class HooksTest {

  private static Tensor f64(double... v) {
    return Tensor.ofDoubles(v, v.length);
  }

  @Test
  void nonLeafHookSeesTheWholeGradientOnceAndMayReplaceIt() {
    Tensor x = f64(1, 2, 3).requiresGrad(true);
    Tensor y = x.mul(2);
    List<double[]> seen = new ArrayList<>();
    y.registerHook(
        g -> {
          seen.add(g.toDoubleArray());
          return g.mul(10);
        });
    // y has two consumers: the hook must get their sum, once
    y.mul(y).sum().add(y.sum()).backward();
    assertEquals(1, seen.size());
    assertArrayEquals(new double[] {5, 9, 13}, seen.get(0), 1e-12); // 2y + 1
    assertArrayEquals(new double[] {100, 180, 260}, x.grad().toDoubleArray(), 1e-12);
  }

  @Test
  void hooksChainInOrderAndNullKeepsTheGradient() {
    Tensor x = f64(1, 2).requiresGrad(true);
    Tensor y = x.mul(1);
    List<String> order = new ArrayList<>();
    y.registerHook(
        g -> {
          order.add("a");
          return null;
        });
    y.registerHook(
        g -> {
          order.add("b");
          return g.add(1);
        });
    y.registerHook(
        g -> {
          order.add("c:" + g.toDoubleArray()[0]);
          return g.mul(2);
        });
    y.sum().backward();
    assertEquals(List.of("a", "b", "c:2.0"), order);
    assertArrayEquals(new double[] {4, 4}, x.grad().toDoubleArray());
  }

  @Test
  void leafHookRunsBeforeAccumulationWithThePassTotal() {
    Tensor w = f64(1, -2, 3).requiresGrad(true);
    List<double[]> seen = new ArrayList<>();
    RemovableHandle h =
        w.registerHook(
            g -> {
              seen.add(g.toDoubleArray());
              return g.clamp(-1, 1); // gradient clipping, per element
            });
    w.mul(w).sum().add(w.sum()).backward(); // 2w + 1 = [3, -3, 7], reached through three edges
    assertEquals(1, seen.size());
    assertArrayEquals(new double[] {3, -3, 7}, seen.get(0), 1e-12);
    assertArrayEquals(new double[] {1, -1, 1}, w.grad().toDoubleArray());
    w.mul(w).sum().backward(); // accumulates the clipped [2, -4, 6] -> [1, -1, 1]
    assertArrayEquals(new double[] {2, -2, 2}, w.grad().toDoubleArray());
    h.remove();
    h.remove(); // twice is harmless
    w.zeroGrad();
    w.mul(w).sum().backward();
    assertArrayEquals(new double[] {2, -4, 6}, w.grad().toDoubleArray(), "removed");
    assertEquals(2, seen.size());
  }

  @Test
  void hooksRunForAutogradGradAndRetainGradKeepsTheHookedValue() {
    Tensor x = f64(1, 2).requiresGrad(true);
    x.registerHook(g -> g.mul(3));
    Tensor y = x.exp().retainGrad();
    y.registerHook(g -> g.add(1));
    Tensor z = y.sum();
    Tensor[] g = Autograd.grad(z, null, true, false, x);
    assertArrayEquals(
        new double[] {3 * 2 * Math.exp(1), 3 * 2 * Math.exp(2)}, g[0].toDoubleArray(), 1e-12);
    assertNull(x.grad(), "Autograd.grad does not touch .grad");
    z.backward();
    assertArrayEquals(new double[] {2, 2}, y.grad().toDoubleArray(), "retained after the hook");
  }

  @Test
  void hookedGradientsAreDifferentiableWithCreateGraph() {
    Tensor x = f64(0.5, 1.5).requiresGrad(true);
    Tensor y = x.pow(2);
    y.registerHook(g -> g.mul(y)); // the replacement depends on x again
    Tensor[] g = Autograd.grad(y.sum(), null, true, true, x); // 2x · x² = 2x³
    assertArrayEquals(new double[] {0.25, 6.75}, g[0].toDoubleArray(), 1e-12);
    // The second pass reaches y again, so its hook runs again (as in PyTorch): the gradient 2x
    // arriving at y becomes 2x·y = 2x³, giving 2x² (from the 2x factor) + 2x³·2x = 2x² + 4x⁴.
    Tensor[] h = Autograd.grad(g[0].sum(), x);
    assertArrayEquals(new double[] {0.75, 24.75}, h[0].toDoubleArray(), 1e-12);
  }

  @Test
  void postAccumulateHookSeesTheUpdatedGradOncePerPass() {
    Tensor w = f64(1, 2).requiresGrad(true);
    List<double[]> seen = new ArrayList<>();
    w.registerPostAccumulateGradHook(
        t -> {
          assertSame(w, t);
          seen.add(t.grad().toDoubleArray());
          try (var g = Autograd.noGrad()) { // an optimiser step during backward
            t.subInPlace(t.grad().mul(0.5));
          }
          t.zeroGrad();
        });
    w.mul(w).sum().add(w.sum()).backward(); // 2w + 1 = [3, 5]
    assertEquals(1, seen.size());
    assertArrayEquals(new double[] {3, 5}, seen.get(0));
    assertArrayEquals(new double[] {-0.5, -0.5}, w.toDoubleArray());
    assertArrayEquals(new double[] {0, 0}, w.grad().toDoubleArray());
    Autograd.grad(w.sum(), w);
    assertEquals(1, seen.size(), "not called when nothing accumulates");
  }

  @Test
  void errors() {
    Tensor plain = f64(1, 2);
    var e = assertThrows(IllegalStateException.class, () -> plain.registerHook(g -> g));
    assertTrue(e.getMessage().contains("does not require grad"), e.getMessage());
    Tensor x = f64(1, 2).requiresGrad(true);
    Tensor y = x.mul(2);
    e = assertThrows(IllegalStateException.class, () -> y.registerPostAccumulateGradHook(t -> {}));
    assertTrue(e.getMessage().contains("MulBackward"), e.getMessage());
    y.registerHook(g -> g.sum());
    Tensor z = y.sum();
    e = assertThrows(IllegalStateException.class, z::backward);
    assertTrue(e.getMessage().contains("returned a gradient of shape []"), e.getMessage());
    assertTrue(e.getMessage().contains("for one of shape [2]"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> x.registerHook(null));
  }

  @Test
  void jacobiansCallHooksAsTheLoopAndPyTorchDo() {
    // vmap of the VJP runs the hook on every row, as the per-row loop and PyTorch's
    // torch.autograd.functional.jacobian (vectorize False or True) do: here it zeroes everything
    Function<Tensor, Tensor> f =
        t -> {
          Tensor y = t.mul(t);
          y.registerHook(g -> g.mul(0));
          return y;
        };
    Tensor x = f64(1, 2);
    assertArrayEquals(new double[] {0, 0, 0, 0}, Autograd.jacobian(f, x).toDoubleArray());
    assertArrayEquals(
        Autograd.jacrevLooped(f, x).toDoubleArray(), Autograd.jacrev(f, x).toDoubleArray());
    // without the hook the same function has the Jacobian diag(2x)
    assertArrayEquals(
        new double[] {2, 0, 0, 4}, Autograd.jacobian(t -> t.mul(t), x).toDoubleArray());
  }
}
