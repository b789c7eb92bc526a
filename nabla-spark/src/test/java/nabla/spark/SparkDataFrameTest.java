package nabla.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import nabla.Tensor;
import nabla.data.TensorDataset;
import nabla.nn.CrossEntropyLoss;
import nabla.optim.SGD;
import nabla.train.Evaluation;
import nabla.train.Trainer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data from Spark: a DataFrame read from Parquet, and evaluation on the executors. */
class SparkDataFrameTest {
  static SparkSession spark;
  static TensorDataset data;

  @BeforeAll
  static void start() {
    spark = SparkTestSupport.session("local[2]");
    data = SparkTestSupport.trainSubset(1536, 11);
  }

  @AfterAll
  static void stop() throws Exception {
    spark.close();
  }

  static SparkTrainer trainer() {
    return new SparkTrainer(spark, () -> Models.mlp(0), CrossEntropyLoss::new, p -> new SGD(p, 0.1))
        .epochs(1)
        .batchSize(256)
        .seed(3);
  }

  @Test
  void parquetDataFrameTrainsLikeTheInMemoryDataset(@TempDir Path dir) {
    FashionMnistParquet.write(spark, data, dir.resolve("as-written.parquet"));
    assertEquals(
        data.size(), spark.read().parquet(dir.resolve("as-written.parquet").toString()).count());
    // rows shuffled over 3 files of different sizes: only the index column knows the order
    Path file = dir.resolve("train.parquet");
    FashionMnistParquet.toDataFrame(spark, data).repartition(3).write().parquet(file.toString());
    Dataset<Row> df = spark.read().parquet(file.toString());
    assertEquals(data.size(), df.count());
    assertEquals("array<float>", df.schema().apply("features").dataType().simpleString());
    Map<String, Tensor> fromMemory;
    try (SparkData train = SparkData.of(spark, data, 2)) {
      fromMemory = trainer().fit(train).model().stateDict();
    }
    // Spark reads Parquet files in its own order (largest first): the index column restores the
    // rows' order; 3 partitions here against 2 in memory
    try (SparkData train =
        SparkData.fromDataFrame(df, "features", "label", "index", 3, 1, 28, 28)) {
      assertEquals(3, train.partitions());
      assertEquals(data.size(), train.size());
      Map<String, Tensor> fromParquet = trainer().fit(train).model().stateDict();
      double d = SparkTrainerEquivalenceTest.maxAbsDiff(fromMemory, fromParquet);
      assertTrue(d <= 1e-5, "Parquet vs in-memory: max abs difference " + d);
      assertTrue(
          SparkTrainerEquivalenceTest.maxAbsDiff(fromMemory, Models.mlp(0).stateDict()) > 1e-4);
    }
  }

  @Test
  void heldOutMetricsAreThoseOfTheSingleMachineEvaluation(@TempDir Path dir) throws Exception {
    TensorDataset test = SparkTestSupport.trainSubset(700, 12);
    try (SparkData train = SparkData.of(spark, data, 2);
        SparkData held = SparkData.of(spark, test, 3)) {
      SparkTrainer t = trainer();
      SparkTrainer.Result r = t.fit(train, held);
      Evaluation local =
          Trainer.evaluate(r.model(), new CrossEntropyLoss(), new nabla.data.DataLoader(test, 256));
      double acc = r.history().get(0).testAccuracy();
      assertEquals(local.accuracy(), acc, 1e-12);
      assertEquals(local.loss(), r.history().get(0).testLoss(), 1e-5);
      Path file = dir.resolve("model.safetensors");
      r.save(file);
      assertEquals(
          0.0,
          SparkTrainerEquivalenceTest.maxAbsDiff(
              r.model().stateDict(), nabla.io.SafeTensors.load(file)));
      Evaluation again = t.evaluate(r.model(), held);
      assertEquals(700, again.examples());
      assertEquals(local.accuracy(), again.accuracy(), 1e-12);
    }
  }

  @Test
  void badColumnsAreRejectedWithTheirNames() {
    Dataset<Row> df = FashionMnistParquet.toDataFrame(spark, SparkTestSupport.trainSubset(8, 1));
    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class,
            () -> SparkData.fromDataFrame(df, "pixels", "label", 2, 784));
    assertTrue(missing.getMessage().contains("pixels"), missing.getMessage());
    IllegalArgumentException type =
        assertThrows(
            IllegalArgumentException.class,
            () -> SparkData.fromDataFrame(df, "label", "label", 2, 784));
    assertTrue(type.getMessage().contains("array<float>"), type.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> SparkData.fromDataFrame(df, "features", "label", 0, 784));
    assertThrows(
        IllegalArgumentException.class,
        () -> SparkData.fromDataFrame(df, "features", "label", "position", 2, 784));
    // without an index column the rows are numbered in the DataFrame's order
    try (SparkData d = SparkData.fromDataFrame(df, "features", "label", 2, 784)) {
      assertEquals(8, d.blocks().map(b -> b.size()).reduce(Integer::sum));
    }
    // a wrong example size fails the job, naming the row
    Exception size =
        assertThrows(
            Exception.class,
            () -> {
              try (SparkData d = SparkData.fromDataFrame(df, "features", "label", 2, 10, 10)) {
                d.blocks().count();
              }
            });
    String all = size.toString() + (size.getCause() == null ? "" : size.getCause().toString());
    assertTrue(all.contains("row 0") || all.contains("row "), all);
  }

  @Test
  void trainerArgumentsAreChecked() {
    IllegalArgumentException nulls =
        assertThrows(
            IllegalArgumentException.class,
            () -> new SparkTrainer(spark, null, CrossEntropyLoss::new, p -> new SGD(p, 0.1)));
    assertTrue(nulls.getMessage().contains("SparkTrainer"), nulls.getMessage());
    assertThrows(IllegalArgumentException.class, () -> trainer().epochs(0));
    assertThrows(IllegalArgumentException.class, () -> trainer().batchSize(0));
    IllegalArgumentException none =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new SparkTrainer(
                        spark,
                        () -> Models.mlp(0),
                        () -> new CrossEntropyLoss().reduction(nabla.nn.Reduction.NONE),
                        p -> new SGD(p, 0.1))
                    .fit(SparkData.of(spark, SparkTestSupport.trainSubset(8, 1), 1)));
    assertTrue(none.getMessage().contains("NONE"), none.getMessage());
    // examples of 100 values for a model that takes 784: refused on the driver, with the shape
    TensorDataset wrong =
        new TensorDataset(Tensor.zeros(8, 100), Tensor.zeros(nabla.DType.INT64, 8));
    try (SparkData d = SparkData.of(spark, wrong, 2)) {
      IllegalArgumentException shape =
          assertThrows(IllegalArgumentException.class, () -> trainer().fit(d));
      assertTrue(shape.getMessage().contains("[100]"), shape.getMessage());
    }
  }
}
