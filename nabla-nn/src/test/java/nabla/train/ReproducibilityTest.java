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

  /**
   * D2L's MLP shapes (784-256-10, batch 256: products and elementwise ops large enough to be split
   * among threads) trained with 1, 2 and 3 kernel threads: the parameters are the same bits. The
   * GEMM tiles and k-chunks, the blocked sums and the elementwise chunks never depend on the thread
   * count, and an element's value does not depend on the chunk it falls in.
   */
  @Test
  void sameBitsOnAnyNumberOfThreads() {
    int saved = nabla.kernels.Parallel.threads();
    try {
      float[] first = null;
      for (int threads : new int[] {1, 2, 3}) {
        nabla.kernels.Parallel.setThreads(threads);
        Generator.manualSeed(11);
        Tensor x = Tensor.randn(1024, 784);
        Tensor y = x.slice(1, 0, 10).argmax(1, false);
        Linear hidden = new Linear(784, 256);
        Linear out = new Linear(256, 10);
        Sequential net = new Sequential(hidden, new ReLU(), out);
        SGD opt = new SGD(net.parameters(), 0.1).momentum(0.9);
        CrossEntropyLoss loss = new CrossEntropyLoss();
        for (int step = 0; step < 12; step++) {
          int at = (step % 4) * 256;
          Tensor l = loss.forward(net.forward(x.slice(0, at, at + 256)), y.slice(0, at, at + 256));
          opt.zeroGrad();
          l.backward();
          opt.step();
        }
        float[] w =
            Tensor.cat(0, hidden.weight().reshape(-1), out.weight().reshape(-1)).toFloatArray();
        if (first == null) {
          first = w;
        } else {
          assertArrayEquals(first, w, 0f, threads + " threads");
        }
      }
    } finally {
      nabla.kernels.Parallel.setThreads(saved);
    }
  }
}
