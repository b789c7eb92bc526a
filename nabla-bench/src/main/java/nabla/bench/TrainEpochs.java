package nabla.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import nabla.Autograd;
import nabla.DType;
import nabla.Generator;
import nabla.Tensor;
import nabla.data.Batch;
import nabla.data.DataLoader;
import nabla.data.FashionMnist;
import nabla.nn.CrossEntropyLoss;
import nabla.nn.Flatten;
import nabla.nn.Init;
import nabla.nn.Linear;
import nabla.nn.ReLU;
import nabla.nn.Sequential;
import nabla.optim.Adam;
import nabla.optim.Optimizer;
import nabla.optim.SGD;

/**
 * Times whole training epochs of D2L's softmax regression (784→10) and MLP (784-256-10, ReLU) on
 * Fashion-MNIST and prints one JSON object on stdout (progress on stderr). This is the Nabla half
 * of {@code tools/bench/train_compare.py}, which runs the PyTorch half the same way; it can also be
 * run on its own:
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp nabla-bench/target/benchmarks.jar \
 *       nabla.bench.TrainEpochs --model mlp --warmup 1 --epochs 5
 *   java --add-modules jdk.incubator.vector -cp nabla-bench/target/benchmarks.jar \
 *       nabla.bench.TrainEpochs --model mlp --optimizer adam --lr 1e-3 --warmup 0 --epochs 10 \
 *       --seed 1 --eval
 * </pre>
 *
 * <p>The setting is D2L's: batch 256, weights N(0, 0.01²), bias 0, cross-entropy, SGD lr 0.1 (or
 * Adam). The data is in memory before the clock starts; an epoch is one shuffled pass over the
 * 60,000 training images (a new order each epoch, drawn from the seed), and its time covers
 * batching, forward, loss, backward, the optimiser step and reading the loss of each batch (as
 * D2L's loop does). With {@code --eval} the test accuracy is computed after each epoch and the
 * training accuracy after the last, outside the timings. No timing is asserted: it measures and
 * reports.
 */
public final class TrainEpochs {

  private TrainEpochs() {}

  /** D2L's model: softmax regression or the 256-unit MLP, with D2L's initialisation. */
  static Sequential model(String name, long seed) {
    return model(name, seed, true);
  }

  /**
   * D2L's model; with {@code d2lInit} false the layers keep Linear's default initialisation
   * (PyTorch's: weight and bias U(-1/sqrt(in), 1/sqrt(in))).
   */
  static Sequential model(String name, long seed, boolean d2lInit) {
    Generator.manualSeed(seed);
    List<Linear> layers = new ArrayList<>();
    Sequential net;
    switch (name) {
      case "softmax" -> {
        Linear l = new Linear(784, 10);
        layers.add(l);
        net = new Sequential(new Flatten(), l);
      }
      case "mlp" -> {
        Linear hidden = new Linear(784, 256);
        Linear out = new Linear(256, 10);
        layers.add(hidden);
        layers.add(out);
        net = new Sequential(new Flatten(), hidden, new ReLU(), out);
      }
      default ->
          throw new IllegalArgumentException(
              "TrainEpochs: --model must be softmax or mlp, got " + name);
    }
    for (Linear l : d2lInit ? layers : List.<Linear>of()) {
      Init.normal(l.weight(), 0, 0.01);
      Init.zeros(l.bias());
    }
    return net;
  }

  /** Test accuracy of {@code net} on {@code loader}, without gradients. */
  static double accuracy(Sequential net, DataLoader loader) {
    long correct = 0;
    long total = 0;
    try (var g = Autograd.noGrad()) {
      for (Batch b : loader) {
        Tensor predicted = net.forward(b.x()).argmax(1, false);
        correct += (long) predicted.eq(b.y()).to(DType.FLOAT32).sum().item();
        total += b.size();
      }
    }
    return (double) correct / total;
  }

