package nabla;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import nabla.ops.Primitive;
import nabla.storage.BufferPool;
import nabla.storage.Storage;

/**
 * {@link Autograd#vmap}: maps a function over one dimension of its arguments (JAX's {@code vmap},
 * torch.func's), running it once on the whole batch through the primitives' batching rules ({@link
 * Primitive#batch}).
 *
 * <p>How: trace, then batch. The function runs on example 0 and on example 1 with a {@link Trace}
 * active, which records the primitives each run applies. If the two records agree (same primitives,
 * same shapes; every tensor that came from outside the primitives is the same object, or equal in
 * value, or an exact alias such as a {@code detach()} of a traced value) and neither read a traced
 * value, drew random numbers or wrote in place, the record is replayed once on the batched
 * arguments: each step through its primitive's batching rule, the batch dimension always first
 * (moving it is a strided view, free). A primitive without a rule (a {@link CustomFunction}) is run
 * once per example for that step only and its results stacked, with a one-time note naming it. Rows
 * 0 and 1 of the batched result are then compared with the two traced results; a difference beyond
 * rounding means the record missed something, and vmap falls back to the loop, noting why.
 *
 * <p>Otherwise vmap runs the function once per example and stacks the results (the loop, reusing
 * the two traced results): exact for every function, random sampling included. Under vmap, random
 * numbers are therefore drawn per example, in order, from the thread's generator, exactly as the
 * loop draws them (a function that samples is never batched).
 *
 * <p>Composition: replayed steps go through {@link Engine#apply}, so they are recorded for reverse
 * mode and carry forward-mode tangents; {@code grad} and {@code jvp} of a vmapped function work,
 * {@code vmap(grad(f))} batches the backward pass too (the VJP rules are primitives as well), and
 * {@code vmap(vmap(f))} replays the inner batched program in the outer trace.
 */
final class Vmap {
  private Vmap() {}

  private static final System.Logger LOG = System.getLogger("nabla.Autograd");

  /** f mapped over dimension inAxis of its argument; results stacked at outAxis. */
  static Function<Tensor, Tensor> vmap(Function<Tensor, Tensor> f, int inAxis, int outAxis) {
    Checks.nonNull("vmap", "f", f);
    return x ->
        map(
            a -> new Tensor[] {f.apply(a[0])},
            new Tensor[] {x},
            new Integer[] {inAxis},
            outAxis,
            Long.MAX_VALUE,
            false)[0];
  }

  /**
   * f mapped over dimension inAxes[i] of argument i (null: that argument is not mapped, every call
   * sees it whole).
   */
  static Autograd.MultiFunction vmap(Autograd.MultiFunction f, Integer[] inAxes, int outAxis) {
    Checks.nonNull("vmap", "f", f);
    Checks.nonNull("vmap", "inAxes", inAxes);
    Integer[] axes = inAxes.clone();
    return args ->
        map(a -> new Tensor[] {f.apply(a)}, args, axes, outAxis, Long.MAX_VALUE, false)[0];
  }

  /**
   * f (several results) mapped over dimension inAxes[i] of argument i; each result stacked at
   * outAxis.
   */
  static Autograd.MultiOutputFunction vmapOutputs(
      Autograd.MultiOutputFunction f, Integer[] inAxes, int outAxis) {
    Checks.nonNull("vmapOutputs", "f", f);
    Checks.nonNull("vmapOutputs", "inAxes", inAxes);
    Integer[] axes = inAxes.clone();
    return args -> map(f, args, axes, outAxis, Long.MAX_VALUE, false);
  }

  /**
   * {@link #map} for the Jacobians: the batch is replayed in chunks of rows such that no value of
   * the program holds more than {@code maxElements} elements (rows × the largest value of one
   * example), which bounds the memory of a Jacobian with many rows. The function is one of Nabla's
   * own (a VJP or JVP over an existing graph), so the record of example 0 is trusted without a
   * second one to compare with; value reads, random draws and in-place writes still make it fall
   * back, and row 0 is still checked.
   */
  static Tensor mapInChunks(Function<Tensor, Tensor> f, Tensor x, long maxElements) {
    return map(
        a -> new Tensor[] {f.apply(a[0])},
        new Tensor[] {x},
        new Integer[] {0},
        0,
        maxElements,
        true)[0];
  }

