package nabla;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import nabla.ops.Primitive;
import nabla.ops.PrimitiveKind;

/**
 * Gradient checkpointing ({@link Autograd#checkpoint}): a segment {@code f(x)} is run once with
 * recording on, only to learn which tensors from outside the segment it reads (its argument, and
 * the weights and other tensors it captures); that graph is then dropped and replaced by one node
 * whose inputs are those outside tensors that require grad. Backward runs {@code f} again with
 * recording on and differentiates the new graph up to those tensors, so every leaf the segment uses
 * gets its gradient, exactly as without checkpointing.
 */
final class Checkpoint {
  private Checkpoint() {}

  static Tensor apply(Function<Tensor, Tensor> f, Tensor x) {
    GradMode.State s = GradMode.state();
    if (!s.enabled) {
      return Autograd.returned("checkpoint", f.apply(x));
    }
    Set<Node> previous = s.collector;
    Set<Node> inside = Collections.newSetFromMap(new IdentityHashMap<>());
    s.collector = inside;
    Tensor y;
    try {
      y = Autograd.returned("checkpoint", f.apply(x));
    } finally {
      s.collector = previous;
    }
    if (previous != null) {
      previous.addAll(inside); // a checkpoint inside a checkpoint's segment
    }
    Node yNode = y.gradFn();
    if (yNode == null || !inside.contains(yNode)) {
      return y; // the segment recorded nothing of its own (it returned x or a captured tensor)
    }
    List<Tensor> needGrad = new ArrayList<>();
    List<Tensor> read = new ArrayList<>();
    outsideTensors(yNode, inside, needGrad, read);
    Tensor out = y.detach();
    Tensor[] inputs = needGrad.toArray(new Tensor[0]);
    Node node = new Node(new Segment(f, x, inputs, read), inputs, out);
    if (previous != null) {
      previous.add(node);
    }
    out.autograd = AutogradMeta.recorded(node);
    out.autograd.tangents = AutogradMeta.tangents(y); // forward mode went through f itself
    return out;
  }

  /**
   * The tensors from outside the segment that its nodes read: those that require grad (they become
   * the checkpoint node's inputs), and all of them (their versions are checked before the
   * recompute, so an in-place change between forward and backward is caught).
   */
  private static void outsideTensors(
      Node root, Set<Node> inside, List<Tensor> needGrad, List<Tensor> read) {
    Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Set<Node> visited = Collections.newSetFromMap(new IdentityHashMap<>());
    ArrayDeque<Node> stack = new ArrayDeque<>();
    stack.push(root);
    visited.add(root);
    while (!stack.isEmpty()) {
      Node n = stack.pop();
      for (int i = 0; i < n.inputs.length; i++) {
        Tensor in = n.inputs[i];
        Node child = n.edges[i];
        if (child != null && inside.contains(child)) {
          if (visited.add(child)) {
            stack.push(child);
          }
        } else if (seen.add(in)) {
          read.add(in);
          if (in.requiresGrad()) {
            needGrad.add(in);
          }
        }
      }
    }
  }

  /** The checkpoint node's rules: the VJP re-runs the segment. */
  private static final class Segment extends Primitive {
    private final Function<Tensor, Tensor> f;
    private final Tensor x;
    private final Tensor[] inputs;
    private final List<Tensor> read;
    private final int[] versions;

    Segment(Function<Tensor, Tensor> f, Tensor x, Tensor[] inputs, List<Tensor> read) {
      this.f = f;
      this.x = x;
      this.inputs = inputs;
      this.read = read;
      this.versions = new int[read.size()];
      for (int i = 0; i < versions.length; i++) {
        versions[i] = read.get(i).storage().version();
      }
    }

    @Override
    public PrimitiveKind kind() {
      return PrimitiveKind.CUSTOM;
    }

    @Override
    public String gradFnName() {
      return "CheckpointBackward";
    }

    @Override
    public boolean savesInputs() {
      return false; // checked below, for every tensor the segment reads, not only these inputs
    }

    @Override
    public boolean savesOutput() {
      return false;
    }

    @Override
    public Tensor forward(Tensor... in) {
      throw new UnsupportedOperationException("checkpoint: the segment is run by Checkpoint.apply");
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor out, Tensor[] in, boolean[] needs) {
      for (int i = 0; i < versions.length; i++) {
        Tensor t = read.get(i);
        if (t.storage().version() != versions[i]) {
          throw new IllegalStateException(
              "backward: checkpoint must recompute its segment, but a tensor the segment reads"
                  + " (shape "
                  + java.util.Arrays.toString(t.shape())
                  + ") was modified in place by "
                  + t.storage().lastWriter()
                  + " after the forward; the recomputed gradient would be wrong. Do the in-place"
                  + " update after backward, or give the segment a copy()");
        }
      }
      Tensor y;
      try (Autograd.Scope s = Autograd.enableGrad()) {
        y = Autograd.returned("checkpoint", f.apply(x));
      }
      Map<Tensor, Tensor> capture = new IdentityHashMap<>();
      for (int i = 0; i < in.length; i++) {
        if (needs[i]) {
          capture.put(in[i], null);
        }
      }
      if (y.requiresGrad()) {
        // The segment's own graph only: the outside tensors are boundaries, their gradients go on
        // through the outer backward (which is running this rule).
        Engine.backwardToBoundary(y, g, GradMode.isEnabled(), capture);
      }
      Tensor[] grads = new Tensor[in.length];
      for (int i = 0; i < in.length; i++) {
        grads[i] = needs[i] ? capture.get(in[i]) : null;
      }
      return grads;
    }

    @Override
    public Tensor jvp(Tensor[] tangents, Tensor output, Tensor[] in) {
      throw new UnsupportedOperationException(
          "checkpoint: forward mode runs through the segment itself, not through this node");
    }
  }
}
