package nabla;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import nabla.ProgramStep.Op;
import nabla.RandomProgram.Leaf;
import org.junit.jupiter.api.Test;

/**
 * Random programs ({@link RandomProgram}: unary, binary, reduction, shape, indexing, linear algebra
 * and user-defined steps over transposed, strided and expanded leaves) through {@link
 * Autograd#compileMulti}, in float64 and float32: the program itself, and {@code valueAndGrad} of a
 * weighted sum of its result. Each compiled function is traced on the program's leaves, then called
 * on them again, on other values with the same layouts, and on other values laid out contiguously
 * (the same signature: a plan does not depend on strides); every later result must equal eager on
 * the same leaves within 1e-12 (float64) or 1e-6 (float32) relative. In float64 the program is also
 * called on leaves that require grad (the replayed path): its result's gradients must be eager's.
 *
 * <p>A program that writes in place or reads a traced value must throw a {@link TracingException}
 * at its first call; the test counts those and checks that only the operations listed in {@link
 * #REFUSED} caused them. The run prints one line with the counts; {@code
 * -Dnabla.compile.programs=N} changes the number of programs, {@code -Dnabla.compile.verbose=true}
 * prints every mismatch (also those of {@link #KNOWN_BUG} programs) with its operations.
 */
@org.junit.jupiter.api.extension.ExtendWith(FuseSmallTensors.class)
class CompileRandomProgramTest {

  static final long SEED = 20261201L;
  static final int DEFAULT_PROGRAMS = 5000;

  /**
   * Operations whose programs may refuse to be traced: in-place writes, and det/slogdet, whose LU
   * factorisation reads the matrix on the Java side outside a primitive.
   */
  static final Set<Op> REFUSED =
      EnumSet.of(
          Op.INPLACE_ADD_MUL_Y,
          Op.INPLACE_THROUGH_VIEW,
          Op.INPLACE_UNARY,
          Op.LINALG_DET_OR_SLOGDET);

  /**
   * Operations that hit a known bug of compile (programs using them are run and counted, but a
   * mismatch in them does not fail the test): none; those of {@link CompileKnownBugsTest} are
   * fixed.
   */
  static final Set<Op> KNOWN_BUG =
      EnumSet.noneOf(Op.class); // its result y.detach() with a hand-made node

  @Test
  void randomProgramsCompileToEagerValuesAndGradients() {
    int programs = Integer.getInteger("nabla.compile.programs", DEFAULT_PROGRAMS);
    long start = System.nanoTime();
    Map<Integer, String> mismatches = new TreeMap<>();
    Map<Integer, String> knownBug = new TreeMap<>();
    Map<Integer, String> refused = new TreeMap<>();
    int compiledCalls = 0;
    int withKnownBug = 0;
    for (int i = 0; i < programs; i++) {
      RandomProgram p = RandomProgram.generate(RandomCompositionProperties.programSeed(SEED, i));
      if (p.steps().stream().anyMatch(s -> KNOWN_BUG.contains(s.op()))) {
        withKnownBug++;
      }
      String problem;
      try {
        compiledCalls += check(p);
        continue;
      } catch (TracingException e) {
        boolean allowed = p.steps().stream().anyMatch(s -> REFUSED.contains(s.op()));
        if (allowed) {
          refused.put(i, e.getMessage());
          continue;
        }
        problem = "TracingException: " + e.getMessage();
      } catch (AssertionError | RuntimeException e) {
        problem = e.toString();
      }
      String where = "program " + i + ": " + p + "\n  " + p.trace() + "\n  " + problem;
      if (p.steps().stream().anyMatch(s -> KNOWN_BUG.contains(s.op()))) {
        knownBug.put(i, where);
      } else {
        mismatches.put(i, where);
      }
    }
    System.out.printf(
        "compile random programs: %d programs, %d mismatches; %d of %d programs with a known bug"
            + " mismatch; %d refused to trace (in place, det); %d compiled calls (%.1f s)%n",
        programs,
        mismatches.size(),
        knownBug.size(),
        withKnownBug,
        refused.size(),
        compiledCalls,
        (System.nanoTime() - start) / 1e9);
    if (Boolean.getBoolean("nabla.compile.verbose")) {
      for (Map<Integer, String> m : List.of(mismatches, knownBug)) {
        m.forEach(
            (i, why) ->
                System.out.println(
                    (m == mismatches ? "mismatch " : "known bug ")
                        + i
                        + ": "
                        + ops(i)
                        + " "
                        + why.substring(why.lastIndexOf("\n  ") + 3)));
      }
      System.out.println("uncompiled: " + UNCOMPILED);
    }
    assertTrue(refused.size() < programs / 4, "most programs must compile: " + refused.size());
    if (!mismatches.isEmpty()) {
      int first = mismatches.keySet().iterator().next();
      fail(
          mismatches.size()
              + " programs differ from eager when compiled, indices "
              + mismatches.keySet().stream().limit(20).toList()
              + "\n"
              + mismatches.get(first));
    }
  }

