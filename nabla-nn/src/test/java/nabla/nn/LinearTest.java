package nabla.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import nabla.DType;
import nabla.Generator;
import nabla.Tensor;
import org.junit.jupiter.api.Test;

class LinearTest {

  @Test
  void computesXWTransposedPlusBias() {
    Linear l = new Linear(3, 2);
    double[] w = {1, 2, 3, -1, 0, 0.5};
    double[] b = {0.25, -2};
    l.loadStateDict(Map.of("weight", Tensor.of(w, 2, 3), "bias", Tensor.of(b, 2)));
    double[] x = {1, -1, 2, 0, 3, 4};
    float[] y = l.forward(Tensor.of(x, 2, 3)).toFloatArray();
    for (int n = 0; n < 2; n++) {
      for (int o = 0; o < 2; o++) {
        double expected = b[o];
        for (int i = 0; i < 3; i++) {
          expected += x[n * 3 + i] * w[o * 3 + i];
        }
        assertEquals(expected, y[n * 2 + o], 1e-6);
      }
    }
    // a single example [in] gives [out]
    assertArrayEquals(new int[] {2}, l.forward(Tensor.of(1, 2, 3)).shape());
  }

  @Test
  void defaultInitIsUniformWithinOneOverSqrtIn() {
    Generator.manualSeed(3);
    Linear l = new Linear(400, 300);
    double bound = 1 / Math.sqrt(400);
    for (Tensor p : List.of(l.weight(), l.bias())) {
      double max = p.abs().max().item();
      assertTrue(max <= bound, "max " + max);
      assertTrue(max > 0.95 * bound, "samples should spread over the interval, max " + max);
    }
    // the variance of U(-b, b) is b²/3
    double var = l.weight().square().mean().item();
    assertEquals(bound * bound / 3, var, 0.03 * bound * bound / 3);
    assertEquals(0, l.weight().mean().item(), 0.01 * bound);
  }

