package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The elementwise functions of issue #12 where the spec table's random points cannot look: the
 * gradient conventions at kinks and jumps (PyTorch's, each checked against the value PyTorch 1.13
 * gives), composites that must not overflow in the branch they do not take, bool results, integer
 * inputs, and the errors.
 */
class ElementwiseConventionsTest {

  private static Tensor f64(double... v) {
    return Tensor.ofDoubles(v, v.length);
  }

  private static Tensor leaf(double... v) {
    return f64(v).requiresGrad(true);
  }

  /** d(sum f(x))/dx at the given points. */
  private static double[] gradient(Function<Tensor, Tensor> f, double... at) {
    Tensor x = leaf(at);
    return Autograd.grad(f.apply(x).sum(), x)[0].toDoubleArray();
  }

  @Test
  void gradientsAtKinksAreTorchs() {
    // leaky_relu'(0) = slope, elu'(0) = alpha (PyTorch's backward takes the x <= 0 side)
    assertArrayEquals(new double[] {0.2, 1, 0.2}, gradient(x -> x.leakyRelu(0.2), 0, 1, -1));
    assertArrayEquals(new double[] {0.01}, gradient(Tensor::leakyRelu, 0));
    assertArrayEquals(new double[] {1.5}, gradient(x -> x.elu(1.5), 0));
    // hardtanh passes the gradient only strictly inside; clamp also at the bounds
    assertArrayEquals(
        new double[] {0, 1, 0, 0, 0}, gradient(Tensor::hardtanh, -1, 0.5, 1, 2, -3), 0.0);
    assertArrayEquals(new double[] {1, 1}, gradient(x -> x.clamp(-1, 1), -1, 1), 0.0);
    // log sigmoid'(0) = sigmoid(0) = 1/2 exactly, though min(x, 0) and |x| both have a kink there
    assertArrayEquals(new double[] {0.5}, gradient(Tensor::logSigmoid, 0), 0.0);
    // rounding: 0, also at the jumps; frac: 1
    for (Function<Tensor, Tensor> f :
        java.util.List.<Function<Tensor, Tensor>>of(
            Tensor::floor, Tensor::ceil, Tensor::round, Tensor::trunc)) {
      assertArrayEquals(new double[] {0, 0, 0}, gradient(f, 0.5, 1, -2.5), 0.0);
    }
    assertArrayEquals(new double[] {1, 1, 1}, gradient(Tensor::frac, 0.5, 1, -2.5), 0.0);
  }

  @Test
  void remainderAndFmodGradientsFollowFloorAndTrunc() {
    Tensor a = leaf(-5, 5, 6);
    Tensor b = leaf(3, 3, -4);
    Tensor[] g = Autograd.grad(a.remainder(b).sum(), a, b);
    assertArrayEquals(new double[] {1, 1, 1}, g[0].toDoubleArray(), 0.0);
    // -floor(a/b): floor(-5/3) = -2, floor(5/3) = 1, floor(6/-4) = -2
    assertArrayEquals(new double[] {2, -1, 2}, g[1].toDoubleArray(), 0.0);
    g = Autograd.grad(a.fmod(b).sum(), a, b);
    // -trunc(a/b): -1, 1, -1
    assertArrayEquals(new double[] {1, -1, 1}, g[1].toDoubleArray(), 0.0);
    assertArrayEquals(
        new double[] {1, 2, -2}, a.detach().remainder(b.detach()).toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {-2, 2, 2}, a.detach().fmod(b.detach()).toDoubleArray(), 0.0);
  }

  @Test
  void compositesDoNotOverflowInTheBranchTheyDoNotTake() {
    // softplus: exp(1000) would be ∞ and 0·∞ NaN in the gradient of the log1p branch
    assertArrayEquals(new double[] {1, 0}, gradient(Tensor::softplus, 1000, -1000), 0.0);
    assertArrayEquals(new double[] {1000, 0}, f64(1000, -1000).softplus().toDoubleArray());
    // elu: expm1(1000) = ∞ in the branch not taken
    assertArrayEquals(new double[] {1}, gradient(Tensor::elu, 1000), 0.0);
    assertArrayEquals(new double[] {0, 1}, gradient(Tensor::logSigmoid, 1000, -1000), 0.0);
    // GELU keeps its digits in the negative tail, where x/2·(1 + erf(x/√2)) is 0 (as in PyTorch)
    double[] tail = f64(-10, -30).gelu().toDoubleArray();
    assertEquals(-7.619853024160526e-23, tail[0], 1e-36); // x·Φ(x) by mpmath
    assertEquals(-1.472014178144456e-196, tail[1], 1e-209);
    assertTrue(Double.isFinite(gradient(Tensor::gelu, -40)[0]));
  }

