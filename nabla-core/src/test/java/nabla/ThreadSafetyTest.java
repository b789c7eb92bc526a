package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

/**
 * One test per claim of the thread-safety section in docs/THREADS.md: what may be shared between
 * threads. Each runs the threads in lock-step from a barrier so that they really overlap.
 */
class ThreadSafetyTest {

  /** Runs body(i) on {@code threads} threads at once and rethrows the first failure. */
  private static void concurrently(int threads, IntConsumer body) throws Exception {
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      final int id = t;
      Thread th =
          new Thread(
              () -> {
                try {
                  start.await();
                  body.accept(id);
                } catch (Throwable e) {
                  failures.add(e);
                }
              });
      ts.add(th);
      th.start();
    }
    for (Thread th : ts) {
      th.join();
    }
    if (!failures.isEmpty()) {
      throw new AssertionError("a thread failed: " + failures.get(0), failures.get(0));
    }
  }

  private static void assertAll(double expected, Tensor t) {
    double[] v = t.toDoubleArray();
    for (int i = 0; i < v.length; i++) {
      assertEquals(expected, v[i], 0.0, "element " + i);
    }
  }

  /** Item 2 of issue #8: 7,778 instead of 8,000 before accumulation was locked. */
  @Test
  void concurrentBackwardIntoASharedLeafAddsUpExactly() throws Exception {
    for (int trial = 0; trial < 5; trial++) {
      Tensor w = Tensor.ones(1000).requiresGrad(true);
      int n = 2000;
      concurrently(
          2,
          id -> {
            for (int i = 0; i < n; i++) {
              w.mul(2).sum().backward();
            }
          });
      assertAll(2.0 * 2 * n, w.grad());
    }
  }

  /** 23,988 instead of 24,000 before: the nodes' bookkeeping was shared between the passes. */
  @Test
  void concurrentBackwardThroughOneRetainedGraph() throws Exception {
    for (int trial = 0; trial < 3; trial++) {
      Tensor w = Tensor.ones(DType.FLOAT64, 100).requiresGrad(true);
      Tensor once = Autograd.grad(w.mul(2).tanh().mul(w).sum(), w)[0];
      Tensor y = w.mul(2).tanh().mul(w).sum(); // one graph, differentiated by both threads
      int n = 1000;
      concurrently(
          2,
          id -> {
            for (int i = 0; i < n; i++) {
              y.backward(Tensor.scalar(1, DType.FLOAT64), true);
            }
          });
      assertArrayEquals(once.mul(2 * n).toDoubleArray(), w.grad().toDoubleArray(), 1e-9);
    }
  }

  @Test
  void concurrentFunctionalGradientsThroughASharedSubgraph() throws Exception {
    Tensor w = Tensor.ofDoubles(new double[] {.1, .2, .3, .4}, 4).requiresGrad(true);
    Tensor shared = w.tanh().mul(w); // built once, differentiated by both threads
    Tensor[] xs = {
      Tensor.ofDoubles(new double[] {1, 2, 3, 4}, 4),
      Tensor.ofDoubles(new double[] {-1, 0, 5, 2}, 4)
    };
    Tensor[] expected = new Tensor[2];
    for (int t = 0; t < 2; t++) {
      expected[t] =
          Autograd.grad(new Tensor[] {shared.mul(xs[t]).sum()}, new Tensor[1], true, false, w)[0];
    }
    concurrently(
        2,
        id -> {
          for (int i = 0; i < 2000; i++) {
            Tensor g =
                Autograd.grad(
                    new Tensor[] {shared.mul(xs[id]).sum()}, new Tensor[1], true, false, w)[0];
            assertArrayEquals(expected[id].toDoubleArray(), g.toDoubleArray(), 0.0);
          }
        });
    assertEquals(null, w.grad(), "functional gradients do not touch grad()");
  }

  @Test
  void checkpointedSegmentsInTwoThreadsSharingWeights() throws Exception {
    Tensor w = Tensor.ofDoubles(new double[] {.5, -.3, .8}, 3).requiresGrad(true);
    Tensor x = Tensor.ofDoubles(new double[] {.1, .2, .3}, 3);
    Tensor plain = Autograd.grad(x.mul(w).tanh().mul(w).sum(), w)[0];
    int n = 500;
    concurrently(
        2,
        id -> {
          for (int i = 0; i < n; i++) {
            Autograd.checkpoint(t -> t.mul(w).tanh().mul(w), x).sum().backward();
          }
        });
    assertArrayEquals(plain.mul(2 * n).toDoubleArray(), w.grad().toDoubleArray(), 1e-9);
  }

  @Test
  void tensorsReadByManyThreadsGiveTheSameResults() throws Exception {
    Tensor a = Tensor.randn(64, 64);
    Tensor b = Tensor.randn(64, 64);
    double[] expected = a.matmul(b).tanh().add(a.transpose()).sum(1, false).toDoubleArray();
    concurrently(
        2,
        id -> {
          for (int i = 0; i < 200; i++) {
            // To the bit: no kernel depends on the thread, nor on whether the JIT has compiled it
            // yet (docs/DESIGN-NOTES.md, "Results independent of the JIT").
            assertArrayEquals(
                expected, a.matmul(b).tanh().add(a.transpose()).sum(1, false).toDoubleArray(), 0.0);
          }
        });
  }

  @Test
  void gradModeAndForwardModeArePerThread() throws Exception {
    Tensor w = Tensor.of(1, 2).requiresGrad(true);
    CyclicBarrier inside = new CyclicBarrier(2);
    boolean[] recorded = new boolean[2];
    concurrently(
        2,
        id -> {
          try {
            if (id == 0) {
              try (var g = Autograd.noGrad()) {
                inside.await(); // thread 1 computes while thread 0 is inside noGrad
                recorded[0] = w.mul(2).requiresGrad();
                inside.await();
              }
            } else {
              inside.await();
              recorded[1] = w.mul(2).requiresGrad();
              inside.await();
            }
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        });
    assertFalse(recorded[0], "noGrad applies to its own thread");
    assertTrue(recorded[1], "another thread still records");
  }

  @Test
  void oneModelPerThreadTrainsAsItWouldAlone() throws Exception {
    double[][] alone = new double[2][];
    for (int t = 0; t < 2; t++) {
      alone[t] = trainTiny(t);
    }
    double[][] together = new double[2][];
    concurrently(2, id -> together[id] = trainTiny(id));
    assertArrayEquals(alone[0], together[0], 0.0);
    assertArrayEquals(alone[1], together[1], 0.0);
  }

  /** Linear regression by SGD on a fixed data set; returns the learned weights. */
  private static double[] trainTiny(int seed) {
    Tensor x = Tensor.ofDoubles(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2);
    Tensor y = Tensor.ofDoubles(new double[] {seed, 1, 2 + seed, 3}, 4, 1);
    Tensor w = Tensor.zeros(DType.FLOAT64, 2, 1).requiresGrad(true);
    for (int step = 0; step < 200; step++) {
      Tensor loss = x.matmul(w).sub(y).square().mean();
      loss.backward();
      try (var g = Autograd.noGrad()) {
        w.subInPlace(w.grad().mul(0.01));
      }
      w.zeroGrad();
    }
    return w.toDoubleArray();
  }

  /** THREADS.md: hooks may be registered and removed while other threads run backward. */
  @Test
  void hooksRegisteredWhileOtherThreadsRunBackward() throws Exception {
    Tensor w = Tensor.ones(100).requiresGrad(true);
    java.util.concurrent.atomic.AtomicInteger calls =
        new java.util.concurrent.atomic.AtomicInteger();
    w.registerHook(
        g -> {
          calls.incrementAndGet();
          return null;
        });
    int passes = 500;
    concurrently(
        3,
        id -> {
          for (int i = 0; i < passes; i++) {
            if (id == 2) {
              RemovableHandle h = w.registerHook(g -> null); // churn the hook list
              h.remove();
            } else {
              w.mul(2).sum().backward();
            }
          }
        });
    assertEquals(2 * passes, calls.get(), "the permanent hook ran once per pass");
    assertArrayEquals(
        Tensor.ones(100).mul(2 * 2 * passes).toDoubleArray(), w.grad().toDoubleArray(), 0);
  }
}
