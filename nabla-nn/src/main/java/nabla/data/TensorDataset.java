package nabla.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import nabla.Tensor;
import nabla.storage.Storage;

/**
 * A dataset over tensors that share their first dimension: example i is {@code [t0[i], t1[i], ...]}
 * (PyTorch's {@code TensorDataset}). Batches are gathered with one array copy per example for
 * contiguous tensors, else with {@code indexSelect}.
 *
 * <pre>{@code
 * TensorDataset data = new TensorDataset(Tensor.randn(100, 2), Tensor.randn(100, 1));
 * data.size();     // 100
 * }</pre>
 */
public class TensorDataset implements Dataset {
  private final List<Tensor> tensors;
  private final int size;

  /** A dataset over {@code tensors}, which must all have the same (first-dimension) length. */
  public TensorDataset(Tensor... tensors) {
    if (tensors == null || tensors.length == 0) {
      throw new IllegalArgumentException("TensorDataset: needs at least one tensor");
    }
    int n = -1;
    for (int i = 0; i < tensors.length; i++) {
      Tensor t = tensors[i];
      if (t == null || t.dim() == 0) {
        throw new IllegalArgumentException(
            "TensorDataset: tensor "
                + i
                + " is null or 0-d; each needs a first (example) dimension");
      }
      if (n >= 0 && t.size(0) != n) {
        StringBuilder shapes = new StringBuilder();
        for (Tensor u : tensors) {
          shapes.append(' ').append(u == null ? "null" : Arrays.toString(u.shape()));
        }
        throw new IllegalArgumentException(
            "TensorDataset: the tensors must have the same first dimension, got shapes" + shapes);
      }
      n = t.size(0);
    }
    this.tensors = List.of(tensors);
    this.size = n;
  }

  /** The tensors, in the order given. */
  public List<Tensor> tensors() {
    return tensors;
  }

  /** Field {@code i} over all examples. */
  public Tensor tensor(int i) {
    return tensors.get(i);
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public List<Tensor> get(int index) {
    if (index < 0 || index >= size) {
      throw new IllegalArgumentException(
          "TensorDataset.get: index " + index + " out of range for " + size + " examples");
    }
    List<Tensor> out = new ArrayList<>();
    for (Tensor t : tensors) {
      out.add(t.get(index));
    }
    return out;
  }

  @Override
  public List<Tensor> batch(int[] indices) {
    return batchInto(indices, null);
  }

  /**
   * {@link #batch(int[])}, gathered into the tensors of {@code previous} where one has the field's
   * dtype and the batch's shape, is contiguous, owns its whole storage and does not require grad (a
   * batch of the same size made by this dataset); its storage's version is bumped, so a graph that
   * saved it notices. Other fields get new tensors.
   */
  @Override
  public List<Tensor> batchInto(int[] indices, List<Tensor> previous) {
    long[] idx = new long[indices.length];
    for (int i = 0; i < idx.length; i++) {
      if (indices[i] < 0 || indices[i] >= size) {
        throw new IllegalArgumentException(
            "TensorDataset.batch: index " + indices[i] + " out of range for " + size + " examples");
      }
      idx[i] = indices[i];
    }
    Tensor index = null;
    List<Tensor> out = new ArrayList<>();
    for (int f = 0; f < tensors.size(); f++) {
      Tensor t = tensors.get(f);
      Tensor into = previous != null && f < previous.size() ? previous.get(f) : null;
      Tensor rows = copyRows(t, indices, into);
      if (rows == null) {
        if (index == null) {
          index = Tensor.ofLongs(idx);
        }
        rows = t.indexSelect(0, index);
      }
      out.add(rows);
    }
    return out;
  }

  /** Elements per thread below which a batch is copied on the calling thread. */
  private static final long ROWS_PARALLEL_MIN_ELEMENTS = 1 << 15;

  /**
   * {@code t.indexSelect(0, indices)} for a contiguous tensor that does not require grad, as one
   * array copy per example (the rows are contiguous runs of the storage); null for other tensors,
   * which go through indexSelect. The indices are already checked. This is what makes batching
   * cheap: the general gather computes a source offset per element.
   */
  private static Tensor copyRows(Tensor t, int[] indices, Tensor into) {
    if (t.requiresGrad() || !t.isContiguous()) {
      return null;
    }
    int[] shape = t.shape();
    long rowLen = 1;
    for (int d = 1; d < shape.length; d++) {
      rowLen *= shape[d];
    }
    if ((long) indices.length * rowLen > Integer.MAX_VALUE) {
      return null;
    }
    int row = (int) rowLen;
    shape[0] = indices.length;
    Storage src = t.storage();
    boolean reuse = fits(into, t, shape);
    Storage dst =
        reuse
            ? into.storage()
            : Storage.allocateForOverwrite(t.dtype(), indices.length * row); // all overwritten
    int base = t.offset();
    // Rows picked at random from a large dataset are DRAM-latency bound: two threads keep twice
    // as many misses in flight (a batch of 256 Fashion-MNIST images is 800 KB).
    nabla.kernels.Parallel.forRange(
        0,
        indices.length,
        (int) Math.max(1, ROWS_PARALLEL_MIN_ELEMENTS / Math.max(1, row)),
        (lo, hi) -> {
          for (int i = lo; i < hi; i++) {
            int from = base + indices[i] * row;
            int to = i * row;
            Storage.convert(src, from, 1, dst, to, 1, row); // an array copy for one dtype
          }
        });
    if (reuse) {
      dst.bumpVersion("DataLoader.reuseBuffers (the next batch was gathered into this one)");
      return into;
    }
    return Tensor.fromStorage(dst, shape);
  }

  /** Whether a batch of {@code shape} rows of {@code t} can be written into {@code into}. */
  private static boolean fits(Tensor into, Tensor t, int[] shape) {
    return into != null
        && into.storage() != t.storage()
        && into.dtype() == t.dtype()
        && !into.requiresGrad()
        && into.isContiguous()
        && into.offset() == 0
        && into.storage().size() == into.numel()
        && java.util.Arrays.equals(into.shape(), shape);
  }
}
