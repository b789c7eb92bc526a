package nabla.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import nabla.Autograd;
import nabla.Node;
import nabla.Tensor;
import nabla.ops.PrimitiveSpecs.Spec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every primitive's VJP against central finite differences in float64, first and second order
 * (the gradient of ⟨v, ∇⟨c, f(x)⟩⟩), on the spec table's inputs.
 */
class GradientCheckTest {
  static Stream<Spec> specs() {
    return PrimitiveSpecs.all().stream();
  }

  @Test
  void everyPrimitiveHasASpec() {
    Set<PrimitiveKind> missing = EnumSet.allOf(PrimitiveKind.class);
    for (Spec s : PrimitiveSpecs.all()) {
      missing.remove(s.kind());
    }
    assertTrue(missing.isEmpty(), "primitives without a spec entry: " + missing);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void specExercisesItsPrimitive(Spec spec) {
    Tensor[] inputs = inputs(spec, new Random(1));
    Tensor out = spec.f().apply(inputs);
    Set<PrimitiveKind> seen = EnumSet.noneOf(PrimitiveKind.class);
    ArrayDeque<Node> todo = new ArrayDeque<>();
    Set<Node> visited = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    if (out.gradFn() != null) {
      todo.add(out.gradFn());
    }
    while (!todo.isEmpty()) {
      Node n = todo.pop();
      if (!visited.add(n)) {
        continue;
      }
      seen.add(n.primitive().kind());
      for (Tensor t : n.inputs()) {
        if (t.gradFn() != null) {
          todo.add(t.gradFn());
        }
      }
    }
    // Non-differentiable primitives (compare, argmax) leave no node; their spec must still run.
    if (spec.kind() != PrimitiveKind.COMPARE
        && spec.kind() != PrimitiveKind.ARGMAX
        && spec.kind() != PrimitiveKind.ARGMIN) {
      assertTrue(seen.contains(spec.kind()), spec + " records no " + spec.kind() + ": " + seen);
    }
  }

  static Tensor[] inputs(Spec spec, Random r) {
    Tensor[] in = new Tensor[spec.args().size()];
    for (int i = 0; i < in.length; i++) {
      in[i] = spec.args().get(i).make(r);
      if (spec.args().get(i).differentiable()) {
        in[i].requiresGrad(true);
      }
    }
    return in;
  }

  static Tensor randomLike(Tensor t, Random r) {
    double[] d = new double[t.numel()];
    for (int i = 0; i < d.length; i++) {
      d[i] = r.nextGaussian();
    }
    return Tensor.ofDoubles(d, t.shape());
  }

  /** ⟨c, f(x)⟩ for fresh copies of the inputs with element (i, j) shifted by delta. */
  static double probe(Spec spec, Tensor[] base, Tensor c, int i, int j, double delta) {
    Tensor[] in = new Tensor[base.length];
    for (int k = 0; k < base.length; k++) {
      if (k == i) {
        double[] d = base[k].toDoubleArray();
        d[j] += delta;
        in[k] = Tensor.ofDoubles(d, base[k].shape());
      } else {
        in[k] = base[k].detach();
      }
    }
    try (var g = Autograd.noGrad()) {
      return spec.f().apply(in).mul(c).sum().item();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void vjpMatchesFiniteDifferences(Spec spec) {
    Random r = new Random(42);
    Tensor[] x = inputs(spec, r);
    Tensor out = spec.f().apply(x);
    Tensor c = randomLike(out, r);
    List<Integer> diff = differentiable(spec);
    if (!out.requiresGrad()) {
      fail(spec + ": the output does not require grad");
    }
    Tensor[] grads = Autograd.grad(out, c, false, false, pick(x, diff));
    for (int a = 0; a < diff.size(); a++) {
      int i = diff.get(a);
      double[] analytic = grads[a].toDoubleArray();
      for (int j = 0; j < analytic.length; j++) {
        double h = spec.step();
        double numeric = (probe(spec, x, c, i, j, h) - probe(spec, x, c, i, j, -h)) / (2 * h);
        assertClose(spec + " input " + i + " element " + j, numeric, analytic[j], spec.tolerance());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void secondOrderMatchesFiniteDifferences(Spec spec) {
    Random r = new Random(7);
    Tensor[] x = inputs(spec, r);
    Tensor c = randomLike(spec.f().apply(x), r);
    List<Integer> diff = differentiable(spec);
    Tensor[] v = new Tensor[diff.size()];
    for (int a = 0; a < v.length; a++) {
      v[a] = randomLike(x[diff.get(a)], r);
    }
    // s(x) = Σ_a ⟨v_a, ∂⟨c, f(x)⟩/∂x_a⟩; its gradient by double backward vs finite differences.
    Tensor s = firstOrderDirectional(spec, x, c, v, diff, true);
    if (!s.requiresGrad()) {
      return; // the first derivative is constant (linear primitive): nothing to differentiate
    }
    Tensor[] hv = Autograd.grad(s, null, false, false, pick(x, diff));
    for (int a = 0; a < diff.size(); a++) {
      int i = diff.get(a);
      double[] analytic = hv[a].toDoubleArray();
      for (int j = 0; j < analytic.length; j++) {
        double h = spec.step();
        double plus = shifted(spec, x, c, v, diff, i, j, h);
        double minus = shifted(spec, x, c, v, diff, i, j, -h);
        assertClose(spec + " second order, input " + i + " element " + j,
            (plus - minus) / (2 * h), analytic[j], Math.max(1e-5, spec.tolerance()));
      }
    }
  }

  private static double shifted(
      Spec spec, Tensor[] x, Tensor c, Tensor[] v, List<Integer> diff, int i, int j, double d) {
    Tensor[] in = new Tensor[x.length];
    for (int k = 0; k < x.length; k++) {
      if (k == i) {
        double[] data = x[k].toDoubleArray();
        data[j] += d;
        in[k] = Tensor.ofDoubles(data, x[k].shape());
      } else {
        in[k] = x[k].detach();
      }
      if (diff.contains(k)) {
        in[k].requiresGrad(true);
      }
    }
    return firstOrderDirectional(spec, in, c, v, diff, false).item();
  }

  private static Tensor firstOrderDirectional(
      Spec spec, Tensor[] x, Tensor c, Tensor[] v, List<Integer> diff, boolean createGraph) {
    Tensor out = spec.f().apply(x);
    Tensor[] g = Autograd.grad(out, c, createGraph, createGraph, pick(x, diff));
    Tensor s = null;
    for (int a = 0; a < g.length; a++) {
      Tensor term = g[a].mul(v[a]).sum();
      s = s == null ? term : s.add(term);
    }
    return s;
  }

  private static List<Integer> differentiable(Spec spec) {
    List<Integer> d = new ArrayList<>();
    for (int i = 0; i < spec.args().size(); i++) {
      if (spec.args().get(i).differentiable()) {
        d.add(i);
      }
    }
    return d;
  }

  private static Tensor[] pick(Tensor[] x, List<Integer> idx) {
    Tensor[] r = new Tensor[idx.size()];
    for (int a = 0; a < r.length; a++) {
      r[a] = x[idx.get(a)];
    }
    return r;
  }

  static void assertClose(String what, double expected, double actual, double tol) {
    double err = Math.abs(expected - actual);
    if (!(err <= tol * (1 + Math.abs(expected)))) {
      fail(what + ": finite differences give " + expected + ", autograd gives " + actual);
    }
  }
}
