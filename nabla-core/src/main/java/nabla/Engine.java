package nabla;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nabla.ops.Primitive;
import nabla.storage.BufferPool;
import nabla.storage.Storage;

/** The one place where primitives are applied (recording graph nodes) and the one backward loop. */
final class Engine {
  private Engine() {}

  /**
   * Runs a primitive's forward with recording and tangent propagation off, then records a node if
   * any input requires grad, and computes the output's tangent for every active forward-mode level
   * at which an input has one.
   */
  static Tensor apply(Primitive p, Tensor... inputs) {
    if (StorageTypes.applies(p, inputs)) {
      return StorageTypes.apply(p, inputs); // int32, uint8, float16, bfloat16: compute wider
    }
    for (Tensor t : inputs) {
      if (t.viewBase != null && t.viewRebases != AutogradMeta.rebases(t.viewBase)) {
        InPlaceRecorded.refresh(t); // its base was updated in place since: regenerate its graph
      }
    }
    GradMode.State s = GradMode.state();
    boolean record = false;
    if (s.enabled) {
      for (Tensor t : inputs) {
        if (t.requiresGrad()) {
          record = true;
          break;
        }
      }
    }
    boolean forward = s.forwardActive() && anyTangent(inputs, s);
    Tensor out;
    boolean wasEnabled = s.enabled;
    s.enabled = false;
    s.suspended++;
    try {
      out = p.forward(inputs);
    } finally {
      s.enabled = wasEnabled;
      s.suspended--;
    }
    if (isInput(out, inputs)) {
      out = out.shallowCopy();
    }
    if (inputs.length > 0 && out.storage == inputs[0].storage) {
      Tensor base = inputs[0].viewBase != null ? inputs[0].viewBase : inputs[0];
      out.viewBase = base;
      out.viewRebases = AutogradMeta.rebases(base);
    }
    if (s.suspended == 0) {
      Trace.recordApplication(p, inputs, out, wasEnabled);
    }
    if (s.anomaly && s.anomalyChecksValues && isUserLevel(s)) {
      Anomaly.checkForward(p, inputs, out);
    }
    if ((record || forward) && !p.differentiable(inputs, out)) {
      return out;
    }
    if (record) {
      Node node = new Node(p, inputs.clone(), out);
      out.autograd = AutogradMeta.recorded(node);
      if (s.collector != null) {
        s.collector.add(node);
      }
      if (s.anomaly) {
        node.callSite = Anomaly.callSite();
      }
    }
    if (forward) {
      propagateTangents(p, inputs, out, s);
    }
    return out;
  }

  /**
   * Whether an operation runs on behalf of the user's forward pass, not inside a primitive's
   * forward, a JVP rule or a backward pass (anomaly mode checks values only there: the rules' own
   * intermediate values are checked through the gradients they return).
   */
  private static boolean isUserLevel(GradMode.State s) {
    return s.suspended == 0 && s.excludedCount == 0 && s.backwardDepth == 0;
  }

  private static boolean anyTangent(Tensor[] inputs, GradMode.State s) {
    for (Tensor t : inputs) {
      for (AutogradMeta.Tangent tg = AutogradMeta.tangents(t); tg != null; tg = tg.next()) {
        if (s.isActive(tg.level()) && !s.isExcluded(tg.level())) {
          return true;
        }
      }
    }
    return false;
  }

  /** out's tangent at each level = the primitive's JVP rule on the inputs' tangents there. */
  private static void propagateTangents(
      Primitive p, Tensor[] inputs, Tensor out, GradMode.State s) {
    for (int a = 0; a < s.activeCount; a++) {
      int level = s.active[a];
      if (s.isExcluded(level)) {
        continue;
      }
      Tensor[] tangents = new Tensor[inputs.length];
      boolean any = false;
      for (int i = 0; i < inputs.length; i++) {
        tangents[i] = AutogradMeta.tangent(inputs[i], level);
        any |= tangents[i] != null;
      }
      if (!any) {
        continue;
      }
      Tensor t;
      s.exclude(level);
      long pausedTraces = Trace.enterTangent(level);
      try {
        t = p.kind().isLinear() ? linearJvp(p, tangents, inputs) : p.jvp(tangents, out, inputs);
        if (t != null) {
          if (t.dtype() != out.dtype()) {
            t = t.to(out.dtype());
          }
          if (!nabla.storage.Shapes.same(t.shape, out.shape)) {
            t = t.expand(out.shape);
          }
        }
      } finally {
        Trace.exitTangent(pausedTraces);
        s.unexclude();
      }
      if (t != null) {
        AutogradMeta.addTangent(out, level, t);
      }
    }
  }

