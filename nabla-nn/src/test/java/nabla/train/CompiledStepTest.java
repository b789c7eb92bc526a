package nabla.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import nabla.Generator;
import nabla.Tensor;
import nabla.data.DataLoader;
import nabla.data.TensorDataset;
import nabla.nn.CrossEntropyLoss;
import nabla.nn.Dropout;
import nabla.nn.Linear;
import nabla.nn.ReLU;
import nabla.nn.Sequential;
import nabla.optim.Adam;
import nabla.optim.SGD;
import org.junit.jupiter.api.Test;

/** A compiled training step takes exactly the eager step's path, and falls back when it must. */
class CompiledStepTest {
  private static TensorDataset data(long seed) {
    Generator g = new Generator(seed);
    Tensor x = g.randn(200, 12);
    Tensor y = x.narrow(1, 0, 3).argmax(1, false);
    return new TensorDataset(x, y);
  }

  private static Sequential mlp(long seed) {
    Generator.manualSeed(seed);
    return new Sequential(new Linear(12, 16), new ReLU(), new Linear(16, 3));
  }

  @Test
  void compiledTrainingFollowsTheEagerTrajectoryBitForBit() {
    Sequential eager = mlp(5);
    Sequential compiled = mlp(5);
    // 200 examples in batches of 32: the last batch (8) has a shape of its own
    List<EpochMetrics> a =
        new Trainer(eager, new CrossEntropyLoss(), new SGD(eager.parameters(), 0.1).momentum(0.9))
            .epochs(3)
            .quiet()
            .fit(new DataLoader(data(1), 32).shuffle(2));
    Trainer t =
        new Trainer(
                compiled, new CrossEntropyLoss(), new SGD(compiled.parameters(), 0.1).momentum(0.9))
            .epochs(3)
            .quiet()
            .compile(true);
    List<EpochMetrics> b = t.fit(new DataLoader(data(1), 32).shuffle(2));
    assertTrue(t.compiledStep().isCompiled(), t.compiledStep().lastFailure());
    assertTrue(t.compiledStep().plan().contains("Matmul"), t.compiledStep().plan());
    for (int i = 0; i < 3; i++) {
      assertEquals(a.get(i).trainLoss(), b.get(i).trainLoss(), 0.0, "epoch " + (i + 1) + " loss");
    }
    List<Tensor> pe = eager.parameters();
    List<Tensor> pc = compiled.parameters();
    for (int i = 0; i < pe.size(); i++) {
      assertArrayEquals(pe.get(i).toDoubleArray(), pc.get(i).toDoubleArray(), "parameter " + i);
    }
  }

  @Test
  void gradientsAreThoseOfBackward() {
    Sequential net = mlp(7);
    CompiledStep step = new CompiledStep(net, new CrossEntropyLoss());
    for (int call = 0; call < 3; call++) {
      Tensor xs = new Generator(call).randn(20, 12);
      Tensor ys = xs.narrow(1, 0, 3).argmax(1, false);
      step.run(xs, ys);
      List<Tensor> viaStep = net.parameters().stream().map(p -> p.grad().copy()).toList();
      for (Tensor p : net.parameters()) {
        p.setGrad(null);
      }
      new CrossEntropyLoss().forward(net.forward(xs), ys).backward();
      for (int i = 0; i < viaStep.size(); i++) {
        assertArrayEquals(
            net.parameters().get(i).grad().toDoubleArray(), viaStep.get(i).toDoubleArray());
      }
    }
  }

  @Test
  void aModelThatDrawsRandomNumbersTrainsUncompiled() {
    Generator.manualSeed(9);
    Sequential net =
        new Sequential(new Linear(12, 16), new ReLU(), new Dropout(0.5), new Linear(16, 3));
    Trainer t =
        new Trainer(net, new CrossEntropyLoss(), new Adam(net.parameters(), 1e-2))
            .epochs(2)
            .quiet()
            .compile(true);
    List<EpochMetrics> h = t.fit(new DataLoader(data(4), 50));
    assertFalse(t.compiledStep().isCompiled());
    assertTrue(t.compiledStep().lastFailure().contains("random"), t.compiledStep().lastFailure());
    assertTrue(h.get(1).trainLoss() < h.get(0).trainLoss() + 0.5);
  }

  @Test
  void aLazyLayerCompilesFromTheSecondStep() {
    Generator.manualSeed(11);
    Sequential net = new Sequential(Linear.lazy(16), new ReLU(), Linear.lazy(3));
    CompiledStep step = new CompiledStep(net, new CrossEntropyLoss());
    Tensor x = new Generator(1).randn(10, 12);
    Tensor y = x.narrow(1, 0, 3).argmax(1, false);
    step.run(x, y); // draws the weights: runs uncompiled
    step.run(x, y);
    step.run(x, y);
    assertTrue(step.isCompiled());
    assertTrue(step.plan().contains("Matmul"), step.plan());
  }

  @Test
  void anOptimisedTensorOutsideTheModelStillHasItsGradientZeroed() {
    Sequential net = mlp(9);
    Tensor extra = Tensor.ones(4).requiresGrad(true);
    extra.setGrad(Tensor.full(7.0, nabla.DType.FLOAT32).expand(4).contiguous());
    List<Tensor> params = new java.util.ArrayList<>(net.parameters());
    params.add(extra);
    Trainer t = new Trainer(net, new CrossEntropyLoss(), new SGD(params, 0.1)).epochs(1).quiet();
    t.compile(true).fit(new DataLoader(data(3), 50));
    assertTrue(t.compiledStep().isCompiled(), t.compiledStep().lastFailure());
    // zeroed before the first step, so SGD never moved it; no backward reaches it afterwards
    assertArrayEquals(new double[4], extra.grad().toDoubleArray());
    assertArrayEquals(new double[] {1, 1, 1, 1}, extra.detach().toDoubleArray());
  }
}
