package nabla.spark;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import nabla.data.FashionMnist;
import nabla.nn.CrossEntropyLoss;
import nabla.nn.Flatten;
import nabla.nn.Init;
import nabla.nn.Linear;
import nabla.nn.Module;
import nabla.nn.Sequential;
import nabla.optim.Adam;
import nabla.optim.SGD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The command line of the Spark trainer, run by the {@code ./nabla} launcher on the class path
 * (Spark's jars are not modules) when it sees {@code --spark}:
 *
 * <pre>
 * ./nabla train mlp --spark local[2]
 * ./nabla train mlp --spark spark://host:7077 --partitions 16 --save out/mlp.safetensors
 * ./nabla train mlp --spark local[2] --parquet out/fmnist    (data written by spark-parquet)
 * ./nabla spark-parquet out/fmnist                            (Fashion-MNIST to Parquet, once)
 * </pre>
 */
public final class SparkCli {
  private SparkCli() {}

  static final String USAGE =
      """
      Usage: nabla train softmax|mlp --spark MASTER [options]
             nabla spark-parquet OUT_DIR [--data DIR]

      Trains a D2L model on Fashion-MNIST with synchronous data-parallel SGD on
      Apache Spark (nabla-spark): the parameters are broadcast each step, every
      partition computes the gradient of its shard of the global batch, the driver
      adds them and steps. Same result for any number of partitions.

        --spark MASTER        local[N], local-cluster[W,C,MB] or spark://host:port
        --partitions P        data partitions (default: Spark's default parallelism)
        --epochs N            default 10
        --lr X                default 0.1 (adam: 0.001)
        --batch-size B        global batch, default 256
        --optimizer NAME      sgd (default) or adam
        --aggregation A       ordered (default), tree or barrier
        --seed S              seed of the weights and the data order, default 0
        --data DIR            Fashion-MNIST IDX folder (default: $NABLA_DATA, the usual)
        --parquet DIR         read DIR/train.parquet and DIR/test.parquet instead
        --save FILE           save the trained model (safetensors)
        --quiet, --no-plot    accepted for symmetry (no progress bar, no plot)

      With spark://host:port the Nabla jars on this class path are shipped to the
      executors (spark.jars); the cluster must run Spark 4.x for Scala 2.13.
      """;

  /** Entry point; exits with 0, 1 (failure) or 2 (usage). */
  public static void main(String[] args) {
    if (System.getProperty("log4j2.configurationFile") == null) {
      System.setProperty("log4j2.configurationFile", "nabla/spark/log4j2-cli.properties");
    }
    int code;
    try {
      code = run(args, System.out);
    } catch (IllegalArgumentException | IllegalStateException | IOException e) {
      System.out.flush();
      System.err.println("nabla: " + e.getMessage());
      code = 1;
    }
    System.exit(code);
  }

  static int run(String[] args, PrintStream out) throws IOException {
    if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
      out.print(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      out.print(USAGE);
      return 0;
    }
    Map<String, String> o = new LinkedHashMap<>();
    List<String> positional = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--quiet") || a.equals("--no-plot")) {
        continue; // no progress bar and no plot with --spark: nothing to turn off
      }
      if (a.startsWith("--")) {
        String name = a;
        String value;
        int eq = a.indexOf('=');
        if (eq > 0) {
          name = a.substring(0, eq);
          value = a.substring(eq + 1);
        } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
          value = args[++i];
        } else {
          return usage("option " + a + " needs a value");
        }
        if (!List.of(
                "--spark",
                "--partitions",
                "--epochs",
                "--lr",
                "--batch-size",
                "--optimizer",
                "--aggregation",
                "--seed",
                "--data",
                "--parquet",
                "--save")
            .contains(name)) {
          return usage("unknown option " + name + " (with --spark)");
        }
        o.put(name, value);
      } else {
        positional.add(a);
      }
    }
    if (positional.size() == 2 && positional.get(0).equals("spark-parquet")) {
      FashionMnistParquet.main(
          o.containsKey("--data")
              ? new String[] {positional.get(1), o.get("--data")}
              : new String[] {positional.get(1)});
      return 0;
    }
    if (positional.size() != 2 || !positional.get(0).equals("train")) {
      return usage("expected 'train MODEL --spark MASTER' or 'spark-parquet OUT_DIR'");
    }
    String model = positional.get(1);
    if (!model.equals("mlp") && !model.equals("softmax")) {
      return usage("unknown model '" + model + "' with --spark; choose softmax or mlp");
    }
    String master = o.get("--spark");
    if (master == null) {
      return usage("train with Spark needs --spark MASTER");
    }
    String optimizer = o.getOrDefault("--optimizer", "sgd");
    if (!optimizer.equals("sgd") && !optimizer.equals("adam")) {
      return usage("unknown optimizer '" + optimizer + "'; choose sgd or adam");
    }
    SparkTrainer.Aggregation aggregation;
    try {
      aggregation =
          SparkTrainer.Aggregation.valueOf(
              o.getOrDefault("--aggregation", "ordered").toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return usage("unknown aggregation '" + o.get("--aggregation") + "'; ordered, tree, barrier");
    }
    int epochs = intOption(o, "--epochs", 10);
    int batch = intOption(o, "--batch-size", 256);
    long seed = Long.parseLong(o.getOrDefault("--seed", "0"));
    double lr =
        Double.parseDouble(o.getOrDefault("--lr", optimizer.equals("adam") ? "0.001" : "0.1"));
    try (SparkSession spark = session(master, "nabla train " + model)) {
      int partitions = intOption(o, "--partitions", spark.sparkContext().defaultParallelism());
      SparkData train;
      SparkData test;
      String source;
      if (o.containsKey("--parquet")) {
        Path dir = Path.of(o.get("--parquet"));
        Dataset<Row> tr = spark.read().parquet(dir.resolve("train.parquet").toString());
        Dataset<Row> te = spark.read().parquet(dir.resolve("test.parquet").toString());
        train = SparkData.fromDataFrame(tr, "features", "label", "index", partitions, 1, 28, 28);
        test = SparkData.fromDataFrame(te, "features", "label", "index", partitions, 1, 28, 28);
        source = "Parquet " + dir;
      } else {
        FashionMnist data = FashionMnist.load(o.get("--data"));
        train = SparkData.of(spark, data.train(), partitions);
        test = SparkData.of(spark, data.test(), partitions);
        source = data.dir().toString();
      }
      try (train;
          test) {
        out.printf(
            Locale.ROOT,
            "Fashion-MNIST (%s) on Spark %s (master %s): %s, %d partitions, global batch %d,"
                + " %s lr %s, %d epochs, %s aggregation%n",
            source,
            spark.version(),
            master,
            model,
            partitions,
            batch,
            optimizer,
            lr,
            epochs,
            aggregation.name().toLowerCase(Locale.ROOT));
        SerializableSupplier<Module> factory =
            model.equals("mlp") ? () -> Models.mlp(seed) : () -> softmax(seed);
        SparkTrainer.Result r =
            new SparkTrainer(
                    spark,
                    factory,
                    CrossEntropyLoss::new,
                    p -> optimizer.equals("adam") ? new Adam(p, lr) : new SGD(p, lr))
                .epochs(epochs)
                .batchSize(batch)
                .seed(seed)
                .aggregation(aggregation)
                .onEpochEnd(m -> out.println(m))
                .fit(train, test);
        out.printf(
            Locale.ROOT,
            "test accuracy: %.4f%n",
            r.history().get(r.history().size() - 1).testAccuracy());
        if (o.containsKey("--save")) {
          Path file = Path.of(o.get("--save"));
          if (file.toAbsolutePath().getParent() != null) {
            java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
          }
          r.save(file);
          out.println("saved " + file);
        }
      }
    }
    return 0;
  }

  private static int usage(String message) {
    System.err.println("nabla: " + message);
    System.err.print(USAGE);
    return 2;
  }

  private static int intOption(Map<String, String> o, String name, int dflt) {
    String v = o.get(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " needs a positive integer, got '" + v + "'");
    }
  }

  /** D2L §4.5 softmax regression: {@code Sequential(Flatten, Linear(784, 10))}. */
  static Module softmax(long seed) {
    nabla.Generator.manualSeed(seed);
    Linear l = new Linear(784, 10);
    Init.normal(l.weight(), 0, 0.01);
    Init.zeros(l.bias());
    return new Sequential(new Flatten(), l);
  }

  /**
   * A session for the CLI: no UI; for a {@code spark://} master the Nabla jars of this class path
   * are shipped to the executors.
   */
  static SparkSession session(String master, String app) {
    SparkSession.Builder b =
        SparkSession.builder().master(master).appName(app).config("spark.ui.enabled", "false");
    if (master.startsWith("spark://") || master.startsWith("local-cluster")) {
      List<String> jars = new ArrayList<>();
      List<String> all = new ArrayList<>();
      for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
        all.add(e);
        String name = Path.of(e).getFileName().toString();
        if (name.startsWith("nabla-")
            || name.startsWith("jackson-")
            || name.startsWith("progressbar")
            || name.startsWith("jline")) {
          jars.add(e);
        }
      }
      if (master.startsWith("spark://")) {
        b.config("spark.jars", String.join(",", jars));
      } else {
        b.config("spark.executor.extraClassPath", String.join(File.pathSeparator, all));
      }
      b.config("spark.executor.extraJavaOptions", "-Xss8m --add-modules=jdk.incubator.vector");
    }
    return b.getOrCreate();
  }
}
