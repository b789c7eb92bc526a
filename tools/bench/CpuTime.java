import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Thread CPU time per call of W2 and of W4 on one kernel thread: far less sensitive to other load
 * on a shared host than wall time, so two builds can be compared while the machine is busy. Run
 * alternately against two benchmark jars:
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp nabla-bench/target/benchmarks.jar tools/bench/CpuTime.java
 * </pre>
 */
public class CpuTime {
  public static void main(String[] a) throws Exception {
    nabla.kernels.Parallel.setThreads(1);
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    var w2 = new nabla.bench.Workloads.D2lToy();
    var w4 = new nabla.bench.Workloads.MlpStep();
    Object sink = null;
    for (int i = 0; i < 600_000; i++) sink = w2.run();
    for (int i = 0; i < 1500; i++) sink = w4.run();
    double[] r2 = new double[7], r4 = new double[7];
    for (int k = 0; k < 7; k++) {
      long t = mx.getCurrentThreadCpuTime();
      for (int i = 0; i < 200_000; i++) sink = w2.run();
      r2[k] = (mx.getCurrentThreadCpuTime() - t) / 200_000.0 / 1000;
      t = mx.getCurrentThreadCpuTime();
      for (int i = 0; i < 300; i++) sink = w4.run();
      r4[k] = (mx.getCurrentThreadCpuTime() - t) / 300.0 / 1e6;
    }
    java.util.Arrays.sort(r2); java.util.Arrays.sort(r4);
    System.out.printf("W2 %.3f us  W4(1 thread) %.3f ms  %s%n", r2[3], r4[3], sink != null ? "" : "x");
  }
}
