package nabla.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Times W1–W6 with warm-up and prints the medians as JSON on stdout (progress on stderr). This is
 * the Nabla half of tools/bench/compare.py, which runs the PyTorch half with the same timing scheme
 * and prints the comparison table; it can also be run on its own:
 *
 * <pre>
 *   java --add-modules=jdk.incubator.vector -Xms4g -Xmx4g -XX:+AlwaysPreTouch -cp nabla-bench/target/benchmarks.jar \
 *       nabla.bench.Compare [--quick] [--only W1,W4] [--threads 2] [--w5-n 10000000]
 * </pre>
 *
 * <p>Besides W1–W6, {@code T1}, {@code T2} and {@code T3} time the GEMM shapes of the MLP training
 * step ({@link Workloads.GemmShape}); they run by default and are reported in GFLOP/s.
 *
 * <p>Timing scheme (mirrored in compare.py): run the workload for the warm-up time; estimate the
 * time of one call; pick a batch of k calls lasting at least the minimum sample time; take as many
 * samples as fit in the measurement budget (bounded below and above); report the median, quartiles
 * and minimum of the per-call time over the samples. No timing is asserted anywhere.
 */
public final class Compare {

  /** Keeps results reachable so the JIT cannot drop the work. */
  static volatile Object sink;

  record Plan(
      double warmupSec, double budgetSec, double minSampleSec, int minSamples, int maxSamples) {}

  static final Plan FULL = new Plan(3.0, 10.0, 0.10, 5, 41);
  static final Plan QUICK = new Plan(0.5, 1.5, 0.03, 3, 9);

  record Timing(double median, double p25, double p75, double min, int samples, int batch) {}

  private Compare() {}