  /**
   * The JVP of a linear primitive: the primitive itself applied to the tangents (JAX's {@code
   * deflinear}), a zero standing in for an input without one. Applied through the engine, so it is
   * recorded and carries the tangents of outer levels like any rule's operations.
   */
  private static Tensor linearJvp(Primitive p, Tensor[] tangents, Tensor[] inputs) {
    for (int i = 0; i < tangents.length; i++) {
      if (tangents[i] == null) {
        tangents[i] = Tensor.zeros(inputs[i].dtype()).expand(inputs[i].shape());
      }
    }
    return apply(p, tangents);
  }

  private static boolean isInput(Tensor out, Tensor[] inputs) {
    for (Tensor t : inputs) {
      if (t == out) {
        return true;
      }
    }
    return false;
  }

  /**
   * Reverse-mode sweep from {@code roots} seeded with {@code heads}.
   *
   * <p>Per-pass bookkeeping (dependency counts, pending gradients) lives in the nodes that this
   * pass owns: a pass claims a free node with one compare-and-set and frees it at the end. A node
   * already owned by another pass (one running in another thread through a shared graph, or the
   * pass whose VJP rule started this one, as checkpointing does) gets its bookkeeping in a map of
   * this pass instead, so concurrent and nested passes never see each other's counts.
   *
   * @param capture when non-null, gradients of these tensors are returned in this map instead of
   *     being accumulated into {@code grad()} (the functional {@code Autograd.grad})
   */
  static void backward(
      Tensor[] roots,
      Tensor[] heads,
      boolean retainGraph,
      boolean createGraph,
      Map<Tensor, Tensor> capture) {
    run(roots, heads, retainGraph, createGraph, capture, false);
  }

  /**
   * Backward from {@code root} whose captured tensors are boundaries: their gradients are returned
   * in {@code capture} and nothing is propagated past them (a checkpointed segment's recompute,
   * whose outside tensors get their gradients from the outer backward). Keeps the graph.
   */
  static void backwardToBoundary(
      Tensor root, Tensor head, boolean createGraph, Map<Tensor, Tensor> capture) {
    run(new Tensor[] {root}, new Tensor[] {head}, true, createGraph, capture, true);
  }

  /**
   * Most elements one value of vmap's batched Jacobians ({@code jacrev}, {@code jacfwd}, {@code
   * hessian}) may hold (rows × numel); not final so that a test can lower it to exercise chunking.
   */
  static long batchElements = 1L << 24;

