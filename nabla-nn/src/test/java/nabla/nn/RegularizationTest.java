package nabla.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import nabla.DType;
import nabla.Tensor;
import nabla.optim.SGD;
import org.junit.jupiter.api.Test;

class RegularizationTest {

  @Test
  void penaltyAndItsGradient() {
    Tensor w = Tensor.of(3, -4).requiresGrad(true);
    Tensor p = Regularization.l2Penalty(w);
    assertEquals(12.5, p.item(), 1e-6);
    p.backward();
    assertArrayEquals(new float[] {3, -4}, w.grad().toFloatArray());
    assertEquals(
        12.5 + 0.5, Regularization.l2Penalty(List.of(Tensor.of(3, -4), Tensor.of(1))).item(), 1e-6);
    assertThrows(IllegalArgumentException.class, () -> Regularization.l2Penalty(List.of()));
  }

  @Test
  void explicitPenaltyEqualsOptimiserWeightDecay() {
    double lambda = 0.3;
    Tensor a = Tensor.ofDoubles(new double[] {1, -2}, 2).requiresGrad(true);
    Tensor b = Tensor.ofDoubles(new double[] {1, -2}, 2).requiresGrad(true);
    Tensor x = Tensor.ofDoubles(new double[] {0.5, 2}, 2);
    SGD withPenalty = new SGD(List.of(a), 0.1);
    SGD withDecay = new SGD(List.of(b), 0.1).weightDecay(lambda);
    for (int i = 0; i < 3; i++) {
      withPenalty.zeroGrad();
      a.mul(x).sum().square().add(Regularization.l2Penalty(a).mul(lambda)).backward();
      withPenalty.step();
      withDecay.zeroGrad();
      b.mul(x).sum().square().backward();
      withDecay.step();
    }
    assertEquals(DType.FLOAT64, a.dtype());
    assertArrayEquals(b.toDoubleArray(), a.toDoubleArray(), 1e-12);
  }

  /** D2L 3.7 concise: weight decay on the weight only, through a parameter group. */
  @Test
  void weightOnlyDecayThroughAParamGroupEqualsThePenaltyOnTheWeight() {
    double lambda = 3;
    Linear a = new Linear(2, 1);
    a.to(DType.FLOAT64);
    Linear b = new Linear(2, 1);
    b.to(DType.FLOAT64);
    b.loadStateDict(a.stateDict());
    Tensor x = Tensor.randn(8, 2).to(DType.FLOAT64);
    Tensor y = Tensor.randn(8, 1).to(DType.FLOAT64);
    SGD penalised = new SGD(a.parameters(), 0.05);
    SGD grouped = new SGD(b.parameters(), 0.05);
    grouped.paramGroup(List.of(b.weight())).weightDecay(lambda);
    MSELoss mse = new MSELoss();
    for (int i = 0; i < 4; i++) {
      penalised.zeroGrad();
      mse.forward(a.forward(x), y).add(Regularization.l2Penalty(a.weight()).mul(lambda)).backward();
      penalised.step();
      grouped.zeroGrad();
      mse.forward(b.forward(x), y).backward();
      grouped.step();
    }
    assertArrayEquals(a.weight().toDoubleArray(), b.weight().toDoubleArray(), 1e-12);
    assertArrayEquals(a.bias().toDoubleArray(), b.bias().toDoubleArray(), 1e-12);
  }
}
