package nabla.bench;

import java.util.concurrent.TimeUnit;
import nabla.DType;
import nabla.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Forward time of the elementwise activations over 2^20 elements (4 or 8 MB, the kernels' threads
 * at their default), in nanoseconds per call: divide by 1,048,576 for the time per element. The JVM
 * as a library user starts it (no heap flags).
 *
 * <pre>
 *   java -jar nabla-bench/target/benchmarks.jar Activations
 *   java -jar nabla-bench/target/benchmarks.jar Activations -p op=tanh -p dtype=float64
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "--add-modules=jdk.incubator.vector",
      "--sun-misc-unsafe-memory-access=allow" // JMH 1.37 uses Unsafe
    })
@State(Scope.Benchmark)
public class Activations {

  /** The activation. */
  @Param({"tanh", "sigmoid", "exp", "relu", "gelu", "silu"})
  public String op;

  /** The element type. */
  @Param({"float32", "float64"})
  public String dtype;

  Tensor x;

  @Setup
  public void setup() {
    DType t = dtype.equals("float64") ? DType.FLOAT64 : DType.FLOAT32;
    x = Tensor.randn(1 << 20).to(t);
  }

  @Benchmark
  public Tensor forward() {
    return switch (op) {
      case "tanh" -> x.tanh();
      case "sigmoid" -> x.sigmoid();
      case "exp" -> x.exp();
      case "relu" -> x.relu();
      case "gelu" -> x.gelu();
      case "silu" -> x.silu();
      default -> throw new IllegalArgumentException("Activations: unknown op " + op);
    };
  }
}
