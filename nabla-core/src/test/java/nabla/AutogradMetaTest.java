package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The per-tensor autograd record: absent on plain tensors (creation, ops on plain tensors, detach,
 * setters that switch nothing on), present once a tensor takes part in autograd, and the gradient
 * setters keep working through it.
 */
class AutogradMetaTest {

  @Test
  void plainTensorsCarryNoRecord() {
    Tensor a = Tensor.of(1, 2, 3);
    List<Tensor> plain = new ArrayList<>();
    plain.add(a);
    plain.add(Tensor.zeros(2, 2));
    plain.add(Tensor.arange(4));
    plain.add(a.add(a).exp().sum());
    plain.add(a.reshape(3, 1).expand(3, 2));
    plain.add(a.mul(2.5).matmul(a));
    plain.add(Tensor.of(1, 2).requiresGrad(true).mul(3).detach());
    for (Tensor t : plain) {
      assertNull(t.autograd, "a plain tensor carries no autograd record: " + t);
    }
  }

  @Test
  void settersThatSwitchNothingOnCreateNoRecord() {
    Tensor a = Tensor.of(1, 2);
    a.requiresGrad(false);
    a.overwriteGrad(false);
    a.setGrad(null);
    a.zeroGrad();
    assertNull(a.grad());
    assertNull(a.autograd);
  }

  @Test
  void recordedOutputsAndLeavesCarryOne() {
    Tensor x = Tensor.of(1, 2).requiresGrad(true);
    assertNotNull(x.autograd);
    assertTrue(x.isLeaf());
    Tensor y = x.mul(x).sum();
    assertNotNull(y.gradFn());
    assertSame(y.gradFn(), y.autograd.gradFn);
    assertTrue(y.requiresGrad());
    y.backward();
    assertArrayEquals(new double[] {2, 4}, x.grad().toDoubleArray());
    x.requiresGrad(false);
    assertFalse(x.requiresGrad());
    assertArrayEquals(new double[] {2, 4}, x.grad().toDoubleArray(), "switching off keeps grad");
  }

  @Test
  void setGradOnAPlainTensorCreatesTheRecordAndZeroGradKeepsTheBuffer() {
    Tensor w = Tensor.of(1, 2);
    Tensor g = Tensor.of(5, 6);
    w.setGrad(g);
    assertSame(g, w.grad());
    w.zeroGrad();
    assertSame(g, w.grad(), "zeroGrad reuses the buffer");
    assertArrayEquals(new double[] {0, 0}, g.toDoubleArray());
    w.setGrad(null);
    assertNull(w.grad());
  }

  @Test
  void forwardModeTangentsLiveInTheRecordWithoutRequiringGrad() {
    Tensor x = Tensor.of(1, 2, 3);
    Tensor t = Autograd.jvp(u -> u.mul(u), x, Tensor.of(1, 1, 1));
    assertArrayEquals(new double[] {2, 4, 6}, t.toDoubleArray());
    assertNull(x.autograd, "jvp attaches the tangent to an alias, not to x");
    assertEquals(0, Autograd.jvp(u -> u.mul(0), x, Tensor.of(1, 1, 1)).sum().item());
  }
}
