package nabla.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import nabla.Autograd;
import nabla.Node;
import nabla.Tensor;
import nabla.kernels.BinaryOp;
import nabla.kernels.UnaryOp;
import nabla.ops.PrimitiveSpecs.Spec;
import nabla.storage.Shapes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The traits in the {@link PrimitiveKind} table against what the primitives do, on every node the
 * spec table's expressions record: a rule that claims not to read its inputs (or output) gives the
 * same result when they are replaced by NaN; a linear primitive is additive; an elementwise one has
 * the broadcast shape. And every kernel op has its row.
 */
class PrimitiveTableTest {

  /** One recorded application of a primitive. */
  record Applied(Primitive p, Tensor[] inputs, Tensor output) {}

  static Stream<Spec> specs() {
    return PrimitiveSpecs.all().stream();
  }

  /** Every node the spec's expression records, with its output. */
  static List<Applied> applications(Spec spec) {
    Tensor[] in = GradientCheckTest.inputs(spec, new Random(5));
    Tensor out = spec.f().apply(in);
    List<Applied> found = new ArrayList<>();
    Set<Node> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    ArrayDeque<Tensor> todo = new ArrayDeque<>();
    todo.add(out);
    while (!todo.isEmpty()) {
      Tensor t = todo.pop();
      Node n = t.gradFn();
      if (n == null || !seen.add(n)) {
        continue;
      }
      found.add(new Applied(n.primitive(), n.inputs().toArray(Tensor[]::new), t));
      todo.addAll(n.inputs());
    }
    assertFalse(found.isEmpty(), spec + " records no node");
    return found;
  }

  private static Tensor random(Tensor like, Random r) {
    return GradientCheckTest.randomLike(like, r).to(like.dtype());
  }

  private static Tensor nanLike(Tensor t) {
    return t.dtype().isFloating() ? Tensor.full(Double.NaN, t.dtype(), t.shape()) : t;
  }

  private static void assertSame(String what, Tensor expected, Tensor actual) {
    if (expected == null || actual == null) {
      assertEquals(expected == null, actual == null, what + ": one result is null");
      return;
    }
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), what);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void rulesReadOnlyWhatTheTableSays(Spec spec) {
    Random r = new Random(7);
    List<Applied> applied = applications(spec);
    try (var scope = Autograd.noGrad()) {
      for (Applied a : applied) {
        Primitive p = a.p();
        PrimitiveKind k = p.kind();
        if (k == PrimitiveKind.CUSTOM) {
          continue; // user rules (and checkpoint's recompute) are not the table's business
        }
        Tensor[] in = new Tensor[a.inputs().length];
        Tensor[] nanIn = new Tensor[in.length];
        Tensor[] tangents = new Tensor[in.length];
        boolean[] needs = new boolean[in.length];
        for (int i = 0; i < in.length; i++) {
          in[i] = a.inputs()[i].detach();
          nanIn[i] = p.savesInputs() ? in[i] : nanLike(in[i]);
          needs[i] = in[i].dtype().isFloating();
          tangents[i] = needs[i] ? random(in[i], r) : null;
        }
        Tensor out = a.output().detach();
        Tensor nanOut = p.savesOutput() ? out : nanLike(out);
        Tensor g = random(out, r);
        String what = spec + ": " + k + " VJP with unsaved values replaced by NaN";
        Tensor[] expected = p.vjp(g, out, in, needs);
        Tensor[] actual = p.vjp(g, nanOut, nanIn, needs);
        for (int i = 0; i < expected.length; i++) {
          assertSame(what + ", input " + i, expected[i], actual[i]);
        }
        if (!k.isLinear()) {
          assertSame(
              spec + ": " + k + " JVP with unsaved values replaced by NaN",
              p.jvp(tangents, out, in),
              p.jvp(tangents, nanOut, nanIn));
        }
      }
    }
  }

  /**
   * f(x + r) = f(x) + f(r) for the linear primitives; elementwise ones give the broadcast shape.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void linearAndElementwiseTraitsHold(Spec spec) {
    Random r = new Random(11);
    List<Applied> applied = applications(spec);
    try (var scope = Autograd.noGrad()) {
      for (Applied a : applied) {
        Primitive p = a.p();
        Tensor[] x = new Tensor[a.inputs().length];
        Tensor[] d = new Tensor[x.length];
        Tensor[] sum = new Tensor[x.length];
        int[] broadcast = new int[0];
        for (int i = 0; i < x.length; i++) {
          x[i] = a.inputs()[i].detach();
          d[i] = random(x[i], r);
          sum[i] = x[i].add(d[i]);
          if (p.kind().isElementwise()) {
            broadcast = Shapes.broadcast("test", broadcast, x[i].shape());
          }
        }
        if (p.kind().isElementwise()) {
          assertArrayEquals(broadcast, a.output().shape(), spec + ": " + p.kind() + " shape");
        }
        if (p.kind().isLinear()) {
          double[] lhs = p.forward(sum).toDoubleArray();
          double[] rhs = p.forward(x).add(p.forward(d)).toDoubleArray();
          assertEquals(lhs.length, rhs.length);
          for (int j = 0; j < lhs.length; j++) {
            double tol = 1e-6 * (1 + Math.abs(rhs[j])); // cast rounds to float32
            assertTrue(
                Math.abs(lhs[j] - rhs[j]) <= tol,
                spec + ": " + p.kind() + " is not additive at element " + j);
          }
        }
      }
    }
  }

  @Test
  void everyKernelOpHasExactlyOneRow() {
    Map<UnaryOp, PrimitiveKind> unary = new EnumMap<>(UnaryOp.class);
    Map<BinaryOp, PrimitiveKind> binary = new EnumMap<>(BinaryOp.class);
    for (PrimitiveKind k : PrimitiveKind.values()) {
      switch (k.rule()) {
        case Elementwise.UnaryRule u -> assertEquals(null, unary.put(u.kernel(), k), k + " twice");
        case Elementwise.BinaryRule b ->
            assertEquals(null, binary.put(b.kernel(), k), k + " twice");
        case null -> {}
      }
    }
    for (UnaryOp op : UnaryOp.values()) {
      assertNotNull(unary.get(op), op + " is the kernel of no PrimitiveKind row");
      assertEquals(unary.get(op), Primitives.unary(op).kind());
    }
    for (BinaryOp op : BinaryOp.values()) {
      assertEquals(!op.isComparison(), binary.containsKey(op), op + ": row");
    }
  }

  @Test
  void linearRowsReadNothing() {
    for (PrimitiveKind k : PrimitiveKind.values()) {
      if (k.isLinear()) {
        assertFalse(k.savesInputs() || k.savesOutput(), k + " is linear but reads values");
      }
    }
  }

  @Test
  void displayNamesAreCamelCase() {
    assertEquals("LogSoftmax", PrimitiveKind.LOG_SOFTMAX.displayName());
    assertEquals("ScatterAdd", PrimitiveKind.SCATTER_ADD.displayName());
    assertEquals("Argmax", PrimitiveKind.ARGMAX.displayName());
    assertEquals("MulBackward", Primitives.mul().gradFnName());
  }
}
