package nabla.nn;

import java.util.Arrays;
import nabla.Tensor;

/**
 * A loss function of a prediction and a target, reduced as {@link #reduction(Reduction)} says (mean
 * by default, as PyTorch).
 *
 * <pre>{@code
 * Linear net = new Linear(2, 1);
 * Loss loss = new MSELoss();
 * Tensor l = loss.forward(net.forward(Tensor.randn(4, 2)), Tensor.zeros(4, 1));
 * l.backward();     // net.weight().grad() is set
 * }</pre>
 */
public abstract class Loss {
  private Reduction reduction = Reduction.MEAN;

  /** The loss of {@code prediction} against {@code target}. */
  public abstract Tensor forward(Tensor prediction, Tensor target);

  /** Sets the reduction; returns this. */
  public Loss reduction(Reduction reduction) {
    if (reduction == null) {
      throw new IllegalArgumentException(getClass().getSimpleName() + ": reduction is null");
    }
    this.reduction = reduction;
    return this;
  }

  /** The reduction in use. */
  public Reduction reduction() {
    return reduction;
  }

  static void checkSameShape(String op, Tensor prediction, Tensor target) {
    if (prediction == null || target == null) {
      throw new IllegalArgumentException(op + ": the prediction and the target must not be null");
    }
    if (!Arrays.equals(prediction.shape(), target.shape())) {
      throw new IllegalArgumentException(
          op
              + ": the prediction has shape "
              + Arrays.toString(prediction.shape())
              + " but the target has shape "
              + Arrays.toString(target.shape())
              + "; reshape one so they match (e.g. y.reshape(yHat.shape()))");
    }
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "(reduction=" + reduction.name().toLowerCase() + ")";
  }
}
