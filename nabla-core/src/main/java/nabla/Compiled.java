package nabla;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Function;

/**
 * A compiled function, made by {@link Autograd#compile(Function)} or {@link
 * Autograd#compileMulti(Function)} (JAX's {@code jit}, {@code torch.compile}).
 *
 * <p>The first call for a signature (the arguments' shapes, dtypes, requires-grad flags and which
 * arguments are the same tensor, and whether gradient recording is on) runs the function once while
 * tracing it, returns that run's result, and builds a plan from the trace: unused steps dropped,
 * repeated steps merged, steps that read only constants folded, chains of elementwise operations
 * with their full sums fused into single passes over memory. Later calls with the same signature
 * run the plan without calling the function; a new signature traces again. At most {@link
 * #cacheLimit()} plans are kept (least recently used dropped first).
 *
 * <p>The rules a compiled function must follow, because it is not called again:
 *
 * <ul>
 *   <li>Its Java code must not depend on tensor values computed from the arguments: reading one
 *       ({@code item()}, {@code toDoubleArray()}, printing) throws a {@link TracingException}. Use
 *       tensor operations ({@code Tensor.where}) for data-dependent choices.
 *   <li>It must be pure: drawing random numbers or writing a tensor in place throws a {@link
 *       TracingException}. Pass noise as an argument; return new values instead of updating.
 *   <li>Java values it captures (a learning rate, a flag) are fixed at trace time. Tensors it
 *       captures are read on every call, so an in-place update of a captured weight is seen (values
 *       folded from it are recomputed).
 * </ul>
 *
 * <p>The fused plan runs with recording off. When a result must carry a graph (gradient recording
 * is on and an argument or captured tensor requires grad), a forward-mode tangent, or is observed
 * by an outer {@code vmap} or {@code compile}, the traced steps are applied one by one through the
 * autograd engine instead, so {@code grad}, {@code jvp} and {@code vmap} of a compiled function are
 * exact. To fuse a backward pass, compile the gradient: {@code compile(valueAndGrad(f))}.
 *
 * <p>Thread safety: a compiled function may be called from several threads at once. Each call keeps
 * its values to itself; the plan cache is synchronised; two threads meeting a new signature at once
 * may both trace it (one plan is kept).
 *
 * <pre>{@code
 * var f = Autograd.compile(x -> x.mul(x).add(x).exp().sum());
 * f.apply(Tensor.of(1, 2, 3));    // traces, then runs as one fused pass on later calls
 * System.out.println(f.plan());   // what runs
 * }</pre>
 *
 * @param <A> the argument: {@link Tensor} or {@code Tensor[]}
 * @param <R> the result: a {@link Tensor}, {@code Tensor[]}, a {@code List} of those, or one of
 *     {@link Autograd}'s result records ({@code ValueAndGrad}, {@code ValueAndGrads}, {@code
 *     ValueAndTangent}, {@code ValuesAndTangents})
 */
public final class Compiled<A, R> implements Function<A, R> {
  private static final System.Logger LOG = System.getLogger("nabla.compile");

  private final Function<A, R> f;
  private final boolean array;
  private final String name;
  private int cacheLimit = 16;
  private int traces;
  private final LinkedHashMap<Signature, Entry> cache = new LinkedHashMap<>(16, 0.75f, true);
  private Entry last;

  /** Whether the note on unfused calls (results that need a graph) was logged in this JVM. */
  private static final java.util.concurrent.atomic.AtomicBoolean NOTED_REPLAY =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** One cached plan (null when the trace could not be planned: the function then runs as is). */
  private record Entry(CompiledPlan plan, Results results, String why) {}

  Compiled(Function<A, R> f, boolean array, String name) {
    this.f = f;
    this.array = array;
    this.name = name;
  }

  /**
   * Runs the compiled function: traces on a new signature, else runs the cached plan.
   *
   * @throws TracingException when tracing meets a value read, a random draw or an in-place write
   */
  @Override
  public R apply(A arg) {
    Tensor[] args = arguments(arg);
    Signature sig = new Signature(args, GradMode.isEnabled());
    Entry e = lookup(sig);
    if (e == null) {
      return trace(arg, args, sig);
    }
    if (e.plan() == null) {
      return f.apply(arg);
    }
    return build(e, execute(e.plan(), args));
  }

