package nabla.nn;

/**
 * How a loss combines the per-example values: their mean (the default), their sum, or none (one
 * value per example).
 *
 * <pre>{@code
 * new CrossEntropyLoss().reduction(Reduction.SUM);
 * }</pre>
 */
public enum Reduction {
  /** The mean over examples (a 0-d tensor). */
  MEAN,
  /** The sum over examples (a 0-d tensor). */
  SUM,
  /** No reduction: one loss per example. */
  NONE;

  nabla.Tensor apply(nabla.Tensor perExample) {
    return switch (this) {
      case MEAN -> perExample.mean();
      case SUM -> perExample.sum();
      case NONE -> perExample;
    };
  }
}
