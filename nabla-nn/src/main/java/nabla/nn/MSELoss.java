package nabla.nn;

import nabla.Tensor;

/**
 * Squared error (ŷ - y)², averaged by default (PyTorch's {@code nn.MSELoss}). The shapes must be
 * equal: no silent broadcasting of {@code [N]} against {@code [N, 1]}.
 *
 * <pre>{@code
 * Tensor l = new MSELoss().forward(Tensor.of(1, 2), Tensor.of(1, 4));   // 2.0
 * }</pre>
 */
public class MSELoss extends Loss {
  /** The mean squared error. */
  public MSELoss() {}

  @Override
  public MSELoss reduction(Reduction reduction) {
    super.reduction(reduction);
    return this;
  }

  @Override
  public Tensor forward(Tensor prediction, Tensor target) {
    checkSameShape("MSELoss", prediction, target);
    Tensor d = prediction.sub(target);
    return reduction().apply(d.mul(d));
  }
}
