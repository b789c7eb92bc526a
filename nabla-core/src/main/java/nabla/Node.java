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

  /**
   * The tensors this node's output was computed from (empty once backward has freed the graph, also
   * for a node that saved nothing and now holds its tensors weakly: their values may be gone).
   */
  public List<Tensor> inputs() {
    Tensor[] in = inputs;
    return in == null || weakInputs != null ? List.of() : List.of(in);
  }

  /**
   * After backward freed a node that saved nothing, its tensors are held weakly: those a user still
   * holds stay themselves, the others are answered by shells (their shape, dtype and autograd
   * state, no data).
   */
  private java.lang.ref.WeakReference<Tensor>[] weakInputs;

  private java.lang.ref.WeakReference<Tensor> weakOutput;

  /** The inputs as the rules and the engine see them: the real tensor wherever it is still held. */
  Tensor[] inputsNow() {
    Tensor[] in = inputs;
    java.lang.ref.WeakReference<Tensor>[] w = weakInputs;
    if (in == null || w == null) {
      return in;
    }
    Tensor[] now = in.clone();
    for (int i = 0; i < now.length; i++) {
      Tensor real = w[i] == null ? null : w[i].get();
      if (real != null) {
        now[i] = real;
      }
    }
    return now;
  }

  /** The output as the engine sees it: the real tensor while it is still held. */
  Tensor outputNow() {
    java.lang.ref.WeakReference<Tensor> w = weakOutput;
    Tensor real = w == null ? null : w.get();
    return real != null ? real : output;
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
    } else if (weakInputs == null && inputs != null && rulesReadOnlyShapes(primitive)) {
      holdWeakly();
    }
  }

  /**
   * Linear primitives whose rules read only the shapes and dtypes of their tensors (never values
   * nor layout): after backward their node may let go of those tensors. Not {@code where} (its rule
   * reads the condition), not an in-place update's alias, nor anything custom.
   */
  private static boolean rulesReadOnlyShapes(Primitive p) {
    return switch (p.kind()) {
      case NEG,
          ADD,
          SUB,
          SUM,
          CUMSUM,
          RESHAPE,
          EXPAND,
          PERMUTE,
          SLICE,
          PAD,
          CAT,
          CONTIGUOUS,
          CAST ->
          // the library's own (an in-place update's alias node is a CONTIGUOUS of this package)
          p.getClass().getPackageName().equals("nabla.ops") && !p.runsUserCode();
      default -> false;
    };
  }

  /**
   * PyTorch frees what a node does not save once backward is done; this node, which saved nothing,
   * keeps its leaves that get gradients (users hold those) and holds the other tensors weakly, so a
   * kept result does not keep the graph's intermediate values alive. A second backward through it
   * still works: a tensor still held is used as it is (hooks, {@code Autograd.grad} with respect to
   * it), a collected one is answered by a shell with its shape, dtype and autograd state.
   */
  @SuppressWarnings("unchecked")
  private void holdWeakly() {
    Tensor[] in = inputs;
    Tensor out = output;
    java.lang.ref.WeakReference<Tensor>[] w = new java.lang.ref.WeakReference[in.length];
    Tensor[] shells = in.clone();
    for (int i = 0; i < in.length; i++) {
      Tensor t = in[i];
      if (t.requiresGrad() && t.gradFn() == null) {
        continue; // a leaf that gets gradients: kept
      }
      w[i] = new java.lang.ref.WeakReference<>(t);
      shells[i] = Tensor.shellOf(t);
    }
    weakInputs = w;
    weakOutput = new java.lang.ref.WeakReference<>(out);
    inputs = shells;
    output = Tensor.shellOf(out);
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
