package nabla.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * {@link Gemm.RowEpilogue}: every row of C is handed to the epilogue exactly once, only when final,
 * and C has the same bits as without an epilogue, on every path of the driver.
 */
class GemmEpilogueTest {
  // tiny, skinny (n or m small), one tile, tiles of whole rows, transposed orientation, k = 0
  static final int[][] SHAPES = {
    {3, 4, 5}, {300, 64, 3}, {3, 64, 300}, {40, 30, 20}, {256, 784, 256}, {2, 500, 300}, {5, 0, 7}
  };

  @Test
  void everyRowOnceAndTheSameBits() {
    Random r = new Random(1);
    for (int[] s : SHAPES) {
      int m = s[0], k = s[1], n = s[2];
      float[] a = new float[m * k];
      float[] b = new float[k * n];
      for (int i = 0; i < a.length; i++) {
        a[i] = r.nextFloat() - 0.5f;
      }
      for (int i = 0; i < b.length; i++) {
        b[i] = r.nextFloat() - 0.5f;
      }
      float[] plain = new float[m * n];
      Gemm.matmul(m, n, k, a, 0, k, 1, b, 0, n, 1, plain, 0);
      float[] c = new float[m * n];
      float[] seen = new float[m * n];
      AtomicIntegerArray count = new AtomicIntegerArray(m);
      Gemm.matmul(
          m,
          n,
          k,
          a,
          0,
          k,
          1,
          b,
          0,
          n,
          1,
          c,
          0,
          (r0, r1) -> {
            for (int i = r0; i < r1; i++) {
              count.incrementAndGet(i);
              System.arraycopy(c, i * n, seen, i * n, n); // what the epilogue sees of row i
            }
          });
      assertArrayEquals(plain, c, "C " + java.util.Arrays.toString(s));
      assertArrayEquals(plain, seen, "rows seen final " + java.util.Arrays.toString(s));
      for (int i = 0; i < m; i++) {
        assertEquals(1, count.get(i), "row " + i + " of " + java.util.Arrays.toString(s));
      }
    }
  }
}
