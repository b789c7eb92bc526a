package nabla.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measures the fused multiply-add peak of this machine from Java, in GFLOP/s (one FMA = 2 flops),
 * for float32 and float64, on one thread and on all threads, and prints it as JSON on stdout. It is
 * the "limit" column of tools/bench/compare.py: GEMM speeds are reported as a fraction of this
 * measured peak rather than of a datasheet figure.
 *
 * <pre>
 *   java --add-modules=jdk.incubator.vector -cp nabla-bench/target/benchmarks.jar \
 *       nabla.bench.FmaPeak [--quick] [--threads 1,2]
 * </pre>
 *
 * <p>Each thread runs {@value #CHAINS} independent chains {@code acc = acc * a + b} on vectors of
 * the preferred species (512 bits with AVX-512): enough independent work to keep two FMA ports busy
 * through a 4-cycle latency, with the accumulators, {@code a} and {@code b} all in registers and no
 * memory traffic. {@code a} is slightly below 1, so the accumulators converge to b / (1 - a) and
 * never overflow or become subnormal. Each round is timed by every thread's CPU time and by the
 * wall time of the whole round; the best of a few rounds is reported (a peak is a maximum: slower
 * rounds only measure interference from other processes). This needs the Vector API module; without
 * it the class does not load.
 */
public final class FmaPeak {

  /** Independent accumulator chains per thread. */
  static final int CHAINS = 12;

  static final VectorSpecies<Float> FLOAT = FloatVector.SPECIES_PREFERRED;
  static final VectorSpecies<Double> DOUBLE = DoubleVector.SPECIES_PREFERRED;
  static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** Keeps results reachable so the JIT cannot drop the work. */
  static volatile double sink;

  private FmaPeak() {}

  /** One measured figure: best GFLOP/s by wall time and by CPU time over the rounds. */
  public record Peak(
      String dtype, int threads, int lanes, double wallGflops, double cpuGflops, int rounds) {}

  /** Runs {@code iterations} × {@value #CHAINS} float FMAs of {@link #FLOAT} vectors. */
  static double floatChains(long iterations) {
    FloatVector a = FloatVector.broadcast(FLOAT, 0.999999f);
    FloatVector b = FloatVector.broadcast(FLOAT, 1e-6f);
    FloatVector c0 = FloatVector.broadcast(FLOAT, 0.10f);
    FloatVector c1 = FloatVector.broadcast(FLOAT, 0.11f);
    FloatVector c2 = FloatVector.broadcast(FLOAT, 0.12f);
    FloatVector c3 = FloatVector.broadcast(FLOAT, 0.13f);
    FloatVector c4 = FloatVector.broadcast(FLOAT, 0.14f);
    FloatVector c5 = FloatVector.broadcast(FLOAT, 0.15f);
    FloatVector c6 = FloatVector.broadcast(FLOAT, 0.16f);
    FloatVector c7 = FloatVector.broadcast(FLOAT, 0.17f);
    FloatVector c8 = FloatVector.broadcast(FLOAT, 0.18f);
    FloatVector c9 = FloatVector.broadcast(FLOAT, 0.19f);
    FloatVector c10 = FloatVector.broadcast(FLOAT, 0.20f);
    FloatVector c11 = FloatVector.broadcast(FLOAT, 0.21f);
    for (long i = 0; i < iterations; i++) {
      c0 = c0.fma(a, b);
      c1 = c1.fma(a, b);
      c2 = c2.fma(a, b);
      c3 = c3.fma(a, b);
      c4 = c4.fma(a, b);
      c5 = c5.fma(a, b);
      c6 = c6.fma(a, b);
      c7 = c7.fma(a, b);
      c8 = c8.fma(a, b);
      c9 = c9.fma(a, b);
      c10 = c10.fma(a, b);
      c11 = c11.fma(a, b);
    }
    FloatVector s =
        c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10);
    return s.add(c11).reduceLanes(VectorOperators.ADD);
  }

  /** Runs {@code iterations} × {@value #CHAINS} double FMAs of {@link #DOUBLE} vectors. */
  static double doubleChains(long iterations) {
    DoubleVector a = DoubleVector.broadcast(DOUBLE, 0.999999);
    DoubleVector b = DoubleVector.broadcast(DOUBLE, 1e-6);
    DoubleVector c0 = DoubleVector.broadcast(DOUBLE, 0.10);
    DoubleVector c1 = DoubleVector.broadcast(DOUBLE, 0.11);
    DoubleVector c2 = DoubleVector.broadcast(DOUBLE, 0.12);
    DoubleVector c3 = DoubleVector.broadcast(DOUBLE, 0.13);
    DoubleVector c4 = DoubleVector.broadcast(DOUBLE, 0.14);
    DoubleVector c5 = DoubleVector.broadcast(DOUBLE, 0.15);
    DoubleVector c6 = DoubleVector.broadcast(DOUBLE, 0.16);
    DoubleVector c7 = DoubleVector.broadcast(DOUBLE, 0.17);
    DoubleVector c8 = DoubleVector.broadcast(DOUBLE, 0.18);
    DoubleVector c9 = DoubleVector.broadcast(DOUBLE, 0.19);
    DoubleVector c10 = DoubleVector.broadcast(DOUBLE, 0.20);
    DoubleVector c11 = DoubleVector.broadcast(DOUBLE, 0.21);
    for (long i = 0; i < iterations; i++) {
      c0 = c0.fma(a, b);
      c1 = c1.fma(a, b);
      c2 = c2.fma(a, b);
      c3 = c3.fma(a, b);
      c4 = c4.fma(a, b);
      c5 = c5.fma(a, b);
      c6 = c6.fma(a, b);
      c7 = c7.fma(a, b);
      c8 = c8.fma(a, b);
      c9 = c9.fma(a, b);
      c10 = c10.fma(a, b);
      c11 = c11.fma(a, b);
    }
    DoubleVector s =
        c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10);
    return s.add(c11).reduceLanes(VectorOperators.ADD);
  }

  static double chains(boolean isFloat, long iterations) {
    return isFloat ? floatChains(iterations) : doubleChains(iterations);
  }

  /** Flops of one iteration: {@value #CHAINS} FMAs of {@code lanes} lanes, 2 flops each. */
  static double flopsPerIteration(boolean isFloat) {
    return 2.0 * CHAINS * (isFloat ? FLOAT.length() : DOUBLE.length());
  }

  /** Calls the kernel in short calls until it is JIT-compiled, then for {@code seconds} more. */
  static void warmUp(boolean isFloat, double seconds) {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    int calls = 0;
    while (calls < 20_000 || System.nanoTime() < end) {
      sink = chains(isFloat, 200);
      calls++;
    }
  }

  /**
   * Measures the peak on {@code threads} threads: {@code rounds} rounds of about {@code roundSec}
   * each, every thread running the same number of iterations; returns the best round by wall time
   * (total flops / wall time) and by CPU time (sum over threads of flops / thread CPU time).
   *
   * <pre>{@code
   * FmaPeak.Peak p = FmaPeak.measure(true, 1, 3, 0.1); // float32, 1 thread, 3 rounds of 0.1 s
   * double gflops = p.cpuGflops();                    // e.g. ~280 on one AVX-512 core
   * }</pre>
   *
   * @throws IllegalArgumentException if threads or rounds is below 1 or roundSec is not positive
   */
  public static Peak measure(boolean isFloat, int threads, int rounds, double roundSec) {
    if (threads < 1 || rounds < 1 || !(roundSec > 0)) {
      throw new IllegalArgumentException(
          "FmaPeak.measure: threads ("
              + threads
              + ") and rounds ("
              + rounds
              + ") must be >= 1 and roundSec ("
              + roundSec
              + ") > 0");
    }
    // Calibrate on this thread: iterations for one round of roundSec.
    long probe = 1_000_000;
    long t0 = System.nanoTime();
    sink = chains(isFloat, probe);
    double perIteration = Math.max((System.nanoTime() - t0) / 1e9 / probe, 1e-12);
    long iterations = Math.max(1000, (long) (roundSec / perIteration));
    double flopsPerThread = flopsPerIteration(isFloat) * iterations;

    double bestWall = 0;
    double bestCpu = 0;
    for (int r = 0; r < rounds; r++) {
      double[] cpuSec = new double[threads];
      CyclicBarrier start = new CyclicBarrier(threads + 1);
      CyclicBarrier done = new CyclicBarrier(threads + 1);
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        Thread w =
            new Thread(
                () -> {
                  try {
                    start.await();
                    long c0 = THREADS.getCurrentThreadCpuTime();
                    sink = chains(isFloat, iterations);
                    cpuSec[id] = (THREADS.getCurrentThreadCpuTime() - c0) / 1e9;
                    done.await();
                  } catch (Exception e) {
                    throw new IllegalStateException("FmaPeak: worker thread interrupted", e);
                  }
                },
                "fma-peak-" + t);
        w.setDaemon(true);
        w.start();
        workers.add(w);
      }
      try {
        start.await();
        long w0 = System.nanoTime();
        done.await();
        double wall = (System.nanoTime() - w0) / 1e9;
        for (Thread w : workers) {
          w.join();
        }
        bestWall = Math.max(bestWall, flopsPerThread * threads / wall / 1e9);
        double cpu = 0;
        for (double s : cpuSec) {
          cpu += flopsPerThread / s / 1e9;
        }
        bestCpu = Math.max(bestCpu, cpu);
      } catch (Exception e) {
        throw new IllegalStateException("FmaPeak: measurement interrupted", e);
      }
    }
    int lanes = isFloat ? FLOAT.length() : DOUBLE.length();
    return new Peak(isFloat ? "float32" : "float64", threads, lanes, bestWall, bestCpu, rounds);
  }

  public static void main(String[] args) {
    boolean quick = false;
    Set<Integer> threadCounts = new LinkedHashSet<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--threads" -> {
          for (String s : args[++i].split(",")) {
            threadCounts.add(Integer.parseInt(s.trim()));
          }
        }
        case "-h", "--help" -> {
          System.err.println("usage: FmaPeak [--quick] [--threads 1,2]");
          return;
        }
        default -> throw new IllegalArgumentException("FmaPeak: unknown option " + args[i]);
      }
    }
    int all = Runtime.getRuntime().availableProcessors();
    if (threadCounts.isEmpty()) {
      threadCounts.add(1);
      threadCounts.add(all);
    }
    int rounds = quick ? 3 : 5;
    double roundSec = quick ? 0.1 : 0.3;

    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("java.version", System.getProperty("java.version"));
    meta.put("availableProcessors", all);
    meta.put("float.species", FLOAT.toString());
    meta.put("double.species", DOUBLE.toString());
    meta.put("chains", CHAINS);
    meta.put("rounds", rounds);
    meta.put("round_s", roundSec);
    List<Object> peaks = new ArrayList<>();
    for (boolean isFloat : new boolean[] {true, false}) {
      warmUp(isFloat, quick ? 0.2 : 0.5);
      for (int threads : threadCounts) {
        Peak p = measure(isFloat, threads, rounds, roundSec);
        System.err.printf(
            Locale.ROOT,
            "fma peak %s %d thread(s): %.1f GFLOP/s (wall), %.1f (CPU time)%n",
            p.dtype(),
            threads,
            p.wallGflops(),
            p.cpuGflops());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dtype", p.dtype());
        m.put("threads", p.threads());
        m.put("lanes", p.lanes());
        m.put("gflops_wall", p.wallGflops());
        m.put("gflops_cpu", p.cpuGflops());
        peaks.add(m);
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("meta", meta);
    out.put("peaks", peaks);
    System.out.println(Compare.toJson(out));
  }
}