  public static void main(String[] args) {
    boolean quick = false;
    int threads = Workloads.DEFAULT_THREADS;
    int w5n = Workloads.BigElementwise.DEFAULT_N;
    Set<String> only =
        new LinkedHashSet<>(List.of("W1", "W2", "W3", "W4", "W5", "W6", "T1", "T2", "T3"));
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--json" -> {} // always JSON; accepted for symmetry with compare.py's worker
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--w5-n" -> w5n = Integer.parseInt(args[++i]);
        case "--only" ->
            only =
                new LinkedHashSet<>(Arrays.asList(args[++i].toUpperCase(Locale.ROOT).split(",")));
        case "-h", "--help" -> {
          System.err.println(
              "usage: Compare [--quick] [--only W1,W2,...,T1,T2,T3] [--threads N] [--w5-n N]");
          return;
        }
        default -> throw new IllegalArgumentException("Compare: unknown option " + args[i]);
      }
    }
    Plan plan = quick ? QUICK : FULL;
    String threadsSet = Workloads.setThreads(threads);

    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("side", "nabla");
    meta.put("quick", quick);
    meta.put("java.version", System.getProperty("java.version"));
    meta.put(
        "java.vm",
        System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
    meta.put(
        "jvm.args", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
    meta.put("nabla.simd", String.valueOf(System.getProperty("nabla.simd", "(unset)")));
    meta.put("vector.module", Workloads.vectorModulePresent());
    meta.put("threads.requested", threads);
    meta.put("threads.set", threadsSet);
    meta.put("Parallel.threads()", Workloads.probe("nabla.kernels.Parallel", "threads"));
    meta.put("Simd.enabled()", Workloads.probe("nabla.kernels.Simd", "enabled"));
    meta.put("availableProcessors", Runtime.getRuntime().availableProcessors());
    meta.put("gemm.blocking", nabla.kernels.GemmBlocking.current().toString());
    meta.put("plan", plan.toString());

    Map<String, Object> results = new LinkedHashMap<>();
    Map<String, Object> checks = new LinkedHashMap<>();
    Map<String, Object> errors = new LinkedHashMap<>();

    for (String w : only) {
      long t0 = System.nanoTime();
      try {
        switch (w) {
          case "W1" -> {
            Workloads.Gemm g = new Workloads.Gemm(1024);
            results.put(w, json(measure(g::run, plan), "flops", g.flops()));
          }
          case "W2" -> {
            Workloads.D2lToy d = new Workloads.D2lToy();
            checks.put("W2 x.grad", Arrays.toString(d.gradOnce()));
            results.put(w, json(measure(d::run, plan)));
          }
          case "W3" -> {
            Workloads.ScalarChain c = new Workloads.ScalarChain();
            checks.put("W3 a.grad", c.run().item());
            results.put(w, json(measure(c::run, plan)));
          }
          case "W4" -> {
            Workloads.MlpStep m = new Workloads.MlpStep();
            checks.put("W4 first loss", m.run().item());
            results.put(w, json(measure(m::run, plan)));
            m = null;
            Workloads.MlpStepCompiled mc = new Workloads.MlpStepCompiled();
            checks.put("W4C first loss", mc.run().item());
            results.put("W4C", json(measure(mc::run, plan)));
          }
          case "W5" -> {
            Workloads.BigElementwise b = new Workloads.BigElementwise(w5n);
            checks.put("W5 value", b.run().item());
            results.put(w, json(measure(b::run, plan), "n", w5n));
            b = null;
            sink = null;
            Workloads.BigElementwiseCompiled c = new Workloads.BigElementwiseCompiled(w5n);
            checks.put("W5C value", c.run().item());
            results.put("W5C", json(measure(c::run, plan), "n", w5n));
            checks.put("W5C program and plan", c.describe());
          }
          case "W6" -> {
            Workloads.Hessian h = new Workloads.Hessian();
            checks.put("W6 trace", h.trace(h.run()));
            checks.put("W6 trace (analytic)", Workloads.Hessian.analyticTrace());
            results.put(w, json(measure(h::run, plan)));
          }
          case "T1", "T2", "T3" -> {
            Workloads.GemmShape g = new Workloads.GemmShape(w);
            results.put(
                w, json(measure(g::run, plan), "flops", g.flops(), "m", g.m, "k", g.k, "n", g.n));
          }
          default -> throw new IllegalArgumentException("unknown workload " + w);
        }
      } catch (RuntimeException | Error e) {
        errors.put(w, e.toString());
        e.printStackTrace();
      }
      sink = null;
      System.err.printf(
          Locale.ROOT, "nabla %s done in %.1f s%n", w, (System.nanoTime() - t0) / 1e9);
    }

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("meta", meta);
    out.put("results", results);
    out.put("checks", checks);
    out.put("errors", errors);
    System.out.println(toJson(out));
  }

  /** Warm up, calibrate a batch size, then time samples of k calls each. Seconds per call. */
  static Timing measure(Supplier<?> op, Plan plan) {
    // Warm-up; the calibration estimate is the mean of the calls in the second half.
    long start = System.nanoTime();
    long warmEnd = start + (long) (plan.warmupSec() * 1e9);
    int calls = 0;
    long halfStart = 0;
    int halfCalls = 0;
    long now = start;
    while (calls < 2 || now < warmEnd) {
      sink = op.get();
      calls++;
      now = System.nanoTime();
      if (halfStart == 0 && now - start >= (warmEnd - start) / 2) {
        halfStart = now;
        halfCalls = 0;
      } else if (halfStart != 0) {
        halfCalls++;
      }
    }
    double est = halfCalls > 0 ? (now - halfStart) / 1e9 / halfCalls : (now - start) / 1e9 / calls;
    int k = (int) Math.max(1, Math.ceil(plan.minSampleSec() / Math.max(est, 1e-9)));
    int n = (int) Math.floor(plan.budgetSec() / (k * est));
    n = Math.max(plan.minSamples(), Math.min(plan.maxSamples(), n));
    double[] per = new double[n];
    for (int s = 0; s < n; s++) {
      long t0 = System.nanoTime();
      for (int j = 0; j < k; j++) {
        sink = op.get();
      }
      per[s] = (System.nanoTime() - t0) / 1e9 / k;
    }
    Arrays.sort(per);
    return new Timing(quantile(per, 0.5), quantile(per, 0.25), quantile(per, 0.75), per[0], n, k);
  }

  static double quantile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = (int) Math.ceil(pos);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  }

  static Map<String, Object> json(Timing t, Object... extra) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("median_s", t.median());
    m.put("p25_s", t.p25());
    m.put("p75_s", t.p75());
    m.put("min_s", t.min());
    m.put("samples", t.samples());
    m.put("batch", t.batch());
    for (int i = 0; i + 1 < extra.length; i += 2) {
      m.put((String) extra[i], extra[i + 1]);
    }
    return m;
  }

  // Minimal JSON writer (the bench module has no JSON dependency).
  static String toJson(Object o) {
    StringBuilder sb = new StringBuilder();
    write(sb, o);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object o) {
    if (o == null) {
      sb.append("null");
    } else if (o instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          sb.append(", ");
        }
        first = false;
        write(sb, String.valueOf(e.getKey()));
        sb.append(": ");
        write(sb, e.getValue());
      }
      sb.append('}');
    } else if (o instanceof List<?> l) {
      sb.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          sb.append(", ");
        }
        write(sb, l.get(i));
      }
      sb.append(']');
    } else if (o instanceof Boolean) {
      sb.append(o);
    } else if (o instanceof Number num) {
      double d = num.doubleValue();
      if (Double.isFinite(d)) {
        sb.append(o instanceof Double || o instanceof Float ? Double.toString(d) : o.toString());
      } else {
        sb.append("null");
      }
    } else {
      String s = o.toString();
      sb.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> sb.append("\\\"");
          case '\\' -> sb.append("\\\\");
          case '\n' -> sb.append("\\n");
          case '\r' -> sb.append("\\r");
          case '\t' -> sb.append("\\t");
          default -> {
            if (c < 0x20) {
              sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
              sb.append(c);
            }
          }
        }
      }
      sb.append('"');
    }
  }
}
