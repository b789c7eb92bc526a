package nabla.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import nabla.Autograd;
import nabla.DType;
import nabla.Generator;
import nabla.Tensor;
import nabla.data.Batch;
import nabla.data.DataLoader;
import nabla.data.FashionMnist;
import nabla.data.LinearRegressionData;
import nabla.data.TensorDataset;
import nabla.io.SafeTensors;
import nabla.nn.CrossEntropyLoss;
import nabla.nn.Flatten;
import nabla.nn.Init;
import nabla.nn.Linear;
import nabla.nn.MSELoss;
import nabla.nn.ReLU;
import nabla.nn.Sequential;
import nabla.optim.Adam;
import nabla.optim.Optimizer;
import nabla.optim.SGD;
import nabla.train.EpochMetrics;
import nabla.train.Trainer;

/**
 * The D2L training runs behind {@code ./nabla train} and {@code ./nabla predict}: linear regression
 * on synthetic data (§3.4–3.5), softmax regression (§4.5) and the MLP (§5.2) on Fashion-MNIST, with
 * the book's settings unless told otherwise, a chart of the curves rewritten each epoch and a grid
 * of test images with their predicted labels.
 *
 * <pre>{@code
 * Training.Result r = Training.fashionMnist("mlp", Training.Options.defaults(), System.out);
 * System.out.println(r.testAccuracy());   // 0.85 after 10 epochs
 * }</pre>
 */
public final class Training {
  private Training() {}

  /** The models {@link #fashionMnist} knows. */
  public static final List<String> MODELS = List.of("softmax", "mlp");

  /**
   * Settings of a run; a null field takes the book's value for the model (see {@link
   * #linearRegression} and {@link #fashionMnist}).
   *
   * @param epochs number of epochs
   * @param lr learning rate
   * @param batchSize minibatch size
   * @param optimizer {@code sgd} or {@code adam}
   * @param data the Fashion-MNIST folder ({@code --data}); null to search the usual places
   * @param plot the training-curves PNG; null for none
   * @param save where to write the trained model as safetensors; null for nowhere
   * @param seed seed of the initial weights, the data order and the synthetic data
   * @param quiet true to never draw the progress bar (by default drawn in a terminal only)
   * @param compile true to compile each step's forward and backward pass ({@code
   *     Trainer.compile(true)})
   */
  public record Options(
      Integer epochs,
      Double lr,
      Integer batchSize,
      String optimizer,
      String data,
      Path plot,
      Path save,
      long seed,
      boolean quiet,
      boolean compile) {

    /** Options without compiling. */
    public Options(
        Integer epochs,
        Double lr,
        Integer batchSize,
        String optimizer,
        String data,
        Path plot,
        Path save,
        long seed,
        boolean quiet) {
      this(epochs, lr, batchSize, optimizer, data, plot, save, seed, quiet, false);
    }

    /** The book's settings, no plot, no saved model, seed 0. */
    public static Options defaults() {
      return new Options(null, null, null, "sgd", null, null, null, 0, false);
    }

    /** These options with the training curves written to {@code plot}. */
    public Options withPlot(Path plot) {
      return new Options(epochs, lr, batchSize, optimizer, data, plot, save, seed, quiet, compile);
    }
  }

  /**
   * What a run produced.
   *
   * @param model {@code linreg}, {@code softmax} or {@code mlp}
   * @param net the trained network
   * @param history the metrics of every epoch
   * @param testAccuracy accuracy on the test set (NaN for regression)
   * @param curves the training-curves PNG, or null
   * @param predictions the PNG grid of test images with predicted labels, or null
   * @param saved the safetensors file, or null
   * @param seconds wall time of training and evaluation
   */
  public record Result(
      String model,
      Sequential net,
      List<EpochMetrics> history,
      double testAccuracy,
      Path curves,
      Path predictions,
      Path saved,
      double seconds) {}

  // ------------------------------------------------------------------ linear regression

