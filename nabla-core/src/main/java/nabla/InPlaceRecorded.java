package nabla;

import java.util.function.UnaryOperator;
import nabla.ops.Primitives;
import nabla.storage.Shapes;

/**
 * In-place updates recorded in the graph (PyTorch's in-place autograd): what happens when {@code
 * t.addInPlace(u)} runs while recording on a tensor that is part of a graph.
 *
 * <ol>
 *   <li>The old value of {@code t} is snapshotted as a recorded copy of it (so the graph keeps what
 *       {@code t} was, whatever is written into its storage later), and likewise its base when
 *       {@code t} is a view.
 *   <li>The update runs out of place on the snapshot, through the ordinary recorded operations:
 *       {@code r = snapshot.add(u)}, with the usual rules and checks.
 *   <li>{@code r} is written into {@code t}'s storage (bumping its version, so a node that saved
 *       the old values fails in backward instead of reading the new ones), and {@code t} takes
 *       {@code r}'s place in the graph: the node that made {@code r} now has {@code t} as its
 *       output and becomes {@code t.gradFn()} ({@code AddBackward}); when that node reads its
 *       output in backward ({@code exp}, {@code div}, ...), {@code r} stays its output and {@code
 *       t} becomes an alias of {@code r} instead, so later updates of t cannot spoil saved values.
 *   <li>When {@code t} views a base tensor (a slice of a matrix, say), the base was written too: it
 *       gets a new node that takes its old value outside the view and {@code r} inside (PyTorch's
 *       {@code CopySlices}), built from gather/scatter-add/where, so it is differentiable to any
 *       order. Other views of that base, made before, regenerate their graph from the base the next
 *       time an operation uses them.
 * </ol>
 *
 * The snapshot costs one copy of the updated tensor (two for a view: also its base); PyTorch avoids
 * it where the derivative does not need the old values, which is an optimisation left for later.
 */
final class InPlaceRecorded {
  private InPlaceRecorded() {}

  /**
   * Whether an update of t must be recorded: grad mode on, t not a leaf that requires grad (nor a
   * view of one: those are refused by the plain path), and t, its base or an operand in a graph.
   */
  static boolean applies(Tensor t, Tensor... operands) {
    if (hasTangent(t) || (t.viewBase != null && hasTangent(t.viewBase))) {
      return true; // forward mode: the tangent must follow the update (recording or not)
    }
    for (Tensor o : operands) {
      if (hasTangent(o)) {
        return true;
      }
    }
    if (!GradMode.isEnabled()) {
      return false;
    }
    boolean inGraph = t.requiresGrad();
    if (inGraph && t.gradFn() == null) {
      return false;
    }
    Tensor base = t.viewBase;
    if (base != null && base.requiresGrad()) {
      if (base.gradFn() == null) {
        return false;
      }
      inGraph = true;
    }
    for (Tensor o : operands) {
      inGraph |= o.requiresGrad();
    }
    return inGraph;
  }

  /**
   * An operand as the update must read it: a recorded copy when it shares t's storage (t itself, or
   * a view of the same base), since the write would change it under the update's node.
   */
  static Tensor operand(Tensor t, Tensor other) {
    return other.storage == t.storage ? other.copy() : other;
  }

  /** t = f(t), recorded. {@code operands}: the other tensors f reads (never t's new node). */
  static Tensor update(Tensor t, String op, UnaryOperator<Tensor> f, Tensor... operands) {
    InPlace.checkWritable(t, op);
    Tensor base = t.viewBase;
    if (base != null && !base.isContiguous()) {
      throw new UnsupportedOperationException(
          op
              + ": recording an in-place update through a view needs a contiguous base tensor,"
              + " this view's base has shape "
              + Shapes.str(base.shape)
              + " and strides "
              + Shapes.str(base.strides)
              + "; update a copy() instead");
    }
    if (base != null && t.viewRebases != AutogradMeta.rebases(base)) {
      refresh(t);
    }
    Tensor baseOld = base != null ? snapshot(base) : null;
    Tensor r = InPlace.castForWrite(t, op, f.apply(snapshot(t)));
    r = ownNode(r, t, operands);
    InPlace.write(t, op, r);
    int rebases = AutogradMeta.rebases(t) + 1;
    if (tracked(r)) {
      takePlace(t, r, rebases);
    }
    if (base != null) {
      Tensor updated = ViewWrites.assign(baseOld, r, t, base);
      if (tracked(updated)) {
        takePlace(base, ownNode(updated, base, baseOld, r), AutogradMeta.rebases(base) + 1);
      }
      t.viewRebases = AutogradMeta.rebases(base);
    }
    return t;
  }

