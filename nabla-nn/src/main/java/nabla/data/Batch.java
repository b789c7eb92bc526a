package nabla.data;

import java.util.List;
import nabla.Tensor;

/**
 * One minibatch from a {@link DataLoader}: a tensor per dataset field, examples along the first
 * dimension. {@link #x()} and {@link #y()} name the usual two fields (features, labels).
 *
 * <pre>{@code
 * DataLoader loader = new DataLoader(LinearRegressionData.d2l(100, 0), 10);
 * for (Batch b : loader) {
 *   b.x().shape();   // [10, 2]
 *   b.y().shape();   // [10, 1]
 * }
 * }</pre>
 */
public record Batch(List<Tensor> tensors) {
  /** A batch of the given fields. */
  public Batch {
    tensors = List.copyOf(tensors);
  }

  /** Field {@code i}. */
  public Tensor get(int i) {
    return tensors.get(i);
  }

  /** The first field (the features). */
  public Tensor x() {
    return tensors.get(0);
  }

  /** The second field (the labels or targets). */
  public Tensor y() {
    if (tensors.size() < 2) {
      throw new IllegalStateException("Batch.y: this batch has only one field");
    }
    return tensors.get(1);
  }

  /** The number of examples. */
  public int size() {
    return tensors.get(0).size(0);
  }
}