  private static void run(
      Tensor[] roots,
      Tensor[] heads,
      boolean retainGraph,
      boolean createGraph,
      Map<Tensor, Tensor> capture,
      boolean boundary) {
    GradMode.State state = GradMode.state();
    Pass pass = new Pass(state.nextPassId());
    if (BufferPool.enabled() && !createGraph && !state.forwardActive() && !Trace.anyActive()) {
      pass.buffers = new Owned();
    }
    Map<Storage, int[]> outerWatch = BufferPool.watch(null); // a nested pass is not the outer's
    boolean previous = state.enabled;
    state.backwardDepth++;
    try {
      List<Node> starts = new ArrayList<>();
      for (int r = 0; r < roots.length; r++) {
        Tensor root = roots[r];
        Node rootNode = root.gradFn();
        if (rootNode == null) {
          deliverToLeaf(root, heads[r], createGraph, capture, pass);
        } else {
          checkNotReleased(rootNode);
          pass.claim(rootNode);
          pass.addPending(rootNode, heads[r]);
          starts.add(rootNode);
        }
      }
      List<Node> order = topologicalOrder(starts, pass, boundary ? capture : null);
      if (capture != null) {
        markLeadingTo(order, capture, pass);
      }
      state.enabled = createGraph;
      boolean anomalyChecks = state.anomaly && state.anomalyChecksValues;
      for (Node node : order) {
        Book book = pass.book(node);
        Tensor g = book.pending;
        book.pending = null;
        if (g == null) {
          continue;
        }
        // read once: a pass in another thread may free the graph
        Tensor[] inputs = node.inputsNow();
        Tensor out = node.outputNow();
        if (inputs == null || out == null) {
          checkNotReleased(node);
          throw new IllegalStateException("backward: " + node.name() + " was freed meanwhile");
        }
        Owned owned = pass.buffers;
        Hooks.Lists hooks = Hooks.of(out);
        if (hooks != null) {
          if (owned != null) {
            owned.escape(g); // the user's hooks see it
          }
          g = Hooks.apply(out, hooks, g);
        }
        if (capture != null && capture.containsKey(out)) {
          if (owned != null) {
            owned.escape(g); // returned to the caller
          }
          capture.merge(out, g, (x, y) -> x == null ? y : x.add(y));
        } else if (AutogradMeta.retainsGrad(out) && capture == null) {
          accumulateGrad(out, g, createGraph, pass, false);
        }
        if (capture != null && !book.needed) {
          continue; // nothing below leads to a requested tensor: neither computed nor freed
        }
        node.checkVersions();
        boolean[] needs = new boolean[inputs.length];
        boolean any = false;
        for (int i = 0; i < inputs.length; i++) {
          needs[i] = node.needs(i, inputs[i]);
          any |= needs[i];
        }
        // The buffers the rule and reduceTo allocate are the pass's own (a rule that runs user
        // code is not watched): once every use below is done, they go back to the pool.
        boolean watched = owned != null && !node.primitive.runsUserCode() && large(out, inputs);
        Map<Storage, int[]> before = watched ? BufferPool.watch(owned.counts) : null;
        Tensor[] grads;
        Tensor[] gis = new Tensor[inputs.length];
        try {
          grads = !any ? new Tensor[0] : node.primitive.vjp(g, out, inputs, needs);
          if (anomalyChecks) {
            Anomaly.checkGradients(node, g, grads, needs);
          }
          for (int i = 0; i < inputs.length; i++) {
            if (needs[i] && grads[i] != null) {
              gis[i] = reduceTo(grads[i], inputs[i], node, i);
            }
          }
        } finally {
          if (watched) {
            BufferPool.watch(before);
          }
        }
        if (owned != null) {
          for (Tensor gi : gis) {
            if (gi != null) {
              owned.hold(gi); // each pending sum or leaf delivery below is one use
            }
          }
          owned.unhold(g); // consumed by the rule
        }
        for (int i = 0; i < inputs.length; i++) {
          Tensor gi = gis[i];
          if (gi == null) {
            continue;
          }
          Tensor in = inputs[i];
          Node inNode = node.edges[i];
          if (inNode != null && !(boundary && capture.containsKey(in))) {
            pass.addPending(inNode, gi);
          } else {
            deliverToLeaf(in, gi, createGraph, capture, pass);
            if (owned != null) {
              owned.unhold(gi);
            }
          }
        }
        if (owned != null && !owned.counts.isEmpty()) {
          owned.releaseUnused();
        }
        if (!retainGraph) {
          node.release();
        }
      }
      pass.flushHookedLeaves(createGraph, capture);
    } finally {
      BufferPool.watch(outerWatch);
      state.enabled = previous;
      state.backwardDepth--;
      pass.release();
    }
  }

  /** One backward pass's bookkeeping per node: in the node when the pass owns it, else here. */
  private static final class Pass {
    final long id;

    /** Nodes this pass owns (their fields hold its bookkeeping until {@link #release}). */
    final List<Node> owned = new ArrayList<>();

    /** Bookkeeping of nodes owned by another pass (concurrent, or the one enclosing this). */
    Map<Node, Book> side;

    /** The buffers this pass made and may return to the pool; null when it pools nothing. */
    Owned buffers;

    /** Gradients of leaves with hooks, summed over the pass, delivered at its end. */
    Map<Tensor, Tensor> hookedLeaves;

    /** The held leaves in the order they were first reached (the order their hooks run in). */
    List<Tensor> hookedOrder;

    Pass(long id) {
      this.id = id;
    }