  /**
   * A recorded copy of x's current values at its current place in the graph: what the graph must
   * remember x was, before x is overwritten and given a new node.
   */
  private static Tensor snapshot(Tensor x) {
    // The copy's node keeps an edge to x's node as it is now (nodes follow edges, not tensors).
    return Engine.apply(Primitives.contiguous(), x);
  }

  /** t takes r's place: r's node now outputs t, and becomes t's gradient function. */
  static void takePlace(Tensor t, Tensor r, int rebases) {
    Node node = r.gradFn();
    AutogradMeta old = t.autograd;
    AutogradMeta m;
    if (node != null && !node.primitive.savesOutput()) {
      node.rebaseOutput(t);
      m = AutogradMeta.recorded(node);
    } else if (node != null) {
      // The node reads its output in backward: keep r (never written) as that output, and make t
      // an alias of it, so later updates of t cannot invalidate what the node saved.
      Node alias = new Node(new Alias(node.name()), new Tensor[] {r}, t);
      m = AutogradMeta.recorded(alias);
    } else {
      m = new AutogradMeta(); // forward mode only: just the tangent
    }
    m.tangents = AutogradMeta.tangents(r);
    m.rebases = rebases;
    if (old != null) {
      m.retainsGrad = old.retainsGrad;
      m.hooks = old.hooks;
    }
    t.autograd = m;
  }

  /**
   * Regenerates the graph of a view whose base was updated in place after the view was made (its
   * values are current, since it shares the storage, but its node still leads to the base's old
   * value): the view becomes a gather from the base as it is now. Called by the engine before an
   * operation uses the view.
   */
  static void refresh(Tensor view) {
    Tensor base = view.viewBase;
    if (!GradMode.isEnabled() || !base.isContiguous()) {
      return; // nothing is recorded now; the next recorded use regenerates it
    }
    view.viewRebases = AutogradMeta.rebases(base);
    if (!tracked(base)) {
      return;
    }
    if (view.requiresGrad() && view.gradFn() == null) {
      return; // a leaf of its own (requiresGrad set on the view): nothing to regenerate
    }
    takePlace(view, ownNode(ViewWrites.read(base, view), view, base), AutogradMeta.rebases(view));
  }

  /** {@link TensorInPlace#detachInPlace()}. */
  static Tensor detach(Tensor t) {
    Tensor base = t.viewBase;
    if (base != null && base.requiresGrad()) {
      throw new IllegalStateException(
          "detachInPlace: this tensor (shape "
              + Shapes.str(t.shape)
              + ") is a view of a tensor in a graph (shape "
              + Shapes.str(base.shape)
              + "), which cannot leave the graph in place; use detach() for a new tensor");
    }
    t.autograd = null;
    return t;
  }

  /**
   * The node that makes an updated tensor an alias of the update's result (whose node keeps that
   * result as its saved output); named after the update's node, as PyTorch shows it.
   */
  private static final class Alias extends nabla.ops.Primitive {
    private final String name;

    Alias(String name) {
      super(nabla.ops.PrimitiveKind.CONTIGUOUS);
      this.name = name;
    }

    @Override
    public String gradFnName() {
      return name;
    }

    @Override
    public Tensor forward(Tensor... in) {
      return in[0].copy();
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor out, Tensor[] in, boolean[] needs) {
      return new Tensor[] {g};
    }
  }

  private static boolean hasTangent(Tensor t) {
    return AutogradMeta.tangents(t) != null;
  }

  /** Whether r carries anything t must take over: a node or a tangent. */
  private static boolean tracked(Tensor r) {
    return r.requiresGrad() || hasTangent(r);
  }

  /**
   * r, or a recorded copy of it when its node is not r's alone to hand over to {@code target}: it
   * has none, it views target's storage, or it is one of the tensors {@code taken} (an operand, a
   * snapshot) whose node others still use.
   */
  private static Tensor ownNode(Tensor r, Tensor target, Tensor... taken) {
    if (r.gradFn() == null || r.storage == target.storage || isOneOf(r, taken)) {
      return Engine.apply(Primitives.contiguous(), r);
    }
    return r;
  }

  private static boolean isOneOf(Tensor r, Tensor... others) {
    for (Tensor o : others) {
      if (r == o) {
        return true;
      }
    }
    return false;
  }
}
