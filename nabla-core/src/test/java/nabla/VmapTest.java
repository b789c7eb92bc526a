package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import nabla.storage.BufferPool;
import org.junit.jupiter.api.Test;

/** {@link Autograd#vmap}: results equal the loop, composition with transforms, errors. */
class VmapTest {

  static Tensor f64(double[] v, int... shape) {
    return Tensor.ofDoubles(v, shape);
  }

  final Tensor x =
      f64(new double[] {0.1, -0.4, 0.7, 1.2, -0.3, 0.5, 0.9, -1.1, 0.2, 0.6, -0.8, 0.3}, 4, 3);

  @Test
  void mapsOverDimensionZeroAndOthers() {
    Function<Tensor, Tensor> f = r -> r.sin().mul(r).sum();
    Tensor y = Autograd.vmap(f).apply(x);
    assertArrayEquals(new int[] {4}, y.shape());
    for (int i = 0; i < 4; i++) {
      assertEquals(f.apply(x.get(i)).item(), y.get(i).item(), 0);
    }
    Tensor cols = Autograd.vmap(c -> c.exp(), 1, 1).apply(x);
    assertArrayEquals(x.exp().toDoubleArray(), cols.toDoubleArray(), 0);
    Tensor outer = Autograd.vmap(c -> c.mul(2), 1, 0).apply(x); // columns stacked as rows
    assertArrayEquals(x.transpose(0, 1).mul(2).toDoubleArray(), outer.toDoubleArray(), 0);
  }

  /** Per-example gradients (JAX's vmap(grad(loss))), against the loop. */
  @Test
  void perExampleGradients() {
    Tensor w = f64(new double[] {0.5, -1.0, 2.0}, 3);
    Autograd.MultiFunction perExample =
        Autograd.vmap(
            a ->
                Autograd.gradWrt(b -> b[0].mul(b[1]).tanh().sum(), 0)
                    .apply(new Tensor[] {a[0], a[1]})[0],
            new Integer[] {null, 0},
            0);
    Tensor g = perExample.apply(w, x);
    assertArrayEquals(new int[] {4, 3}, g.shape());
    for (int i = 0; i < 4; i++) {
      Tensor row = x.get(i);
      Tensor expected = Autograd.grad(v -> v.mul(row).tanh().sum()).apply(w);
      assertArrayEquals(expected.toDoubleArray(), g.get(i).toDoubleArray(), 1e-15);
    }
  }

  /**
   * The batched replay gives its dead intermediates back to the caching allocator (as backward
   * does) and keeps what it returns: the values equal the loop's bit for bit, a second call takes
   * the returned buffers, and the first call's result is untouched by it. Under {@code ./nabla test
   * --pool-check} every returned buffer is filled with NaN, so one given back while a later step
   * still reads it fails the whole vmap suite.
   */
  @Test
  void replayGivesBackItsIntermediates() {
    // r·r is read again after two new values are made: given back too early, its buffer would be
    // overwritten before the last step reads it
    Function<Tensor, Tensor> f =
        r -> {
          Tensor sq = r.mul(r);
          return sq.exp().add(r).mul(sq); // three intermediates die
        };
    Tensor xs = Tensor.linspace(-1, 1, 64 * 512).reshape(64, 512); // 32,768 floats a value
    long returned = BufferPool.returnedCount();
    Tensor y1 = Autograd.vmap(f).apply(xs);
    // batched, not the loop vmap falls back to when row 0 of the batch differs from f's own
    assertFalse(Vmap.lastPlan().startsWith("loop"), Vmap.lastPlan());
    assertTrue(
        BufferPool.returnedCount() >= returned + 3,
        "returned " + (BufferPool.returnedCount() - returned) + " buffers, expected 3");
    float[] first = y1.toFloatArray();
    long taken = BufferPool.takenCount();
    Tensor y2 = Autograd.vmap(f).apply(xs.mul(0.5));
    assertFalse(Vmap.lastPlan().startsWith("loop"), Vmap.lastPlan());
    assertTrue(BufferPool.takenCount() > taken, "the second call reused no buffer");
    assertArrayEquals(first, y1.toFloatArray(), 0f);
    for (int i = 0; i < 64; i += 9) {
      assertArrayEquals(f.apply(xs.get(i)).toFloatArray(), y1.get(i).toFloatArray(), 0f);
      assertArrayEquals(f.apply(xs.get(i).mul(0.5)).toFloatArray(), y2.get(i).toFloatArray(), 0f);
    }
  }

