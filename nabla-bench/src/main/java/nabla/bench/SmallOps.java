package nabla.bench;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import nabla.Autograd;
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
 * Per-call cost of small operations, where bookkeeping rather than arithmetic sets the time: a
 * broadcast of a matrix with a row and with a column (the softmax layer's [256, 10] logits, and
 * short and long rows on each side of the one-loop path), and Jacobians and a Hessian of a small
 * function ({@code sin(x)·Σx + x²}, float64), whose cost is vmap's trace, replay and check. The JVM
 * as a library user starts it (no heap flags).
 *
 * <pre>
 *   java -jar nabla-bench/target/benchmarks.jar SmallOps
 *   java -jar nabla-bench/target/benchmarks.jar "SmallOps.jacrev" -p rows=8,32
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
public class SmallOps {

  /** A matrix, a row and a column of the chosen shape (float32). */
  @State(Scope.Benchmark)
  public static class Broadcast {
    /** The broadcast's matrix, rows × columns. */
    @Param({"8x8", "64x8", "256x10", "64x64"})
    public String shape;

    Tensor matrix;
    Tensor row;
    Tensor column;

    @Setup
    public void setup() {
      String[] rc = shape.split("x");
      int r = Integer.parseInt(rc[0]);
      int c = Integer.parseInt(rc[1]);
      matrix = Tensor.arange(r * c).to(DType.FLOAT32).div(r * c).reshape(r, c);
      row = Tensor.arange(c).to(DType.FLOAT32).add(1);
      column = Tensor.arange(r).to(DType.FLOAT32).reshape(r, 1);
    }
  }

  /** A point of the chosen length and the function (float64). */
  @State(Scope.Benchmark)
  public static class Point {
    /** Rows of the Jacobians (the input's length). */
    @Param({"8", "32"})
    public int rows;

    Tensor x;
    Function<Tensor, Tensor> f;

    @Setup
    public void setup() {
      x = Tensor.arange(rows).to(DType.FLOAT64).div(rows).add(0.1);
      f = t -> t.sin().mul(t.sum()).add(t.mul(t));
    }
  }

  /** A matrix times a row: [r, c] · [c]. */
  @Benchmark
  public Tensor broadcastRow(Broadcast b) {
    return b.matrix.mul(b.row);
  }

  /** A matrix plus a column: [r, c] + [r, 1]. */
  @Benchmark
  public Tensor broadcastColumn(Broadcast b) {
    return b.matrix.add(b.column);
  }

  /** jacrev of sin(x)·Σx + x² at a point of {@code rows} elements. */
  @Benchmark
  public Tensor jacrev(Point p) {
    return Autograd.jacrev(p.f, p.x);
  }

  /** The Hessian of Σ(sin(x)·Σx + x²). */
  @Benchmark
  public Tensor hessian(Point p) {
    Function<Tensor, Tensor> f = p.f;
    return Autograd.hessian(t -> f.apply(t).sum(), p.x);
  }
}