  /**
   * D2L §3.5, concise linear regression: 1000 synthetic examples y = X [2, −3.4] + 4.2 + noise (and
   * 1000 more for the test loss), a {@code Linear(2, 1)} with weights N(0, 0.01²) and bias 0, mean
   * squared error, minibatch SGD (defaults: 3 epochs, batch 10, lr 0.03). Prints each epoch, then
   * the estimated w and b and their errors.
   */
  public static Result linearRegression(Options o, PrintStream out) throws IOException {
    int epochs = o.epochs() != null ? o.epochs() : 3;
    int batch = o.batchSize() != null ? o.batchSize() : 10;
    double lr = o.lr() != null ? o.lr() : 0.03;
    TensorDataset train = LinearRegressionData.d2l(1000, o.seed());
    TensorDataset test = LinearRegressionData.d2l(1000, o.seed() + 1);
    Generator.manualSeed(o.seed());
    Linear linear = new Linear(2, 1);
    Init.normal(linear.weight(), 0, 0.01);
    Init.zeros(linear.bias());
    Sequential net = new Sequential(linear);
    out.printf(
        Locale.ROOT,
        "Linear regression on synthetic data (D2L 3.5): 1000 examples, y = X w + b + noise with"
            + " w = [2, -3.4], b = 4.2; %s, lr %s, batch %d, %d epoch%s%n",
        o.optimizer(),
        lr,
        batch,
        epochs,
        epochs == 1 ? "" : "s");
    long start = System.nanoTime();
    Trainer trainer =
        new Trainer(net, new MSELoss(), optimizer(o.optimizer(), net, lr)).epochs(epochs);
    if (o.quiet()) {
      trainer.quiet();
    }
    trainer.onEpochEnd(m -> out.println("  " + m));
    TrainingCurves curves = null;
    if (o.plot() != null) {
      curves = new TrainingCurves(o.plot(), "Linear regression on synthetic data");
      trainer.onEpochEnd(curves).onBatchEnd(curves);
    }
    List<EpochMetrics> history =
        trainer.fit(new DataLoader(train, batch).shuffle(o.seed()), new DataLoader(test, 1000));
    double seconds = (System.nanoTime() - start) / 1e9;
    float[] w = linear.weight().toFloatArray();
    double b = linear.bias().item();
    double[] tw = LinearRegressionData.D2L_W;
    out.printf(
        Locale.ROOT,
        "estimated w: [%.4f, %.4f]  (true [%s, %s], error [%.4f, %.4f])%n",
        w[0],
        w[1],
        tw[0],
        tw[1],
        tw[0] - w[0],
        tw[1] - w[1]);
    out.printf(
        Locale.ROOT,
        "estimated b: %.4f  (true %s, error %.4f)%n",
        b,
        LinearRegressionData.D2L_B,
        LinearRegressionData.D2L_B - b);
    Path saved = save(net, "linreg", o.save(), out);
    if (curves != null) {
      out.println("training curves: " + curves.target());
    }
    return new Result(
        "linreg",
        net,
        history,
        Double.NaN,
        curves == null ? null : curves.target(),
        null,
        saved,
        seconds);
  }

  // ------------------------------------------------------------------ Fashion-MNIST

  /**
   * A new D2L model for Fashion-MNIST: {@code softmax} is {@code Sequential(Flatten, Linear(784,
   * 10))} (§4.5), {@code mlp} is {@code Sequential(Flatten, Linear(784, 256), ReLU, Linear(256,
   * 10))} (§5.2); weights N(0, 0.01²) from the global generator, biases 0.
   *
   * @throws IllegalArgumentException for another name
   */
  public static Sequential newModel(String model) {
    return switch (model) {
      case "softmax" -> init(new Sequential(new Flatten(), new Linear(784, 10)));
      case "mlp" ->
          init(
              new Sequential(new Flatten(), new Linear(784, 256), new ReLU(), new Linear(256, 10)));
      default ->
          throw new IllegalArgumentException(
              "Training.newModel: unknown model '" + model + "'; choose one of " + MODELS);
    };
  }

  private static Sequential init(Sequential net) {
    for (int i = 0; i < net.size(); i++) {
      if (net.get(i) instanceof Linear l) {
        Init.normal(l.weight(), 0, 0.01);
        Init.zeros(l.bias());
      }
    }
    return net;
  }

  /**
   * Rebuilds the model a state dict was saved from and loads it: {@code 1.weight [10, 784]} alone
   * is softmax regression, {@code 1.weight [H, 784]} with {@code 3.weight [10, H]} the MLP with H
   * hidden units.
   *
   * @throws IllegalArgumentException naming the keys and shapes found when they fit neither
   */
  public static Sequential modelFromStateDict(Map<String, Tensor> state) {
    Tensor w1 = state.get("1.weight");
    Tensor w3 = state.get("3.weight");
    Sequential net = null;
    if (w1 != null && w1.dim() == 2 && w1.size(1) == 784) {
      if (w3 == null && w1.size(0) == 10) {
        net = new Sequential(new Flatten(), new Linear(784, 10));
      } else if (w3 != null && w3.dim() == 2 && w3.size(1) == w1.size(0)) {
        net =
            new Sequential(
                new Flatten(),
                new Linear(784, w1.size(0)),
                new ReLU(),
                new Linear(w1.size(0), w3.size(0)));
      }
    }
    if (net == null) {
      Map<String, String> found = new LinkedHashMap<>();
      state.forEach((k, v) -> found.put(k, java.util.Arrays.toString(v.shape())));
      throw new IllegalArgumentException(
          "model file: not a Fashion-MNIST model saved by ./nabla train softmax|mlp; expected"
              + " 1.weight [10, 784] and 1.bias [10] (softmax) or 1.weight [H, 784], 1.bias [H],"
              + " 3.weight [10, H], 3.bias [10] (mlp), found "
              + found);
    }
    net.loadStateDict(state); // names missing, unexpected and mis-shaped keys
    return net;
  }

