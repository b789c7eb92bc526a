package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The semantics of {@link Autograd#compile}: later calls (which run the plan, not the function)
 * equal the eager function; tracing refuses what it cannot replay; the cache, captured tensors,
 * gradients and other transforms through a compiled function, and calls from several threads.
 */
@org.junit.jupiter.api.extension.ExtendWith(FuseSmallTensors.class)
class CompileTest {

  private static final Autograd.MultiFunction W5 = a -> a[0].mul(a[1]).add(a[0]).exp().sum();

  private static Tensor rand(long seed, DType dtype, int... shape) {
    Generator.manualSeed(seed);
    return Tensor.rand(shape).to(dtype);
  }

  private static void assertClose(Tensor expected, Tensor actual, double rel) {
    assertArrayEquals(expected.shape(), actual.shape(), "shape");
    assertEquals(expected.dtype(), actual.dtype(), "dtype");
    double[] e = expected.detach().toDoubleArray();
    double[] a = actual.detach().toDoubleArray();
    for (int i = 0; i < e.length; i++) {
      double tol = rel * Math.max(1, Math.abs(e[i]));
      assertEquals(e[i], a[i], tol, "element " + i);
    }
  }

  private static void assertSameBits(Tensor expected, Tensor actual) {
    assertArrayEquals(expected.shape(), actual.shape(), "shape");
    assertArrayEquals(expected.detach().toDoubleArray(), actual.detach().toDoubleArray());
  }

  @Test
  void fusedValueAndGradientEqualEagerOnLaterCalls() {
    for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      var eager = Autograd.valueAndGrad(W5);
      var compiled = Autograd.compileMulti(eager);
      for (int call = 0; call < 3; call++) {
        Tensor x = rand(10 + call, dtype, 5000);
        Tensor y = rand(20 + call, dtype, 5000);
        var e = eager.apply(new Tensor[] {x, y});
        var c = compiled.apply(new Tensor[] {x, y});
        double rel = dtype == DType.FLOAT32 ? 1e-6 : 1e-12;
        assertClose(e.value(), c.value(), rel);
        // the elementwise values of a fused pass are those of the eager kernels, bit for bit
        assertSameBits(e.grads()[0], c.grads()[0]);
        assertSameBits(e.grads()[1], c.grads()[1]);
      }
      assertEquals(1, compiled.traceCount());
      assertEquals(1, compiled.fusedPasses(), compiled.plan());
      assertTrue(compiled.plan().contains("fused pass over [5000] " + dtype), compiled.plan());
      // the head gradient's ones times exp(...) is dropped: x·1 is x
      assertTrue(compiled.plan().contains("1 products with ones dropped"), compiled.plan());
      assertTrue(compiled.program().contains("Exp("), compiled.program());
    }
  }

  @Test
  void broadcastAndStridedOperandsAreRead() {
    // a bias row broadcast over a matrix, and a transposed (non-contiguous) operand
    Function<Tensor[], Tensor> f = a -> a[0].transpose().mul(a[1]).add(a[2]).tanh().mul(2);
    var compiled = Autograd.compileMulti(f);
    for (int call = 0; call < 2; call++) {
      Tensor x = rand(30 + call, DType.FLOAT64, 70, 40);
      Tensor y = rand(40 + call, DType.FLOAT64, 40, 70);
      Tensor b = rand(50 + call, DType.FLOAT64, 70);
      assertSameBits(f.apply(new Tensor[] {x, y, b}), compiled.apply(new Tensor[] {x, y, b}));
    }
    assertEquals(1, compiled.fusedPasses(), compiled.plan());
  }

  @Test
  void commonSubexpressionsDeadCodeAndConstantsArePlanned() {
    Tensor w = Tensor.of(1, 2, 3);
    var compiled =
        Autograd.compile(
            x -> {
              x.log(); // unused
              Tensor c = w.mul(2).add(1); // constants only: folded
              return x.exp().add(x.exp()).mul(c).sum();
            });
    Tensor x1 = Tensor.of(0.5, 0.25, 0.125);
    compiled.apply(x1);
    Tensor x2 = Tensor.of(1.5, -0.25, 2);
    Tensor expected = x2.exp().add(x2.exp()).mul(w.mul(2).add(1)).sum();
    assertClose(expected, compiled.apply(x2), 1e-6);
    String plan = compiled.plan();
    assertTrue(plan.contains("1 merged as common subexpressions"), plan);
    assertTrue(plan.contains("1 dead"), plan);
    assertTrue(plan.contains("2 folded"), plan);
  }

  @Test
  void capturedTensorWrittenInPlaceIsSeenByLaterCalls() {
    Tensor w = Tensor.of(1, 2, 3);
    Function<Tensor, Tensor> f = x -> x.mul(w.mul(2));
    var compiled = Autograd.compile(f);
    Tensor x = Tensor.of(1, 1, 1);
    compiled.apply(x);
    w.addInPlace(10);
    assertSameBits(f.apply(x), compiled.apply(x));
    assertSameBits(Tensor.of(22, 24, 26), compiled.apply(x));
  }

  @Test
  void foldedResultsAreTheCallersOwn() {
    Tensor w = Tensor.of(1, 2);
    var compiled = Autograd.compile(x -> new Tensor[] {x.add(1), w.mul(3)});
    compiled.apply(Tensor.of(0, 0));
    Tensor[] r = compiled.apply(Tensor.of(0, 0));
    r[1].addInPlace(100); // must not change what the plan returns next time
    assertSameBits(Tensor.of(3, 6), compiled.apply(Tensor.of(0, 0))[1]);
  }

  @Test
  void readingAValueWhileTracingThrowsAndCachesNothing() {
    var compiled = Autograd.compile(x -> x.sum().item() > 0 ? x : x.neg());
    TracingException e =
        assertThrows(TracingException.class, () -> compiled.apply(Tensor.of(1, 2)));
    assertTrue(e.getMessage().startsWith("compile: item()"), e.getMessage());
    assertTrue(e.getMessage().contains("Tensor.where"), e.getMessage());
    assertEquals(0, compiled.cacheSize());
    var fixed = Autograd.compile(x -> Tensor.where(x.sum().gt(0), x, x.neg()));
    fixed.apply(Tensor.of(1, 2));
    assertSameBits(Tensor.of(1, -2).neg(), fixed.apply(Tensor.of(1, -2).neg()));
    assertSameBits(Tensor.of(-3, 1).neg(), fixed.apply(Tensor.of(-3, 1)));
  }

  @Test
  void readingConstantsIsAllowed() {
    Tensor scale = Tensor.scalar(3);
    var compiled = Autograd.compile(x -> x.mul(scale.item()));
    compiled.apply(Tensor.of(1));
    assertSameBits(Tensor.of(6), compiled.apply(Tensor.of(2)));
  }

  @Test
  void randomDrawsAndInPlaceWritesWhileTracingThrow() {
    var noisy = Autograd.compile(x -> x.add(Tensor.randn(x.shape())));
    TracingException r = assertThrows(TracingException.class, () -> noisy.apply(Tensor.of(1, 2)));
    assertTrue(r.getMessage().contains("random"), r.getMessage());
    var impure =
        Autograd.compile(
            x -> {
              Tensor y = x.mul(2);
              y.addInPlace(1);
              return y;
            });
    TracingException w = assertThrows(TracingException.class, () -> impure.apply(Tensor.of(1, 2)));
    assertTrue(w.getMessage().contains("in place"), w.getMessage());
  }

  @Test
  void cacheTracesOncePerSignatureAndKeepsTheMostRecent() {
    var compiled = Autograd.compile((Tensor x) -> x.mul(2)).cacheLimit(2);
    compiled.apply(Tensor.zeros(3));
    compiled.apply(Tensor.zeros(3));
    assertEquals(1, compiled.traceCount());
    compiled.apply(Tensor.zeros(4));
    compiled.apply(Tensor.zeros(3).to(DType.FLOAT64));
    assertEquals(3, compiled.traceCount());
    assertEquals(2, compiled.cacheSize());
    compiled.apply(Tensor.zeros(4)); // still cached
    assertEquals(3, compiled.traceCount());
    compiled.apply(Tensor.zeros(3)); // evicted: traced again
    assertEquals(4, compiled.traceCount());
    assertThrows(IllegalArgumentException.class, () -> compiled.cacheLimit(0));
  }

  @Test
  void theSameTensorTwiceIsItsOwnSignature() {
    var compiled = Autograd.compileMulti((Tensor[] a) -> a[0].sub(a[1]));
    Tensor x = Tensor.of(5, 6);
    compiled.apply(new Tensor[] {x, x});
    compiled.apply(new Tensor[] {x, x});
    assertSameBits(Tensor.of(4, 4), compiled.apply(new Tensor[] {x, Tensor.of(1, 2)}));
    assertSameBits(Tensor.of(4, 4), compiled.apply(new Tensor[] {x, Tensor.of(1, 2)}));
  }

  @Test
  void gradientsThroughACompiledFunctionAreExact() {
    Function<Tensor, Tensor> f = x -> x.mul(x).add(x).exp().sum();
    var compiled = Autograd.compile(f);
    for (int call = 0; call < 3; call++) {
      Tensor x = rand(60 + call, DType.FLOAT64, 7).requiresGrad(true);
      compiled.apply(x).backward();
      Tensor viaCompiled = x.grad();
      Tensor x2 = x.detach().requiresGrad(true);
      f.apply(x2).backward();
      assertSameBits(x2.grad(), viaCompiled);
    }
    // second order through compile(grad)
    var dd = Autograd.grad(Autograd.compile(Autograd.grad(f)).andThen(Tensor::sum));
    Tensor x = rand(70, DType.FLOAT64, 4);
    dd.apply(x);
    assertClose(Autograd.grad(Autograd.grad(f).andThen(Tensor::sum)).apply(x), dd.apply(x), 1e-12);
  }

  @Test
  void forwardModeAndVmapSeeThroughACompiledFunction() {
    Function<Tensor, Tensor> f = x -> x.sin().mul(x);
    var compiled = Autograd.compile(f);
    Tensor x = rand(80, DType.FLOAT64, 5);
    Tensor v = rand(81, DType.FLOAT64, 5);
    compiled.apply(x);
    assertClose(Autograd.jvp(f, x, v), Autograd.jvp(compiled, x, v), 1e-12);
    Tensor batch = rand(82, DType.FLOAT64, 3, 5);
    assertClose(Autograd.vmap(f).apply(batch), Autograd.vmap(compiled).apply(batch), 1e-12);
    assertClose(Autograd.jacrev(f, x), Autograd.jacrev(compiled, x), 1e-12);
  }

  @Test
  void noGradCallsRunTheFusedPlanAndCarryNoGraph() {
    Tensor w = Tensor.of(1, 2, 3).requiresGrad(true);
    var compiled = Autograd.compile(x -> x.mul(w).exp().sum());
    Tensor x = Tensor.of(0.1, 0.2, 0.3);
    try (var ignored = Autograd.noGrad()) {
      compiled.apply(x);
      Tensor r = compiled.apply(x);
      assertTrue(!r.requiresGrad());
      assertClose(x.mul(w.detach()).exp().sum(), r, 1e-6);
    }
    // with recording on, the captured weight's gradient flows
    Tensor r = compiled.apply(x);
    r.backward();
    assertClose(x.mul(w.detach()).exp().mul(x), w.grad(), 1e-6);
  }

  @Test
  void resultStructuresAreRebuilt() {
    var compiled = Autograd.compile(x -> List.of(x.add(1), x.mul(2)));
    compiled.apply(Tensor.of(1));
    List<Tensor> r = compiled.apply(Tensor.of(3));
    assertSameBits(Tensor.of(4), r.get(0));
    assertSameBits(Tensor.of(6), r.get(1));
    var bad = Autograd.compile(x -> "not a tensor");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> bad.apply(Tensor.of(1)));
    assertTrue(e.getMessage().contains("java.lang.String"), e.getMessage());
    var nulls = Autograd.compileMulti((Tensor[] a) -> a[0]);
    assertThrows(IllegalArgumentException.class, () -> nulls.apply(new Tensor[] {null}));
    assertThrows(IllegalArgumentException.class, () -> Autograd.compile(null));
  }

  @Test
  void concurrentCallsEachGetTheirOwnResults() throws Exception {
    Function<Tensor[], Autograd.ValueAndGrads> eager = Autograd.valueAndGrad(W5);
    var compiled = Autograd.compileMulti(eager);
    compiled.apply(new Tensor[] {rand(1, DType.FLOAT32, 3000), rand(2, DType.FLOAT32, 3000)});
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int seed = 100 * t;
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 25; i++) {
                    Tensor x = rand(seed + i, DType.FLOAT32, 3000);
                    Tensor y = rand(seed + i + 50, DType.FLOAT32, 3000);
                    var c = compiled.apply(new Tensor[] {x, y});
                    var e = eager.apply(new Tensor[] {x, y});
                    assertSameBits(e.grads()[0], c.grads()[0]);
                    assertClose(e.value(), c.value(), 1e-6);
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    assertEquals(1, compiled.traceCount());
  }

  @Test
  void planBuffersAreReusedOnlyAfterTheirLastReaderAndViews() {
    Tensor w = rand(90, DType.FLOAT64, 16, 16);
    Function<Tensor, Tensor> f =
        x -> {
          Tensor y = x.mul(2).add(1).relu(); // stored: read by the transpose below
          Tensor yt = y.transpose(); // a view of y's buffer, read only at the very end
          Tensor a = yt.matmul(w);
          Tensor z = a.mul(3).add(1).tanh(); // a later pass: must not take y's buffer
          Tensor b = z.matmul(w);
          Tensor u = b.mul(0.5).sub(1).exp(); // may take z's buffer (z is dead by then)
          return u.matmul(yt).add(z.matmul(w));
        };
    var compiled = Autograd.compile(f);
    for (int call = 0; call < 4; call++) {
      Tensor x = rand(91 + call, DType.FLOAT64, 16, 16).sub(0.5);
      assertSameBits(f.apply(x), compiled.apply(x));
    }
    String plan = compiled.plan();
    assertTrue(plan.contains("plan buffer"), plan);
    // y (viewed until the end) and z (read by the last matmul) are alive together
    assertTrue(plan.matches("(?s).*plan buffer 0.*plan buffer 1.*"), plan);
  }

  @Test
  void comparisonsAndWhereJoinThePass() {
    // relu's gradient is where(x > 0, g, 0): with the forward chain, one pass
    Function<Tensor, Tensor> f = Autograd.grad(x -> x.mul(3).sub(1).relu().mul(x).sum());
    var compiled = Autograd.compile(f);
    for (int call = 0; call < 3; call++) {
      Tensor x = rand(95 + call, DType.FLOAT32, 4000).sub(0.5);
      assertSameBits(f.apply(x), compiled.apply(x));
    }
    String plan = compiled.plan();
    assertTrue(plan.matches("(?s).*fused pass.*Compare.*Where.*"), plan);
  }

  @Test
  void smallGroupsRunStepByStepUnderTheDefaultThreshold() {
    Function<Tensor, Tensor> f = x -> x.mul(x).add(x).exp().sum();
    CompiledPlan.minFusedElements = CompiledPlan.DEFAULT_MIN_FUSED_ELEMENTS;
    try {
      var small = Autograd.compile(f);
      var large = Autograd.compile(f);
      Tensor s = rand(1, DType.FLOAT32, 100);
      Tensor l = rand(2, DType.FLOAT32, CompiledPlan.DEFAULT_MIN_FUSED_ELEMENTS);
      small.apply(s);
      large.apply(l);
      assertSameBits(f.apply(s), small.apply(s));
      assertClose(f.apply(l), large.apply(l), 1e-6);
      assertEquals(0, small.fusedPasses(), small.plan());
      assertEquals(1, large.fusedPasses(), large.plan());
    } finally {
      CompiledPlan.minFusedElements = 1;
    }
  }

  @Test
  void biasAndActivationRunAsTheMatmulEpilogue() {
    // shapes through the GEMM's paths: tiles of whole rows (256x784x256), one tile, a skinny
    // product (n = 3), and the transposed orientation (m = 2)
    int[][] mkn = {{256, 784, 256}, {40, 30, 20}, {300, 64, 3}, {2, 500, 300}};
    for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      for (int[] s : mkn) {
        Tensor w = rand(100, dtype, s[1], s[2]).sub(0.5);
        Tensor b = rand(101, dtype, s[2]).sub(0.5);
        Function<Tensor, Tensor> f = x -> x.matmul(w).add(b).relu().mul(2);
        var compiled = Autograd.compile(f);
        for (int call = 0; call < 2; call++) {
          Tensor x = rand(102 + call, dtype, s[0], s[1]).sub(0.5);
          assertSameBits(f.apply(x), compiled.apply(x));
        }
        assertTrue(compiled.plan().contains("with this epilogue"), compiled.plan());
      }
    }
    // an operand computed after the product: the pass stays where it was
    Tensor w = rand(103, DType.FLOAT32, 64, 64);
    Function<Tensor, Tensor> g = x -> x.matmul(w).add(x.sum(0).exp()).relu();
    var compiled = Autograd.compile(g);
    Tensor x = rand(104, DType.FLOAT32, 64, 64);
    compiled.apply(x);
    assertSameBits(g.apply(x), compiled.apply(x));
  }

  @Test
  void resultsWrittenIntoDestinations() {
    var eager = Autograd.valueAndGrad(W5);
    var compiled = Autograd.compileMulti(eager);
    Tensor value = Tensor.zeros(new int[0]);
    Tensor gx = Tensor.zeros(6000);
    Tensor gy = Tensor.zeros(6000);
    for (int call = 0; call < 3; call++) {
      Tensor x = rand(110 + call, DType.FLOAT32, 6000);
      Tensor y = rand(120 + call, DType.FLOAT32, 6000);
      var r = compiled.applyInto(new Tensor[] {x, y}, value, gx, null);
      var e = eager.apply(new Tensor[] {x, y});
      assertTrue(r.value() == value && r.grads()[0] == gx, "the destinations are returned");
      assertClose(e.value(), value, 1e-6);
      assertSameBits(e.grads()[0], gx);
      assertSameBits(e.grads()[1], r.grads()[1]);
      compiled.applyInto(new Tensor[] {x, y}, null, null, gy);
      assertSameBits(e.grads()[1], gy);
    }
    Tensor x = rand(130, DType.FLOAT32, 6000);
    Tensor[] args = {x, rand(131, DType.FLOAT32, 6000)};
    IllegalArgumentException shape =
        assertThrows(
            IllegalArgumentException.class,
            () -> compiled.applyInto(args, null, Tensor.zeros(5), null));
    assertTrue(shape.getMessage().contains("[5]"), shape.getMessage());
    assertThrows(IllegalArgumentException.class, () -> compiled.applyInto(args, null, x, null));
    assertThrows(IllegalArgumentException.class, () -> compiled.applyInto(args, gx, gy));
    assertThrows(IllegalArgumentException.class, () -> compiled.applyInto(args, null, gx, gx));
    // a destination that is a tensor the function reads from outside
    Tensor w = Tensor.ones(6000);
    var scaled = Autograd.compile((Tensor t) -> t.mul(w).add(1));
    scaled.apply(x);
    assertThrows(IllegalArgumentException.class, () -> scaled.applyInto(x, w));
  }

  @Test
  void compiledVmapOfGradGivesPerExampleGradients() {
    // JAX's jit(vmap(grad(loss))): per-example gradients of a linear model's squared error
    Tensor w = rand(140, DType.FLOAT64, 5);
    Function<Tensor, Tensor> perExample =
        Autograd.vmap(Autograd.grad((Tensor xi) -> xi.mul(w).sum().sub(1).square()));
    var compiled = Autograd.compile(perExample);
    for (int call = 0; call < 3; call++) {
      Tensor x = rand(141 + call, DType.FLOAT64, 8, 5);
      assertClose(perExample.apply(x), compiled.apply(x), 1e-12);
    }
    assertEquals(1, compiled.traceCount());
  }

  @Test
  void beforeAnyCallThePrintoutsSaySo() {
    var compiled = Autograd.compile((Tensor x) -> x);
    assertTrue(compiled.plan().contains("not traced yet"));
    assertNull(null);
  }
}
