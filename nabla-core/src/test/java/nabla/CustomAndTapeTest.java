package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** GradientTape, custom functions, the public gradient checker and checkpointing. */
class CustomAndTapeTest {
  static Tensor f64(double... v) {
    return Tensor.ofDoubles(v, v.length);
  }

  @Test
  void tapeComputesTheWalkthroughGradient() {
    Tensor x = Tensor.arange(4.0);
    Tensor y;
    Tensor dx;
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(x);
      y = x.dot(x).mul(2);
      dx = tape.gradient(y, x);
    }
    assertArrayEquals(new double[] {0, 4, 8, 12}, dx.toDoubleArray());
    assertEquals(null, x.grad(), "the tape does not touch grad()");
  }

  @Test
  void oneShotTapeNamesThePersistentOption() {
    Tensor x = f64(1, 2);
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(x);
      Tensor y = x.mul(x).sum();
      tape.gradient(y, x);
      var e = assertThrows(IllegalStateException.class, () -> tape.gradient(y, x));
      assertTrue(e.getMessage().contains("persistent"), e.getMessage());
    }
  }

  @Test
  void persistentTapeAnswersTwice() {
    Tensor x = f64(1, 2);
    try (GradientTape tape = GradientTape.persistent()) {
      tape.watch(x);
      Tensor y = x.mul(x).sum();
      Tensor z = x.sin().sum();
      assertArrayEquals(new double[] {2, 4}, tape.gradient(y, x).toDoubleArray(), 1e-12);
      assertArrayEquals(
          new double[] {Math.cos(1), Math.cos(2)}, tape.gradient(z, x).toDoubleArray(), 1e-12);
    }
  }

  @Test
  void tapeRecordsEvenInsideNoGradAndRestoresIt() {
    try (var g = Autograd.noGrad()) {
      try (GradientTape tape = GradientTape.open()) {
        assertTrue(Autograd.isGradEnabled());
      }
      assertFalse(Autograd.isGradEnabled());
    }
  }

  @Test
  void customFunctionWorksInEveryMode() {
    CustomFunction cube =
        CustomFunction.of(
            "Cube",
            in -> in[0].mul(in[0]).mul(in[0]),
            (g, out, in) -> new Tensor[] {g.mul(in[0].mul(in[0]).mul(3))},
            (t, out, in) -> t[0].mul(in[0].mul(in[0]).mul(3)));
    Tensor x = f64(2).requiresGrad(true);
    Tensor y = cube.apply(x);
    assertEquals("CubeBackward", y.gradFn().name());
    y.sum().backward();
    assertEquals(12, x.grad().item(), 1e-12);
    Function<Tensor, Tensor> f = t -> cube.apply(t).sum();
    assertEquals(12, Autograd.grad(Autograd.grad(f)).apply(f64(2)).item(), 1e-12);
    assertEquals(12, Autograd.jvp(f, f64(2), f64(1)).item(), 1e-12);
    assertEquals(12, Autograd.hessian(f, f64(2)).item(), 1e-12);
  }

  @Test
  void customFunctionWithoutJvpSaysWhatIsMissing() {
    CustomFunction square =
        CustomFunction.of("Square", in -> in[0].mul(in[0]), (g, o, in) -> new Tensor[] {g});
    var e =
        assertThrows(
            UnsupportedOperationException.class,
            () -> Autograd.jvp(t -> square.apply(t), f64(1), f64(1)));
    assertTrue(e.getMessage().contains("Square") && e.getMessage().contains("JVP"), e.getMessage());
  }

  @Test
  void gradCheckCatchesAWrongRule() {
    CustomFunction wrong =
        CustomFunction.of(
            "WrongSin",
            in -> in[0].sin(),
            (g, out, in) -> new Tensor[] {g.mul(in[0].sin())}, // should be cos
            (t, out, in) -> t[0].mul(in[0].cos()));
    Tensor x = f64(0.3, 1.1).requiresGrad(true);
    GradCheck.Report report = GradCheck.check(a -> wrong.apply(a[0]), x);
    assertFalse(report.passed());
    assertTrue(report.toString().contains("VJP: input 0, element 0"), report.toString());
    var error =
        assertThrows(
            AssertionError.class, () -> GradCheck.assertGradients(a -> wrong.apply(a[0]), x));
    assertTrue(error.getMessage().contains("FAILED"), error.getMessage());
    GradCheck.assertGradients(a -> a[0].sin().mul(a[0]), x);
  }

  @Test
  void gradCheckReportsAWrongSecondOrderRule() {
    // First derivative right, but written with a detached value: no second derivative.
    CustomFunction flat =
        CustomFunction.of(
            "DetachedSquare",
            in -> in[0].mul(in[0]),
            (g, out, in) -> new Tensor[] {g.mul(in[0].detach().mul(2))},
            (t, out, in) -> t[0].mul(in[0].mul(2)));
    Tensor x = f64(0.7).requiresGrad(true);
    GradCheck.Report report = GradCheck.check(a -> flat.apply(a[0]), x);
    assertFalse(report.passed());
    assertTrue(report.toString().contains("second-order"), report.toString());
  }

  private static int graphNodes(Tensor t) {
    Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    ArrayDeque<Node> todo = new ArrayDeque<>();
    if (t.gradFn() != null) {
      todo.add(t.gradFn());
    }
    while (!todo.isEmpty()) {
      Node n = todo.pop();
      if (seen.add(n)) {
        for (Tensor in : n.inputs()) {
          if (in.gradFn() != null) {
            todo.add(in.gradFn());
          }
        }
      }
    }
    return seen.size();
  }

  @Test
  void checkpointStoresLessAndGivesTheSameGradient() {
    Tensor w = Tensor.randn(64, 64).to(DType.FLOAT64).mul(0.1);
    Function<Tensor, Tensor> segment =
        t -> {
          Tensor h = t;
          for (int i = 0; i < 20; i++) {
            h = h.matmul(w).tanh();
          }
          return h;
        };
    Tensor x1 = Tensor.randn(8, 64).to(DType.FLOAT64).requiresGrad(true);
    Tensor plain = segment.apply(x1).sum();
    int plainNodes = graphNodes(plain);
    plain.backward();

    Tensor x2 = x1.detach().requiresGrad(true);
    Tensor ckpt = Autograd.checkpoint(segment, x2).sum();
    int ckptNodes = graphNodes(ckpt);
    ckpt.backward();

    // 20 matmuls + 20 tanh (+ sum) stored without checkpointing; one node with it.
    assertTrue(plainNodes >= 41, "plain graph nodes: " + plainNodes);
    assertEquals(2, ckptNodes, "checkpointed graph: the segment node and the sum");
    assertArrayEquals(x1.grad().toDoubleArray(), x2.grad().toDoubleArray(), 1e-12);
  }
}