  /** The cached entry of a signature (then the one used last), or null. */
  private synchronized Entry lookup(Signature sig) {
    Entry e = cache.get(sig);
    if (e != null) {
      last = e;
    }
    return e;
  }

  /** The plan's results: fused with recording off, or step by step when they need a graph. */
  private Tensor[] execute(CompiledPlan plan, Tensor[] args) {
    if (!plan.needsRecording(args)) {
      return plan.run(args);
    }
    if (GradMode.isEnabled() && !Trace.anyActive() && NOTED_REPLAY.compareAndSet(false, true)) {
      LOG.log(
          System.Logger.Level.INFO,
          name
              + ": the results need a gradient graph (recording is on and an argument or a"
              + " captured tensor requires grad), so the traced steps run one by one, unfused."
              + " Call it inside Autograd.noGrad() for inference, or compile valueAndGrad(f) to"
              + " fuse the backward pass too. (Said once.)");
    }
    return plan.replay(args);
  }

  @SuppressWarnings("unchecked")
  private R build(Entry e, Tensor[] out) {
    return (R) e.results().build(out);
  }

  /**
   * {@link #apply}, writing the results into {@code into} (PyTorch's {@code out=}): one tensor per
   * tensor of the result, in its order (for a {@code ValueAndGrads}: the value, then each
   * gradient), null where a fresh tensor is wanted. A result that a fused pass produces is written
   * there directly (no new array per call, which spares the allocation and the garbage collector in
   * a loop); any other is copied. The returned structure holds the destinations. The first call of
   * a signature runs the function as is and copies its results.
   *
   * <pre>{@code
   * var step = Autograd.compileMulti(Autograd.valueAndGrad((Tensor[] a) -> a[0].mul(a[1]).sum()));
   * Tensor gx = Tensor.zeros(n), gy = Tensor.zeros(n);
   * for (int i = 0; i < 100; i++) {
   *   step.applyInto(new Tensor[] {x, y}, null, gx, gy);   // gradients land in gx and gy
   * }
   * }</pre>
   *
   * @throws IllegalArgumentException when the count, a shape or a dtype of the destinations does
   *     not match the results, or a destination shares memory with an argument or another one
   */
  public R applyInto(A arg, Tensor... into) {
    if (into == null) {
      return apply(arg);
    }
    Tensor[] args = arguments(arg);
    Signature sig = new Signature(args, GradMode.isEnabled());
    Entry e = lookup(sig);
    if (e != null && e.plan() != null && !e.plan().needsRecording(args)) {
      e.plan().checkInto(name, args, into);
      return build(e, e.plan().run(args, into));
    }
    // traced now, run as is, or step by step through the engine: then copied into the destinations
    R r =
        e == null
            ? trace(arg, args, sig)
            : e.plan() == null ? f.apply(arg) : build(e, execute(e.plan(), args));
    List<Tensor> leaves = new ArrayList<>();
    Results shape = Results.of(name, r, leaves);
    e = lookup(sig);
    if (e != null && e.plan() != null) {
      e.plan().checkInto(name, args, into);
    } else if (into.length != leaves.size()) {
      throw new IllegalArgumentException(
          name + ": " + into.length + " destinations for " + leaves.size() + " results");
    }
    Tensor[] out = leaves.toArray(new Tensor[0]);
    CompiledPlan.copyInto(out, into);
    @SuppressWarnings("unchecked")
    R built = (R) shape.build(out);
    return built;
  }

  private R trace(A arg, Tensor[] args, Signature sig) {
    boolean[] varying = new boolean[args.length];
    Arrays.fill(varying, true);
    Object[] result = new Object[1];
    List<Tensor> leaves = new ArrayList<>();
    Results[] shape = new Results[1];
    Trace t =
        Trace.run(
            args,
            varying,
            name,
            () -> {
              R r = f.apply(arg);
              result[0] = r;
              shape[0] = Results.of(name, r, leaves);
              return leaves.toArray(new Tensor[0]);
            });
    Entry e;
    try {
      e = new Entry(new CompiledPlan(t, args, t.outputs(), name), shape[0], null);
    } catch (CompiledPlan.Unsupported u) {
      LOG.log(
          System.Logger.Level.WARNING,
          name + ": cannot plan this function (" + u.getMessage() + "); it runs uncompiled");
      e = new Entry(null, shape[0], u.getMessage());
    }
    synchronized (this) {
      traces++;
      cache.putIfAbsent(sig, e);
      last = cache.get(sig);
      while (cache.size() > cacheLimit) {
        Iterator<Signature> it = cache.keySet().iterator();
        it.next();
        it.remove();
      }
    }
    @SuppressWarnings("unchecked")
    R r = (R) result[0];
    return r;
  }

