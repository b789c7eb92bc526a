package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import nabla.ops.PrimitiveSpecs;
import nabla.ops.PrimitiveSpecs.Spec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The batched Jacobians behind {@code jacrev} and {@code hessian} (vmap of the VJP over the rows of
 * the identity) against the per-row loop they replace, for every entry of the primitive spec table
 * (float64).
 */
class BatchedJacobianTest {
  static Stream<Spec> specs() {
    return PrimitiveSpecs.all().stream();
  }

  /**
   * Compares the batched Jacobian (vmap of the VJP, which also batches user-defined functions and
   * checkpoints) with the loop, directly and through {@code Autograd.jacrev}.
   */
  private static void check(String what, Function<Tensor, Tensor> f, Tensor x, double tol) {
    Tensor looped = Autograd.jacrevLooped(f, x);
    Tensor batched = Autograd.jacrevBatched(f, x);
    String plan = Vmap.lastPlan();
    // every primitive has a batching rule: no step runs per example, and vmap never falls back to
    // the loop (Jacobians of a few rows are looped on purpose and do not call vmap)
    int rows = looped.numel() / Math.max(1, x.numel());
    if (rows > Transforms.LOOPED_ROWS) {
      assertEquals("batched", plan, what);
    }
    assertNotNull(batched, what + ": not batched");
    assertSame(what + " (batched)", looped, batched, tol);
    assertSame(what + " (Autograd.jacrev)", looped, Autograd.jacrev(f, x), tol);
  }

  private static Tensor[] inputs(Spec spec, long seed) {
    Random r = new Random(seed);
    Tensor[] in = new Tensor[spec.args().size()];
    for (int i = 0; i < in.length; i++) {
      in[i] = spec.args().get(i).make(r);
    }
    return in;
  }

  /** The spec's function of argument {@code k} alone, the other arguments held fixed. */
  private static Function<Tensor, Tensor> of(Spec spec, Tensor[] args, int k) {
    return t -> {
      Tensor[] a = args.clone();
      a[k] = t;
      return spec.f().apply(a);
    };
  }

  /** A nonlinear scalar of the spec's output, so the Hessian goes through the VJP rules. */
  private static Function<Tensor, Tensor> scalarOf(Function<Tensor, Tensor> f) {
    return t -> {
      Tensor y = f.apply(t);
      return y.mul(y.sin()).sum();
    };
  }

