package nabla.examples;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import nabla.DType;
import nabla.Tensor;

/**
 * A grid of grayscale images with a caption under each, saved as PNG (D2L's {@code show_images}):
 * for Fashion-MNIST, the true label and the prediction, in red when they differ. Drawn with Java2D
 * and written with {@link ImageIO}; a picture grid is not a chart, so JFreeChart is not involved.
 *
 * <pre>{@code
 * Tensor x = data.test().tensor(0).slice(0, 0, 18);                  // [18, 1, 28, 28] in [0, 1]
 * ImageGrid.save(Path.of("out/predictions.png"), x, 2, 9, trueLabels, predictedLabels);
 * }</pre>
 */
public final class ImageGrid {
  private ImageGrid() {}

  /** Each pixel of an image is drawn as a square of this many screen pixels. */
  static final int SCALE = 4;

  /**
   * Draws the first {@code rows × cols} images of {@code images} ({@code [n, h, w]} or {@code [n,
   * 1, h, w]}, values in [0, 1] drawn from black to white) with {@code truth[i]} and, when {@code
   * predicted} is not null, {@code predicted[i]} under image i.
   *
   * @return {@code target}
   * @throws IllegalArgumentException when the shape is not one of those, there are fewer images
   *     than cells, or a label list is shorter than the number of cells
   * @throws IOException when the file cannot be written
   */
  public static Path save(
      Path target, Tensor images, int rows, int cols, List<String> truth, List<String> predicted)
      throws IOException {
    int[] s = images.shape();
    boolean ok = s.length == 3 || (s.length == 4 && s[1] == 1);
    int cells = rows * cols;
    if (!ok || rows < 1 || cols < 1 || s[0] < cells) {
      throw new IllegalArgumentException(
          "ImageGrid.save: needs at least rows*cols = "
              + cells
              + " grayscale images of shape [n, h, w] or [n, 1, h, w], got "
              + Arrays.toString(s)
              + " for a "
              + rows
              + "x"
              + cols
              + " grid");
    }
    if (truth == null || truth.size() < cells || (predicted != null && predicted.size() < cells)) {
      throw new IllegalArgumentException(
          "ImageGrid.save: needs a caption for each of the "
              + cells
              + " cells, got "
              + (truth == null ? "no" : truth.size())
              + " true labels and "
              + (predicted == null ? "no" : predicted.size())
              + " predictions");
    }
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    int h = s[s.length - 2];
    int w = s[s.length - 1];
    float[] px = images.slice(0, 0, cells).contiguous().to(DType.FLOAT32).toFloatArray();
    Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    int cellW = Math.max(w * SCALE, 100);
    int captionH = predicted == null ? 20 : 36;
    int pad = 8;
    int header = predicted == null ? 0 : 24;
    int width = cols * (cellW + pad) + pad;
    int height = header + rows * (h * SCALE + captionH + pad) + pad;
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      g.setFont(font);
      FontMetrics fm = g.getFontMetrics();
      if (predicted != null) {
        g.setColor(Color.DARK_GRAY);
        g.drawString(
            "under each image: its label, then → the prediction (green: right, red: wrong)",
            pad,
            pad + fm.getAscent());
      }
      for (int k = 0; k < cells; k++) {
        int x0 = pad + (k % cols) * (cellW + pad);
        int y0 = header + pad + (k / cols) * (h * SCALE + captionH + pad);
        int xi = x0 + (cellW - w * SCALE) / 2;
        for (int r = 0; r < h; r++) {
          for (int c = 0; c < w; c++) {
            float v = px[(k * h + r) * w + c];
            int gray = Math.round(255 * Math.clamp(v, 0f, 1f));
            g.setColor(new Color(gray, gray, gray));
            g.fillRect(xi + c * SCALE, y0 + r * SCALE, SCALE, SCALE);
          }
        }
        int ty = y0 + h * SCALE + fm.getAscent() + 2;
        g.setColor(Color.BLACK);
        centred(g, fm, truth.get(k), x0, cellW, ty);
        if (predicted != null) {
          boolean right = predicted.get(k).equals(truth.get(k));
          g.setColor(right ? new Color(0x2ca02c) : new Color(0xd62728));
          centred(g, fm, "→ " + predicted.get(k), x0, cellW, ty + fm.getHeight());
        }
      }
    } finally {
      g.dispose();
    }
    Path parent = target.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (!ImageIO.write(img, "png", target.toFile())) {
      throw new IOException("ImageGrid.save: no PNG writer in this JVM for " + target);
    }
    return target;
  }

  private static void centred(Graphics2D g, FontMetrics fm, String text, int x0, int width, int y) {
    g.drawString(text, x0 + (width - fm.stringWidth(text)) / 2, y);
  }
}