  private static Tensor[] map(
      Autograd.MultiOutputFunction f,
      Tensor[] args,
      Integer[] inAxes,
      int outAxis,
      long maxElements,
      boolean trusted) {
    Checks.noNulls("vmap", "args", args);
    if (inAxes.length != args.length) {
      throw new IllegalArgumentException(
          "vmap: "
              + inAxes.length
              + " input axes for "
              + args.length
              + " arguments; give one per argument (null for an argument that is not mapped)");
    }
    int size = -1;
    int[] axis = new int[args.length];
    for (int i = 0; i < args.length; i++) {
      if (inAxes[i] == null) {
        axis[i] = -1;
        continue;
      }
      if (args[i].dim() == 0) {
        throw new IllegalArgumentException(
            "vmap: argument " + i + " is 0-d and has no dimension to map; pass null as its axis");
      }
      axis[i] = nabla.storage.Shapes.axis("vmap", inAxes[i], args[i].dim());
      int n = args[i].shape[axis[i]];
      if (size >= 0 && n != size) {
        throw new IllegalArgumentException(
            "vmap: the mapped dimensions differ in size: argument "
                + i
                + " has "
                + n
                + " along dimension "
                + axis[i]
                + ", an earlier argument "
                + size
                + "; all mapped arguments need the same size (shapes "
                + Arrays.toString(Arrays.stream(args).map(Tensor::shapeString).toArray())
                + ")");
      }
      size = n;
    }
    if (size < 0) {
      throw new IllegalArgumentException(
          "vmap: no argument is mapped (every input axis is null); map at least one");
    }
    if (size == 0) {
      throw new IllegalArgumentException(
          "vmap: the mapped dimension has size 0, so the shape of the results is unknown");
    }
    boolean[] varying = new boolean[args.length];
    for (int i = 0; i < args.length; i++) {
      varying[i] = axis[i] >= 0;
    }
    Tensor[] first = slices(args, axis, 0);
    Trace t0 = Trace.run(first, varying, () -> returned(f.apply(first)));
    List<Tensor[]> results = new ArrayList<>();
    results.add(t0.outputs());
    String why = null;
    Tensor[] batched = null;
    if (size > 1) {
      Trace t1;
      if (trusted) {
        t1 = t0;
      } else {
        Tensor[] second = slices(args, axis, 1);
        t1 = Trace.run(second, varying, () -> returned(f.apply(second)));
        checkSameShapes(t1.outputs(), 1, t0.outputs());
        results.add(t1.outputs());
      }
      why = t0.unusable() != null ? t0.unusable() : t1.unusable();
      if (why == null) {
        Program program = new Program(t0, t1, trusted);
        why = program.problem;
        if (why == null) {
          Tensor[] replayArgs = new Tensor[args.length];
          for (int i = 0; i < args.length; i++) {
            replayArgs[i] = axis[i] < 0 ? args[i] : args[i].movedim(axis[i], 0);
          }
          int chunk = (int) Math.max(1, Math.min(size, maxElements / program.widest()));
          List<Tensor[]> parts = new ArrayList<>();
          for (int start = 0; start < size && why == null; start += chunk) {
            int count = Math.min(chunk, size - start);
            Tensor[] part = replayArgs.clone();
            for (int i = 0; i < args.length; i++) {
              if (axis[i] >= 0 && count < size) {
                part[i] = replayArgs[i].narrow(0, start, count);
              }
            }
            Tensor[] r;
            try {
              r = program.replay(first, part, axis, count);
              why = program.problem;
            } catch (RuntimeException e) {
              // f ran on examples 0 and 1, so this is a batching rule's failure, not the user's
              r = null;
              why = "the batched replay failed: " + e;
              LOG.log(System.Logger.Level.WARNING, "vmap: " + why + "; ran the loop instead", e);
            }
            if (r != null && why == null && start == 0) {
              Tensor[] second = trusted ? null : t1.outputs();
              why = Trace.paused(() -> rowsDiffer(program.result, t0.outputs(), second));
              if (why != null) {
                LOG.log(
                    System.Logger.Level.WARNING,
                    "vmap: the batched result differs from the function's own result ("
                        + why
                        + "); ran the loop instead. Please report this with the function.");
              }
            }
            parts.add(r);
          }
          if (why == null) {
            batched = parts.size() == 1 ? parts.get(0) : catChunks(parts);
          }
        }
      }
    } else {
      why = "a batch of one example";
    }
    PLAN.set(batched != null ? program(batched) : "loop: " + why);
    Tensor[] ys;
    if (batched != null) {
      ys = batched;
    } else {
      note("loop: " + why, "vmap: ran the function once per example (" + why + ")");
      for (int b = results.size(); b < size; b++) {
        Tensor[] slice = slices(args, axis, b);
        Tensor[] r = returned(f.apply(slice));
        checkSameShapes(r, b, results.get(0));
        results.add(r);
      }
      ys = new Tensor[results.get(0).length];
      for (int k = 0; k < ys.length; k++) {
        Tensor[] rows = new Tensor[size];
        for (int b = 0; b < size; b++) {
          rows[b] = results.get(b)[k];
        }
        ys[k] = Tensor.stack(0, rows);
      }
    }
    for (int k = 0; k < ys.length; k++) {
      int out = nabla.storage.Shapes.newAxis("vmap", outAxis, ys[k].dim() - 1);
      ys[k] = out == 0 ? ys[k] : ys[k].movedim(0, out);
    }
    return ys;
  }

