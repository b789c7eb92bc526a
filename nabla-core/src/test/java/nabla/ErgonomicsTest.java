package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Issue #12's creation and ergonomics items: nested arrays, equal/allclose, shapeString, noGrad.
 */
class ErgonomicsTest {

  @Test
  void nestedArrays() {
    Tensor m = Tensor.of(new double[][] {{1, 2, 3}, {4, 5, 6}});
    assertArrayEquals(new int[] {2, 3}, m.shape());
    assertEquals(DType.FLOAT32, m.dtype());
    assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, m.toDoubleArray());
    Tensor t =
        Tensor.of(new double[][][] {{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}, {{9, 10}, {11, 12}}});
    assertArrayEquals(new int[] {3, 2, 2}, t.shape());
    assertEquals(12.0, t.get(2).get(1).get(1).item());
    assertArrayEquals(new int[] {0, 0}, Tensor.of(new double[][] {}).shape()); // a 0×0 matrix
    assertArrayEquals(new int[] {2, 0}, Tensor.of(new double[][] {{}, {}}).shape());
    var e =
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new double[][] {{1, 2}, {3}}));
    assertTrue(e.getMessage().contains("the array at [1] has 1 elements"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Tensor.of(new double[][] {{1}, null}));
    assertThrows(IllegalArgumentException.class, () -> Tensor.of((double[][]) null));
  }

  @Test
  void equalAndAllclose() {
    Tensor a = Tensor.of(1, 2, 3);
    assertTrue(a.equal(Tensor.of(1, 2, 3)));
    assertFalse(a.equal(Tensor.of(1, 2, 4)));
    assertFalse(a.equal(Tensor.of(new double[] {1, 2, 3}, 3, 1)), "shapes differ");
    assertFalse(Tensor.of(Double.NaN).equal(Tensor.of(Double.NaN)));
    assertTrue(Tensor.zeros(0).equal(Tensor.zeros(0)));
    assertNotEquals(a, Tensor.of(1, 2, 3), "equals stays identity");
    assertTrue(a.allclose(Tensor.of(1, 2, 3.00001)));
    assertFalse(a.allclose(Tensor.of(1, 2, 3.001)));
    assertTrue(a.allclose(Tensor.of(1, 2, 3.001), 1e-3, 0, false));
    assertTrue(Tensor.of(0).allclose(Tensor.of(1e-9)), "atol near zero");
    assertTrue(Tensor.ones(2, 3).allclose(Tensor.ones(3)), "broadcasts");
    assertFalse(Tensor.of(Double.NaN).allclose(Tensor.of(Double.NaN)));
    assertTrue(Tensor.of(Double.NaN).allclose(Tensor.of(Double.NaN), 0, 0, true));
    assertTrue(Tensor.of(Double.POSITIVE_INFINITY).allclose(Tensor.of(Double.POSITIVE_INFINITY)));
    assertThrows(IllegalArgumentException.class, () -> Tensor.ones(2).allclose(Tensor.ones(3)));
  }

  @Test
  void shapeStringAndNoGradSupplier() {
    assertEquals("[2, 3]", Tensor.zeros(2, 3).shapeString());
    assertEquals("[]", Tensor.scalar(1).shapeString());
    Tensor x = Tensor.of(1, 2).requiresGrad(true);
    Tensor y = Autograd.noGrad(() -> x.mul(2));
    assertNull(y.gradFn());
    assertFalse(y.requiresGrad());
    assertTrue(Autograd.isGradEnabled(), "recording back on afterwards");
    assertThrows(
        IllegalStateException.class,
        () ->
            Autograd.noGrad(
                () -> {
                  throw new IllegalStateException("inside");
                }));
    assertTrue(Autograd.isGradEnabled(), "also after an exception");
  }

  /** PyTorch's vector norms for every p, and the Frobenius matrix norm. */
  @Test
  void normsOfEveryOrder() {
    Tensor x = Tensor.ofDoubles(new double[] {3, -4, 0, 1}, 4);
    assertEquals(4.0, x.norm(Double.POSITIVE_INFINITY).item());
    assertEquals(0.0, x.norm(Double.NEGATIVE_INFINITY).item());
    assertEquals(3.0, x.norm(0).item());
    assertEquals(Math.pow(Math.sqrt(3) + 2 + 1, 2), x.norm(0.5).item(), 1e-12);
    assertEquals(Math.sqrt(26), x.norm().item(), 1e-12);
    assertArrayEquals(
        new double[] {4, 1},
        x.reshape(2, 2).norm(Double.POSITIVE_INFINITY, new int[] {1}, false).toDoubleArray());
    assertEquals(6.0, Tensor.ones(4, 9).matrixNorm("fro").item(), 1e-6);
    // nuclear norm: the sum of the singular values (diag(3, -4) has 3 and 4)
    Tensor d = Tensor.ofDoubles(new double[] {3, 0, 0, -4}, 2, 2);
    assertEquals(7.0, d.matrixNorm("nuc").item(), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> x.matrixNorm("fro"));
    assertThrows(IllegalArgumentException.class, () -> Tensor.ones(2, 2).matrixNorm("max"));
    assertThrows(IllegalArgumentException.class, () -> x.norm(Double.NaN));
    GradCheck.assertGradients(
        a -> a[0].norm(Double.POSITIVE_INFINITY).add(a[0].norm(0.5)),
        Tensor.ofDoubles(new double[] {0.3, -1.7, 0.9}, 3).requiresGrad(true));
  }
}
