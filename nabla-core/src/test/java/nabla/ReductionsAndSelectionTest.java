package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Targeted checks of prod, scans and selections: zeros, ties, NaN ordering, errors. */
class ReductionsAndSelectionTest {

  private static Tensor leaf(double... v) {
    return Tensor.ofDoubles(v, v.length).requiresGrad(true);
  }

  @Test
  void prodGradientWithOneZeroIsTheProductOfTheOthers() {
    Tensor x = leaf(2, 0, 4, 3);
    x.prod().backward();
    assertArrayEquals(new double[] {0, 24, 0, 0}, x.grad().toDoubleArray(), 0);
  }

  @Test
  void prodGradientWithTwoZerosIsZero() {
    Tensor x = leaf(2, 0, 4, 0);
    x.prod().backward();
    assertArrayEquals(new double[] {0, 0, 0, 0}, x.grad().toDoubleArray(), 0);
  }

  @Test
  void prodAndCumprodPassSecondOrderChecksAtZeros() {
    GradCheck.assertGradients(a -> a[0].prod(), leaf(2, 0, 4, 3));
    GradCheck.assertGradients(a -> a[0].cumprod(0), leaf(1.5, 0, -2, 0, 3));
    GradCheck.assertGradients(
        a -> a[0].prod(1, false),
        Tensor.ofDoubles(new double[] {0, 2, 3, 1, 0, 0}, 2, 3).requiresGrad(true));
  }

  @Test
  void cumprodGradientAfterTheFirstZeroIsZero() {
    Tensor x = leaf(2, 0, 3, 5);
    x.cumprod(0).sum().backward();
    // d/dx0 = 1 (y0); d/dx1 = 2 + 2*3 + 2*3*5 = 38; later factors see the zero
    assertArrayEquals(new double[] {1, 38, 0, 0}, x.grad().toDoubleArray(), 1e-12);
  }

  @Test
  void maxDimSendsTheGradientToOneIndexAmaxSharesIt() {
    Tensor x = leaf(1, 3, 3);
    ValuesAndIndices m = x.max(0);
    assertEquals(1, m.indices().longItem());
    m.values().backward();
    assertArrayEquals(new double[] {0, 1, 0}, x.grad().toDoubleArray(), 0);
    Tensor y = leaf(1, 3, 3);
    y.amax().backward();
    assertArrayEquals(new double[] {0, 0.5, 0.5}, y.grad().toDoubleArray(), 0);
  }

  @Test
  void sortIsStableAndPutsNaNLargest() {
    Tensor x = Tensor.ofDoubles(new double[] {1, Double.NaN, 0, 1, -0.0}, 5);
    assertArrayEquals(new long[] {2, 4, 0, 3, 1}, x.sort().indices().toLongArray());
    assertArrayEquals(new long[] {1, 0, 3, 2, 4}, x.sort(0, true).indices().toLongArray());
    assertArrayEquals(new long[] {1, 0}, x.topk(2).indices().toLongArray());
  }

  @Test
  void sortValuesCarryTheGradientBack() {
    Tensor x = leaf(3, 1, 2);
    x.sort().values().mul(Tensor.ofDoubles(new double[] {1, 10, 100}, 3)).sum().backward();
    assertArrayEquals(new double[] {100, 1, 10}, x.grad().toDoubleArray(), 0);
  }

  @Test
  void kOutOfRangeNamesTheOpKAndShape() {
    Tensor x = Tensor.zeros(2, 3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.topk(4));
    assertTrue(e.getMessage().contains("topk") && e.getMessage().contains("k = 4"), e.getMessage());
    assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> x.kthvalue(0));
    assertTrue(e.getMessage().contains("kthvalue") && e.getMessage().contains("k = 0"));
  }

  @Test
  void emptyDimensionsAreRefused() {
    Tensor x = Tensor.zeros(2, 0);
    assertThrows(IllegalArgumentException.class, () -> x.median(1));
    assertThrows(IllegalArgumentException.class, () -> x.mode(1, false));
    assertThrows(IllegalArgumentException.class, () -> x.quantile(0.5, 1, false));
    assertEquals(1.0, Tensor.zeros(0).prod().item());
  }

  @Test
  void medianIsTheLowerMiddleAndPropagatesNaN() {
    assertEquals(2.0, Tensor.of(4, 1, 2, 3).median().item());
    assertTrue(Double.isNaN(Tensor.of(1, Float.NaN, 3).median().item()));
  }

  @Test
  void logcumsumexpKeepsSmallEarlyTerms() {
    Tensor y = Tensor.ofDoubles(new double[] {-1000, 0}, 2).logcumsumexp(0);
    assertArrayEquals(new double[] {-1000, 0}, y.toDoubleArray(), 1e-12);
  }

  @Test
  void varianceWithCorrection() {
    Tensor x = Tensor.ofDoubles(new double[] {1, 2, 3, 4}, 4);
    assertEquals(5.0 / 3, x.var().item(), 1e-12);
    assertEquals(1.25, x.var(null, 0, false).item(), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> x.var(null, -1, false));
  }

  @Test
  void uniqueCountsAndInverse() {
    UniqueValues u = Tensor.ofDoubles(new double[] {3, 1, 3, 2}, 4).uniqueWithCounts();
    assertArrayEquals(new double[] {1, 2, 3}, u.values().toDoubleArray(), 0);
    assertArrayEquals(new long[] {2, 0, 2, 1}, u.inverse().toLongArray());
    assertArrayEquals(new long[] {1, 1, 2}, u.counts().toLongArray());
  }

  @Test
  void bincountRefusesNegativeAndHugeValues() {
    assertThrows(
        IllegalArgumentException.class, () -> Tensor.ofLongs(new long[] {-1}, 1).bincount());
    assertThrows(
        IllegalArgumentException.class, () -> Tensor.ofLongs(new long[] {1L << 40}, 1).bincount());
  }
}
