package nabla.spark;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Function;
import nabla.Autograd;
import nabla.Tensor;
import nabla.nn.Loss;
import nabla.nn.Module;
import nabla.nn.Reduction;
import nabla.optim.Optimizer;
import nabla.train.BatchListener;
import nabla.train.EpochListener;
import nabla.train.EpochMetrics;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * Synchronous data-parallel training on Apache Spark, shaped like the single-machine {@code
 * nabla.train.Trainer}: each step the driver broadcasts the parameters, every partition computes
 * the gradient of its shard of the global minibatch with Nabla, the partitions' gradients are
 * summed, and the optimiser steps on the driver.
 *
 * <p><b>Same result for any number of partitions.</b> The global minibatches are those of {@code
 * new DataLoader(train, batchSize).shuffle(seed)} (the same permutation per epoch, from the same
 * {@link SplittableRandom} sequence; no shuffle without a seed). A partition's shard is the part of
 * the batch it holds; it returns the <em>sum</em> of the per-example loss gradients (its loss is
 * switched to {@link Reduction#SUM}), and the driver divides the total by the batch size once when
 * the loss's reduction is {@link Reduction#MEAN}. So the update equals the single-machine one up to
 * float32 rounding of sums taken in another order.
 *
 * <p><b>Deterministic gradients.</b> A shard's gradient depends only on its examples and the
 * broadcast parameter version, so a task Spark retries after losing an executor returns the same
 * floats; with {@link Aggregation#ORDERED} (the default) the partitions' gradients are also added
 * in partition order, so a run is bit-for-bit repeatable, faults or not.
 *
 * <pre>{@code
 * SparkSession spark = SparkSession.builder().master("local[2]").getOrCreate();
 * FashionMnist data = FashionMnist.load((String) null);
 * try (SparkData train = SparkData.of(spark, data.train(), 2);
 *     SparkData test = SparkData.of(spark, data.test(), 2)) {
 *   SparkTrainer.Result r =
 *       new SparkTrainer(spark, () -> Models.mlp(0), CrossEntropyLoss::new, p -> new SGD(p, 0.1))
 *           .epochs(10)
 *           .batchSize(256)
 *           .seed(0)
 *           .onEpochEnd(System.out::println)
 *           .fit(train, test);
 *   r.save(Path.of("mlp.safetensors"));
 * }
 * }</pre>
 */
public final class SparkTrainer {

  /** How the partitions' gradients are summed. */
  public enum Aggregation {
    /**
     * Every partition's gradient goes to the driver ({@code collect}), which adds them in partition
     * order: bit-for-bit repeatable. The default.
     */
    ORDERED,
    /**
     * Spark's {@code treeAggregate} (depth 2): partial sums on executors before the driver; the
     * order of float additions follows task completion, so runs may differ in the last bits.
     */
    TREE,
    /**
     * Barrier execution mode: all tasks of a step start together, exchange their gradients with
     * {@code BarrierTaskContext.allGather} and each adds all of them in partition order; partition
     * 0 returns the sum. Needs a free task slot per partition.
     */
    BARRIER
  }

  /** The trained model (the driver's copy) and the metrics of every epoch. */
  public record Result(Module model, List<EpochMetrics> history) {
    /**
     * Saves the model's state dict in the safetensors format ({@code nabla.io.SafeTensors}), which
     * {@code ./nabla predict --model FILE} and PyTorch read.
     *
     * <pre>{@code
     * trainer.fit(train, test).save(Path.of("out/mlp.safetensors"));
     * }</pre>
     */
    public void save(java.nio.file.Path file) throws java.io.IOException {
      nabla.io.SafeTensors.save(model.stateDict(), file);
    }
  }

  private final SparkSession spark;
  private final SerializableSupplier<Module> modelFactory;
  private final SerializableSupplier<Loss> lossFactory;
  private final Function<List<Tensor>, Optimizer> optimizerFactory;
  private int epochs = 10;
  private int batchSize = 256;
  private Long seed;
  private Aggregation aggregation = Aggregation.ORDERED;
  private int evalChunk = 1024;
  private final List<EpochListener> epochListeners = new ArrayList<>();
  private final List<BatchListener> batchListeners = new ArrayList<>();

  /**
   * A trainer on {@code spark}.
   *
   * @param modelFactory builds the model: once on the driver (its initial values are the ones
   *     trained) and once per executor task thread (same architecture; values are overwritten)
   * @param lossFactory builds the loss (reduction MEAN or SUM); executors use it with SUM
   * @param optimizer builds the optimiser over the driver model's parameters, e.g. {@code p -> new
   *     SGD(p, 0.1)}; it runs on the driver only
   * @throws IllegalArgumentException when an argument is null
   */
  public SparkTrainer(
      SparkSession spark,
      SerializableSupplier<Module> modelFactory,
      SerializableSupplier<Loss> lossFactory,
      Function<List<Tensor>, Optimizer> optimizer) {
    if (spark == null || modelFactory == null || lossFactory == null || optimizer == null) {
      throw new IllegalArgumentException(
          "SparkTrainer: spark, the model factory, the loss factory and the optimizer factory"
              + " must not be null");
    }
    this.spark = spark;
    this.modelFactory = modelFactory;
    this.lossFactory = lossFactory;
    this.optimizerFactory = optimizer;
  }

  /** Sets the number of epochs (default 10); returns this. */
  public SparkTrainer epochs(int epochs) {
    if (epochs < 1) {
      throw new IllegalArgumentException("SparkTrainer.epochs: needs at least 1, got " + epochs);
    }
    this.epochs = epochs;
    return this;
  }

  /** Sets the global minibatch size, split over the partitions (default 256); returns this. */
  public SparkTrainer batchSize(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException(
          "SparkTrainer.batchSize: needs at least 1, got " + batchSize);
    }
    this.batchSize = batchSize;
    return this;
  }

  /**
   * Shuffles the examples each epoch from {@code seed}, in the order {@code
   * DataLoader.shuffle(seed)} gives (default: no shuffle); returns this.
   */
  public SparkTrainer seed(long seed) {
    this.seed = seed;
    return this;
  }

  /** Sets how gradients are summed (default {@link Aggregation#ORDERED}); returns this. */
  public SparkTrainer aggregation(Aggregation aggregation) {
    this.aggregation = Objects.requireNonNull(aggregation, "SparkTrainer.aggregation: null");
    return this;
  }

  /** Adds a listener called at the end of every epoch; returns this. */
  public SparkTrainer onEpochEnd(EpochListener listener) {
    epochListeners.add(Objects.requireNonNull(listener, "SparkTrainer.onEpochEnd: null"));
    return this;
  }

  /** Adds a listener called after every optimiser step (on the driver); returns this. */
  public SparkTrainer onBatchEnd(BatchListener listener) {
    batchListeners.add(Objects.requireNonNull(listener, "SparkTrainer.onBatchEnd: null"));
    return this;
  }

  /** Trains without a held-out set; see {@link #fit(SparkData, SparkData)}. */
  public Result fit(SparkData train) {
    return fit(train, null);
  }

  /**
   * Runs the epochs over {@code train}, evaluating {@code test} (may be null) on the executors
   * after each; returns the driver's trained model and the metrics of every epoch.
   *
   * @throws IllegalArgumentException when {@code train} is null, the loss's reduction is NONE, or
   *     the data's example shape does not fit the model
   */
  public Result fit(SparkData train, SparkData test) {
    if (train == null) {
      throw new IllegalArgumentException("SparkTrainer.fit: the training data is null");
    }
    Loss driverLoss = lossFactory.get();
    if (driverLoss.reduction() == Reduction.NONE) {
      throw new IllegalArgumentException(
          "SparkTrainer.fit: the loss "
              + driverLoss
              + " has reduction NONE; use MEAN (the default) or SUM");
    }
    boolean mean = driverLoss.reduction() == Reduction.MEAN;
    Module model = modelFactory.get();
    if (model == null) {
      throw new IllegalArgumentException("SparkTrainer.fit: the model factory returned null");
    }
    checkFits(model, driverLoss, train, "training");
    if (test != null) {
      checkFits(model, driverLoss, test, "held-out");
    }
    List<Tensor> params = new ArrayList<>(model.namedParameters().values());
    Optimizer optimizer = optimizerFactory.apply(params);
    if (optimizer == null) {
      throw new IllegalArgumentException("SparkTrainer.fit: the optimizer factory returned null");
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    String run = UUID.randomUUID().toString();
    int n = train.size();
    int batches = (n + batchSize - 1) / batchSize;
    SplittableRandom shuffle = seed == null ? null : new SplittableRandom(seed);
    long version = 0;
    List<EpochMetrics> history = new ArrayList<>();
    for (int epoch = 1; epoch <= epochs; epoch++) {
      long startNanos = System.nanoTime();
      int[] order = order(n, shuffle);
      Partial epochTotal = new Partial();
      for (int k = 0; k < batches; k++) {
        int[] batch =
            java.util.Arrays.copyOfRange(order, k * batchSize, Math.min(n, (k + 1) * batchSize));
        Broadcast<ParameterSnapshot> bc = jsc.broadcast(snapshot(params, version));
        Partial sum;
        try {
          sum = gradient(train, bc, batch, run);
        } finally {
          bc.destroy();
        }
        if (sum.examples != batch.length || sum.gradient == null) {
          throw new IllegalStateException(
              "SparkTrainer.fit: step "
                  + k
                  + " of epoch "
                  + epoch
                  + " summed "
                  + sum.examples
                  + " examples, expected "
                  + batch.length);
        }
        setGradients(params, sum.gradient, mean ? 1.0f / batch.length : 1.0f);
        optimizer.step();
        version++;
        epochTotal.add(withoutGradient(sum));
        for (BatchListener l : batchListeners) {
          l.onBatchEnd(epoch, k + 1, batches, sum.lossSum / batch.length);
        }
      }
      double seconds = (System.nanoTime() - startNanos) / 1e9;
      double testLoss = Double.NaN;
      double testAccuracy = Double.NaN;
      if (test != null) {
        Partial e = evaluate(test, snapshot(params, version), run);
        testLoss = e.lossSum / e.examples;
        testAccuracy = e.classification ? (double) e.correct / e.examples : Double.NaN;
      }
      EpochMetrics m =
          new EpochMetrics(
              epoch,
              epochs,
              epochTotal.lossSum / epochTotal.examples,
              epochTotal.classification
                  ? (double) epochTotal.correct / epochTotal.examples
                  : Double.NaN,
              testLoss,
              testAccuracy,
              epochTotal.examples,
              seconds);
      history.add(m);
      for (EpochListener l : epochListeners) {
        l.onEpochEnd(m);
      }
    }
    return new Result(model, history);
  }

  /**
   * The loss and accuracy of {@code model} on {@code data}, computed on the executors (each
   * partition evaluates its examples, the driver adds the sums). The loss is the mean per example.
   *
   * <pre>{@code
   * Evaluation e = trainer.evaluate(model, test);
   * }</pre>
   */
  public nabla.train.Evaluation evaluate(Module model, SparkData data) {
    if (model == null || data == null) {
      throw new IllegalArgumentException("SparkTrainer.evaluate: model and data must not be null");
    }
    List<Tensor> params = new ArrayList<>(model.namedParameters().values());
    Partial e = evaluate(data, snapshot(params, -2), UUID.randomUUID().toString());
    return new nabla.train.Evaluation(
        e.lossSum / e.examples,
        e.classification ? (double) e.correct / e.examples : Double.NaN,
        e.examples);
  }

  private Partial evaluate(SparkData data, ParameterSnapshot snapshot, String run) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<ParameterSnapshot> bc = jsc.broadcast(snapshot);
    SerializableSupplier<Module> mf = modelFactory;
    SerializableSupplier<Loss> lf = lossFactory;
    int[] shape = data.exampleShape();
    int chunk = evalChunk;
    try {
      List<Partial> parts =
          data.blocks()
              .map(
                  b -> {
                    Replicas.Replica r = Replicas.acquire(run, mf, lf);
                    try {
                      return Replicas.evaluate(r, b, shape, bc.value(), chunk);
                    } finally {
                      Replicas.release(run, r);
                    }
                  })
              .collect();
      Partial total = new Partial();
      for (Partial p : parts) {
        total.add(p);
      }
      return total;
    } finally {
      bc.destroy();
    }
  }

  private Partial gradient(
      SparkData data, Broadcast<ParameterSnapshot> bc, int[] batch, String run) {
    SerializableSupplier<Module> mf = modelFactory;
    SerializableSupplier<Loss> lf = lossFactory;
    int[] shape = data.exampleShape();
    JavaRDD<Block> blocks = data.blocks();
    switch (aggregation) {
      case ORDERED -> {
        List<Partial> parts =
            blocks.map(b -> shardGradient(run, mf, lf, b, batch, shape, bc.value())).collect();
        Partial total = new Partial();
        for (Partial p : parts) {
          total.add(p);
        }
        return total;
      }
      case TREE -> {
        return blocks
            .map(b -> shardGradient(run, mf, lf, b, batch, shape, bc.value()))
            .treeAggregate(new Partial(), Partial::add, Partial::add, 2);
      }
      case BARRIER -> {
        scala.Function1<scala.collection.Iterator<Block>, scala.collection.Iterator<Partial>> f =
            (scala.Function1<scala.collection.Iterator<Block>, scala.collection.Iterator<Partial>>
                    & java.io.Serializable)
                it -> {
                  Partial mine = new Partial();
                  while (it.hasNext()) {
                    mine.add(shardGradient(run, mf, lf, it.next(), batch, shape, bc.value()));
                  }
                  BarrierTaskContext ctx = BarrierTaskContext.get();
                  String[] all = ctx.allGather(encode(mine));
                  List<Partial> out = new ArrayList<>();
                  if (ctx.partitionId() == 0) {
                    Partial total = new Partial();
                    for (String s : all) {
                      total.add(decode(s));
                    }
                    out.add(total);
                  }
                  return scala.jdk.javaapi.CollectionConverters.asScala(out.iterator());
                };
        Object collected =
            blocks
                .rdd()
                .barrier()
                .mapPartitions(f, false, scala.reflect.ClassTag$.MODULE$.apply(Partial.class))
                .collect();
        return ((Partial[]) collected)[0];
      }
      default -> throw new IllegalStateException("SparkTrainer: aggregation " + aggregation);
    }
  }

  private static Partial shardGradient(
      String run,
      SerializableSupplier<Module> mf,
      SerializableSupplier<Loss> lf,
      Block b,
      int[] batch,
      int[] shape,
      ParameterSnapshot s) {
    Replicas.Replica r = Replicas.acquire(run, mf, lf);
    try {
      return Replicas.gradient(r, b, batch, shape, s);
    } finally {
      Replicas.release(run, r);
    }
  }

  /**
   * Runs the driver's model and loss on one zero example of the data's shape, so a model that does
   * not take the data fails here, with the shapes, instead of inside a Spark task.
   */
  private static void checkFits(Module model, Loss loss, SparkData data, String which) {
    int[] one = new int[data.exampleShape().length + 1];
    one[0] = 1;
    System.arraycopy(data.exampleShape(), 0, one, 1, one.length - 1);
    boolean training = model.isTraining();
    try (var g = Autograd.noGrad()) {
      model.eval();
      loss.forward(model.forward(Tensor.zeros(one)), Tensor.zeros(nabla.DType.INT64, 1));
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IllegalArgumentException(
          "SparkTrainer.fit: the model or the loss does not take the "
              + which
              + " data's examples (one example has shape "
              + java.util.Arrays.toString(data.exampleShape())
              + ", labels are int64 class indices): "
              + e.getMessage(),
          e);
    } finally {
      model.train(training);
    }
  }

  /** The example order of one epoch: DataLoader's Fisher-Yates from the next split of the seed. */
  private static int[] order(int n, SplittableRandom shuffle) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    if (shuffle != null) {
      SplittableRandom r = shuffle.split();
      for (int i = n - 1; i > 0; i--) {
        int j = r.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    return order;
  }

  private static ParameterSnapshot snapshot(List<Tensor> params, long version) {
    float[][] values = new float[params.size()][];
    for (int i = 0; i < values.length; i++) {
      values[i] = params.get(i).detach().to(nabla.DType.FLOAT32).contiguous().toFloatArray();
    }
    return new ParameterSnapshot(version, values);
  }

  /** Puts {@code flat × scale} into the parameters' gradients. */
  private static void setGradients(List<Tensor> params, float[] flat, float scale) {
    int at = 0;
    List<Tensor> missing = new ArrayList<>();
    List<Tensor> missingValues = new ArrayList<>();
    for (Tensor p : params) {
      float[] v = java.util.Arrays.copyOfRange(flat, at, at + p.numel());
      at += p.numel();
      if (scale != 1.0f) {
        for (int i = 0; i < v.length; i++) {
          v[i] *= scale;
        }
      }
      Tensor g = Tensor.of(v, p.shape()).to(p.dtype());
      if (p.grad() != null) {
        try (var ng = Autograd.noGrad()) {
          p.grad().copyFrom(g);
        }
      } else {
        missing.add(p);
        missingValues.add(g);
      }
    }
    if (!missing.isEmpty()) {
      // No gradient buffer yet (first step): d/dp sum(p * g) = g exactly (1 × g).
      Tensor total = null;
      for (int i = 0; i < missing.size(); i++) {
        Tensor t = missing.get(i).mul(missingValues.get(i)).sum();
        total = total == null ? t : total.add(t);
      }
      total.backward();
    }
  }

  private static Partial withoutGradient(Partial p) {
    Partial q = new Partial();
    q.lossSum = p.lossSum;
    q.correct = p.correct;
    q.examples = p.examples;
    q.classification = p.classification;
    return q;
  }

  private static String encode(Partial p) {
    try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(p);
      out.flush();
      return Base64.getEncoder().encodeToString(bytes.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Partial decode(String s) {
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(s)))) {
      return (Partial) in.readObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }
}
