package nabla;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import nabla.kernels.BinaryOp;
import nabla.kernels.Fused;
import nabla.kernels.UnaryOp;
import nabla.ops.Primitive;
import nabla.ops.Primitives;
import nabla.storage.Shapes;
import nabla.storage.Storage;

/**
 * The program {@link Autograd#compile} builds from one trace, and its two ways to run.
 *
 * <p>Built once per signature: the trace's steps are numbered values (arguments first); passes then
 * drop steps no result needs (dead-code elimination), merge steps that apply the same primitive to
 * the same inputs (common-subexpression elimination), keep the values that depend on no argument as
 * computed at trace time (constant folding; recomputed when a captured tensor they read is written
 * in place), and group chains of elementwise steps of one shape and dtype, with the full sums of
 * their values, into one {@link Fused} pass over memory (loop fusion). Values that only live inside
 * a pass never exist as arrays.
 *
 * <p>{@link #run} executes the fused plan with recording off. {@link #replay} applies the live
 * steps one by one through the engine, recording gradients and tangents as the traced run did; the
 * compiled function uses it when a result needs a graph, a tangent or an outer trace.
 *
 * <p>Immutable after construction except for the folded constants, which are refreshed under a
 * lock; every run keeps its values in its own array, so calls from several threads are safe.
 */
final class CompiledPlan {
  /** An input of a step: a value of the plan, a detached alias of one, or a tensor from outside. */
  record Ref(int value, Tensor constant, boolean detached) {
    static Ref of(int value) {
      return new Ref(value, null, false);
    }

    static Ref constant(Tensor t) {
      return new Ref(-1, t, false);
    }
  }

  /** A traced primitive application over plan values. */
  record Step(Primitive primitive, Ref[] inputs, int out, boolean grad, String describe) {}

  /** What the fused plan runs: one step, or one fused pass. */
  private sealed interface Op permits StepOp, FusedOp, EpilogueOp {}

  /**
   * A 2-D matrix product whose result feeds a fused pass without sums over the same shape: the pass
   * runs as the product's epilogue, on each tile of rows as soon as the GEMM has finished it (still
   * in the computing thread's cache), instead of as a later pass over the whole result.
   */
  private record EpilogueOp(Step matmul, FusedOp pass) implements Op {}

  private record StepOp(Step step) implements Op {}

  /**
   * A fused pass: its program; the refs of its operands; the value each instruction produces and
   * whether it is stored (else it lives in scratch blocks only); the sums it takes (slot, value,
   * shape of the result).
   */
  private record FusedOp(
      Fused.Program program,
      Ref[] operands,
      int[] instrValue,
      boolean[] stored,
      int[] sumSlot,
      int[] sumValue,
      int[][] sumShape,
      List<Step> members)
      implements Op {}

  private final int valueCount;
  private final int[] argIds;
  private final List<Step> live;
  private final List<Op> ops;
  private final Ref[] outputs;
  private final int[][] outShapes;

  /** Storages of the tensors from outside the function that the steps read (captured ones). */
  private final java.util.Set<Storage> captured =
      java.util.Collections.newSetFromMap(new IdentityHashMap<>());

  private final DType[] outTypes;
  private final String program;

  // constant folding: the values computed from constants only, and what they read from outside
  private final List<Step> foldSteps;
  private final Tensor[] external;
  private final int[] externalVersions;
  private final Tensor[] folded;
  private final boolean constantsRequireGrad;

  /**
   * With {@code -Dnabla.compile.profile=true}, every fused-plan run adds each op's wall time, and
   * {@link #plan()} prints the mean per op over the runs after the first {@value #PROFILE_WARMUP}
   * (which include the JIT's warm-up): where a compiled function spends its time.
   */
  private static final boolean PROFILE = Boolean.getBoolean("nabla.compile.profile");

  private static final int PROFILE_WARMUP = 50;

  private final java.util.concurrent.atomic.AtomicLongArray nanos;
  private final java.util.concurrent.atomic.AtomicLong runs =
      new java.util.concurrent.atomic.AtomicLong();

  // memory planning: the stored values of fused passes that no result reaches live in buffers
  // owned by the plan, assigned by liveness (a buffer serves several values in turn) and kept
  // across calls; a call takes a set of them from the pool and returns it at its end
  private final int[] bufferOf; // value -> buffer, or -1 (a fresh array each call)
  private final List<DType> bufferTypes = new ArrayList<>();
  private final List<Integer> bufferSizes = new ArrayList<>();
  private final java.util.concurrent.ConcurrentLinkedQueue<Storage[]> pool =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final java.util.concurrent.atomic.AtomicInteger pooled =
      new java.util.concurrent.atomic.AtomicInteger();

  /**
   * Elements below which a group of elementwise steps runs step by step instead of as a fused pass
   * (-Dnabla.compile.minFusedElements=N): such data stays in L1 between steps, so fusion saves no
   * memory traffic, only per-step dispatch, which costs less than setting up a pass.
   */
  /** Whether passes may run as matmul epilogues ({@code -Dnabla.compile.epilogues=false}: no). */
  private static final boolean EPILOGUES =
      !"false".equals(System.getProperty("nabla.compile.epilogues"));

  static final int DEFAULT_MIN_FUSED_ELEMENTS =
      Integer.getInteger("nabla.compile.minFusedElements", 4096);

  /**
   * The threshold plans are built with (tests lower it to fuse their small tensors). Measured on a
   * Zen 5 for a five-step chain: the pass wins from 16,384 elements (1.4×), ties at 1,024–4,096,
   * and costs 20–50 % more below (its setup is ~0.1 µs); 4,096 float32 are 16 KiB, inside every L1
   * data cache.
   */
  static volatile int minFusedElements = DEFAULT_MIN_FUSED_ELEMENTS;

