package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import nabla.ops.PrimitiveSpecs;
import nabla.ops.PrimitiveSpecs.Arg;
import nabla.ops.PrimitiveSpecs.Spec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * vmap against the loop for every spec of the primitive table (the inputs GradCheck uses, with
 * broadcasting and 0-d cases): vmap(f)(X) must equal stacking f(X[i]) bit for bit (but for {@link
 * #NOT_BIT_IDENTICAL}), for three choices of which arguments are mapped, and must actually run
 * batched (not fall back to the loop) unless the operation reads values in Java.
 */
class VmapSpecTableTest {
  static final int N = 3;

  /**
   * Specs whose batched result may differ from the loop's in the last bits (within 8 ulps): none
   * since the Vector API kernels compute the tail of a call with the same vector code as the rest
   * (log_softmax/middle used to differ: its exp tail, and so its values, depended on the number of
   * rows). (Larger matrix products may take another GEMM path batched than per example, within
   * float rounding: see PerExampleGradients.)
   */
  static final java.util.Set<String> NOT_BIT_IDENTICAL = java.util.Set.of();

  /** Specs whose operation reads values on the Java side (so vmap may only loop over them). */
  static final java.util.Set<String> READS_VALUES =
      java.util.Set.of(
          "cummax",
          "cummin",
          "sort",
          "topk",
          "kthvalue",
          "median",
          "median/all",
          "quantile",
          "mode",
          "bincount",
          "take",
          "masked_select");

  static Stream<Spec> specs() {
    return PrimitiveSpecs.all().stream();
  }

  /** A batch of N different inputs for a differentiable argument, N copies of a constant. */
  static Tensor batch(Arg a, Random r) {
    Tensor[] rows = new Tensor[N];
    for (int i = 0; i < N; i++) {
      rows[i] = a.make(r);
    }
    return Tensor.stack(0, rows);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void equalsTheLoop(Spec spec) {
    Random r = new Random(7);
    List<Arg> args = spec.args();
    Tensor[] batched = new Tensor[args.size()];
    Tensor[] whole = new Tensor[args.size()];
    for (int i = 0; i < args.size(); i++) {
      batched[i] = batch(args.get(i), r);
      whole[i] = args.get(i).make(r);
    }
    // 0: the differentiable arguments mapped, constants not; 1: only the first mapped;
    // 2: every argument mapped (constants as N equal rows: index and mask tensors batched too)
    for (int variant = 0; variant < 3; variant++) {
      Integer[] axes = new Integer[args.size()];
      Tensor[] in = new Tensor[args.size()];
      for (int i = 0; i < args.size(); i++) {
        boolean mapped =
            switch (variant) {
              case 0 -> args.get(i).differentiable();
              case 1 -> i == 0;
              default -> true;
            };
        axes[i] = mapped ? 0 : null;
        in[i] = mapped ? batched[i] : whole[i];
      }
      if (java.util.Arrays.stream(axes).allMatch(a -> a == null)) {
        continue;
      }
      Tensor y;
      try {
        y = Autograd.vmap(a -> spec.f().apply(a), axes, 0).apply(in);
      } catch (RuntimeException e) {
        throw new AssertionError(spec + " variant " + variant + ": " + e, e);
      }
      String plan = Vmap.lastPlan();
      Tensor[] rows = new Tensor[N];
      for (int b = 0; b < N; b++) {
        Tensor[] ex = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) {
          ex[i] = axes[i] == null ? in[i] : in[i].get(b);
        }
        rows[b] = spec.f().apply(ex);
      }
      Tensor expected = Tensor.stack(0, rows);
      String where = spec + " variant " + variant + " (" + plan + ")";
      assertArrayEquals(expected.shape(), y.shape(), where);
      assertEquals(expected.dtype(), y.dtype(), where);
      double[] e = expected.toDoubleArray();
      double[] g = y.toDoubleArray();
      for (int k = 0; k < e.length; k++) {
        // bit for bit, except where the kernel's path depends on the number of rows
        double tol =
            NOT_BIT_IDENTICAL.contains(spec.name())
                ? 8 * Math.ulp(1.0) * Math.max(1, Math.abs(e[k]))
                : 0;
        if (!(Double.compare(e[k], g[k]) == 0 || Math.abs(e[k] - g[k]) <= tol)) {
          fail(where + ": element " + k + " is " + g[k] + ", the loop gives " + e[k]);
        }
      }
      if (READS_VALUES.contains(spec.name())) {
        // computed on the Java side from the values (sorting, counting, boolean masks): the trace
        // sees the read and vmap runs the loop, unless only unmapped arguments were read
        assertTrue(
            plan.startsWith("batched") || plan.contains("read the value of a traced tensor"),
            where);
      } else if (spec.kind() == nabla.ops.PrimitiveKind.CUSTOM) {
        // a user-defined function has no batching rule: its step runs per example
        assertTrue(plan.startsWith("batched"), where + ": ran the loop");
      } else {
        assertEquals("batched", plan, where + ": a primitive without a batching rule");
      }
    }
  }
}