  /** The function's results, checked (a non-empty array without nulls). */
  private static Tensor[] returned(Tensor[] ys) {
    if (ys == null || ys.length == 0) {
      throw new IllegalStateException(
          "vmap: the function returned " + (ys == null ? "null" : "no tensor") + "; return one");
    }
    for (Tensor y : ys) {
      Autograd.returned("vmap", y);
    }
    return ys;
  }

  /** The chunks' results concatenated along the batch dimension, result by result. */
  private static Tensor[] catChunks(List<Tensor[]> parts) {
    Tensor[] ys = new Tensor[parts.get(0).length];
    for (int k = 0; k < ys.length; k++) {
      Tensor[] pieces = new Tensor[parts.size()];
      for (int c = 0; c < pieces.length; c++) {
        pieces[c] = parts.get(c)[k];
      }
      ys[k] = Tensor.cat(0, pieces);
    }
    return ys;
  }

  private static final ThreadLocal<String> PLAN = new ThreadLocal<>();
  private static final ThreadLocal<List<String>> LOOPED_STEPS = new ThreadLocal<>();

  private static String program(Tensor[] batched) {
    List<String> looped = LOOPED_STEPS.get();
    LOOPED_STEPS.remove();
    return looped == null || looped.isEmpty() ? "batched" : "batched; looped steps: " + looped;
  }

  /**
   * How the last vmap call on this thread ran: {@code "batched"}, {@code "batched; looped steps:
   * [...]"} (primitives without a batching rule, run per example) or {@code "loop: <reason>"}.
   */
  static String lastPlan() {
    return PLAN.get();
  }

  private static final Set<String> NOTED = ConcurrentHashMap.newKeySet();

  /** Logs a message once per key (logger {@code nabla.Autograd}). */
  private static void note(String key, String message) {
    if (NOTED.size() < 1000 && NOTED.add(key)) {
      LOG.log(System.Logger.Level.DEBUG, message);
    }
  }

