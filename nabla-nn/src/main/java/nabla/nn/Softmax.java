package nabla.nn;

import nabla.Tensor;

/**
 * Softmax along one dimension: exp(x) / Σ exp(x), computed stably (PyTorch's {@code nn.Softmax}).
 * For training, feed logits to {@link CrossEntropyLoss} instead.
 *
 * <pre>{@code
 * new Softmax(1).forward(Tensor.of(new double[] {1, 2, 3}, 1, 3));   // rows sum to 1
 * }</pre>
 */
public class Softmax extends Module {
  private final int dim;

  /** Softmax along {@code dim} (negative counts from the end). */
  public Softmax(int dim) {
    this.dim = dim;
  }

  @Override
  public Tensor forward(Tensor input) {
    if (input == null) {
      throw new IllegalArgumentException("Softmax: the input is null");
    }
    return input.softmax(dim);
  }

  @Override
  protected String extraRepr() {
    return "dim=" + dim;
  }
}
