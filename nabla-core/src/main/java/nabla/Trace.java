package nabla;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import nabla.ops.Primitive;
import nabla.storage.Storage;

/**
 * A record of the primitives that one run of a function applies: the program of that run, as JAX's
 * tracers record a jaxpr. {@link Engine#apply} is the one place primitives are applied, and while a
 * trace is active on the current thread it reports every application there: the primitive (an
 * instance carrying its parameters), its input tensors, its output, and whether gradient recording
 * was on. Each input is then either an argument of the run, the output of an earlier step, or a
 * constant from outside (a captured weight, a freshly created {@code ones}, ...).
 *
 * <p>What the record cannot see is flagged instead of silently missed: reading the value of a
 * traced tensor ({@code item}, {@code toDoubleArray}, printing, sorting's Java-side comparisons,
 * ...), drawing random numbers, and writing in place make the trace {@linkplain #unusable()
 * unusable} with the reason; a consumer (vmap today, compile later) must then run the function as
 * is. Operations inside a primitive's own forward are not recorded (the step is the primitive), nor
 * are the tangent computations of forward-mode levels that were already active when the trace
 * started (re-running the steps recomputes them); tangents of levels opened inside the trace are
 * recorded, since nothing else would recompute them.
 *
 * <p>Traces nest (a vmap inside a vmap): every active trace on the thread records each step.
 *
 * <pre>{@code
 * Trace t = Trace.run(new Tensor[] {x}, new boolean[] {true}, () -> new Tensor[] {x.mul(2).sum()});
 * t.steps();      // [Mul, Sum]
 * t.unusable();   // null: nothing was read or drawn
 * }</pre>
 */
final class Trace {
  /** Number of traces active on any thread; the hooks return at once while it is 0. */
  private static volatile int activeCount;

  private static final ThreadLocal<Trace> CURRENT = new ThreadLocal<>();

  /**
   * One primitive application. {@code inputs[i]} is the tensor the primitive received, {@code
   * refs[i]} its value number in this trace ({@code -1}: no value of this trace), and for an input
   * without a number {@code aliases[i]} what {@link #aliasOf} said of it when the step was recorded
   * (an exact alias among the values defined before the step, such as a {@code detach()}; -2 for
   * another view of traced data; -1 for a constant from outside); {@code outId} is the output's
   * value number (what {@link #id} says of it, without a lookup).
   */
  record Step(
      Primitive primitive,
      Tensor[] inputs,
      int[] refs,
      int[] aliases,
      Tensor output,
      int outId,
      boolean grad) {}

  private final Trace parent;
  private final List<Step> steps = new ArrayList<>();
  private final Map<Tensor, Integer> ids = new IdentityHashMap<>();
  private final List<Tensor> values = new ArrayList<>();

  /** Which values depend on the arguments (not only on constants). */
  private final java.util.BitSet dependent = new java.util.BitSet();

  /** The storages of the values that depend on the arguments. */
  private final Set<Storage> storages = Collections.newSetFromMap(new IdentityHashMap<>());

  private final int[] outerLevels;

  /** For compile: the transform's name; a read, a draw or a write then throws instead. */
  private String strict;

  private int paused;
  private String unusable;
  private Tensor[] outputs;

  private Trace(Trace parent, Tensor[] args, boolean[] varying, int[] outerLevels) {
    this.parent = parent;
    this.outerLevels = outerLevels;
    for (int i = 0; i < args.length; i++) {
      define(args[i], varying[i]);
    }
  }

  /**
   * Runs {@code body} with a new trace active whose arguments are {@code args}, and returns the
   * trace with the body's results as {@link #outputs()}. Exceptions of the body pass through. Only
   * the data of arguments marked {@code varying} (and of what is computed from them) counts as
   * traced: reading the others' values is harmless.
   */
  static Trace run(Tensor[] args, boolean[] varying, Supplier<Tensor[]> body) {
    return run(args, varying, null, body);
  }

  /**
   * {@link #run(Tensor[], boolean[], Supplier)} for a consumer that cannot run the function as is
   * ({@code strict} names it, e.g. "compile"): what would make the trace unusable throws a {@link
   * TracingException} in the function instead.
   */
  static Trace run(Tensor[] args, boolean[] varying, String strict, Supplier<Tensor[]> body) {
    GradMode.State s = GradMode.state();
    int[] outer = java.util.Arrays.copyOf(s.active, s.activeCount);
    Trace t = new Trace(CURRENT.get(), args, varying, outer);
    t.strict = strict;
    CURRENT.set(t);
    changeActive(1);
    try {
      t.outputs = body.get();
    } finally {
      changeActive(-1);
      CURRENT.set(t.parent);
    }
    return t;
  }

