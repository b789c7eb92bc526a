package nabla;

import static nabla.MultiTransformsTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@code Autograd.backward(roots, grads)} (PyTorch's {@code torch.autograd.backward} with several
 * tensors) and {@code Autograd.grad} with a policy for unused inputs ({@code allow_unused}, {@code
 * materialize_grads}), in float64 against finite differences.
 */
class MultiRootBackwardTest {
  /** Σᵢ ⟨headᵢ, rootᵢ(x, w)⟩ for the three roots used below, without recording. */
  private static double weighted(Tensor x, Tensor w, Tensor h1) {
    try (var g = Autograd.noGrad()) {
      Tensor shared = x.mul(w).tanh();
      return shared.sum().item() + shared.mul(x).mul(h1).sum().item() + w.exp().sum().item();
    }
  }

  private static double[] numericGradient(Tensor x, Tensor w, Tensor h1, boolean wrtX) {
    Tensor p = wrtX ? x : w;
    double[] base = p.toDoubleArray();
    double[] g = new double[base.length];
    for (int k = 0; k < base.length; k++) {
      double[] plus = base.clone();
      double[] minus = base.clone();
      plus[k] += 1e-6;
      minus[k] -= 1e-6;
      Tensor tp = Tensor.ofDoubles(plus, p.shape());
      Tensor tm = Tensor.ofDoubles(minus, p.shape());
      double fp = wrtX ? weighted(tp, w, h1) : weighted(x, tp, h1);
      double fm = wrtX ? weighted(tm, w, h1) : weighted(x, tm, h1);
      g[k] = (fp - fm) / 2e-6;
    }
    return g;
  }

  @Test
  void severalRootsAccumulateTheirWeightedSumInOnePass() {
    Tensor x = random(1, 4).requiresGrad(true);
    Tensor w = random(2, 4).requiresGrad(true);
    Tensor h1 = random(3, 4);
    Tensor shared = x.mul(w).tanh(); // a node reached from two roots
    Tensor[] roots = {shared.sum(), shared.mul(x), w.exp().sum()};
    Autograd.backward(roots, new Tensor[] {null, h1, Tensor.scalar(1.0, DType.FLOAT64)});
    assertArrayEquals(numericGradient(x, w, h1, true), x.grad().toDoubleArray(), 1e-6);
    assertArrayEquals(numericGradient(x, w, h1, false), w.grad().toDoubleArray(), 1e-6);
    // The graph is freed, as after one backward.
    var again =
        assertThrows(
            IllegalStateException.class,
            () -> Autograd.backward(new Tensor[] {roots[0]}, new Tensor[] {null}));
    assertTrue(again.getMessage().contains("a second time"), again.getMessage());
  }

  @Test
  void oneMultiRootPassEqualsSeparatePassesAndAccumulatesIntoExistingGradients() {
    Tensor x = random(4, 3).requiresGrad(true);
    Tensor a = x.sin().sum();
    Tensor b = x.square();
    Tensor head = random(5, 3);
    a.backward(null, true, false);
    b.backward(head, true, false);
    double[] separate = x.grad().toDoubleArray();
    Autograd.backward(new Tensor[] {a, b}, new Tensor[] {null, head}, true, false);
    double[] twice = x.grad().toDoubleArray();
    for (int k = 0; k < 3; k++) {
      assertEquals(2 * separate[k], twice[k], 1e-12, "accumulated on top of the first gradient");
    }
  }

  @Test
  void createGraphMakesTheAccumulatedGradientsDifferentiable() {
    Tensor x = random(6, 3).requiresGrad(true);
    Autograd.backward(
        new Tensor[] {x.pow(3).sum(), x.sin().sum()}, new Tensor[] {null, null}, false, true);
    Tensor g = x.grad(); // 3x^2 + cos x
    assertTrue(g.requiresGrad());
    Tensor[] second = Autograd.grad(g.sum(), x); // 6x - sin x
    double[] xv = x.toDoubleArray();
    for (int k = 0; k < 3; k++) {
      assertEquals(6 * xv[k] - Math.sin(xv[k]), second[0].toDoubleArray()[k], 1e-12);
    }
  }

