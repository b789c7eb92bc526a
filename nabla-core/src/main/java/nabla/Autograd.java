package nabla;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import nabla.storage.Shapes;

/**
 * Entry points of the autograd engine that are not methods of a tensor: no-grad scopes and
 * backward with options.
 *
 * <pre>{@code
 * try (var g = Autograd.noGrad()) {
 *   w.subInPlace(w.grad().mul(0.1));   // an SGD step, not recorded
 * }
 * }</pre>
 */
public final class Autograd {
  private Autograd() {}

  /** A scope that switches gradient recording off (or on) for this thread until closed. */
  public static final class Scope implements AutoCloseable {
    private final boolean previous;
    private boolean closed;

    private Scope(boolean enabled) {
      this.previous = GradMode.set(enabled);
    }

    /** Restores the previous mode. */
    @Override
    public void close() {
      if (!closed) {
        closed = true;
        GradMode.set(previous);
      }
    }
  }

  /** Switches recording off in this thread until the returned scope is closed. */
  public static Scope noGrad() {
    return new Scope(false);
  }

  /** Switches recording on in this thread until the returned scope is closed. */
  public static Scope enableGrad() {
    return new Scope(true);
  }

  /** Whether operations in this thread currently record a graph. */
  public static boolean isGradEnabled() {
    return GradMode.isEnabled();
  }

  /**
   * Backward from {@code output} with a head gradient of its shape.
   *
   * @param retainGraph keep the graph for another backward
   * @param createGraph record the backward pass so the gradients can be differentiated again
   */
  public static void backward(
      Tensor output, Tensor gradient, boolean retainGraph, boolean createGraph) {
    checkRoot("backward", output, gradient);
    Engine.backward(
        new Tensor[] {output},
        new Tensor[] {gradient.to(output.dtype())},
        retainGraph || createGraph,
        createGraph,
        null);
  }

  /**
   * Gradients of {@code output} with respect to {@code inputs}, returned instead of accumulated
   * into {@code grad()} (PyTorch's {@code torch.autograd.grad}). An input the output does not
   * depend on gets a zero gradient.
   *
   * <pre>{@code
   * Tensor x = Tensor.of(1, 2, 3).requiresGrad(true);
   * Tensor[] g = Autograd.grad(x.mul(x).sum(), x);   // [2., 4., 6.]
   * }</pre>
   */
  public static Tensor[] grad(Tensor output, Tensor... inputs) {
    return grad(output, output.numel() == 1 ? output.onesLike() : null, false, false, inputs);
  }

  /**
   * {@code torch.autograd.grad} with options.
   *
   * @param gradient head gradient of output's shape (may be null for a one-element output)
   * @param retainGraph keep the graph for another backward
   * @param createGraph record the computation so the result can be differentiated again
   */
  public static Tensor[] grad(
      Tensor output, Tensor gradient, boolean retainGraph, boolean createGraph, Tensor... inputs) {
    if (gradient == null) {
      if (output.numel() != 1) {
        throw new IllegalStateException(
            "grad: the output has shape " + Shapes.str(output.shape())
                + "; pass a head gradient of that shape");
      }
      gradient = output.onesLike();
    }
    checkRoot("grad", output, gradient);
    Map<Tensor, Tensor> capture = new LinkedHashMap<>();
    for (Tensor in : inputs) {
      if (!in.requiresGrad()) {
        throw new IllegalArgumentException(
            "grad: input of shape " + Shapes.str(in.shape())
                + " does not require grad; call requiresGrad(true) on it before computing the"
                + " output");
      }
      capture.put(in, null);
    }
    Engine.backward(
        new Tensor[] {output},
        new Tensor[] {gradient.to(output.dtype())},
        retainGraph || createGraph,
        createGraph,
        capture);
    Tensor[] out = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      Tensor g = capture.get(inputs[i]);
      out[i] = g != null ? g : inputs[i].detach().zerosLike();
    }
    return out;
  }

  private static void checkRoot(String op, Tensor output, Tensor gradient) {
    if (!output.requiresGrad()) {
      throw new IllegalStateException(
          op + ": this tensor (shape " + Shapes.str(output.shape()) + ") does not require grad,"
              + " so no graph was recorded: call requiresGrad(true) on the input tensors before"
              + " computing it, and make sure it was not computed inside Autograd.noGrad()");
    }
    if (!Arrays.equals(gradient.shape(), output.shape())) {
      throw new IllegalArgumentException(
          op + ": the head gradient has shape " + Shapes.str(gradient.shape())
              + " but the output has shape " + Shapes.str(output.shape())
              + "; they must be equal");
    }
  }
}
