package nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import nabla.data.FashionMnist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nabla train} and {@code nabla predict} end to end, through picocli as a user types them.
 * The Fashion-MNIST runs are skipped when the dataset is not installed (CI installs it).
 */
class TrainCommandTest {

  /** What a command printed and returned. */
  record Run(int exitCode, String out, String err) {}

  static Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      System.setOut(o);
      System.setErr(e);
      code = NablaCli.newCommandLine().execute(args);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static double[] numbers(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertTrue(m.find(), "no match for " + regex + " in:\n" + text);
    double[] v = new double[m.groupCount()];
    for (int i = 0; i < v.length; i++) {
      v[i] = Double.parseDouble(m.group(i + 1));
    }
    return v;
  }

  static BufferedImage png(Path file) throws IOException {
    assertTrue(Files.isRegularFile(file), file + " was not written");
    BufferedImage img = ImageIO.read(file.toFile());
    assertTrue(img != null, file + " is not a readable PNG");
    return img;
  }

  @Test
  void linregRecoversTheBookWeightsAndWritesItsCurves(@TempDir Path dir) throws IOException {
    Path plot = dir.resolve("curves/linreg.png");
    Run r = run("train", "linreg", "--plot", plot.toString(), "--quiet");
    assertEquals(0, r.exitCode(), r.err());
    double[] w = numbers(r.out(), "estimated w: \\[(-?[0-9.]+), (-?[0-9.]+)\\]");
    double b = numbers(r.out(), "estimated b: (-?[0-9.]+)")[0];
    assertEquals(2.0, w[0], 0.02, r.out());
    assertEquals(-3.4, w[1], 0.02, r.out());
    assertEquals(4.2, b, 0.02, r.out());
    assertEquals(3, r.out().lines().filter(l -> l.trim().startsWith("epoch ")).count(), r.out());
    BufferedImage img = png(plot);
    assertEquals(800, img.getWidth());
    assertEquals(500, img.getHeight());
    assertEquals("", r.err(), "--quiet: no progress bar");
  }

  @Test
  void badModelAndOptimizerNamesAreRefused() {
    Run r = run("train", "resnet");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("linreg, softmax, mlp"), r.err());
    Run o = run("train", "linreg", "--optimizer", "rmsprop", "--no-plot");
    assertEquals(2, o.exitCode());
    assertTrue(o.err().contains("sgd or adam"), o.err());
    Run p = run("predict", "--model", "/nonexistent/model.safetensors");
    assertEquals(1, p.exitCode());
    assertTrue(p.err().contains("./nabla train mlp --save"), p.err());
  }

  @Test
  void softmaxOneEpochThenPredictFromTheSavedModel(@TempDir Path dir) throws IOException {
    try {
      FashionMnist.find(null);
    } catch (FileNotFoundException e) {
      assumeTrue(false, "Fashion-MNIST is not installed, skipping: " + e.getMessage());
    }
    Path model = dir.resolve("softmax.safetensors");
    Path plot = dir.resolve("softmax-training.png");
    Run t =
        run(
            "train",
            "softmax",
            "--epochs",
            "1",
            "--save",
            model.toString(),
            "--plot",
            plot.toString(),
            "--quiet");
    assertEquals(0, t.exitCode(), t.err());
    List<String> lines = t.out().lines().toList();
    String last = lines.getLast();
    assertTrue(last.matches("test accuracy: 0\\.\\d{4}"), "last line: " + last);
    double trained = Double.parseDouble(last.substring("test accuracy: ".length()));
    assertTrue(trained > 0.70 && trained < 0.90, "one epoch of softmax regression: " + trained);
    assertTrue(Files.size(model) > 4 * 7850, "the weights and bias in float32");

    BufferedImage curves = png(plot);
    assertEquals(800, curves.getWidth());
    BufferedImage grid = png(dir.resolve("softmax-predictions.png"));
    assertTrue(grid.getWidth() > 9 * 112 && grid.getHeight() > 2 * 112, "2x9 images of 112 px");

    Run p = run("predict", "--model", model.toString());
    assertEquals(0, p.exitCode(), p.err());
    double predicted = numbers(p.out(), "accuracy: (0\\.\\d+)")[0];
    assertEquals(trained, predicted, 1e-4, "the saved model classifies as the trained one");
    // confusion matrix: ten rows named by their labels, 1000 test images of each class
    List<long[]> rows = new ArrayList<>();
    for (String line : p.out().lines().toList()) {
      for (int c = 0; c < 10; c++) {
        String prefix = c + " " + FashionMnist.LABELS.get(c);
        if (line.startsWith(prefix + " ")) {
          String[] cells = line.substring(prefix.length()).trim().split("\\s+");
          long[] counts = new long[10];
          for (int k = 0; k < 10; k++) {
            counts[k] = Long.parseLong(cells[k]);
          }
          rows.add(counts);
        }
      }
    }
    assertEquals(10, rows.size(), p.out());
    long diagonal = 0;
    for (int c = 0; c < 10; c++) {
      assertEquals(1000, java.util.Arrays.stream(rows.get(c)).sum(), "row " + c);
      diagonal += rows.get(c)[c];
    }
    assertEquals(predicted, diagonal / 10000.0, 1e-4, "accuracy = trace / total");
  }
}
