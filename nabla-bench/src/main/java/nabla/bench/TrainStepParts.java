package nabla.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import nabla.Generator;
import nabla.Tensor;
import nabla.data.TensorDataset;
import nabla.nn.CrossEntropyLoss;
import nabla.nn.Sequential;
import nabla.optim.SGD;

/**
 * Times the parts of one D2L MLP training step (batch 256, 784-256-10), and of softmax regression
 * (784-10), one by one and prints the median seconds per call as JSON: the five matrix products
 * with the shapes and layouts nabla.nn gives them, the loss forward and backward, the whole step on
 * a fixed batch, and the batching of 256 random rows. {@code tools/bench/train_compare.py --parts}
 * runs the same list in PyTorch and prints both side by side. Timing: warm-up for {@value
 * #PART_WARMUP_SECONDS} s (and at least 200 calls; the whole steps {@value #STEP_WARMUP_SECONDS}
 * s), then the median of 9 samples of {@code n} calls each (n chosen so a sample lasts at least 50
 * ms). A whole step needs the longer warm-up: its glue (graph recording, the backward pass, shape
 * checks, the pool) runs a few times per step, so the JIT's C2 takes it over only after thousands
 * of steps; after 1.5 s the MLP step measured 1.1-2.1 ms, after 4,000 steps 0.71-0.82 ms (AMD EPYC
 * Zen 5, default JVM).
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp nabla-bench/target/benchmarks.jar \
 *       nabla.bench.TrainStepParts
 * </pre>
 */
public final class TrainStepParts {

  private TrainStepParts() {}

  static volatile Object sink;

  /** Warm-up of each part, in seconds, but the whole steps. */
  static final double PART_WARMUP_SECONDS = 1.5;

  /** Warm-up of the whole-step parts, in seconds. */
  static final int STEP_WARMUP_SECONDS = 6;

  static double time(Supplier<Object> op) {
    return time(op, PART_WARMUP_SECONDS);
  }

  static double time(Supplier<Object> op, double warmupSeconds) {
    long warm = System.nanoTime();
    long warmNanos = (long) (warmupSeconds * 1e9);
    for (int i = 0; i < 200 || System.nanoTime() - warm < warmNanos; i++) {
      sink = op.get();
    }
    long t0 = System.nanoTime();
    int calls = 0;
    while (System.nanoTime() - t0 < 50_000_000L) {
      sink = op.get();
      calls++;
    }
    double[] samples = new double[9];
    for (int s = 0; s < samples.length; s++) {
      long start = System.nanoTime();
      for (int i = 0; i < calls; i++) {
        sink = op.get();
      }
      samples[s] = (System.nanoTime() - start) / 1e9 / calls;
    }
    Arrays.sort(samples);
    return samples[samples.length / 2];
  }

  public static void main(String[] args) {
    Generator g = new Generator(3);
    Tensor x = g.rand(256, 784);
    Tensor w1 = g.normal(0, 0.01, 256, 784);
    Tensor h = g.normal(0, 1, 256, 256).relu();
    Tensor w2 = g.normal(0, 0.01, 10, 256);
    Tensor gOut = g.normal(0, 0.01, 256, 10);
    Tensor gHidden = g.normal(0, 0.01, 256, 256);
    Tensor logits = g.normal(0, 3, 256, 10);
    Tensor labels = g.randint(0, 10, 256);
    Tensor images = g.rand(60000, 1, 28, 28);
    TensorDataset train = new TensorDataset(images, g.randint(0, 10, 60000));
    int[] rows = new int[256];
    java.util.SplittableRandom r = new java.util.SplittableRandom(5);
    for (int i = 0; i < rows.length; i++) {
      rows[i] = r.nextInt(60000);
    }
    Sequential net = TrainEpochs.model("mlp", 0);
    SGD opt = new SGD(net.parameters(), 0.1);
    CrossEntropyLoss lossFn = new CrossEntropyLoss();
    Tensor batch = images.slice(0, 0, 256);
    Tensor ws = g.normal(0, 0.01, 10, 784);
    Sequential softmax = TrainEpochs.model("softmax", 0);
    SGD softmaxOpt = new SGD(softmax.parameters(), 0.1);

    Map<String, Supplier<Object>> parts = new LinkedHashMap<>();
    parts.put("fwd1 x[256,784] @ W1^T -> [256,256]", () -> x.matmul(w1.transpose()));
    parts.put("fwd2 h[256,256] @ W2^T -> [256,10]", () -> h.matmul(w2.transpose()));
    parts.put("bwd g[256,10] @ W2 -> [256,256]", () -> gOut.matmul(w2));
    parts.put("bwd h^T @ g -> [256,10] (grad W2^T)", () -> h.transpose().matmul(gOut));
    parts.put("bwd x^T @ gH -> [784,256] (grad W1^T)", () -> x.transpose().matmul(gHidden));
    parts.put(
        "cross-entropy fwd+bwd [256,10]",
        () -> {
          Tensor l = logits.detach().requiresGrad(true);
          lossFn.forward(l, labels).backward();
          return l.grad();
        });
    parts.put("softmax fwd x[256,784] @ W^T -> [256,10]", () -> x.matmul(ws.transpose()));
    parts.put("softmax bwd g^T @ x -> [10,784] (grad W)", () -> gOut.transpose().matmul(x));
    parts.put("batch: 256 random rows of [60000,1,28,28] + labels", () -> train.batch(rows));
    parts.put(
        "whole step (fwd, loss, zeroGrad, bwd, SGD) on a fixed batch",
        () -> {
          Tensor l = lossFn.forward(net.forward(batch), labels);
          opt.zeroGrad();
          l.backward();
          opt.step();
          return l.item();
        });
    parts.put(
        "softmax whole step on a fixed batch",
        () -> {
          Tensor l = lossFn.forward(softmax.forward(batch), labels);
          softmaxOpt.zeroGrad();
          l.backward();
          softmaxOpt.step();
          return l.item();
        });
    if (List.of(args).contains("--set-to-none")) {
      parts.put(
          "whole step, gradients set to null instead of zeroed",
          () -> {
            Tensor l = lossFn.forward(net.forward(batch), labels);
            for (Tensor p : net.parameters()) {
              p.setGrad(null);
            }
            l.backward();
            opt.step();
            return l.item();
          });
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("side", "nabla");
    List<String> names = new ArrayList<>(parts.keySet());
    Map<String, Object> results = new LinkedHashMap<>();
    for (String name : names) {
      double s =
          time(
              parts.get(name),
              name.contains("whole step") ? STEP_WARMUP_SECONDS : PART_WARMUP_SECONDS);
      results.put(name, s);
      System.err.printf("nabla %-60s %9.1f us%n", name, s * 1e6);
    }
    out.put("results", results);
    out.put("threads", nabla.kernels.Parallel.threads());
    out.put(
        "jvm.args",
        String.join(
            " ", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()));
    System.out.println(TrainEpochs.json(out));
  }
}