  /** Buffer sets kept for later calls (more calls at once allocate their own). */
  private static final int MAX_POOLED_SETS = 4;

  private final int fusedPasses;
  private int epilogues;
  private final int removedByCse;
  private final int removedAsDead;
  private int removedAsOne;

  /** Builds the plan of a trace whose arguments are {@code args} and results {@code outputs}. */
  CompiledPlan(Trace trace, Tensor[] args, Tensor[] results, String op) {
    this.program = trace.toString();
    this.valueCount = trace.valueCount();
    argIds = new int[args.length];
    for (int i = 0; i < args.length; i++) {
      argIds[i] = trace.id(args[i]);
    }
    // ------------------------------------------------------------------ steps over value numbers
    List<Step> all = new ArrayList<>();
    for (Trace.Step st : trace.steps()) {
      Ref[] in = new Ref[st.inputs().length];
      for (int i = 0; i < in.length; i++) {
        in[i] =
            ref(
                st.inputs()[i],
                st.refs()[i] >= 0 ? st.refs()[i] : st.aliases()[i],
                st.refs()[i] < 0,
                false);
      }
      all.add(new Step(st.primitive(), in, st.outId(), st.grad(), describe(st)));
    }
    outputs = new Ref[results.length];
    outShapes = new int[results.length][];
    outTypes = new DType[results.length];
    for (int k = 0; k < results.length; k++) {
      outShapes[k] = results[k].shape.clone();
      outTypes[k] = results[k].dtype();
    }
    for (int k = 0; k < results.length; k++) {
      int id = trace.id(results[k]);
      outputs[k] = ref(results[k], id >= 0 ? id : trace.aliasOf(results[k]), id < 0, true);
    }
    for (Step st : all) {
      for (Ref r : st.inputs()) {
        if (r.constant() != null) {
          captured.add(r.constant().storage);
        }
      }
    }
    // ------------------------------------------------------------------ common subexpressions
    Map<Integer, Integer> same = new HashMap<>();
    Map<List<Object>, Integer> seen = new HashMap<>();
    List<Step> merged = new ArrayList<>();
    int cse = 0;
    for (Step s : all) {
      Step r = renamed(s, same);
      List<Object> key = cseKey(r);
      Integer earlier = key == null ? null : seen.get(key);
      if (earlier != null) {
        same.put(r.out(), earlier);
        cse++;
        continue;
      }
      if (key != null) {
        seen.put(key, r.out());
      }
      merged.add(r);
    }
    for (int k = 0; k < outputs.length; k++) {
      outputs[k] = renamed(outputs[k], same);
    }
    removedByCse = cse;
    // ------------------------------------------------------------------ dead code
    BitSet needed = new BitSet();
    for (Ref r : outputs) {
      if (r.constant() == null) {
        needed.set(r.value());
      }
    }
    List<Step> kept = new ArrayList<>();
    for (int k = merged.size() - 1; k >= 0; k--) {
      Step s = merged.get(k);
      if (needed.get(s.out())) {
        kept.add(s);
        for (Ref r : s.inputs()) {
          if (r.constant() == null) {
            needed.set(r.value());
          }
        }
      }
    }
    java.util.Collections.reverse(kept);
    removedAsDead = merged.size() - kept.size();
    live = List.copyOf(kept);
    // ------------------------------------------------------------------ constant folding
    foldSteps = new ArrayList<>();
    Map<Tensor, Boolean> ext = new IdentityHashMap<>();
    boolean anyGrad = false;
    for (Step s : live) {
      for (Ref r : s.inputs()) {
        if (r.constant() != null) {
          anyGrad |= r.constant().requiresGrad();
        }
      }
      if (!trace.dependent(s.out())) {
        foldSteps.add(s);
        for (Ref r : s.inputs()) {
          if (r.constant() != null) {
            ext.put(r.constant(), true);
          }
        }
      }
    }
    constantsRequireGrad = anyGrad;
    external = ext.keySet().toArray(new Tensor[0]);
    externalVersions = new int[external.length];
    for (int i = 0; i < external.length; i++) {
      externalVersions[i] = external[i].storage.version();
    }
    folded = new Tensor[valueCount];
    for (Step s : foldSteps) {
      folded[s.out()] = trace.value(s.out()).detach();
    }
    // ------------------------------------------------------------------ loop fusion
    ops = new ArrayList<>();
    BitSet isOutput = new BitSet();
    for (Ref r : outputs) {
      if (r.constant() == null) {
        isOutput.set(r.value());
      }
    }
    List<Step> dependentSteps = new ArrayList<>();
    for (Step s : live) {
      if (folded[s.out()] == null) {
        dependentSteps.add(s);
      }
    }
    dependentSteps = withoutTimesOne(trace, dependentSteps, isOutput);
    fusedPasses = fuse(trace, dependentSteps, isOutput);
    bufferOf = new int[valueCount];
    epilogues = EPILOGUES ? fuseEpilogues(trace) : 0;
    planMemory(trace);
    nanos = new java.util.concurrent.atomic.AtomicLongArray(ops.size());
  }

  // -------------------------------------------------------------------------------- fusion

