package nabla.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import nabla.examples.Training;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code nabla train linreg|softmax|mlp}: the D2L chapter 3–5 training runs with the book's
 * settings, each overridable.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    versionProvider = NablaCli.VersionProvider.class,
    description = {
      "Train a D2L model on synthetic data or Fashion-MNIST.",
      "",
      "linreg: linear regression on synthetic data (3 epochs, batch 10, lr 0.03);",
      "softmax, mlp: softmax regression and the MLP with 256 hidden ReLU units on",
      "Fashion-MNIST (10 epochs, batch 256, lr 0.1, adam: 0.001; weights",
      "N(0, 0.01^2), bias 0). Prints a line per epoch (and a progress bar in a",
      "terminal), then the estimated w and b, or 'test accuracy: 0.XXXX'. Writes",
      "the loss and accuracy curves (rewritten each epoch) and, for Fashion-MNIST,",
      "18 test images with their predicted labels."
    },
    footer = {
      "",
      "Examples:",
      "  nabla train linreg",
      "  nabla train mlp --epochs 10 --save out/mlp.safetensors",
      "  nabla train mlp --optimizer adam --lr 0.001",
      "  nabla train softmax --data ~/datasets/fashion-mnist --plot out/softmax.png",
      "  nabla train mlp --spark local[2]   (data-parallel on Apache Spark: the",
      "      launcher runs nabla-spark's trainer; nabla train mlp --spark --help)",
      "",
      "Fashion-MNIST is read from --data, $NABLA_DATA,",
      "/usr/share/datasets/fashion-mnist (Debian: apt-get install",
      "dataset-fashion-mnist) or ~/.nabla/datasets/fashion-mnist."
    })
public final class TrainCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      paramLabel = "MODEL",
      description = "linreg, softmax or mlp",
      completionCandidates = Models.class)
  String model;

  @Option(names = "--epochs", paramLabel = "N", description = "Number of epochs.")
  Integer epochs;

  @Option(names = "--lr", paramLabel = "X", description = "Learning rate.")
  Double lr;

  @Option(names = "--batch-size", paramLabel = "B", description = "Minibatch size.")
  Integer batchSize;

  @Option(
      names = "--optimizer",
      paramLabel = "NAME",
      defaultValue = "sgd",
      description = "sgd or adam (default: ${DEFAULT-VALUE}).")
  String optimizer;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "Folder with the four Fashion-MNIST IDX files (.gz or not).")
  String data;

  @Option(
      names = "--plot",
      paramLabel = "FILE",
      description = "Training-curves PNG (default: out/MODEL-training.png).")
  Path plot;

  @Option(names = "--no-plot", description = "Write no PNG.")
  boolean noPlot;

  @Option(names = "--save", paramLabel = "FILE", description = "Save the model (safetensors).")
  Path save;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "0",
      description = "Seed of weights, data order and synthetic data (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--quiet", description = "No progress bar, even in a terminal.")
  boolean quiet;

  @Option(
      names = "--compile",
      description =
          "Compile each step's forward and backward pass (Autograd.compile: fused elementwise"
              + " passes); softmax and mlp.")
  boolean compile;

  /** Creates the command; used by picocli. */
  public TrainCommand() {}

  /** Completion candidates and the list shown in errors. */
  static final class Models extends java.util.ArrayList<String> {
    Models() {
      super(java.util.List.of("linreg", "softmax", "mlp"));
    }
  }

  @Override
  public Integer call() {
    PrintStream out = System.out;
    if (!new Models().contains(model)) {
      System.err.println(
          "nabla train: unknown model '" + model + "'; choose one of linreg, softmax, mlp");
      return 2;
    }
    if (!optimizer.equals("sgd") && !optimizer.equals("adam")) {
      System.err.println("nabla train: unknown optimizer '" + optimizer + "'; choose sgd or adam");
      return 2;
    }
    Path curves = noPlot ? null : plot != null ? plot : Path.of("out", model + "-training.png");
    Training.Options o =
        new Training.Options(
            epochs, lr, batchSize, optimizer, data, curves, save, seed, quiet, compile);
    try {
      if (model.equals("linreg")) {
        Training.linearRegression(o, out);
      } else {
        Training.fashionMnist(model, o, out);
      }
    } catch (IOException | IllegalArgumentException | IllegalStateException e) {
      // a missing dataset's message lists every folder looked in and how to get the files
      out.flush();
      System.err.println("nabla train " + model + ": " + e.getMessage());
      return 1;
    }
    out.flush();
    return 0;
  }
}