  private static int[] withBatch(int n, int[] shape) {
    int[] r = new int[shape.length + 1];
    r[0] = n;
    System.arraycopy(shape, 0, r, 1, shape.length);
    return r;
  }

  private static Tensor[] slices(Tensor[] args, int[] axis, int b) {
    Tensor[] slice = new Tensor[args.length];
    for (int i = 0; i < args.length; i++) {
      slice[i] = axis[i] < 0 ? args[i] : args[i].narrow(axis[i], b, 1).squeeze(axis[i]);
    }
    return slice;
  }

  private static void checkSameShapes(Tensor[] r, int b, Tensor[] first) {
    if (r.length != first.length) {
      throw new IllegalStateException(
          "vmap: the function returned "
              + r.length
              + " tensors for example "
              + b
              + " but "
              + first.length
              + " for example 0; a mapped function must return as many for every example");
    }
    for (int k = 0; k < r.length; k++) {
      if (!Arrays.equals(r[k].shape, first[k].shape)) {
        throw new IllegalStateException(
            "vmap: the function returned shape "
                + r[k].shapeString()
                + (r.length > 1 ? " (result " + k + ")" : "")
                + " for example "
                + b
                + " but "
                + first[k].shapeString()
                + " for example 0; a mapped function must return one shape");
      }
    }
  }

  /**
   * Null when rows 0 and 1 of the batched result match the traced results (bit for bit for integer
   * and bool results, within a few units of rounding relative to the row's largest magnitude for
   * floating point: batched kernels may sum in another order), else what differs.
   */
  private static String rowsDiffer(Tensor[] ys, Tensor[] r0, Tensor[] r1) {
    for (int k = 0; k < ys.length; k++) {
      String d = rowsDiffer(ys[k], r0[k], r1 == null ? null : r1[k]);
      if (d != null) {
        return (ys.length > 1 ? "result " + k + ", " : "") + d;
      }
    }
    return null;
  }

  private static String rowsDiffer(Tensor y, Tensor r0, Tensor r1) {
    try (var g = Autograd.noGrad()) {
      for (int b = 0; b < Math.min(r1 == null ? 1 : 2, y.shape[0]); b++) {
        Tensor expected = b == 0 ? r0 : r1;
        Tensor row = y.get(b);
        if (row.dtype() != expected.dtype() || !Arrays.equals(row.shape, expected.shape)) {
          return "row " + b + " has shape " + row.shapeString() + " " + row.dtype();
        }
        double[] got = row.toDoubleArray();
        double[] want = expected.toDoubleArray();
        double scale = 0;
        for (double w : want) {
          if (Double.isFinite(w)) {
            scale = Math.max(scale, Math.abs(w));
          }
        }
        double tol =
            !row.dtype().isFloating()
                ? 0
                : (row.dtype() == DType.FLOAT64 ? 1e-11 : 2e-5) * Math.max(scale, 1e-30);
        for (int i = 0; i < got.length; i++) {
          boolean same =
              Double.compare(got[i], want[i]) == 0
                  || (Double.isNaN(got[i]) && Double.isNaN(want[i]))
                  || (Double.isFinite(want[i]) && Math.abs(got[i] - want[i]) <= tol);
          if (!same) {
            return "row " + b + " element " + i + ": " + got[i] + " instead of " + want[i];
          }
        }
      }
      return null;
    }
  }

  /** A reference to what a step reads: a value of the trace, a detached one, or a constant. */
  private record Ref(int value, boolean detached, Tensor constant) {}

  /** The record of example 0 checked against that of example 1, ready to replay on the batch. */
  private static final class Program {
    final Trace trace;
    final Ref[][] inputs;
    Ref[] outputs;
    String problem;
    Tensor[] result;

    /** Whether the record of example 0 is trusted alone (t1 is t0: vmap's internal callers). */
    final boolean trusted;

