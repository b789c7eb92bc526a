package nabla.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import nabla.Generator;
import nabla.Tensor;
import nabla.data.DataLoader;
import nabla.data.LinearRegressionData;
import nabla.data.TensorDataset;
import nabla.nn.CrossEntropyLoss;
import nabla.nn.Linear;
import nabla.nn.MSELoss;
import nabla.nn.Reduction;
import nabla.nn.Sequential;
import nabla.optim.SGD;
import org.junit.jupiter.api.Test;

class TrainerTest {

  /** Two Gaussian blobs per class in 2-d, three classes, linearly separable enough. */
  private static TensorDataset blobs(int perClass, long seed) {
    Generator g = new Generator(seed);
    double[][] centres = {{3, 0}, {-3, 3}, {-3, -3}};
    List<Tensor> xs = new ArrayList<>();
    long[] labels = new long[3 * perClass];
    for (int c = 0; c < 3; c++) {
      xs.add(g.randn(perClass, 2).add(Tensor.of(centres[c], 2)));
      for (int i = 0; i < perClass; i++) {
        labels[c * perClass + i] = c;
      }
    }
    return new TensorDataset(
        Tensor.cat(0, xs.toArray(new Tensor[0])), Tensor.ofLongs(labels, 3 * perClass));
  }

  @Test
  void classificationDeliversFallingLossAndRisingAccuracyEveryEpoch() {
    Generator.manualSeed(1);
    Sequential net = new Sequential(new Linear(2, 3));
    List<EpochMetrics> seen = new ArrayList<>();
    List<Integer> batchesSeen = new ArrayList<>();
    List<EpochMetrics> history =
        new Trainer(net, new CrossEntropyLoss(), new SGD(net.parameters(), 0.05))
            .epochs(4)
            .quiet()
            .onEpochEnd(seen::add)
            .onBatchEnd((epoch, batch, batches, loss) -> batchesSeen.add(batch))
            .fit(new DataLoader(blobs(100, 2), 32).shuffle(3), new DataLoader(blobs(50, 4), 64));

    assertEquals(history, seen, "the listener gets every epoch's metrics, in order");
    assertEquals(4, seen.size());
    for (int i = 0; i < 4; i++) {
      EpochMetrics m = seen.get(i);
      assertEquals(i + 1, m.epoch());
      assertEquals(4, m.epochs());
      assertEquals(300, m.examples());
      assertTrue(m.isClassification());
      assertTrue(m.trainAccuracy() >= 0 && m.trainAccuracy() <= 1, m.toString());
      assertTrue(m.seconds() > 0, m.toString());
    }
    // 300 examples in batches of 32: 10 batches per epoch, numbered 1..10
    assertEquals(40, batchesSeen.size());
    assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), batchesSeen.subList(0, 10));
    assertTrue(
        seen.get(3).trainLoss() < seen.get(0).trainLoss(),
        "the training loss should fall: " + history);
    assertTrue(seen.get(3).testAccuracy() > 0.95, "separable blobs: " + seen.get(3));
    // the test metrics are those of the final model
    Evaluation e = Trainer.evaluate(net, new CrossEntropyLoss(), new DataLoader(blobs(50, 4), 7));
    assertEquals(seen.get(3).testAccuracy(), e.accuracy(), 1e-12);
    assertEquals(seen.get(3).testLoss(), e.loss(), 1e-5);
    assertEquals(150, e.examples());
  }

  @Test
  void evaluateCountsCorrectRowsExactly() {
    // logits with a known argmax per row: rows 0 and 2 right, row 1 wrong
    Sequential identity = new Sequential(new nabla.nn.Flatten());
    Tensor logits = Tensor.of(new double[] {5, 1, 0, 0, 1, 9, 0, 7, 1}, 3, 3);
    Tensor labels = Tensor.ofLongs(new long[] {0, 1, 1}, 3);
    Evaluation e =
        Trainer.evaluate(
            identity, new CrossEntropyLoss(), new DataLoader(new TensorDataset(logits, labels), 2));
    assertEquals(2.0 / 3, e.accuracy(), 1e-12);
    double expectedLoss = new CrossEntropyLoss().forward(logits, labels).item();
    assertEquals(expectedLoss, e.loss(), 1e-6);
  }

  @Test
  void regressionRecoversTheLineAndReportsNoAccuracy() {
    Generator.manualSeed(0);
    Linear linear = new Linear(2, 1);
    List<EpochMetrics> history =
        new Trainer(linear, new MSELoss(), new SGD(linear.parameters(), 0.03))
            .epochs(3)
            .quiet()
            .fit(new DataLoader(LinearRegressionData.d2l(1000, 7), 10).shuffle(1));
    assertEquals(3, history.size());
    assertTrue(Double.isNaN(history.get(2).trainAccuracy()));
    assertTrue(Double.isNaN(history.get(2).testLoss()), "no test set, no test loss");
    assertTrue(history.get(2).trainLoss() < 1e-3, history.toString());
    float[] w = linear.weight().toFloatArray();
    assertEquals(2.0, w[0], 0.02);
    assertEquals(-3.4, w[1], 0.02);
    assertEquals(4.2, linear.bias().item(), 0.02);
    assertTrue(!history.get(2).toString().contains("acc"), history.get(2).toString());
  }

  @Test
  void quietPrintsNothingAndProgressOnDrawsTheBar() {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (PrintStream p = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      System.setOut(p);
      System.setErr(p);
      Generator.manualSeed(0);
      Linear linear = new Linear(2, 1);
      new Trainer(linear, new MSELoss(), new SGD(linear.parameters(), 0.03))
          .epochs(2)
          .quiet()
          .fit(new DataLoader(LinearRegressionData.d2l(100, 7), 10));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    assertEquals("", captured.toString(StandardCharsets.UTF_8));

    ByteArrayOutputStream bar = new ByteArrayOutputStream();
    try (PrintStream p = new PrintStream(bar, true, StandardCharsets.UTF_8)) {
      Linear linear = new Linear(2, 1);
      new Trainer(linear, new MSELoss(), new SGD(linear.parameters(), 0.03))
          .epochs(2)
          .progress(Trainer.Progress.ON)
          .progressTo(p)
          .fit(new DataLoader(LinearRegressionData.d2l(100, 7), 10));
    }
    String text = bar.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("epoch 1/2"), text);
    assertTrue(text.contains("epoch 2/2"), text);
    assertTrue(text.contains("10/10"), "batch i/n: " + text);
    assertTrue(text.contains("examples/s"), text);
    assertTrue(text.contains("loss "), text);
  }

  @Test
  void badArgumentsAreExplained() {
    Linear linear = new Linear(2, 1);
    SGD sgd = new SGD(linear.parameters(), 0.1);
    var e1 =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Trainer(linear, new MSELoss().reduction(Reduction.NONE), sgd));
    assertTrue(e1.getMessage().contains("NONE"), e1.getMessage());
    var e2 =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Trainer(linear, new MSELoss(), sgd).epochs(0));
    assertTrue(e2.getMessage().contains("epochs"), e2.getMessage());
    var e3 =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new Trainer(linear, new MSELoss(), sgd)
                    .fit(new DataLoader(LinearRegressionData.d2l(5, 1), 10).dropLast(true)));
    assertTrue(e3.getMessage().contains("no batch"), e3.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Trainer(null, new MSELoss(), sgd));
  }
}