  @Test
  void badRootsAndHeadsNameTheRoot() {
    Tensor x = random(7, 3).requiresGrad(true);
    Tensor y = x.mul(2);
    var count =
        assertThrows(
            IllegalArgumentException.class,
            () -> Autograd.backward(new Tensor[] {y, y.sum()}, new Tensor[] {null}));
    assertTrue(
        count.getMessage().startsWith("backward: 2 roots but 1 head gradient"), count.getMessage());
    var implicit =
        assertThrows(
            IllegalArgumentException.class,
            () -> Autograd.backward(new Tensor[] {y.sum(), y}, new Tensor[] {null, null}));
    assertTrue(
        implicit.getMessage().contains("head gradient of root 1 is null but it has shape [3]"),
        implicit.getMessage());
    var shape =
        assertThrows(
            IllegalArgumentException.class,
            () -> Autograd.backward(new Tensor[] {y}, new Tensor[] {random(8, 2)}));
    assertTrue(
        shape
            .getMessage()
            .contains("head gradient of root 0 has shape [2] but root 0 has shape [3]"),
        shape.getMessage());
    var noGraph =
        assertThrows(
            IllegalStateException.class,
            () -> Autograd.backward(new Tensor[] {y.sum(), random(9, 2).sum()}, new Tensor[2]));
    assertTrue(
        noGraph.getMessage().startsWith("backward: root 1 (shape [])"), noGraph.getMessage());
    var nullRoot =
        assertThrows(
            IllegalArgumentException.class,
            () -> Autograd.backward(new Tensor[] {null}, new Tensor[] {null}));
    assertTrue(nullRoot.getMessage().contains("roots[0] must not be null"), nullRoot.getMessage());
  }

  // ------------------------------------------------------------------ grad and unused inputs

  @Test
  void unusedInputsGetZerosNullOrAnErrorNamingThem() {
    Tensor x = random(10, 3).requiresGrad(true);
    Tensor unused = random(11, 2, 2).requiresGrad(true);
    Tensor[] none = {null};
    // Default (the five-argument form): zeros of the input's shape and dtype, as before.
    Tensor[] zeros = Autograd.grad(new Tensor[] {x.square().sum()}, none, false, false, x, unused);
    assertArrayEquals(new int[] {2, 2}, zeros[1].shape());
    assertEquals(DType.FLOAT64, zeros[1].dtype());
    assertArrayEquals(new double[4], zeros[1].toDoubleArray(), 0);
    assertArrayEquals(x.mul(2).toDoubleArray(), zeros[0].toDoubleArray(), 1e-12);
    // NULL: PyTorch's allow_unused=True.
    Tensor[] nulls =
        Autograd.grad(
            new Tensor[] {x.square().sum()}, none, false, false, Autograd.Unused.NULL, x, unused);
    assertNull(nulls[1]);
    assertArrayEquals(x.mul(2).toDoubleArray(), nulls[0].toDoubleArray(), 1e-12);
    // ERROR: PyTorch's allow_unused=False, naming the input.
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Autograd.grad(
                    new Tensor[] {x.square().sum()},
                    none,
                    false,
                    false,
                    Autograd.Unused.ERROR,
                    x,
                    unused));
    assertTrue(
        e.getMessage().startsWith("grad: input 1 (shape [2, 2], float64) was not used"),
        e.getMessage());
    // ERROR accepts inputs that are all used, with the gradients of the used ones.
    Tensor[] used =
        Autograd.grad(
            new Tensor[] {x.square().sum()}, none, false, false, Autograd.Unused.ERROR, x);
    assertArrayEquals(x.mul(2).toDoubleArray(), used[0].toDoubleArray(), 1e-12);
  }

  @Test
  void anInputReachedOnlyThroughAnotherOutputCounts() {
    // Used by the second output only: not unused.
    Tensor x = random(12, 3).requiresGrad(true);
    Tensor w = random(13, 3).requiresGrad(true);
    Tensor[] g =
        Autograd.grad(
            new Tensor[] {x.sum(), w.exp().sum()},
            new Tensor[] {null, null},
            false,
            false,
            Autograd.Unused.ERROR,
            x,
            w);
    assertArrayEquals(w.exp().toDoubleArray(), g[1].toDoubleArray(), 1e-12);
  }
}
