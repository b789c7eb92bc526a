package nabla.nn;

import java.util.Arrays;
import nabla.Tensor;

/**
 * Merges dimensions {@code startDim..endDim} into one (PyTorch's {@code nn.Flatten}, default 1 to
 * -1: {@code [N, 1, 28, 28] -> [N, 784]}).
 *
 * <pre>{@code
 * new Flatten().forward(Tensor.zeros(2, 1, 28, 28)).shape();   // [2, 784]
 * }</pre>
 */
public class Flatten extends Module {
  private final int startDim;
  private final int endDim;

  /** Flattens every dimension but the first (the batch). */
  public Flatten() {
    this(1, -1);
  }

  /** Flattens dimensions {@code startDim..endDim} (inclusive; negative counts from the end). */
  public Flatten(int startDim, int endDim) {
    this.startDim = startDim;
    this.endDim = endDim;
  }

  @Override
  public Tensor forward(Tensor x) {
    if (x == null) {
      throw new IllegalArgumentException("Flatten: the input is null");
    }
    int n = Math.max(x.dim(), 1);
    int s = startDim < 0 ? startDim + n : startDim;
    int e = endDim < 0 ? endDim + n : endDim;
    if (s < 0 || s >= n || e < 0 || e >= n || s > e) {
      throw new IllegalArgumentException(
          "Flatten(start_dim="
              + startDim
              + ", end_dim="
              + endDim
              + "): the dimensions are out of range for an input of shape "
              + Arrays.toString(x.shape()));
    }
    if (x.dim() == 0) {
      return x.reshape(1);
    }
    int[] shape = x.shape();
    int[] out = new int[shape.length - (e - s)];
    int k = 0;
    for (int i = 0; i < s; i++) {
      out[k++] = shape[i];
    }
    int merged = 1;
    for (int i = s; i <= e; i++) {
      merged *= shape[i];
    }
    out[k++] = merged;
    for (int i = e + 1; i < shape.length; i++) {
      out[k++] = shape[i];
    }
    return x.reshape(out);
  }

  @Override
  protected String extraRepr() {
    return "start_dim=" + startDim + ", end_dim=" + endDim;
  }
}
