package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import nabla.ops.PrimitiveSpecs;
import nabla.ops.PrimitiveSpecs.Arg;
import nabla.ops.PrimitiveSpecs.Spec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Autograd#compileMulti} against the eager function for every spec of the primitive table,
 * in float64 and float32. The first call traces (and returns the traced eager run); the later calls
 * run the plan, fused with recording off, or replayed step by step when the arguments require grad.
 * Each compiled function is called on the inputs it was traced on, again on them, and on fresh
 * inputs of the same shapes drawn from the spec's domain; every result must equal the eager
 * function on the same inputs: to the bit for elementwise results, within {@value #F64} (float64)
 * or {@value #F32} (float32) relative where a fused pass or a sum is involved. The same holds for
 * {@code compileMulti(valueAndGrad(...))} of a weighted sum of each spec's result.
 */
@org.junit.jupiter.api.extension.ExtendWith(FuseSmallTensors.class)
class CompileSpecTableTest {

  /** Relative bound of a float64 result against eager. */
  static final double F64 = 1e-12;

  /** Relative bound of a float32 result against eager. */
  static final double F32 = 1e-6;

  /**
   * Specs whose function reads a value computed from its arguments on the Java side (sorting,
   * counting, boolean masks): compiling them throws a {@link TracingException} at the first call.
   * Every other spec must compile. The same specs as vmap's loop-only ones (the same Java-side
   * reads), so a change in either direction shows in both tests.
   */
  static final Set<String> THROW_WHEN_TRACED = VmapSpecTableTest.READS_VALUES;

  /**
   * Specs whose compiled gradient is wrong on inputs other than the traced ones, with the bug (see
   * {@link CompileKnownBugsTest}): that check is skipped for them until the bug is fixed.
   */
  static final java.util.Map<String, String> WRONG_COMPILED_GRADIENT = java.util.Map.of();

  /** Specs whose replayed result loses its graph (see {@link CompileKnownBugsTest}): none. */
  static final java.util.Map<String, String> REPLAY_LOSES_GRAPH = java.util.Map.of();

  /**
   * Specs whose elementwise result is not bit-identical to eager on new inputs (within the relative
   * bound only): none since values computed from a {@code detach()} are no longer folded.
   */
  static final Set<String> FOLDED_DETACHED_CHOICE = Set.of();

  static Stream<Spec> specs() {
    return PrimitiveSpecs.all().stream();
  }

  /** The spec's inputs drawn with seed, differentiable ones in dtype, constants as they are. */
  static Tensor[] inputs(Spec spec, long seed, DType dtype, boolean requiresGrad) {
    Random r = new Random(seed);
    List<Arg> args = spec.args();
    Tensor[] in = new Tensor[args.size()];
    for (int i = 0; i < in.length; i++) {
      Arg a = args.get(i);
      Tensor t = a.make(r);
      in[i] = a.differentiable() ? t.to(dtype).requiresGrad(requiresGrad) : t;
    }
    return in;
  }

  static int[] differentiable(Spec spec) {
    List<Arg> args = spec.args();
    return java.util.stream.IntStream.range(0, args.size())
        .filter(i -> args.get(i).differentiable())
        .toArray();
  }

  /** A fixed weight of y's shape and dtype: a scalar loss that sees every element differently. */
  static Tensor weights(Tensor y) {
    double[] w = new double[y.numel()];
    for (int i = 0; i < w.length; i++) {
      w[i] = Math.cos(1.7 * i + 0.3);
    }
    return Tensor.ofDoubles(w, y.shape()).to(y.dtype());
  }

  /** The spec's result as a scalar loss. */
  static Tensor loss(Spec spec, Tensor[] x) {
    Tensor y = spec.f().apply(x);
    return y.mul(weights(y)).sum();
  }

  // ------------------------------------------------------------------ the forward function

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void laterCallsEqualEager(Spec spec) {
    for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
      Tensor[] a = inputs(spec, 1, dtype, false);
      Tensor[] b = inputs(spec, 2, dtype, false);
      Tensor eagerA;
      try {
        eagerA = spec.f().apply(a);
      } catch (RuntimeException e) {
        if (dtype == DType.FLOAT32) {
          continue; // the operation itself does not take float32 inputs
        }
        throw e;
      }
      Tensor eagerB = spec.f().apply(b);
      Compiled<Tensor[], Tensor> f = Autograd.compileMulti(x -> spec.f().apply(x));
      String where = spec + " " + dtype;
      Tensor first = traced(spec, where, () -> f.apply(a));
      if (first == null) {
        return;
      }
      same(where + " (traced call)", eagerA, first, 0);
      // elementwise passes compute what eager computes, in the same order: to the bit; a sum
      // taken inside a fused pass may round differently
      double rel =
          f.plan().contains("(sum in the pass)") || FOLDED_DETACHED_CHOICE.contains(spec.name())
              ? tol(dtype)
              : 0;
      note(
          where + " (second call)",
          same(where + " (second call, same inputs)\n" + f.plan(), eagerA, f.apply(a), rel));
      note(
          where + " (third call)",
          same(where + " (third call, new inputs)\n" + f.plan(), eagerB, f.apply(b), rel));
      note(
          where + " (fourth call)",
          same(where + " (fourth call, first inputs)\n" + f.plan(), eagerA, f.apply(a), rel));
      assertEquals(1, f.traceCount(), where + ": one signature, one trace");
      assertTrue(f.program().contains("v0"), where + ": " + f.program());
    }
  }

  /**
   * With arguments that require grad the later calls replay the steps through the engine: the
   * result carries a graph whose gradients are eager's.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void replayedCallsCarryEagerGradients(Spec spec) {
    org.junit.jupiter.api.Assumptions.assumeFalse(
        REPLAY_LOSES_GRAPH.containsKey(spec.name()), () -> REPLAY_LOSES_GRAPH.get(spec.name()));
    int[] wrt = differentiable(spec);
    Compiled<Tensor[], Tensor> f = Autograd.compileMulti(x -> spec.f().apply(x));
    for (long seed = 1; seed <= 3; seed++) {
      Tensor[] in = inputs(spec, seed, DType.FLOAT64, true);
      Tensor eager = spec.f().apply(in);
      if (!eager.dtype().isFloating()) {
        return;
      }
      Tensor[] eagerGrads = grads(eager, in, wrt);
      String where = spec + " seed " + seed;
      Tensor y = traced(spec, where, () -> f.apply(in));
      if (y == null) {
        return;
      }
      same(where, eager, y, F64);
      assertEquals(eager.requiresGrad(), y.requiresGrad(), where);
      Tensor[] g = grads(y, in, wrt);
      for (int k = 0; k < wrt.length; k++) {
        same(where + " gradient of argument " + wrt[k], eagerGrads[k], g[k], F64);
      }
    }
    assertEquals(1, f.traceCount(), spec + ": one signature, one trace");
  }

  static Tensor[] grads(Tensor y, Tensor[] in, int[] wrt) {
    Tensor[] of = new Tensor[wrt.length];
    for (int k = 0; k < wrt.length; k++) {
      of[k] = in[wrt[k]];
    }
    return Autograd.grad(y.mul(weights(y)).sum(), of);
  }

  // ------------------------------------------------------------------ compiled gradients

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void compiledValueAndGradEqualsEager(Spec spec) {
    org.junit.jupiter.api.Assumptions.assumeFalse(
        WRONG_COMPILED_GRADIENT.containsKey(spec.name()),
        () -> WRONG_COMPILED_GRADIENT.get(spec.name()));
    int[] wrt = differentiable(spec);
    for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
      Tensor[] a = inputs(spec, 1, dtype, false);
      Tensor[] b = inputs(spec, 2, dtype, false);
      Function<Tensor[], Autograd.ValueAndGrads> vg =
          Autograd.valueAndGrad(x -> loss(spec, x), wrt);
      Autograd.ValueAndGrads eagerA;
      try {
        eagerA = vg.apply(a);
      } catch (RuntimeException e) {
        if (dtype == DType.FLOAT32 || !spec.f().apply(a).dtype().isFloating()) {
          continue;
        }
        throw e;
      }
      Autograd.ValueAndGrads eagerB = vg.apply(b);
      Compiled<Tensor[], Autograd.ValueAndGrads> f = Autograd.compileMulti(vg);
      String where = spec + " " + dtype + " valueAndGrad";
      Autograd.ValueAndGrads first = traced(spec, where, () -> f.apply(a));
      if (first == null) {
        return;
      }
      same(where + " (traced call)", eagerA, first, 0);
      note(
          where + " (second call)",
          same(where + " (second call, same inputs)\n" + f.plan(), eagerA, f.apply(a), tol(dtype)));
      note(
          where + " (third call)",
          same(where + " (third call, new inputs)\n" + f.plan(), eagerB, f.apply(b), tol(dtype)));
      assertEquals(1, f.traceCount(), where + ": one signature, one trace");
    }
  }

  // ------------------------------------------------------------------ what cannot be traced

  /** Which specs threw when traced (collected across the parameterised runs). */
  static final Set<String> THREW = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * Runs the traced (first) call: a spec in {@link #THROW_WHEN_TRACED} must throw a {@link
   * TracingException} (then null is returned), every other spec must not.
   */
  static <T> T traced(Spec spec, String where, Supplier<T> call) {
    try {
      T r = call.get();
      assertTrue(
          !THROW_WHEN_TRACED.contains(spec.name()),
          where + ": listed in THROW_WHEN_TRACED, but compiled without a TracingException");
      return r;
    } catch (TracingException e) {
      THREW.add(spec.name());
      assertTrue(
          THROW_WHEN_TRACED.contains(spec.name()),
          where + ": threw a TracingException, but is not listed in THROW_WHEN_TRACED: " + e);
      assertTrue(
          VmapSpecTableTest.READS_VALUES.contains(spec.name()),
          where + ": only an operation that reads values may refuse to be traced: " + e);
      assertTrue(e.getMessage().contains("compileMulti"), e.getMessage());
      return null;
    }
  }

  @Test
  void drawingRandomNumbersThrowsWhenTraced() {
    List<Function<Tensor, Tensor>> draws =
        List.of(
            x -> x.add(Tensor.rand(3)),
            x -> x.add(Tensor.randn(3)),
            x -> x.add(Tensor.randint(0, 5, 3).to(DType.FLOAT64)),
            x -> x.add(Tensor.randperm(3).to(DType.FLOAT64)),
            x -> x.sigmoid().bernoulli().add(x),
            x -> x.sigmoid().multinomial(2, true).to(DType.FLOAT64).sum().add(x));
    List<String> messages = new ArrayList<>();
    for (Function<Tensor, Tensor> draw : draws) {
      var f = Autograd.compile(draw);
      TracingException e =
          assertThrows(TracingException.class, () -> f.apply(Tensor.of(0.1, 0.2, 0.3)));
      assertTrue(e.getMessage().contains("random"), e.getMessage());
      assertEquals(0, f.cacheSize(), "nothing is cached after a failed trace");
      messages.add(e.getMessage());
    }
    assertEquals(draws.size(), messages.size());
  }

  // ------------------------------------------------------------------ comparison

  static double tol(DType dtype) {
    return dtype == DType.FLOAT32 ? F32 : F64;
  }

  /** {@link #same(String, Tensor, Tensor, double)} for a value and its gradients. */
  static boolean same(
      String where, Autograd.ValueAndGrads e, Autograd.ValueAndGrads g, double rel) {
    boolean bitwise = same(where + " value", e.value(), g.value(), rel);
    assertEquals(e.grads().length, g.grads().length, where);
    for (int k = 0; k < e.grads().length; k++) {
      bitwise &= same(where + " gradient " + k, e.grads()[k], g.grads()[k], rel);
    }
    return bitwise;
  }

  /** Notes a compiled call of this table whose result is not eager's to the bit. */
  static void note(String where, boolean bitwise) {
    if (!bitwise) {
      NOT_BITWISE.add(where.lines().findFirst().orElse(where));
    }
  }

  /** Results not identical to the bit to eager (spec and dtype), for the report. */
  static final Set<String> NOT_BITWISE = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * Same shape and dtype, and each element equal to the bit or within {@code rel} of the larger
   * magnitude of the two; returns whether all were equal to the bit.
   */
  static boolean same(String where, Tensor e, Tensor g, double rel) {
    assertArrayEquals(e.shape(), g.shape(), where + ": shape");
    assertEquals(e.dtype(), g.dtype(), where + ": dtype");
    double[] ev = e.toDoubleArray();
    double[] gv = g.toDoubleArray();
    boolean bitwise = true;
    for (int k = 0; k < ev.length; k++) {
      if (Double.compare(ev[k], gv[k]) == 0) {
        continue;
      }
      bitwise = false;
      double bound = rel * Math.max(Math.abs(ev[k]), Math.abs(gv[k]));
      if (!(Math.abs(ev[k] - gv[k]) <= bound)) {
        fail(where + ": element " + k + " is " + gv[k] + ", eager gives " + ev[k]);
      }
    }
    return bitwise;
  }

  @org.junit.jupiter.api.AfterAll
  static void report() {
    System.out.println(
        "compile spec table: traced calls that threw: "
            + new java.util.TreeSet<>(THREW)
            + "; results not identical to the bit: "
            + new java.util.TreeSet<>(NOT_BITWISE));
  }
}
