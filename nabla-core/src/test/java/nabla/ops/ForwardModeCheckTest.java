package nabla.ops;

import static nabla.ops.GradientCheckTest.assertClose;
import static nabla.ops.GradientCheckTest.randomLike;

import java.util.Random;
import java.util.stream.Stream;
import nabla.Autograd;
import nabla.Tensor;
import nabla.ops.PrimitiveSpecs.Spec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every primitive's JVP rule against reverse mode: the identity ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩, and
 * forward-over-reverse against reverse-over-reverse Hessian-vector products. (Finite-difference
 * checks of the JVP run in {@link GradientCheckTest}.)
 */
class ForwardModeCheckTest {

  static Stream<Spec> specs() {
    return PrimitiveSpecs.all().stream();
  }

  /** f as a function of its first differentiable argument alone (others fixed). */
  private static int firstDifferentiable(Spec spec) {
    for (int i = 0; i < spec.args().size(); i++) {
      if (spec.args().get(i).differentiable()) {
        return i;
      }
    }
    throw new AssertionError(spec + " has no differentiable argument");
  }

  private static java.util.function.Function<Tensor, Tensor> along(Spec spec, Tensor[] x, int i) {
    return xi -> {
      Tensor[] in = new Tensor[x.length];
      for (int k = 0; k < x.length; k++) {
        in[k] = k == i ? xi : x[k].detach();
      }
      return spec.f().apply(in);
    };
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void forwardAndReverseAgree(Spec spec) {
    Random r = new Random(13);
    Tensor[] x = GradientCheckTest.inputs(spec, r);
    int i = firstDifferentiable(spec);
    var f = along(spec, x, i);
    Tensor base = x[i].detach();
    Tensor v = randomLike(base, r);
    Tensor jv = Autograd.jvp(f, base, v);
    Tensor u = randomLike(jv, r);
    Tensor jtu = Autograd.vjp(f, base, u);
    double left = u.mul(jv).sum().item();
    double right = jtu.mul(v).sum().item();
    // Exact up to rounding; specs that pass through float32 carry their own tolerance.
    double tol = spec.step() > 1e-6 ? spec.tolerance() : 1e-10;
    assertClose(spec + " <u, Jv> vs <J^T u, v>", left, right, tol);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void forwardOverReverseMatchesReverseOverReverse(Spec spec) {
    Random r = new Random(17);
    Tensor[] x = GradientCheckTest.inputs(spec, r);
    int i = firstDifferentiable(spec);
    var f = along(spec, x, i);
    Tensor base = x[i].detach();
    Tensor c = randomLike(f.apply(base), r);
    java.util.function.Function<Tensor, Tensor> scalar = t -> f.apply(t).mul(c).sum();
    Tensor v = randomLike(base, r);
    double[] fwdRev = Autograd.hvp(scalar, base, v).toDoubleArray();
    // reverse-over-reverse: gradient of <grad s(x), v>
    double[] revRev =
        Autograd.grad((Tensor t) -> Autograd.grad(scalar).apply(t).mul(v).sum())
            .apply(base)
            .toDoubleArray();
    for (int j = 0; j < fwdRev.length; j++) {
      assertClose(
          spec + " Hv element " + j,
          revRev[j],
          fwdRev[j],
          spec.step() > 1e-6 ? spec.tolerance() : 1e-9);
    }
  }
}
