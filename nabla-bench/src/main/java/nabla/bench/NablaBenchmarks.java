package nabla.bench;

import java.util.concurrent.TimeUnit;
import nabla.Autograd;
import nabla.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmarks W1–W6 (see BENCHMARKS.md). One benchmark invocation is one unit of work (one GEMM,
 * one D2L iteration, one 100k-op chain, one training step, ...), so {@code -prof gc}'s {@code
 * gc.alloc.rate.norm} is the allocation per unit, e.g. bytes per training step for W4.
 *
 * <pre>
 *   java -jar nabla-bench/target/benchmarks.jar                      # all, defaults below
 *   java -jar nabla-bench/target/benchmarks.jar W4 -prof gc          # allocation per step
 *   java -jar nabla-bench/target/benchmarks.jar -jvmArgsAppend -Dnabla.simd=false   # scalar kernels
 *   java -jar nabla-bench/target/benchmarks.jar W1 -p threads=1      # single-threaded kernels
 * </pre>
 *
 * <p>The forked JVM inherits the launching JVM's options (so {@code java -Dnabla.simd=false -jar
 * ...} works too) and always gets {@code --add-modules=jdk.incubator.vector}. W1's GFLOP/s is
 * {@code 2·1024³ / time}, i.e. 2.147 / (ms per op).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "--add-modules=jdk.incubator.vector",
      "--sun-misc-unsafe-memory-access=allow", // JMH 1.37 uses Unsafe; silences JDK 25 warnings
      "-Xms4g",
      "-Xmx4g",
      "-XX:+AlwaysPreTouch",
      "-Xss16m"
    })
@State(Scope.Benchmark)
public class NablaBenchmarks {

  /** Kernel threads (via nabla.kernels.Parallel.setThreads when present). */
  @Param({"2"})
  public int threads;

  Workloads.Gemm gemm;
  Workloads.D2lToy d2l;
  Workloads.ScalarChain chain;
  Workloads.MlpStep mlp;
  Workloads.BigElementwise big;
  Workloads.Hessian hessian;
  Workloads.MlpStepCompiled mlpCompiled;
  Workloads.BigElementwiseCompiled bigCompiled;

  @Setup(Level.Trial)
  public void setup(org.openjdk.jmh.infra.BenchmarkParams params) {
    Workloads.setThreads(threads);
    // Build only the inputs the running benchmark needs (W5 alone is 2 x 40 MB).
    String b = params.getBenchmark();
    if (b.endsWith("W1_gemm1024")) {
      gemm = new Workloads.Gemm(1024);
    } else if (b.endsWith("W2_d2lToy") || b.endsWith("W2_d2lToyAnomaly")) {
      d2l = new Workloads.D2lToy();
    } else if (b.endsWith("W3_scalarChain100k")) {
      chain = new Workloads.ScalarChain();
    } else if (b.endsWith("W4_mlpStep") || b.endsWith("W4_mlpStepAnomaly")) {
      mlp = new Workloads.MlpStep();
    } else if (b.endsWith("W5_elementwise10M")) {
      big = new Workloads.BigElementwise(Workloads.BigElementwise.DEFAULT_N);
    } else if (b.endsWith("W6_hessian100")) {
      hessian = new Workloads.Hessian();
    } else if (b.endsWith("W4_mlpStepCompiled")) {
      mlpCompiled = new Workloads.MlpStepCompiled();
    } else if (b.endsWith("W5_elementwise10MCompiled")) {
      bigCompiled = new Workloads.BigElementwiseCompiled(Workloads.BigElementwise.DEFAULT_N);
    }
  }

  /** W1: 1024×1024 float32 GEMM. GFLOP/s = 2.147 / (ms/op). */
  @Benchmark
  public Tensor W1_gemm1024() {
    return gemm.run();
  }

  /** W2: D2L toy y = 2·xᵀx, backward, zeroGrad (x = arange(4.0)). */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Tensor W2_d2lToy() {
    return d2l.run();
  }

  /**
   * W2 inside {@code Autograd.detectAnomaly()}: the cost of anomaly mode (a stack walk per recorded
   * op and per in-place write, a NaN/Inf scan of every result and gradient). Compare with W2 in the
   * same run.
   */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Tensor W2_d2lToyAnomaly() {
    try (Autograd.AnomalyScope a = Autograd.detectAnomaly()) {
      return d2l.run();
    }
  }

  /** W3: ~100k 0-d ops (33,334 × y = y·a + sin y) and one backward. */
  @Benchmark
  public Tensor W3_scalarChain100k() {
    return chain.run();
  }

  /** W4: one SGD step of a 784-256-10 MLP, batch 256. */
  @Benchmark
  public Tensor W4_mlpStep() {
    return mlp.run();
  }

  /** W4 inside {@code Autograd.detectAnomaly()}; compare with W4 in the same run. */
  @Benchmark
  public Tensor W4_mlpStepAnomaly() {
    try (Autograd.AnomalyScope a = Autograd.detectAnomaly()) {
      return mlp.run();
    }
  }

  /** W5: (x·y + x).exp().sum() over 10M floats, forward + backward + zeroGrad. */
  @Benchmark
  public Tensor W5_elementwise10M() {
    return big.run();
  }

  /** W6: Hessian of sum(x³ sin x), x of size 100. */
  @Benchmark
  public Tensor W6_hessian100() {
    return hessian.run();
  }

  /** W4 compiled (issue #14): the same step as one compiled plan (forward, backward, update). */
  @Benchmark
  public Tensor W4_mlpStepCompiled() {
    return mlpCompiled.run();
  }

  /** W5 compiled (issue #14): value and gradients in one fused pass, into reused tensors. */
  @Benchmark
  public Tensor W5_elementwise10MCompiled() {
    return bigCompiled.run();
  }
}
