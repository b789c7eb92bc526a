package nabla.spark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import nabla.Autograd;
import nabla.DType;
import nabla.Tensor;
import nabla.nn.Loss;
import nabla.nn.Module;
import nabla.nn.Reduction;

/**
 * The executor side: copies of the model ("replicas") kept per training run and reused across steps
 * (one per task thread, so tasks running at the same time in one executor never share one), and the
 * two computations a partition runs on its block: the summed loss gradient of its shard of a step's
 * batch, and the loss and accuracy of all its examples.
 *
 * <p>The result of either depends only on the block, the batch indices and the broadcast parameter
 * values: a task Spark retries (after an executor was lost) computes the same floats.
 */
final class Replicas {
  private Replicas() {}

  /** Replicas kept for at most this many training runs per executor JVM (oldest dropped). */
  private static final int RUNS_KEPT = 4;

  private static final Map<String, ConcurrentLinkedQueue<Replica>> POOLS =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ConcurrentLinkedQueue<Replica>> e) {
          return size() > RUNS_KEPT;
        }
      };

  /** A model built by the run's factory, its loss with reduction SUM, and its parameters. */
  static final class Replica {
    final Module model;
    final Loss loss;
    final List<Tensor> params;
    long version = -1;

    Replica(Module model, Loss loss) {
      this.model = model;
      this.loss = loss.reduction(Reduction.SUM);
      this.params = new ArrayList<>(model.namedParameters().values());
    }

    void load(ParameterSnapshot s) {
      if (s.version() == version) {
        return;
      }
      if (s.values().length != params.size()) {
        throw new IllegalStateException(
            "SparkTrainer: the model factory built a model with "
                + params.size()
                + " parameters on this executor but the driver's has "
                + s.values().length
                + "; the factory must build the same architecture everywhere");
      }
      try (var g = Autograd.noGrad()) {
        for (int i = 0; i < params.size(); i++) {
          Tensor p = params.get(i);
          if (p.numel() != s.values()[i].length) {
            throw new IllegalStateException(
                "SparkTrainer: parameter "
                    + i
                    + " has "
                    + p.numel()
                    + " values on this executor but "
                    + s.values()[i].length
                    + " on the driver; the model factory must build the same architecture"
                    + " everywhere");
          }
          p.copyFrom(Tensor.of(s.values()[i], p.shape()));
        }
      }
      version = s.version();
    }
  }

  static Replica acquire(
      String run, SerializableSupplier<Module> model, SerializableSupplier<Loss> loss) {
    ConcurrentLinkedQueue<Replica> pool;
    synchronized (POOLS) {
      pool = POOLS.computeIfAbsent(run, k -> new ConcurrentLinkedQueue<>());
    }
    Replica r = pool.poll();
    return r != null ? r : new Replica(model.get(), loss.get());
  }

  static void release(String run, Replica r) {
    ConcurrentLinkedQueue<Replica> pool;
    synchronized (POOLS) {
      pool = POOLS.get(run);
    }
    if (pool != null) {
      pool.add(r);
    }
  }

  /**
   * The sum over the examples of {@code batch} that {@code b} holds (taken in batch order) of the
   * loss gradient, the summed loss and the correct predictions, with the parameters of {@code s}.
   */
  static Partial gradient(
      Replica r, Block b, int[] batch, int[] exampleShape, ParameterSnapshot s) {
    int m = 0;
    for (int i : batch) {
      if (b.contains(i)) {
        m++;
      }
    }
    Partial out = new Partial();
    if (m == 0) {
      return out;
    }
    int es = b.exampleSize();
    float[] xs = new float[m * es];
    long[] ys = new long[m];
    int k = 0;
    for (int i : batch) {
      if (b.contains(i)) {
        int local = (int) (i - b.start());
        System.arraycopy(b.features(), local * es, xs, k * es, es);
        ys[k++] = b.labels()[local];
      }
    }
    r.load(s);
    r.model.train();
    r.model.zeroGrad();
    Tensor x = Tensor.of(xs, batchShape(m, exampleShape));
    Tensor y = Tensor.ofLongs(ys, m);
    Tensor logits = r.model.forward(x);
    Tensor l = r.loss.forward(logits, y);
    l.backward();
    int total = 0;
    for (Tensor p : r.params) {
      total += p.numel();
    }
    float[] g = new float[total];
    int at = 0;
    for (Tensor p : r.params) {
      Tensor pg = p.grad();
      if (pg != null) {
        float[] v = pg.to(DType.FLOAT32).contiguous().toFloatArray();
        System.arraycopy(v, 0, g, at, v.length);
      }
      at += p.numel();
    }
    out.gradient = g;
    out.lossSum = l.item();
    out.examples = m;
    count(out, logits, y);
    return out;
  }

  /** The summed loss and correct predictions of every example of {@code b}, in evaluation mode. */
  static Partial evaluate(Replica r, Block b, int[] exampleShape, ParameterSnapshot s, int chunk) {
    Partial out = new Partial();
    r.load(s);
    r.model.eval();
    int es = b.exampleSize();
    try (var g = Autograd.noGrad()) {
      for (int lo = 0; lo < b.size(); lo += chunk) {
        int m = Math.min(chunk, b.size() - lo);
        float[] xs = java.util.Arrays.copyOfRange(b.features(), lo * es, (lo + m) * es);
        long[] ys = java.util.Arrays.copyOfRange(b.labels(), lo, lo + m);
        Tensor y = Tensor.ofLongs(ys, m);
        Tensor logits = r.model.forward(Tensor.of(xs, batchShape(m, exampleShape)));
        out.lossSum += r.loss.forward(logits, y).item();
        out.examples += m;
        count(out, logits, y);
      }
    } finally {
      r.model.train();
    }
    return out;
  }

  private static void count(Partial out, Tensor logits, Tensor y) {
    if (logits.dim() == 2 && logits.size(0) == y.size(0)) {
      try (var g = Autograd.noGrad()) {
        out.correct += Math.round(logits.argmax(1, false).eq(y).to(DType.FLOAT32).sum().item());
      }
    } else {
      out.classification = false;
    }
  }

  private static int[] batchShape(int m, int[] exampleShape) {
    int[] shape = new int[exampleShape.length + 1];
    shape[0] = m;
    System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
    return shape;
  }
}
