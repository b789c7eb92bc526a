package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The functional transforms over several arguments and results: vjp, jvp, jacobian (jacrev,
 * jacfwd), hessian, hvp, vhp and valueAndGrad with argnums, after PyTorch's test_functional.py and
 * JAX's api_test.py. Every result is checked in float64 against central finite differences of the
 * function itself (not against another transform), and strict mode and argument errors are checked
 * by their messages.
 */
class MultiTransformsTest {
  private static final double STEP = 1e-6;
  private static final double TOL = 1e-6;

  static Tensor random(long seed, int... shape) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] v = new double[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextDouble(-1, 1);
    }
    return Tensor.ofDoubles(v, shape);
  }

  /** Three outputs of two inputs x [2,3] and y [3], with every kind of dependence. */
  static Tensor[] threeOutputs(Tensor... a) {
    Tensor x = a[0];
    Tensor y = a[1];
    return new Tensor[] {
      x.sin().mul(y), // [2,3], on x and y (broadcast)
      x.matmul(y.exp()), // [2], on both
      y.square().sum() // [], on y only
    };
  }

  static final Tensor X = random(1, 2, 3);
  static final Tensor Y = random(2, 3);

  /** f's outputs at xs without recording, as double arrays. */
  static double[][] values(Autograd.MultiOutputFunction f, Tensor[] xs) {
    try (var g = Autograd.noGrad()) {
      Tensor[] ys = f.apply(xs);
      double[][] v = new double[ys.length][];
      for (int i = 0; i < ys.length; i++) {
        v[i] = ys[i].toDoubleArray();
      }
      return v;
    }
  }

  /**
   * Central finite differences: [output i][input j] the Jacobian block flattened row-major, rows
   * the elements of output i, columns the elements of input j.
   */
  static double[][][] numericJacobian(Autograd.MultiOutputFunction f, Tensor... xs) {
    int outs = values(f, xs).length;
    double[][][] jac = new double[outs][xs.length][];
    for (int j = 0; j < xs.length; j++) {
      double[] base = xs[j].toDoubleArray();
      int n = base.length;
      double[][][] cols = new double[outs][n][];
      for (int k = 0; k < n; k++) {
        double[] plus = base.clone();
        double[] minus = base.clone();
        plus[k] += STEP;
        minus[k] -= STEP;
        Tensor[] xp = xs.clone();
        Tensor[] xm = xs.clone();
        xp[j] = Tensor.ofDoubles(plus, xs[j].shape());
        xm[j] = Tensor.ofDoubles(minus, xs[j].shape());
        double[][] fp = values(f, xp);
        double[][] fm = values(f, xm);
        for (int i = 0; i < outs; i++) {
          cols[i][k] = new double[fp[i].length];
          for (int o = 0; o < fp[i].length; o++) {
            cols[i][k][o] = (fp[i][o] - fm[i][o]) / (2 * STEP);
          }
        }
      }
      for (int i = 0; i < outs; i++) {
        int m = values(f, xs)[i].length;
        jac[i][j] = new double[m * n];
        for (int o = 0; o < m; o++) {
          for (int k = 0; k < n; k++) {
            jac[i][j][o * n + k] = cols[i][k][o];
          }
        }
      }
    }
    return jac;
  }

  static int[] concat(int[] a, int[] b) {
    int[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  static void assertJacobian(
      String what, double[][][] expected, Tensor[][] actual, Tensor[] ys, Tensor[] xs) {
    assertEquals(expected.length, actual.length, what + ": outputs");
    for (int i = 0; i < expected.length; i++) {
      assertEquals(xs.length, actual[i].length, what + ": inputs of output " + i);
      for (int j = 0; j < xs.length; j++) {
        assertArrayEquals(
            concat(ys[i].shape(), xs[j].shape()), actual[i][j].shape(), what + " [" + i + "][" + j);
        assertEquals(DType.FLOAT64, actual[i][j].dtype());
        assertArrayEquals(
            expected[i][j], actual[i][j].toDoubleArray(), TOL, what + " [" + i + "][" + j + "]");
      }
    }
  }

  @Test
  void jacobianBlocksMatchFiniteDifferencesInEveryMode() {
    Tensor[] xs = {X, Y};
    double[][][] expected = numericJacobian(MultiTransformsTest::threeOutputs, xs);
    Tensor[] ys = threeOutputs(xs);
    assertJacobian(
        "jacobian", expected, Autograd.jacobian(MultiTransformsTest::threeOutputs, X, Y), ys, xs);
    assertJacobian(
        "jacrev", expected, Autograd.jacrev(MultiTransformsTest::threeOutputs, X, Y), ys, xs);
    assertJacobian(
        "jacfwd", expected, Autograd.jacfwd(MultiTransformsTest::threeOutputs, X, Y), ys, xs);
    // Output 2 does not depend on x: its block is exact zeros of shape [] ++ [2, 3].
    Tensor[][] j = Autograd.jacobian(MultiTransformsTest::threeOutputs, X, Y);
    assertArrayEquals(new double[6], j[2][0].toDoubleArray(), 0);
  }

  @Test
  void jacobianFallsBackToOnePassPerRowThroughACustomFunction() {
    // A custom function has no batched rule: the reverse Jacobian takes one pass per row.
    CustomFunction cube =
        CustomFunction.of(
            "Cube",
            in -> in[0].pow(3),
            (g, out, in) -> new Tensor[] {g.mul(in[0].square()).mul(3)});
    Autograd.MultiOutputFunction f = a -> new Tensor[] {cube.apply(a[0]).mul(a[1]), a[1].sin()};
    Tensor[] xs = {random(3, 4), random(4, 4)};
    Tensor[] ys = f.apply(xs);
    assertJacobian("custom", numericJacobian(f, xs), Autograd.jacrev(f, xs), ys, xs);
  }

  @Test
  void vjpIsTheCotangentWeightedJacobianSum() {
    // PyTorch's test_vjp_output with several inputs and outputs: for each input j,
    // sum_i v_i^T J_ij.
    Tensor[] xs = {X, Y};
    Tensor[] vs = {random(3, 2, 3), random(4, 2), random(5)};
    double[][][] jac = numericJacobian(MultiTransformsTest::threeOutputs, xs);
    Tensor[] g = Autograd.vjp(MultiTransformsTest::threeOutputs, xs, vs);
    assertEquals(2, g.length);
    for (int j = 0; j < 2; j++) {
      int n = xs[j].numel();
      double[] expected = new double[n];
      for (int i = 0; i < 3; i++) {
        double[] v = vs[i].toDoubleArray();
        for (int o = 0; o < v.length; o++) {
          for (int k = 0; k < n; k++) {
            expected[k] += v[o] * jac[i][j][o * n + k];
          }
        }
      }
      assertArrayEquals(xs[j].shape(), g[j].shape());
      assertArrayEquals(expected, g[j].toDoubleArray(), TOL, "input " + j);
    }
  }

  @Test
  void jvpIsTheTangentWeightedJacobianSumAndKeepsTheValues() {
    Tensor[] xs = {X, Y};
    Tensor[] ts = {random(6, 2, 3), random(7, 3)};
    double[][][] jac = numericJacobian(MultiTransformsTest::threeOutputs, xs);
    var r = Autograd.valueAndJvp(MultiTransformsTest::threeOutputs, xs, ts, false);
    double[][] expectedValues = values(MultiTransformsTest::threeOutputs, xs);
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(expectedValues[i], r.values()[i].toDoubleArray(), 1e-15);
      double[] expected = new double[expectedValues[i].length];
      for (int j = 0; j < 2; j++) {
        double[] t = ts[j].toDoubleArray();
        for (int o = 0; o < expected.length; o++) {
          for (int k = 0; k < t.length; k++) {
            expected[o] += jac[i][j][o * t.length + k] * t[k];
          }
        }
      }
      assertArrayEquals(expected, r.tangents()[i].toDoubleArray(), TOL, "output " + i);
      assertArrayEquals(
          r.tangents()[i].toDoubleArray(),
          Autograd.jvp(MultiTransformsTest::threeOutputs, xs, ts)[i].toDoubleArray(),
          0);
    }
  }

  @Test
  void vjpAndJvpSatisfyTheTransposeIdentity() {
    // JAX's check_grads: <u, vjp(v)> = <jvp(u), v> for random u, v.
    Tensor[] xs = {X, Y};
    Tensor[] us = {random(8, 2, 3), random(9, 3)};
    Tensor[] vs = {random(10, 2, 3), random(11, 2), random(12)};
    Tensor[] back = Autograd.vjp(MultiTransformsTest::threeOutputs, xs, vs);
    Tensor[] forward = Autograd.jvp(MultiTransformsTest::threeOutputs, xs, us);
    double left = 0;
    double right = 0;
    for (int j = 0; j < 2; j++) {
      left += us[j].mul(back[j]).sum().item();
    }
    for (int i = 0; i < 3; i++) {
      right += vs[i].mul(forward[i]).sum().item();
    }
    assertEquals(left, right, 1e-12);
  }

  /** PyTorch's pow_adder_reducer: sum(2 x^2 + 3 y^2). */
  static Tensor powAdderReducer(Tensor... a) {
    return a[0].pow(2).mul(2).add(a[1].pow(2).mul(3)).sum();
  }

  /** A scalar function of two tensors whose Hessian blocks are all dense. */
  static Tensor coupled(Tensor... a) {
    return a[0].sin().matmul(a[1].exp()).square().sum().add(a[0].mul(a[0]).sum().mul(a[1].sum()));
  }

  /**
   * The Hessian blocks by second differences of f's values, [i][j] flattened row-major (elements of
   * input i by elements of input j): (f(+a+b) - f(+a-b) - f(-a+b) + f(-a-b)) / 4h^2.
   */
  static double[][][] numericHessian(Autograd.MultiFunction f, Tensor... xs) {
    double h = 1e-4;
    double[][][] hess = new double[xs.length][xs.length][];
    for (int i = 0; i < xs.length; i++) {
      for (int j = 0; j < xs.length; j++) {
        int n = xs[i].numel();
        int m = xs[j].numel();
        hess[i][j] = new double[n * m];
        for (int a = 0; a < n; a++) {
          for (int b = 0; b < m; b++) {
            double sum = 0;
            for (int sa = -1; sa <= 1; sa += 2) {
              for (int sb = -1; sb <= 1; sb += 2) {
                Tensor[] p = xs.clone();
                double[] vi = p[i].toDoubleArray();
                vi[a] += sa * h;
                p[i] = Tensor.ofDoubles(vi, xs[i].shape());
                double[] vj = p[j].toDoubleArray();
                vj[b] += sb * h;
                p[j] = Tensor.ofDoubles(vj, xs[j].shape());
                try (var g = Autograd.noGrad()) {
                  sum += sa * sb * f.apply(p).item();
                }
              }
            }
            hess[i][j][a * m + b] = sum / (4 * h * h);
          }
        }
      }
    }
    return hess;
  }

  @Test
  void hessianBlocksOfPowAdderReducerAreDiagonal() {
    // PyTorch's test_hessian_output with a tuple of inputs: [[4I, 0], [0, 6I]].
    Tensor x = random(13, 2, 2);
    Tensor y = random(14, 2, 2);
    Tensor[][] h = Autograd.hessian(MultiTransformsTest::powAdderReducer, x, y);
    double[] eye4 = Tensor.eye(4).to(DType.FLOAT64).toDoubleArray();
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 2; j++) {
        assertArrayEquals(new int[] {2, 2, 2, 2}, h[i][j].shape());
        double scale = i != j ? 0 : i == 0 ? 4 : 6;
        double[] expected = Arrays.stream(eye4).map(e -> e * scale).toArray();
        assertArrayEquals(expected, h[i][j].toDoubleArray(), 1e-12, "[" + i + "][" + j + "]");
      }
    }
  }

  @Test
  void hessianOfACoupledFunctionMatchesSecondDifferences() {
    Tensor x = random(15, 2, 3);
    Tensor y = random(16, 3);
    Tensor[][] h = Autograd.hessian(MultiTransformsTest::coupled, x, y);
    double[][][] expected = numericHessian(MultiTransformsTest::coupled, x, y);
    Tensor[] shapes = {x, y};
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 2; j++) {
        assertArrayEquals(concat(shapes[i].shape(), shapes[j].shape()), h[i][j].shape());
        assertArrayEquals(expected[i][j], h[i][j].toDoubleArray(), 1e-5, "[" + i + "][" + j + "]");
      }
    }
    // Symmetry: H[0][1] is the transpose of H[1][0].
    Tensor h01 = h[0][1].reshape(6, 3);
    Tensor h10 = h[1][0].reshape(3, 6);
    assertArrayEquals(h01.toDoubleArray(), h10.transpose().contiguous().toDoubleArray(), 1e-12);
  }

  @Test
  void hvpAndVhpAreTheHessianTimesTheDirections() {
    Tensor x = random(17, 2, 3);
    Tensor y = random(18, 3);
    Tensor[] xs = {x, y};
    Tensor[] vs = {random(19, 2, 3), random(20, 3)};
    double[][][] h = numericHessian(MultiTransformsTest::coupled, x, y);
    Tensor[] hv = Autograd.hvp(MultiTransformsTest::coupled, xs, vs);
    Tensor[] vh = Autograd.vhp(MultiTransformsTest::coupled, xs, vs);
    for (int i = 0; i < 2; i++) {
      int n = xs[i].numel();
      double[] hvExpected = new double[n];
      double[] vhExpected = new double[n];
      for (int j = 0; j < 2; j++) {
        double[] v = vs[j].toDoubleArray();
        for (int a = 0; a < n; a++) {
          for (int b = 0; b < v.length; b++) {
            hvExpected[a] += h[i][j][a * v.length + b] * v[b]; // H[i][j] v_j
            vhExpected[a] += v[b] * h[j][i][b * n + a]; // v_j^T H[j][i]
          }
        }
      }
      assertArrayEquals(xs[i].shape(), hv[i].shape());
      assertArrayEquals(hvExpected, hv[i].toDoubleArray(), 1e-5, "hvp " + i);
      assertArrayEquals(vhExpected, vh[i].toDoubleArray(), 1e-5, "vhp " + i);
    }
    // The one-tensor vhp agrees with the one-tensor hvp on a symmetric Hessian.
    Tensor v = random(21, 3);
    assertArrayEquals(
        Autograd.hvp(t -> t.pow(3).sum().mul(t.sin().sum()), y, v).toDoubleArray(),
        Autograd.vhp(t -> t.pow(3).sum().mul(t.sin().sum()), y, v).toDoubleArray(),
        1e-12);
  }

  @Test
  void twoArgumentHessianFromTheReadme() {
    // f(x, y) = sum(x^2 * y): H_xx = diag(2y), H_xy = diag(2x), H_yy = 0.
    Tensor x = Tensor.ofDoubles(new double[] {1, 2}, 2);
    Tensor y = Tensor.ofDoubles(new double[] {3, 4}, 2);
    Tensor[][] h = Autograd.hessian(a -> a[0].square().mul(a[1]).sum(), x, y);
    assertArrayEquals(new double[] {6, 0, 0, 8}, h[0][0].toDoubleArray(), 1e-12);
    assertArrayEquals(new double[] {2, 0, 0, 4}, h[0][1].toDoubleArray(), 1e-12);
    assertArrayEquals(new double[] {2, 0, 0, 4}, h[1][0].toDoubleArray(), 1e-12);
    assertArrayEquals(new double[] {0, 0, 0, 0}, h[1][1].toDoubleArray(), 0);
  }

  @Test
  void valueAndGradFollowsArgnumsAndPassesOtherArgumentsThrough() {
    // JAX's value_and_grad(f, argnums=(2, 0)): gradients in argnums order; an int argument that is
    // not differentiated is allowed.
    Tensor x = random(22, 3);
    Tensor labels = Tensor.ofLongs(new long[] {0, 2, 1});
    Tensor w = random(23, 3);
    Autograd.MultiFunction f = a -> a[0].mul(a[2]).exp().mul(a[1].to(DType.FLOAT64)).sum();
    var r = Autograd.valueAndGrad(f, 2, 0).apply(new Tensor[] {x, labels, w});
    double[] xv = x.toDoubleArray();
    double[] lv = labels.toDoubleArray();
    double[] wv = w.toDoubleArray();
    double value = 0;
    double[] dw = new double[3];
    double[] dx = new double[3];
    for (int k = 0; k < 3; k++) {
      double e = Math.exp(xv[k] * wv[k]) * lv[k];
      value += e;
      dw[k] = e * xv[k];
      dx[k] = e * wv[k];
    }
    assertEquals(value, r.value().item(), 1e-12);
    assertFalse(r.value().requiresGrad());
    assertEquals(2, r.grads().length);
    assertArrayEquals(dw, r.grads()[0].toDoubleArray(), 1e-12);
    assertArrayEquals(dx, r.grads()[1].toDoubleArray(), 1e-12);
    // With no argnums: every argument, so all must be floating-point.
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Autograd.valueAndGrad(f).apply(new Tensor[] {x, labels, w}));
    assertTrue(e.getMessage().contains("argument 1 is int64"), e.getMessage());
    // An argument f ignores gets zeros, as in JAX.
    var ignored = Autograd.valueAndGrad((Tensor[] a) -> a[0].sum(), 1).apply(new Tensor[] {x, w});
    assertArrayEquals(new double[3], ignored.grads()[0].toDoubleArray(), 0);
  }

  @Test
  void argnumsOutOfRangeOrRepeatedAreRejected() {
    Autograd.MultiFunction f = a -> a[0].mul(a[1]).sum();
    Tensor[] args = {X, X};
    var range =
        assertThrows(IllegalArgumentException.class, () -> Autograd.valueAndGrad(f, 2).apply(args));
    assertTrue(
        range.getMessage().contains("argument number 2 is out of range"), range.getMessage());
    var twice =
        assertThrows(IllegalArgumentException.class, () -> Autograd.gradWrt(f, 1, 1).apply(args));
    assertTrue(twice.getMessage().contains("listed twice"), twice.getMessage());
  }

  @Test
  void aTensorPassedTwiceGetsOneGradientPerArgument() {
    // f(x, x) with f(a, b) = sum(a * b^2): d/da = b^2 = x^2, d/db = 2ab = 2x^2 (JAX semantics).
    Tensor x = random(24, 3);
    Tensor[] g =
        Autograd.vjp(
            a -> new Tensor[] {a[0].mul(a[1].square()).sum()},
            new Tensor[] {x, x},
            new Tensor[] {Tensor.scalar(1.0, DType.FLOAT64)});
    assertArrayEquals(x.square().toDoubleArray(), g[0].toDoubleArray(), 1e-12);
    assertArrayEquals(x.square().mul(2).toDoubleArray(), g[1].toDoubleArray(), 1e-12);
  }

  // ------------------------------------------------------------------ strict mode

  /** PyTorch's test_vjp_err_check_strict: an output that is detached from its input. */
  @Test
  void strictVjpNamesTheOutputThatDependsOnNoInput() {
    Autograd.MultiOutputFunction f = a -> new Tensor[] {a[0].sin(), a[1].detach().mul(2)};
    Tensor[] xs = {random(25, 3), random(26, 3)};
    Tensor[] vs = {random(27, 3), random(28, 3)};
    var e = assertThrows(IllegalArgumentException.class, () -> Autograd.vjp(f, xs, vs, true));
    assertTrue(
        e.getMessage().startsWith("vjp (strict): output 1 does not depend on any input"),
        e.getMessage());
    // Not strict: input 1 gets zeros, input 0 its gradient.
    Tensor[] g = Autograd.vjp(f, xs, vs);
    assertArrayEquals(new double[3], g[1].toDoubleArray(), 0);
    assertArrayEquals(xs[0].cos().mul(vs[0]).toDoubleArray(), g[0].toDoubleArray(), 1e-12);
    // An input no output uses.
    Autograd.MultiOutputFunction g2 = a -> new Tensor[] {a[0].sin()};
    var unused =
        assertThrows(
            IllegalArgumentException.class, () -> Autograd.vjp(g2, xs, new Tensor[] {vs[0]}, true));
    assertTrue(unused.getMessage().contains("no output depends on input 1"), unused.getMessage());
  }

  @Test
  void strictJacobianNamesTheOutputAndTheInput() {
    var rev =
        assertThrows(
            IllegalArgumentException.class,
            () -> Autograd.jacobian(MultiTransformsTest::threeOutputs, new Tensor[] {X, Y}, true));
    assertTrue(
        rev.getMessage().contains("output 2 does not depend on input 0")
            && rev.getMessage().contains("block [2][0]"),
        rev.getMessage());
    var fwd =
        assertThrows(
            IllegalArgumentException.class,
            () -> Autograd.jacfwd(MultiTransformsTest::threeOutputs, new Tensor[] {X, Y}, true));
    assertTrue(fwd.getMessage().contains("output 2 does not depend on input 0"), fwd.getMessage());
    // A function whose every output depends on every input passes strict mode.
    Autograd.MultiOutputFunction full = a -> new Tensor[] {a[0].mul(a[1]).sum(), a[0].add(a[1])};
    Tensor[][] j = Autograd.jacobian(full, new Tensor[] {Y, Y.mul(2)}, true);
    assertArrayEquals(Y.mul(2).toDoubleArray(), j[0][0].toDoubleArray(), 1e-12);
  }

  @Test
  void strictJvpNamesTheOutputAndTheUnusedInput() {
    Tensor[] xs = {random(29, 3), random(30, 3)};
    Tensor[] ts = {random(31, 3), random(32, 3)};
    var out =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Autograd.jvp(
                    a -> new Tensor[] {a[0].sin(), Tensor.zeros(DType.FLOAT64, 2)}, xs, ts, true));
    assertTrue(
        out.getMessage().contains("output 1 does not depend on any input"), out.getMessage());
    var in =
        assertThrows(
            IllegalArgumentException.class,
            () -> Autograd.jvp(a -> new Tensor[] {a[0].sin()}, xs, ts, true));
    assertTrue(in.getMessage().contains("no output depends on input 1"), in.getMessage());
    // Not strict: a zero tangent of the output's shape.
    Tensor[] t =
        Autograd.jvp(a -> new Tensor[] {a[0].sin(), Tensor.zeros(DType.FLOAT64, 2)}, xs, ts);
    assertArrayEquals(new double[2], t[1].toDoubleArray(), 0);
  }

  @Test
  void strictHessianRejectsIndependentBlocksAndLinearTerms() {
    // PyTorch's test_hessian_err_check_strict: a separable function has zero cross blocks.
    Tensor x = random(33, 2);
    Tensor y = random(34, 2);
    var cross =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Autograd.hessian(MultiTransformsTest::powAdderReducer, new Tensor[] {x, y}, true));
    assertTrue(
        cross
            .getMessage()
            .contains("the gradient with respect to input 0 does not depend on input 1"),
        cross.getMessage());
    assertTrue(cross.getMessage().contains("Hessian block [0][1]"), cross.getMessage());
    // A function that ignores an input.
    var ignored =
        assertThrows(
            IllegalArgumentException.class,
            () -> Autograd.hessian(a -> a[0].pow(3).sum(), new Tensor[] {x, y}, true));
    assertTrue(
        ignored.getMessage().contains("the function does not depend on input 1"),
        ignored.getMessage());
    // hvp and vhp follow the same rules.
    assertThrows(
        IllegalArgumentException.class,
        () -> Autograd.hvp(a -> a[0].pow(3).sum(), new Tensor[] {x, y}, new Tensor[] {x, y}, true));
    assertThrows(
        IllegalArgumentException.class,
        () -> Autograd.vhp(a -> a[0].pow(3).sum(), new Tensor[] {x, y}, new Tensor[] {x, y}, true));
    // Not strict: zeros where strict mode objects.
    Tensor[][] h = Autograd.hessian(MultiTransformsTest::powAdderReducer, x, y);
    assertArrayEquals(new double[4], h[0][1].toDoubleArray(), 0);
  }

  // ------------------------------------------------------------------ argument errors

  @Test
  void countShapeAndDtypeMismatchesNameTheArgument() {
    Autograd.MultiOutputFunction f = a -> new Tensor[] {a[0].sin(), a[1].cos()};
    Tensor[] xs = {random(35, 3), random(36, 2)};
    var count =
        assertThrows(
            IllegalArgumentException.class,
            () -> Autograd.vjp(f, xs, new Tensor[] {random(37, 3)}));
    assertEquals(
        "vjp: 1 cotangent for 2 outputs; pass one cotangent per output", count.getMessage());
    var shape =
        assertThrows(
            IllegalArgumentException.class,
            () -> Autograd.vjp(f, xs, new Tensor[] {random(37, 3), random(38, 3)}));
    assertTrue(
        shape.getMessage().contains("cotangent 1 has shape [3] but output 1 has shape [2]"),
        shape.getMessage());
    var dtype =
        assertThrows(
            IllegalArgumentException.class,
            () -> Autograd.jvp(f, xs, new Tensor[] {random(39, 3).to(DType.FLOAT32), xs[1]}));
    assertTrue(
        dtype.getMessage().contains("tangent 0 is float32 but input 0 is float64"),
        dtype.getMessage());
    var tangents =
        assertThrows(
            IllegalArgumentException.class,
            () -> Autograd.hvp(a -> a[0].sum(), xs, new Tensor[] {xs[0]}));
    assertTrue(
        tangents.getMessage().startsWith("hvp: 1 tangent for 2 inputs"), tangents.getMessage());
    var integer =
        assertThrows(
            IllegalArgumentException.class,
            () -> Autograd.jacobian(f, xs[0], Tensor.ofLongs(new long[] {1, 2})));
    assertTrue(
        integer.getMessage().startsWith("jacrev: can only differentiate"), integer.getMessage());
    assertTrue(
        integer.getMessage().contains("input 1 is int64 of shape [2]"), integer.getMessage());
    var nullOutput =
        assertThrows(
            IllegalStateException.class, () -> Autograd.jacfwd(a -> new Tensor[] {a[0], null}, xs));
    assertTrue(nullOutput.getMessage().contains("null as output 1"), nullOutput.getMessage());
    var nullArray =
        assertThrows(IllegalStateException.class, () -> Autograd.jacobian(a -> null, xs));
    assertTrue(nullArray.getMessage().contains("returned null"), nullArray.getMessage());
    var nullInput =
        assertThrows(
            IllegalArgumentException.class,
            () -> Autograd.hessian((Tensor[] a) -> a[0].sum(), xs[0], null));
    assertTrue(nullInput.getMessage().contains("xs[1] must not be null"), nullInput.getMessage());
    var notScalar =
        assertThrows(
            IllegalArgumentException.class, () -> Autograd.hessian((Tensor[] a) -> a[0], xs));
    assertTrue(notScalar.getMessage().contains("one-element tensor"), notScalar.getMessage());
  }
}
