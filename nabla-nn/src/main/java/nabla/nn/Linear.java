package nabla.nn;

import java.util.Arrays;
import java.util.Map;
import nabla.DType;
import nabla.Tensor;

/**
 * A fully connected layer y = x Wᵀ + b (PyTorch's {@code nn.Linear}); the weight has shape {@code
 * [out, in]} and the bias {@code [out]}, as in PyTorch, so state dicts map one to one. Both start
 * as PyTorch's default: U(-1/sqrt(in), 1/sqrt(in)) (Kaiming uniform with a = sqrt(5)).
 *
 * <p>The input has shape {@code [..., in]}; the output {@code [..., out]}. {@link #lazy(int)} makes
 * a layer that takes {@code in} from its first input (PyTorch's {@code LazyLinear}, used by D2L).
 *
 * <pre>{@code
 * Linear layer = new Linear(2, 1);
 * Tensor y = layer.forward(Tensor.randn(10, 2));   // shape [10, 1]
 * Linear lazy = Linear.lazy(10);                   // in-size fixed by the first forward
 * }</pre>
 */
public class Linear extends Module {
  private int inFeatures;
  private final int outFeatures;
  private final boolean hasBias;

  /** A layer from {@code in} to {@code out} features, with a bias. */
  public Linear(int in, int out) {
    this(in, out, true);
  }

  /** A layer from {@code in} to {@code out} features, with a bias when {@code bias}. */
  public Linear(int in, int out, boolean bias) {
    if (in < 0 || out < 0) {
      throw new IllegalArgumentException(
          "Linear: feature sizes must be >= 0, got in=" + in + " and out=" + out);
    }
    this.outFeatures = out;
    this.hasBias = bias;
    this.inFeatures = in;
    registerParameter("weight", null);
    if (bias) {
      registerParameter("bias", null);
    }
    if (in >= 0) {
      create(in, DType.FLOAT32);
    }
  }

  private Linear(int out) {
    if (out < 0) {
      throw new IllegalArgumentException("Linear.lazy: out must be >= 0, got " + out);
    }
    this.outFeatures = out;
    this.hasBias = true;
    this.inFeatures = -1;
    registerParameter("weight", null);
    registerParameter("bias", null);
  }

  /** A layer with {@code out} features whose input size is taken from the first input. */
  public static Linear lazy(int out) {
    return new Linear(out);
  }

  private void create(int in, DType dtype) {
    inFeatures = in;
    Tensor w = Tensor.zeros(dtype, outFeatures, in);
    double bound = in > 0 ? 1 / Math.sqrt(in) : 0;
    if (in > 0) {
      Init.uniform(w, -bound, bound);
    }
    registerParameter("weight", w);
    if (hasBias) {
      Tensor b = Tensor.zeros(dtype, outFeatures);
      if (in > 0) {
        Init.uniform(b, -bound, bound);
      }
      registerParameter("bias", b);
    }
  }

  /** Whether the parameters exist (always, except for a lazy layer before its first input). */
  public boolean isInitialized() {
    return parameter("weight") != null;
  }

  /** The weight {@code [out, in]}; null for a lazy layer before its first input. */
  public Tensor weight() {
    return parameter("weight");
  }

  /** The bias {@code [out]}; null without bias or before a lazy layer's first input. */
  public Tensor bias() {
    return parameter("bias");
  }

  /** The input size ({@code -1} for a lazy layer not yet called). */
  public int inFeatures() {
    return inFeatures;
  }

  /** The output size. */
  public int outFeatures() {
    return outFeatures;
  }

  @Override
  public Tensor forward(Tensor x) {
    if (x == null) {
      throw new IllegalArgumentException(label() + ": the input is null");
    }
    if (x.dim() == 0) {
      throw new IllegalArgumentException(
          label() + ": expects an input of shape [..., in_features], got a 0-d tensor");
    }
    int got = x.size(x.dim() - 1);
    if (!isInitialized()) {
      create(got, x.dtype().isFloating() ? x.dtype() : DType.FLOAT32);
    }
    if (got != inFeatures) {
      throw new IllegalArgumentException(
          label()
              + ": expects "
              + inFeatures
              + " input features but the input's last dimension has "
              + got
              + " (input shape "
              + Arrays.toString(x.shape())
              + "); flatten or reshape the input, or build the layer with in="
              + got);
    }
    Tensor w = weight();
    if (x.dtype() != w.dtype()) {
      x = x.to(w.dtype());
    }
    Tensor y = x.matmul(w.transpose());
    return hasBias ? y.add(bias()) : y;
  }

  @Override
  protected void materialize(String prefix, Map<String, Tensor> state) {
    Tensor w = state.get(prefix + "weight");
    if (!isInitialized() && w != null && w.dim() == 2 && w.size(0) == outFeatures) {
      create(w.size(1), w.dtype().isFloating() ? w.dtype() : DType.FLOAT32);
    }
  }

  @Override
  protected String typeName() {
    return isInitialized() ? "Linear" : "LazyLinear";
  }

  @Override
  protected String extraRepr() {
    return "in_features="
        + (isInitialized() ? Integer.toString(inFeatures) : "?")
        + ", out_features="
        + outFeatures
        + ", bias="
        + (hasBias ? "True" : "False");
  }
}
