package nabla.nn;

import java.util.Arrays;
import java.util.Map;
import nabla.Autograd;
import nabla.CustomFunction;
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
    Tensor b = hasBias ? bias() : null;
    if (x.dim() == 2
        && Autograd.isGradEnabled()
        && (x.requiresGrad() || w.requiresGrad() || (b != null && b.requiresGrad()))) {
      return b != null ? FUSED.apply(x, w, b) : FUSED.apply(x, w);
    }
    Tensor y = x.matmul(w.transpose());
    return b != null ? y.add(b) : y;
  }

  /**
   * y = x W^T + b for a batch x of shape [N, in], recorded as one node whose backward computes the
   * weight gradient as g^T x: of W's own shape and layout, so backward adds it to {@code
   * weight.grad} with a contiguous (vectorised) loop. Composed from matmul, transpose and add, the
   * weight gradient came out as (x^T g)^T, a transposed view, and accumulating it into the
   * contiguous {@code .grad} took a strided scalar loop: 12 % of a D2L MLP training step. The input
   * gradient g W is only computed when the input requires grad (not for a batch of data). The rules
   * are tensor expressions, so the layer differentiates to any order and in forward mode.
   */
  private static final CustomFunction FUSED =
      CustomFunction.of(
          "Linear",
          in -> {
            Tensor y = in[0].matmul(in[1].transpose());
            return in.length > 2 ? y.addInPlace(in[2]) : y;
          },
          (g, out, in) -> {
            Tensor[] grads = new Tensor[in.length];
            if (in[0].requiresGrad()) {
              grads[0] = g.matmul(in[1]);
            }
            if (in[1].requiresGrad()) {
              grads[1] = g.transpose().matmul(in[0]);
            }
            if (in.length > 2 && in[2].requiresGrad()) {
              grads[2] = g.sum(0, false);
            }
            return grads;
          },
          (t, out, in) -> {
            Tensor tangent = null;
            if (t[0] != null) {
              tangent = t[0].matmul(in[1].transpose());
            }
            if (t[1] != null) {
              Tensor d = in[0].matmul(t[1].transpose());
              tangent = tangent == null ? d : tangent.add(d);
            }
            if (in.length > 2 && t[2] != null) {
              tangent = tangent == null ? t[2].expand(out.shape()) : tangent.add(t[2]);
            }
            return tangent;
          });

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
