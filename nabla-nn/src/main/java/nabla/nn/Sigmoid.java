package nabla.nn;

import nabla.Tensor;

/**
 * Logistic sigmoid 1 / (1 + exp(-x)), elementwise; no parameters.
 *
 * <pre>{@code
 * new Sigmoid().forward(Tensor.of(-1, 0, 2));
 * }</pre>
 */
public class Sigmoid extends Module {
  /** The activation. */
  public Sigmoid() {}

  @Override
  public Tensor forward(Tensor input) {
    if (input == null) {
      throw new IllegalArgumentException("Sigmoid: the input is null");
    }
    return input.sigmoid();
  }
}
