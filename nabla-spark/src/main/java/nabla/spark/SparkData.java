package nabla.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import nabla.DType;
import nabla.Tensor;
import nabla.data.TensorDataset;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * A classification dataset spread over Spark partitions for {@link SparkTrainer}: example {@code i}
 * (in the order of the source) lives in partition {@code floor(i × partitions / size)}, so each
 * partition holds a contiguous range of examples, kept in executor memory ({@link
 * StorageLevel#MEMORY_ONLY}) and rebuilt from its source when an executor is lost.
 *
 * <p>Two sources:
 *
 * <ul>
 *   <li>{@link #fromDataFrame}: a Spark {@code Dataset<Row>} with a features column of type {@code
 *       array<float>} (or {@code array<double>}, converted to float32; one flat array per example,
 *       row-major), a label column of an integer type (class index) and optionally an index column
 *       giving each row's position, e.g. the Parquet files {@link FashionMnistParquet} writes;
 *   <li>{@link #of}: an in-memory {@link TensorDataset} (features, int64 labels), e.g. {@code
 *       FashionMnist.load(dir).train()}; each partition's slice travels as its own broadcast.
 * </ul>
 *
 * <pre>{@code
 * Dataset<Row> df = spark.read().parquet("fmnist/train.parquet");
 * try (SparkData train = SparkData.fromDataFrame(df, "features", "label", "index", 2, 1, 28, 28)) {
 *   ...
 * }
 * }</pre>
 */
public final class SparkData implements AutoCloseable {
  private final JavaRDD<Block> blocks;
  private final List<Broadcast<Block>> broadcasts;
  private final int size;
  private final int[] exampleShape;

  private SparkData(
      JavaRDD<Block> blocks, List<Broadcast<Block>> broadcasts, int size, int[] exampleShape) {
    this.blocks = blocks;
    this.broadcasts = broadcasts;
    this.size = size;
    this.exampleShape = exampleShape;
  }

  /**
   * Spreads an in-memory dataset of features (float32 or float64, first dimension the examples) and
   * int64 labels over {@code partitions} partitions.
   *
   * <pre>{@code
   * SparkData train = SparkData.of(spark, FashionMnist.load((String) null).train(), 2);
   * }</pre>
   *
   * @throws IllegalArgumentException when the dataset does not hold exactly features and labels of
   *     that kind, is empty, or {@code partitions < 1}
   */
  public static SparkData of(SparkSession spark, TensorDataset data, int partitions) {
    if (spark == null || data == null) {
      throw new IllegalArgumentException("SparkData.of: spark and data must not be null");
    }
    checkPartitions("SparkData.of", partitions);
    if (data.tensors().size() != 2) {
      throw new IllegalArgumentException(
          "SparkData.of: needs a dataset of two tensors (features, labels), got "
              + data.tensors().size());
    }
    Tensor x = data.tensor(0);
    Tensor y = data.tensor(1);
    if (!x.dtype().isFloating() || y.dtype() != DType.INT64 || y.dim() != 1) {
      throw new IllegalArgumentException(
          "SparkData.of: needs floating features and int64 labels of shape [n], got features "
              + x.dtype()
              + Arrays.toString(x.shape())
              + " and labels "
              + y.dtype()
              + Arrays.toString(y.shape())
              + "; convert the labels with .to(DType.INT64)");
    }
    int n = data.size();
    checkSize("SparkData.of", n);
    int[] exampleShape = Arrays.copyOfRange(x.shape(), 1, x.dim());
    int exampleSize = x.numel() / n;
    float[] features = x.to(DType.FLOAT32).contiguous().toFloatArray();
    long[] labels = y.contiguous().toLongArray();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<Broadcast<Block>> broadcasts = new ArrayList<>();
    List<Integer> ids = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      int lo = start(p, n, partitions);
      int hi = start(p + 1, n, partitions);
      Block b =
          new Block(
              lo,
              hi - lo,
              exampleSize,
              Arrays.copyOfRange(features, lo * exampleSize, hi * exampleSize),
              Arrays.copyOfRange(labels, lo, hi));
      broadcasts.add(jsc.broadcast(b));
      ids.add(p);
    }
    List<Broadcast<Block>> shipped = List.copyOf(broadcasts);
    JavaRDD<Block> blocks =
        jsc.parallelize(ids, partitions)
            .map(p -> shipped.get(p).value())
            .setName("nabla blocks (in-memory, " + n + " examples)")
            .persist(StorageLevel.MEMORY_ONLY());
    return new SparkData(blocks, broadcasts, n, exampleShape);
  }

  /**
   * Spreads the rows of a Spark DataFrame over {@code partitions} partitions, in the DataFrame's
   * order (example {@code i} is the {@code i}-th row as {@code zipWithIndex} numbers them).
   *
   * @param df the rows
   * @param featuresColumn an {@code array<float>} or {@code array<double>} column, each array of
   *     {@code product(exampleShape)} values
   * @param labelColumn an integer column (class index)
   * @param partitions the number of partitions (the data is range-partitioned once by row index)
   * @param exampleShape the shape of one example the model takes, e.g. {@code 1, 28, 28}
   * @throws IllegalArgumentException when a column is missing or of another type, the DataFrame is
   *     empty, or {@code partitions < 1}; a row whose array has the wrong length fails the Spark
   *     job with an IllegalArgumentException naming the row
   */
  public static SparkData fromDataFrame(
      Dataset<Row> df,
      String featuresColumn,
      String labelColumn,
      int partitions,
      int... exampleShape) {
    return fromDataFrame(df, featuresColumn, labelColumn, null, partitions, exampleShape);
  }

  /**
   * Like {@link #fromDataFrame(Dataset, String, String, int, int...)}, but example {@code i} is the
   * row whose {@code indexColumn} (an integer column holding each of {@code 0 .. rows - 1} once) is
   * {@code i}. The order then does not depend on how Spark splits and orders the files it reads (it
   * packs Parquet files largest first, for one), so a run from Parquet is reproducible and equals
   * the in-memory one. {@link FashionMnistParquet} writes such a column, {@code index}.
   *
   * <pre>{@code
   * SparkData train = SparkData.fromDataFrame(
   *     spark.read().parquet("fmnist/train.parquet"), "features", "label", "index", 2, 1, 28, 28);
   * }</pre>
   *
   * @param indexColumn the index column, or null to number the rows in the DataFrame's order
   * @throws IllegalArgumentException as the other overload, and when the index column is missing or
   *     not an integer type; an index out of range or seen twice fails the Spark job with an
   *     IllegalArgumentException naming it
   */
  public static SparkData fromDataFrame(
      Dataset<Row> df,
      String featuresColumn,
      String labelColumn,
      String indexColumn,
      int partitions,
      int... exampleShape) {
    if (df == null || featuresColumn == null || labelColumn == null || exampleShape == null) {
      throw new IllegalArgumentException(
          "SparkData.fromDataFrame: the DataFrame, the column names and the example shape must not"
              + " be null");
    }
    checkPartitions("SparkData.fromDataFrame", partitions);
    List<String> columns = Arrays.asList(df.columns());
    if (!columns.contains(featuresColumn) || !columns.contains(labelColumn)) {
      throw new IllegalArgumentException(
          "SparkData.fromDataFrame: the DataFrame has columns "
              + columns
              + ", not both '"
              + featuresColumn
              + "' and '"
              + labelColumn
              + "'");
    }
    String ft = df.schema().apply(featuresColumn).dataType().simpleString();
    String lt = df.schema().apply(labelColumn).dataType().simpleString();
    if (!ft.equals("array<float>") && !ft.equals("array<double>")) {
      throw new IllegalArgumentException(
          "SparkData.fromDataFrame: features column '"
              + featuresColumn
              + "' must be array<float> or array<double>, got "
              + ft);
    }
    if (indexColumn != null) {
      if (!columns.contains(indexColumn)) {
        throw new IllegalArgumentException(
            "SparkData.fromDataFrame: the DataFrame has columns "
                + columns
                + ", no index column '"
                + indexColumn
                + "'");
      }
      String it = df.schema().apply(indexColumn).dataType().simpleString();
      if (!List.of("tinyint", "smallint", "int", "bigint").contains(it)) {
        throw new IllegalArgumentException(
            "SparkData.fromDataFrame: index column '"
                + indexColumn
                + "' must be an integer type, got "
                + it);
      }
    }
    if (!List.of("tinyint", "smallint", "int", "bigint").contains(lt)) {
      throw new IllegalArgumentException(
          "SparkData.fromDataFrame: label column '"
              + labelColumn
              + "' must be an integer type (class index), got "
              + lt);
    }
    int exampleSize = 1;
    for (int d : exampleShape) {
      if (d < 1) {
        throw new IllegalArgumentException(
            "SparkData.fromDataFrame: example shape "
                + Arrays.toString(exampleShape)
                + " has a dimension < 1");
      }
      exampleSize = Math.multiplyExact(exampleSize, d);
    }
    int es = exampleSize;
    long count = df.count();
    checkSize("SparkData.fromDataFrame", count);
    int n = (int) count;
    JavaPairRDD<Long, Example> examples;
    if (indexColumn == null) {
      examples =
          df.select(featuresColumn, labelColumn)
              .javaRDD()
              .zipWithIndex()
              .mapToPair(t -> new Tuple2<>(t._2(), example(t._1(), t._2(), es)));
    } else {
      examples =
          df.select(featuresColumn, labelColumn, indexColumn)
              .javaRDD()
              .mapToPair(
                  r -> {
                    long i = ((Number) r.get(2)).longValue();
                    if (i < 0 || i >= n) {
                      throw new IllegalArgumentException(
                          "SparkData.fromDataFrame: index " + i + " is outside 0.." + (n - 1));
                    }
                    return new Tuple2<>(i, example(r, i, es));
                  });
    }
    JavaRDD<Block> blocks =
        examples
            .partitionBy(new RangeOfIndex(n, partitions))
            .mapPartitionsWithIndex(
                (p, it) -> List.of(block(p, it, n, partitions, es)).iterator(), true)
            .setName("nabla blocks (DataFrame, " + n + " examples)")
            .persist(StorageLevel.MEMORY_ONLY());
    return new SparkData(blocks, List.of(), n, exampleShape.clone());
  }

  /** The number of examples. */
  public int size() {
    return size;
  }

  /** The number of partitions. */
  public int partitions() {
    return blocks.getNumPartitions();
  }

  /** The shape of one example (without the batch dimension). */
  public int[] exampleShape() {
    return exampleShape.clone();
  }

  JavaRDD<Block> blocks() {
    return blocks;
  }

  /** Drops the cached partitions and the broadcasts. */
  @Override
  public void close() {
    blocks.unpersist(false);
    for (Broadcast<Block> b : broadcasts) {
      b.destroy();
    }
  }

  /** The first global index of partition {@code p}: {@code ceil(p × n / partitions)}. */
  static int start(int p, int n, int partitions) {
    return (int) (((long) p * n + partitions - 1) / partitions);
  }

  private static void checkPartitions(String op, int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException(op + ": needs at least 1 partition, got " + partitions);
    }
  }

  private static void checkSize(String op, long n) {
    if (n < 1 || n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          op + ": needs between 1 and " + Integer.MAX_VALUE + " examples, got " + n);
    }
  }

  private static Example example(Row row, long index, int exampleSize) {
    List<Object> values = row.getList(0);
    if (values == null || values.size() != exampleSize || row.isNullAt(1)) {
      throw new IllegalArgumentException(
          "SparkData.fromDataFrame: row "
              + index
              + " has "
              + (values == null ? "no features" : values.size() + " features")
              + (row.isNullAt(1) ? " and no label" : "")
              + " but the example shape needs "
              + exampleSize
              + " features and a label");
    }
    float[] x = new float[exampleSize];
    for (int i = 0; i < exampleSize; i++) {
      x[i] = ((Number) values.get(i)).floatValue();
    }
    return new Example(x, ((Number) row.get(1)).longValue());
  }

  private static Block block(
      int p, Iterator<Tuple2<Long, Example>> it, int n, int partitions, int exampleSize) {
    int lo = start(p, n, partitions);
    int size = start(p + 1, n, partitions) - lo;
    float[] features = new float[size * exampleSize];
    long[] labels = new long[size];
    boolean[] seen = new boolean[size];
    while (it.hasNext()) {
      Tuple2<Long, Example> t = it.next();
      int i = (int) (t._1() - lo); // a shuffle does not keep the order: place by index
      if (seen[i]) {
        throw new IllegalArgumentException(
            "SparkData.fromDataFrame: index " + t._1() + " appears more than once");
      }
      seen[i] = true;
      System.arraycopy(t._2().x(), 0, features, i * exampleSize, exampleSize);
      labels[i] = t._2().y();
    }
    for (int i = 0; i < size; i++) {
      if (!seen[i]) {
        throw new IllegalStateException(
            "SparkData.fromDataFrame: partition " + p + " is missing example " + (lo + i));
      }
    }
    return new Block(lo, size, exampleSize, features, labels);
  }

  /** One row on its way to its partition. */
  record Example(float[] x, long y) implements Serializable {}

  /** Sends global index {@code i} to partition {@code floor(i × partitions / n)}. */
  static final class RangeOfIndex extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int n;
    private final int partitions;

    RangeOfIndex(int n, int partitions) {
      this.n = n;
      this.partitions = partitions;
    }

    @Override
    public int numPartitions() {
      return partitions;
    }

    @Override
    public int getPartition(Object key) {
      return (int) ((Long) key * partitions / n);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof RangeOfIndex r && r.n == n && r.partitions == partitions;
    }

    @Override
    public int hashCode() {
      return 31 * n + partitions;
    }
  }
}
