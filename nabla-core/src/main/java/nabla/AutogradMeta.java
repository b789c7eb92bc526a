package nabla;

/**
 * The autograd state of one tensor (PyTorch's {@code AutogradMeta}): whether it requires grad, the
 * node that computed it, its accumulated gradient and its forward-mode tangents. A plain tensor has
 * none ({@code Tensor.autograd == null}), so the engine's per-input test stays one field read and a
 * null check; the record is created when a tensor first requires grad, is recorded by an op, gets a
 * gradient or a tangent, or has a gradient option set.
 *
 * <p>Everything here is mutable, unlike the tensor's view. Writers: {@link Engine} (gradFn and
 * requiresGrad of a recorded output, grad of leaves, tangents), {@link Autograd} and {@link
 * Checkpoint} (tangents, gradFn), and {@link Tensor}'s public setters. {@link #grad} is read and
 * written under the owning tensor's monitor ({@code synchronized (tensor)} in {@code
 * Engine.accumulateGrad}, {@code Tensor.zeroGrad} and {@code Tensor.setGrad}), so backward passes
 * in several threads that reach one leaf add up exactly.
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

  /** Whether backward keeps t's gradient though it is not a leaf ({@link Tensor#retainGrad()}). */
  static boolean retainsGrad(Tensor t) {
    AutogradMeta m = t.autograd;
    return m != null && m.retainsGrad;
  }
}
