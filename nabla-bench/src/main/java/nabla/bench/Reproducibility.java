package nabla.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import nabla.Generator;
import nabla.Tensor;
import nabla.data.Batch;
import nabla.data.DataLoader;
import nabla.data.FashionMnist;
import nabla.nn.CrossEntropyLoss;
import nabla.nn.Linear;
import nabla.nn.Sequential;
import nabla.optim.SGD;

/**
 * Why two MLP trainings with the same seed end with slightly different accuracies (issue #10): an
 * experiment, not a benchmark. Prints its findings on stdout.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp nabla-bench/target/benchmarks.jar \
 *       nabla.bench.Reproducibility [train [steps]] [ops] [threads]
 * </pre>
 *
 * <ul>
 *   <li>{@code train}: trains D2L's MLP for a number of steps twice in this JVM from the same seed
 *       and compares, step by step, the bits of the batch, the hidden pre-activation, the logits,
 *       the loss, the four gradients and the four parameters after the step; prints the first
 *       tensor that differs. Also prints a fingerprint per step so two JVMs can be compared ({@code
 *       diff} their outputs).
 *   <li>{@code ops}: each operation of a training step on fixed inputs, computed cold (the first
 *       call in this JVM, before the JIT compiled anything), then again after the op has run a few
 *       thousand times (compiled by C2), then 50 times more; prints which ops change their bits.
 *   <li>{@code threads}: the same ops with 1 and with 2 kernel threads.
 * </ul>
 */
public final class Reproducibility {

  private Reproducibility() {}

  static int[] bits(Tensor t) {
    float[] f = t.toFloatArray();
    int[] out = new int[f.length];
    for (int i = 0; i < f.length; i++) {
      out[i] = Float.floatToRawIntBits(f[i]);
    }
    return out;
  }

