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
}