  private Tensor[] arguments(A arg) {
    Tensor[] args;
    if (array) {
      if (!(arg instanceof Tensor[] a)) {
        throw new IllegalArgumentException(
            name
                + ": the argument is "
                + (arg == null ? "null" : "a " + arg.getClass().getName())
                + "; a function compiled with compileMulti takes a Tensor[]");
      }
      args = a.clone();
    } else {
      if (!(arg instanceof Tensor t)) {
        throw new IllegalArgumentException(
            name
                + ": the argument is "
                + (arg == null ? "null" : "a " + arg.getClass().getName())
                + "; a function compiled with compile takes a Tensor (compileMulti takes a"
                + " Tensor[])");
      }
      args = new Tensor[] {t};
    }
    for (int i = 0; i < args.length; i++) {
      if (args[i] == null) {
        throw new IllegalArgumentException(
            name + ": argument " + i + " is null; a compiled function takes tensors");
      }
    }
    return args;
  }

  /**
   * The traced program of the signature used last (like JAX's jaxpr), or a note before any call.
   */
  public synchronized String program() {
    if (last == null) {
      return "(not traced yet: call the function once)\n";
    }
    return last.plan() == null ? "(runs uncompiled: " + last.why() + ")\n" : last.plan().program();
  }

  /**
   * The plan of the signature used last: each step or fused pass in the order it runs, what is
   * folded, and the results.
   */
  public synchronized String plan() {
    if (last == null) {
      return "(not traced yet: call the function once)\n";
    }
    return last.plan() == null ? "(runs uncompiled: " + last.why() + ")\n" : last.plan().plan();
  }

  /** Number of fused passes in the plan used last (0 before any call). */
  public synchronized int fusedPasses() {
    return last == null || last.plan() == null ? 0 : last.plan().fusedPasses();
  }

  /** How many times the function was traced (once per new signature). */
  public synchronized int traceCount() {
    return traces;
  }

  /** Number of plans in the cache. */
  public synchronized int cacheSize() {
    return cache.size();
  }

  /** The most plans kept (16 unless set). */
  public synchronized int cacheLimit() {
    return cacheLimit;
  }

