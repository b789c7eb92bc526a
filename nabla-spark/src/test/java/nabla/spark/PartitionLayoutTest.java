package nabla.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The DataFrame path sends example i to a partition with {@code RangeOfIndex}, the in-memory path
 * cuts ranges with {@code SparkData.start}: both must agree, cover every example once, and give
 * partitions whose sizes differ by at most one.
 */
class PartitionLayoutTest {

  @Test
  void rangesAndPartitionerAgree() {
    for (int n = 1; n <= 300; n += 7) {
      for (int parts = 1; parts <= 9; parts++) {
        SparkData.RangeOfIndex partitioner = new SparkData.RangeOfIndex(n, parts);
        assertEquals(0, SparkData.start(0, n, parts));
        assertEquals(n, SparkData.start(parts, n, parts));
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (int p = 0; p < parts; p++) {
          int lo = SparkData.start(p, n, parts);
          int hi = SparkData.start(p + 1, n, parts);
          min = Math.min(min, hi - lo);
          max = Math.max(max, hi - lo);
          for (long i = lo; i < hi; i++) {
            assertEquals(p, partitioner.getPartition(i), "n=" + n + " parts=" + parts + " i=" + i);
          }
        }
        assertTrue(max - min <= 1, "n=" + n + " parts=" + parts + ": sizes " + min + ".." + max);
      }
    }
  }

  @Test
  void blockContainsItsRangeOnly() {
    Block b = new Block(10, 5, 1, new float[5], new long[5]);
    assertTrue(b.contains(10) && b.contains(14));
    assertTrue(!b.contains(9) && !b.contains(15));
  }
}
