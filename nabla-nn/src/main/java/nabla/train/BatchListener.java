package nabla.train;

/**
 * Called by {@link Trainer#fit} after every optimiser step, with the batch's loss. Keep it cheap:
 * it runs on the training thread between steps.
 *
 * <pre>{@code
 * List<Double> losses = new ArrayList<>();
 * trainer.onBatchEnd((epoch, batch, batches, loss) -> losses.add(loss));
 * }</pre>
 */
@FunctionalInterface
public interface BatchListener {
  /**
   * Receives one step's loss.
   *
   * @param epoch the current epoch, from 1
   * @param batch the batch just trained on, from 1
   * @param batches the number of batches per epoch
   * @param loss the batch's mean loss
   */
  void onBatchEnd(int epoch, int batch, int batches, double loss);
}
