package nabla;

import java.util.List;
import java.util.Optional;
import nabla.ops.Primitive;

/**
 * A recorded application of a primitive: the gradient function of a non-leaf tensor, as shown by
 * {@link Tensor#gradFn()} (PyTorch's {@code grad_fn}).
 *
 * <pre>{@code
 * Tensor x = Tensor.arange(4.0).requiresGrad(true);
 * Tensor y = x.mul(x);
 * y.gradFn().name();   // "MulBackward"
 * }</pre>
 */
public final class Node extends Book {
  final Primitive primitive;
  Tensor[] inputs;
  Tensor output;
  private final int[] savedVersions;

  /**
   * The gradient function of each input when this node was recorded (null for a leaf): backward
   * follows these edges, not the inputs' current {@code gradFn()}, which a recorded in-place update
   * may have moved on since (PyTorch's edges point at nodes too).
   */
  final Node[] edges;

  /**
   * Where the node was created, recorded in anomaly mode only (formatted when a message needs it).
   */
  StackWalker.StackFrame callSite;

  /** The backward pass whose bookkeeping the inherited fields hold, 0 when none (Engine only). */
  volatile long owner;

  private static final java.lang.invoke.VarHandle OWNER;

  static {
    try {
      OWNER =
          java.lang.invoke.MethodHandles.lookup().findVarHandle(Node.class, "owner", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Takes ownership for backward pass {@code pass}; false if another pass owns the node. */
  boolean claim(long pass) {
    return OWNER.compareAndSet(this, 0L, pass);
  }

  /** Gives ownership back (the owning pass has ended). */
  void free() {
    OWNER.setRelease(this, 0L);
  }

  Node(Primitive primitive, Tensor[] inputs, Tensor output) {
    this.primitive = primitive;
    this.inputs = inputs;
    this.output = output;
    // Versions of the tensors the rules will read; -1 marks one that is not saved.
    this.savedVersions = new int[inputs.length + 1];
    this.edges = new Node[inputs.length];
    boolean in = primitive.savesInputs();
    for (int i = 0; i < inputs.length; i++) {
      savedVersions[i] = in ? inputs[i].storage().version() : -1;
      edges[i] = inputs[i].gradFn();
    }
    savedVersions[inputs.length] = primitive.savesOutput() ? output.storage().version() : -1;
  }

  /** The gradient function's name, e.g. {@code MulBackward}. */
  public String name() {
    return primitive.gradFnName();
  }

  /** The primitive this node applies. */
  public Primitive primitive() {
    return primitive;
  }

  /** The tensors this node's output was computed from (empty once backward has freed the graph). */
  public List<Tensor> inputs() {
    Tensor[] in = inputs;
    return in == null ? List.of() : List.of(in);
  }

  /**
   * The Java line that created this node (the first caller outside Nabla), recorded when the
   * operation ran inside {@link Autograd#detectAnomaly()}; empty otherwise.
   *
   * <pre>{@code
   * try (var a = Autograd.detectAnomaly()) {
   *   Tensor y = x.log();
   *   y.gradFn().callSite().get().getLineNumber();   // the line above
   * }
   * }</pre>
   */
  public Optional<StackTraceElement> callSite() {
    return callSite == null ? Optional.empty() : Optional.of(callSite.toStackTraceElement());
  }

  /** Whether backward has already freed this node's saved tensors. */
  public boolean isReleased() {
    return inputs == null;
  }

  /**
   * Frees what backward no longer needs, unless told to retain the graph: a node whose rules read
   * input or output values lets them go (a second backward through it then fails, naming it); a
   * node whose rules read only shapes (add, sum, reshape, ...) keeps its edges, so that backward
   * may pass through it again, as PyTorch allows.
   */
  void release() {
    if (primitive.savesInputs() || primitive.savesOutput()) {
      inputs = null;
      output = null;
    }
  }

  /**
   * Makes {@code t} this node's output instead of the tensor the primitive returned (a recorded
   * in-place update writes that result into {@code t}'s storage and gives {@code t} this node).
   */
  void rebaseOutput(Tensor t) {
    output = t;
    if (savedVersions[savedVersions.length - 1] >= 0) {
      savedVersions[savedVersions.length - 1] = t.storage().version();
    }
  }

  /**
   * Whether backward sends a gradient to input i: it had a gradient function when recorded, or it
   * is (still) a leaf that requires grad. A tensor that was a plain leaf when recorded and has
   * since joined a graph through an in-place update gets none through this node.
   */
  boolean needs(int i, Tensor in) {
    return edges[i] != null || (in.requiresGrad() && in.gradFn() == null);
  }

  /** Throws if a saved tensor was modified in place after this node saved it. */
  void checkVersions() {
    Tensor[] inputs = this.inputs;
    Tensor output = this.output;
    if (inputs == null || output == null) {
      return; // freed meanwhile: the engine reports it
    }
    for (int i = 0; i <= inputs.length; i++) {
      Tensor t = i < inputs.length ? inputs[i] : output;
      if (savedVersions[i] >= 0 && t.storage().version() != savedVersions[i]) {
        throw new IllegalStateException(
            "backward: a tensor saved by "
                + name()
                + " (its "
                + (i < inputs.length ? "input " + i : "output")
                + ", shape "
                + java.util.Arrays.toString(t.shape())
                + ") was modified in place by "
                + t.storage().lastWriter()
                + " after it was saved, so its gradient would be wrong; compute the in-place"
                + " update after backward, or work on a copy (copy()) instead"
                + Anomaly.inPlaceSites(this, t.storage()));
      }
    }
  }

  @Override
  public String toString() {
    return "<" + name() + ">";
  }
}