    Program(Trace t0, Trace t1, boolean trusted) {
      this.trace = t0;
      this.trusted = trusted;
      List<Trace.Step> s0 = t0.steps();
      List<Trace.Step> s1 = t1.steps();
      inputs = new Ref[s0.size()][];
      if (s0.size() != s1.size()) {
        problem =
            "the function applied "
                + s0.size()
                + " primitives for example 0 and "
                + s1.size()
                + " for example 1 (a Java branch on values?)";
        return;
      }
      for (int k = 0; k < s0.size() && problem == null; k++) {
        Trace.Step a = s0.get(k);
        Trace.Step b = s1.get(k);
        if (!trusted // one record compared with itself
            && (a.primitive().getClass() != b.primitive().getClass()
                || a.primitive().kind() != b.primitive().kind()
                || a.inputs().length != b.inputs().length
                || a.grad() != b.grad()
                || a.output().dtype() != b.output().dtype()
                || !nabla.storage.Shapes.same(a.output().shape, b.output().shape)
                || a.outId() != b.outId())) {
          problem =
              "step "
                  + k
                  + " differs between examples 0 and 1 ("
                  + a.primitive()
                  + " "
                  + a.output().shapeString()
                  + " vs "
                  + b.primitive()
                  + " "
                  + b.output().shapeString()
                  + ")";
          return;
        }
        inputs[k] = new Ref[a.inputs().length];
        for (int i = 0; i < a.inputs().length && problem == null; i++) {
          inputs[k][i] =
              ref(
                  t0,
                  t1,
                  a.inputs()[i],
                  b.inputs()[i],
                  a.refs()[i],
                  b.refs()[i],
                  a.aliases()[i],
                  b.aliases()[i]);
        }
      }
      Tensor[] o0 = t0.outputs();
      Tensor[] o1 = t1.outputs();
      outputs = new Ref[o0.length];
      for (int k = 0; k < o0.length && problem == null; k++) {
        int r0 = t0.id(o0[k]);
        int r1 = t1.id(o1[k]);
        // a result that is no value of the trace: what it aliases, as for a step's inputs
        int a0 = r0 >= 0 ? r0 : t0.aliasOf(o0[k]);
        int a1 = r1 >= 0 ? r1 : t1.aliasOf(o1[k]);
        outputs[k] = ref(t0, t1, o0[k], o1[k], r0, r1, a0, a1);
      }
    }

    /**
     * How a step (or the program's result) reads a tensor: c0 in the record of example 0, c1 in
     * that of example 1, their value numbers r0, r1 (-1: none), and for a tensor without one, what
     * {@link Trace#aliasOf} said of it (a0, a1; as the trace recorded it when the step was applied,
     * so an alias can only be an earlier value).
     */
    private Ref ref(Trace t0, Trace t1, Tensor c0, Tensor c1, int r0, int r1, int a0, int a1) {
      if (r0 >= 0 || r1 >= 0) {
        if (r0 != r1) {
          problem = "a step reads different values for examples 0 and 1";
        }
        return new Ref(r0, false, null);
      }
      if (trusted) {
        if (a0 == -2) {
          problem = "a view of a traced value was made outside the primitives";
        }
        return a0 >= 0 ? new Ref(a0, true, null) : new Ref(-1, false, c0);
      }
      if (c0 == c1) {
        return new Ref(-1, false, c0); // from outside the function (a captured weight)
      }
      if (a0 >= 0 && a0 == a1) {
        return new Ref(a0, true, null);
      }
      if (a0 == -1 && a1 == -1 && sameValues(c0, c1)) {
        return new Ref(-1, false, c0); // made inside, the same for both (zeros, ones, eye)
      }
      problem =
          "a tensor made outside the primitives (shape "
              + c0.shapeString()
              + ") differs between examples 0 and 1: it depends on the values in a way the"
              + " trace cannot see";
      return null;
    }