  /** A short description of a model built by {@link #newModel} or {@link #modelFromStateDict}. */
  public static String describe(Sequential net) {
    return net.size() == 2
        ? "softmax regression (784 -> 10)"
        : "MLP (784 -> " + ((Linear) net.get(1)).outFeatures() + " ReLU -> 10)";
  }

  /**
   * Trains {@code model} ({@code softmax} or {@code mlp}) on Fashion-MNIST with D2L's settings
   * unless {@code o} overrides them: batch 256, 10 epochs, SGD with lr 0.1 (Adam: lr 0.001),
   * weights N(0, 0.01²), bias 0, the training set shuffled each epoch. Prints each epoch and ends
   * with the line {@code test accuracy: 0.XXXX}; writes the curves to {@code o.plot()} and, beside
   * it, a grid of 18 test images with their predicted labels ({@code NAME-predictions.png}).
   *
   * @throws java.io.FileNotFoundException when the dataset is not found (the message lists every
   *     place looked and how to get the files)
   */
  public static Result fashionMnist(String model, Options o, PrintStream out) throws IOException {
    if (!MODELS.contains(model)) {
      throw new IllegalArgumentException(
          "train: unknown model '"
              + model
              + "'; choose one of linreg, "
              + String.join(", ", MODELS));
    }
    int epochs = o.epochs() != null ? o.epochs() : 10;
    int batch = o.batchSize() != null ? o.batchSize() : 256;
    String opt = o.optimizer() == null ? "sgd" : o.optimizer();
    double lr = o.lr() != null ? o.lr() : opt.equals("adam") ? 1e-3 : 0.1;
    FashionMnist data = FashionMnist.load(FashionMnist.find(o.data()));
    Generator.manualSeed(o.seed());
    Sequential net = newModel(model);
    out.printf(
        Locale.ROOT,
        "%s on Fashion-MNIST (%s): %s, lr %s, batch %d, %d epoch%s%n",
        describe(net),
        data.dir(),
        opt,
        lr,
        batch,
        epochs,
        epochs == 1 ? "" : "s");
    long start = System.nanoTime();
    Trainer trainer =
        new Trainer(net, new CrossEntropyLoss(), optimizer(opt, net, lr))
            .epochs(epochs)
            .compile(o.compile());
    if (o.quiet()) {
      trainer.quiet();
    }
    trainer.onEpochEnd(m -> out.println("  " + m));
    TrainingCurves curves = null;
    if (o.plot() != null) {
      curves =
          new TrainingCurves(o.plot(), describe(net) + " on Fashion-MNIST, " + opt + " lr " + lr);
      trainer.onEpochEnd(curves).onBatchEnd(curves);
    }
    List<EpochMetrics> history =
        trainer.fit(
            // Each batch gathered into the last one's tensors (the trainer keeps none): measured
            // faster than new tensors, and than prefetching on this 2-core machine (BENCHMARKS).
            new DataLoader(data.train(), batch).shuffle(o.seed()).reuseBuffers(true),
            new DataLoader(data.test(), 1000));
    double seconds = (System.nanoTime() - start) / 1e9;
    double accuracy = history.getLast().testAccuracy();
    Path grid = null;
    if (o.plot() != null) {
      grid = predictionsGrid(net, data.test(), siblingOf(o.plot(), "-predictions.png"));
    }
    Path saved = save(net, model, o.save(), out);
    if (curves != null) {
      out.println("training curves: " + curves.target());
      out.println("test images with predictions: " + grid);
    }
    out.printf(Locale.ROOT, "test accuracy: %.4f%n", accuracy);
    return new Result(
        model,
        net,
        history,
        accuracy,
        curves == null ? null : curves.target(),
        grid,
        saved,
        seconds);
  }