    /** Holds g for a leaf with hooks (so they see its whole gradient once); false if none. */
    boolean holdForHooks(Tensor leaf, Tensor g) {
      if (Hooks.of(leaf) == null) {
        return false;
      }
      if (buffers != null) {
        buffers.escape(g); // the leaf's hooks see it
      }
      if (hookedLeaves == null) {
        hookedLeaves = new IdentityHashMap<>();
        hookedOrder = new ArrayList<>();
      }
      if (hookedLeaves.merge(leaf, g, Tensor::add) == g) {
        hookedOrder.add(leaf);
      }
      return true;
    }

    /** Runs the held leaves' hooks and delivers their gradients, then the post-accumulate hooks. */
    void flushHookedLeaves(boolean createGraph, Map<Tensor, Tensor> capture) {
      if (hookedLeaves == null) {
        return;
      }
      for (Tensor leaf : hookedOrder) {
        Hooks.Lists hooks = Hooks.of(leaf);
        Tensor g = Hooks.apply(leaf, hooks, hookedLeaves.get(leaf));
        deliverNow(leaf, g, createGraph, capture, this);
        if (capture == null && leaf.requiresGrad()) {
          Hooks.afterAccumulate(leaf, hooks);
        }
      }
      hookedLeaves = null;
    }

    Book book(Node n) {
      return n.owner == id ? n : side.get(n);
    }

    /** Makes {@code n} part of this pass; false if it already was. */
    boolean claim(Node n) {
      if (n.owner == id || (side != null && side.containsKey(n))) {
        return false;
      }
      if (n.claim(id)) {
        n.dependents = 0;
        n.pending = null;
        n.needed = false;
        owned.add(n);
      } else {
        if (side == null) {
          side = new IdentityHashMap<>();
        }
        side.put(n, new Book());
      }
      return true;
    }

    /** Overwrite-mode leaves this pass has written (reset only on their first delivery). */
    private Set<Tensor> overwritten;

    boolean firstWrite(Tensor leaf) {
      if (overwritten == null) {
        overwritten = Collections.newSetFromMap(new IdentityHashMap<>());
      }
      return overwritten.add(leaf);
    }

    void addPending(Node n, Tensor g) {
      Book b = book(n);
      Tensor p = b.pending;
      if (p == null) {
        b.pending = g;
      } else if (buffers == null || p.numel() < BufferPool.minElements()) {
        b.pending = p.add(g); // small: nothing to pool
      } else if (buffers.sole(p)
          && p.isContiguous()
          && p.dtype() == g.dtype()
          && nabla.storage.Shapes.same(p.shape, g.shape)) {
        InPlace.accumulate(p, g); // p is this pass's alone: add into it, as PyTorch does
        buffers.unhold(g);
      } else {
        Map<Storage, int[]> before = BufferPool.watch(buffers.counts);
        Tensor sum;
        try {
          sum = p.add(g);
        } finally {
          BufferPool.watch(before);
        }
        buffers.unhold(p);
        buffers.unhold(g);
        buffers.hold(sum);
        b.pending = sum;
      }
    }

    void release() {
      for (Node n : owned) {
        n.pending = null;
        n.free();
      }
    }
  }

  /**
   * The large buffers one backward pass made itself (in its rules, sums and reductions), each with
   * how many pending gradients and leaf deliveries still use it. A buffer no use is left for goes
   * back to the {@link BufferPool}; one handed outside the pass (to hooks, to the caller of {@code
   * Autograd.grad}, or adopted as a leaf's gradient) is forgotten instead, and never returned.
   * Buffers the pass did not make (saved values, the head gradient, a user's tensors) are not in
   * it, so nothing a user can hold is ever returned.
   */
  static final class Owned {
    final Map<Storage, int[]> counts = new IdentityHashMap<>();

    void hold(Tensor t) {
      if (counts.isEmpty()) {
        return;
      }
      int[] c = counts.get(t.storage);
      if (c != null) {
        c[0]++;
      }
    }

    void unhold(Tensor t) {
      if (counts.isEmpty()) {
        return;
      }
      int[] c = counts.get(t.storage);
      if (c != null) {
        c[0]--;
      }
    }

    void escape(Tensor t) {
      counts.remove(t.storage);
    }

