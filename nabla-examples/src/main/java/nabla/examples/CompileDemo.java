package nabla.examples;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Function;
import nabla.Autograd;
import nabla.Compiled;
import nabla.Tensor;
import nabla.TracingException;

/**
 * The demo's look at {@link Autograd#compile}: the value and gradients of (x·y + x).exp().sum()
 * over 2 million floats, eager and compiled (one fused pass over memory), timed side by side, the
 * plan the compiled function runs, and what tracing says to a Java {@code if} on a value.
 *
 * <pre>{@code
 * CompileDemo.run(System.out);
 * }</pre>
 */
public final class CompileDemo {
  private CompileDemo() {}

  /** Elements of x and y. */
  static final int N = 2_000_000;

  /** Runs the comparison and prints it; returns the largest gradient difference (0 expected). */
  public static double run(PrintStream out) {
    Tensor x = Tensor.linspace(0, 1, N);
    Tensor y = Tensor.linspace(1, 0, N);
    Function<Tensor[], Autograd.ValueAndGrads> eager =
        Autograd.valueAndGrad((Tensor[] a) -> a[0].mul(a[1]).add(a[0]).exp().sum());
    Compiled<Tensor[], Autograd.ValueAndGrads> compiled = Autograd.compileMulti(eager);
    Tensor[] args = {x, y};
    double eagerMs = bestMillis(() -> eager.apply(args));
    double compiledMs = bestMillis(() -> compiled.apply(args));
    Autograd.ValueAndGrads e = eager.apply(args);
    Autograd.ValueAndGrads c = compiled.apply(args);
    double diff =
        Math.max(
            e.grads()[0].sub(c.grads()[0]).abs().max().item(),
            e.grads()[1].sub(c.grads()[1]).abs().max().item());
    out.println("== Autograd.compile: value and gradients of (x*y + x).exp().sum(), 2M floats");
    out.printf(
        Locale.ROOT,
        "eager %.2f ms, compiled %.2f ms (best of 10 calls each); value %s = %s, largest"
            + " gradient difference %s%n",
        eagerMs,
        compiledMs,
        e.value().item(),
        c.value().item(),
        diff);
    out.println("what the compiled function runs (Compiled.plan()):");
    for (String line : compiled.plan().split("\n")) {
      out.println("  " + line);
    }
    Function<Tensor, Tensor> branchy = t -> t.sum().item() > 0 ? t : t.neg();
    try {
      Autograd.compile(branchy).apply(Tensor.of(1, 2));
    } catch (TracingException ex) {
      out.println("a Java if on a tensor's value cannot be compiled:");
      out.println("  " + ex.getMessage());
    }
    return diff;
  }

  private static double bestMillis(Runnable r) {
    for (int i = 0; i < 5; i++) {
      r.run();
    }
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      long t0 = System.nanoTime();
      r.run();
      best = Math.min(best, System.nanoTime() - t0);
    }
    return best / 1e6;
  }
}
