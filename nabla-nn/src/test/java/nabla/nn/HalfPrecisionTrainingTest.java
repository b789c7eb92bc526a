package nabla.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import nabla.DType;
import nabla.Generator;
import nabla.Tensor;
import nabla.optim.Adam;
import nabla.optim.Optimizer;
import nabla.optim.SGD;
import org.junit.jupiter.api.Test;

/** A small network trained entirely in float16 or bfloat16 (parameters, gradients, states). */
class HalfPrecisionTrainingTest {
  @Test
  void trainsInFloat16AndBfloat16WithSgdAndAdam() {
    for (DType t : new DType[] {DType.FLOAT16, DType.BFLOAT16}) {
      train(t, m -> new SGD(m.parameters(), 0.1));
      // Adam's default eps 1e-8 rounds to 0 in float16, and 0/0 appears where a gradient is 0
      // (a dead ReLU unit): the same in PyTorch, whose usual advice is a larger eps
      train(t, m -> new Adam(m.parameters(), 0.02).eps(t == DType.FLOAT16 ? 1e-4 : 1e-8));
    }
  }

  private static void train(DType t, Function<Module, Optimizer> optimizer) {
    Generator g = new Generator(7);
    Tensor x = g.uniform(-1, 1, 64, 2);
    Tensor y = x.slice(1, 0, 1).mul(2).sub(x.slice(1, 1, 2)).add(0.5).to(t); // 2a - b + 0.5
    x = x.to(t);
    Sequential net = new Sequential(new Linear(2, 8), new ReLU(), new Linear(8, 1));
    net.to(t);
    Optimizer opt = optimizer.apply(net);
    double first = 0;
    double last = 0;
    for (int step = 0; step < 150; step++) {
      opt.zeroGrad();
      Tensor loss = net.forward(x).mseLoss(y);
      assertEquals(t, loss.dtype());
      loss.backward();
      opt.step();
      if (step == 0) {
        first = loss.item();
      }
      last = loss.item();
    }
    for (Tensor p : net.parameters()) {
      assertEquals(t, p.dtype(), "parameters stay " + t);
      assertEquals(t, p.grad().dtype(), "gradients are " + t);
    }
    assertTrue(
        last < first / 10, t + " " + opt.getClass().getSimpleName() + ": " + first + " -> " + last);
  }
}
