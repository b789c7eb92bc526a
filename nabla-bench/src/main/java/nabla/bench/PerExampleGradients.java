package nabla.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import nabla.Autograd;
import nabla.Generator;
import nabla.Tensor;

/**
 * Per-example gradients of a 784-256-10 MLP (cross-entropy) over a batch of 256 (issue #14),
 * computed by {@code vmapOutputs(gradWrt(loss))} (one batched program) and by a loop of 256
 * gradient calls: the gradient of every parameter for every example (four tensors, the largest
 * [256, 784, 256]: 205 MB of float32 to write, which bounds both), and the gradient with respect to
 * each input image ([256, 784]), the latter also through {@code compileMulti} of the vmap (traced
 * once, replayed fused). Prints the times (median of the runs after {@link #WARMUP} untimed calls
 * of each side, wall time and this thread's CPU time) and the largest difference.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp nabla-bench/target/benchmarks.jar \
 *     nabla.bench.PerExampleGradients [runs] [threads]
 * </pre>
 */
public final class PerExampleGradients {

  static final int BATCH = 256;

  /** Untimed calls of each side before the timed runs. */
  static final int WARMUP = 20;

  final Tensor x;
  final Tensor targets;
  final Tensor[] params;

  PerExampleGradients() {
    Generator.manualSeed(4);
    x = Tensor.randn(BATCH, 784);
    targets = Tensor.randint(0, 10, BATCH);
    params =
        new Tensor[] {
          Tensor.randn(784, 256).mul(0.01), Tensor.zeros(256),
          Tensor.randn(256, 10).mul(0.01), Tensor.zeros(10)
        };
  }

  /** Loss of one example: a[0..3] the parameters, a[4] the image [784], a[5] the label (0-d). */
  static Tensor loss(Tensor[] a) {
    Tensor logits = a[4].unsqueeze(0).matmul(a[0]).add(a[1]).relu().matmul(a[2]).add(a[3]);
    return logits.crossEntropy(a[5].reshape(1));
  }

  /** The gradients of one example's loss with respect to the four parameters. */
  static Tensor[] gradients(Tensor... a) {
    return Autograd.gradWrt(PerExampleGradients::loss, 0, 1, 2, 3).apply(a);
  }

  Tensor[] batched() {
    Autograd.MultiOutputFunction perExample =
        Autograd.vmapOutputs(
            PerExampleGradients::gradients, new Integer[] {null, null, null, null, 0, 0}, 0);
    return perExample.apply(params[0], params[1], params[2], params[3], x, targets);
  }

  /** The gradient of one example's loss with respect to its image (a saliency map, [784]). */
  static Tensor inputGradient(Tensor[] a) {
    return Autograd.gradWrt(PerExampleGradients::loss, 4).apply(a)[0];
  }

  Tensor batchedInput() {
    return Autograd.vmap(
            PerExampleGradients::inputGradient, new Integer[] {null, null, null, null, 0, 0}, 0)
        .apply(params[0], params[1], params[2], params[3], x, targets);
  }

  /**
   * {@link #batchedInput} through {@code Autograd.compileMulti}: the vmapped program is traced once
   * per signature and replayed fused, instead of traced again on every call.
   */
  final nabla.Compiled<Tensor[], Tensor> compiledInput =
      Autograd.compileMulti(
          a ->
              Autograd.vmap(
                      PerExampleGradients::inputGradient,
                      new Integer[] {null, null, null, null, 0, 0},
                      0)
                  .apply(a));

  Tensor compiledBatchedInput() {
    return compiledInput.apply(
        new Tensor[] {params[0], params[1], params[2], params[3], x, targets});
  }

  Tensor loopedInput() {
    Tensor[] rows = new Tensor[BATCH];
    for (int b = 0; b < BATCH; b++) {
      rows[b] =
          inputGradient(
              new Tensor[] {params[0], params[1], params[2], params[3], x.get(b), targets.get(b)});
    }
    return Tensor.stack(0, rows);
  }

  Tensor[] looped() {
    Tensor[][] rows = new Tensor[4][BATCH];
    for (int b = 0; b < BATCH; b++) {
      Tensor[] g = gradients(params[0], params[1], params[2], params[3], x.get(b), targets.get(b));
      for (int k = 0; k < 4; k++) {
        rows[k][b] = g[k];
      }
    }
    Tensor[] out = new Tensor[4];
    for (int k = 0; k < 4; k++) {
      out[k] = Tensor.stack(0, rows[k]);
    }
    return out;
  }

