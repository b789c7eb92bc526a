package nabla.kernels;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Shared fork/join helper for Nabla's kernels.
 *
 * <p>Parallel loops run on one process-wide set of daemon worker threads (started lazily, never per
 * call) plus the calling thread. A loop is cut into at most {@link #threads()} chunks that the
 * caller and the workers claim dynamically, so a worker that is slow to wake up never delays the
 * caller: the caller simply runs the unclaimed chunks itself. Workers spin for a short while after
 * finishing work before they park, and the caller spins briefly before blocking, because waking a
 * parked thread costs tens of microseconds on virtual machines — more than a medium-sized kernel
 * call; after the first microseconds the spinning thread yields its core on every round, so that on
 * a busy machine it does not take time from threads that have work (see {@code pause}). Calls made
 * from inside a worker (nested parallelism) run inline, so nesting can neither deadlock nor
 * oversubscribe the machine.
 *
 * <p>The thread count defaults to the system property {@code nabla.threads} when it holds a
 * positive integer, else to {@link Runtime#availableProcessors()}; {@link #setThreads(int)} changes
 * it at any time.
 */
public final class Parallel {

  /** Name of the system property that sets the initial thread count. */
  public static final String PROPERTY = "nabla.threads";

  /** Body of a parallel loop: processes the half-open index range {@code [start, end)}. */
  @FunctionalInterface
  public interface IntRangeBody {
    /**
     * Processes indices {@code start} (inclusive) to {@code end} (exclusive).
     *
     * @param start first index
     * @param end one past the last index
     */
    void run(int start, int end);
  }

  /**
   * How long the caller spins on unfinished chunks before it parks (system property {@code
   * nabla.callerSpinMicros}, default 200: an experiment knob for issue #13, see BENCHMARKS.md).
   */
  private static final long CALLER_SPIN_NANOS = Long.getLong("nabla.callerSpinMicros", 200) * 1000;

  /**
   * How long an idle worker keeps polling for new work before it parks (system property {@code
   * nabla.workerSpinMicros}, default 500).
   */
  private static final long WORKER_SPIN_NANOS = Long.getLong("nabla.workerSpinMicros", 500) * 1000;

  private static volatile int threads = initialThreads();

  /** Helper requests: each entry asks one worker to join the given job. */
  private static final ConcurrentLinkedQueue<Job> QUEUE = new ConcurrentLinkedQueue<>();

  private static volatile Worker[] workers = new Worker[0];

  private Parallel() {}

  /**
   * Returns the number of threads kernels may use (including the calling thread).
   *
   * @return the thread count, at least 1
   */
  public static int threads() {
    return threads;
  }

  /**
   * Sets the number of threads kernels may use (including the calling thread). Loops already
   * running are not affected. Lowering the count leaves surplus workers parked.
   *
   * @param n the new thread count, at least 1
   * @throws IllegalArgumentException if {@code n < 1}
   */
  public static void setThreads(int n) {
    if (n < 1) {
      throw new IllegalArgumentException(
          "Parallel.setThreads: thread count must be >= 1, got " + n);
    }
    threads = n;
  }

  /**
   * Returns whether the current thread is one of this helper's worker threads (in which case {@link
   * #forRange} runs inline).
   *
   * @return {@code true} on a Nabla worker thread
   */
  public static boolean inWorker() {
    return Thread.currentThread() instanceof Worker;
  }

  /**
   * Runs {@code body} over {@code [start, end)} split into at most {@link #threads()} contiguous
   * chunks of at least {@code minChunk} indices each (chunk sizes differ by at most one). The
   * caller takes part and returns when every chunk has finished. Runs inline, as a single call
   * {@code body.run(start, end)}, when one thread is configured, the range is too small to split,
   * or the caller is already a worker thread. If chunks throw, the first throwable is rethrown
   * (unchecked ones as they are) after all chunks have finished, with the others suppressed.
   *
   * @param start first index (inclusive)
   * @param end last index (exclusive); nothing runs when {@code end <= start}
   * @param minChunk minimum number of indices per chunk (values below 1 count as 1)
   * @param body the loop body, called concurrently on disjoint ranges
   */
  public static void forRange(int start, int end, int minChunk, IntRangeBody body) {
    if (end <= start) {
      return;
    }
    long len = (long) end - start;
    int t = threads;
    long maxChunks = len / Math.max(1, minChunk);
    int chunks = (int) Math.min(t, Math.max(1, maxChunks));
    if (chunks <= 1 || inWorker()) {
      body.run(start, end);
      return;
    }
    run(new Job(start, len, chunks, body), chunks - 1);
  }

  /**
   * Runs {@code body.run(i, i + 1)} for every {@code i} in {@code [0, count)}, each index claimed
   * dynamically by whichever of up to {@link #threads()} threads (the caller among them) is free.
   * Unlike {@link #forRange}, which cuts the range into at most one chunk per thread, this hands
   * out {@code count} small pieces, so a thread that the operating system deschedules holds up at
   * most one piece while the others take the rest (the GEMM's row blocks use it). Runs inline, in
   * index order, on one configured thread, for {@code count <= 1} or inside a worker. Failures are
   * rethrown as by {@link #forRange}.
   *
   * @param count number of pieces; nothing runs when {@code count <= 0}
   * @param body called with {@code (i, i + 1)} for each piece, concurrently for different pieces
   */
  public static void forEachPiece(int count, IntRangeBody body) {
    if (count <= 0) {
      return;
    }
    int t = threads;
    if (t <= 1 || count == 1 || inWorker()) {
      for (int i = 0; i < count; i++) {
        body.run(i, i + 1);
      }
      return;
    }
    run(new Job(0, count, count, body), Math.min(t, count) - 1);
  }

  /** Runs {@code job} on the caller and up to {@code helpers} workers; rethrows its failure. */
  private static void run(Job job, int helpers) {
    Worker[] ws = ensureWorkers(helpers);
    for (int c = 0; c < helpers; c++) {
      QUEUE.offer(job);
    }
    int toWake = helpers;
    for (int i = 0; i < ws.length && toWake > 0; i++) {
      Worker w = ws[i];
      if (w.parked.get() && w.wake()) {
        toWake--;
      }
    }
    job.run(); // the caller claims chunks too, including any that a slow worker has not taken
    job.await();
    Throwable failure = job.failure();
    if (failure instanceof RuntimeException re) {
      throw re;
    }
    if (failure instanceof Error err) {
      throw err;
    }
    if (failure != null) {
      throw new RuntimeException(failure);
    }
  }

  /**
   * Runs {@code body} over rows {@code [0, rows)} of {@code rowLen} elements each: on the calling
   * thread when the total is below {@code minWork} elements, else split across threads in chunks of
   * whole rows holding at least about {@code minWork / 2} elements each. For kernels whose rows are
   * independent (row reductions, row-wise softmax, broadcasting loops).
   *
   * @param rows number of rows
   * @param rowLen elements per row
   * @param minWork total elements below which nothing is split
   * @param body called with disjoint row ranges
   */
  public static void forRows(int rows, long rowLen, long minWork, IntRangeBody body) {
    long len = Math.max(1, rowLen);
    int minRows =
        (long) rows * len < minWork
            ? Math.max(1, rows) // one chunk: runs inline
            : (int) Math.max(1, Math.min(rows, (minWork / 2 + len - 1) / len));
    forRange(0, rows, minRows, body);
  }

  private static Worker[] ensureWorkers(int count) {
    Worker[] ws = workers;
    if (ws.length >= count) {
      return ws;
    }
    synchronized (Parallel.class) {
      ws = workers;
      if (ws.length < count) {
        Worker[] grown = java.util.Arrays.copyOf(ws, count);
        for (int i = ws.length; i < count; i++) {
          grown[i] = new Worker(i + 1);
          grown[i].start();
        }
        workers = grown;
        ws = grown;
      }
      return ws;
    }
  }

  /** One parallel loop: chunks are claimed dynamically by the caller and by workers. */
  private static final class Job {
    private final int start;
    private final long len;
    private final int chunks;
    private final IntRangeBody body;
    private final Thread caller = Thread.currentThread();
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger done = new AtomicInteger();
    private volatile boolean finished;
    private Throwable failure; // guarded by this

    Job(int start, long len, int chunks, IntRangeBody body) {
      this.start = start;
      this.len = len;
      this.chunks = chunks;
      this.body = body;
    }

    void run() {
      int c;
      while ((c = next.getAndIncrement()) < chunks) {
        try {
          body.run((int) (start + len * c / chunks), (int) (start + len * (c + 1) / chunks));
        } catch (Throwable e) {
          synchronized (this) {
            if (failure == null) {
              failure = e;
            } else if (failure != e) {
              failure.addSuppressed(e);
            }
          }
        } finally {
          if (done.incrementAndGet() == chunks) {
            finished = true;
            LockSupport.unpark(caller);
          }
        }
      }
    }

    /** Waits until every chunk has finished: spins briefly, then parks. */
    void await() {
      long start = System.nanoTime();
      while (!finished) {
        long waited = System.nanoTime() - start;
        if (waited >= CALLER_SPIN_NANOS) {
          break;
        }
        pause(waited);
      }
      boolean interrupted = false;
      while (!finished) {
        LockSupport.park(this);
        if (Thread.interrupted()) {
          interrupted = true; // keep waiting: the chunks still use the caller's data
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }

    synchronized Throwable failure() {
      return failure;
    }
  }

  private static final class Worker extends Thread {
    final AtomicBoolean parked = new AtomicBoolean();

    Worker(int id) {
      super("nabla-worker-" + id);
      setDaemon(true);
    }

    /** Clears the parked flag and unparks; returns false if another caller already did. */
    boolean wake() {
      if (parked.compareAndSet(true, false)) {
        LockSupport.unpark(this);
        return true;
      }
      return false;
    }

    @Override
    public void run() {
      long idleSince = System.nanoTime();
      while (true) {
        Job job = QUEUE.poll();
        if (job != null) {
          job.run();
          idleSince = System.nanoTime();
          continue;
        }
        long idle = System.nanoTime() - idleSince;
        if (idle < WORKER_SPIN_NANOS) {
          pause(idle);
          continue;
        }
        parked.set(true);
        if (!QUEUE.isEmpty()) { // re-check after publishing the flag: no lost wake-up
          parked.set(false);
          continue;
        }
        LockSupport.park(this);
        parked.set(false);
        idleSince = System.nanoTime();
      }
    }
  }

  /**
   * One step of a spin-wait that has lasted {@code waitedNanos}: a CPU pause for the first {@link
   * #PURE_SPIN_NANOS}, then {@link Thread#yield()}. Yielding costs about a microsecond when the
   * core has nothing else to run, so an idle machine still hands work over within microseconds; on
   * a busy machine it gives the core to a runnable thread instead of burning its time slice —
   * possibly to the very worker this spin waits for, when both share a core.
   */
  private static void pause(long waitedNanos) {
    if (waitedNanos < PURE_SPIN_NANOS) {
      Thread.onSpinWait();
    } else {
      Thread.yield();
    }
  }

  /** How long a spin-wait pauses the CPU before it starts yielding (see {@link #pause}). */
  private static final long PURE_SPIN_NANOS = 20_000;

  private static int initialThreads() {
    int n = Runtime.getRuntime().availableProcessors();
    String prop = System.getProperty(PROPERTY);
    if (prop != null) {
      try {
        int v = Integer.parseInt(prop.trim());
        if (v >= 1) {
          n = v;
        }
      } catch (NumberFormatException ignored) {
        // keep the default
      }
    }
    return Math.max(1, n);
  }
}
