package nabla.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Peak memory of one workload (W5, or the W4 training loop) in a fresh JVM, printed as JSON on
 * stdout: the Nabla half of the memory table of tools/bench/compare.py, which runs the PyTorch half
 * the same way. Run one workload per process, so that nothing else has touched the heap:
 *
 * <pre>
 *   java --add-modules=jdk.incubator.vector -cp nabla-bench/target/benchmarks.jar \
 *       nabla.bench.PeakMemory --workload W5 --iterations 20
 * </pre>
 *
 * <p>What is measured, from the idle process (JVM started, {@code System.gc()} done, no workload
 * object built yet) to the end of {@code --iterations} calls of the workload (inputs included):
 *
 * <ul>
 *   <li>{@code heap_peak_at_gc_bytes}: the largest heap occupancy seen, i.e. the maximum over all
 *       garbage collections during the run of the heap used just before the collection (from GC
 *       notifications), and the heap used at the end; live data plus garbage not yet collected.
 *   <li>{@code heap_peak_after_gc_bytes}: the largest heap occupancy just after a collection during
 *       the run (0 if none ran): what survived, close to the peak live data.
 *   <li>{@code heap_live_end_bytes}: the heap used after a {@code System.gc()} at the end: what the
 *       workload still holds (inputs, parameters, gradients, any cache of buffers).
 *   <li>{@code heap_pool_peaks_bytes}: the sum over heap pools (eden, survivor, old) of each pool's
 *       peak usage after {@code resetPeakUsage()} at the start; an upper bound of the above, since
 *       the pools need not peak at the same moment.
 *   <li>{@code rss_peak_bytes} and {@code rss_baseline_bytes}: the process's peak resident set
 *       ({@code VmHWM} of /proc/self/status) at the end and its resident set ({@code VmRSS}) when
 *       idle; the peak is reset to the idle RSS first by writing 5 to /proc/self/clear_refs when
 *       the kernel allows it ({@code rss_peak_reset}), otherwise it includes start-up. Their
 *       difference is what the workload added to the process, the number compared with PyTorch's.
 *       With {@code -Xms4g -XX:+AlwaysPreTouch} the whole heap is resident before the baseline, so
 *       the difference only shows memory outside the heap.
 * </ul>
 */
public final class PeakMemory {

  private PeakMemory() {}

  /** Keeps results reachable so the JIT cannot drop the work. */
  static volatile Object sink;