    /** One use of t is done: its buffer goes back to the pool now if that was the last. */
    void release(Tensor t) {
      int[] c = counts.get(t.storage);
      if (c != null && --c[0] <= 0) {
        counts.remove(t.storage);
        BufferPool.release(t.storage);
      }
    }

    /** Whether t's buffer is this pass's and t's one use is the only one. */
    boolean sole(Tensor t) {
      int[] c = counts.get(t.storage);
      return c != null && c[0] == 1;
    }

    /** Whether g can become {@code leaf}'s gradient as it is: sole use, leaf's layout, whole. */
    boolean adoptable(Tensor g, Tensor leaf) {
      return sole(g)
          && g.dtype() == leaf.dtype()
          && g.offset == 0
          && g.isContiguous()
          && g.storage.size() == g.numel()
          && nabla.storage.Shapes.same(g.shape, leaf.shape);
    }

    /** Returns every buffer no use is left for (temporaries of a rule and consumed gradients). */
    void releaseUnused() {
      for (var it = counts.entrySet().iterator(); it.hasNext(); ) {
        var e = it.next();
        if (e.getValue()[0] <= 0) {
          Storage dead = e.getKey(); // read before remove: an IdentityHashMap entry dies with it
          it.remove();
          BufferPool.release(dead);
        }
      }
    }
  }

  /**
   * Whether a node's rule may allocate a buffer the pool takes: its output or an input is at least
   * {@link BufferPool#minElements()} long (a rule's buffers have the shape of one of them). Small
   * nodes are not watched, which keeps a scalar graph's backward free of the bookkeeping.
   */
  private static boolean large(Tensor out, Tensor[] inputs) {
    int min = BufferPool.minElements();
    if (out.numel() >= min) {
      return true;
    }
    for (Tensor t : inputs) {
      if (t.numel() >= min) {
        return true;
      }
    }
    return false;
  }

  private static void checkNotReleased(Node node) {
    if (node.isReleased()) {
      throw new IllegalStateException(
          "backward: trying to backward through the graph a second time: the saved values of "
              + node.name()
              + " were freed by the first backward. If you need to backward twice through the"
              + " same graph, pass retainGraph = true to the first call:"
              + " y.backward(gradient, true) or Autograd.backward(y, gradient, true, false)");
    }
  }

  private static void deliverToLeaf(
      Tensor leaf, Tensor g, boolean createGraph, Map<Tensor, Tensor> capture, Pass pass) {
    if (!pass.holdForHooks(leaf, g)) {
      deliverNow(leaf, g, createGraph, capture, pass);
    }
  }

  private static void deliverNow(
      Tensor leaf, Tensor g, boolean createGraph, Map<Tensor, Tensor> capture, Pass pass) {
    if (capture != null) {
      if (capture.containsKey(leaf)) {
        if (pass.buffers != null) {
          pass.buffers.escape(g); // returned to the caller
        }
        capture.merge(leaf, g, (a, b) -> a == null ? b : a.add(b));
      }
      return;
    }
    if (leaf.requiresGrad()) {
      accumulateGrad(leaf, g, createGraph, pass, true);
    }
  }

  /**
   * Leaf gradients accumulate (PyTorch semantics), in place unless building a graph. Locked on the
   * tensor, so backward passes in several threads that reach one leaf add up exactly (PyTorch locks
   * its AccumulateGrad too); uncontended, the lock costs a few nanoseconds per leaf.
   */
  private static void accumulateGrad(
      Tensor t, Tensor g, boolean createGraph, Pass pass, boolean mayAdopt) {
    AutogradMeta m = AutogradMeta.of(t); // exists: t requires grad or retains its grad
    synchronized (t) {
      if (m.overwriteGrad && pass.firstWrite(t)) {
        m.grad = null;
      }
      if (m.grad == null) {
        if (mayAdopt && pass.buffers != null && pass.buffers.adoptable(g, t)) {
          // A buffer of this pass that nothing else uses, laid out as t: it becomes the gradient
          // (PyTorch's AccumulateGrad steals such a buffer too), no copy.
          pass.buffers.escape(g);
          m.grad = g.detach();
          return;
        }
        // Always a tensor of its own: g may be the head gradient or another leaf's gradient.
        m.grad = createGraph ? g.copy() : g.detach().contiguousCopy();
      } else if (createGraph || m.grad.requiresGrad()) {
        m.grad = m.grad.add(g);
      } else {
        InPlace.accumulate(m.grad, g);
      }
    }
  }

