package nabla;

/**
 * Per-thread autograd state: whether reverse mode records a graph, and which forward-mode levels
 * are active. Two threads can differentiate two computations at once; a scope in one thread does
 * not affect another.
 */
final class GradMode {
  private GradMode() {}

  static final class State {
    boolean enabled = true;

    /** Forward-mode levels currently open (innermost last). */
    int[] active = new int[4];

    int activeCount;

    /** Levels whose tangent is being computed: their tangents are invisible meanwhile. */
    int[] excluded = new int[4];

    int excludedCount;

    /** While positive, primitives' internal work propagates no tangents. */
    int suspended;

    int nextLevel = 1;

    /** How many backward passes are running in this thread (nested ones run inside VJPs). */
    int backwardDepth;

    /** While a checkpointed segment runs its first forward: the nodes it records (else null). */
    java.util.Set<Node> collector;

    /**
     * Anomaly mode ({@link Autograd#detectAnomaly()}): recorded nodes and in-place writes remember
     * their call site. The only thing the engine reads when the mode is off.
     */
    boolean anomaly;

    /** In anomaly mode: whether forward outputs and backward gradients are scanned for NaN/Inf. */
    boolean anomalyChecksValues;

    /** Passes this thread has started (with the thread id, a backward pass's unique id). */
    private int passes;

    /**
     * A new backward pass id, unique among the passes running at the same time in all threads, and
     * never 0: the thread's id in the high half, a per-thread count in the low half (no shared
     * counter to contend for).
     */
    long nextPassId() {
      return (Thread.currentThread().threadId() << 32) | (++passes & 0xffffffffL);
    }

    boolean forwardActive() {
      return activeCount > 0 && suspended == 0;
    }

    boolean isExcluded(int level) {
      for (int i = 0; i < excludedCount; i++) {
        if (excluded[i] == level) {
          return true;
        }
      }
      return false;
    }

    boolean isActive(int level) {
      for (int i = 0; i < activeCount; i++) {
        if (active[i] == level) {
          return true;
        }
      }
      return false;
    }

    void exclude(int level) {
      if (excludedCount == excluded.length) {
        excluded = java.util.Arrays.copyOf(excluded, excludedCount * 2);
      }
      excluded[excludedCount++] = level;
    }

    void unexclude() {
      excludedCount--;
    }

    int openLevel() {
      if (activeCount == active.length) {
        active = java.util.Arrays.copyOf(active, activeCount * 2);
      }
      int level = nextLevel++;
      active[activeCount++] = level;
      return level;
    }

    void closeLevel(int level) {
      for (int i = activeCount - 1; i >= 0; i--) {
        if (active[i] == level) {
          System.arraycopy(active, i + 1, active, i, activeCount - i - 1);
          activeCount--;
          return;
        }
      }
    }
  }

  private static final ThreadLocal<State> STATE = ThreadLocal.withInitial(State::new);

  /**
   * Anomaly scopes open in any thread: while none is, in-place writes skip looking up their
   * thread's state (a thread-local read per write otherwise).
   */
  private static final java.util.concurrent.atomic.AtomicInteger ANOMALY_SCOPES =
      new java.util.concurrent.atomic.AtomicInteger();

  static void anomalyScopeOpened() {
    ANOMALY_SCOPES.incrementAndGet();
  }

  static void anomalyScopeClosed() {
    ANOMALY_SCOPES.decrementAndGet();
  }

  /** Whether the current thread is in anomaly mode (cheap when no thread is). */
  static boolean anomaly() {
    return ANOMALY_SCOPES.get() > 0 && STATE.get().anomaly;
  }

  static State state() {
    return STATE.get();
  }

  static boolean isEnabled() {
    return STATE.get().enabled;
  }

  /** Sets the mode and returns the previous one. */
  static boolean set(boolean enabled) {
    State s = STATE.get();
    boolean previous = s.enabled;
    s.enabled = enabled;
    return previous;
  }
}