  public static void main(String[] args) throws Exception {
    String workload = "W5";
    int iterations = -1;
    int threads = Workloads.DEFAULT_THREADS;
    int w5n = Workloads.BigElementwise.DEFAULT_N;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--workload" -> workload = args[++i].toUpperCase(Locale.ROOT);
        case "--iterations" -> iterations = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--w5-n" -> w5n = Integer.parseInt(args[++i]);
        case "-h", "--help" -> {
          System.err.println(
              "usage: PeakMemory --workload W4|W5|W5C [--iterations N] [--threads N] [--w5-n N]");
          return;
        }
        default -> throw new IllegalArgumentException("PeakMemory: unknown option " + args[i]);
      }
    }
    if (!workload.equals("W4") && !workload.equals("W5") && !workload.equals("W5C")) {
      throw new IllegalArgumentException(
          "PeakMemory: workload " + workload + " is not measured; use W4, W5 or W5C (compiled)");
    }
    if (iterations < 0) {
      iterations = workload.equals("W4") ? 200 : 20;
    }
    String threadsSet = Workloads.setThreads(threads);

    List<MemoryPoolMXBean> heapPools =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP)
            .toList();
    Set<String> heapPoolNames = new HashSet<>();
    heapPools.forEach(p -> heapPoolNames.add(p.getName()));
    AtomicLong maxBeforeGc = new AtomicLong();
    AtomicLong maxAfterGc = new AtomicLong();
    AtomicLong gcCount = new AtomicLong();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((NotificationEmitter) gc)
          .addNotificationListener(
              (notification, handback) -> {
                if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
                    notification.getType())) {
                  return;
                }
                GarbageCollectionNotificationInfo info =
                    GarbageCollectionNotificationInfo.from(
                        (CompositeData) notification.getUserData());
                long before = heapUsed(info.getGcInfo().getMemoryUsageBeforeGc(), heapPoolNames);
                long after = heapUsed(info.getGcInfo().getMemoryUsageAfterGc(), heapPoolNames);
                maxBeforeGc.accumulateAndGet(before, Math::max);
                maxAfterGc.accumulateAndGet(after, Math::max);
                gcCount.incrementAndGet();
              },
              null,
              null);
    }

    // The idle process.
    System.gc();
    Thread.sleep(200);
    long heapBaseline = heapUsed(heapPools);
    long rssBaseline = procStatusBytes("VmRSS");
    boolean reset = resetPeakRss();
    heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
    maxBeforeGc.set(0);
    maxAfterGc.set(0);
    gcCount.set(0);

    long t0 = System.nanoTime();
    Supplier<Object> op;
    if (workload.equals("W4")) {
      Workloads.MlpStep m = new Workloads.MlpStep();
      op = m::run;
    } else if (workload.equals("W5C")) {
      Workloads.BigElementwiseCompiled c = new Workloads.BigElementwiseCompiled(w5n);
      op = c::run;
    } else {
      Workloads.BigElementwise b = new Workloads.BigElementwise(w5n);
      op = b::run;
    }
    for (int i = 0; i < iterations; i++) {
      sink = op.get();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    long heapEnd = heapUsed(heapPools);
    long poolPeaks = 0;
    for (MemoryPoolMXBean p : heapPools) {
      poolPeaks += p.getPeakUsage().getUsed();
    }
    Thread.sleep(200); // GC notifications arrive on another thread
    long rssPeak = procStatusBytes("VmHWM");
    long rssEnd = procStatusBytes("VmRSS");
    long peakAfterGc = maxAfterGc.get();
    long gcs = gcCount.get();
    long peakBeforeGc = maxBeforeGc.get();
    System.gc(); // what the workload still holds (its inputs, parameters, gradients, caches)
    long heapLive = heapUsed(heapPools);

    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("side", "nabla");
    meta.put(
        "jvm.args", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
    meta.put("Simd.enabled()", Workloads.probe("nabla.kernels.Simd", "enabled"));
    meta.put("threads.set", threadsSet);
    meta.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("workload", workload);
    r.put("iterations", iterations);
    r.put("seconds", seconds);
    r.put("heap_baseline_bytes", heapBaseline);
    r.put("heap_peak_at_gc_bytes", Math.max(peakBeforeGc, heapEnd));
    r.put("heap_peak_after_gc_bytes", peakAfterGc);
    r.put("heap_pool_peaks_bytes", poolPeaks);
    r.put("heap_end_bytes", heapEnd);
    r.put("heap_live_end_bytes", heapLive);
    r.put("heap_committed_end_bytes", Runtime.getRuntime().totalMemory());
    r.put("gc_count", gcs);
    r.put("rss_baseline_bytes", rssBaseline);
    r.put("rss_peak_bytes", rssPeak);
    r.put("rss_end_bytes", rssEnd);
    r.put("rss_peak_reset", reset);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("meta", meta);
    out.put("memory", r);
    System.out.println(Compare.toJson(out));
  }

  static long heapUsed(Map<String, MemoryUsage> usageByPool, Set<String> heapPoolNames) {
    long used = 0;
    for (Map.Entry<String, MemoryUsage> e : usageByPool.entrySet()) {
      if (heapPoolNames.contains(e.getKey())) {
        used += e.getValue().getUsed();
      }
    }
    return used;
  }

  static long heapUsed(List<MemoryPoolMXBean> heapPools) {
    long used = 0;
    for (MemoryPoolMXBean p : heapPools) {
      used += p.getUsage().getUsed();
    }
    return used;
  }

  /** A "kB" field of /proc/self/status in bytes, or -1 where there is no such file (not Linux). */
  static long procStatusBytes(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field + ":")) {
          String v = line.substring(field.length() + 1).trim();
          return Long.parseLong(v.split("\\s+")[0]) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  /** Resets VmHWM to the current RSS (Linux: "5" to /proc/self/clear_refs); false if refused. */
  static boolean resetPeakRss() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      return true;
    } catch (IOException | SecurityException e) {
      return false;
    }
  }
}
