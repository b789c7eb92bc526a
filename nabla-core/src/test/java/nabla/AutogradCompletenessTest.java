package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Issue #11's "wrong or divergent" list: each case failed (or diverged from PyTorch, functorch or
 * JAX) before its fix. Derivatives are checked against closed forms and against central finite
 * differences in float64.
 */
class AutogradCompletenessTest {

  private static Tensor f64(double... v) {
    return Tensor.ofDoubles(v, v.length);
  }

  /** Central finite differences of a scalar function of v, in float64. */
  private static double[] numericGrad(Function<Tensor, Tensor> f, double[] v) {
    double h = 1e-6;
    double[] g = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      double[] p = v.clone();
      double[] m = v.clone();
      p[i] += h;
      m[i] -= h;
      g[i] = (f.apply(f64(p)).item() - f.apply(f64(m)).item()) / (2 * h);
    }
    return g;
  }

  @Nested
  class TransformsAreDifferentiableInEveryArgument {
    final double[] xs = {0.3, 1.2, -0.7};
    final Tensor x = f64(xs);
    final double[] vs = {1.0, 2.0, -0.5};

    /** functorch's grad-of-vjp: d/dv ⟨vjp(sin, x, v), 1⟩ = cos x (was 0). */
    @Test
    void gradOfVjpWithRespectToTheCotangent() {
      Function<Tensor, Tensor> h = v -> Autograd.vjp(Tensor::sin, x, v).sum();
      double[] g = Autograd.grad(h).apply(f64(vs)).toDoubleArray();
      double[] fd = numericGrad(h, vs);
      for (int i = 0; i < xs.length; i++) {
        assertEquals(Math.cos(xs[i]), g[i], 1e-12);
        assertEquals(fd[i], g[i], 1e-7);
      }
    }

    /** d/dv ⟨hvp(f, x, v), 1⟩ = H·1 for f = Σ x³ (H = diag(6x)); was 0. */
    @Test
    void gradOfHvpWithRespectToTheVector() {
      Function<Tensor, Tensor> h = v -> Autograd.hvp(t -> t.pow(3).sum(), x, v).sum();
      double[] g = Autograd.grad(h).apply(f64(vs)).toDoubleArray();
      double[] fd = numericGrad(h, vs);
      for (int i = 0; i < xs.length; i++) {
        assertEquals(6 * xs[i], g[i], 1e-12);
        assertEquals(fd[i], g[i], 1e-6);
      }
    }

    /** A mixed partial through gradWrt: d/dy of (d/dx Σ x²y) = 2x (y was not differentiated). */
    @Test
    void gradWrtRecordsWhenAnUndifferentiatedArgumentRequiresGrad() {
      Tensor y = f64(1.5, -2.0, 0.5);
      Function<Tensor, Tensor> h =
          yy ->
              Autograd.gradWrt(a -> a[0].mul(a[0]).mul(a[1]).sum(), 0)
                  .apply(new Tensor[] {x, yy})[0]
                  .sum();
      double[] g = Autograd.grad(h).apply(y).toDoubleArray();
      for (int i = 0; i < xs.length; i++) {
        assertEquals(2 * xs[i], g[i], 1e-12);
      }
    }

    /** jvp was already linear-differentiable in v; kept so. */
    @Test
    void gradOfJvpWithRespectToTheTangent() {
      Function<Tensor, Tensor> h = v -> Autograd.jvp(Tensor::sin, x, v).sum();
      double[] g = Autograd.grad(h).apply(f64(vs)).toDoubleArray();
      for (int i = 0; i < xs.length; i++) {
        assertEquals(Math.cos(xs[i]), g[i], 1e-12);
      }
    }

    /** JAX and torch.func refuse a tangent or cotangent of another dtype than its primal. */
    @Test
    void tangentsAndCotangentsMustHaveThePrimalsDtype() {
      Tensor v32 = Tensor.ones(3);
      var e = assertThrows(IllegalArgumentException.class, () -> Autograd.jvp(Tensor::sin, x, v32));
      assertTrue(
          e.getMessage().contains("jvp: tangent is float32 but x is float64"), e.getMessage());
      assertTrue(e.getMessage().contains("to(DType.FLOAT64)"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> Autograd.vjp(Tensor::sin, x, v32));
      assertTrue(e.getMessage().contains("vjp: v is float32 but f(x) is float64"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> Autograd.hvp(t -> t.sum(), x, v32));
    }
  }

  @Nested
  class BackwardTwice {
    /** PyTorch's test_backward_twice_without_saved_values: add and sum save nothing. */
    @Test
    void throughNodesThatSavedNothing() {
      Tensor b = f64(1, 2, 3).requiresGrad(true);
      Tensor c = b.add(1);
      c.sum().backward();
      c.sum().backward();
      assertArrayEquals(new double[] {2, 2, 2}, b.grad().toDoubleArray());
      Tensor root = c.reshape(3, 1).expand(3, 2).sum();
      root.backward();
      root.backward();
      assertArrayEquals(new double[] {6, 6, 6}, b.grad().toDoubleArray());
      assertFalse(c.gradFn().isReleased());
    }

    /** The error names the node that really lost its saved values, not the root. */
    @Test
    void theErrorNamesTheNodeWhoseValuesWereFreed() {
      Tensor x = f64(1, 2, 3).requiresGrad(true);
      Tensor y = x.mul(x).add(1).sum();
      y.backward();
      var e = assertThrows(IllegalStateException.class, y::backward);
      assertTrue(e.getMessage().contains("saved values of MulBackward were freed"), e.getMessage());
      assertArrayEquals(new double[] {2, 4, 6}, x.grad().toDoubleArray(), "nothing half-added");
      // retainGraph keeps everything, as before
      Tensor z = x.mul(x).sum();
      z.backward(Tensor.scalar(1.0).to(DType.FLOAT64), true);
      z.backward();
      assertArrayEquals(new double[] {6, 12, 18}, x.grad().toDoubleArray());
    }
  }

  @Nested
  class InPlaceThroughAViewOfALeaf {
    /** The view was taken before the leaf was made to require grad (PyTorch raises). */
    @Test
    void viewTakenBeforeRequiresGradIsRefusedWhileRecording() {
      Tensor a = f64(1, 2, 3);
      Tensor b = a.slice(0, 0, 2, 1);
      Tensor t = b.reshape(2, 1); // a view of a view
      a.requiresGrad(true);
      var e = assertThrows(IllegalStateException.class, () -> b.addInPlace(f64(5, 5)));
      assertTrue(e.getMessage().contains("view of a leaf that requires grad"), e.getMessage());
      assertTrue(e.getMessage().contains("[3]"), e.getMessage());
      assertThrows(IllegalStateException.class, () -> t.mulInPlace(2));
      assertThrows(IllegalStateException.class, () -> b.copyFrom(f64(0, 0)));
      assertArrayEquals(new double[] {1, 2, 3}, a.toDoubleArray(), "nothing written");
    }

    @Test
    void allowedUnderNoGradOnDetachedCopiesAndOnPlainLeaves() {
      Tensor a = f64(1, 2, 3);
      Tensor b = a.slice(0, 0, 2, 1);
      a.requiresGrad(true);
      try (var g = Autograd.noGrad()) {
        b.addInPlace(f64(5, 5));
      }
      assertArrayEquals(new double[] {6, 7, 3}, a.toDoubleArray());
      Tensor d = a.detach().slice(0, 1, 3, 1);
      d.mulInPlace(2); // a detached tensor may be written (the version counter guards backward)
      assertArrayEquals(new double[] {6, 14, 6}, a.toDoubleArray());
      Tensor plain = f64(1, 2);
      plain.slice(0, 0, 1, 1).addInPlace(f64(1));
      assertArrayEquals(new double[] {2, 2}, plain.toDoubleArray());
      a.requiresGrad(false);
      b.addInPlace(f64(1, 1));
      assertArrayEquals(new double[] {7, 15, 6}, a.toDoubleArray());
    }
  }

  @Nested
  class GatherOnZeroDimensionalTensors {
    /** PyTorch treats a 0-d input or index as 1-d of size 1; the result has the index's shape. */
    @Test
    void valuesAndShapes() {
      Tensor s = Tensor.scalar(3.0).to(DType.FLOAT64);
      Tensor i0 = Tensor.ofLongs(new long[] {0}, 1).reshape();
      assertArrayEquals(new int[0], s.gather(0, i0).shape());
      assertEquals(3.0, s.gather(0, i0).item());
      assertArrayEquals(new int[] {2}, s.gather(-1, Tensor.ofLongs(new long[] {0, 0}, 2)).shape());
      Tensor v = f64(4, 5, 6);
      Tensor i2 = Tensor.ofLongs(new long[] {2}, 1).reshape();
      assertEquals(6.0, v.gather(0, i2).item());
      assertArrayEquals(new int[0], v.gather(0, i2).shape());
      assertThrows(
          IndexOutOfBoundsException.class,
          () -> s.gather(0, Tensor.ofLongs(new long[] {1}, 1).reshape()));
      assertThrows(IllegalArgumentException.class, () -> s.gather(1, i0));
    }

    @Test
    void gradients() {
      Tensor i2 = Tensor.ofLongs(new long[] {2}, 1).reshape();
      GradCheck.assertGradients(
          a -> a[0].gather(0, i2).mul(a[0].sum()), f64(4, 5, 6).requiresGrad(true));
      Tensor i0 = Tensor.ofLongs(new long[] {0, 0}, 2);
      GradCheck.assertGradients(
          a -> a[0].gather(0, i0).pow(2).sum(),
          Tensor.scalar(1.5).to(DType.FLOAT64).requiresGrad(true));
      Tensor s = Tensor.scalar(1.5).to(DType.FLOAT64).requiresGrad(true);
      s.gather(0, i0).sum().backward();
      assertEquals(2.0, s.grad().item(), "both picks of the one element add up");
    }
  }

  @Nested
  class Decisions {
    /**
     * d(a^b)/db at a = 0: 0 for b ≥ 0 and −∞ for b < 0, as PyTorch (a^b · log a with a^b = +∞); was
     * 0 everywhere.
     */
    @Test
    void powExponentDerivativeAtZeroBase() {
      Tensor b = f64(-1, -0.5, 0, 2).requiresGrad(true);
      Tensor a = f64(0, 0, 0, 0);
      a.pow(b).sum().backward();
      double[] g = b.grad().toDoubleArray();
      assertEquals(Double.NEGATIVE_INFINITY, g[0]);
      assertEquals(Double.NEGATIVE_INFINITY, g[1]);
      assertEquals(0.0, g[2]);
      assertEquals(0.0, g[3]);
      // away from 0 it is a^b · log a, and second order stays finite where it was masked
      GradCheck.assertGradients(
          e -> f64(0.5, 2, 3).pow(e[0]).sum(), f64(-1, 0.5, 2).requiresGrad(true));
      Tensor bb = f64(0, 2).requiresGrad(true);
      Tensor[] g1 = Autograd.grad(f64(0, 0).pow(bb).sum(), null, true, true, bb);
      Tensor[] g2 = Autograd.grad(g1[0].sum(), bb);
      for (double v : g2[0].toDoubleArray()) {
        assertTrue(Double.isFinite(v), "second derivative " + v);
      }
    }

    /** A custom VJP must return exactly one gradient per input (null where there is none). */
    @Test
    void customVjpWithMoreGradientsThanInputs() {
      CustomFunction f =
          CustomFunction.of(
              "Twice", in -> in[0].mul(2), (g, out, in) -> new Tensor[] {g.mul(2), g, null});
      Tensor x = f64(1, 2).requiresGrad(true);
      Tensor y = f.apply(x).sum();
      var e = assertThrows(IllegalStateException.class, y::backward);
      assertTrue(e.getMessage().contains("returned 3 gradients for 1 inputs"), e.getMessage());
    }
  }
}