  @Test
  void nanToNumReplacesAndBlocksTheGradientThere() {
    double nan = Double.NaN;
    double inf = Double.POSITIVE_INFINITY;
    assertArrayEquals(
        new double[] {0, Double.MAX_VALUE, -Double.MAX_VALUE, 2},
        f64(nan, inf, -inf, 2).nanToNum().toDoubleArray());
    assertArrayEquals(
        new double[] {0, Float.MAX_VALUE, -Float.MAX_VALUE, 2},
        Tensor.of(new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 2}, 4)
            .nanToNum()
            .toDoubleArray());
    assertArrayEquals(
        new double[] {5, 6, 7, 2}, f64(nan, inf, -inf, 2).nanToNum(5, 6, 7).toDoubleArray());
    assertArrayEquals(
        new double[] {7, Double.MAX_VALUE, -Double.MAX_VALUE},
        f64(nan, inf, -inf).nanToNum(7).toDoubleArray());
    assertArrayEquals(new double[] {0, 0, 0, 1}, gradient(x -> x.nanToNum(), nan, inf, -inf, 2));
    Tensor ints = Tensor.ofLongs(new long[] {3, -4}, 2);
    assertEquals(DType.INT64, ints.nanToNum().dtype());
    assertArrayEquals(new long[] {3, -4}, ints.nanToNum().toLongArray());
  }

  @Test
  void classificationsAreBoolWithoutGradient() {
    Tensor x = leaf(1, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0);
    for (Tensor r : new Tensor[] {x.isnan(), x.isinf(), x.isfinite()}) {
      assertEquals(DType.BOOL, r.dtype());
      assertFalse(r.requiresGrad());
    }
    assertArrayEquals(new boolean[] {false, true, false, false, false}, x.isnan().toBooleanArray());
    assertArrayEquals(new boolean[] {false, false, true, true, false}, x.isinf().toBooleanArray());
    assertArrayEquals(
        new boolean[] {true, false, false, false, true}, x.isfinite().toBooleanArray());
    Tensor ints = Tensor.ofLongs(new long[] {1, 2}, 2);
    assertArrayEquals(new boolean[] {false, false}, ints.isnan().toBooleanArray());
    assertArrayEquals(new boolean[] {false, false}, ints.isinf().toBooleanArray());
    assertArrayEquals(new boolean[] {true, true}, ints.isfinite().toBooleanArray());
  }

  @Test
  void logicalOpsOnBool() {
    Tensor a = Tensor.ofBooleans(new boolean[] {true, true, false, false}, 4);
    Tensor b = Tensor.ofBooleans(new boolean[] {true, false, true, false}, 4);
    assertArrayEquals(new boolean[] {false, true, true, false}, a.logicalXor(b).toBooleanArray());
    assertArrayEquals(new boolean[] {true, false, false, false}, a.logicalAnd(b).toBooleanArray());
    assertArrayEquals(new boolean[] {true, true, true, false}, a.logicalOr(b).toBooleanArray());
    assertArrayEquals(new boolean[] {false, false, true, true}, a.logicalNot().toBooleanArray());
  }

  @Test
  void roundingHalvesToEvenAndLeavesIntegersAlone() {
    assertArrayEquals(
        new double[] {0, 2, 2, -0.0, -2, 4},
        f64(0.5, 1.5, 2.5, -0.5, -2.5, 3.5).round().toDoubleArray());
    Tensor ints = Tensor.ofLongs(new long[] {-3, 7}, 2);
    for (Tensor r : new Tensor[] {ints.floor(), ints.ceil(), ints.round(), ints.trunc()}) {
      assertEquals(DType.INT64, r.dtype());
      assertArrayEquals(new long[] {-3, 7}, r.toLongArray());
    }
    assertArrayEquals(
        new long[] {2, 1, -1, -2}, // int64 remainder takes the divisor's sign
        Tensor.ofLongs(new long[] {5, -5, 5, -5}, 4)
            .remainder(Tensor.ofLongs(new long[] {3, 3, -3, -3}, 4))
            .toLongArray());
  }

  @Test
  void lerpHitsItsEndsAndDifferentiatesInAllThree() {
    Tensor s = leaf(1, 1, 1e300);
    Tensor e = leaf(3, 3, -1e300);
    Tensor w = leaf(0.25, 1, 0.5);
    assertArrayEquals(new double[] {1.5, 3, 0}, s.lerp(e, w).toDoubleArray(), 0.0);
    Tensor[] g = Autograd.grad(s.lerp(e, w).sum(), s, e, w);
    assertArrayEquals(new double[] {0.75, 0, 0.5}, g[0].toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {0.25, 1, 0.5}, g[1].toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {2, 2}, java.util.Arrays.copyOf(g[2].toDoubleArray(), 2), 0.0);
    assertEquals(3.0, f64(1).lerp(f64(3), 1.0).item(), 0.0);
  }

  @Test
  void integerInputsPromote() {
    Tensor a = Tensor.ofLongs(new long[] {1, -1}, 2);
    Tensor r = a.atan2(Tensor.ofLongs(new long[] {0, 0}, 2));
    assertEquals(DType.FLOAT32, r.dtype());
    assertArrayEquals(new double[] {Math.PI / 2, -Math.PI / 2}, r.toDoubleArray(), 1e-6);
    assertEquals(DType.FLOAT32, a.erf().dtype());
    assertEquals(DType.FLOAT32, a.gelu().dtype());
  }

  @Test
  void badArgumentsAreNamed() {
    Tensor x = f64(1, 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.gelu("erf"));
    assertTrue(e.getMessage().contains("gelu") && e.getMessage().contains("tanh"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> x.hardtanh(1, -1));
    assertTrue(e.getMessage().contains("hardtanh"), e.getMessage());
    Tensor ints = Tensor.ofLongs(new long[] {1, 2}, 2);
    e = assertThrows(IllegalArgumentException.class, () -> ints.remainder(0));
    assertTrue(e.getMessage().contains("remainder"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> ints.fmod(Tensor.ofLongs(new long[] {0, 1}, 2)));
    assertTrue(e.getMessage().contains("fmod"), e.getMessage());
  }
}
