package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** randperm, multinomial and bernoulli (D2L §2.6): distributions checked by counts. */
class SamplingTest {

  @Test
  void randpermIsAPermutationAndUniform() {
    Generator.manualSeed(1);
    long[] p = Tensor.randperm(10).toLongArray();
    long[] sorted = p.clone();
    Arrays.sort(sorted);
    assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, sorted);
    int[] first = new int[4];
    for (int i = 0; i < 40_000; i++) {
      first[(int) Tensor.randperm(4).toLongArray()[0]]++;
    }
    for (int c : first) {
      assertEquals(10_000, c, 400); // 4 sigma
    }
    assertEquals(0, Tensor.randperm(0).numel());
    assertThrows(IllegalArgumentException.class, () -> Tensor.randperm(-1));
  }

  @Test
  void multinomialFollowsTheWeights() {
    Generator.manualSeed(2);
    Tensor draws = Tensor.of(1, 2, 0, 7).multinomial(100_000, true);
    long[] counts = draws.bincount(null, 4).toLongArray();
    assertEquals(0, counts[2], "a zero weight is never drawn");
    assertEquals(10_000, counts[0], 400);
    assertEquals(20_000, counts[1], 550);
    assertEquals(70_000, counts[3], 650);
    // without replacement: distinct, and every positive category once when n = #positive
    long[] once = Tensor.of(1, 2, 0, 7).multinomial(3, false).toLongArray();
    Arrays.sort(once);
    assertArrayEquals(new long[] {0, 1, 3}, once);
    Tensor rows = Tensor.of(new double[] {1, 0, 0, 1}, 2, 2).multinomial(5, true);
    assertArrayEquals(new int[] {2, 5}, rows.shape());
    assertArrayEquals(new long[] {0, 0, 0, 0, 0, 1, 1, 1, 1, 1}, rows.toLongArray());
    var e =
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(1, 0).multinomial(2, false));
    assertTrue(e.getMessage().contains("1 positive weights"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Tensor.of(1, -1).multinomial(1, true));
  }

  @Test
  void bernoulliFollowsTheProbabilities() {
    Generator.manualSeed(3);
    Tensor p = Tensor.full(0.3, 100_000);
    double mean = p.bernoulli().mean().item();
    assertEquals(0.3, mean, 0.006);
    assertArrayEquals(new double[] {0, 1}, Tensor.of(0, 1).bernoulli().toDoubleArray());
    assertThrows(IllegalArgumentException.class, () -> Tensor.of(1.5).bernoulli());
  }
}