  /** Whether a compile trace (one that refuses value reads) records on this thread now. */
  static boolean compiling() {
    if (activeCount == 0) {
      return false;
    }
    for (Trace t = CURRENT.get(); t != null; t = t.parent) {
      if (t.strict != null && t.paused == 0) {
        return true;
      }
    }
    return false;
  }

  /** Whether any trace is active on any thread (a cheap first test). */
  static boolean anyActive() {
    return activeCount > 0 && CURRENT.get() != null;
  }

  private static synchronized void changeActive(int by) {
    activeCount += by;
  }

  private int define(Tensor t, boolean dependsOnArgs) {
    int id = values.size();
    Integer old = ids.putIfAbsent(t, id); // one lookup: outputs are almost always new
    if (old != null) {
      return old;
    }
    values.add(t);
    if (dependsOnArgs) {
      dependent.set(id);
      storages.add(t.storage);
    }
    return id;
  }

  // ---------------------------------------------------------------- hooks (called by the engine)

  /** Engine.apply: a primitive was applied at user level (not inside another's forward). */
  static void recordApplication(Primitive p, Tensor[] inputs, Tensor out, boolean grad) {
    if (activeCount == 0) {
      return;
    }
    for (Trace t = CURRENT.get(); t != null; t = t.parent) {
      if (t.paused == 0) {
        t.add(p, inputs, out, grad);
      }
    }
  }

  private void add(Primitive p, Tensor[] inputs, Tensor out, boolean grad) {
    int[] refs = new int[inputs.length];
    int[] aliases = new int[inputs.length];
    boolean dependsOnArgs = false;
    for (int i = 0; i < inputs.length; i++) {
      Integer id = ids.get(inputs[i]);
      refs[i] = id == null ? -1 : id;
      aliases[i] = id == null ? aliasOf(inputs[i]) : id;
      // a detach() (or another view) of traced data depends on the arguments as much as the data
      dependsOnArgs |= id != null ? dependent.get(id) : aliases[i] != -1;
    }
    int outId = define(out, dependsOnArgs);
    steps.add(new Step(p, inputs.clone(), refs, aliases, out, outId, grad));
  }

  /**
   * Engine.propagateTangents: the tangent rules of {@code level} are about to run. Pauses every
   * trace that started inside that level (replaying its steps recomputes those tangents). Returns
   * which traces were paused, for {@link #exitTangent}.
   */
  static long enterTangent(int level) {
    if (activeCount == 0) {
      return 0;
    }
    long mask = 0;
    int i = 0;
    for (Trace t = CURRENT.get(); t != null && i < 64; t = t.parent, i++) {
      for (int l : t.outerLevels) {
        if (l == level) {
          t.paused++;
          mask |= 1L << i;
          break;
        }
      }
    }
    return mask;
  }

  /** Undoes {@link #enterTangent}. */
  static void exitTangent(long mask) {
    if (mask == 0) {
      return;
    }
    int i = 0;
    for (Trace t = CURRENT.get(); t != null && i < 64; t = t.parent, i++) {
      if ((mask & (1L << i)) != 0) {
        t.paused--;
      }
    }
  }

  /**
   * A value was read on the Java side ({@code what} names how): makes every active trace that
   * traced this tensor's data unusable. Reads inside a primitive's forward are the primitive's own
   * business and do not count.
   */
  static void valueRead(Tensor t, String what) {
    if (activeCount == 0 || GradMode.state().suspended > 0) {
      return;
    }
    for (Trace tr = CURRENT.get(); tr != null; tr = tr.parent) {
      if (tr.paused == 0 && tr.storages.contains(t.storage)) {
        tr.markUnusable(
            what + " read the value of a traced tensor",
            what
                + " read the value of a tensor computed from the arguments (shape "
                + nabla.storage.Shapes.str(t.shape)
                + " "
                + t.dtype()
                + ") while tracing: a compiled function runs later without Java seeing values, so"
                + " Java code (an if, a loop bound, a printout) cannot depend on them. Compute"
                + " with tensors instead (Tensor.where(cond, a, b) for a choice, masks for a"
                + " loop), or call the function without compile");
      }
    }
  }

  /** Random numbers were drawn: the run's result depends on more than its arguments. */
  static void randomDraw(String what) {
    if (activeCount == 0) {
      return;
    }
    for (Trace tr = CURRENT.get(); tr != null; tr = tr.parent) {
      if (tr.paused == 0) {
        tr.markUnusable(
            what + " drew random numbers",
            what
                + " drew random numbers while tracing: a compiled function would replay the same"
                + " draws on every call. Draw outside and pass the noise (or a mask) as an"
                + " argument, or call the function without compile");
      }
    }
  }

