package nabla.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Parallel}: every index runs exactly once, failures surface, pieces balance. */
class ParallelTest {

  private int savedThreads;

  @BeforeEach
  void saveThreads() {
    savedThreads = Parallel.threads();
  }

  @AfterEach
  void restoreThreads() {
    Parallel.setThreads(savedThreads);
  }

  @ParameterizedTest(name = "threads={0}")
  @ValueSource(ints = {1, 2, 3})
  void forRangeRunsEveryIndexOnce(int threads) {
    Parallel.setThreads(threads);
    for (int len : new int[] {0, 1, 7, 1000}) {
      AtomicIntegerArray seen = new AtomicIntegerArray(len + 5);
      Parallel.forRange(
          5,
          5 + len,
          1,
          (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
              seen.incrementAndGet(i);
            }
          });
      for (int i = 0; i < len + 5; i++) {
        assertEquals(i < 5 ? 0 : 1, seen.get(i), "index " + i + " of " + len);
      }
    }
  }

  @ParameterizedTest(name = "threads={0}")
  @ValueSource(ints = {1, 2, 3})
  void forEachPieceRunsEveryPieceOnceWithUnitRanges(int threads) {
    Parallel.setThreads(threads);
    for (int count : new int[] {0, 1, 2, 37}) {
      AtomicIntegerArray seen = new AtomicIntegerArray(Math.max(1, count));
      Parallel.forEachPiece(
          count,
          (lo, hi) -> {
            assertEquals(lo + 1, hi);
            seen.incrementAndGet(lo);
          });
      for (int i = 0; i < count; i++) {
        assertEquals(1, seen.get(i), "piece " + i + " of " + count);
      }
    }
  }

  /**
   * Pieces are claimed one at a time: while one thread is held up by piece 0 (as when the operating
   * system deschedules it), the other thread takes every remaining piece. With pieces split in
   * advance, half of them would wait behind piece 0 and this latch would time out.
   */
  @org.junit.jupiter.api.Test
  void aThreadHeldUpByOnePieceDoesNotHoldTheOthers() throws InterruptedException {
    Parallel.setThreads(2);
    int count = 16;
    CountDownLatch others = new CountDownLatch(count - 1);
    boolean[] piece0SawTheRestDone = new boolean[1];
    Parallel.forEachPiece(
        count,
        (lo, hi) -> {
          if (lo == 0) {
            try {
              piece0SawTheRestDone[0] = others.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          } else {
            others.countDown();
          }
        });
    assertTrue(piece0SawTheRestDone[0], "the other pieces waited behind piece 0");
  }

  @org.junit.jupiter.api.Test
  void failuresOfPiecesAreRethrownAfterAllPiecesRan() {
    Parallel.setThreads(2);
    AtomicIntegerArray seen = new AtomicIntegerArray(8);
    IllegalStateException boom = new IllegalStateException("piece 3");
    IllegalStateException thrown =
        assertThrows(
            IllegalStateException.class,
            () ->
                Parallel.forEachPiece(
                    8,
                    (lo, hi) -> {
                      seen.incrementAndGet(lo);
                      if (lo == 3) {
                        throw boom;
                      }
                    }));
    assertSame(boom, thrown);
    for (int i = 0; i < 8; i++) {
      assertEquals(1, seen.get(i), "piece " + i);
    }
  }

  @org.junit.jupiter.api.Test
  void nestedCallsRunInline() {
    Parallel.setThreads(2);
    AtomicIntegerArray seen = new AtomicIntegerArray(16);
    Parallel.forEachPiece(
        4, (lo, hi) -> Parallel.forEachPiece(4, (l2, h2) -> seen.incrementAndGet(lo * 4 + l2)));
    for (int i = 0; i < 16; i++) {
      assertEquals(1, seen.get(i));
    }
  }
}
