package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
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
