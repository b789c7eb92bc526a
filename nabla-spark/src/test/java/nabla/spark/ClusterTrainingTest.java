package nabla.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import nabla.data.TensorDataset;
import nabla.nn.CrossEntropyLoss;
import nabla.optim.SGD;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** Training on a real multi-process cluster: Spark's local-cluster mode, executors in own JVMs. */
class ClusterTrainingTest {

  @Test
  void executorsRunInTheirOwnJvms() throws Exception {
    TensorDataset data = SparkTestSupport.trainSubset(2048, 3);
    try (SparkSession spark = SparkTestSupport.cluster(2, 1024);
        SparkData train = SparkData.of(spark, data, 2)) {
      long driverPid = ProcessHandle.current().pid();
      List<Long> pids = train.blocks().map(b -> ProcessHandle.current().pid()).collect();
      assertEquals(2, pids.size());
      assertTrue(pids.stream().noneMatch(p -> p == driverPid), pids + " vs driver " + driverPid);
      long start = System.nanoTime();
      SparkTrainer.Result r =
          new SparkTrainer(spark, () -> Models.mlp(0), CrossEntropyLoss::new, p -> new SGD(p, 0.1))
              .epochs(1)
              .batchSize(256)
              .seed(1)
              .fit(train);
      System.out.printf(
          "8 steps on local-cluster: %.1f ms/step%n", (System.nanoTime() - start) / 8e6);
      assertEquals(2048, r.history().get(0).examples());
    }
  }
}
