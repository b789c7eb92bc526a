package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * vmap composed with the other transforms, each against the loop it replaces, and which of them run
 * batched ({@link Vmap#lastPlan()}): the batched path must be taken, not just give the same numbers
 * through the fallback.
 */
class VmapCompositionTest {
  static final Tensor X = new Generator(3).randn(5, 4).to(DType.FLOAT64);
  static final Tensor W = new Generator(4).randn(4, 3).to(DType.FLOAT64);

  static Tensor loop(Function<Tensor, Tensor> f, Tensor x) {
    Tensor[] rows = new Tensor[x.shape()[0]];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = f.apply(x.get(i));
    }
    return Tensor.stack(0, rows);
  }

  static void assertClose(Tensor expected, Tensor actual, double tol) {
    assertArrayEquals(expected.shape(), actual.shape());
    assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), tol);
  }

  static String plan() {
    return Vmap.lastPlan();
  }

  @Test
  void perExampleGradientsAreBatched() {
    Function<Tensor, Tensor> loss = x -> x.matmul(W).tanh().pow(2).sum();
    Tensor g = Autograd.vmap(Autograd.grad(loss)).apply(X);
    assertEquals("batched", plan());
    assertClose(loop(Autograd.grad(loss), X), g, 1e-14);
    // gradients with respect to an unmapped weight, per example (in_axes = (None, 0))
    Autograd.MultiFunction perExample =
        Autograd.vmap(
            a ->
                Autograd.gradWrt(b -> b[1].matmul(b[0]).tanh().sum(), 0)
                    .apply(new Tensor[] {a[0], a[1]})[0],
            new Integer[] {null, 0},
            0);
    Tensor gw = perExample.apply(W, X);
    assertEquals("batched", plan());
    assertArrayEquals(new int[] {5, 4, 3}, gw.shape());
    for (int i = 0; i < 5; i++) {
      Tensor row = X.get(i);
      assertClose(Autograd.grad(w -> row.matmul(w).tanh().sum()).apply(W), gw.get(i), 1e-14);
    }
  }

  @Test
  void gradAndJvpThroughVmap() {
    Function<Tensor, Tensor> f = r -> r.sin().mul(r.sum()).logSoftmax(0);
    Tensor g = Autograd.grad(x -> Autograd.vmap(f).apply(x).mul(X).sum()).apply(X);
    assertEquals("batched", plan());
    Tensor expected = Autograd.grad(x -> loop(f, x).mul(X).sum()).apply(X);
    assertClose(expected, g, 1e-14);
    Tensor v = X.cos();
    Tensor t = Autograd.jvp(Autograd.vmap(f), X, v);
    assertEquals("batched", plan());
    assertClose(Autograd.jvp(x -> loop(f, x), X, v), t, 1e-14);
    // second order through vmap: GradCheck compares with finite differences
    GradCheck.assertGradients(
        a -> Autograd.vmap(r -> r.tanh().mul(r.sum())).apply(a[0]).sum(),
        X.copy().requiresGrad(true));
  }

  @Test
  void vmapOfJvpAndOfVmap() {
    Function<Tensor, Tensor> f = r -> r.exp().mul(r.sum());
    // vmap(jvp): the tangent computations of a level opened inside the trace are replayed
    Tensor dirs = X.cos();
    Tensor t =
        Autograd.vmap(a -> Autograd.jvp(f, a[0], a[1]), new Integer[] {0, 0}, 0).apply(X, dirs);
    assertEquals("batched", plan());
    Tensor[] rows = new Tensor[5];
    for (int i = 0; i < 5; i++) {
      rows[i] = Autograd.jvp(f, X.get(i), dirs.get(i));
    }
    assertClose(Tensor.stack(0, rows), t, 1e-14);
    // vmap(vmap): two dimensions; the outer trace records the inner batched replay
    Tensor cube = new Generator(5).randn(3, 5, 4).to(DType.FLOAT64);
    Function<Tensor, Tensor> inner = Autograd.vmap(r -> r.mul(r.sum()).tanh());
    Tensor twice = Autograd.vmap(inner).apply(cube);
    assertEquals("batched", plan());
    assertClose(loop(inner, cube), twice, 0);
    // vmap(vmap(grad)): per-example gradients of a doubly batched function
    Tensor gg = Autograd.vmap(Autograd.vmap(Autograd.grad(r -> r.pow(3).sum()))).apply(cube);
    assertEquals("batched", plan());
    assertClose(cube.pow(2).mul(3), gg, 1e-14);
  }

  @Test
  void noGradScopeInsideTheFunction() {
    Tensor x = X.copy().requiresGrad(true);
    Function<Tensor, Tensor> f =
        r -> {
          Tensor scale;
          try (var g = Autograd.noGrad()) {
            scale = r.abs().sum();
          }
          return r.mul(scale);
        };
    Tensor y = Autograd.vmap(f).apply(x);
    assertEquals("batched", plan());
    assertClose(loop(f, X), y, 0);
    y.sum().backward();
    // the scale is a constant for the gradient: d/dx sum(x * c) = c
    assertClose(X.abs().sum(new int[] {1}, true).expand(5, 4), x.grad(), 1e-14);
  }

  @Test
  void customFunctionsRunPerExampleInsideABatchedProgram() {
    CustomFunction cube =
        CustomFunction.of(
            "Cube",
            in -> in[0].mul(in[0]).mul(in[0]),
            (g, out, in) -> new Tensor[] {g.mul(in[0].mul(in[0]).mul(3))});
    Function<Tensor, Tensor> f = r -> cube.apply(r.sin()).sum();
    Tensor y = Autograd.vmap(f).apply(X);
    assertEquals("batched; looped steps: [Cube]", plan()); // named in the note too
    assertClose(loop(f, X), y, 0);
  }

  @Test
  void whatMakesVmapRunTheLoop() {
    // a Java branch on a value
    Function<Tensor, Tensor> branch = r -> r.sum().item() > 0 ? r.exp() : r.neg();
    assertClose(loop(branch, X), Autograd.vmap(branch).apply(X), 0);
    assertTrue(plan().startsWith("loop: item()"), plan());
    // an in-place write
    Function<Tensor, Tensor> inPlace = r -> r.mul(2).addInPlace(Tensor.scalar(1.0));
    assertClose(loop(inPlace, X), Autograd.vmap(inPlace).apply(X), 0);
    assertTrue(plan().startsWith("loop:") && plan().contains("in place"), plan());
    // printing a traced value
    Function<Tensor, Tensor> printing = r -> Tensor.scalar(r.toString().length());
    Autograd.vmap(printing).apply(X);
    assertTrue(plan().contains("printing"), plan());
    // random numbers: drawn per example, in order, exactly as the loop draws them
    Function<Tensor, Tensor> noisy = r -> r.add(Tensor.randn(4).to(DType.FLOAT64));
    Generator.manualSeed(11);
    Tensor mapped = Autograd.vmap(noisy).apply(X);
    assertTrue(plan().contains("drew random numbers"), plan());
    Generator.manualSeed(11);
    assertClose(loop(noisy, X), mapped, 0);
  }

  @Test
  void jacobiansAreBatched() {
    Tensor x = X.get(0);
    Function<Tensor, Tensor> f = r -> r.sin().mul(r.sum()).matmul(W).tanh();
    // jacfwd is vmap of the JVP over the identity's rows: one batched forward pass
    Tensor jf = Autograd.jacfwd(f, x);
    assertEquals("batched", plan());
    Tensor[] cols = new Tensor[4];
    for (int j = 0; j < 4; j++) {
      cols[j] = Autograd.jvp(f, x, Tensor.eye(4).to(DType.FLOAT64).get(j));
    }
    assertClose(Tensor.stack(1, cols), jf, 1e-14);
    assertClose(Autograd.jacrevLooped(f, x), jf, 1e-14);
    // several inputs and outputs
    Tensor[][] blocks =
        Autograd.jacfwd(a -> new Tensor[] {a[0].mul(a[1]).sum(), a[0].exp()}, x, x.cos());
    assertEquals("batched", plan());
    assertClose(x.cos(), blocks[0][0], 1e-15);
    assertClose(x, blocks[0][1], 1e-15);
    assertClose(x.exp().diag(), blocks[1][0], 1e-15);
    assertClose(Tensor.zeros(DType.FLOAT64, 4, 4), blocks[1][1], 0);
    // jacrev through a custom function (no batched engine rule): vmap of the VJP
    CustomFunction square =
        CustomFunction.of(
            "Square", in -> in[0].mul(in[0]), (g, out, in) -> new Tensor[] {g.mul(in[0]).mul(2)});
    Function<Tensor, Tensor> h = r -> square.apply(r.sin()).matmul(W);
    Tensor jr = Autograd.jacrev(h, x);
    assertEquals("batched", plan());
    assertClose(Autograd.jacrevLooped(h, x), jr, 1e-14);
  }

  @Test
  void chunkedReplayEqualsOneReplay() {
    Function<Tensor, Tensor> f = r -> r.exp().mul(r.sum()).cumsum(0);
    Tensor whole = Vmap.mapInChunks(f, X, Long.MAX_VALUE);
    Tensor chunked = Vmap.mapInChunks(f, X, 8); // 4-element values: 2 rows per chunk, 3 chunks
    assertEquals("batched", plan());
    assertClose(loop(f, X), whole, 0);
    assertClose(whole, chunked, 0);
  }

  /** A primitive whose batching rule is wrong on purpose (it doubles instead of tripling). */
  static final class WrongRule extends nabla.ops.Primitive {
    @Override
    public nabla.ops.PrimitiveKind kind() {
      return nabla.ops.PrimitiveKind.CUSTOM;
    }

    @Override
    public Tensor forward(Tensor... in) {
      return in[0].mul(3);
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor out, Tensor[] in, boolean[] needs) {
      return new Tensor[] {g.mul(3)};
    }

    @Override
    public Tensor batch(Tensor[] in, boolean[] batched) {
      return in[0].mul(2);
    }
  }

  /** A primitive whose batching rule throws (a bug in a rule must not fail the user's call). */
  static final class ThrowingRule extends nabla.ops.Primitive {
    @Override
    public nabla.ops.PrimitiveKind kind() {
      return nabla.ops.PrimitiveKind.CUSTOM;
    }

    @Override
    public Tensor forward(Tensor... in) {
      return in[0].neg();
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor out, Tensor[] in, boolean[] needs) {
      return new Tensor[] {g.neg()};
    }

    @Override
    public Tensor batch(Tensor[] in, boolean[] batched) {
      throw new IllegalStateException("broken rule");
    }
  }

  @Test
  void aRuleThatThrowsFallsBackToTheLoop() {
    Function<Tensor, Tensor> f = r -> Engine.apply(new ThrowingRule(), r.exp()).sum();
    Tensor y = Autograd.vmap(f).apply(X);
    assertTrue(plan().contains("broken rule"), plan());
    assertClose(loop(f, X), y, 0);
  }

  @Test
  void aWrongRuleIsCaughtByTheRowCheck() {
    Function<Tensor, Tensor> f = r -> Engine.apply(new WrongRule(), r.sin());
    Tensor y = Autograd.vmap(f).apply(X);
    assertTrue(plan().startsWith("loop: row 0"), plan());
    assertClose(X.sin().mul(3), y, 0);
  }

  @Test
  void aConstantThatDependsOnTheDataIsCaught() {
    // computed in Java from the data without a read the trace sees (a stand-in for code that
    // reads storage() directly): the two traced examples disagree, so vmap loops
    Function<Tensor, Tensor> f =
        r -> r.mul(Tensor.scalar((double) System.identityHashCode(r), DType.FLOAT64));
    Tensor y = Autograd.vmap(f).apply(X);
    assertTrue(plan().contains("differs between examples 0 and 1"), plan());
    assertArrayEquals(new int[] {5, 4}, y.shape());
    // a Java-side counter (state outside the function's arguments): the same
    int[] calls = {0};
    Function<Tensor, Tensor> counting = r -> r.add(Tensor.scalar(calls[0]++, DType.FLOAT64));
    Tensor z = Autograd.vmap(counting).apply(X);
    assertTrue(plan().startsWith("loop:"), plan());
    assertClose(X.add(Tensor.arange(5.0).to(DType.FLOAT64).reshape(5, 1)), z, 0);
  }

  @Test
  void checkpointsInsideVmapOfGrad() {
    Function<Tensor, Tensor> loss =
        r -> Autograd.checkpoint(t -> t.sin().mul(t).tanh(), r).matmul(W).sum();
    Tensor g = Autograd.vmap(Autograd.grad(loss)).apply(X);
    assertTrue(plan().startsWith("batched"), plan());
    assertClose(loop(Autograd.grad(loss), X), g, 1e-14);
  }

  @Test
  void threadsMapIndependently() throws Exception {
    Function<Tensor, Tensor> f = r -> r.exp().mul(r.sum()).matmul(W);
    Function<Tensor, Tensor> h = Autograd.grad(r -> r.pow(3).sum());
    Tensor expectedF = loop(f, X);
    Tensor expectedH = loop(h, X);
    var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      var a =
          pool.submit(
              () -> {
                for (int i = 0; i < 200; i++) {
                  assertClose(expectedF, Autograd.vmap(f).apply(X), 0);
                  assertEquals("batched", plan());
                }
                return true;
              });
      var b =
          pool.submit(
              () -> {
                for (int i = 0; i < 200; i++) {
                  assertClose(expectedH, Autograd.vmap(h).apply(X), 1e-14);
                  assertEquals("batched", plan());
                }
                return true;
              });
      assertTrue(a.get() && b.get());
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void severalResults() {
    Tensor b = Tensor.ofDoubles(new double[] {0.1, -0.2, 0.3}, 3);
    // per-example gradients of a weight and a bias, each stacked on its own
    Autograd.MultiOutputFunction grads =
        a ->
            Autograd.gradWrt(p -> p[2].matmul(p[0]).add(p[1]).tanh().sum(), 0, 1)
                .apply(new Tensor[] {a[0], a[1], a[2]});
    Tensor[] g = Autograd.vmapOutputs(grads, new Integer[] {null, null, 0}, 0).apply(W, b, X);
    assertEquals("batched", plan());
    assertEquals(2, g.length);
    for (int i = 0; i < 5; i++) {
      Tensor[] expected = grads.apply(W, b, X.get(i));
      assertClose(expected[0], g[0].get(i), 1e-14);
      assertClose(expected[1], g[1].get(i), 1e-14);
    }
    // results of different ranks and dtypes, stacked at the last dimension
    Tensor[] r =
        Autograd.vmapOutputs(
                a -> new Tensor[] {a[0].sum(), a[0].gt(0), a[0].exp()}, new Integer[] {0}, -1)
            .apply(X);
    assertEquals("batched", plan());
    assertClose(X.sum(new int[] {1}, false), r[0], 1e-15);
    assertArrayEquals(X.gt(0).transpose(0, 1).toDoubleArray(), r[1].toDoubleArray(), 0);
    assertEquals(DType.BOOL, r[1].dtype());
    assertClose(X.exp().transpose(0, 1), r[2], 0);
    // a function that returns a different number of results per example
    int[] calls = {0};
    var e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalStateException.class,
            () ->
                Autograd.vmapOutputs(
                        a -> calls[0]++ == 0 ? new Tensor[] {a[0]} : new Tensor[] {a[0], a[0]},
                        new Integer[] {0},
                        0)
                    .apply(X));
    assertTrue(e.getMessage().contains("as many for every example"), e.getMessage());
  }

  @Test
  void zeroDimensionalExamples() {
    Tensor v = X.get(0); // 4 examples, each 0-d
    for (Function<Tensor, Tensor> f :
        List.<Function<Tensor, Tensor>>of(
            r -> r.argmax(), r -> r.logSoftmax(0), r -> r.exp().mul(r), r -> r.reshape(1, 1))) {
      Tensor y = Autograd.vmap(f).apply(v);
      assertEquals("batched", plan());
      assertArrayEquals(loop(f, v).toDoubleArray(), y.toDoubleArray(), 0);
      assertArrayEquals(loop(f, v).shape(), y.shape());
    }
  }
}
