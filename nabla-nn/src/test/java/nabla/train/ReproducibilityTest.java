package nabla.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import nabla.Generator;
import nabla.Tensor;
import nabla.nn.CrossEntropyLoss;
import nabla.nn.Init;
import nabla.nn.Linear;
import nabla.nn.ReLU;
import nabla.nn.Sequential;
import nabla.optim.SGD;
import org.junit.jupiter.api.Test;

/**
 * A training run is a function of its seed: the same seed gives the same parameters, bit for bit,
 * whether the kernels run interpreted, C1- or C2-compiled. The first run in a JVM starts cold and
 * gets compiled on the way; the second runs compiled throughout. Before the kernels stopped using
 * the Vector API's lanewise exp and reduceLanes (whose compiled forms round differently from their
 * fallbacks), the two runs drifted apart in the last bits after a few hundred steps.
 */
class ReproducibilityTest {

  /** A D2L-shaped MLP (softmax output through the fused log-softmax) trained on fixed data. */
  static float[] train() {
    Generator.manualSeed(7);
    Tensor x = Tensor.randn(512, 64);
    Tensor y = x.slice(1, 0, 10).argmax(1, false); // learnable labels
    Linear hidden = new Linear(64, 128);
    Linear out = new Linear(128, 10);
    for (Linear l : new Linear[] {hidden, out}) {
      Init.normal(l.weight(), 0, 0.1);
      Init.zeros(l.bias());
    }
    Sequential net = new Sequential(hidden, new ReLU(), out);
    SGD opt = new SGD(net.parameters(), 0.1);
    CrossEntropyLoss loss = new CrossEntropyLoss();
    for (int step = 0; step < 300; step++) {
      int at = (step % 8) * 64;
      Tensor l = loss.forward(net.forward(x.slice(0, at, at + 64)), y.slice(0, at, at + 64));
      opt.zeroGrad();
      l.backward();
      opt.step();
    }
    return out.weight().toFloatArray();
  }

  @Test
  void sameSeedSameBitsColdAndCompiled() {
    float[] cold = train();
    for (int i = 0; i < 3; i++) {
      train(); // let the JIT compile everything
    }
    float[] hot = train();
    assertArrayEquals(cold, hot, 0f); // bitwise for finite values (delta 0)
  }
}
