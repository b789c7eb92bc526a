package nabla.nn;

import java.util.List;
import nabla.Tensor;

/**
 * Explicit penalties added to a loss (D2L §3.7, weight decay written out): the same effect as an
 * optimiser's {@code weightDecay(λ)} when the penalty λ · ‖w‖² / 2 is added to the loss.
 *
 * <pre>{@code
 * Linear net = new Linear(2, 1);
 * Tensor x = Tensor.randn(8, 2);
 * Tensor y = Tensor.randn(8, 1);
 * double lambda = 3;
 * Tensor l = new MSELoss().forward(net.forward(x), y)
 *     .add(Regularization.l2Penalty(net.weight()).mul(lambda));
 * }</pre>
 */
public final class Regularization {
  private Regularization() {}

  /** ‖w‖² / 2, a 0-d tensor whose gradient is w. */
  public static Tensor l2Penalty(Tensor w) {
    if (w == null) {
      throw new IllegalArgumentException("l2Penalty: the tensor is null");
    }
    return w.mul(w).sum().div(2.0);
  }

  /** The sum of ‖w‖² / 2 over {@code params}. */
  public static Tensor l2Penalty(List<Tensor> params) {
    if (params == null || params.isEmpty()) {
      throw new IllegalArgumentException("l2Penalty: no parameters");
    }
    Tensor total = null;
    for (Tensor p : params) {
      Tensor t = l2Penalty(p);
      total = total == null ? t : total.add(t);
    }
    return total;
  }
}
