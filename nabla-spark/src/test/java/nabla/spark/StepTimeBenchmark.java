package nabla.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import nabla.Tensor;
import nabla.data.Batch;
import nabla.data.DataLoader;
import nabla.data.TensorDataset;
import nabla.nn.CrossEntropyLoss;
import nabla.nn.Module;
import nabla.optim.SGD;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Step time of the MLP (batch 256) on one machine and through Spark (docs/SPARK.md, BENCHMARKS.md).
 * Not a test: tagged "bench", run with {@code ./mvnw -pl nabla-spark test -Dtest=StepTimeBenchmark
 * -Dspark.slow.excluded= -Dgroups=bench}.
 */
@Tag("bench")
class StepTimeBenchmark {
  static final int WARMUP = 15;
  static final int STEPS = 40;

  static TensorDataset data() {
    return SparkTestSupport.trainSubset(256 * (WARMUP + STEPS), 1);
  }

  @Test
  void stepTimes() throws Exception {
    TensorDataset data = data();
    List<String> rows = new ArrayList<>();
    rows.add(String.format(Locale.ROOT, "local, no Spark: %.1f ms/step", local(data)));
    for (int p : new int[] {1, 2}) {
      try (SparkSession spark = SparkTestSupport.session("local[" + p + "]")) {
        for (SparkTrainer.Aggregation a : SparkTrainer.Aggregation.values()) {
          rows.add(
              String.format(
                  Locale.ROOT,
                  "Spark local[%d], %d partitions, %s: %.1f ms/step",
                  p,
                  p,
                  a,
                  spark(spark, data, p, a)));
        }
      }
    }
    for (int e : new int[] {1, 2}) {
      try (SparkSession spark = SparkTestSupport.cluster(e, 1024)) {
        for (SparkTrainer.Aggregation a : SparkTrainer.Aggregation.values()) {
          rows.add(
              String.format(
                  Locale.ROOT,
                  "Spark local-cluster, %d executor(s), %d partitions, %s: %.1f ms/step",
                  e,
                  e,
                  a,
                  spark(spark, data, e, a)));
        }
      }
    }
    System.out.println("StepTimeBenchmark:\n  " + String.join("\n  ", rows));
  }

  static double local(TensorDataset data) {
    Module net = Models.mlp(0);
    CrossEntropyLoss loss = new CrossEntropyLoss();
    SGD opt = new SGD(net.parameters(), 0.1);
    long start = 0;
    int k = 0;
    for (Batch b : new DataLoader(data, 256).shuffle(1)) {
      if (k++ == WARMUP) {
        start = System.nanoTime();
      }
      Tensor l = loss.forward(net.forward(b.x()), b.y());
      opt.zeroGrad();
      l.backward();
      opt.step();
    }
    return (System.nanoTime() - start) / 1e6 / STEPS;
  }

  static double spark(SparkSession spark, TensorDataset data, int p, SparkTrainer.Aggregation a) {
    long[] start = new long[1];
    try (SparkData train = SparkData.of(spark, data, p)) {
      new SparkTrainer(spark, () -> Models.mlp(0), CrossEntropyLoss::new, q -> new SGD(q, 0.1))
          .epochs(1)
          .seed(1)
          .aggregation(a)
          .onBatchEnd(
              (epoch, k, n, loss) -> {
                if (k == WARMUP) {
                  start[0] = System.nanoTime();
                }
              })
          .fit(train);
    }
    return (System.nanoTime() - start[0]) / 1e6 / STEPS;
  }
}
