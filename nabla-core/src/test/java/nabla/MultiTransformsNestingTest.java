package nabla;

import static nabla.MultiTransformsTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Every multi-argument transform is differentiable in every tensor argument (points, tangents,
 * cotangents): GradCheck differentiates each transform's result with respect to all of them, to
 * first and second order and in forward mode, against central finite differences in float64.
 */
class MultiTransformsNestingTest {
  /** Two outputs of two inputs x [2,2], y [2], each depending on both. */
  static Tensor[] two(Tensor... a) {
    return new Tensor[] {a[0].tanh().matmul(a[1]).mul(a[1]), a[0].mul(a[1]).sin().sum()};
  }

  static Tensor scalar(Tensor... a) {
    return a[0].sin().matmul(a[1].exp()).square().sum().add(a[0].sum().mul(a[1].square().sum()));
  }

  private static Tensor[] leaves(long seed, int[]... shapes) {
    Tensor[] t = new Tensor[shapes.length];
    for (int i = 0; i < shapes.length; i++) {
      t[i] = random(seed + i, shapes[i]).requiresGrad(true);
    }
    return t;
  }

  private static final int[] X = {2, 2};
  private static final int[] Y = {2};
  private static final int[] S = {};

  @Test
  void vjpIsDifferentiableInThePointsAndTheCotangents() {
    GradCheck.assertGradients(
        a ->
            Autograd.vjp(
                MultiTransformsNestingTest::two,
                new Tensor[] {a[0], a[1]},
                new Tensor[] {a[2], a[3]})[0]
                .add(
                    Autograd.vjp(
                        MultiTransformsNestingTest::two,
                        new Tensor[] {a[0], a[1]},
                        new Tensor[] {a[2], a[3]})[1]
                        .sum()),
        leaves(100, X, Y, Y, S));
  }

  @Test
  void jvpIsDifferentiableInThePointsAndTheTangents() {
    GradCheck.assertGradients(
        a -> {
          Tensor[] t =
              Autograd.jvp(
                  MultiTransformsNestingTest::two,
                  new Tensor[] {a[0], a[1]},
                  new Tensor[] {a[2], a[3]});
          return t[0].add(t[1]);
        },
        leaves(110, X, Y, X, Y));
  }

  @Test
  void jacobiansAreDifferentiableInThePoints() {
    GradCheck.assertGradients(
        a -> Autograd.jacrev(MultiTransformsNestingTest::two, a[0], a[1])[0][0].sum(0, false),
        leaves(120, X, Y));
    GradCheck.assertGradients(
        a -> Autograd.jacfwd(MultiTransformsNestingTest::two, a[0], a[1])[1][1], leaves(130, X, Y));
  }

  @Test
  void hessianHvpAndVhpAreDifferentiableInEveryArgument() {
    GradCheck.Options firstOrder = GradCheck.Options.defaults().withSecondOrder(false);
    GradCheck.assertGradients(
        a -> Autograd.hessian(MultiTransformsNestingTest::scalar, a[0], a[1])[0][1].sum(0, false),
        firstOrder,
        leaves(140, X, Y));
    GradCheck.assertGradients(
        a ->
            Autograd.hvp(
                MultiTransformsNestingTest::scalar,
                new Tensor[] {a[0], a[1]},
                new Tensor[] {a[2], a[3]})[1],
        firstOrder,
        leaves(150, X, Y, X, Y));
    GradCheck.assertGradients(
        a ->
            Autograd.vhp(
                MultiTransformsNestingTest::scalar,
                new Tensor[] {a[0], a[1]},
                new Tensor[] {a[2], a[3]})[0],
        firstOrder,
        leaves(160, X, Y, X, Y));
  }

  @Test
  void valueAndGradIsDifferentiableInEveryArgument() {
    GradCheck.assertGradients(
        a -> {
          var r =
              Autograd.valueAndGrad(MultiTransformsNestingTest::scalar, 1, 0)
                  .apply(new Tensor[] {a[0], a[1]});
          return r.grads()[0].sum().add(r.grads()[1].sum()).add(r.value());
        },
        leaves(170, X, Y));
  }

  @Test
  void theGradientOfAVjpWithRespectToTheCotangentIsTheJacobianTimesTheWeights() {
    // functorch's grad-of-vjp composition: d/dv <w, vjp(f, x, v)> = J w, here with two inputs.
    Tensor x = random(180, 2, 2);
    Tensor y = random(181, 2);
    Tensor w0 = random(182, 2, 2);
    Tensor w1 = random(183, 2);
    Tensor[] cot = {random(184, 2), random(185)};
    Tensor[] g =
        Autograd.gradWrt(
                a -> {
                  Tensor[] v =
                      Autograd.vjp(
                          MultiTransformsNestingTest::two,
                          new Tensor[] {x, y},
                          new Tensor[] {a[0], a[1]});
                  return v[0].mul(w0).sum().add(v[1].mul(w1).sum());
                })
            .apply(cot);
    Tensor[] jw =
        Autograd.jvp(MultiTransformsNestingTest::two, new Tensor[] {x, y}, new Tensor[] {w0, w1});
    assertArrayEquals(jw[0].toDoubleArray(), g[0].toDoubleArray(), 1e-12);
    assertArrayEquals(jw[1].toDoubleArray(), g[1].toDoubleArray(), 1e-12);
  }

  @Test
  void resultsCarryAGraphOnlyWhenAnArgumentRequiresGrad() {
    Tensor x = random(190, 2, 2);
    Tensor y = random(191, 2);
    Tensor[][] plain = Autograd.jacobian(MultiTransformsNestingTest::two, x, y);
    assertFalse(plain[0][0].requiresGrad(), "no argument requires grad: nothing recorded");
    Tensor[][] nested =
        Autograd.jacobian(MultiTransformsNestingTest::two, x, y.detach().requiresGrad(true));
    assertTrue(nested[0][0].requiresGrad(), "y requires grad: the result is differentiable");
    Tensor[] v = {random(192, 2).requiresGrad(true), random(193)};
    assertTrue(
        Autograd.vjp(MultiTransformsNestingTest::two, new Tensor[] {x, y}, v)[0].requiresGrad(),
        "a cotangent requires grad: the result is differentiable");
  }

  @Test
  void theValueOfValueAndGradKeepsItsTangentInsideJvp() {
    // The value used to be detached, which dropped its forward-mode tangent: jvp of it gave zero.
    java.util.function.Function<Tensor, Tensor> f = t -> t.sin().mul(t).sum();
    Tensor x = random(200, 3);
    Tensor v = random(201, 3);
    double expected = Autograd.jvp(f, x, v).item();
    double single = Autograd.jvp(t -> Autograd.valueAndGrad(f).apply(t).value(), x, v).item();
    double multi =
        Autograd.jvp(
                t ->
                    Autograd.valueAndGrad((Tensor[] a) -> f.apply(a[0]))
                        .apply(new Tensor[] {t})
                        .value(),
                x,
                v)
            .item();
    org.junit.jupiter.api.Assertions.assertEquals(expected, single, 1e-12);
    org.junit.jupiter.api.Assertions.assertEquals(expected, multi, 1e-12);
  }
}