  /**
   * {@code plot} with its {@code .png} (and a {@code -training} before it) replaced by {@code
   * suffix}: {@code out/mlp-training.png} → {@code out/mlp-predictions.png}.
   */
  static Path siblingOf(Path plot, String suffix) {
    String name = plot.getFileName().toString().replaceFirst("(?i)-training\\.png$", ".png");
    String stem =
        name.toLowerCase(Locale.ROOT).endsWith(".png")
            ? name.substring(0, name.length() - 4)
            : name;
    return plot.resolveSibling(stem + suffix);
  }

  /** D2L's {@code predict_ch3}: the first 18 test images, their labels and the predictions. */
  public static Path predictionsGrid(Sequential net, TensorDataset test, Path target)
      throws IOException {
    Tensor x = test.tensor(0).slice(0, 0, 18);
    Tensor y = test.tensor(1).slice(0, 0, 18);
    Tensor predicted;
    net.eval();
    try (var g = Autograd.noGrad()) {
      predicted = net.forward(x).argmax(1, false);
    }
    return ImageGrid.save(
        target, x, 2, 9, FashionMnist.textLabels(y), FashionMnist.textLabels(predicted));
  }

  // ------------------------------------------------------------------ predict

  /**
   * Accuracy and confusion matrix of a saved model.
   *
   * @param model what was loaded
   * @param accuracy fraction of the test set classified correctly
   * @param confusion {@code confusion[true][predicted]} counts over the test set
   */
  public record Prediction(String model, double accuracy, long[][] confusion) {}

  /**
   * Loads a model saved by {@code ./nabla train softmax|mlp --save FILE}, classifies the
   * Fashion-MNIST test set and prints the accuracy and the 10×10 confusion matrix (rows: true
   * class, columns: predicted class).
   */
  public static Prediction predict(Path modelFile, String dataOption, PrintStream out)
      throws IOException {
    Sequential net = modelFromStateDict(SafeTensors.load(modelFile));
    FashionMnist data = FashionMnist.load(FashionMnist.find(dataOption));
    int classes = FashionMnist.LABELS.size();
    long[][] confusion = new long[classes][classes];
    long correct = 0;
    long total = 0;
    net.eval();
    try (var g = Autograd.noGrad()) {
      for (Batch b : new DataLoader(data.test(), 1000)) {
        long[] predicted = net.forward(b.x()).argmax(1, false).toLongArray();
        long[] truth = b.y().toLongArray();
        for (int i = 0; i < truth.length; i++) {
          confusion[(int) truth[i]][(int) predicted[i]]++;
          correct += truth[i] == predicted[i] ? 1 : 0;
          total++;
        }
      }
    }
    double accuracy = (double) correct / total;
    out.printf(
        Locale.ROOT,
        "%s from %s on the Fashion-MNIST test set (%d images, %s)%n",
        describe(net),
        modelFile,
        total,
        data.dir());
    out.printf(Locale.ROOT, "accuracy: %.4f%n", accuracy);
    out.println();
    out.println("confusion matrix (rows: true class, columns: predicted class)");
    StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-14s", ""));
    for (int c = 0; c < classes; c++) {
      head.append(String.format(Locale.ROOT, "%6d", c));
    }
    head.append("  recall");
    out.println(head);
    for (int r = 0; r < classes; r++) {
      StringBuilder row =
          new StringBuilder(String.format(Locale.ROOT, "%d %-12s", r, FashionMnist.LABELS.get(r)));
      long n = 0;
      for (int c = 0; c < classes; c++) {
        row.append(String.format(Locale.ROOT, "%6d", confusion[r][c]));
        n += confusion[r][c];
      }
      row.append(
          String.format(Locale.ROOT, "  %.3f", n == 0 ? Double.NaN : (double) confusion[r][r] / n));
      out.println(row);
    }
    return new Prediction(describe(net), accuracy, confusion);
  }

  // ------------------------------------------------------------------ helpers

  static Optimizer optimizer(String name, Sequential net, double lr) {
    return switch (name == null ? "sgd" : name) {
      case "sgd" -> new SGD(net.parameters(), lr);
      case "adam" -> new Adam(net.parameters(), lr);
      default ->
          throw new IllegalArgumentException(
              "train: unknown optimizer '" + name + "'; choose sgd or adam");
    };
  }

  private static Path save(Sequential net, String model, Path file, PrintStream out)
      throws IOException {
    if (file == null) {
      return null;
    }
    Map<String, Tensor> state = new LinkedHashMap<>();
    net.stateDict().forEach((k, v) -> state.put(k, v.to(DType.FLOAT32)));
    SafeTensors.save(state, Map.of("nabla.model", model), file);
    out.println(
        "model saved to " + file + " (safetensors, keys " + new ArrayList<>(state.keySet()) + ")");
    return file;
  }
}
