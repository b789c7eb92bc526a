package nabla.data;

import java.util.ArrayList;
import java.util.List;
import nabla.Tensor;

/**
 * A collection of examples, each a list of tensors (features, label, ...), indexed from 0
 * (PyTorch's map-style {@code Dataset}). {@link DataLoader} draws minibatches from it.
 *
 * <pre>{@code
 * Tensor features = Tensor.randn(100, 3);
 * Tensor labels = Tensor.randint(0, 10, 100);
 * Dataset data = new TensorDataset(features, labels);
 * List<Tensor> first = data.get(0);      // [features[0], labels[0]]
 * }</pre>
 */
public interface Dataset {
  /** The number of examples. */
  int size();

  /** Example {@code index}: one tensor per field. */
  List<Tensor> get(int index);

  /**
   * The examples at {@code indices}, each field stacked along a new first dimension. The default
   * stacks {@link #get(int)}; implementations backed by tensors gather instead.
   */
  default List<Tensor> batch(int[] indices) {
    if (indices.length == 0) {
      throw new IllegalArgumentException("Dataset.batch: no indices");
    }
    List<List<Tensor>> rows = new ArrayList<>();
    for (int i : indices) {
      rows.add(get(i));
    }
    List<Tensor> out = new ArrayList<>();
    for (int field = 0; field < rows.get(0).size(); field++) {
      Tensor[] column = new Tensor[indices.length];
      for (int r = 0; r < indices.length; r++) {
        column[r] = rows.get(r).get(field);
      }
      out.add(Tensor.stack(0, column));
    }
    return out;
  }

  /**
   * {@link #batch(int[])}, written into {@code previous} (the fields of an earlier batch from this
   * dataset) where they fit; the default ignores {@code previous}. {@link
   * DataLoader#reuseBuffers(boolean)} calls it.
   */
  default List<Tensor> batchInto(int[] indices, List<Tensor> previous) {
    return batch(indices);
  }
}
