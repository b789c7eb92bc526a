package nabla.examples;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import nabla.train.BatchListener;
import nabla.train.EpochListener;
import nabla.train.EpochMetrics;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Loss and accuracy per epoch as a PNG chart that is rewritten at the end of every epoch (D2L's
 * {@code Animator}: open the file in an image viewer and watch it grow). For classification the
 * chart has the training loss, training accuracy and test accuracy on one axis, as in the book; for
 * regression the training (and test) loss on a logarithmic axis. Registered as a {@link
 * BatchListener} too, it draws the training loss within epochs as well (the mean of each tenth of
 * an epoch, at fractional epochs, as the book's plots do).
 *
 * <pre>{@code
 * TrainingCurves curves = new TrainingCurves(Path.of("out/mlp-training.png"), "MLP on Fashion-MNIST");
 * new Trainer(net, loss, sgd).onEpochEnd(curves).onBatchEnd(curves).fit(train, test);
 * }</pre>
 */
public final class TrainingCurves implements EpochListener, BatchListener {
  /** Training-loss points per epoch drawn from the per-batch losses. */
  static final int POINTS_PER_EPOCH = 10;

  /** Width of the PNG in pixels. */
  public static final int WIDTH = 800;

  /** Height of the PNG in pixels. */
  public static final int HEIGHT = 500;

  private static final Color BLUE = new Color(0x1f77b4);
  private static final Color PURPLE = new Color(0x9467bd);
  private static final Color GREEN = new Color(0x2ca02c);
  private static final Color RED = new Color(0xd62728);

  private final Path target;
  private final String title;
  private final List<EpochMetrics> history = new ArrayList<>();
  private final XYSeries batchLoss = new XYSeries("train loss", false, true);
  private double bucketSum;
  private int bucketCount;

  /** Collects the batch's loss; every tenth of an epoch their mean becomes a point. */
  @Override
  public void onBatchEnd(int epoch, int batch, int batches, double loss) {
    bucketSum += loss;
    bucketCount++;
    // batch b (from 1) falls in bucket floor((b - 1) * POINTS / batches); a bucket ends at the
    // last batch of the epoch or when the next batch starts a new one
    if (batch == batches
        || (long) (batch - 1) * POINTS_PER_EPOCH / batches
            != (long) batch * POINTS_PER_EPOCH / batches) {
      batchLoss.add(epoch - 1 + (double) batch / batches, bucketSum / bucketCount);
      bucketSum = 0;
      bucketCount = 0;
    }
  }

  /**
   * A chart titled {@code title} written to {@code target} (parent folders are created).
   *
   * @throws IllegalArgumentException when {@code target} is null
   */
  public TrainingCurves(Path target, String title) {
    if (target == null) {
      throw new IllegalArgumentException("TrainingCurves: the target PNG path is null");
    }
    this.target = target;
    this.title = title == null ? "" : title;
  }

  /** The PNG file. */
  public Path target() {
    return target;
  }

  /** The within-epoch training-loss points so far, as {x (fractional epoch), mean loss}. */
  List<double[]> trainLossPoints() {
    List<double[]> points = new ArrayList<>();
    for (int i = 0; i < batchLoss.getItemCount(); i++) {
      points.add(new double[] {batchLoss.getX(i).doubleValue(), batchLoss.getY(i).doubleValue()});
    }
    return points;
  }

  /** Adds the epoch's points and rewrites the PNG. */
  @Override
  public void onEpochEnd(EpochMetrics metrics) {
    history.add(metrics);
    write();
  }

  /** Writes the chart of the epochs seen so far (also called by {@link #onEpochEnd}). */
  public Path write() {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    boolean classification = !history.isEmpty() && history.getFirst().isClassification();
    XYSeries trainLoss = new XYSeries("train loss");
    XYSeries testLoss = new XYSeries("test loss");
    XYSeries trainAcc = new XYSeries("train acc");
    XYSeries testAcc = new XYSeries("test acc");
    for (EpochMetrics m : history) {
      trainLoss.add(m.epoch(), m.trainLoss());
      if (!Double.isNaN(m.testLoss())) {
        testLoss.add(m.epoch(), m.testLoss());
      }
      if (classification) {
        trainAcc.add(m.epoch(), m.trainAccuracy());
        if (!Double.isNaN(m.testAccuracy())) {
          testAcc.add(m.epoch(), m.testAccuracy());
        }
      }
    }
    boolean withinEpochs = batchLoss.getItemCount() > 0;
    if (withinEpochs) {
      trainLoss = batchLoss;
    }
    XYSeriesCollection data = new XYSeriesCollection();
    List<Color> colors = new ArrayList<>();
    List<Boolean> dashed = new ArrayList<>();
    data.addSeries(trainLoss);
    colors.add(BLUE);
    dashed.add(false);
    if (classification) {
      data.addSeries(trainAcc);
      colors.add(PURPLE);
      dashed.add(true);
      if (testAcc.getItemCount() > 0) {
        data.addSeries(testAcc);
        colors.add(GREEN);
        dashed.add(true);
      }
    } else if (testLoss.getItemCount() > 0) {
      data.addSeries(testLoss);
      colors.add(RED);
      dashed.add(true);
    }
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            title, "epoch", null, data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    int epochs = history.isEmpty() ? 1 : history.getFirst().epochs();
    NumberAxis x = (NumberAxis) plot.getDomainAxis();
    x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    if (withinEpochs) {
      x.setRange(0, epochs);
    } else {
      x.setRange(epochs > 1 ? 1 : 0.5, epochs > 1 ? epochs : 1.5);
    }
    if (!classification && positive(trainLoss) && positive(testLoss)) {
      LogAxis y = new LogAxis("loss (log scale)");
      y.setSmallestValue(1e-12);
      y.setAutoRangeMinimumSize(1e-12);
      y.setTickUnit(new NumberTickUnit(1)); // one tick per power of ten
      plot.setRangeAxis(y);
    } else if (classification) {
      NumberAxis y = (NumberAxis) plot.getRangeAxis();
      y.setAutoRangeIncludesZero(false);
    }
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < colors.size(); i++) {
      renderer.setSeriesPaint(i, colors.get(i));
      renderer.setSeriesShape(i, new Ellipse2D.Double(-3, -3, 6, 6));
      renderer.setSeriesShapesVisible(i, !(withinEpochs && i == 0));
      renderer.setSeriesStroke(
          i,
          dashed.get(i)
              ? new BasicStroke(
                  2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 5f}, 0f)
              : new BasicStroke(2f));
    }
    plot.setRenderer(renderer);
    try {
      Path parent = target.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      // written beside the target and moved, so a viewer never sees half a file
      Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
      ChartUtils.saveChartAsPNG(tmp.toFile(), chart, WIDTH, HEIGHT);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("TrainingCurves: cannot write " + target, e);
    }
    return target;
  }

  private static boolean positive(XYSeries s) {
    for (int i = 0; i < s.getItemCount(); i++) {
      if (!(s.getY(i).doubleValue() > 0)) {
        return false;
      }
    }
    return true;
  }
}
