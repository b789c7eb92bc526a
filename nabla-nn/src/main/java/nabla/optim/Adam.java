package nabla.optim;

import java.util.List;
import java.util.Map;
import nabla.Tensor;

/**
 * Adam (Kingma and Ba) with PyTorch's update rule ({@code torch.optim.Adam}); at step t:
 *
 * <pre>
 * g = grad + weightDecay · p                       (AdamW instead shrinks p by lr · weightDecay)
 * m = β1 · m + (1 - β1) · g
 * v = β2 · v + (1 - β2) · g²
 * v̂ = amsgrad ? max(v̂, v) : v
 * p = p - lr / (1 - β1^t) · m / (sqrt(v̂) / sqrt(1 - β2^t) + eps)
 * </pre>
 *
 * <pre>{@code
 * Linear net = new Linear(784, 10);
 * Adam opt = new Adam(net.parameters(), 1e-3).betas(0.9, 0.999).amsgrad(true);
 * }</pre>
 */
public class Adam extends Optimizer {
  private double beta1 = 0.9;
  private double beta2 = 0.999;
  private double eps = 1e-8;
  private boolean amsgrad;
  private final boolean decoupled;

  /** Adam with learning rate {@code lr} and PyTorch's defaults (0.9, 0.999), eps 1e-8. */
  public Adam(List<Tensor> params, double lr) {
    this("Adam", params, lr, false);
  }

  Adam(String name, List<Tensor> params, double lr, boolean decoupledWeightDecay) {
    super(name, params, lr);
    this.decoupled = decoupledWeightDecay;
  }

  /** The exponential decay rates of the first and second moments, each in [0, 1); returns this. */
  public Adam betas(double beta1, double beta2) {
    this.beta1 = checkUnit(getClass().getSimpleName(), "beta1", beta1);
    this.beta2 = checkUnit(getClass().getSimpleName(), "beta2", beta2);
    return this;
  }

  /** The term added to the denominator (default 1e-8); returns this. */
  public Adam eps(double eps) {
    this.eps = checkNonNegative(getClass().getSimpleName(), "eps", eps);
    return this;
  }

  /** Weight decay (an L2 penalty for Adam, decoupled for AdamW); returns this. */
  public Adam weightDecay(double weightDecay) {
    setWeightDecay(weightDecay);
    return this;
  }

  /** Use the maximum of past second moments (AMSGrad); returns this. */
  public Adam amsgrad(boolean amsgrad) {
    this.amsgrad = amsgrad;
    return this;
  }

  @Override
  public Adam lr(double lr) {
    super.lr(lr);
    return this;
  }

  @Override
  protected void update(
      Tensor p, Tensor grad, Map<String, Tensor> state, double lr, double weightDecay) {
    Tensor g = grad;
    if (weightDecay != 0) {
      if (decoupled) {
        p.mulInPlace(1 - lr * weightDecay);
      } else {
        g = g.add(p.detach().mul(weightDecay));
      }
    }
    Tensor m = state.computeIfAbsent("exp_avg", k -> zerosOf(p));
    Tensor v = state.computeIfAbsent("exp_avg_sq", k -> zerosOf(p));
    Tensor stepTensor = state.computeIfAbsent("step", k -> Tensor.scalar(0, nabla.DType.FLOAT64));
    double t = stepTensor.item() + 1;
    stepTensor.copyFrom(Tensor.scalar(t, nabla.DType.FLOAT64));
    m.mulInPlace(beta1).addInPlace(g, 1 - beta1);
    v.mulInPlace(beta2).addInPlace(g.mul(g), 1 - beta2);
    Tensor second = v;
    if (amsgrad) {
      Tensor max = state.computeIfAbsent("max_exp_avg_sq", k -> zerosOf(p));
      max.copyFrom(max.maximum(v));
      second = max;
    }
    double biasCorrection1 = 1 - Math.pow(beta1, t);
    double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
    Tensor denom = second.sqrt().div(biasCorrection2Sqrt).add(eps);
    p.addInPlace(m.div(denom), -lr / biasCorrection1);
  }
}
