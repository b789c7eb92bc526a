import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Thread CPU time per call of every workload (W1 at n = 512, W2 to W6) on one kernel thread: much
 * less sensitive to other load on a shared host than wall time (though not immune: a busy sibling
 * hyperthread still slows the core), so two builds can be compared while the machine is busy. Run
 * alternately against two benchmark jars, several rounds:
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp nabla-bench/target/benchmarks.jar tools/bench/CpuTimeAll.java
 * </pre>
 *
 * Prints one line: the median of 5 measurements of each workload, in microseconds.
 */
public class CpuTimeAll {
  static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
  static Object sink;

  static double median(Supplier<Object> w, int warm, int reps) {
    for (int i = 0; i < warm; i++) {
      sink = w.get();
    }
    double[] r = new double[5];
    for (int k = 0; k < r.length; k++) {
      long t = MX.getCurrentThreadCpuTime();
      for (int i = 0; i < reps; i++) {
        sink = w.get();
      }
      r[k] = (MX.getCurrentThreadCpuTime() - t) / 1e3 / reps;
    }
    Arrays.sort(r);
    return r[2];
  }

  public static void main(String[] a) {
    nabla.kernels.Parallel.setThreads(1);
    var w1 = new nabla.bench.Workloads.Gemm(512);
    var w2 = new nabla.bench.Workloads.D2lToy();
    var w3 = new nabla.bench.Workloads.ScalarChain();
    var w4 = new nabla.bench.Workloads.MlpStep();
    var w5 = new nabla.bench.Workloads.BigElementwise(2_000_000);
    var w6 = new nabla.bench.Workloads.Hessian();
    System.out.printf(
        "W1(512) %.0f  W2 %.3f  W3 %.0f  W4 %.0f  W5(2M) %.0f  W6 %.0f  us%n",
        median(w1::run, 30, 10),
        median(w2::run, 400_000, 100_000),
        median(w3::run, 30, 5),
        median(w4::run, 1000, 200),
        median(w5::run, 20, 5),
        median(w6::run, 300, 100));
  }
}