  /** Undoes broadcasting: sums a gradient down to its input's shape (the one place that does). */
  static Tensor reduceTo(Tensor g, Tensor input, Node node, int index) {
    int[] target = input.shape; // never written below
    int[] shape = g.shape;
    Tensor r = g;
    if (!Arrays.equals(shape, target)) {
      int lead = shape.length - target.length;
      if (lead < 0) {
        throw invalidGradient(node, index, shape, target);
      }
      List<Integer> axes = new ArrayList<>();
      for (int i = 0; i < shape.length; i++) {
        if (i < lead || (target[i - lead] == 1 && shape[i] != 1)) {
          axes.add(i);
        } else if (shape[i] != target[i - lead]) {
          // Never reshape a gradient into place: only broadcasting is undone here.
          throw invalidGradient(node, index, shape, target);
        }
      }
      if (!axes.isEmpty()) {
        r = r.sum(axes.stream().mapToInt(Integer::intValue).toArray(), true);
      }
      r = r.reshape(target.clone());
    }
    if (r.dtype() != input.dtype()) {
      r = r.to(input.dtype());
    }
    return r;
  }

  private static IllegalStateException invalidGradient(
      Node node, int index, int[] shape, int[] target) {
    return new IllegalStateException(
        node.name()
            + " returned an invalid gradient for its input "
            + index
            + ": shape "
            + Arrays.toString(shape)
            + ", but the input has shape "
            + Arrays.toString(target)
            + "; a VJP rule must return a gradient of the input's shape, or of a shape that"
            + " broadcasts to it (the engine sums broadcast dimensions away, it never reshapes)");
  }

  /**
   * Marks the nodes from which a captured tensor can be reached: only they need a VJP when
   * gradients are requested for specific tensors (so {@code Autograd.grad} neither computes nor
   * frees anything beyond them).
   */
  private static void markLeadingTo(List<Node> order, Map<Tensor, Tensor> capture, Pass pass) {
    for (int i = order.size() - 1; i >= 0; i--) {
      Node n = order.get(i);
      Tensor[] inputs = n.inputsNow();
      if (inputs == null) {
        continue;
      }
      for (int j = 0; j < inputs.length; j++) {
        Node e = n.edges[j];
        if (capture.containsKey(inputs[j]) || (e != null && pass.book(e).needed)) {
          pass.book(n).needed = true;
          break;
        }
      }
    }
  }

  /**
   * Nodes reachable from the starts, each after every node that consumes its output; when {@code
   * boundaries} is non-null, the walk does not go past those tensors.
   */
  private static List<Node> topologicalOrder(
      List<Node> starts, Pass pass, Map<Tensor, Tensor> boundaries) {
    ArrayDeque<Node> stack = new ArrayDeque<>(starts);
    int seen = starts.size();
    while (!stack.isEmpty()) {
      Node n = stack.pop();
      Tensor[] inputs = n.inputsNow();
      if (inputs == null) {
        continue;
      }
      for (int i = 0; i < inputs.length; i++) {
        Node child = n.edges[i];
        if (child == null || (boundaries != null && boundaries.containsKey(inputs[i]))) {
          continue;
        }
        if (pass.claim(child)) {
          seen++;
          stack.push(child);
        }
        pass.book(child).dependents++;
      }
    }
    List<Node> order = new ArrayList<>(seen);
    ArrayDeque<Node> ready = new ArrayDeque<>();
    for (Node s : starts) {
      if (pass.book(s).dependents == 0 && !ready.contains(s)) {
        ready.add(s);
      }
    }
    while (!ready.isEmpty()) {
      Node n = ready.poll();
      order.add(n);
      Tensor[] inputs = n.inputsNow();
      if (inputs == null) {
        continue;
      }
      for (int i = 0; i < inputs.length; i++) {
        Node child = n.edges[i];
        if (child == null || (boundaries != null && boundaries.containsKey(inputs[i]))) {
          continue;
        }
        if (--pass.book(child).dependents == 0) {
          ready.add(child);
        }
      }
    }
    return order;
  }
}