  public static void main(String[] args) throws IOException {
    String modelName = "mlp";
    String optimizer = "sgd";
    double lr = Double.NaN;
    int batch = 256;
    int warmup = 1;
    int epochs = 5;
    long seed = 0;
    boolean eval = false;
    boolean prefetch = false;
    boolean reuse = true;
    boolean compile = false;
    String data = null;
    String init = "d2l";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--model" -> modelName = args[++i];
        case "--optimizer" -> optimizer = args[++i];
        case "--lr" -> lr = Double.parseDouble(args[++i]);
        case "--batch-size" -> batch = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--epochs" -> epochs = Integer.parseInt(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--eval" -> eval = true;
        case "--compile" -> compile = true;
        case "--prefetch" -> prefetch = true;
        case "--no-reuse" -> reuse = false;
        case "--data" -> data = args[++i];
        case "--init" -> init = args[++i];
        case "-h", "--help" -> {
          System.err.println(
              "usage: TrainEpochs [--model softmax|mlp] [--optimizer sgd|adam] [--lr X]"
                  + " [--batch-size B] [--warmup W] [--epochs N] [--seed S] [--eval] [--prefetch] [--no-reuse]"
                  + " [--compile]"
                  + " [--data DIR] [--init d2l|torch-default]");
          return;
        }
        default -> throw new IllegalArgumentException("TrainEpochs: unknown option " + args[i]);
      }
    }
    if (Double.isNaN(lr)) {
      lr = optimizer.equals("adam") ? 1e-3 : 0.1;
    }
    long t0 = System.nanoTime();
    FashionMnist fm = FashionMnist.load(data);
    double loadSeconds = (System.nanoTime() - t0) / 1e9;

    if (!init.equals("d2l") && !init.equals("torch-default")) {
      throw new IllegalArgumentException(
          "TrainEpochs: --init must be d2l or torch-default, got " + init);
    }
    Sequential net = model(modelName, seed, init.equals("d2l"));
    Optimizer opt =
        switch (optimizer) {
          case "sgd" -> new SGD(net.parameters(), lr);
          case "adam" -> new Adam(net.parameters(), lr);
          default ->
              throw new IllegalArgumentException(
                  "TrainEpochs: --optimizer must be sgd or adam, got " + optimizer);
        };
    CrossEntropyLoss loss = new CrossEntropyLoss();
    // Batches gathered into the previous batch's tensors (the loop keeps none), as PyTorch's
    // caching allocator reuses the memory of the batch it dropped; --no-reuse for new tensors.
    DataLoader train =
        new DataLoader(fm.train(), batch).shuffle(seed).prefetch(prefetch).reuseBuffers(reuse);

    nabla.train.CompiledStep step = compile ? new nabla.train.CompiledStep(net, loss) : null;
    List<Double> warmupSeconds = new ArrayList<>();
    List<Double> epochSeconds = new ArrayList<>();
    List<Double> epochLoss = new ArrayList<>();
    List<Double> epochCpuSeconds = new ArrayList<>();
    List<Double> epochTestAccuracy = new ArrayList<>();
    for (int epoch = 0; epoch < warmup + epochs; epoch++) {
      long start = System.nanoTime();
      long cpuStart = processCpuNanos();
      double sum = 0;
      long n = 0;
      for (Batch b : train) {
        Tensor l;
        opt.zeroGrad();
        if (step != null) {
          l = step.run(b.x(), b.y()).loss();
        } else {
          l = loss.forward(net.forward(b.x()), b.y());
          l.backward();
        }
        opt.step();
        sum += l.item() * b.size();
        n += b.size();
      }
      double s = (System.nanoTime() - start) / 1e9;
      (epoch < warmup ? warmupSeconds : epochSeconds).add(s);
      if (epoch >= warmup) {
        epochCpuSeconds.add((processCpuNanos() - cpuStart) / 1e9);
      }
      if (eval) {
        epochTestAccuracy.add(accuracy(net, new DataLoader(fm.test(), batch)));
      }
      epochLoss.add(sum / n);
      System.err.printf(
          Locale.ROOT,
          "nabla %s epoch %d%s: %.3f s, loss %.4f%n",
          modelName,
          epoch,
          epoch < warmup ? " (warm-up)" : "",
          s,
          sum / n);
    }
    double acc = eval ? epochTestAccuracy.getLast() : Double.NaN;
    double trainAcc = eval ? accuracy(net, new DataLoader(fm.train(), batch)) : Double.NaN;

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("side", "nabla");
    out.put("model", modelName);
    out.put("optimizer", optimizer);
    out.put("lr", lr);
    out.put("batch_size", batch);
    out.put("seed", seed);
    out.put("init", init);
    out.put("prefetch", prefetch);
    out.put("reuse_buffers", reuse && !prefetch);
    out.put("compile", compile);
    out.put("load_seconds", loadSeconds);
    out.put("warmup_seconds", warmupSeconds);
    out.put("epoch_seconds", epochSeconds);
    out.put("epoch_cpu_seconds", epochCpuSeconds);
    out.put("epoch_loss", epochLoss);
    out.put("test_accuracy", eval ? acc : null);
    out.put("epoch_test_accuracy", epochTestAccuracy);
    out.put("train_accuracy", eval ? trainAcc : null);
    out.put("java.version", System.getProperty("java.version"));
    out.put("jvm.args", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
    out.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
    out.put("vector.module", Workloads.vectorModulePresent());
    out.put("threads", nabla.kernels.Parallel.threads());
    System.out.println(json(out));
  }

  /** CPU time of the whole process (all threads, JIT and GC included), in nanoseconds. */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  static String json(Object o) {
    if (o == null) {
      return "null";
    }
    if (o instanceof Map<?, ?> m) {
      StringBuilder sb = new StringBuilder("{");
      for (var e : m.entrySet()) {
        if (sb.length() > 1) {
          sb.append(", ");
        }
        sb.append(json(e.getKey().toString())).append(": ").append(json(e.getValue()));
      }
      return sb.append('}').toString();
    }
    if (o instanceof List<?> l) {
      StringBuilder sb = new StringBuilder("[");
      for (Object x : l) {
        if (sb.length() > 1) {
          sb.append(", ");
        }
        sb.append(json(x));
      }
      return sb.append(']').toString();
    }
    if (o instanceof Double d) {
      return d.isNaN() || d.isInfinite() ? "null" : Double.toString(d);
    }
    if (o instanceof Number || o instanceof Boolean) {
      return o.toString();
    }
    String s = o.toString().replace("\\", "\\\\").replace("\"", "\\\"");
    return '"' + s + '"';
  }
}
