package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import nabla.storage.BufferPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The caching allocator (issue #13): backward returns the buffers it made and consumed, kernels
 * that overwrite their output take them again, and nothing a user can still hold is ever returned.
 * Every test runs with every buffer pooled and returned buffers filled with NaN, so a gradient that
 * was returned while still in use, or a taken buffer a kernel did not overwrite, shows up as NaN.
 */
class BufferPoolTest {
  private int minElements;
  private long limit;

  @BeforeEach
  void poolEverythingAndPoison() {
    minElements = BufferPool.minElements();
    limit = BufferPool.limitBytes();
    BufferPool.minElements(1);
    BufferPool.poison(true);
  }

  @AfterEach
  void restore() {
    BufferPool.minElements(minElements);
    BufferPool.limitBytes(limit);
    BufferPool.poison(Boolean.getBoolean("nabla.pool.poison"));
  }

  private static Tensor f64(int n, double from, double to) {
    return Tensor.linspace(from, to, n).to(DType.FLOAT64);
  }

  /** Churns the pool: allocations that take (and overwrite) whatever was returned. */
  private static void churn(int n) {
    Tensor a = Tensor.linspace(-1, 1, n).to(DType.FLOAT64).requiresGrad(true);
    a.mul(a).exp().add(a).sum().backward();
    a.sin().mul(a.cos()).exp();
  }

  @Test
  void backwardReturnsItsTemporariesAndTheNextForwardTakesThem() {
    int n = 1 << 12;
    Tensor x = f64(n, 0, 1).requiresGrad(true);
    Tensor y = f64(n, 1, 0).requiresGrad(true);
    long returned = BufferPool.returnedCount();
    x.mul(y).add(x).exp().sum().backward();
    // exp's gradient and mul's product for x are consumed and returned; the product for y is
    // y's first gradient, taken over as y.grad without a copy
    assertTrue(BufferPool.returnedCount() - returned >= 2, BufferPool.stats());
    long taken = BufferPool.takenCount();
    Tensor z = x.detach().mul(y.detach());
    assertTrue(BufferPool.takenCount() > taken, BufferPool.stats());
    double[] xs = x.detach().toDoubleArray();
    double[] ys = y.detach().toDoubleArray();
    double[] gx = x.grad().toDoubleArray();
    double[] gy = y.grad().toDoubleArray();
    double[] zs = z.toDoubleArray();
    for (int i = 0; i < n; i++) {
      double e = Math.exp(xs[i] * ys[i] + xs[i]);
      assertEquals(e * (ys[i] + 1), gx[i], 1e-12 * e);
      assertEquals(e * xs[i], gy[i], 1e-12 * e);
      assertEquals(xs[i] * ys[i], zs[i], 0); // the taken buffer was overwritten everywhere
    }
  }

  /** Gradients of several graphs with the pool on equal, bit for bit, those with it off. */
  /**
   * A zero-filled allocation (zeros, scatter targets, reductions) takes a returned buffer too, and
   * zeroes it: the buffers backward returns are then taken again whatever kind of allocation asks
   * for their size, instead of piling up in the pool. Returned buffers hold NaN here (poison), so a
   * taken buffer left unzeroed shows.
   */
  @Test
  void aZeroFilledAllocationTakesAReturnedBufferAndZeroesIt() {
    int n = 1 << 12;
    Tensor x = f64(n, 0, 1).requiresGrad(true);
    x.mul(x).exp().sum().backward();
    long taken = BufferPool.takenCount();
    Tensor z = Tensor.zeros(DType.FLOAT64, n);
    assertTrue(BufferPool.takenCount() > taken, BufferPool.stats());
    assertArrayEquals(new double[n], z.toDoubleArray(), 0);
    Tensor sums =
        Tensor.zeros(DType.FLOAT64, n)
            .scatterAdd(0, Tensor.ofLongs(new long[] {0, 1}, 2), f64(2, 1, 2));
    double[] expected = new double[n];
    expected[0] = 1;
    expected[1] = 2;
    assertArrayEquals(expected, sums.toDoubleArray(), 0);
  }

  @Test
  void gradientsWithThePoolEqualThoseWithoutIt() {
    List<Supplier<List<double[]>>> graphs = new ArrayList<>();
    graphs.add(
        () -> { // one tensor used three times, views and a broadcast bias
          Tensor x = f64(24, -2, 2).reshape(4, 6).requiresGrad(true);
          Tensor b = f64(6, 0, 1).requiresGrad(true);
          Tensor h = x.mul(x).add(b).relu().add(x.transpose().reshape(4, 6)).mul(x);
          h.slice(1, 1, 5).sum().backward();
          return List.of(x.grad().toDoubleArray(), b.grad().toDoubleArray());
        });
    graphs.add(
        () -> { // a two-layer perceptron with cross-entropy
          Tensor x = f64(8 * 5, -1, 1).reshape(8, 5);
          Tensor w1 = f64(5 * 7, -0.5, 0.7).reshape(5, 7).requiresGrad(true);
          Tensor b1 = f64(7, -0.1, 0.1).requiresGrad(true);
          Tensor w2 = f64(7 * 3, 0.3, -0.4).reshape(7, 3).requiresGrad(true);
          Tensor logits = x.matmul(w1).add(b1).relu().matmul(w2);
          logits.logSoftmax(1).mul(-1).mean().backward();
          return List.of(
              w1.grad().toDoubleArray(), b1.grad().toDoubleArray(), w2.grad().toDoubleArray());
        });
    graphs.add(
        () -> { // a gradient accumulated twice into existing leaf gradients
          Tensor x = f64(50, -1, 3).requiresGrad(true);
          for (int k = 0; k < 2; k++) {
            x.sigmoid().mul(x.tanh()).sum().backward();
          }
          return List.of(x.grad().toDoubleArray());
        });
    for (Supplier<List<double[]>> g : graphs) {
      BufferPool.limitBytes(0);
      List<double[]> off = g.get();
      BufferPool.limitBytes(limit);
      for (int round = 0; round < 3; round++) {
        churn(24);
        List<double[]> on = g.get();
        for (int i = 0; i < off.size(); i++) {
          assertArrayEquals(off.get(i), on.get(i), 0);
        }
      }
    }
  }

  @Test
  void whatHooksRetainGradAndAutogradGradHandOutStaysValid() {
    Tensor x = f64(64, -1, 1).requiresGrad(true);
    List<Tensor> seen = new ArrayList<>();
    Tensor h = x.exp();
    h.registerHook(
        g -> {
          seen.add(g);
          return g;
        });
    Tensor r = h.mul(x);
    r.retainGrad();
    r.mul(r).sum().backward();
    Tensor[] viaGrad = Autograd.grad(x.sin().mul(x).sum(), x);
    double[] seenBefore = seen.get(0).toDoubleArray();
    double[] retainedBefore = r.grad().toDoubleArray();
    double[] gradBefore = viaGrad[0].toDoubleArray();
    double[] leafBefore = x.grad().toDoubleArray();
    for (int k = 0; k < 3; k++) {
      churn(64); // would take (and overwrite) any of them, had they been returned
    }
    assertArrayEquals(seenBefore, seen.get(0).toDoubleArray(), 0);
    assertArrayEquals(retainedBefore, r.grad().toDoubleArray(), 0);
    assertArrayEquals(gradBefore, viaGrad[0].toDoubleArray(), 0);
    assertArrayEquals(leafBefore, x.grad().toDoubleArray(), 0);
    double[] xs = x.detach().toDoubleArray();
    for (int i = 0; i < xs.length; i++) {
      double e = Math.exp(xs[i]);
      assertEquals(2 * e * xs[i], retainedBefore[i], 1e-12); // d(r²)/dr
      assertEquals(2 * e * xs[i] * xs[i], seenBefore[i], 1e-12); // times dr/dh = x
      assertEquals(Math.cos(xs[i]) * xs[i] + Math.sin(xs[i]), gradBefore[i], 1e-12);
    }
  }

  @Test
  void aCustomFunctionMayKeepWhatItsBackwardAllocates() {
    List<Tensor> kept = new ArrayList<>();
    CustomFunction twice =
        CustomFunction.of(
            "Twice",
            in -> in[0].mul(2),
            (g, out, in) -> {
              Tensor gi = g.mul(2);
              kept.add(gi);
              return new Tensor[] {gi};
            });
    Tensor x = f64(32, 0, 1).requiresGrad(true);
    twice.apply(x.exp()).sum().backward();
    double[] before = kept.get(0).toDoubleArray();
    churn(32);
    assertArrayEquals(before, kept.get(0).toDoubleArray(), 0);
    for (double v : before) {
      assertEquals(2.0, v); // the sum's gradient, doubled
    }
  }

  @Test
  void aGradientBufferTakenOverByTwoLeavesIsNotShared() {
    Tensor a = f64(40, 0, 1).requiresGrad(true);
    Tensor b = f64(40, 1, 2).requiresGrad(true);
    a.add(b).exp().sum().backward(); // add's rule hands the same buffer to both leaves
    assertNotSame(a.grad().storage(), b.grad().storage());
    double[] bBefore = b.grad().toDoubleArray();
    try (var g = Autograd.noGrad()) {
      a.grad().addInPlace(Tensor.ones(40).to(DType.FLOAT64));
    }
    assertArrayEquals(bBefore, b.grad().toDoubleArray(), 0);
    a.add(b).exp().sum().backward(); // accumulates into both, independently
    double[] as = a.detach().toDoubleArray();
    double[] bs = b.detach().toDoubleArray();
    for (int i = 0; i < 40; i++) {
      double e = Math.exp(as[i] + bs[i]);
      assertEquals(2 * e + 1, a.grad().toDoubleArray()[i], 1e-12);
      assertEquals(2 * e, b.grad().toDoubleArray()[i], 1e-12);
    }
  }

  @Test
  void thePoolHoldsNoMoreThanItsLimit() {
    BufferPool.clear();
    BufferPool.limitBytes(3 * 1000 * 8);
    long held = 0;
    for (int k = 0; k < 5; k++) {
      Tensor x = f64(1000, 0, 1).requiresGrad(true);
      x.exp().mul(x).sin().mul(x).sum().backward(); // returns more than three buffers
      assertTrue(BufferPool.heldBytes() <= 3 * 1000 * 8, BufferPool.stats());
      held = Math.max(held, BufferPool.heldBytes());
    }
    assertTrue(held > 0, BufferPool.stats());
    BufferPool.clear();
    assertEquals(0, BufferPool.heldBytes());
  }

  @Test
  void fillingALargeTensorWritesEveryElement() {
    Tensor t = Tensor.zeros(100_003);
    t.fill(3.5);
    for (float v : t.toFloatArray()) {
      assertEquals(3.5f, v);
    }
    Tensor d = Tensor.ones(70_001).to(DType.FLOAT64);
    d.zero();
    for (double v : d.toDoubleArray()) {
      assertEquals(0.0, v);
    }
  }
}