    private static boolean sameValues(Tensor a, Tensor b) {
      if (a.dtype() != b.dtype() || !Arrays.equals(a.shape, b.shape)) {
        return false;
      }
      return Trace.paused(
          () -> {
            double[] x = a.detach().toDoubleArray();
            double[] y = b.detach().toDoubleArray();
            for (int i = 0; i < x.length; i++) {
              if (Double.doubleToLongBits(x[i]) != Double.doubleToLongBits(y[i])) {
                return false;
              }
            }
            return true;
          });
    }

    /**
     * Runs the recorded steps on the batch: batched arguments have the batch dimension first. Steps
     * that read no batched value are not run again (the trace of example 0 computed them). Returns
     * null (with {@link #problem} set) when a rule's result has the wrong shape.
     */
    Tensor[] replay(Tensor[] traceArgs, Tensor[] args, int[] axis, int n) {
      Tensor[] values = new Tensor[trace.valueCount()];
      boolean[] isBatched = new boolean[values.length];
      for (int i = 0; i < args.length; i++) {
        int id = trace.id(traceArgs[i]);
        values[id] = args[i];
        isBatched[id] = axis[i] >= 0;
      }
      GradMode.State s = GradMode.state();
      boolean previous = s.enabled;
      List<Trace.Step> steps = trace.steps();
      List<String> looped = new ArrayList<>();
      // Nodes recorded by the replay serve only a caller that differentiates through this vmap
      // with respect to an argument or a captured tensor: the function's own backward passes
      // (grad inside vmap) were traced and are replayed as steps. With nothing outside requiring
      // grad, the replay records nothing (and so can give its buffers back).
      boolean record = false;
      for (Tensor a : args) {
        record |= a.requiresGrad();
      }
      for (Ref[] refs : inputs) {
        for (Ref r : refs) {
          record |= r.constant() != null && r.constant().requiresGrad();
        }
      }
      Buffers buffers =
          BufferPool.enabled() && !s.forwardActive() && !Trace.anyActive()
              ? new Buffers(lastUses(values.length))
              : null;
      Map<Storage, int[]> outerWatch = BufferPool.watch(null);
      try {
        for (int k = 0; k < steps.size(); k++) {
          Trace.Step step = steps.get(k);
          int id = step.outId();
          Tensor[] in = new Tensor[inputs[k].length];
          boolean[] flags = new boolean[in.length];
          boolean any = false;
          for (int i = 0; i < in.length; i++) {
            Ref r = inputs[k][i];
            if (r.constant() != null) {
              in[i] = r.constant();
            } else {
              in[i] = r.detached() ? values[r.value()].detach() : values[r.value()];
              flags[i] = isBatched[r.value()];
            }
            any |= flags[i];
          }
          if (!any) {
            values[id] = step.output();
            continue;
          }
          s.enabled = record && step.grad();
          Primitive p = step.primitive();
          // buffers made by a rule are the replay's own; not those made by user code
          BufferPool.watch(buffers != null && !p.runsUserCode() ? buffers.owned.counts : null);
          Tensor out;
          try {
            out = p.batch(in, flags);
          } finally {
            BufferPool.watch(null);
          }
          if (out == null) {
            out = loopStep(p, in, flags, n);
            String name = stepName(p);
            looped.add(name);
            note(
                "step " + name,
                "vmap: " + name + " has no batching rule; it runs once per example");
          }
          int[] expected = withBatch(n, step.output().shape);
          if (!nabla.storage.Shapes.same(out.shape, expected)
              || out.dtype() != step.output().dtype()) {
            problem =
                "the batching rule of "
                    + p
                    + " returned "
                    + out.shapeString()
                    + " "
                    + out.dtype()
                    + " instead of "
                    + Arrays.toString(expected)
                    + " "
                    + step.output().dtype();
            LOG.log(System.Logger.Level.WARNING, "vmap: " + problem + "; ran the loop instead");
            return null;
          }
          values[id] = out;
          isBatched[id] = true;
          if (buffers != null) {
            if (out.requiresGrad() || AutogradMeta.tangents(out) != null) {
              buffers = null; // recorded for reverse or forward mode: a node may keep any value
            } else {
              buffers.made(values, id, k);
              buffers.read(values, inputs[k], k);
            }
          }
        }
      } finally {
        s.enabled = previous;
        BufferPool.watch(outerWatch);
      }
      LOOPED_STEPS.set(looped);
      result = new Tensor[outputs.length];
      for (int k = 0; k < outputs.length; k++) {
        Ref output = outputs[k];
        Tensor y;
        if (output.constant() != null) {
          y = output.constant();
        } else {
          y = output.detached() ? values[output.value()].detach() : values[output.value()];
          if (isBatched[output.value()]) {
            result[k] = y;
            continue;
          }
        }
        // the same for every example: a stacked copy, as the loop gives
        result[k] = y.unsqueeze(0).expand(withBatch(n, y.shape)).contiguous();
      }
      return result;
    }