  /**
   * Drops products with a constant that is 1 everywhere (the head gradient ones of a backward pass,
   * broadcast): x·1 is x bit for bit (signed zeros and NaNs included). Only where the other factor
   * already has the product's shape and dtype and the product is no result (a result must be the
   * caller's own tensor). The replay keeps every step.
   */
  private List<Step> withoutTimesOne(Trace trace, List<Step> steps, BitSet isOutput) {
    Map<Integer, Integer> same = new HashMap<>();
    List<Step> kept = new ArrayList<>();
    for (Step s0 : steps) {
      Step s = renamed(s0, same);
      if (Primitives.binaryKernel(s.primitive()) == BinaryOp.MUL && !isOutput.get(s.out())) {
        Tensor out = trace.value(s.out());
        int other = -1;
        for (int i = 0; i < 2 && other < 0; i++) {
          Ref one = s.inputs()[i];
          Ref x = s.inputs()[1 - i];
          if (isAllOnes(one) && x.constant() == null && !x.detached()) {
            Tensor xv = trace.value(x.value());
            if (xv.dtype() == out.dtype() && Arrays.equals(xv.shape, out.shape)) {
              other = x.value();
            }
          }
        }
        if (other >= 0) {
          same.put(s.out(), other);
          removedAsOne++;
          continue;
        }
      }
      kept.add(s);
    }
    if (same.isEmpty()) {
      return steps;
    }
    for (int k = 0; k < outputs.length; k++) {
      outputs[k] = renamed(outputs[k], same);
    }
    return kept;
  }

  /** Whether a ref is a constant (given or folded) whose few stored elements are all exactly 1. */
  private boolean isAllOnes(Ref r) {
    Tensor t = r.constant() != null ? r.constant() : folded[r.value()];
    if (t == null || !t.dtype().isFloating() || t.storage.size() > 64) {
      return false;
    }
    for (int i = 0; i < t.storage.size(); i++) {
      if (t.storage.getDouble(i) != 1.0) {
        return false;
      }
    }
    return true;
  }

  /** One group being formed: elementwise steps of one shape and dtype, and sums of their values. */
  private static final class Group {
    final DType dtype;
    final int[] shape;
    final List<Step> members = new ArrayList<>();
    final List<Step> sums = new ArrayList<>();
    final BitSet memberValues = new BitSet();
    final BitSet sumValues = new BitSet();

    Group(DType dtype, int[] shape) {
      this.dtype = dtype;
      this.shape = shape;
    }
  }

  private int fuse(Trace trace, List<Step> steps, BitSet isOutput) {
    // which steps read each value, to know which fused values must be stored
    Map<Integer, List<Step>> readers = new HashMap<>();
    for (Step s : steps) {
      for (Ref r : s.inputs()) {
        if (r.constant() == null) {
          readers.computeIfAbsent(r.value(), k -> new ArrayList<>()).add(s);
        }
      }
    }
    List<Group> open = new ArrayList<>();
    int[] passes = {0};
    for (Step s : steps) {
      Tensor out = trace.value(s.out());
      DType compute = fusibleType(trace, s);
      boolean elementwise = compute != null;
      if (elementwise) {
        Group g = null;
        for (Group o : open) {
          if (o.dtype == compute && Arrays.equals(o.shape, out.shape)) {
            g = o;
          }
        }
        for (Ref r : s.inputs()) {
          if (r.constant() != null) {
            continue;
          }
          Group owner = owner(open, r.value());
          if (owner != null && (owner != g || owner.sumValues.get(r.value()))) {
            close(owner, open, readers, isOutput, trace, passes);
            if (owner == g) {
              g = null;
            }
          }
        }
        if (g == null) {
          g = new Group(compute, out.shape.clone());
          open.add(g);
        }
        g.members.add(s);
        g.memberValues.set(s.out());
        continue;
      }
      if (s.inputs().length == 1 && s.inputs()[0].constant() == null && !anyDetached(s)) {
        int in = s.inputs()[0].value();
        Group owner = owner(open, in);
        if (owner != null
            && owner.memberValues.get(in)
            && Primitives.isFullSum(s.primitive(), owner.shape.length)
            && out.dtype() == owner.dtype) {
          owner.sums.add(s);
          owner.sumValues.set(s.out());
          continue;
        }
      }
      for (Ref r : s.inputs()) {
        if (r.constant() == null) {
          Group owner = owner(open, r.value());
          if (owner != null) {
            close(owner, open, readers, isOutput, trace, passes);
          }
        }
      }
      ops.add(new StepOp(s));
    }
    while (!open.isEmpty()) {
      close(open.get(0), open, readers, isOutput, trace, passes);
    }
    return passes[0];
  }

  /**
   * The dtype a fused pass would compute {@code s} in (float32 or float64), or null when s is not
   * an elementwise step a pass can hold: arithmetic, a comparison of floats, or where.
   */
  private static DType fusibleType(Trace trace, Step s) {
    if (anyDetached(s)) {
      return null;
    }
    Primitive p = s.primitive();
    Tensor out = trace.value(s.out());
    DType t;
    if (Primitives.unaryKernel(p) != null || Primitives.binaryKernel(p) != null) {
      t = out.dtype();
    } else if (Primitives.compareKernel(p) != null) {
      t = valueOf(trace, s.inputs()[0]).dtype();
      if (t != valueOf(trace, s.inputs()[1]).dtype()) {
        return null;
      }
    } else if (Primitives.isWhere(p)) {
      t = out.dtype();
      if (valueOf(trace, s.inputs()[0]).dtype() != DType.BOOL
          || valueOf(trace, s.inputs()[1]).dtype() != t
          || valueOf(trace, s.inputs()[2]).dtype() != t) {
        return null;
      }
    } else {
      return null;
    }
    return t == DType.FLOAT32 || t == DType.FLOAT64 ? t : null;
  }

  private static boolean anyDetached(Step s) {
    for (Ref r : s.inputs()) {
      if (r.detached()) {
        return true;
      }
    }
    return false;
  }

  private static Group owner(List<Group> open, int value) {
    for (Group g : open) {
      if (g.memberValues.get(value) || g.sumValues.get(value)) {
        return g;
      }
    }
    return null;
  }

