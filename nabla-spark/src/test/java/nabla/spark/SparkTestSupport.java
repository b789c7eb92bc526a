package nabla.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import nabla.DType;
import nabla.Generator;
import nabla.Tensor;
import nabla.data.FashionMnist;
import nabla.data.TensorDataset;
import org.apache.spark.sql.SparkSession;

/** Sessions and data for the Spark tests. */
final class SparkTestSupport {
  private SparkTestSupport() {}

  /** A quiet session on {@code master} (no UI, few shuffle partitions). */
  static SparkSession session(String master) {
    return SparkSession.builder()
        .master(master)
        .appName("nabla-spark-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate();
  }

  /**
   * A session on Spark's {@code local-cluster[workers, cores, memory]} master: a standalone master
   * and workers inside this JVM, each worker starting its executor in its own JVM. The workers
   * build the executor command from $SPARK_HOME/jars (surefire sets SPARK_HOME to
   * target/spark-home, created here, empty); the executors get this JVM's class path through
   * spark.executor.extraClassPath.
   */
  static SparkSession cluster(int workers, int memoryMb) throws IOException {
    String home = System.getenv("SPARK_HOME");
    if (home == null) {
      throw new IllegalStateException(
          "SPARK_HOME is not set: run the cluster tests through Maven (surefire sets it)");
    }
    Files.createDirectories(Path.of(home, "jars"));
    return SparkSession.builder()
        .master("local-cluster[" + workers + ",1," + memoryMb + "]")
        .appName("nabla-spark-cluster-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.executor.memory", memoryMb + "m")
        .config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
        .config("spark.executor.extraJavaOptions", "-Xss8m --add-modules=jdk.incubator.vector")
        .getOrCreate();
  }

  /**
   * The first {@code n} Fashion-MNIST training images, or (when the dataset is not installed) as
   * many random 1×28×28 images with random labels 0..9, drawn from {@code seed}.
   */
  static TensorDataset trainSubset(int n, long seed) {
    try {
      FashionMnist data = FashionMnist.load((String) null);
      TensorDataset t = data.train();
      return new TensorDataset(t.tensor(0).narrow(0, 0, n), t.tensor(1).narrow(0, 0, n));
    } catch (IOException e) {
      Generator g = new Generator(seed);
      Tensor x = g.rand(n, 1, 28, 28);
      Tensor y = g.rand(n).mul(10).floor().to(DType.INT64);
      return new TensorDataset(x, y);
    }
  }
}
