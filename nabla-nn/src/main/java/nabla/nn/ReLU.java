package nabla.nn;

import nabla.Tensor;

/**
 * Rectified linear unit max(x, 0) (gradient 0 at 0), elementwise; no parameters.
 *
 * <pre>{@code
 * new ReLU().forward(Tensor.of(-1, 0, 2));
 * }</pre>
 */
public class ReLU extends Module {
  /** The activation. */
  public ReLU() {}

  @Override
  public Tensor forward(Tensor input) {
    if (input == null) {
      throw new IllegalArgumentException("ReLU: the input is null");
    }
    return input.relu();
  }
}
