package nabla.examples;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Line charts written to PNG files with JFreeChart, without a display (the JVM is switched to
 * headless mode if nothing chose a mode yet), as D2L's {@code d2l.plot}.
 *
 * <pre>{@code
 * LinePlot.savePng(Path.of("out/sin.png"), "sin", "x", xs, Map.of("sin x", ys));
 * }</pre>
 */
public final class LinePlot {
  private LinePlot() {}

  private static final Color[] COLORS = {
    new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e)
  };

  /**
   * Draws each series of {@code ys} (in the map's iteration order, so pass a {@link
   * java.util.LinkedHashMap} for a fixed legend) against {@code x}, and saves the chart as an
   * 800×500 PNG, creating missing parent folders.
   *
   * @return {@code target}
   * @throws IllegalArgumentException when a series' length differs from {@code x}'s
   */
  public static Path savePng(
      Path target, String title, String xLabel, double[] x, Map<String, double[]> ys) {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    XYSeriesCollection data = new XYSeriesCollection();
    for (Map.Entry<String, double[]> e : ys.entrySet()) {
      double[] y = e.getValue();
      if (y.length != x.length) {
        throw new IllegalArgumentException(
            "savePng: series '"
                + e.getKey()
                + "' has "
                + y.length
                + " values but x has "
                + x.length);
      }
      XYSeries s = new XYSeries(e.getKey(), false, true);
      for (int i = 0; i < x.length; i++) {
        s.add(x[i], y[i]);
      }
      data.addSeries(s);
    }
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            title, xLabel, null, data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      renderer.setSeriesPaint(i, COLORS[i % COLORS.length]);
      renderer.setSeriesStroke(
          i,
          i == 0
              ? new BasicStroke(2f)
              : new BasicStroke(
                  2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 5f}, 0f));
    }
    plot.setRenderer(renderer);
    try {
      Path parent = target.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      ChartUtils.saveChartAsPNG(target.toFile(), chart, 800, 500);
    } catch (IOException e) {
      throw new UncheckedIOException("savePng: cannot write " + target, e);
    }
    return target;
  }
}
