package nabla.nn;

import nabla.Tensor;

/**
 * Hyperbolic tangent, elementwise; no parameters.
 *
 * <pre>{@code
 * new Tanh().forward(Tensor.of(-1, 0, 2));
 * }</pre>
 */
public class Tanh extends Module {
  /** The activation. */
  public Tanh() {}

  @Override
  public Tensor forward(Tensor input) {
    if (input == null) {
      throw new IllegalArgumentException("Tanh: the input is null");
    }
    return input.tanh();
  }
}