  private void close(
      Group g,
      List<Group> open,
      Map<Integer, List<Step>> readers,
      BitSet isOutput,
      Trace trace,
      int[] passes) {
    open.remove(g);
    if ((g.members.size() == 1 && g.sums.isEmpty()) || Shapes.numel(g.shape) < minFusedElements) {
      // one step, or data that fits in L1 anyway: the steps one by one cost less than a pass
      List<Step> each = new ArrayList<>(g.members);
      each.addAll(g.sums);
      each.sort(java.util.Comparator.comparingInt(Step::out));
      for (Step s : each) {
        ops.add(new StepOp(s));
      }
      return;
    }
    passes[0]++;
    List<Ref> operands = new ArrayList<>();
    Map<Object, Integer> operandSlot = new HashMap<>();
    Map<Integer, Integer> slotOf = new HashMap<>();
    // operands first: every input from outside the group, once
    for (Step s : g.members) {
      for (Ref r : s.inputs()) {
        if (r.constant() == null && g.memberValues.get(r.value())) {
          continue;
        }
        Object key = r.constant() != null ? new IdentityKey(r.constant()) : r.value();
        if (!operandSlot.containsKey(key)) {
          operandSlot.put(key, operands.size());
          operands.add(r);
        }
      }
    }
    int base = operands.size();
    Fused.Instr[] instrs = new Fused.Instr[g.members.size()];
    int[] instrValue = new int[instrs.length];
    boolean[] stored = new boolean[instrs.length];
    for (int k = 0; k < instrs.length; k++) {
      Step s = g.members.get(k);
      int[] slots = new int[s.inputs().length];
      for (int i = 0; i < slots.length; i++) {
        Ref r = s.inputs()[i];
        if (r.constant() == null && g.memberValues.get(r.value())) {
          slots[i] = slotOf.get(r.value());
        } else {
          Object key = r.constant() != null ? new IdentityKey(r.constant()) : r.value();
          slots[i] = operandSlot.get(key);
        }
      }
      Primitive p = s.primitive();
      UnaryOp u = Primitives.unaryKernel(p);
      BinaryOp c = Primitives.compareKernel(p);
      if (u != null) {
        instrs[k] = Fused.Instr.unary(u, slots[0]);
      } else if (c != null) {
        instrs[k] = Fused.Instr.compare(c, slots[0], slots[1]);
      } else if (Primitives.isWhere(p)) {
        instrs[k] = Fused.Instr.where(slots[0], slots[1], slots[2]);
      } else {
        instrs[k] = Fused.Instr.binary(Primitives.binaryKernel(p), slots[0], slots[1]);
      }
      instrValue[k] = s.out();
      slotOf.put(s.out(), base + k);
      boolean outside = isOutput.get(s.out());
      for (Step reader : readers.getOrDefault(s.out(), List.of())) {
        outside |= !g.members.contains(reader) && !g.sums.contains(reader);
      }
      stored[k] = outside;
    }
    int[] sumSlot = new int[g.sums.size()];
    int[] sumValue = new int[sumSlot.length];
    int[][] sumShape = new int[sumSlot.length][];
    for (int j = 0; j < sumSlot.length; j++) {
      Step s = g.sums.get(j);
      sumSlot[j] = slotOf.get(s.inputs()[0].value());
      sumValue[j] = s.out();
      sumShape[j] = trace.value(s.out()).shape.clone();
    }
    List<Step> members = new ArrayList<>(g.members);
    members.addAll(g.sums);
    ops.add(
        new FusedOp(
            new Fused.Program(g.dtype, g.shape, base, instrs),
            operands.toArray(new Ref[0]),
            instrValue,
            stored,
            sumSlot,
            sumValue,
            sumShape,
            members));
  }

  /**
   * Assigns plan-owned buffers to the stored values of fused passes that no result can reach: a
   * value's lifetime runs to the last op that reads it or a view of it (a step whose traced output
   * shared its input's storage); a buffer freed after that op serves later values of its dtype and
   * size.
   */
  private void planMemory(Trace trace) {
    Arrays.fill(bufferOf, -1);
    int[] root = new int[valueCount];
    for (int i = 0; i < valueCount; i++) {
      root[i] = i;
    }
    int[] last = new int[valueCount];
    Arrays.fill(last, -1);
    for (int i = 0; i < ops.size(); i++) {
      Ref[] reads =
          switch (ops.get(i)) {
            case StepOp so -> so.step().inputs();
            case FusedOp f -> f.operands();
            case EpilogueOp e -> concat(e.matmul().inputs(), e.pass().operands());
          };
      for (Ref r : reads) {
        if (r.constant() == null) {
          last[root[r.value()]] = i;
        }
      }
      if (ops.get(i) instanceof StepOp so) {
        Storage out = trace.value(so.step().out()).storage;
        for (Ref r : so.step().inputs()) {
          if (r.constant() == null && trace.value(r.value()).storage == out) {
            root[so.step().out()] = root[r.value()];
          }
        }
      }
    }
    BitSet escapes = new BitSet();
    for (Ref r : outputs) {
      if (r.constant() == null) {
        escapes.set(root[r.value()]);
      }
    }
    Map<List<Object>, java.util.ArrayDeque<Integer>> free = new HashMap<>();
    for (int i = 0; i < ops.size(); i++) {
      FusedOp f =
          ops.get(i) instanceof FusedOp fo
              ? fo
              : ops.get(i) instanceof EpilogueOp e ? e.pass() : null;
      if (ops.get(i) instanceof EpilogueOp e) {
        // the product's result, which the GEMM overwrites entirely
        int value = e.matmul().out();
        Fused.Program p = e.pass().program();
        if (!escapes.get(value) && last[value] >= 0) {
          int n = Shapes.numel(p.shape());
          java.util.ArrayDeque<Integer> q = free.get(List.of(p.dtype(), n));
          Integer b = q == null ? null : q.poll();
          if (b == null) {
            b = bufferTypes.size();
            bufferTypes.add(p.dtype());
            bufferSizes.add(n);
          }
          bufferOf[value] = b;
        }
      }
      if (f != null) {
        Fused.Program p = f.program();
        for (int k = 0; k < f.stored().length; k++) {
          int value = f.instrValue()[k];
          if (!f.stored()[k] || escapes.get(value) || last[value] < 0) {
            continue;
          }
          DType t = p.instrs()[k].kind() == Fused.Kind.COMPARE ? DType.BOOL : p.dtype();
          int n = Shapes.numel(p.shape());
          java.util.ArrayDeque<Integer> q = free.get(List.of(t, n));
          Integer b = q == null ? null : q.poll();
          if (b == null) {
            b = bufferTypes.size();
            bufferTypes.add(t);
            bufferSizes.add(n);
          }
          bufferOf[value] = b;
        }
      }
      for (int value = 0; value < valueCount; value++) {
        if (last[value] == i && bufferOf[value] >= 0) {
          int b = bufferOf[value];
          free.computeIfAbsent(
                  List.of(bufferTypes.get(b), bufferSizes.get(b)),
                  x -> new java.util.ArrayDeque<>())
              .add(b);
        }
      }
    }
  }

