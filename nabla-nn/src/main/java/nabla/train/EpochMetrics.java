package nabla.train;

/**
 * What one epoch of {@link Trainer#fit} measured; delivered to every {@link EpochListener}.
 *
 * <p>Losses are means over the examples (the training loss as the model was trained during the
 * epoch, D2L's convention). For classification (int64 labels) the accuracies are fractions in [0,
 * 1]; for regression, and for the test set when none was given, they are {@code NaN}.
 *
 * <pre>{@code
 * trainer.onEpochEnd(m -> System.out.printf("epoch %d: loss %.4f, test acc %.3f%n",
 *     m.epoch(), m.trainLoss(), m.testAccuracy()));
 * }</pre>
 *
 * @param epoch the epoch just finished, from 1
 * @param epochs how many epochs the run has
 * @param trainLoss mean training loss over the epoch's examples
 * @param trainAccuracy fraction of training examples classified correctly during the epoch (NaN for
 *     regression)
 * @param testLoss mean loss on the test set after the epoch (NaN without a test set)
 * @param testAccuracy test accuracy after the epoch (NaN for regression or without a test set)
 * @param examples training examples seen in the epoch
 * @param seconds wall time of the epoch's training passes (the test evaluation not included)
 */
public record EpochMetrics(
    int epoch,
    int epochs,
    double trainLoss,
    double trainAccuracy,
    double testLoss,
    double testAccuracy,
    long examples,
    double seconds) {

  /** True when accuracies were measured (the labels were int64 classes). */
  public boolean isClassification() {
    return !Double.isNaN(trainAccuracy);
  }

  /** Training throughput of the epoch. */
  public double examplesPerSecond() {
    return seconds > 0 ? examples / seconds : Double.POSITIVE_INFINITY;
  }

  /**
   * One line such as {@code epoch 3/10: train loss 0.4521, train acc 0.841, test loss 0.4711, test
   * acc 0.832 (2.1 s, 28,571 examples/s)}; the parts that were not measured are left out.
   */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            java.util.Locale.ROOT, "epoch %d/%d: train loss %.4f", epoch, epochs, trainLoss));
    if (!Double.isNaN(trainAccuracy)) {
      s.append(String.format(java.util.Locale.ROOT, ", train acc %.3f", trainAccuracy));
    }
    if (!Double.isNaN(testLoss)) {
      s.append(String.format(java.util.Locale.ROOT, ", test loss %.4f", testLoss));
    }
    if (!Double.isNaN(testAccuracy)) {
      s.append(String.format(java.util.Locale.ROOT, ", test acc %.3f", testAccuracy));
    }
    s.append(
        String.format(
            java.util.Locale.ROOT,
            seconds < 10 ? " (%.2f s, %,.0f examples/s)" : " (%.1f s, %,.0f examples/s)",
            seconds,
            examplesPerSecond()));
    return s.toString();
  }
}
