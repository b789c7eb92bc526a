package nabla.storage;

import java.lang.ref.SoftReference;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import nabla.DType;

/**
 * The caching allocator for large float32 and float64 buffers: arrays that the engine knows to be
 * dead (gradients it created inside one backward pass and has consumed) come back here, and kernels
 * that overwrite every element of their output take them again instead of a new, zero-filled,
 * page-faulted array. This is what PyTorch's caching allocator does for it, with one difference
 * that Java imposes: Java does not say when a buffer is dead, so only buffers whose whole life the
 * engine saw are returned (never a tensor a user could still hold).
 *
 * <p>Buckets are keyed by dtype and exact length (training repeats the same shapes, and a tensor's
 * storage must keep its exact size). The pool holds at most {@link #limitBytes()} bytes (by default
 * an eighth of the maximum heap, at most 1 GiB), and holds them through soft references: under
 * memory pressure the collector takes them back before it would throw {@link OutOfMemoryError}, so
 * the pool never causes an error the plain path would not have had. Thread-safe.
 *
 * <p>Settings (system properties, read once): {@code nabla.pool=false} turns the pool off; {@code
 * nabla.pool.minElements} (default 4096, 16 KiB of float32, so that the 100 × 100 intermediates of
 * a Jacobian's batch are pooled; BENCHMARKS.md has the measurement) is the smallest buffer pooled;
 * {@code nabla.pool.poison} fills every returned buffer with NaN (a test mode: a kernel that used a
 * returned buffer, or did not overwrite a taken one, shows NaN).
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(1000, 1000).requiresGrad(true);
 * x.exp().mul(x).sum().backward(); // the rules' 4 MB temporaries go back to the pool
 * x.exp();                         // takes one of them for its output
 * BufferPool.stats();              // "pool: ... buffers, ... MiB held; ... taken, ... returned"
 * BufferPool.clear();              // hands everything back to the garbage collector
 * }</pre>
 */
public final class BufferPool {
  private BufferPool() {}

