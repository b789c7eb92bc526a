package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The functional API: grad, valueAndGrad, gradWrt, aux, vjp, jvp, Jacobians, Hessians. */
class TransformsTest {
  static Tensor f64(double... v) {
    return Tensor.ofDoubles(v, v.length);
  }

  @Test
  void gradComposesToAnyOrder() {
    Function<Tensor, Tensor> cube = x -> x.pow(3).sum();
    assertArrayEquals(
        new double[] {3, 12}, Autograd.grad(cube).apply(f64(1, 2)).toDoubleArray(), 1e-12);
    Function<Tensor, Tensor> sin = x -> x.sin();
    Tensor x = Tensor.scalar(0.7, DType.FLOAT64);
    Function<Tensor, Tensor> d1 = Autograd.grad(sin);
    Function<Tensor, Tensor> d2 = Autograd.grad(d1);
    Function<Tensor, Tensor> d3 = Autograd.grad(d2);
    Function<Tensor, Tensor> d4 = Autograd.grad(d3);
    assertEquals(Math.cos(0.7), d1.apply(x).item(), 1e-12);
    assertEquals(-Math.sin(0.7), d2.apply(x).item(), 1e-12);
    assertEquals(-Math.cos(0.7), d3.apply(x).item(), 1e-12);
    assertEquals(Math.sin(0.7), d4.apply(x).item(), 1e-12);
  }

  @Test
  void gradLeavesGradFieldsUntouched() {
    Tensor x = f64(1, 2).requiresGrad(true);
    Autograd.grad((Tensor t) -> t.mul(t).sum()).apply(x);
    assertEquals(null, x.grad());
  }

  @Test
  void noPerturbationConfusionReverseOverReverse() {
    // d/dx [ x * (d/dy (x + y))(1) ] at x = 1 is 1, not 2.
    Function<Tensor, Tensor> outer =
        x -> x.mul(Autograd.grad((Tensor y) -> x.add(y)).apply(Tensor.scalar(1, DType.FLOAT64)));
    assertEquals(1.0, Autograd.grad(outer).apply(Tensor.scalar(1, DType.FLOAT64)).item(), 1e-12);
  }

  @Test
  void noPerturbationConfusionForwardOverReverse() {
    Tensor one = Tensor.scalar(1, DType.FLOAT64);
    Function<Tensor, Tensor> outer = x -> x.mul(Autograd.grad((Tensor y) -> x.add(y)).apply(one));
    assertEquals(1.0, Autograd.jvp(outer, one, one).item(), 1e-12);
  }

  @Test
  void noPerturbationConfusionForwardOverForward() {
    Tensor one = Tensor.scalar(1, DType.FLOAT64);
    Function<Tensor, Tensor> outer = x -> x.mul(Autograd.jvp(y -> x.add(y), one, one));
    assertEquals(1.0, Autograd.jvp(outer, one, one).item(), 1e-12);
  }

  @Test
  void valueAndGradAndAux() {
    var vg = Autograd.valueAndGrad(x -> x.mul(x).sum()).apply(f64(3, 4));
    assertEquals(25, vg.value().item(), 1e-12);
    assertArrayEquals(new double[] {6, 8}, vg.grad().toDoubleArray(), 1e-12);
    var ga =
        Autograd.<String>gradWithAux(x -> new Autograd.WithAux<>(x.sum(), "aux")).apply(f64(1, 2));
    assertEquals("aux", ga.aux());
    assertArrayEquals(new double[] {1, 1}, ga.grad().toDoubleArray(), 1e-12);
  }

  @Test
  void gradWrtChosenArguments() {
    Tensor x = f64(1, 2);
    Tensor y = f64(3, 5);
    Tensor[] g = Autograd.gradWrt(a -> a[0].mul(a[1]).sum(), 1).apply(new Tensor[] {x, y});
    assertEquals(1, g.length);
    assertArrayEquals(x.toDoubleArray(), g[0].toDoubleArray(), 1e-12);
    Tensor[] both = Autograd.gradWrt(a -> a[0].mul(a[1]).sum()).apply(new Tensor[] {x, y});
    assertArrayEquals(y.toDoubleArray(), both[0].toDoubleArray(), 1e-12);
  }

  @Test
  void jacobiansAgreeAndHaveTheRightShape() {
    Function<Tensor, Tensor> f = x -> x.sin().mul(x.sum());
    Tensor x = Tensor.ofDoubles(new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, 2, 3);
    Tensor jr = Autograd.jacrev(f, x);
    Tensor jf = Autograd.jacfwd(f, x);
    assertArrayEquals(new int[] {2, 3, 2, 3}, jr.shape());
    assertArrayEquals(jr.toDoubleArray(), jf.toDoubleArray(), 1e-12);
    assertArrayEquals(jr.toDoubleArray(), Autograd.jacobian(f, x).toDoubleArray(), 0);
  }

  @Test
  void hessianOfCubicIsDiagonal() {
    Tensor x = f64(1, 2, 3);
    Tensor h = Autograd.hessian(t -> t.pow(3).sum(), x);
    assertArrayEquals(new int[] {3, 3}, h.shape());
    assertArrayEquals(new double[] {6, 0, 0, 0, 12, 0, 0, 0, 18}, h.toDoubleArray(), 1e-12);
    Tensor hv = Autograd.hvp(t -> t.pow(3).sum(), x, f64(1, 1, 1));
    assertArrayEquals(new double[] {6, 12, 18}, hv.toDoubleArray(), 1e-12);
  }

  @Test
  void gradOfSeveralOutputsSumsThemWeightedByTheirHeads() {
    Tensor x = f64(1, 2).requiresGrad(true);
    Tensor y1 = x.mul(x).sum();
    Tensor y2 = x.sin();
    Tensor[] g =
        Autograd.grad(new Tensor[] {y1, y2}, new Tensor[] {null, f64(1, 10)}, false, true, x);
    assertArrayEquals(
        new double[] {2 + Math.cos(1), 4 + 10 * Math.cos(2)}, g[0].toDoubleArray(), 1e-12);
    assertEquals(true, g[0].requiresGrad(), "createGraph keeps the result differentiable");
    assertEquals(null, x.grad());
  }

  @Test
  void badInputsAreReported() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Autograd.grad((Tensor t) -> t.mul(2)).apply(f64(1, 2)));
    assertEquals(true, e.getMessage().contains("[2]"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Autograd.jvp(t -> t, f64(1, 2), f64(1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> Autograd.grad((Tensor t) -> t.sum()).apply(Tensor.ofLongs(new long[] {1, 2})));
  }
}