    /**
     * For each value, the last step that reads it (-1: none); values the program returns are read
     * "after" the last step, so they are never given back.
     */
    private int[] lastUses(int count) {
      int[] last = new int[count];
      Arrays.fill(last, -1);
      for (int k = 0; k < inputs.length; k++) {
        for (Ref r : inputs[k]) {
          if (r.constant() == null) {
            last[r.value()] = k;
          }
        }
      }
      for (Ref r : outputs) {
        if (r.constant() == null) {
          last[r.value()] = Integer.MAX_VALUE;
        }
      }
      return last;
    }

    /**
     * The replay's own large buffers, given back to {@link BufferPool} once no later step reads
     * them, with the engine's bookkeeping ({@link Engine.Owned}: the storages that the batching
     * rules allocated during this replay, each with the number of the program's values over it that
     * are still to be read; a view counts for its storage). A storage goes back when that number
     * falls to zero; one the program returns, or that a value still to be read shares, never does;
     * nor does anything when a step records a graph node or carries a tangent (the replay then
     * keeps every value, since a node may have saved any of them).
     */
    private static final class Buffers {
      final Engine.Owned owned = new Engine.Owned();
      final int[] lastUse;
      final boolean[] dropped;

      Buffers(int[] lastUse) {
        this.lastUse = lastUse;
        this.dropped = new boolean[lastUse.length];
      }

      /** Step k made value id: count it on its storage, or let it go now if nothing reads it. */
      void made(Tensor[] values, int id, int k) {
        owned.hold(values[id]);
        if (lastUse[id] <= k) {
          drop(values, id);
        }
      }

      /** Step k read these values: those it read last are done. */
      void read(Tensor[] values, Ref[] refs, int k) {
        for (Ref r : refs) {
          if (r.constant() == null && lastUse[r.value()] == k && values[r.value()] != null) {
            drop(values, r.value());
          }
        }
      }

      private void drop(Tensor[] values, int id) {
        if (!dropped[id]) { // a value its last step reads twice is done once
          dropped[id] = true;
          owned.release(values[id]);
        }
      }
    }

    /** The most elements a value of one example holds (at least 1). */
    long widest() {
      long w = 1;
      for (int i = 0; i < trace.valueCount(); i++) {
        w = Math.max(w, trace.value(i).numel());
      }
      return w;
    }

    /** A step's name for notes: a custom function's own name (Cube), else the row's (Argmax). */
    private static String stepName(Primitive p) {
      String g = p.gradFnName();
      return g.endsWith("Backward") ? g.substring(0, g.length() - "Backward".length()) : g;
    }

    /** One step without a batching rule: once per example, results stacked. */
    private static Tensor loopStep(Primitive p, Tensor[] in, boolean[] flags, int n) {
      Tensor[] rows = new Tensor[n];
      for (int b = 0; b < n; b++) {
        Tensor[] slice = in.clone();
        for (int i = 0; i < in.length; i++) {
          if (flags[i]) {
            slice[i] = in[i].get(b);
          }
        }
        rows[b] = Engine.apply(p, slice);
      }
      return Tensor.stack(0, rows);
    }
  }
}