  private static final boolean ENABLED = !"false".equals(System.getProperty("nabla.pool"));
  private static volatile int minElements = Integer.getInteger("nabla.pool.minElements", 1 << 12);
  private static volatile boolean poison = Boolean.getBoolean("nabla.pool.poison");
  private static volatile long limitBytes =
      Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 8);

  /** Free arrays by {@link #key}, oldest first; guarded by the class lock. */
  private static final Map<Long, ArrayDeque<SoftReference<Object>>> FREE = new HashMap<>();

  private static long heldBytes;
  private static long taken;
  private static long missed;
  private static long returned;
  private static long refused;

  /**
   * Where this thread records the buffers it allocates while the engine is watching (an engine
   * pass's set of buffers it owns, with a use count each); null when nothing watches.
   */
  private static final ThreadLocal<Map<Storage, int[]>> WATCH = new ThreadLocal<>();

  /** Whether the pool is on ({@code -Dnabla.pool=false} turns it off). */
  public static boolean enabled() {
    return ENABLED;
  }

  /** The most bytes the pool holds; buffers returned beyond it are left to the collector. */
  public static long limitBytes() {
    return limitBytes;
  }

  /** Sets {@link #limitBytes()} (0 disables pooling without turning off the engine's tracking). */
  public static void limitBytes(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("BufferPool.limitBytes: must be >= 0, got " + bytes);
    }
    limitBytes = bytes;
    synchronized (BufferPool.class) {
      trim(0);
    }
  }

  /** Drops every pooled buffer (they become garbage). */
  public static synchronized void clear() {
    FREE.clear();
    heldBytes = 0;
  }

  /**
   * One line: buffers and bytes held, and how many were taken from the pool, allocated new
   * (missed), returned and refused (over the limit) since the start.
   */
  public static synchronized String stats() {
    int buffers = 0;
    for (ArrayDeque<SoftReference<Object>> q : FREE.values()) {
      buffers += q.size();
    }
    return String.format(
        "pool: %d buffers, %.1f MiB held; %d taken, %d missed, %d returned, %d refused",
        buffers, heldBytes / (1024.0 * 1024), taken, missed, returned, refused);
  }

  /** The bytes the pool holds now (never more than {@link #limitBytes()}). */
  public static synchronized long heldBytes() {
    return heldBytes;
  }

  /** How many buffers were taken from the pool since the start (for tests and benchmarks). */
  public static synchronized long takenCount() {
    return taken;
  }

  /** How many buffers were returned to the pool since the start (for tests and benchmarks). */
  public static synchronized long returnedCount() {
    return returned;
  }

  /** Sets the smallest number of elements a pooled buffer has (tests lower it to pool all). */
  public static void minElements(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("BufferPool.minElements: must be >= 1, got " + n);
    }
    minElements = n;
  }

  /** The smallest number of elements a pooled buffer has. */
  public static int minElements() {
    return minElements;
  }

  /** Turns NaN-filling of returned buffers on or off (a test mode; see the class comment). */
  public static void poison(boolean on) {
    poison = on;
  }

  /** Whether buffers of this dtype and length go through the pool. */
  private static boolean pooled(DType dtype, int size) {
    return ENABLED && size >= minElements && (dtype == DType.FLOAT32 || dtype == DType.FLOAT64);
  }

  private static long key(DType dtype, int size) {
    return ((long) size << 1) | (dtype == DType.FLOAT64 ? 1 : 0);
  }

  private static long bytes(DType dtype, int size) {
    return (long) size * dtype.byteSize();
  }

  /** A pooled array of exactly this dtype and length, with old contents; null if none is free. */
  static Object take(DType dtype, int size) {
    if (!pooled(dtype, size)) {
      return null;
    }
    synchronized (BufferPool.class) {
      ArrayDeque<SoftReference<Object>> q = FREE.get(key(dtype, size));
      while (q != null && !q.isEmpty()) {
        Object a = q.pollLast().get(); // the most recently returned: likeliest still in cache
        heldBytes -= bytes(dtype, size);
        if (a != null) {
          taken++;
          return a;
        }
      }
      missed++;
      return null;
    }
  }

  /** Records a new storage with the pass that watches this thread, if one does. */
  static void allocated(Storage s, int size) {
    if (pooled(s.dtype(), size)) {
      Map<Storage, int[]> w = WATCH.get();
      if (w != null) {
        w.put(s, new int[1]);
      }
    }
  }

  /**
   * Internal (the engine): makes {@code owned} the set that records this thread's new large buffers
   * (null: none), and returns the previous one, to restore afterwards.
   */
  public static Map<Storage, int[]> watch(Map<Storage, int[]> owned) {
    Map<Storage, int[]> previous = WATCH.get();
    WATCH.set(owned);
    return previous;
  }

  /**
   * Internal (the engine): returns a buffer no tensor will read again. The caller guarantees it:
   * the storage was made inside the caller's watched code, and every tensor over it is dropped.
   */
  public static void release(Storage s) {
    DType dtype = s.dtype();
    int size = s.size();
    if (!pooled(dtype, size)) {
      return;
    }
    Object array = dtype == DType.FLOAT32 ? s.f : s.d;
    if (poison) {
      if (dtype == DType.FLOAT32) {
        java.util.Arrays.fill(s.f, Float.NaN);
      } else {
        java.util.Arrays.fill(s.d, Double.NaN);
      }
    }
    long b = bytes(dtype, size);
    synchronized (BufferPool.class) {
      if (b > limitBytes || !trim(b)) {
        refused++;
        return;
      }
      FREE.computeIfAbsent(key(dtype, size), k -> new ArrayDeque<>())
          .addLast(new SoftReference<>(array));
      heldBytes += b;
      returned++;
    }
  }

  /**
   * Makes room for {@code incoming} bytes: forgets cleared references, then drops the oldest
   * buffers of the other buckets until it fits. False if it cannot fit.
   */
  private static boolean trim(long incoming) {
    if (heldBytes + incoming <= limitBytes) {
      return true;
    }
    for (Iterator<Map.Entry<Long, ArrayDeque<SoftReference<Object>>>> it =
            FREE.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<Long, ArrayDeque<SoftReference<Object>>> e = it.next();
      long each = bytesOfKey(e.getKey());
      ArrayDeque<SoftReference<Object>> q = e.getValue();
      for (Iterator<SoftReference<Object>> r = q.iterator(); r.hasNext(); ) {
        if (r.next().get() == null) {
          r.remove();
          heldBytes -= each;
        }
      }
      while (heldBytes + incoming > limitBytes && !q.isEmpty()) {
        q.pollFirst();
        heldBytes -= each;
      }
      if (q.isEmpty()) {
        it.remove();
      }
      if (heldBytes + incoming <= limitBytes) {
        return true;
      }
    }
    return heldBytes + incoming <= limitBytes;
  }

  private static long bytesOfKey(long key) {
    return (key >>> 1) * ((key & 1) != 0 ? 8 : 4);
  }
}
