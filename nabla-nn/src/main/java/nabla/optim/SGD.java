package nabla.optim;

import java.util.List;
import java.util.Map;
import nabla.Tensor;

/**
 * Stochastic gradient descent with PyTorch's options and update rule ({@code torch.optim.SGD}):
 *
 * <pre>
 * g = grad + weightDecay · p
 * if momentum ≠ 0:  b = g on the first step, else momentum · b + (1 - dampening) · g
 *                   g = nesterov ? g + momentum · b : b
 * p = p - lr · g
 * </pre>
 *
 * <pre>{@code
 * Tensor w = Tensor.of(1, 2).requiresGrad(true);
 * SGD opt = new SGD(List.of(w), 0.1).momentum(0.9).nesterov(true).weightDecay(1e-4);
 * w.square().sum().backward();
 * opt.step();       // w moves towards 0
 * opt.zeroGrad();
 * }</pre>
 */
public class SGD extends Optimizer {
  private double momentum;
  private double dampening;
  private boolean nesterov;

  /** Plain SGD with learning rate {@code lr}. */
  public SGD(List<Tensor> params, double lr) {
    super("SGD", params, lr);
  }

  /** Momentum factor (default 0); returns this. */
  public SGD momentum(double momentum) {
    this.momentum = checkNonNegative("SGD", "momentum", momentum);
    return this;
  }

  /** Dampening of the momentum (default 0); returns this. */
  public SGD dampening(double dampening) {
    this.dampening = checkNonNegative("SGD", "dampening", dampening);
    return this;
  }

  /** Nesterov momentum (needs momentum > 0 and dampening 0); returns this. */
  public SGD nesterov(boolean nesterov) {
    this.nesterov = nesterov;
    return this;
  }

  /** L2 penalty added to the gradient, weightDecay · p (default 0); returns this. */
  public SGD weightDecay(double weightDecay) {
    setWeightDecay(weightDecay);
    return this;
  }

  @Override
  public SGD lr(double lr) {
    super.lr(lr);
    return this;
  }

  @Override
  protected void checkSettings() {
    if (nesterov && (momentum <= 0 || dampening != 0)) {
      throw new IllegalStateException(
          "SGD: Nesterov momentum needs momentum > 0 and dampening 0, got momentum "
              + momentum
              + " and dampening "
              + dampening);
    }
  }

  @Override
  protected void update(
      Tensor p, Tensor grad, Map<String, Tensor> state, double lr, double weightDecay) {
    Tensor g = weightDecay != 0 ? grad.add(p.detach().mul(weightDecay)) : grad;
    if (momentum != 0) {
      Tensor buf = state.get("momentum_buffer");
      if (buf == null) {
        buf = g.copy();
        state.put("momentum_buffer", buf);
      } else {
        buf.mulInPlace(momentum).addInPlace(g, 1 - dampening);
      }
      g = nesterov ? g.add(buf.mul(momentum)) : buf;
    }
    p.addInPlace(g, -lr); // PyTorch's param.add_(d_p, alpha=-lr): no lr·grad temporary
  }
}
