package nabla.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nabla.DType;
import nabla.Generator;
import nabla.Tensor;
import org.junit.jupiter.api.Test;

class ModuleTest {

  private static Sequential mlp() {
    return new Sequential(
        new Flatten(), new Linear(4, 3), new ReLU(), new Dropout(0.5), new Linear(3, 2));
  }

  /** A module with its own parameter and a nested child, to check dotted names and order. */
  static final class Block extends Module {
    final Tensor scale;
    final Sequential inner;

    Block() {
      scale = registerParameter("scale", Tensor.ones(2));
      inner = registerModule("inner", new Sequential(new Linear(2, 2), new Tanh()));
    }

    @Override
    public Tensor forward(Tensor x) {
      return inner.forward(x.mul(scale));
    }
  }

  @Test
  void namedParametersUsePyTorchNamesInRegistrationOrder() {
    Sequential net = mlp();
    assertEquals(
        List.of("1.weight", "1.bias", "4.weight", "4.bias"),
        List.copyOf(net.namedParameters().keySet()));
    assertArrayEquals(new int[] {3, 4}, net.namedParameters().get("1.weight").shape());
    assertArrayEquals(new int[] {2}, net.namedParameters().get("4.bias").shape());
    Sequential outer = new Sequential(new Block(), new Linear(2, 1));
    assertEquals(
        List.of("0.scale", "0.inner.0.weight", "0.inner.0.bias", "1.weight", "1.bias"),
        List.copyOf(outer.namedParameters().keySet()));
    List<Tensor> ps = outer.parameters();
    assertEquals(5, ps.size());
    assertSame(((Block) outer.get(0)).scale, ps.get(0));
    for (Tensor p : ps) {
      assertTrue(p.requiresGrad() && p.isLeaf());
    }
  }

  @Test
  void trainAndEvalReachEveryChild() {
    Sequential net = mlp();
    assertTrue(net.isTraining() && net.get(3).isTraining());
    net.eval();
    assertFalse(net.isTraining());
    assertFalse(net.get(3).isTraining());
    net.train();
    assertTrue(net.get(3).isTraining());
  }

  @Test
  void stateDictRoundTripCopiesValues() {
    Generator.manualSeed(1);
    Sequential a = mlp();
    Sequential b = mlp();
    Map<String, Tensor> state = a.stateDict();
    assertEquals(a.namedParameters().keySet(), state.keySet());
    assertFalse(state.get("1.weight").requiresGrad());
    b.loadStateDict(state);
    Tensor x = Tensor.randn(5, 4);
    a.eval();
    b.eval();
    assertArrayEquals(a.forward(x).toFloatArray(), b.forward(x).toFloatArray());
    // loading copies: b's parameters stay its own tensors
    assertNotSame(a.namedParameters().get("1.weight"), b.namedParameters().get("1.weight"));
    assertTrue(b.namedParameters().get("1.weight").requiresGrad());
  }

  @Test
  void loadStateDictNamesEveryBadKeyAndChangesNothing() {
    Sequential net = mlp();
    float[] before = net.namedParameters().get("1.weight").toFloatArray();
    Map<String, Tensor> state = new LinkedHashMap<>(net.stateDict());
    state.remove("4.bias");
    state.put("9.weight", Tensor.zeros(1));
    state.put("4.weight", Tensor.zeros(2, 2));
    state.put("1.weight", Tensor.full(7, 3, 4));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(state));
    String m = e.getMessage();
    assertTrue(m.contains("missing keys: 4.bias"), m);
    assertTrue(m.contains("unexpected keys: 9.weight"), m);
    assertTrue(m.contains("4.weight (file [2, 2], model [2, 3])"), m);
    assertArrayEquals(before, net.namedParameters().get("1.weight").toFloatArray());
  }

  @Test
  void loadStateDictConvertsDtype() {
    Linear l = new Linear(2, 1);
    Map<String, Tensor> s = new LinkedHashMap<>();
    s.put("weight", Tensor.of(new double[] {0.5, -1}, 1, 2).to(DType.FLOAT64));
    s.put("bias", Tensor.of(new double[] {3}, 1).to(DType.FLOAT64));
    l.loadStateDict(s);
    assertEquals(DType.FLOAT32, l.weight().dtype());
    assertArrayEquals(new float[] {0.5f, -1f}, l.weight().toFloatArray());
    assertEquals(3.0 + 0.5 * 2 - 4, l.forward(Tensor.of(2, 4)).item(), 1e-6);
  }

  @Test
  void toStringPrintsTheTreeLikePyTorch() {
    Sequential net =
        new Sequential(new Flatten(), new Linear(784, 256), new ReLU(), new Dropout(0.2));
    assertEquals(
        "Sequential(\n"
            + "  (0): Flatten(start_dim=1, end_dim=-1)\n"
            + "  (1): Linear(in_features=784, out_features=256, bias=True)\n"
            + "  (2): ReLU()\n"
            + "  (3): Dropout(p=0.2, inplace=False)\n"
            + ")",
        net.toString());
    Sequential nested = new Sequential(new Sequential(new Tanh()));
    assertEquals("Sequential(\n  (0): Sequential(\n    (0): Tanh()\n  )\n)", nested.toString());
  }

  @Test
  void toDtypeMakesNewFloat64Leaves() {
    Sequential net = mlp();
    net.to(DType.FLOAT64);
    for (Tensor p : net.parameters()) {
      assertEquals(DType.FLOAT64, p.dtype());
      assertTrue(p.requiresGrad() && p.isLeaf());
    }
    assertEquals(DType.FLOAT64, net.eval().forward(Tensor.randn(2, 4)).dtype());
    assertThrows(IllegalArgumentException.class, () -> net.to(DType.INT64));
  }

  @Test
  void gradientsReachEveryParameter() {
    Sequential net = new Sequential(new Linear(3, 4), new Sigmoid(), new Linear(4, 2));
    net.forward(Tensor.randn(5, 3)).sum().backward();
    for (Map.Entry<String, Tensor> p : net.namedParameters().entrySet()) {
      assertTrue(p.getValue().grad() != null, p.getKey());
    }
    net.zeroGrad();
    assertEquals(0.0, net.parameters().get(0).grad().abs().sum().item());
  }
}
