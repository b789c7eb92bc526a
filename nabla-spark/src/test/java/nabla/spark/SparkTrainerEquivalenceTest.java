package nabla.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import nabla.Tensor;
import nabla.data.Batch;
import nabla.data.DataLoader;
import nabla.data.TensorDataset;
import nabla.nn.CrossEntropyLoss;
import nabla.nn.Module;
import nabla.optim.SGD;
import nabla.train.EpochMetrics;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The acceptance test of data-parallel training: the D2L MLP (784-256-10, ReLU, weights N(0,
 * 0.01²), bias 0, SGD lr 0.1), 2 epochs with a global batch of 256 on the first 10,240
 * Fashion-MNIST training images (random images when the dataset is not installed), gives the same
 * parameters (max abs difference ≤ 1e-5) trained on one machine with a DataLoader and through Spark
 * with 1, 2 and 4 partitions on local[1], local[2] and local[4].
 */
class SparkTrainerEquivalenceTest {
  static final int N = 10_240;
  static final int BATCH = 256;
  static final int EPOCHS = 2;
  static final long SEED = 7;
  static TensorDataset data;
  static Map<String, Tensor> reference;

  @BeforeAll
  static void singleMachine() {
    data = SparkTestSupport.trainSubset(N, SEED);
    Module net = Models.mlp(0);
    CrossEntropyLoss loss = new CrossEntropyLoss();
    SGD opt = new SGD(net.parameters(), 0.1);
    DataLoader loader = new DataLoader(data, BATCH).shuffle(SEED);
    for (int e = 0; e < EPOCHS; e++) {
      for (Batch b : loader) {
        Tensor l = loss.forward(net.forward(b.x()), b.y());
        opt.zeroGrad();
        l.backward();
        opt.step();
      }
    }
    reference = net.stateDict();
  }

  static double maxAbsDiff(Map<String, Tensor> a, Map<String, Tensor> b) {
    assertEquals(a.keySet(), b.keySet());
    double max = 0;
    for (String k : a.keySet()) {
      max = Math.max(max, a.get(k).sub(b.get(k)).abs().max().item());
    }
    return max;
  }

  static SparkTrainer.Result train(SparkSession spark, int partitions, SparkTrainer.Aggregation a) {
    return train(spark, data, partitions, a, EPOCHS);
  }

  static SparkTrainer.Result train(
      SparkSession spark,
      TensorDataset data,
      int partitions,
      SparkTrainer.Aggregation a,
      int epochs) {
    try (SparkData train = SparkData.of(spark, data, partitions)) {
      assertEquals(partitions, train.partitions());
      return new SparkTrainer(
              spark, () -> Models.mlp(0), CrossEntropyLoss::new, p -> new SGD(p, 0.1))
          .epochs(epochs)
          .batchSize(BATCH)
          .seed(SEED)
          .aggregation(a)
          .fit(train);
    }
  }

  @Test
  void sameParametersOnOneMachineAndOnSparkWith1To4Partitions() throws Exception {
    // the reference moved away from the initial values: the comparison below means something
    assertTrue(maxAbsDiff(reference, Models.mlp(0).stateDict()) > 1e-3);
    List<String> report = new ArrayList<>();
    for (int p : new int[] {1, 2, 4}) {
      try (SparkSession spark = SparkTestSupport.session("local[" + p + "]")) {
        SparkTrainer.Result r = train(spark, p, SparkTrainer.Aggregation.ORDERED);
        double diff = maxAbsDiff(reference, r.model().stateDict());
        report.add(p + " partitions: " + diff);
        assertTrue(diff <= 1e-5, p + " partitions: max abs difference " + diff + " > 1e-5");
        List<EpochMetrics> h = r.history();
        assertEquals(EPOCHS, h.size());
        assertEquals(N, h.get(1).examples());
        assertTrue(h.get(1).trainLoss() < h.get(0).trainLoss(), h.toString());
        if (p == 2) {
          // tree aggregation adds the same gradients in another order
          double d =
              maxAbsDiff(
                  reference, train(spark, p, SparkTrainer.Aggregation.TREE).model().stateDict());
          report.add(p + " partitions, TREE: " + d);
          assertTrue(d <= 1e-5, "TREE: max abs difference " + d + " > 1e-5");
        }
      }
    }
    System.out.println("SparkTrainerEquivalenceTest: " + report);
  }

  @Test
  void barrierModeGivesTheSameParametersAsTheOrderedSum() throws Exception {
    // Barrier mode costs about a second per step here (see docs/SPARK.md): 4 steps only.
    TensorDataset small = SparkTestSupport.trainSubset(1024, SEED);
    try (SparkSession spark = SparkTestSupport.session("local[2]")) {
      Map<String, Tensor> ordered =
          train(spark, small, 2, SparkTrainer.Aggregation.ORDERED, 1).model().stateDict();
      Map<String, Tensor> barrier =
          train(spark, small, 2, SparkTrainer.Aggregation.BARRIER, 1).model().stateDict();
      assertTrue(maxAbsDiff(ordered, Models.mlp(0).stateDict()) > 1e-4);
      double d = maxAbsDiff(ordered, barrier);
      assertTrue(d <= 1e-6, "BARRIER vs ORDERED: max abs difference " + d);
    }
  }

  @Test
  void adamStepsOnTheDriverAsOnOneMachine() throws Exception {
    // the optimiser runs on the driver only: any nabla.optim optimiser, its state included
    TensorDataset small = SparkTestSupport.trainSubset(1024, SEED);
    Module net = Models.mlp(0);
    CrossEntropyLoss loss = new CrossEntropyLoss();
    nabla.optim.Adam opt = new nabla.optim.Adam(net.parameters(), 0.001);
    DataLoader loader = new DataLoader(small, BATCH).shuffle(SEED);
    for (int e = 0; e < 2; e++) {
      for (Batch b : loader) {
        Tensor l = loss.forward(net.forward(b.x()), b.y());
        opt.zeroGrad();
        l.backward();
        opt.step();
      }
    }
    try (SparkSession spark = SparkTestSupport.session("local[2]");
        SparkData train = SparkData.of(spark, small, 3)) {
      SparkTrainer.Result r =
          new SparkTrainer(
                  spark,
                  () -> Models.mlp(0),
                  CrossEntropyLoss::new,
                  p -> new nabla.optim.Adam(p, 0.001))
              .epochs(2)
              .batchSize(BATCH)
              .seed(SEED)
              .fit(train);
      double d = maxAbsDiff(net.stateDict(), r.model().stateDict());
      assertTrue(d <= 1e-5, "Adam: max abs difference " + d);
      assertTrue(maxAbsDiff(net.stateDict(), Models.mlp(0).stateDict()) > 1e-3);
    }
  }
}
