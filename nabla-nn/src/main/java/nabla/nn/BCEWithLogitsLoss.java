package nabla.nn;

import nabla.Tensor;

/**
 * Binary cross-entropy on logits (PyTorch's {@code nn.BCEWithLogitsLoss}): -[y log σ(x) + (1 - y)
 * log(1 - σ(x))], computed stably as log-softmax over the pair (0, x), so large logits neither
 * overflow nor lose the gradient σ(x) - y.
 *
 * <pre>{@code
 * Tensor l = new BCEWithLogitsLoss().forward(Tensor.of(0.3, -2), Tensor.of(1, 0));
 * }</pre>
 */
public class BCEWithLogitsLoss extends Loss {
  /** The mean binary cross-entropy. */
  public BCEWithLogitsLoss() {}

  @Override
  public BCEWithLogitsLoss reduction(Reduction reduction) {
    super.reduction(reduction);
    return this;
  }

  @Override
  public Tensor forward(Tensor logits, Tensor target) {
    checkSameShape("BCEWithLogitsLoss", logits, target);
    if (!logits.dtype().isFloating()) {
      logits = logits.to(nabla.DType.FLOAT32);
    }
    int last = logits.dim();
    // log σ(x) and log σ(-x) = log(1 - σ(x)) as a log-softmax over (0, x).
    Tensor pair = Tensor.stack(last, logits.zerosLike(), logits).logSoftmax(last);
    Tensor logNot = pair.slice(last, 0, 1).squeeze(last);
    Tensor logP = pair.slice(last, 1, 2).squeeze(last);
    Tensor y = target.to(logits.dtype());
    Tensor perElement = y.mul(logP).add(y.neg().add(1).mul(logNot)).neg();
    return reduction().apply(perElement);
  }
}