  /** Identity as a map key (constants and primitives are compared by object, not by value). */
  private record IdentityKey(Object object) {
    @Override
    public boolean equals(Object o) {
      return o instanceof IdentityKey k && k.object == object;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(object);
    }
  }

  // -------------------------------------------------------------------------------- passes'
  // helpers

  /**
   * The ref of a tensor a step read or the function returned: value {@code id} itself, or (when
   * {@code alias}) an exact alias of value {@code id} such as its {@code detach()}; {@code id} -1
   * is a constant, -2 another view of traced data.
   */
  private static Ref ref(Tensor t, int id, boolean alias, boolean result) {
    if (!alias) {
      return Ref.of(id);
    }
    if (id >= 0) {
      if ((result && t.requiresGrad()) || (t.requiresGrad() && !t.isLeaf())) {
        // same data as a traced value but a graph of its own, made outside the primitives (a
        // checkpoint's result): replaying would lose that graph
        throw new Unsupported(
            "a tensor (shape "
                + t.shapeString()
                + ") carries a gradient graph made outside the primitives (checkpoint?)");
      }
      return new Ref(id, null, true);
    }
    if (id == -2) {
      throw new Unsupported(
          "a view of a traced tensor (shape "
              + t.shapeString()
              + ") was made outside the primitives");
    }
    return Ref.constant(t);
  }

