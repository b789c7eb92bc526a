package nabla.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import nabla.GradCheck;
import nabla.Node;
import nabla.Tensor;
import nabla.ops.PrimitiveSpecs.Spec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every primitive's VJP (first and second order) and JVP against central finite differences in
 * float64, on the spec table's inputs; and the table's completeness.
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

  /** ops.json and the Java half of the table agree (see {@link PrimitiveSpecs#problems()}). */
  @Test
  void specTableIsConsistent() {
    assertTrue(PrimitiveSpecs.problems().isEmpty(), String.join("; ", PrimitiveSpecs.problems()));
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

  /**
   * VJP (first and second order) and JVP against central finite differences, through the public
   * {@link GradCheck}.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void derivativesMatchFiniteDifferences(Spec spec) {
    Tensor[] x = inputs(spec, new Random(42));
    GradCheck.Options options =
        GradCheck.Options.defaults().withStep(spec.step()).withTolerance(spec.tolerance());
    GradCheck.Report report = GradCheck.check(a -> spec.f().apply(a), options, x);
    assertTrue(report.passed(), spec + ": " + report);
    assertTrue(report.comparisons() > 0, spec + ": nothing was compared");
  }

  static void assertClose(String what, double expected, double actual, double tol) {
    double err = Math.abs(expected - actual);
    if (!(err <= tol * (1 + Math.abs(expected)))) {
      fail(what + ": finite differences give " + expected + ", autograd gives " + actual);
    }
  }
}