  /**
   * Differentiating through vmap with respect to a tensor the mapped function captures (not an
   * argument): the replay must record for it, though no argument requires grad. d/dw of Σᵢ Σⱼ
   * sin(xᵢⱼ wⱼ) is Σᵢ xᵢ cos(xᵢ w); a replay that recorded nothing would give no gradient.
   */
  @Test
  void gradientWithRespectToACapturedTensorFlowsThroughTheBatch() {
    Tensor w = f64(new double[] {0.5, -1.0, 2.0}, 3);
    Tensor g = Autograd.grad(v -> Autograd.vmap(r -> r.mul(v).sin().sum()).apply(x).sum()).apply(w);
    double[] xs = x.toDoubleArray();
    double[] ws = w.toDoubleArray();
    double[] expected = new double[3];
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 3; j++) {
        expected[j] += xs[i * 3 + j] * Math.cos(xs[i * 3 + j] * ws[j]);
      }
    }
    assertFalse(Vmap.lastPlan().startsWith("loop"), Vmap.lastPlan());
    assertArrayEquals(expected, g.toDoubleArray(), 1e-14);
  }

  /**
   * An unbatched matrix times a batched operand runs as one product of the examples' columns times
   * the transposed matrix (the VJP of {@code W·x} in jacrev): values, the gradient with respect to
   * the matrix and jacrev all equal the per-example loop, for vectors, matrices and stacks of
   * matrices.
   */
  @Test
  void anUnbatchedMatrixTimesBatchedColumnsEqualsTheLoop() {
    Generator g = new Generator(9);
    Tensor a = g.normal(0, 1, 5, 7).to(DType.FLOAT64);
    Tensor vectors = g.normal(0, 1, 6, 7).to(DType.FLOAT64);
    Tensor matrices = g.normal(0, 1, 6, 7, 3).to(DType.FLOAT64);
    Tensor stacks = g.normal(0, 1, 6, 2, 7, 3).to(DType.FLOAT64); // each example [2, 7, 3]
    for (Tensor xs : new Tensor[] {vectors, matrices, stacks}) {
      Function<Tensor, Tensor> f = r -> a.matmul(r).tanh();
      Tensor batched = Autograd.vmap(f).apply(xs);
      assertEquals("batched", Vmap.lastPlan());
      Tensor ga =
          Autograd.grad(w -> Autograd.vmap(r -> w.matmul(r).tanh().sum()).apply(xs).sum()).apply(a);
      Tensor expected = Tensor.zeros(DType.FLOAT64, 5, 7);
      assertArrayEquals(
          f.apply(xs.get(0)).shape(),
          java.util.Arrays.copyOfRange(batched.shape(), 1, batched.dim()));
      for (int i = 0; i < 6; i++) {
        Tensor row = xs.get(i);
        assertClose(f.apply(row), batched.get(i), 1e-13);
        expected = expected.add(Autograd.grad(w -> w.matmul(row).tanh().sum()).apply(a));
      }
      assertClose(expected, ga, 1e-12);
    }
    Function<Tensor, Tensor> layer = r -> a.matmul(r).tanh();
    Tensor v = vectors.get(0);
    assertClose(Autograd.jacrevLooped(layer, v), Autograd.jacrev(layer, v), 1e-13);
    assertClose(Autograd.jacrevLooped(layer, v), Autograd.jacfwd(layer, v), 1e-13);
  }

  private static void assertClose(Tensor expected, Tensor actual, double tol) {
    assertArrayEquals(expected.shape(), actual.shape());
    assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), tol);
  }

  @Test
  void composesWithGradJvpAndItself() {
    // grad through a vmapped function: d/dx of sum_i f(x_i) = f'(x_i) row by row
    Function<Tensor, Tensor> f = r -> r.pow(3).sum();
    Tensor g = Autograd.grad(t -> Autograd.vmap(f).apply(t).sum()).apply(x);
    assertArrayEquals(x.pow(2).mul(3).toDoubleArray(), g.toDoubleArray(), 1e-12);
    // jvp of vmap
    Tensor v = x.onesLike();
    Tensor t = Autograd.jvp(Autograd.vmap(r -> r.sin()), x, v);
    assertArrayEquals(x.cos().toDoubleArray(), t.toDoubleArray(), 1e-15);
    // vmap of vmap maps two dimensions
    Tensor twice = Autograd.vmap(Autograd.vmap(e -> e.mul(e).add(1))).apply(x);
    assertArrayEquals(x.mul(x).add(1).toDoubleArray(), twice.toDoubleArray(), 0);
    // GradCheck through vmap, first and second order and forward mode
    GradCheck.assertGradients(
        a -> Autograd.vmap(r -> r.tanh().mul(r.sum())).apply(a[0]).sum(),
        x.copy().requiresGrad(true));
  }

  @Test
  void randomNumbersAreDrawnPerExample() {
    Generator.manualSeed(4);
    Tensor mapped = Autograd.vmap(r -> r.add(Tensor.randn(3).to(DType.FLOAT64))).apply(x);
    Generator.manualSeed(4);
    Tensor[] rows = new Tensor[4];
    for (int i = 0; i < 4; i++) {
      rows[i] = x.get(i).add(Tensor.randn(3).to(DType.FLOAT64));
    }
    assertArrayEquals(Tensor.stack(0, rows).toDoubleArray(), mapped.toDoubleArray(), 0);
    assertFalse(mapped.get(0).sub(x.get(0)).equal(mapped.get(1).sub(x.get(1))), "different draws");
  }

  @Test
  void errors() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Autograd.vmap(a -> a[0].add(a[1]), new Integer[] {0, 0}, 0)
                    .apply(x, Tensor.ones(5, 3)));
    assertTrue(e.getMessage().contains("differ in size"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> Autograd.vmap(r -> r).apply(Tensor.scalar(1)));
    var s =
        assertThrows(
            IllegalStateException.class,
            () -> Autograd.vmap(r -> r.get(0).item() > 0.5 ? r : r.sum()).apply(x));
    assertTrue(s.getMessage().contains("must return one shape"), s.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> Autograd.vmap(a -> a[0], new Integer[] {null}, 0).apply(x));
  }
}
