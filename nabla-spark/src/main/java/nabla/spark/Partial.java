package nabla.spark;

import java.io.Serializable;

/**
 * What partitions send back for one step or one evaluation: the sum of the per-example loss
 * gradients of their shard (flat, in {@code namedParameters()} order; null when the shard was empty
 * or nothing was differentiated), the summed loss, the number of correct predictions and of
 * examples.
 */
final class Partial implements Serializable {
  private static final long serialVersionUID = 1L;

  float[] gradient;
  double lossSum;
  long correct;
  long examples;
  boolean classification = true;

  /** Adds {@code other} into this (element by element for the gradient); returns this. */
  Partial add(Partial other) {
    if (other.gradient != null) {
      if (gradient == null) {
        gradient = other.gradient.clone();
      } else {
        float[] g = gradient;
        float[] o = other.gradient;
        for (int i = 0; i < g.length; i++) {
          g[i] += o[i];
        }
      }
    }
    lossSum += other.lossSum;
    correct += other.correct;
    examples += other.examples;
    classification &= other.classification;
    return this;
  }
}
