package nabla.spark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import nabla.DType;
import nabla.data.FashionMnist;
import nabla.data.TensorDataset;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Writes a classification dataset as a Spark DataFrame / Parquet files in the layout {@link
 * SparkData#fromDataFrame} reads: a column {@code features} of type {@code array<float>} (one flat
 * row-major array per example, 784 values for Fashion-MNIST) and a column {@code label} of type
 * {@code bigint}.
 *
 * <p>As a command, writes Fashion-MNIST once to {@code OUT/train.parquet} and {@code
 * OUT/test.parquet} ({@code ./nabla spark-parquet OUT [--data DIR]}, or this class's main on the
 * class path):
 *
 * <pre>{@code
 * Dataset<Row> df = FashionMnistParquet.toDataFrame(spark, FashionMnist.load((String) null).train());
 * df.write().parquet("fmnist/train.parquet");
 * }</pre>
 */
public final class FashionMnistParquet {
  private FashionMnistParquet() {}

  /**
   * The schema written: {@code features array<float>, label bigint, index bigint} (the example's
   * position in the source, so readers can restore the order), none nullable.
   */
  public static final StructType SCHEMA =
      new StructType()
          .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false)
          .add("label", DataTypes.LongType, false)
          .add("index", DataTypes.LongType, false);

  /**
   * A DataFrame of the examples of {@code data} (floating features of any shape, flattened; int64
   * labels), in order.
   *
   * @throws IllegalArgumentException when {@code data} is not (features, int64 labels)
   */
  public static Dataset<Row> toDataFrame(SparkSession spark, TensorDataset data) {
    if (spark == null || data == null || data.tensors().size() != 2) {
      throw new IllegalArgumentException(
          "FashionMnistParquet.toDataFrame: needs a session and a dataset of (features, labels)");
    }
    if (data.tensor(1).dtype() != DType.INT64 || !data.tensor(0).dtype().isFloating()) {
      throw new IllegalArgumentException(
          "FashionMnistParquet.toDataFrame: needs floating features and int64 labels, got "
              + data.tensor(0).dtype()
              + " and "
              + data.tensor(1).dtype());
    }
    int n = data.size();
    float[] x = data.tensor(0).to(DType.FLOAT32).contiguous().toFloatArray();
    long[] y = data.tensor(1).contiguous().toLongArray();
    int es = x.length / n;
    // The rows are built on the executors from broadcast slices of about 8 MB: a DataFrame made
    // from a driver-side list would ship all of it inside a few huge tasks.
    int chunks = (int) Math.max(1, Math.min(n, (long) x.length * Float.BYTES / (8 << 20)));
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<Broadcast<Block>> slices = new ArrayList<>();
    List<Integer> ids = new ArrayList<>();
    for (int c = 0; c < chunks; c++) {
      int lo = SparkData.start(c, n, chunks);
      int hi = SparkData.start(c + 1, n, chunks);
      slices.add(
          jsc.broadcast(
              new Block(
                  lo,
                  hi - lo,
                  es,
                  Arrays.copyOfRange(x, lo * es, hi * es),
                  Arrays.copyOfRange(y, lo, hi))));
      ids.add(c);
    }
    List<Broadcast<Block>> shipped = List.copyOf(slices);
    JavaRDD<Row> rows =
        jsc.parallelize(ids, chunks)
            .flatMap(
                c -> {
                  Block b = shipped.get(c).value();
                  List<Row> out = new ArrayList<>(b.size());
                  for (int i = 0; i < b.size(); i++) {
                    out.add(
                        RowFactory.create(
                            Arrays.copyOfRange(b.features(), i * es, (i + 1) * es),
                            b.labels()[i],
                            b.start() + i));
                  }
                  return out.iterator();
                });
    return spark.createDataFrame(rows, SCHEMA);
  }

  /** Writes {@code data} to a Parquet folder at {@code out} (replaced if present). */
  public static void write(SparkSession spark, TensorDataset data, Path out) {
    toDataFrame(spark, data).write().mode(SaveMode.Overwrite).parquet(out.toString());
  }

  /**
   * {@code FashionMnistParquet OUT [DATA]}: reads Fashion-MNIST (from DATA, $NABLA_DATA or the
   * usual folders) and writes {@code OUT/train.parquet} and {@code OUT/test.parquet} with a local
   * Spark session.
   */
  public static void main(String[] args) throws IOException {
    if (args.length < 1 || args.length > 2 || args[0].startsWith("-")) {
      System.err.println("usage: FashionMnistParquet OUT_DIR [FASHION_MNIST_DIR]");
      System.exit(2);
    }
    FashionMnist data = FashionMnist.load(args.length > 1 ? args[1] : null);
    Path out = Path.of(args[0]);
    try (SparkSession spark = SparkCli.session("local[*]", "nabla-fashion-mnist-parquet")) {
      write(spark, data.train(), out.resolve("train.parquet"));
      write(spark, data.test(), out.resolve("test.parquet"));
    }
    System.out.println(
        "wrote "
            + out.resolve("train.parquet")
            + " (60000 rows) and "
            + out.resolve("test.parquet")
            + " (10000 rows): features array<float>[784], label bigint, index bigint");
  }
}