  /** The traced program cannot be planned; the function then runs uncompiled. */
  static final class Unsupported extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unsupported(String why) {
      super(why, null, false, false);
    }
  }

  private static Ref renamed(Ref r, Map<Integer, Integer> same) {
    if (r.constant() != null) {
      return r;
    }
    Integer to = same.get(r.value());
    return to == null ? r : new Ref(to, null, r.detached());
  }

  private static Step renamed(Step s, Map<Integer, Integer> same) {
    Ref[] in = s.inputs().clone();
    boolean changed = false;
    for (int i = 0; i < in.length; i++) {
      Ref r = renamed(in[i], same);
      changed |= r != in[i];
      in[i] = r;
    }
    return changed ? new Step(s.primitive(), in, s.out(), s.grad(), s.describe()) : s;
  }

  /**
   * Equal keys mean equal results: the same primitive instance (the elementwise rows, matmul, ...
   * are shared instances with no parameters) on the same inputs with the same recording flag.
   * Parameterised primitives are new instances each time and so never merge, which is safe.
   */
  private static List<Object> cseKey(Step s) {
    List<Object> key = new ArrayList<>();
    key.add(new IdentityKey(s.primitive()));
    key.add(s.grad());
    for (Ref r : s.inputs()) {
      key.add(r.constant() != null ? new IdentityKey(r.constant()) : r.value());
      key.add(r.detached());
    }
    return key;
  }

  private static String describe(Trace.Step st) {
    return st.primitive().toString();
  }

  // -------------------------------------------------------------------------------- running

  /** Whether a result may need a graph or a tangent: then {@link #replay} must run. */
  boolean needsRecording(Tensor[] args) {
    GradMode.State s = GradMode.state();
    if (s.forwardActive() || s.anomaly || Trace.anyActive()) {
      return true;
    }
    if (!s.enabled) {
      return false;
    }
    if (constantsRequireGrad) {
      return true;
    }
    for (Tensor a : args) {
      if (a.requiresGrad()) {
        return true;
      }
    }
    return false;
  }

  /** Runs the fused plan with gradient recording off. */
  Tensor[] run(Tensor[] args) {
    return run(args, null);
  }

  /**
   * {@link #run(Tensor[])} writing result k into {@code into[k]} where that is not null (checked by
   * {@link #checkInto}): a result a pass stores is written there directly, any other is copied.
   */
  Tensor[] run(Tensor[] args, Tensor[] into) {
    Map<Integer, Tensor> direct = Map.of();
    if (into != null) {
      direct = new HashMap<>();
      for (int k = 0; k < into.length; k++) {
        Ref o = outputs[k];
        if (into[k] != null
            && o.constant() == null
            && !o.detached()
            && into[k].isContiguous()
            && into[k].offset == 0
            && folded[o.value()] == null) {
          direct.putIfAbsent(o.value(), into[k]);
        }
      }
    }
    Tensor[] out = runInto(args, direct);
    if (into != null) {
      copyInto(out, into);
    }
    return out;
  }

  /**
   * Copies each result into its destination (where there is one and the result is not already
   * there) and puts the destination in its place.
   */
  static void copyInto(Tensor[] out, Tensor[] into) {
    for (int k = 0; k < out.length; k++) {
      if (into[k] != null) {
        if (out[k].storage != into[k].storage || out[k].offset != into[k].offset) {
          try (Autograd.Scope ignored = Autograd.noGrad()) {
            into[k].copyFrom(out[k]);
          }
        }
        out[k] = into[k];
      }
    }
  }

  /**
   * Checks destinations for {@link #run(Tensor[], Tensor[])}: one per result (null: a fresh
   * tensor), each of the result's shape and dtype, writable, and sharing no memory with an argument
   * or another destination.
   */
  void checkInto(String op, Tensor[] args, Tensor[] into) {
    if (into.length != outputs.length) {
      throw new IllegalArgumentException(
          op
              + ": "
              + into.length
              + " destinations for "
              + outputs.length
              + " results; pass one per result, in the order of the result's tensors (null for a"
              + " fresh one)");
    }
    for (int k = 0; k < into.length; k++) {
      Tensor d = into[k];
      if (d == null) {
        continue;
      }
      if (!Arrays.equals(d.shape, outShapes[k]) || d.dtype() != outTypes[k]) {
        throw new IllegalArgumentException(
            op
                + ": destination "
                + k
                + " is "
                + Shapes.str(d.shape)
                + " "
                + d.dtype()
                + " but result "
                + k
                + " is "
                + Shapes.str(outShapes[k])
                + " "
                + outTypes[k]);
      }
      if (captured.contains(d.storage)) {
        throw new IllegalArgumentException(
            op
                + ": destination "
                + k
                + " shares memory with a tensor the function captures; write results into"
                + " separate tensors");
      }
      for (Tensor a : args) {
        if (a.storage == d.storage) {
          throw new IllegalArgumentException(
              op
                  + ": destination "
                  + k
                  + " shares memory with an argument (shape "
                  + a.shapeString()
                  + "); write results into separate tensors");
        }
      }
      for (int j = 0; j < k; j++) {
        if (into[j] != null && into[j].storage == d.storage) {
          throw new IllegalArgumentException(
              op + ": destinations " + j + " and " + k + " share memory; pass separate tensors");
        }
      }
    }
  }

  private Tensor[] runInto(Tensor[] args, Map<Integer, Tensor> direct) {
    Tensor[] v = new Tensor[valueCount];
    for (int i = 0; i < args.length; i++) {
      v[argIds[i]] = args[i];
    }
    refreshFolded();
    for (Step s : foldSteps) {
      v[s.out()] = folded[s.out()];
    }
    GradMode.State st = GradMode.state();
    boolean was = st.enabled;
    st.enabled = false;
    Storage[] buffers = bufferTypes.isEmpty() ? null : pool.poll();
    if (buffers != null) {
      pooled.decrementAndGet();
    } else if (!bufferTypes.isEmpty()) {
      buffers = new Storage[bufferTypes.size()];
    }
    try {
      boolean timed = PROFILE && runs.incrementAndGet() > PROFILE_WARMUP;
      for (int i = 0; i < ops.size(); i++) {
        long t0 = timed ? System.nanoTime() : 0;
        switch (ops.get(i)) {
          case StepOp so -> {
            Step s = so.step();
            v[s.out()] = Engine.apply(s.primitive(), inputs(s.inputs(), v));
          }
          case FusedOp f -> runFused(f, v, buffers, direct);
          case EpilogueOp e -> runEpilogue(e, v, buffers, direct);
        }
        if (timed) {
          nanos.addAndGet(i, System.nanoTime() - t0);
        }
      }
    } finally {
      st.enabled = was;
      if (buffers != null && pooled.incrementAndGet() <= MAX_POOLED_SETS) {
        pool.offer(buffers); // no result reaches them (planMemory), so the next call may reuse them
      } else if (buffers != null) {
        pooled.decrementAndGet();
      }
    }
    return results(v, true);
  }

  /** Applies the live steps one by one through the engine, recording as the traced run did. */
  Tensor[] replay(Tensor[] args) {
    Tensor[] v = new Tensor[valueCount];
    for (int i = 0; i < args.length; i++) {
      v[argIds[i]] = args[i];
    }
    GradMode.State st = GradMode.state();
    boolean was = st.enabled;
    try {
      for (Step s : live) {
        st.enabled = was && s.grad();
        v[s.out()] = Engine.apply(s.primitive(), inputs(s.inputs(), v));
      }
    } finally {
      st.enabled = was;
    }
    return results(v, false);
  }

  private Tensor[] results(Tensor[] v, boolean copyFolded) {
    Tensor[] r = new Tensor[outputs.length];
    for (int k = 0; k < r.length; k++) {
      Ref o = outputs[k];
      if (o.constant() != null) {
        r[k] = o.constant();
        continue;
      }
      Tensor t = v[o.value()];
      if (copyFolded && folded[o.value()] != null) {
        t = t.copy(); // the plan keeps the folded value: the caller gets its own
      }
      r[k] = o.detached() ? t.detach() : t;
    }
    return r;
  }

  private static Tensor[] inputs(Ref[] refs, Tensor[] v) {
    Tensor[] in = new Tensor[refs.length];
    for (int i = 0; i < in.length; i++) {
      Ref r = refs[i];
      in[i] =
          r.constant() != null ? r.constant() : r.detached() ? v[r.value()].detach() : v[r.value()];
    }
    return in;
  }

  private void runFused(FusedOp f, Tensor[] v, Storage[] buffers, Map<Integer, Tensor> direct) {
    Fused.Program p = f.program();
    Storage[] outs = outputs(f, v, buffers, direct);
    double[] sums = Fused.run(p, operands(f, v), outs, f.sumSlot());
    for (int j = 0; j < sums.length; j++) {
      int[] s = f.sumShape()[j];
      Storage st = Storage.allocate(p.dtype(), 1);
      st.setDouble(0, sums[j]);
      v[f.sumValue()[j]] = new Tensor(st, s, Shapes.contiguousStrides(s), 0);
    }
  }

  /** The pass's operands, as views broadcast to its shape. */
  private static Fused.Operand[] operands(FusedOp f, Tensor[] v) {
    int[] shape = f.program().shape();
    Fused.Operand[] operands = new Fused.Operand[f.operands().length];
    for (int i = 0; i < operands.length; i++) {
      Ref r = f.operands()[i];
      Tensor t = r.constant() != null ? r.constant() : v[r.value()];
      operands[i] =
          new Fused.Operand(
              t.storage, t.offset, Shapes.broadcastStrides(t.shape, t.strides, shape));
    }
    return operands;
  }

  /** Storages for the pass's stored values (plan buffers where planned), set as their values. */
  private Storage[] outputs(FusedOp f, Tensor[] v, Storage[] buffers, Map<Integer, Tensor> direct) {
    Fused.Program p = f.program();
    int[] shape = p.shape();
    int n = Shapes.numel(shape);
    Storage[] outs = new Storage[p.instrs().length];
    for (int k = 0; k < outs.length; k++) {
      if (f.stored()[k]) {
        DType t = p.instrs()[k].kind() == Fused.Kind.COMPARE ? DType.BOOL : p.dtype();
        int b = bufferOf[f.instrValue()[k]];
        Tensor d = direct.get(f.instrValue()[k]);
        if (d != null) {
          outs[k] = d.storage; // the caller's destination, contiguous from 0 (checked)
          v[f.instrValue()[k]] = d;
          continue;
        }
        if (b < 0) {
          outs[k] = Storage.allocate(t, n);
        } else {
          if (buffers[b] == null) {
            buffers[b] = Storage.allocate(t, n);
          }
          outs[k] = buffers[b];
        }
        v[f.instrValue()[k]] =
            new Tensor(outs[k], shape.clone(), Shapes.contiguousStrides(shape), 0);
      }
    }
    return outs;
  }

  /** The product into a fresh C, the pass run on C's rows as the GEMM finishes them. */
  private void runEpilogue(
      EpilogueOp e, Tensor[] v, Storage[] buffers, Map<Integer, Tensor> direct) {
    Tensor[] in = inputs(e.matmul().inputs(), v);
    Tensor a = in[0];
    Tensor b = in[1];
    int m = a.shape[0];
    int k = a.shape[1];
    int n = b.shape[1];
    int cb = bufferOf[e.matmul().out()];
    Storage c;
    if (cb < 0) {
      c = Storage.allocate(a.dtype(), m * n);
    } else {
      if (buffers[cb] == null) {
        buffers[cb] = Storage.allocate(a.dtype(), m * n);
      }
      c = buffers[cb];
    }
    v[e.matmul().out()] = new Tensor(c, new int[] {m, n}, new int[] {n, 1}, 0);
    FusedOp f = e.pass();
    Storage[] outs = outputs(f, v, buffers, direct);
    Fused.Operand[] operands = operands(f, v);
    Fused.Program p = f.program();
    nabla.kernels.Gemm.RowEpilogue rows =
        (r0, r1) -> Fused.runRange(p, operands, outs, r0 * n, r1 * n);
    if (a.dtype() == DType.FLOAT32) {
      nabla.kernels.Gemm.matmul(
          m,
          n,
          k,
          a.storage.f,
          a.offset,
          a.strides[0],
          a.strides[1],
          b.storage.f,
          b.offset,
          b.strides[0],
          b.strides[1],
          c.f,
          0,
          rows);
    } else {
      nabla.kernels.Gemm.matmul(
          m,
          n,
          k,
          a.storage.d,
          a.offset,
          a.strides[0],
          a.strides[1],
          b.storage.d,
          b.offset,
          b.strides[0],
          b.strides[1],
          c.d,
          0,
          rows);
    }
  }

  /**
   * Turns each 2-D float product followed by a pass without sums over its result's shape into one
   * {@link EpilogueOp}, when every other operand of the pass is available before the product.
   * Returns how many.
   */
  private int fuseEpilogues(Trace trace) {
    Map<Integer, Integer> producer = new HashMap<>();
    for (int i = 0; i < ops.size(); i++) {
      switch (ops.get(i)) {
        case StepOp so -> producer.put(so.step().out(), i);
        case FusedOp f -> {
          for (int value : f.instrValue()) {
            producer.put(value, i);
          }
          for (int value : f.sumValue()) {
            producer.put(value, i);
          }
        }
        case EpilogueOp e -> {}
      }
    }
    Map<Integer, EpilogueOp> at = new HashMap<>();
    java.util.Set<Integer> moved = new java.util.HashSet<>();
    for (int j = 0; j < ops.size(); j++) {
      if (!(ops.get(j) instanceof FusedOp f) || f.sumSlot().length > 0) {
        continue;
      }
      for (Ref r : f.operands()) {
        if (r.constant() != null || r.detached()) {
          continue;
        }
        Integer i = producer.get(r.value());
        if (i == null
            || i >= j
            || at.containsKey(i)
            || !(ops.get(i) instanceof StepOp so)
            || so.step().primitive() != Primitives.matmul()) {
          continue;
        }
        Step mm = so.step();
        Tensor c = trace.value(mm.out());
        Tensor a = valueOf(trace, mm.inputs()[0]);
        Tensor b = valueOf(trace, mm.inputs()[1]);
        if (c.dim() != 2
            || a.dim() != 2
            || b.dim() != 2
            || c.dtype() != f.program().dtype()
            || a.dtype() != c.dtype()
            || b.dtype() != c.dtype()
            || !Arrays.equals(c.shape, f.program().shape())) {
          continue;
        }
        boolean ready = true;
        for (Ref o : f.operands()) {
          if (o != r && o.constant() == null) {
            Integer pi = producer.get(o.value());
            ready &= pi == null || pi < i;
          }
        }
        if (ready) {
          at.put(i, new EpilogueOp(mm, f));
          moved.add(j);
          break;
        }
      }
    }
    if (at.isEmpty()) {
      return 0;
    }
    List<Op> rewritten = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      if (at.containsKey(i)) {
        rewritten.add(at.get(i));
      } else if (!moved.contains(i)) {
        rewritten.add(ops.get(i));
      }
    }
    ops.clear();
    ops.addAll(rewritten);
    return at.size();
  }

  private static Tensor valueOf(Trace trace, Ref r) {
    return r.constant() != null ? r.constant() : trace.value(r.value());
  }

  private static Ref[] concat(Ref[] a, Ref[] b) {
    Ref[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  /** Recomputes the folded constants when a tensor they were computed from was written since. */
  private void refreshFolded() {
    if (external.length == 0) {
      return;
    }
    synchronized (this) {
      boolean stale = false;
      for (int i = 0; i < external.length; i++) {
        stale |= external[i].storage.version() != externalVersions[i];
      }
      if (!stale) {
        return;
      }
      Tensor[] v = new Tensor[valueCount];
      try (Autograd.Scope ignored = Autograd.noGrad()) {
        for (Step s : foldSteps) {
          v[s.out()] = Engine.apply(s.primitive(), inputs(s.inputs(), v));
          folded[s.out()] = v[s.out()];
        }
      }
      for (int i = 0; i < external.length; i++) {
        externalVersions[i] = external[i].storage.version();
      }
    }
  }

  // -------------------------------------------------------------------------------- printing

  /** The traced program, one line per value (like a jaxpr). */
  String program() {
    return program;
  }

  /** What runs: each step or fused pass, in order, and the results. */
  String plan() {
    StringBuilder b = new StringBuilder();
    b.append("arguments");
    for (int id : argIds) {
      b.append(" v").append(id);
    }
    b.append('\n');
    for (Step s : foldSteps) {
      b.append("v").append(s.out()).append(" = ").append(call(s)).append("   (folded constant)\n");
    }
    long count = runs.get() - PROFILE_WARMUP;
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      if (count > 0) {
        b.append(String.format("[%8.1f µs] ", nanos.get(i) / 1e3 / count));
      }
      switch (op) {
        case StepOp so ->
            b.append("v")
                .append(so.step().out())
                .append(" = ")
                .append(call(so.step()))
                .append('\n');
        case EpilogueOp e -> {
          b.append("v")
              .append(e.matmul().out())
              .append(" = ")
              .append(call(e.matmul()))
              .append(
                  bufferOf[e.matmul().out()] >= 0
                      ? " into plan buffer " + bufferOf[e.matmul().out()]
                      : "")
              .append(", with this epilogue on each tile of rows:\n");
          describePass(b, e.pass());
        }
        case FusedOp f -> {
          Fused.Program p = f.program();
          b.append("fused pass over ")
              .append(Shapes.str(p.shape()))
              .append(' ')
              .append(p.dtype())
              .append(" (one read of each operand, one write of each stored value):\n");
          describePass(b, f);
        }
      }
    }
    b.append("out");
    for (Ref r : outputs) {
      b.append(' ')
          .append(r.constant() != null ? "const" + Shapes.str(r.constant().shape) : "v" + r.value())
          .append(r.detached() ? ".detach()" : "");
    }
    b.append('\n');
    b.append(
        String.format(
            "(%d steps traced; %d merged as common subexpressions, %d dead, %d folded, %d products"
                + " with ones dropped; %d fused passes, %d run as matmul epilogues; %d plan"
                + " buffers, %.1f KiB, reused across"
                + " calls)%n",
            valueCount - argIds.length,
            removedByCse,
            removedAsDead,
            foldSteps.size(),
            removedAsOne,
            fusedPasses,
            epilogues,
            bufferTypes.size(),
            bufferBytes() / 1024.0));
    return b.toString();
  }

  /** Bytes of one set of plan buffers. */
  long bufferBytes() {
    long bytes = 0;
    for (int b = 0; b < bufferTypes.size(); b++) {
      bytes += (long) bufferSizes.get(b) * bufferTypes.get(b).byteSize();
    }
    return bytes;
  }

  /** The lines of a pass's steps: what each keeps in cache, stores, or sums. */
  private void describePass(StringBuilder b, FusedOp f) {
    for (Step s : f.members()) {
      int k = indexOf(f.instrValue(), s.out());
      boolean stored = k >= 0 && f.stored()[k];
      b.append("    v")
          .append(s.out())
          .append(" = ")
          .append(call(s))
          .append(
              k < 0
                  ? "   (sum in the pass)"
                  : !stored
                      ? "   (in cache only)"
                      : bufferOf[s.out()] >= 0
                          ? "   (stored in plan buffer " + bufferOf[s.out()] + ")"
                          : "   (stored)")
          .append('\n');
    }
  }

  private static int indexOf(int[] a, int x) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == x) {
        return i;
      }
    }
    return -1;
  }

  private static String call(Step s) {
    StringBuilder b = new StringBuilder(s.describe()).append('(');
    for (int i = 0; i < s.inputs().length; i++) {
      Ref r = s.inputs()[i];
      b.append(i > 0 ? ", " : "");
      b.append(r.constant() != null ? "const" + Shapes.str(r.constant().shape) : "v" + r.value());
      b.append(r.detached() ? ".detach()" : "");
    }
    return b.append(')').toString();
  }

  /** Number of fused passes (for tests). */
  int fusedPasses() {
    return fusedPasses;
  }
}
