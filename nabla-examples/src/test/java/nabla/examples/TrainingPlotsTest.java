package nabla.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import nabla.Tensor;
import nabla.nn.Sequential;
import nabla.train.EpochMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training curves, the image grid and the model files' architecture detection. */
class TrainingPlotsTest {

  private static BufferedImage read(Path p) throws IOException {
    assertTrue(Files.isRegularFile(p), p + " missing");
    BufferedImage img = ImageIO.read(p.toFile());
    assertTrue(img != null, p + " does not decode as an image");
    return img;
  }

  @Test
  void curvesAreRewrittenAtEveryEpoch(@TempDir Path dir) throws IOException {
    Path png = dir.resolve("sub/curves.png");
    TrainingCurves curves = new TrainingCurves(png, "test");
    curves.onBatchEnd(1, 1, 2, 1.0);
    curves.onBatchEnd(1, 2, 2, 0.8);
    curves.onEpochEnd(new EpochMetrics(1, 3, 0.9, 0.6, 0.7, 0.65, 100, 1.0));
    long first = Files.size(png);
    BufferedImage img = read(png);
    assertEquals(TrainingCurves.WIDTH, img.getWidth());
    assertEquals(TrainingCurves.HEIGHT, img.getHeight());
    curves.onBatchEnd(2, 1, 2, 0.5);
    curves.onBatchEnd(2, 2, 2, 0.4);
    curves.onEpochEnd(new EpochMetrics(2, 3, 0.45, 0.8, 0.5, 0.78, 100, 1.0));
    assertTrue(Files.size(png) != first, "the second epoch redraws the file");
    assertTrue(Files.notExists(dir.resolve("sub/curves.png.tmp")), "no temporary file left");
    // regression with a zero loss: no log axis, still a picture
    Path reg = dir.resolve("reg.png");
    TrainingCurves r = new TrainingCurves(reg, "regression");
    r.onEpochEnd(new EpochMetrics(1, 2, 0.0, Double.NaN, Double.NaN, Double.NaN, 10, 0.1));
    assertEquals(TrainingCurves.WIDTH, read(reg).getWidth());
  }

  @Test
  void withinEpochLossIsTheMeanOfEachTenthOfAnEpoch(@TempDir Path dir) {
    TrainingCurves curves = new TrainingCurves(dir.resolve("c.png"), "t");
    for (int b = 1; b <= 100; b++) {
      curves.onBatchEnd(1, b, 100, b); // loss = batch number
    }
    List<double[]> p = curves.trainLossPoints();
    assertEquals(10, p.size(), "ten points for 100 batches");
    for (int k = 0; k < 10; k++) {
      assertEquals((k + 1) / 10.0, p.get(k)[0], 1e-12, "x of point " + k);
      assertEquals(10 * k + 5.5, p.get(k)[1], 1e-12, "mean of batches " + (10 * k + 1) + "..");
    }
    // 7 batches per epoch: one point per batch, the last at the epoch's end
    TrainingCurves few = new TrainingCurves(dir.resolve("f.png"), "t");
    for (int b = 1; b <= 7; b++) {
      few.onBatchEnd(2, b, 7, 1.0);
    }
    assertEquals(7, few.trainLossPoints().size());
    assertEquals(2.0, few.trainLossPoints().getLast()[0], 1e-12);
  }

  @Test
  void imageGridDrawsEachPixelAndCaptions(@TempDir Path dir) throws IOException {
    // image 0 all white, image 1 all black, image 2 white left half
    float[] px = new float[3 * 4 * 4];
    for (int i = 0; i < 16; i++) {
      px[i] = 1f;
      px[32 + i] = (i % 4) < 2 ? 1f : 0f;
    }
    Tensor images = Tensor.of(px, 3, 1, 4, 4);
    Path png = dir.resolve("grid.png");
    ImageGrid.save(png, images, 1, 3, List.of("a", "b", "c"), List.of("a", "x", "c"));
    BufferedImage img = read(png);
    int cellW = Math.max(4 * ImageGrid.SCALE, 100);
    assertEquals(8 + 3 * (cellW + 8), img.getWidth());
    // the first image's centre is white, the second's black (pixels are drawn where they belong)
    int top = 24 + 8; // header, padding
    int y = top + 2 * ImageGrid.SCALE;
    int x0 = 8 + (cellW - 4 * ImageGrid.SCALE) / 2 + 2 * ImageGrid.SCALE;
    assertEquals(0xffffff, img.getRGB(x0, y) & 0xffffff);
    assertEquals(0x000000, img.getRGB(x0 + cellW + 8, y) & 0xffffff);
    int x2 = 8 + 2 * (cellW + 8) + (cellW - 4 * ImageGrid.SCALE) / 2;
    assertEquals(0xffffff, img.getRGB(x2 + 1, y) & 0xffffff, "left half white");
    assertEquals(0x000000, img.getRGB(x2 + 4 * ImageGrid.SCALE - 1, y) & 0xffffff, "right black");

    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ImageGrid.save(png, images, 2, 2, List.of("a", "b", "c", "d"), null));
    assertTrue(e.getMessage().contains("[3, 1, 4, 4]"), e.getMessage());
    var e2 =
        assertThrows(
            IllegalArgumentException.class,
            () -> ImageGrid.save(png, images, 1, 3, List.of("a"), null));
    assertTrue(e2.getMessage().contains("caption"), e2.getMessage());
  }

  @Test
  void modelFilesAreRecognisedByTheirKeysAndShapes() {
    nabla.Generator.manualSeed(0);
    Sequential mlp = Training.newModel("mlp");
    Sequential back = Training.modelFromStateDict(mlp.stateDict());
    assertEquals("MLP (784 -> 256 ReLU -> 10)", Training.describe(back));
    assertEquals(
        mlp.stateDict().get("3.weight").toFloatArray()[17],
        back.stateDict().get("3.weight").toFloatArray()[17]);
    Sequential softmax = Training.modelFromStateDict(Training.newModel("softmax").stateDict());
    assertEquals("softmax regression (784 -> 10)", Training.describe(softmax));

    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Training.modelFromStateDict(Map.of("weight", Tensor.zeros(10, 784))));
    assertTrue(e.getMessage().contains("weight=[10, 784]"), e.getMessage());
    var bias =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Training.modelFromStateDict(
                    Map.of("1.weight", Tensor.zeros(10, 784), "1.bias", Tensor.zeros(7))));
    assertTrue(bias.getMessage().contains("1.bias"), bias.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Training.newModel("resnet"));
    assertEquals(
        Path.of("out/mlp-predictions.png"),
        Training.siblingOf(Path.of("out/mlp-training.png"), "-predictions.png"));
    assertEquals(
        Path.of("a/b-predictions.png"), Training.siblingOf(Path.of("a/b.png"), "-predictions.png"));
    assertTrue(Collections.disjoint(List.of("x"), Training.MODELS));
  }
}