  private static void assertSame(String what, Tensor expected, Tensor actual, double tol) {
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
    double[] e = expected.toDoubleArray();
    double[] a = actual.toDoubleArray();
    for (int i = 0; i < e.length; i++) {
      if (!(Math.abs(e[i] - a[i]) <= tol * (1 + Math.abs(e[i])))) {
        fail(what + ": element " + i + " is " + a[i] + " batched, " + e[i] + " looped");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void batchedJacobianEqualsTheLoop(Spec spec) {
    Tensor[] args = inputs(spec, 7);
    double tol = spec.tolerance() * 1e-3;
    for (int k = 0; k < args.length; k++) {
      if (!spec.args().get(k).differentiable()) {
        continue;
      }
      check(spec + " jacobian wrt argument " + k, of(spec, args, k), args[k], tol);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void batchedHessianEqualsTheLoop(Spec spec) {
    Tensor[] args = inputs(spec, 11);
    double tol = spec.tolerance() * 1e-3;
    for (int k = 0; k < args.length; k++) {
      if (!spec.args().get(k).differentiable()) {
        continue;
      }
      Function<Tensor, Tensor> scalar = scalarOf(of(spec, args, k));
      check(spec + " hessian wrt argument " + k, Autograd.grad(scalar), args[k], tol);
      assertSame(
          spec + " Autograd.hessian wrt argument " + k,
          Autograd.jacrevLooped(Autograd.grad(scalar), args[k]),
          Autograd.hessian(scalar, args[k]),
          tol);
    }
  }

  @Test
  void customFunctionsAndCheckpointsAreBatchedByVmap() {
    for (Spec spec : PrimitiveSpecs.all()) {
      if (spec.kind() == nabla.ops.PrimitiveKind.CUSTOM) {
        Tensor[] args = inputs(spec, 3);
        Function<Tensor, Tensor> f = of(spec, args, 0);
        Tensor j = Autograd.jacrevBatched(f, args[0]);
        int rows = j.numel() / Math.max(1, args[0].numel());
        assertTrue(rows > Transforms.LOOPED_ROWS, spec.name() + ": " + rows + " rows, looped");
        assertTrue(Vmap.lastPlan().startsWith("batched"), spec.name() + ": " + Vmap.lastPlan());
        assertSame(spec.name(), Autograd.jacrevLooped(f, args[0]), j, 1e-12);
      }
    }
  }

  /**
   * Jacobians of at most LOOPED_ROWS seed rows run as a loop, larger ones through vmap: both
   * orientations (jacrev's rows, jacfwd's columns) against the analytic Jacobian of a function
   * whose Jacobian is not symmetric, on each side of the threshold.
   */
  @Test
  void loopedAndBatchedJacobiansAgreeOnEachSideOfTheThreshold() {
    for (int n = 1; n <= Transforms.LOOPED_ROWS + 2; n++) {
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] = 0.3 * i - 0.2;
      }
      Tensor x = Tensor.ofDoubles(v, n);
      Function<Tensor, Tensor> f = t -> t.sin().mul(t.sum()).add(t.square());
      double sum = 0;
      for (double e : v) {
        sum += e;
      }
      double[] expected = new double[n * n]; // J[i][j] = d f_i / d x_j
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          expected[i * n + j] = Math.sin(v[i]) + (i == j ? Math.cos(v[i]) * sum + 2 * v[i] : 0);
        }
      }
      assertArrayEquals(expected, Autograd.jacrev(f, x).toDoubleArray(), 1e-14, "jacrev n=" + n);
      assertArrayEquals(expected, Autograd.jacfwd(f, x).toDoubleArray(), 1e-14, "jacfwd n=" + n);
      Autograd.MultiOutputFunction g = a -> new Tensor[] {f.apply(a[0])};
      Tensor[][] blocks = Autograd.jacfwd(g, x);
      assertArrayEquals(expected, blocks[0][0].toDoubleArray(), 1e-14, "jacfwd (multi) n=" + n);
      Tensor[][] rev = Autograd.jacrev(g, x);
      assertArrayEquals(expected, rev[0][0].toDoubleArray(), 1e-14, "jacrev (multi) n=" + n);
    }
  }

  @Test
  void zeroDimensionalInputAndOutput() {
    Tensor x = Tensor.scalar(0.3, DType.FLOAT64);
    Tensor j = Autograd.jacrevBatched(t -> t.sin().mul(t), x);
    assertArrayEquals(new int[0], j.shape());
    assertEquals(Math.cos(0.3) * 0.3 + Math.sin(0.3), j.item(), 1e-12);
    Tensor v = Tensor.ofDoubles(new double[] {0.1, 0.2, 0.3}, 3);
    Tensor toScalar = Autograd.jacrevBatched(t -> t.mul(t).sum(), v);
    assertArrayEquals(new double[] {0.2, 0.4, 0.6}, toScalar.toDoubleArray(), 1e-12);
    Tensor fromScalar = Autograd.jacrevBatched(t -> t.mul(v), x);
    assertArrayEquals(new int[] {3}, fromScalar.shape());
    assertArrayEquals(v.toDoubleArray(), fromScalar.toDoubleArray(), 0);
  }

  @Test
  void identityAndConstantFunctions() {
    Tensor x = Tensor.ofDoubles(new double[] {1, 2, 3, 4}, 2, 2);
    Tensor id = Autograd.jacrevBatched(t -> t, x);
    assertSame("identity", Autograd.jacrevLooped(t -> t, x), id, 0);
    Tensor other = Tensor.ofDoubles(new double[] {5, 6}, 2).requiresGrad(true);
    Function<Tensor, Tensor> ignoresX = t -> other.mul(2).add(t.sum().mul(0).detach());
    assertSame("constant", Autograd.jacrevLooped(ignoresX, x), Autograd.jacrev(ignoresX, x), 0);
  }

  @Test
  void aCustomFunctionIsBatchedThroughItsVjpRule() {
    CustomFunction cube =
        CustomFunction.of(
            "Cube",
            in -> in[0].mul(in[0]).mul(in[0]),
            (g, out, in) -> new Tensor[] {g.mul(in[0].mul(in[0]).mul(3))});
    Tensor x = Tensor.ofDoubles(new double[] {0.5, -1, 2}, 3);
    Function<Tensor, Tensor> f = t -> cube.apply(t.sin()).mul(t);
    assertSame("batched", Autograd.jacrevLooped(f, x), Autograd.jacrevBatched(f, x), 0);
    assertEquals("batched", Vmap.lastPlan()); // the custom VJP rule's operations, batched
    assertSame("jacrev", Autograd.jacrevLooped(f, x), Autograd.jacrev(f, x), 0);
    Function<Tensor, Tensor> s = t -> f.apply(t).sum();
    Tensor h = Autograd.hessian(s, x);
    assertSame("hessian", Autograd.jacrevLooped(Autograd.grad(s), x), h, 0);
    // diag(d²/dx² of sin³x·x), computed by hand.
    double[] hv = h.toDoubleArray();
    for (int i = 0; i < 3; i++) {
      double v = x.toDoubleArray()[i];
      double sn = Math.sin(v);
      double cs = Math.cos(v);
      double d2 = 6 * sn * sn * cs + v * (6 * sn * cs * cs - 3 * sn * sn * sn);
      assertEquals(d2, hv[i * 3 + i], 1e-10);
    }
  }

  @Test
  void chunkedWhenRowsDoNotFit() {
    long saved = Engine.batchElements;
    Engine.batchElements = 1000; // 50-element gradients: 20 rows per pass, 3 passes
    try {
      Tensor x = Tensor.linspace(-1, 1, 50).to(DType.FLOAT64);
      Function<Tensor, Tensor> f = t -> t.sin().mul(t.sum());
      Tensor j = Autograd.jacrevBatched(f, x);
      assertArrayEquals(new int[] {50, 50}, j.shape());
      assertSame("chunked", Autograd.jacrevLooped(f, x), j, 1e-12);
      Function<Tensor, Tensor> s = t -> t.pow(3).mul(t.sin()).sum();
      assertSame(
          "chunked hessian",
          Autograd.jacrevLooped(Autograd.grad(s), x),
          Autograd.hessian(s, x),
          1e-12);
    } finally {
      Engine.batchElements = saved;
    }
  }

  @Test
  void nestedTransformsDifferentiateTheBatchedPass() {
    Tensor x = Tensor.ofDoubles(new double[] {0.3, -0.7, 1.1}, 3);
    Function<Tensor, Tensor> f = t -> t.pow(3).mul(t.sin()).sum();
    // Third derivative: grad of a function of the Hessian (the batched pass builds a graph).
    Function<Tensor, Tensor> traceOfHessian =
        t -> Autograd.hessian(f, t).mul(Tensor.eye(3).to(DType.FLOAT64)).sum();
    Function<Tensor, Tensor> traceLooped =
        t -> Autograd.jacrevLooped(Autograd.grad(f), t).mul(Tensor.eye(3).to(DType.FLOAT64)).sum();
    Tensor third = Autograd.grad(traceOfHessian).apply(x);
    assertSame("d/dx tr H", Autograd.grad(traceLooped).apply(x), third, 1e-12);
    // Forward over the batched reverse pass: d/dε H(x + ε v).
    Tensor v = Tensor.ofDoubles(new double[] {1, 2, -1}, 3);
    Tensor fwd = Autograd.jvp(t -> Autograd.hessian(f, t), x, v);
    Tensor fwdLooped = Autograd.jvp(t -> Autograd.jacrevLooped(Autograd.grad(f), t), x, v);
    assertSame("jvp of H", fwdLooped, fwd, 1e-12);
    assertTrue(Math.abs(fwd.toDoubleArray()[0]) > 0);
  }
}
