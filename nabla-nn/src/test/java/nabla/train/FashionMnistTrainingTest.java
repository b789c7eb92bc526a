package nabla.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Path;
import nabla.Autograd;
import nabla.Generator;
import nabla.Tensor;
import nabla.data.Batch;
import nabla.data.DataLoader;
import nabla.data.FashionMnist;
import nabla.nn.CrossEntropyLoss;
import nabla.nn.Flatten;
import nabla.nn.Init;
import nabla.nn.Linear;
import nabla.nn.Sequential;
import nabla.optim.SGD;
import org.junit.jupiter.api.Test;

/**
 * D2L §4.5 (concise softmax regression) and §5.2 (MLP, 256 hidden units, ReLU) on the real
 * Fashion-MNIST: batch 256, lr 0.1, 10 epochs, weights N(0, 0.01²), bias 0. PyTorch 1.13 reaches
 * 0.834 and 0.845 test accuracy; the issue asks for at least 0.82 and 0.84. Skipped (with the
 * reason) when the dataset files are not installed ({@code apt-get install dataset-fashion-mnist}).
 */
class FashionMnistTrainingTest {

  private static FashionMnist cached;

  private static synchronized FashionMnist dataOrSkip() throws IOException {
    if (cached != null) {
      return cached;
    }
    Path dir;
    try {
      dir = FashionMnist.find(null);
    } catch (FileNotFoundException e) {
      assumeTrue(false, "Fashion-MNIST is not installed, skipping: " + e.getMessage());
      return null;
    }
    cached = FashionMnist.load(dir);
    return cached;
  }

  static double accuracy(Sequential net, DataLoader loader) {
    long correct = 0;
    long total = 0;
    try (var g = Autograd.noGrad()) {
      for (Batch b : loader) {
        Tensor predicted = net.forward(b.x()).argmax(1, false);
        correct += (long) predicted.eq(b.y()).to(nabla.DType.FLOAT32).sum().item();
        total += b.size();
      }
    }
    return (double) correct / total;
  }

  /** Trains {@code net} for 10 epochs of batch 256; returns the test accuracy. */
  static double train(FashionMnist data, Sequential net, nabla.optim.Optimizer opt, String what) {
    CrossEntropyLoss loss = new CrossEntropyLoss();
    DataLoader train = new DataLoader(data.train(), 256).shuffle(0);
    long start = System.nanoTime();
    double firstLoss = Double.NaN;
    double lastLoss = Double.NaN;
    for (int epoch = 0; epoch < 10; epoch++) {
      double sum = 0;
      int n = 0;
      for (Batch b : train) {
        Tensor l = loss.forward(net.forward(b.x()), b.y());
        opt.zeroGrad();
        l.backward();
        opt.step();
        sum += l.item() * b.size();
        n += b.size();
      }
      if (epoch == 0) {
        firstLoss = sum / n;
      }
      lastLoss = sum / n;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double acc = accuracy(net, new DataLoader(data.test(), 256));
    System.out.printf(
        "%s on Fashion-MNIST: train loss %.4f -> %.4f, test accuracy %.4f, %.1f s for 10 epochs%n",
        what, firstLoss, lastLoss, acc, seconds);
    assertTrue(lastLoss < firstLoss, what + ": the training loss should fall");
    return acc;
  }

  private static Sequential mlp() {
    Generator.manualSeed(0);
    Linear hidden = new Linear(784, 256);
    Linear out = new Linear(256, 10);
    for (Linear l : java.util.List.of(hidden, out)) {
      Init.normal(l.weight(), 0, 0.01);
      Init.zeros(l.bias());
    }
    return new Sequential(new Flatten(), hidden, new nabla.nn.ReLU(), out);
  }

  @Test
  void mlpWithSgdReachesTheBookAccuracy() throws IOException {
    FashionMnist data = dataOrSkip();
    Sequential net = mlp();
    double acc = train(data, net, new SGD(net.parameters(), 0.1), "MLP (256 hidden, SGD lr 0.1)");
    assertTrue(acc >= 0.84, "test accuracy " + acc + " < 0.84 (PyTorch: 0.845)");
  }

  @Test
  void reachesTheBookAccuracy() throws IOException {
    FashionMnist data = dataOrSkip();
    assertEquals(60000, data.train().size());
    assertEquals(10000, data.test().size());
    assertArrayEquals(new int[] {60000, 1, 28, 28}, data.train().tensor(0).shape());
    assertEquals(
        java.util.List.of("ankle boot", "pullover", "trouser"),
        FashionMnist.textLabels(data.test().tensor(1).slice(0, 0, 3)));
    // every class has 6000 training images
    Tensor counts = Tensor.zeros(10).scatterAdd(0, data.train().tensor(1), Tensor.ones(60000));
    assertArrayEquals(
        new float[] {6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000},
        counts.toFloatArray());

    Generator.manualSeed(0);
    Linear linear = new Linear(784, 10);
    Init.normal(linear.weight(), 0, 0.01);
    Init.zeros(linear.bias());
    Sequential net = new Sequential(new Flatten(), linear);
    CrossEntropyLoss loss = new CrossEntropyLoss();
    SGD opt = new SGD(net.parameters(), 0.1);
    DataLoader train = new DataLoader(data.train(), 256).shuffle(0);
    DataLoader test = new DataLoader(data.test(), 256);
    long start = System.nanoTime();
    double firstLoss = Double.NaN;
    double lastLoss = Double.NaN;
    for (int epoch = 0; epoch < 10; epoch++) {
      double sum = 0;
      int n = 0;
      for (Batch b : train) {
        Tensor l = loss.forward(net.forward(b.x()), b.y());
        opt.zeroGrad();
        l.backward();
        opt.step();
        sum += l.item() * b.size();
        n += b.size();
      }
      if (epoch == 0) {
        firstLoss = sum / n;
      }
      lastLoss = sum / n;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double acc = accuracy(net, test);
    System.out.printf(
        "softmax regression on Fashion-MNIST: train loss %.4f -> %.4f, test accuracy %.4f, %.1f s"
            + " for 10 epochs%n",
        firstLoss, lastLoss, acc, seconds);
    assertTrue(lastLoss < firstLoss, "training loss should fall");
    assertTrue(acc >= 0.82, "test accuracy " + acc + " < 0.82");
  }
}
