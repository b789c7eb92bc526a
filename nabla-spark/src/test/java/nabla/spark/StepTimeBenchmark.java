package nabla.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import nabla.Tensor;
import nabla.data.Batch;
import nabla.data.DataLoader;
import nabla.data.TensorDataset;
import nabla.nn.CrossEntropyLoss;
import nabla.nn.Module;
import nabla.optim.SGD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Step time of the MLP (global batch 256) on one machine and through Spark, for docs/SPARK.md and
 * BENCHMARKS.md: medians over 60 steps after 30 warm-up steps (barrier mode: 8 after 3), plus the
 * floors of a Spark step: an empty job, and a job that only broadcasts the parameters (814 KB) and
 * returns a gradient-sized array per partition. Not a test: tagged "bench", run with {@code ./mvnw
 * -pl nabla-spark test -Dtest=StepTimeBenchmark -Dspark.slow.excluded= -Dgroups=bench}.
 */
@Tag("bench")
class StepTimeBenchmark {
  static final int WARMUP = 30;
  static final int STEPS = 60;

  @Test
  void stepTimes() throws Exception {
    TensorDataset data = SparkTestSupport.trainSubset(256 * (WARMUP + STEPS), 1);
    TensorDataset small = SparkTestSupport.trainSubset(256 * 11, 1);
    List<String> rows = new ArrayList<>();
    rows.add(String.format(Locale.ROOT, "local, no Spark: %s", local(data)));
    for (int p : new int[] {1, 2}) {
      try (SparkSession spark = SparkTestSupport.session("local[" + p + "]")) {
        measure(rows, spark, "Spark local[" + p + "], " + p + " partition(s)", data, small, p);
      }
    }
    for (int e : new int[] {1, 2}) {
      try (SparkSession spark = SparkTestSupport.cluster(e, 1024)) {
        measure(
            rows,
            spark,
            "Spark local-cluster, " + e + " executor JVM(s), " + e + " partition(s)",
            data,
            small,
            e);
      }
    }
    System.out.println("StepTimeBenchmark:\n  " + String.join("\n  ", rows));
  }

  static void measure(
      List<String> rows,
      SparkSession spark,
      String what,
      TensorDataset data,
      TensorDataset small,
      int p) {
    for (SparkTrainer.Aggregation a : SparkTrainer.Aggregation.values()) {
      boolean barrier = a == SparkTrainer.Aggregation.BARRIER;
      rows.add(
          what
              + ", "
              + a
              + ": "
              + spark(spark, barrier ? small : data, p, a, barrier ? 3 : WARMUP));
    }
    rows.add(what + ", floors: " + floors(spark, p));
  }

  static String local(TensorDataset data) {
    Module net = Models.mlp(0);
    CrossEntropyLoss loss = new CrossEntropyLoss();
    SGD opt = new SGD(net.parameters(), 0.1);
    List<Double> times = new ArrayList<>();
    int k = 0;
    for (Batch b : new DataLoader(data, 256).shuffle(1)) {
      long t = System.nanoTime();
      Tensor l = loss.forward(net.forward(b.x()), b.y());
      opt.zeroGrad();
      l.backward();
      opt.step();
      if (k++ >= WARMUP) {
        times.add((System.nanoTime() - t) / 1e6);
      }
    }
    return summary(times);
  }

  static String spark(
      SparkSession spark, TensorDataset data, int p, SparkTrainer.Aggregation a, int warmup) {
    List<Double> times = new ArrayList<>();
    long[] last = {0};
    try (SparkData train = SparkData.of(spark, data, p)) {
      new SparkTrainer(spark, () -> Models.mlp(0), CrossEntropyLoss::new, q -> new SGD(q, 0.1))
          .epochs(1)
          .seed(1)
          .aggregation(a)
          .onBatchEnd(
              (epoch, k, n, loss) -> {
                long now = System.nanoTime();
                if (k > warmup) {
                  times.add((now - last[0]) / 1e6);
                }
                last[0] = now;
              })
          .fit(train);
    }
    return summary(times);
  }

  /** An empty job, and broadcast 814 KB + one 814 KB array back per partition, no compute. */
  static String floors(SparkSession spark, int p) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < p; i++) {
      ids.add(i);
    }
    var rdd = jsc.parallelize(ids, p).cache();
    rdd.count();
    List<Double> empty = new ArrayList<>();
    List<Double> moved = new ArrayList<>();
    for (int i = 0; i < 70; i++) {
      long t = System.nanoTime();
      rdd.map(x -> x).collect();
      if (i >= 10) {
        empty.add((System.nanoTime() - t) / 1e6);
      }
      t = System.nanoTime();
      Broadcast<float[]> bc = jsc.broadcast(new float[203_530]);
      List<float[]> back = rdd.map(x -> bc.value().clone()).collect();
      float[] sum = new float[203_530];
      for (float[] g : back) {
        for (int j = 0; j < sum.length; j++) {
          sum[j] += g[j];
        }
      }
      bc.destroy();
      if (i >= 10) {
        moved.add((System.nanoTime() - t) / 1e6);
      }
    }
    rdd.unpersist(false);
    return "empty job " + summary(empty) + "; broadcast + collect, no compute " + summary(moved);
  }

  static String summary(List<Double> ms) {
    double[] v = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double mean = Arrays.stream(v).average().orElse(Double.NaN);
    return String.format(
        Locale.ROOT, "median %.1f ms/step (mean %.1f, n=%d)", v[v.length / 2], mean, v.length);
  }
}
