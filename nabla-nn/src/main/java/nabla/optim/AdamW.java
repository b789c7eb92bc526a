package nabla.optim;

import java.util.List;
import nabla.Tensor;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter; PyTorch's {@code torch.optim.AdamW}):
 * before the Adam update each parameter is shrunk, p = p · (1 - lr · weightDecay), instead of
 * adding the decay to the gradient. The weight decay defaults to 0.01, as in PyTorch.
 *
 * <pre>{@code
 * Linear net = new Linear(784, 10);
 * AdamW opt = new AdamW(net.parameters(), 1e-3).weightDecay(0.05);
 * }</pre>
 */
public class AdamW extends Adam {
  /** AdamW with learning rate {@code lr}, betas (0.9, 0.999), eps 1e-8, weight decay 0.01. */
  public AdamW(List<Tensor> params, double lr) {
    super("AdamW", params, lr, true);
    weightDecay(0.01);
  }

  @Override
  public AdamW betas(double beta1, double beta2) {
    super.betas(beta1, beta2);
    return this;
  }

  @Override
  public AdamW eps(double eps) {
    super.eps(eps);
    return this;
  }

  @Override
  public AdamW weightDecay(double weightDecay) {
    super.weightDecay(weightDecay);
    return this;
  }

  @Override
  public AdamW amsgrad(boolean amsgrad) {
    super.amsgrad(amsgrad);
    return this;
  }

  @Override
  public AdamW lr(double lr) {
    super.lr(lr);
    return this;
  }
}