  @Test
  void wrongFeatureSizeNamesTheLayerAndBothSizes() {
    Sequential net = new Sequential(new Flatten(), new Linear(784, 10));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> net.forward(Tensor.zeros(2, 100)));
    String m = e.getMessage();
    assertTrue(m.contains("layer 1 Linear(in_features=784, out_features=10"), m);
    assertTrue(m.contains("784") && m.contains("100"), m);
    assertThrows(IllegalArgumentException.class, () -> new Linear(3, 2).forward(Tensor.scalar(1)));
    assertThrows(IllegalArgumentException.class, () -> new Linear(-1, 2));
  }

  @Test
  void lazyLayerTakesItsInputSizeFromTheFirstCall() {
    Linear l = Linear.lazy(5);
    assertFalse(l.isInitialized());
    assertNull(l.weight());
    assertTrue(l.parameters().isEmpty());
    assertEquals("LazyLinear(in_features=?, out_features=5, bias=True)", l.toString());
    Tensor y = l.forward(Tensor.randn(4, 7));
    assertArrayEquals(new int[] {4, 5}, y.shape());
    assertArrayEquals(new int[] {5, 7}, l.weight().shape());
    assertEquals(List.of("weight", "bias"), List.copyOf(l.namedParameters().keySet()));
    assertTrue(l.weight().abs().max().item() <= 1 / Math.sqrt(7));
    assertThrows(IllegalArgumentException.class, () -> l.forward(Tensor.randn(4, 8)));
  }

  @Test
  void lazyLayerInsideSequentialIsMaterialisedByLoadStateDict() {
    Sequential trained = new Sequential(new Linear(6, 3));
    Sequential fresh = new Sequential(Linear.lazy(3));
    fresh.loadStateDict(trained.stateDict());
    assertArrayEquals(
        trained.stateDict().get("0.weight").toFloatArray(),
        fresh.stateDict().get("0.weight").toFloatArray());
  }

  @Test
  void lazyLayerFollowsTheInputDtype() {
    Linear l = Linear.lazy(2);
    assertEquals(DType.FLOAT64, l.forward(Tensor.randn(3, 4).to(DType.FLOAT64)).dtype());
    assertEquals(DType.FLOAT64, l.weight().dtype());
  }

  @Test
  void withoutBias() {
    Linear l = new Linear(2, 2, false);
    assertEquals(List.of("weight"), List.copyOf(l.namedParameters().keySet()));
    assertEquals(0.0, l.forward(Tensor.zeros(1, 2)).abs().sum().item());
  }

  /** A layer with random weights from a fixed seed: float64 with a bias, else float32. */
  private static Linear randomLayer(int in, int out, boolean bias, long seed) {
    Generator.manualSeed(seed);
    if (!bias) {
      return new Linear(in, out, false);
    }
    Linear l = Linear.lazy(out);
    l.forward(Tensor.zeros(1, in).to(DType.FLOAT64)); // float64 parameters
    return l;
  }

  /**
   * A batch [N, in] goes through one recorded node whose gradients are those of x W^T + b: for the
   * input, the weight and the bias, with and without bias, with an input that requires grad and one
   * that does not (a batch of data gets no gradient).
   */
  @Test
  void batchGradientsAreThoseOfTheFormula() {
    for (boolean bias : new boolean[] {true, false}) {
      for (boolean inputNeedsGrad : new boolean[] {true, false}) {
        Linear l = randomLayer(3, 2, bias, 11);
        DType dtype = l.weight().dtype();
        double tol = dtype == DType.FLOAT64 ? 1e-12 : 1e-6;
        Generator.manualSeed(5);
        Tensor x = Tensor.randn(4, 3).to(dtype).requiresGrad(inputNeedsGrad);
        Tensor c = Tensor.randn(4, 2).to(dtype);
        Tensor y = l.forward(x);
        assertEquals("LinearBackward", y.gradFn().name());
        y.mul(c).sum().backward();

        Tensor w = l.weight().detach().requiresGrad(true);
        Tensor b = bias ? l.bias().detach().requiresGrad(true) : null;
        Tensor x2 = x.detach().requiresGrad(true);
        Tensor ref = bias ? x2.matmul(w.transpose()).add(b) : x2.matmul(w.transpose());
        ref.mul(c).sum().backward();

        assertArrayEquals(ref.toDoubleArray(), y.toDoubleArray(), tol);
        assertArrayEquals(w.grad().toDoubleArray(), l.weight().grad().toDoubleArray(), tol);
        assertTrue(l.weight().grad().isContiguous());
        if (bias) {
          assertArrayEquals(b.grad().toDoubleArray(), l.bias().grad().toDoubleArray(), tol);
        }
        if (inputNeedsGrad) {
          assertArrayEquals(x2.grad().toDoubleArray(), x.grad().toDoubleArray(), tol);
        } else {
          assertNull(x.grad());
        }
      }
    }
  }

  /** Second-order and forward-mode derivatives through the layer, against finite differences. */
  @Test
  void differentiatesToSecondOrderAndInForwardMode() {
    Linear l = randomLayer(3, 2, true, 12);
    Generator.manualSeed(6);
    Tensor x = Tensor.randn(4, 3).to(DType.FLOAT64).requiresGrad(true);
    // tanh makes the second derivative non-zero
    nabla.GradCheck.assertGradients(a -> l.forward(a[0]).tanh().sum(), x);
    // and the weight's gradient is itself differentiable (create_graph)
    Tensor loss = l.forward(x).tanh().sum();
    Tensor gw = nabla.Autograd.grad(loss, null, true, true, l.weight())[0];
    Tensor gx = nabla.Autograd.grad(gw.mul(gw).sum(), x)[0];
    Tensor w = l.weight().detach();
    Tensor b = l.bias().detach();
    Tensor x2 = x.detach().requiresGrad(true);
    Tensor wr = w.requiresGrad(true);
    Tensor loss2 = x2.matmul(wr.transpose()).add(b).tanh().sum();
    Tensor gw2 = nabla.Autograd.grad(loss2, null, true, true, wr)[0];
    Tensor gx2 = nabla.Autograd.grad(gw2.mul(gw2).sum(), x2)[0];
    assertArrayEquals(gx2.toDoubleArray(), gx.toDoubleArray(), 1e-12);
  }

  /** Without gradients (evaluation) the layer records nothing. */
  @Test
  void recordsNothingUnderNoGrad() {
    Linear l = new Linear(3, 2);
    try (var g = nabla.Autograd.noGrad()) {
      Tensor y = l.forward(Tensor.ones(4, 3));
      assertNull(y.gradFn());
      assertFalse(y.requiresGrad());
    }
  }
}