  /** A storage was written in place (a side effect the steps do not hold). */
  static void inPlaceWrite(String what) {
    if (activeCount == 0 || GradMode.state().suspended > 0) {
      return;
    }
    for (Trace tr = CURRENT.get(); tr != null; tr = tr.parent) {
      if (tr.paused == 0) {
        tr.markUnusable(
            what + " wrote a tensor in place",
            what
                + " wrote a tensor in place while tracing: a compiled function must be pure."
                + " Return the new values instead (new parameters from a training step, say)"
                + " and assign them outside, or call the function without compile");
      }
    }
  }

  /**
   * Runs {@code body} with every trace of this thread paused: for the machinery of a transform
   * (vmap's own checks read values) that is not part of the traced function.
   */
  static <T> T paused(Supplier<T> body) {
    if (activeCount == 0) {
      return body.get();
    }
    Trace top = CURRENT.get();
    for (Trace t = top; t != null; t = t.parent) {
      t.paused++;
    }
    try {
      return body.get();
    } finally {
      for (Trace t = top; t != null; t = t.parent) {
        t.paused--;
      }
    }
  }

  private void markUnusable(String reason, String strictMessage) {
    if (strict != null) {
      throw new TracingException(strict + ": " + strictMessage);
    }
    if (unusable == null) {
      unusable = reason;
    }
  }

  /** Whether value number {@code id} depends on the arguments (else it is a constant). */
  boolean dependent(int id) {
    return dependent.get(id);
  }

  // ---------------------------------------------------------------- reading the record

  /** The recorded steps, in order. */
  List<Step> steps() {
    return steps;
  }

  /** Number of values: arguments, then one per step. */
  int valueCount() {
    return values.size();
  }

  /** The tensor of value number {@code id}. */
  Tensor value(int id) {
    return values.get(id);
  }

  /** The value number of a tensor of this trace, or -1. */
  int id(Tensor t) {
    Integer id = ids.get(t);
    return id == null ? -1 : id;
  }

  /**
   * For a tensor that is no value of this trace but shares storage with one: the value it is an
   * exact alias of (same storage, offset, shape and strides, e.g. a {@code detach()}), -1 if it
   * shares storage with no value, -2 if it is another view of a traced value's data.
   */
  int aliasOf(Tensor t) {
    if (!storages.contains(t.storage)) {
      return -1;
    }
    for (int i = values.size() - 1; i >= 0; i--) {
      Tensor v = values.get(i);
      if (dependent.get(i)
          && v.storage == t.storage
          && v.offset == t.offset
          && java.util.Arrays.equals(v.shape, t.shape)
          && java.util.Arrays.equals(v.strides, t.strides)) {
        return i;
      }
    }
    return -2;
  }

  /** What the traced run returned. */
  Tensor[] outputs() {
    return outputs;
  }

  /** Why the record misses part of what the run did (null when it holds all of it). */
  String unusable() {
    return unusable;
  }

  /**
   * The recorded program, one line per value (like a jaxpr): arguments, then each step as {@code vK
   * = Primitive(inputs) : shape dtype}, constants from outside as {@code const[shape]}, then the
   * outputs and, when unusable, why.
   */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    int args = values.size() - steps.size();
    for (int i = 0; i < args; i++) {
      b.append("v").append(i).append(" : ").append(describe(values.get(i))).append(" (argument)\n");
    }
    for (Step st : steps) {
      b.append("v").append(st.outId()).append(" = ").append(st.primitive()).append('(');
      for (int i = 0; i < st.inputs().length; i++) {
        b.append(i > 0 ? ", " : "");
        b.append(
            st.refs()[i] >= 0
                ? "v" + st.refs()[i]
                : "const" + nabla.storage.Shapes.str(st.inputs()[i].shape));
      }
      b.append(") : ").append(describe(st.output())).append(st.grad() ? "" : " (no grad)");
      b.append('\n');
    }
    if (outputs != null) {
      b.append("out");
      for (Tensor o : outputs) {
        int id = id(o);
        b.append(' ').append(id >= 0 ? "v" + id : "const" + nabla.storage.Shapes.str(o.shape));
      }
      b.append('\n');
    }
    if (unusable != null) {
      b.append("unusable: ").append(unusable).append('\n');
    }
    return b.toString();
  }

  private static String describe(Tensor t) {
    return nabla.storage.Shapes.str(t.shape) + " " + t.dtype();
  }
}
