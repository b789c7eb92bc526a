package nabla;

import java.util.Arrays;
import nabla.storage.Shapes;

/**
 * The autograd state of one tensor (PyTorch's {@code AutogradMeta}): whether it requires grad, the
 * node that computed it, its accumulated gradient and its forward-mode tangents. A plain tensor has
 * none ({@code Tensor.autograd == null}), so the engine's per-input test stays one field read and a
 * null check; the record is created when a tensor first requires grad, is recorded by an op, gets a
 * gradient or a tangent, or has a gradient option set.
 *
 * <p>Everything here is mutable, unlike the tensor's view. Writers: {@link Engine} (gradFn and
 * requiresGrad of a recorded output, grad of leaves, tangents), {@link Autograd} and {@link
 * Checkpoint} (tangents, gradFn), and the static methods below behind {@link Tensor}'s public
 * setters. {@link #grad} is written under the owning tensor's monitor, the one gradient lock:
 * {@code synchronized (tensor)} in {@code Engine.accumulateGrad}, {@link #zeroGrad} and {@link
 * #setGrad}, so backward passes in several threads that reach one leaf add up exactly; {@link #of}
 * creates a record under the same lock.
 */
final class AutogradMeta {
  /** Forward-mode tangents, one per level (a short linked list; usually empty). */
  record Tangent(int level, Tensor value, Tangent next) {}

  boolean requiresGrad;
  Node gradFn;
  Tensor grad;
  boolean retainsGrad;
  boolean overwriteGrad;
  Tangent tangents;

  /**
   * How many recorded in-place updates this tensor's graph has seen (carried from record to
   * record): views made before the last one regenerate their graph from the tensor when next used.
   */
  int rebases;

  /** Gradient and post-accumulate hooks ({@link Hooks}); null when none was registered. */
  Hooks.Lists hooks;

  /** The record of an output that {@code node} computed: requires grad, not a leaf. */
  static AutogradMeta recorded(Node node) {
    AutogradMeta m = new AutogradMeta();
    m.gradFn = node;
    m.requiresGrad = true;
    return m;
  }

  /** t's tangent list (null when it has none); never creates a record. */
  static Tangent tangents(Tensor t) {
    AutogradMeta m = t.autograd;
    return m == null ? null : m.tangents;
  }

  /**
   * Adds a tangent at a forward-mode level to t, in front of its others. For tensors no other
   * thread sees yet (an op's fresh output, a fresh alias), so it takes no lock.
   */
  static void addTangent(Tensor t, int level, Tensor value) {
    AutogradMeta m = t.autograd;
    if (m == null) {
      m = t.autograd = new AutogradMeta();
    }
    m.tangents = new Tangent(level, value, m.tangents);
  }

  /** t's {@link #rebases} (0 without a record). */
  static int rebases(Tensor t) {
    AutogradMeta m = t.autograd;
    return m == null ? 0 : m.rebases;
  }

  /** Whether backward keeps t's gradient though it is not a leaf ({@link Tensor#retainGrad()}). */
  static boolean retainsGrad(Tensor t) {
    AutogradMeta m = t.autograd;
    return m != null && m.retainsGrad;
  }

  /** t's autograd record, created (under t's lock) if it has none yet. */
  static AutogradMeta of(Tensor t) {
    AutogradMeta m = t.autograd;
    if (m == null) {
      synchronized (t) {
        m = t.autograd;
        if (m == null) {
          m = t.autograd = new AutogradMeta();
        }
      }
    }
    return m;
  }

  /** t's tangent at a forward-mode level, or null (zero). */
  static Tensor tangent(Tensor t, int level) {
    GradMode.State s = GradMode.state();
    if (s.isExcluded(level)) {
      return null;
    }
    for (Tangent tg = tangents(t); tg != null; tg = tg.next) {
      if (tg.level == level) {
        return tg.value;
      }
    }
    return null;
  }