  /** Largest difference in units of the last place (float32) between two equal-length results. */
  static long maxUlps(int[] a, int[] b) {
    long max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs((long) a[i] - b[i]));
    }
    return max;
  }

  static long differing(int[] a, int[] b) {
    long n = 0;
    for (int i = 0; i < a.length; i++) {
      if (a[i] != b[i]) {
        n++;
      }
    }
    return n;
  }

  // ------------------------------------------------------------------------------------------
  // train: two identical trainings, step by step
  // ------------------------------------------------------------------------------------------

  static List<Map<String, int[]>> trace(FashionMnist data, int steps) {
    Generator.manualSeed(0);
    Sequential net = TrainEpochs.model("mlp", 0);
    Linear hidden = (Linear) net.get(1);
    Linear out = (Linear) net.get(3);
    SGD opt = new SGD(net.parameters(), 0.1);
    CrossEntropyLoss lossFn = new CrossEntropyLoss();
    DataLoader loader = new DataLoader(data.train(), 256).shuffle(0);
    List<Map<String, int[]>> trace = new ArrayList<>();
    int step = 0;
    while (step < steps) {
      for (Batch b : loader) {
        if (step++ >= steps) {
          break;
        }
        Map<String, int[]> rec = new LinkedHashMap<>();
        rec.put("batch x", bits(b.x()));
        Tensor x = b.x().reshape(b.size(), 784);
        Tensor h = hidden.forward(x);
        rec.put("hidden x@W1^T+b1", bits(h));
        Tensor logits = out.forward(h.relu());
        rec.put("logits", bits(logits));
        Tensor logp = logits.logSoftmax(1);
        rec.put("logSoftmax", bits(logp));
        Tensor loss = lossFn.forward(logits, b.y());
        rec.put("loss", bits(loss));
        opt.zeroGrad();
        loss.backward();
        rec.put("grad W2", bits(out.weight().grad()));
        rec.put("grad b2", bits(out.bias().grad()));
        rec.put("grad W1", bits(hidden.weight().grad()));
        rec.put("grad b1", bits(hidden.bias().grad()));
        opt.step();
        rec.put("W1 after step", bits(hidden.weight()));
        rec.put("W2 after step", bits(out.weight()));
        trace.add(rec);
      }
    }
    return trace;
  }

  static void train(int steps) throws IOException {
    FashionMnist data = FashionMnist.load((String) null);
    List<Map<String, int[]>> a = trace(data, steps);
    List<Map<String, int[]>> b = trace(data, steps);
    System.out.println("train: two runs of " + steps + " MLP steps in one JVM, same seed");
    boolean same = true;
    for (int s = 0; s < steps && same; s++) {
      for (String k : a.get(s).keySet()) {
        int[] x = a.get(s).get(k);
        int[] y = b.get(s).get(k);
        if (!Arrays.equals(x, y)) {
          System.out.printf(
              Locale.ROOT,
              "  first difference: step %d, %s (%d of %d elements differ, max %d ulp)%n",
              s,
              k,
              differing(x, y),
              x.length,
              maxUlps(x, y));
          same = false;
          break;
        }
      }
    }
    if (same) {
      System.out.println("  bit-identical over all steps");
    }
    for (int s = 0; s < steps; s++) {
      StringBuilder sb = new StringBuilder("  fingerprint step " + s + ":");
      for (var e : a.get(s).entrySet()) {
        sb.append(' ').append(Integer.toHexString(Arrays.hashCode(e.getValue())));
      }
      System.out.println(sb);
    }
  }

  // ------------------------------------------------------------------------------------------
  // ops: cold vs compiled
  // ------------------------------------------------------------------------------------------

  static Map<String, Supplier<Tensor>> ops() {
    Generator g = new Generator(7);
    Tensor x = g.rand(256, 784); // like a batch of images in [0, 1]
    Tensor w1 = g.normal(0, 0.01, 256, 784);
    Tensor h = g.normal(0, 1, 256, 256);
    Tensor w2 = g.normal(0, 0.01, 10, 256);
    Tensor logits = g.normal(0, 3, 256, 10);
    Tensor gOut = g.normal(0, 0.01, 256, 10);
    Tensor gHidden = g.normal(0, 0.01, 256, 256);
    long[] lab = new long[256];
    for (int i = 0; i < lab.length; i++) {
      lab[i] = (i * 7) % 10;
    }
    Tensor labels = Tensor.ofLongs(lab);
    Map<String, Supplier<Tensor>> m = new LinkedHashMap<>();
    m.put("matmul x[256,784] @ W1^T", () -> x.matmul(w1.transpose()));
    m.put("matmul x^T @ gHidden (grad W1^T)", () -> x.transpose().matmul(gHidden));
    m.put("matmul h[256,256] @ W2^T [256,10]", () -> h.matmul(w2.transpose()));
    m.put("matmul gOut[256,10] @ W2 [10,256]", () -> gOut.matmul(w2));
    m.put("matmul h^T @ gOut (grad W2^T)", () -> h.transpose().matmul(gOut));
    m.put("sum(dim 0) of gHidden (grad b1)", () -> gHidden.sum(0, false));
    m.put("sum() of h", () -> h.sum());
    m.put("relu(h)", () -> h.relu());
    m.put("exp(logits)", () -> logits.exp());
    m.put("logSoftmax(logits, 1)", () -> logits.logSoftmax(1));
    m.put("CrossEntropyLoss(logits, labels)", () -> new CrossEntropyLoss().forward(logits, labels));
    m.put(
        "grad of CrossEntropyLoss wrt logits",
        () -> {
          Tensor l = logits.detach().requiresGrad(true);
          new CrossEntropyLoss().forward(l, labels).backward();
          return l.grad();
        });
    return m;
  }

  static void ops(int warm) {
    System.out.println(
        "ops: each result cold (first call in this JVM) vs after " + warm + " calls (compiled)");
    Map<String, Supplier<Tensor>> ops = ops();
    Map<String, int[]> cold = new LinkedHashMap<>();
    for (var e : ops.entrySet()) {
      cold.put(e.getKey(), bits(e.getValue().get()));
    }
    for (var e : ops.entrySet()) {
      for (int i = 0; i < warm; i++) {
        e.getValue().get();
      }
    }
    for (var e : ops.entrySet()) {
      int[] c = cold.get(e.getKey());
      int[] w = bits(e.getValue().get());
      boolean stable = true;
      for (int i = 0; i < 50 && stable; i++) {
        stable = Arrays.equals(w, bits(e.getValue().get()));
      }
      System.out.printf(
          Locale.ROOT,
          "  %-40s cold vs compiled: %s; compiled x50: %s%n",
          e.getKey(),
          Arrays.equals(c, w)
              ? "identical"
              : String.format(
                  Locale.ROOT,
                  "DIFFER (%d of %d elements, max %d ulp)",
                  differing(c, w),
                  c.length,
                  maxUlps(c, w)),
          stable ? "identical" : "DIFFER");
    }
  }

  static void threads() {
    System.out.println("threads: each result with 1 kernel thread vs 2");
    Map<String, Supplier<Tensor>> ops = ops();
    int before = nabla.kernels.Parallel.threads();
    try {
      for (var e : ops.entrySet()) {
        nabla.kernels.Parallel.setThreads(1);
        int[] one = bits(e.getValue().get());
        nabla.kernels.Parallel.setThreads(2);
        int[] two = bits(e.getValue().get());
        System.out.printf(
            Locale.ROOT,
            "  %-40s %s%n",
            e.getKey(),
            Arrays.equals(one, two)
                ? "identical"
                : String.format(
                    Locale.ROOT,
                    "DIFFER (%d of %d elements, max %d ulp)",
                    differing(one, two),
                    one.length,
                    maxUlps(one, two)));
      }
    } finally {
      nabla.kernels.Parallel.setThreads(before);
    }
  }

  public static void main(String[] args) throws IOException {
    List<String> what = args.length == 0 ? List.of("ops", "threads", "train") : List.of(args);
    for (int i = 0; i < what.size(); i++) {
      switch (what.get(i)) {
        case "ops" -> ops(3000);
        case "threads" -> threads();
        case "train" -> {
          int steps = 20;
          if (i + 1 < what.size() && what.get(i + 1).matches("\\d+")) {
            steps = Integer.parseInt(what.get(++i));
          }
          train(steps);
        }
        default ->
            throw new IllegalArgumentException(
                "Reproducibility: unknown part " + what.get(i) + " (ops, threads, train [steps])");
      }
    }
  }
}
