package nabla.train;

import java.io.Console;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import nabla.Autograd;
import nabla.DType;
import nabla.Tensor;
import nabla.data.Batch;
import nabla.data.DataLoader;
import nabla.nn.Loss;
import nabla.nn.Module;
import nabla.nn.Reduction;
import nabla.optim.Optimizer;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The training loop (D2L's {@code Trainer}): for each epoch, one pass of minibatch steps over the
 * training data, then an evaluation of the test data; per-epoch loss and (for classification) train
 * and test accuracy go to the {@link EpochListener}s, and a progress bar per epoch (batch i/n,
 * loss, examples/s, ETA) is drawn on standard error when the program runs in a terminal.
 *
 * <p>Each step is the plain loop {@code loss.forward(model.forward(x), y)}, {@code
 * optimizer.zeroGrad()}, {@code backward()}, {@code optimizer.step()}; the accuracy bookkeeping
 * runs under {@link Autograd#noGrad()} on the logits already computed, so it records no graph. The
 * model is in training mode during the pass and in evaluation mode (no dropout) for the test set.
 * The task is classification when the labels are int64 and the model outputs {@code [batch,
 * classes]} logits; otherwise only losses are measured.
 *
 * <pre>{@code
 * Sequential net = new Sequential(new Flatten(), new Linear(784, 256), new ReLU(), new Linear(256, 10));
 * List<EpochMetrics> history =
 *     new Trainer(net, new CrossEntropyLoss(), new SGD(net.parameters(), 0.1))
 *         .epochs(10)
 *         .onEpochEnd(m -> System.out.println(m))
 *         .fit(new DataLoader(data.train(), 256).shuffle(0), new DataLoader(data.test(), 256));
 * }</pre>
 *
 * <p>Progress bar: {@link Progress#AUTO} (the default) draws it only when {@link #isTerminal()} (so
 * logs and CI output stay clean); {@link #quiet()} never draws it, {@link Progress#ON} always does.
 * The Trainer prints nothing else.
 */
public final class Trainer {

  /** When {@link Trainer#fit} draws its progress bar. */
  public enum Progress {
    /** Only when standard input and output are a terminal ({@link Trainer#isTerminal()}). */
    AUTO,
    /** Always (to the stream given with {@link Trainer#progressTo}, standard error by default). */
    ON,
    /** Never. */
    OFF
  }

  private final Module model;
  private final Loss loss;
  private final Optimizer optimizer;
  private int epochs = 10;
  private Progress progress = Progress.AUTO;
  private PrintStream progressOut;
  private final List<EpochListener> epochListeners = new ArrayList<>();
  private final List<BatchListener> batchListeners = new ArrayList<>();
  private CompiledStep compiledStep;

  /**
   * A trainer for {@code model} with a loss of reduction mean or sum and an optimiser over the
   * model's parameters.
   *
   * @throws IllegalArgumentException when an argument is null or the loss's reduction is {@code
   *     NONE}
   */
  public Trainer(Module model, Loss loss, Optimizer optimizer) {
    if (model == null || loss == null || optimizer == null) {
      throw new IllegalArgumentException(
          "Trainer: model, loss and optimizer must not be null, got model="
              + model
              + ", loss="
              + loss
              + ", optimizer="
              + optimizer);
    }
    if (loss.reduction() == Reduction.NONE) {
      throw new IllegalArgumentException(
          "Trainer: the loss "
              + loss
              + " has reduction NONE (one value per example); the training loop needs a scalar:"
              + " use reduction MEAN (the default) or SUM");
    }
    this.model = model;
    this.loss = loss;
    this.optimizer = optimizer;
  }

  /**
   * Compiles each step's forward and backward pass ({@link CompiledStep}: one traced plan with
   * fused elementwise passes) when {@code compile} is true; off by default. A model that cannot be
   * traced (dropout in training mode) trains uncompiled, with a note. Returns this.
   */
  public Trainer compile(boolean compile) {
    compiledStep = compile ? new CompiledStep(model, loss) : null;
    return this;
  }

  /** The compiled step when {@link #compile(boolean)} is on, else null. */
  public CompiledStep compiledStep() {
    return compiledStep;
  }

  /** Sets the number of epochs (default 10); returns this. */
  public Trainer epochs(int epochs) {
    if (epochs < 1) {
      throw new IllegalArgumentException("Trainer.epochs: needs at least 1 epoch, got " + epochs);
    }
    this.epochs = epochs;
    return this;
  }

  /** The number of epochs {@link #fit} runs. */
  public int epochs() {
    return epochs;
  }

  /** Sets when the progress bar is drawn (default {@link Progress#AUTO}); returns this. */
  public Trainer progress(Progress progress) {
    this.progress = Objects.requireNonNullElse(progress, Progress.AUTO);
    return this;
  }

  /** No progress bar, even in a terminal: the same as {@code progress(Progress.OFF)}. */
  public Trainer quiet() {
    return progress(Progress.OFF);
  }

  /** Draws the progress bar on {@code out} instead of standard error; returns this. */
  public Trainer progressTo(PrintStream out) {
    this.progressOut = out;
    return this;
  }

  /** Adds a listener called at the end of every epoch; returns this. */
  public Trainer onEpochEnd(EpochListener listener) {
    epochListeners.add(Objects.requireNonNull(listener, "Trainer.onEpochEnd: listener is null"));
    return this;
  }

  /** Adds a listener called after every optimiser step; returns this. */
  public Trainer onBatchEnd(BatchListener listener) {
    batchListeners.add(Objects.requireNonNull(listener, "Trainer.onBatchEnd: listener is null"));
    return this;
  }

  /**
   * Whether the JVM's standard input and output are an interactive terminal (so a progress bar
   * redrawn in place makes sense). Since JDK 22 {@link System#console()} exists even when output is
   * redirected, so this asks {@link Console#isTerminal()}.
   */
  public static boolean isTerminal() {
    Console c = System.console();
    return c != null && c.isTerminal();
  }

  /** Trains without a test set; see {@link #fit(DataLoader, DataLoader)}. */
  public List<EpochMetrics> fit(DataLoader train) {
    return fit(train, null);
  }

  /**
   * Runs {@link #epochs()} epochs over {@code train}, evaluating {@code test} (may be null) after
   * each; returns the metrics of every epoch, in order (the same objects the listeners got).
   *
   * @throws IllegalArgumentException when {@code train} is null or yields no batch
   */
  public List<EpochMetrics> fit(DataLoader train, DataLoader test) {
    if (train == null) {
      throw new IllegalArgumentException("Trainer.fit: the training DataLoader is null");
    }
    int batches = train.numBatches();
    if (batches == 0) {
      throw new IllegalArgumentException(
          "Trainer.fit: the training DataLoader yields no batch (dataset of "
              + train.dataset().size()
              + " examples, batch size "
              + train.batchSize()
              + ", drop-last on?); give it at least one full batch");
    }
    boolean drawBar = progress == Progress.ON || (progress == Progress.AUTO && isTerminal());
    // The terminal is asked its width once per fit: asking costs 50-300 ms, and the library
    // would ask for every bar, that is every epoch.
    PrintStream barOut = !drawBar ? null : progressOut != null ? progressOut : System.err;
    int barWidth = !drawBar ? 0 : progressOut != null ? 100 : terminalWidth() - 1;
    List<EpochMetrics> history = new ArrayList<>();
    for (int epoch = 1; epoch <= epochs; epoch++) {
      EpochMetrics m = trainEpoch(train, test, epoch, batches, barOut, barWidth);
      history.add(m);
      for (EpochListener l : epochListeners) {
        l.onEpochEnd(m);
      }
    }
    return history;
  }

  private EpochMetrics trainEpoch(
      DataLoader train, DataLoader test, int epoch, int batches, PrintStream barOut, int width) {
    model.train();
    double lossSum = 0;
    long correct = 0;
    long examples = 0;
    boolean classification = true;
    double seconds;
    try (ProgressBar bar = barOut != null ? newBar(epoch, batches, barOut, width) : null) {
      long start = System.nanoTime();
      long nextBarUpdate = start;
      int k = 0;
      for (Batch b : train) {
        k++;
        Tensor out;
        Tensor l;
        if (compiledStep != null) {
          zeroGradOutsideModel(); // the compiled step replaces the model's gradients itself
          CompiledStep.Result r = compiledStep.run(b.x(), b.y());
          out = r.output();
          l = r.loss();
        } else {
          optimizer.zeroGrad();
          out = model.forward(b.x());
          l = loss.forward(out, b.y());
          l.backward();
        }
        optimizer.step();
        double batchLoss = l.item();
        int n = b.size();
        lossSum += loss.reduction() == Reduction.SUM ? batchLoss : batchLoss * n;
        examples += n;
        if (classification) {
          classification = isClassification(out, b.y());
          if (classification) {
            correct += countCorrect(out, b.y());
          }
        }
        double meanLoss = loss.reduction() == Reduction.SUM ? batchLoss / n : batchLoss;
        for (BatchListener bl : batchListeners) {
          bl.onBatchEnd(epoch, k, batches, meanLoss);
        }
        if (bar != null && (k == batches || System.nanoTime() >= nextBarUpdate)) {
          // at most ten updates a second: the bar redraws every 250 ms anyway
          nextBarUpdate = System.nanoTime() + 100_000_000L;
          double elapsed = (System.nanoTime() - start) / 1e9;
          bar.stepTo(k);
          bar.setExtraMessage(
              String.format(
                  java.util.Locale.ROOT,
                  " loss %.4f, %,.0f examples/s",
                  lossSum / examples,
                  examples / elapsed));
        }
      }
      seconds = (System.nanoTime() - start) / 1e9;
    }
    double testLoss = Double.NaN;
    double testAccuracy = Double.NaN;
    if (test != null) {
      Evaluation e = evaluate(model, loss, test);
      testLoss = e.loss();
      testAccuracy = classification ? e.accuracy() : Double.NaN;
    }
    model.train();
    return new EpochMetrics(
        epoch,
        epochs,
        lossSum / examples,
        classification ? (double) correct / examples : Double.NaN,
        testLoss,
        testAccuracy,
        examples,
        seconds);
  }

  private ProgressBar newBar(int epoch, int batches, PrintStream out, int width) {
    return new ProgressBarBuilder()
        .setTaskName("epoch " + epoch + "/" + epochs)
        .setInitialMax(batches)
        .setUpdateIntervalMillis(250)
        .setConsumer(new ConsoleProgressBarConsumer(out, width))
        .build();
  }

  /** The terminal's width in columns (80 when it cannot be told). */
  private static int terminalWidth() {
    try (Terminal t = TerminalBuilder.builder().system(true).dumb(true).build()) {
      int w = t.getWidth();
      return w >= 40 ? w : 80;
    } catch (java.io.IOException | RuntimeException e) {
      return 80;
    }
  }

  /**
   * The mean loss and, for int64 labels and {@code [batch, classes]} outputs, the accuracy of
   * {@code model} on every batch of {@code data}, in evaluation mode and without recording a graph.
   * The model is left in evaluation mode.
   *
   * <pre>{@code
   * double acc = Trainer.evaluate(net, new CrossEntropyLoss(), new DataLoader(data.test(), 256)).accuracy();
   * }</pre>
   *
   * @throws IllegalArgumentException when an argument is null or {@code data} is empty
   */
  public static Evaluation evaluate(Module model, Loss loss, DataLoader data) {
    if (model == null || loss == null || data == null) {
      throw new IllegalArgumentException(
          "Trainer.evaluate: model, loss and data must not be null, got model="
              + model
              + ", loss="
              + loss
              + ", data="
              + data);
    }
    model.eval();
    double lossSum = 0;
    long correct = 0;
    long examples = 0;
    boolean classification = true;
    try (var g = Autograd.noGrad()) {
      for (Batch b : data) {
        Tensor out = model.forward(b.x());
        Tensor l = loss.forward(out, b.y());
        int n = b.size();
        double v = l.dim() == 0 ? l.item() : l.sum().item() / n; // NONE reduction: mean it
        lossSum += loss.reduction() == Reduction.SUM ? v : v * n;
        examples += n;
        if (classification) {
          classification = isClassification(out, b.y());
          if (classification) {
            correct += countCorrect(out, b.y());
          }
        }
      }
    }
    if (examples == 0) {
      throw new IllegalArgumentException(
          "Trainer.evaluate: the DataLoader yields no example (dataset of "
              + data.dataset().size()
              + " examples, batch size "
              + data.batchSize()
              + ")");
    }
    return new Evaluation(
        lossSum / examples, classification ? (double) correct / examples : Double.NaN, examples);
  }

  private static boolean isClassification(Tensor out, Tensor labels) {
    return labels.dtype() == DType.INT64
        && labels.dim() == 1
        && out.dim() == 2
        && out.size(0) == labels.size(0);
  }

  /** Number of rows whose largest logit is at the label, computed without recording a graph. */
  private static long countCorrect(Tensor logits, Tensor labels) {
    try (var g = Autograd.noGrad()) {
      return Math.round(logits.argmax(1, false).eq(labels).to(DType.FLOAT32).sum().item());
    }
  }

  /**
   * Zeroes the gradients of the optimiser's parameters that are not the model's (the compiled step
   * sets the model's), so a compiled step does not fill buffers it is about to replace.
   */
  private void zeroGradOutsideModel() {
    java.util.Set<Tensor> own =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    own.addAll(model.parameters());
    for (Tensor p : optimizer.params()) {
      if (!own.contains(p)) {
        p.zeroGrad();
      }
    }
  }
}
