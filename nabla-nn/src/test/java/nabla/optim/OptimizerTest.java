package nabla.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import nabla.Generator;
import nabla.Tensor;
import nabla.data.Batch;
import nabla.data.DataLoader;
import nabla.data.LinearRegressionData;
import nabla.data.TensorDataset;
import nabla.nn.Linear;
import nabla.nn.MSELoss;
import org.junit.jupiter.api.Test;

class OptimizerTest {

  @Test
  void stepUpdatesInPlaceAndZeroGradClears() {
    Tensor w = Tensor.of(1, 2).requiresGrad(true);
    Tensor storageBefore = w;
    SGD opt = new SGD(List.of(w), 0.5);
    w.mul(w).sum().backward(); // grad 2w = [2, 4]
    opt.step();
    assertArrayEquals(new float[] {0, 0}, w.toFloatArray());
    assertTrue(storageBefore == opt.params().get(0) && w.isLeaf() && w.requiresGrad());
    opt.zeroGrad();
    assertEquals(0, w.grad().abs().sum().item());
    assertFalse(w.grad().requiresGrad());
  }

  @Test
  void parametersWithoutGradientAreSkipped() {
    Tensor a = Tensor.of(1.0).requiresGrad(true);
    Tensor b = Tensor.of(5.0).requiresGrad(true);
    Adam opt = new Adam(List.of(a, b), 0.1);
    a.mul(3).sum().backward();
    opt.step();
    assertEquals(5.0f, b.toFloatArray()[0]);
    // Adam's first step moves by lr · sign(g) (eps aside)
    assertEquals(1.0 - 0.1, a.toFloatArray()[0], 1e-6);
  }

  @Test
  void badSettingsAreRejected() {
    Tensor w = Tensor.zeros(2).requiresGrad(true);
    assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(), 0.1));
    assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(w), -1));
    assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(w), Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(Tensor.zeros(2)), 0.1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new SGD(List.of(Tensor.ofLongs(new long[] {1}, 1)), 0.1));
    assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(w), 0.1).betas(1, 0.9));
    assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(w), 0.1).momentum(-0.1));
    SGD nesterov = new SGD(List.of(w), 0.1).nesterov(true);
    w.setGrad(Tensor.ones(2));
    IllegalStateException e = assertThrows(IllegalStateException.class, nesterov::step);
    assertTrue(e.getMessage().contains("momentum"), e.getMessage());
  }

  @Test
  void adamWDefaultsToWeightDecayPointZeroOne() {
    Tensor a = Tensor.ofDoubles(new double[] {2.0}, 1).requiresGrad(true);
    Tensor b = Tensor.ofDoubles(new double[] {2.0}, 1).requiresGrad(true);
    AdamW w = new AdamW(List.of(a), 0.1);
    Adam plain = new Adam(List.of(b), 0.1);
    a.setGrad(Tensor.ofDoubles(new double[] {1.0}, 1));
    b.setGrad(Tensor.ofDoubles(new double[] {1.0}, 1));
    w.step();
    plain.step();
    // decoupled decay: the Adam step taken from p · (1 - lr · 0.01)
    assertEquals(b.toDoubleArray()[0] - 2.0 * 0.1 * 0.01, a.toDoubleArray()[0], 1e-12);
  }

  /** The class Javadoc example of {@link Optimizer}: D2L 3.5 with the book's settings. */
  @Test
  void d2lConciseLinearRegressionRecoversTheWeightsInThreeEpochs() {
    Generator.manualSeed(0);
    TensorDataset data = LinearRegressionData.d2l(1000, 0);
    Linear net = new Linear(2, 1);
    MSELoss lossFn = new MSELoss();
    Optimizer opt = new SGD(net.parameters(), 0.03);
    DataLoader loader = new DataLoader(data, 10).shuffle(0);
    for (int epoch = 0; epoch < 3; epoch++) {
      for (Batch b : loader) {
        Tensor loss = lossFn.forward(net.forward(b.x()), b.y());
        opt.zeroGrad();
        loss.backward();
        opt.step();
      }
    }
    assertArrayEquals(new float[] {2f, -3.4f}, net.weight().toFloatArray(), 0.02f);
    assertEquals(4.2, net.bias().item(), 0.02);
  }
}
