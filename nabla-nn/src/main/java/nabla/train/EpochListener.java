package nabla.train;

/**
 * Called by {@link Trainer#fit} at the end of every epoch, after the test set was evaluated: the
 * hook for printing, plotting (D2L's {@code Animator}), checkpointing or a learning-rate schedule.
 *
 * <pre>{@code
 * trainer.onEpochEnd(m -> System.out.println(m));   // epoch 1/10: train loss 0.5831, ...
 * }</pre>
 */
@FunctionalInterface
public interface EpochListener {
  /**
   * Receives one epoch's metrics.
   *
   * @param metrics what the epoch measured
   */
  void onEpochEnd(EpochMetrics metrics);
}