  /** {@link Tensor#requiresGrad(boolean)}. */
  static void setRequiresGrad(Tensor t, boolean requiresGrad) {
    if (requiresGrad && !t.dtype().isFloating()) {
      throw new IllegalArgumentException(
          "requiresGrad: only floating-point tensors can require gradients, this one is "
              + t.dtype()
              + " with shape "
              + Shapes.str(t.shape)
              + "; convert it first with to(DType.FLOAT32)"
              + (t.dtype() == DType.INT64
                  ? " (Tensor.arange(4) is int64 as in PyTorch; arange(4.0) is float32)"
                  : ""));
    }
    Node node = t.gradFn();
    if (!requiresGrad && node != null) {
      throw new IllegalStateException(
          "requiresGrad(false): this tensor was computed by "
              + node.name()
              + " and is part of a graph; use detach() to get a tensor outside the graph");
    }
    if (requiresGrad || t.autograd != null) {
      of(t).requiresGrad = requiresGrad;
    }
  }

  /** {@link Tensor#grad()}: the gradient, with the warning for a non-leaf that keeps none. */
  static Tensor grad(Tensor t) {
    AutogradMeta m = t.autograd;
    if (m == null) {
      return null;
    }
    if (m.gradFn != null && !m.retainsGrad && m.grad == null) {
      NonLeafGradWarning.warnOnce(t);
    }
    return m.grad;
  }

  /** {@link Tensor#retainGrad()}. */
  static void retainGrad(Tensor t) {
    if (!t.requiresGrad()) {
      throw new IllegalStateException(
          "retainGrad: this tensor does not require grad, so it will never receive a gradient");
    }
    of(t).retainsGrad = true;
  }

  /** {@link Tensor#overwriteGrad(boolean)}. */
  static void setOverwriteGrad(Tensor t, boolean overwrite) {
    if (overwrite || t.autograd != null) {
      of(t).overwriteGrad = overwrite;
    }
  }

  /** {@link Tensor#zeroGrad()}: zeroes the gradient buffer in place, under t's lock. */
  static void zeroGrad(Tensor t) {
    synchronized (t) { // the lock backward takes to accumulate into t
      AutogradMeta m = t.autograd;
      Tensor grad = m == null ? null : m.grad;
      if (grad == null) {
        return;
      }
      if (grad.requiresGrad()) {
        m.grad = grad.detach().zerosLike();
      } else {
        InPlace.zeroGradient(grad);
      }
    }
  }

  /**
   * {@link Tensor#setGrad(Tensor)}: g (or null) becomes t's gradient, after checking that backward
   * can accumulate into it: t's shape and dtype, one memory location per element.
   */
  static void setGrad(Tensor t, Tensor g) {
    if (g != null) {
      if (!Arrays.equals(g.shape, t.shape)) {
        throw new IllegalArgumentException(
            "setGrad: gradient shape "
                + Shapes.str(g.shape)
                + " differs from tensor shape "
                + Shapes.str(t.shape));
      }
      if (g.dtype() != t.dtype()) {
        throw new IllegalArgumentException(
            "setGrad: gradient dtype "
                + g.dtype()
                + " differs from this tensor's "
                + t.dtype()
                + " (shape "
                + Shapes.str(t.shape)
                + "); convert it first: setGrad(g.to(x.dtype()))");
      }
      int expanded = ViewChecks.expandedDim(t.shape, g.strides);
      if (expanded >= 0) {
        throw new IllegalArgumentException(
            "setGrad: the gradient of shape "
                + Shapes.str(t.shape)
                + " is an expanded view (dimension "
                + expanded
                + " repeats one memory location), so accumulating into it would add every"
                + " element into one cell; pass g.contiguous() or g.copy()");
      }
    }
    if (g == null && t.autograd == null) {
      return; // nothing to clear
    }
    AutogradMeta m = of(t);
    synchronized (t) {
      m.grad = g;
    }
  }
}
