package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Custom functions with several outputs and in-place custom functions (issue #11), after PyTorch's
 * test_autograd Function tests (test_function_returns_input, test_mark_non_differentiable*,
 * test_materialize_grads, test_mark_dirty, test_saved_variable_version_counter).
 */
class MultiCustomFunctionTest {

  private static Tensor f64(double... v) {
    return Tensor.ofDoubles(v, v.length);
  }

  private static final MultiCustomFunction SIN_COS =
      MultiCustomFunction.of(
          "SinCos",
          in -> new Tensor[] {in[0].sin(), in[0].cos()},
          (g, out, in) -> new Tensor[] {g[0].mul(in[0].cos()).sub(g[1].mul(in[0].sin()))},
          (t, out, in) -> new Tensor[] {t[0].mul(in[0].cos()), t[0].mul(in[0].sin()).neg()});

  @Test
  void twoOutputsValuesAndGradients() {
    Tensor x = f64(0.5, -1.0).requiresGrad(true);
    Tensor[] sc = SIN_COS.apply(x);
    assertEquals(2, sc.length);
    assertEquals("SinCosBackward", sc[0].gradFn().inputs().get(0).gradFn().name());
    assertArrayEquals(x.detach().sin().toDoubleArray(), sc[0].toDoubleArray(), 0);
    assertArrayEquals(x.detach().cos().toDoubleArray(), sc[1].toDoubleArray(), 0);
    sc[0].mul(sc[1]).sum().backward(); // d(sin x cos x)/dx = cos 2x
    assertArrayEquals(
        new double[] {Math.cos(1.0), Math.cos(-2.0)}, x.grad().toDoubleArray(), 1e-12);
  }

  @Test
  void gradCheckFirstSecondOrderAndForwardMode() {
    GradCheck.assertGradients(
        a -> {
          Tensor[] sc = SIN_COS.apply(a[0].mul(a[1]));
          return sc[0].pow(2).add(sc[1].mul(a[1])).sum();
        },
        f64(0.3, -0.7, 1.2).requiresGrad(true),
        f64(1.1, 0.4, -0.9).requiresGrad(true));
  }

  /** An output nothing depends on gets a zero gradient in the rule (materialised, as PyTorch). */
  @Test
  void unusedOutputsGetZeros() {
    List<double[]> seen = new ArrayList<>();
    MultiCustomFunction f =
        MultiCustomFunction.of(
            "Spy",
            in -> new Tensor[] {in[0].mul(2), in[0].mul(3)},
            (g, out, in) -> {
              seen.add(g[1].toDoubleArray());
              return new Tensor[] {g[0].mul(2).add(g[1].mul(3))};
            });
    Tensor x = f64(1, 2).requiresGrad(true);
    f.apply(x)[0].sum().backward();
    assertArrayEquals(new double[] {0, 0}, seen.get(0));
    assertArrayEquals(new double[] {2, 2}, x.grad().toDoubleArray());
  }

  /** Integer outputs and outputs marked non-differentiable carry no gradient. */
  @Test
  void nonDifferentiableOutputs() {
    MultiCustomFunction maxWithIndex =
        MultiCustomFunction.of(
                "MaxAt",
                in -> new Tensor[] {in[0].max(), in[0].argmax(), in[0].mul(0).add(1)},
                (g, out, in) -> {
                  Tensor onehot = in[0].detach().eq(out[0]).to(in[0].dtype());
                  return new Tensor[] {onehot.mul(g[0]).add(g[2].mul(0))};
                })
            .nonDifferentiable(2);
    Tensor x = f64(1, 5, 2).requiresGrad(true);
    Tensor[] r = maxWithIndex.apply(x);
    assertEquals(DType.INT64, r[1].dtype());
    assertEquals(1L, r[1].longItem());
    assertNull(r[1].gradFn());
    assertNull(r[2].gradFn(), "marked non-differentiable");
    r[0].backward();
    assertArrayEquals(new double[] {0, 1, 0}, x.grad().toDoubleArray());
  }

  @Test
  void outputsOfDifferentFloatingDtypes() {
    MultiCustomFunction f =
        MultiCustomFunction.of(
            "Mixed",
            in -> new Tensor[] {in[0].mul(2), in[0].to(DType.FLOAT32).mul(3)},
            (g, out, in) -> new Tensor[] {g[0].mul(2).add(g[1].to(DType.FLOAT64).mul(3))});
    Tensor x = f64(1, 2).requiresGrad(true);
    Tensor[] r = f.apply(x);
    assertEquals(DType.FLOAT64, r[0].dtype());
    assertEquals(DType.FLOAT32, r[1].dtype());
    r[0].sum().add(r[1].sum().to(DType.FLOAT64)).backward();
    assertArrayEquals(new double[] {5, 5}, x.grad().toDoubleArray());
  }

  @Test
  void outputsModifiedInPlaceBeforeBackwardAreCaught() {
    Tensor x = f64(0.1, 0.2).requiresGrad(true);
    Tensor[] sc = SIN_COS.apply(x);
    Tensor loss = sc[0].mul(sc[1]).sum();
    try (var g = Autograd.noGrad()) {
      sc[1].mulInPlace(2);
    }
    var e = assertThrows(IllegalStateException.class, loss::backward);
    assertTrue(e.getMessage().contains("modified in place"), e.getMessage());
  }

  @Test
  void errors() {
    MultiCustomFunction wrongCount =
        MultiCustomFunction.of(
            "WrongCount",
            in -> new Tensor[] {in[0].mul(2)},
            (g, out, in) -> new Tensor[] {g[0], g[0]});
    Tensor x = f64(1, 2).requiresGrad(true);
    Tensor y = wrongCount.apply(x)[0].sum();
    var e = assertThrows(IllegalStateException.class, y::backward);
    assertTrue(e.getMessage().contains("WrongCount: its VJP returned 2 gradients for 1 inputs"));
    MultiCustomFunction wrongShape =
        MultiCustomFunction.of(
            "WrongShape", in -> new Tensor[] {in[0].sum()}, (g, out, in) -> new Tensor[] {g[0]});
    Tensor z = wrongShape.apply(x)[0];
    e = assertThrows(IllegalStateException.class, z::backward);
    assertTrue(e.getMessage().contains("gradient of shape [] for input 0 of shape [2]"));
    MultiCustomFunction nullOut =
        MultiCustomFunction.of("NullOut", in -> new Tensor[] {null}, (g, out, in) -> g);
    e = assertThrows(IllegalStateException.class, () -> nullOut.apply(x));
    assertTrue(e.getMessage().contains("NullOut: forward returned null as output 0"));
    MultiCustomFunction noJvp =
        MultiCustomFunction.of("NoJvp", in -> new Tensor[] {in[0].mul(2)}, (g, out, in) -> g);
    var u =
        assertThrows(
            UnsupportedOperationException.class,
            () -> Autograd.jvp(t -> noJvp.apply(t)[0], f64(1, 2), f64(1, 1)));
    assertTrue(u.getMessage().contains("NoJvp has no JVP rule"), u.getMessage());
  }

  /** PyTorch's mark_dirty: a custom function that works in place on its first input. */
  @Test
  void inPlaceCustomFunction() {
    CustomFunction scaleInPlace =
        CustomFunction.of(
            "ScaleInPlace",
            in -> in[0].mulInPlace(in[1]), // writes into (a copy of) its input
            (g, out, in) -> new Tensor[] {g.mul(in[1]), g.mul(in[0]).sum().reshape(in[1].shape())});
    Tensor x = f64(1, 2, 3).requiresGrad(true);
    Tensor s = f64(4).reshape().requiresGrad(true);
    Tensor y = x.mul(2); // mul saves its inputs, not y, so y may be updated
    Tensor same = scaleInPlace.applyInPlace(y.slice(0, 0, 2, 1), s);
    assertEquals("ScaleInPlaceBackward", same.gradFn().name());
    assertArrayEquals(new double[] {8, 16, 6}, y.toDoubleArray());
    y.sum().backward();
    assertArrayEquals(new double[] {8, 8, 2}, x.grad().toDoubleArray());
    assertEquals(6.0, s.grad().item(), 1e-12);
    // exp saves its output: updating it in place then fails in backward, as in PyTorch
    Tensor e = x.exp();
    scaleInPlace.applyInPlace(e, s);
    assertThrows(IllegalStateException.class, () -> e.sum().backward());
    GradCheck.assertGradients(
        a -> {
          Tensor t = a[0].mul(1.5);
          scaleInPlace.applyInPlace(t, a[1]);
          return t.pow(2).sum();
        },
        f64(0.2, -0.3).requiresGrad(true),
        f64(0.7).reshape().requiresGrad(true));
    Tensor leaf = f64(1, 2).requiresGrad(true);
    assertThrows(IllegalStateException.class, () -> scaleInPlace.applyInPlace(leaf, s));
  }

  /** Rules that read the outputs differentiate through them (second order, forward mode). */
  @Test
  void rulesReadingOutputsAreDifferentiable() {
    MultiCustomFunction sinCos =
        MultiCustomFunction.of(
            "SinCosFromOutputs",
            in -> new Tensor[] {in[0].sin(), in[0].cos()},
            (g, out, in) -> new Tensor[] {g[0].mul(out[1]).sub(g[1].mul(out[0]))},
            (t, out, in) -> new Tensor[] {t[0].mul(out[1]), t[0].mul(out[0]).neg()});
    GradCheck.assertGradients(
        a -> {
          Tensor[] sc = sinCos.apply(a[0]);
          return sc[0].mul(sc[1]).add(sc[0].pow(3)).sum();
        },
        f64(0.4, -1.1, 2.0).requiresGrad(true));
    // d²/dx² of sin x cos x = -2 sin 2x
    Tensor x = f64(0.4).requiresGrad(true);
    Tensor g =
        Autograd.grad(
                Autograd.grad(
                    t -> {
                      Tensor[] sc = sinCos.apply(t);
                      return sc[0].mul(sc[1]).sum();
                    }))
            .apply(x);
    assertEquals(-2 * Math.sin(0.8), g.item(), 1e-12);
  }
}