  /**
   * Sets how many plans are kept (at least 1); returns this function.
   *
   * @throws IllegalArgumentException for a limit below 1
   */
  public synchronized Compiled<A, R> cacheLimit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException(
          name + ": cacheLimit(" + limit + "); keep at least 1 plan");
    }
    cacheLimit = limit;
    while (cache.size() > cacheLimit) {
      Iterator<Signature> it = cache.keySet().iterator();
      it.next();
      it.remove();
    }
    return this;
  }

  /** Drops every cached plan (the next call traces again). */
  public synchronized void clearCache() {
    cache.clear();
    last = null;
  }

  // ------------------------------------------------------------------------------ signatures

  /** What a plan is valid for. */
  private static final class Signature {
    private final int[][] shapes;
    private final DType[] dtypes;
    private final boolean[] requiresGrad;
    private final int[] sameAs;
    private final boolean gradEnabled;
    private final int hash;

    Signature(Tensor[] args, boolean gradEnabled) {
      int n = args.length;
      shapes = new int[n][];
      dtypes = new DType[n];
      requiresGrad = new boolean[n];
      sameAs = new int[n];
      for (int i = 0; i < n; i++) {
        shapes[i] = args[i].shape;
        dtypes[i] = args[i].dtype();
        requiresGrad[i] = args[i].requiresGrad();
        sameAs[i] = i;
        for (int j = 0; j < i; j++) {
          if (args[j] == args[i]) {
            sameAs[i] = j;
            break;
          }
        }
      }
      this.gradEnabled = gradEnabled;
      hash =
          31
                  * (31 * (31 * Arrays.deepHashCode(shapes) + Arrays.hashCode(dtypes))
                      + Arrays.hashCode(requiresGrad))
              + Arrays.hashCode(sameAs)
              + (gradEnabled ? 1 : 0);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Signature s
          && s.hash == hash
          && s.gradEnabled == gradEnabled
          && Arrays.deepEquals(s.shapes, shapes)
          && Arrays.equals(s.dtypes, dtypes)
          && Arrays.equals(s.requiresGrad, requiresGrad)
          && Arrays.equals(s.sameAs, sameAs);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  // ------------------------------------------------------------------------------ results

  /** The structure of a result (JAX's pytree), to rebuild it from the plan's flat outputs. */
  private sealed interface Results {
    Object build(Tensor[] leaves, int[] next);

    default Object build(Tensor[] leaves) {
      return build(leaves, new int[1]);
    }

    Results LEAF = new Leaf();

    static Results of(String name, Object r, List<Tensor> leaves) {
      switch (r) {
        case Tensor t -> {
          leaves.add(t);
          return LEAF;
        }
        case Tensor[] a -> {
          for (Tensor t : a) {
            if (t == null) {
              throw nullResult(name);
            }
            leaves.add(t);
          }
          return new Array(a.length);
        }
        case List<?> l -> {
          List<Results> parts = new ArrayList<>();
          for (Object o : l) {
            parts.add(of(name, o, leaves));
          }
          return new Listed(parts);
        }
        case Autograd.ValueAndGrad vg -> {
          return new Record(List.of(of(name, vg.value(), leaves), of(name, vg.grad(), leaves)), 0);
        }
        case Autograd.ValueAndGrads vg -> {
          return new Record(List.of(of(name, vg.value(), leaves), of(name, vg.grads(), leaves)), 1);
        }
        case Autograd.ValueAndTangent vt -> {
          return new Record(
              List.of(of(name, vt.value(), leaves), of(name, vt.tangent(), leaves)), 2);
        }
        case Autograd.ValuesAndTangents vt -> {
          return new Record(
              List.of(of(name, vt.values(), leaves), of(name, vt.tangents(), leaves)), 3);
        }
        case null -> throw nullResult(name);
        default ->
            throw new IllegalArgumentException(
                name
                    + ": the function returned a "
                    + r.getClass().getName()
                    + "; a compiled function returns a Tensor, a Tensor[], a List of them, or one"
                    + " of Autograd's result records (ValueAndGrad, ValueAndGrads,"
                    + " ValueAndTangent, ValuesAndTangents)");
      }
    }

    private static IllegalStateException nullResult(String name) {
      return new IllegalStateException(
          name + ": the function returned null (or a null tensor); return tensors");
    }
  }

  private record Leaf() implements Results {
    @Override
    public Object build(Tensor[] leaves, int[] next) {
      return leaves[next[0]++];
    }
  }

  private record Array(int n) implements Results {
    @Override
    public Object build(Tensor[] leaves, int[] next) {
      Tensor[] a = new Tensor[n];
      for (int i = 0; i < n; i++) {
        a[i] = leaves[next[0]++];
      }
      return a;
    }
  }

  private record Listed(List<Results> parts) implements Results {
    @Override
    public Object build(Tensor[] leaves, int[] next) {
      List<Object> l = new ArrayList<>();
      for (Results p : parts) {
        l.add(p.build(leaves, next));
      }
      return java.util.Collections.unmodifiableList(l);
    }
  }

  private record Record(List<Results> parts, int kind) implements Results {
    @Override
    public Object build(Tensor[] leaves, int[] next) {
      Object a = parts.get(0).build(leaves, next);
      Object b = parts.get(1).build(leaves, next);
      return switch (kind) {
        case 0 -> new Autograd.ValueAndGrad((Tensor) a, (Tensor) b);
        case 1 -> new Autograd.ValueAndGrads((Tensor) a, (Tensor[]) b);
        case 2 -> new Autograd.ValueAndTangent((Tensor) a, (Tensor) b);
        default -> new Autograd.ValuesAndTangents((Tensor[]) a, (Tensor[]) b);
      };
    }
  }

  /** The function's name, plans cached and traces so far. */
  @Override
  public String toString() {
    return name + "(" + cacheSize() + " plans, traced " + traceCount() + " times)";
  }
}
