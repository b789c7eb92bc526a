package nabla.optim;

import java.util.List;
import nabla.Autograd;
import nabla.Tensor;

/**
 * Gradient clipping by global norm (PyTorch's {@code clip_grad_norm_}): when the 2-norm of all
 * gradients together exceeds {@code maxNorm}, every gradient is scaled in place by maxNorm / (norm
 * + 1e-6).
 *
 * <pre>{@code
 * Linear net = new Linear(3, 1);
 * net.forward(Tensor.randn(8, 3)).mul(100).sum().backward();
 * double norm = GradClip.clipGradNorm(net.parameters(), 1.0);   // the norm before; now <= 1
 * }</pre>
 */
public final class GradClip {
  private GradClip() {}

  /**
   * Scales the gradients of {@code params} so their global 2-norm is at most {@code maxNorm};
   * parameters without a gradient are ignored. Returns the norm before clipping (may be infinite or
   * NaN, in which case nothing is scaled, so a bad step is visible to the caller).
   */
  public static double clipGradNorm(List<Tensor> params, double maxNorm) {
    if (params == null) {
      throw new IllegalArgumentException("clipGradNorm: the parameter list is null");
    }
    if (!(maxNorm > 0)) {
      throw new IllegalArgumentException("clipGradNorm: maxNorm must be > 0, got " + maxNorm);
    }
    double sumSquares = 0;
    try (var g = Autograd.noGrad()) {
      for (Tensor p : params) {
        Tensor grad = p.grad();
        if (grad != null) {
          double n = grad.detach().norm().item();
          sumSquares += n * n;
        }
      }
      double total = Math.sqrt(sumSquares);
      double coef = maxNorm / (total + 1e-6);
      if (coef < 1 && Double.isFinite(total)) {
        for (Tensor p : params) {
          if (p.grad() != null) {
            p.grad().mulInPlace(coef);
          }
        }
      }
      return total;
    }
  }
}