  public static void main(String[] args) {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    if (args.length > 1) {
      nabla.kernels.Parallel.setThreads(Integer.parseInt(args[1]));
    }
    PerExampleGradients w = new PerExampleGradients();
    compare("parameter gradients", w::batched, w::looped, runs);
    compare(
        "input gradients",
        () -> new Tensor[] {w.batchedInput()},
        () -> new Tensor[] {w.loopedInput()},
        runs);
    compare(
        "input gradients, compile(vmap(...))",
        () -> new Tensor[] {w.compiledBatchedInput()},
        () -> new Tensor[] {w.loopedInput()},
        runs);
    // where the loop is all per-call overhead: a 10-32-1 regression MLP, 1024 examples
    Generator.manualSeed(5);
    Tensor[] small = {Tensor.randn(10, 32).mul(0.3), Tensor.zeros(32), Tensor.randn(32, 1)};
    Tensor xs = Tensor.randn(1024, 10);
    Tensor ys = Tensor.randn(1024);
    Autograd.MultiOutputFunction g =
        a ->
            Autograd.gradWrt(
                    b -> b[3].matmul(b[0]).add(b[1]).tanh().matmul(b[2]).sub(b[4]).square().sum(),
                    0,
                    1,
                    2)
                .apply(a);
    Integer[] axes = {null, null, null, 0, 0};
    compare(
        "small MLP parameter gradients",
        () -> Autograd.vmapOutputs(g, axes, 0).apply(small[0], small[1], small[2], xs, ys),
        () -> {
          Tensor[][] rows = new Tensor[3][1024];
          for (int b = 0; b < 1024; b++) {
            Tensor[] r = g.apply(small[0], small[1], small[2], xs.get(b), ys.get(b));
            for (int k = 0; k < 3; k++) {
              rows[k][b] = r[k];
            }
          }
          return new Tensor[] {
            Tensor.stack(0, rows[0]), Tensor.stack(0, rows[1]), Tensor.stack(0, rows[2])
          };
        },
        runs);
  }

  static void compare(
      String what,
      java.util.function.Supplier<Tensor[]> batched,
      java.util.function.Supplier<Tensor[]> looped,
      int runs) {
    Tensor[] a = batched.get();
    Tensor[] b = looped.get();
    double diff = 0;
    double scale = 0;
    StringBuilder shapes = new StringBuilder();
    for (int k = 0; k < a.length; k++) {
      diff = Math.max(diff, a[k].sub(b[k]).abs().max().item());
      scale = Math.max(scale, b[k].abs().max().item());
      shapes.append(Arrays.toString(a[k].shape())).append(' ');
    }
    System.out.printf(
        "%s: shapes %s, max |vmap - loop| = %.3g (max |loop| = %.3g)%n", what, shapes, diff, scale);
    double[][] vm = time(batched, runs);
    double[][] lp = time(looped, runs);
    System.out.printf(
        "  vmap: %.2f ms wall, %.2f ms CPU (this thread); loop: %.2f ms wall, %.2f ms CPU;"
            + " speed-up %.1fx wall, %.1fx CPU%n",
        vm[0][runs / 2],
        vm[1][runs / 2],
        lp[0][runs / 2],
        lp[1][runs / 2],
        lp[0][runs / 2] / vm[0][runs / 2],
        lp[1][runs / 2] / vm[1][runs / 2]);
  }

  /** Sorted wall and CPU times in ms of {@code runs} calls, after two warm-up calls. */
  static double[][] time(java.util.function.Supplier<Tensor[]> f, int runs) {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    // Steady state: in a fresh JVM the first calls of each side run before the JIT has compiled
    // the kernels and the engine (a median of 7 runs after 2 warm-up calls measured 8.3 ms for the
    // batched input gradients, 1.7 ms after 40), so both sides get WARMUP calls first.
    for (int i = 0; i < WARMUP; i++) {
      f.get();
    }
    double[] wall = new double[runs];
    double[] cpu = new double[runs];
    for (int i = 0; i < runs; i++) {
      long t = System.nanoTime();
      long c = mx.getCurrentThreadCpuTime();
      Tensor[] r = f.get();
      cpu[i] = (mx.getCurrentThreadCpuTime() - c) / 1e6;
      wall[i] = (System.nanoTime() - t) / 1e6;
      if (r[0].numel() == 0) {
        throw new IllegalStateException();
      }
    }
    Arrays.sort(wall);
    Arrays.sort(cpu);
    return new double[][] {wall, cpu};
  }
}