  /** The operations of program i. */
  static List<Op> ops(int i) {
    return RandomProgram.generate(RandomCompositionProperties.programSeed(SEED, i)).steps().stream()
        .map(ProgramStep::op)
        .toList();
  }

  /** Why programs ran uncompiled (the plan could not be built), with counts. */
  static final Map<String, Integer> UNCOMPILED = new TreeMap<>();

  /** The leaf with other values (v·0.9 + 0.05: equal values stay equal, as EXPANDED needs). */
  static Leaf perturbed(Leaf l, boolean contiguous) {
    double[] v = l.values().clone();
    for (int i = 0; i < v.length; i++) {
      v[i] = contiguous ? v[i] * -0.8 + 0.1 : v[i] * 0.9 + 0.05;
    }
    return contiguous ? l.withValues(v) : new Leaf(l.shape(), l.layout(), l.dim(), v);
  }

  /** Runs every comparison of one program; returns the number of compiled calls checked. */
  static int check(RandomProgram p) {
    int calls = 0;
    RandomProgram same =
        new RandomProgram(perturbed(p.x(), false), perturbed(p.y(), false), p.steps());
    RandomProgram flat =
        new RandomProgram(perturbed(p.x(), true), perturbed(p.y(), true), p.steps());
    Function<Tensor[], Tensor> run = t -> p.run(t[0], t[1]);
    Function<Tensor[], Autograd.ValueAndGrads> vg =
        Autograd.valueAndGrad(
            t -> {
              Tensor r = p.run(t[0], t[1]);
              return r.mul(CompileSpecTableTest.weights(r)).sum();
            },
            0,
            1);
    for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
      double rel = CompileSpecTableTest.tol(dtype);
      List<Tensor[]> inputs =
          List.of(
              p.leaves(dtype, false),
              p.leaves(dtype, false),
              same.leaves(dtype, false),
              flat.leaves(dtype, false));
      Compiled<Tensor[], Tensor> f = Autograd.compileMulti(run);
      Compiled<Tensor[], Autograd.ValueAndGrads> g = Autograd.compileMulti(vg);
      for (int k = 0; k < inputs.size(); k++) {
        Tensor[] in = inputs.get(k);
        String where = dtype + " call " + k;
        CompileSpecTableTest.same(where, run.apply(in), f.apply(in), k == 0 ? 0 : rel);
        CompileSpecTableTest.same(where + " valueAndGrad", vg.apply(in), g.apply(in), rel);
        calls += 2;
      }
      for (String plan : List.of(f.plan(), g.plan())) {
        if (plan.startsWith("(runs uncompiled")) {
          UNCOMPILED.merge(
              plan.strip() + " " + p.steps().stream().map(ProgramStep::op).toList(),
              1,
              Integer::sum);
        }
      }
      if (f.traceCount() != 1 || g.traceCount() != 1) {
        throw new AssertionError(dtype + ": one signature must trace once");
      }
    }
    // replayed: leaves that require grad, gradients through the compiled result's graph
    Compiled<Tensor[], Tensor> r = Autograd.compileMulti(run);
    List<RandomProgram> versions = List.of(p, same, flat);
    for (int k = 0; k < versions.size(); k++) {
      Tensor[] in = versions.get(k).leaves(DType.FLOAT64, true);
      Tensor eager = run.apply(in);
      Tensor y = r.apply(in);
      String where = "replayed call " + k;
      CompileSpecTableTest.same(where, eager, y, CompileSpecTableTest.F64);
      Tensor[] e = CompileSpecTableTest.grads(eager, in, new int[] {0, 1});
      Tensor[] c = CompileSpecTableTest.grads(y, in, new int[] {0, 1});
      CompileSpecTableTest.same(where + " gradient of x", e[0], c[0], CompileSpecTableTest.F64);
      CompileSpecTableTest.same(where + " gradient of y", e[1], c[1], CompileSpecTableTest.F64);
      calls++;
    }
    return calls;
  }
}
