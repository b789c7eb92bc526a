package nabla.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import nabla.DType;
import nabla.Generator;
import nabla.Tensor;
import org.junit.jupiter.api.Test;

class InitTest {

  private static double std(Tensor t) {
    double m = t.mean().item();
    return Math.sqrt(t.sub(m).square().mean().item());
  }

  @Test
  void fansFollowPyTorch() {
    assertArrayEquals(new int[] {20, 10}, Init.fans("t", Tensor.zeros(10, 20)));
    assertArrayEquals(new int[] {3 * 25, 8 * 25}, Init.fans("t", Tensor.zeros(8, 3, 5, 5)));
    assertThrows(IllegalArgumentException.class, () -> Init.xavierUniform(Tensor.zeros(5)));
  }

  @Test
  void spreadsMatchTheFormulas() {
    Generator.manualSeed(11);
    Tensor w = Tensor.zeros(200, 300).requiresGrad(true);
    Init.xavierUniform(w);
    double a = Math.sqrt(6.0 / 500);
    assertTrue(w.abs().max().item() <= a);
    assertEquals(a / Math.sqrt(3), std(w), 0.02 * a);
    Init.xavierNormal(w, 2);
    assertEquals(2 * Math.sqrt(2.0 / 500), std(w), 0.02 * 2 * Math.sqrt(2.0 / 500));
    Init.kaimingUniform(w);
    double b = Math.sqrt(2) * Math.sqrt(3.0 / 300);
    assertTrue(w.abs().max().item() <= b && w.abs().max().item() > 0.95 * b);
    Init.kaimingUniform(w, Math.sqrt(5), true);
    assertTrue(w.abs().max().item() <= 1 / Math.sqrt(300) + 1e-7);
    Init.kaimingNormal(w);
    assertEquals(Math.sqrt(2.0 / 300), std(w), 0.02 * Math.sqrt(2.0 / 300));
    Init.kaimingNormal(w, 0, false);
    assertEquals(Math.sqrt(2.0 / 200), std(w), 0.02 * Math.sqrt(2.0 / 200));
    Init.normal(w, 1, 0.01);
    assertEquals(1, w.mean().item(), 1e-3);
    assertEquals(0.01, std(w), 3e-4);
    Init.uniform(w, 2, 3);
    assertTrue(w.min().item() >= 2 && w.max().item() < 3);
    Init.constant(w, 0.5);
    assertEquals(0.5 * 60000, w.sum().item(), 1e-3);
    Init.zeros(w);
    assertEquals(0, w.abs().sum().item());
    assertTrue(w.requiresGrad() && w.isLeaf());
  }

  @Test
  void keepsDtypeAndIsReproducible() {
    Tensor a = Init.normal(Tensor.zeros(DType.FLOAT64, 4), 0, 1, new Generator(5));
    Tensor b = Init.normal(Tensor.zeros(DType.FLOAT64, 4), 0, 1, new Generator(5));
    assertEquals(DType.FLOAT64, a.dtype());
    assertArrayEquals(a.toDoubleArray(), b.toDoubleArray());
  }
}
