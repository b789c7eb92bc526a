package nabla.bench;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import nabla.Tensor;
import nabla.data.DataLoader;
import nabla.data.FashionMnist;
import nabla.data.TensorDataset;
import nabla.nn.CrossEntropyLoss;
import nabla.nn.Sequential;
import nabla.optim.Adam;
import nabla.optim.Optimizer;
import nabla.optim.SGD;

/**
 * Trains D2L's MLP from initial weights and batch orders that it writes to a folder, so that {@code
 * tools/bench/train_compare.py --same-trajectory DIR} can train PyTorch from exactly the same start
 * on exactly the same batches: the per-step losses then show whether the two implementations agree
 * (to float32 rounding at first, drifting apart later as rounding differences grow), and the final
 * accuracies how far the trajectories end apart. Prints JSON.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp nabla-bench/target/benchmarks.jar \
 *       nabla.bench.SameTrajectory DIR [--optimizer adam|sgd] [--epochs 10] [--seed 0]
 * </pre>
 *
 * <p>Files: one per state-dict entry ({@code 1.weight.f32}, {@code 1.bias.f32}, {@code
 * 3.weight.f32}, {@code 3.bias.f32}: little-endian float32, PyTorch's names and shapes) and {@code
 * order.i32} (epochs × 60000 little-endian int32 example indices).
 */
public final class SameTrajectory {

  private SameTrajectory() {}

  static void writeFloats(Path file, float[] data) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(data);
    Files.write(file, b.array());
  }

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    String optimizer = "adam";
    int epochs = 10;
    long seed = 0;
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--optimizer" -> optimizer = args[++i];
        case "--epochs" -> epochs = Integer.parseInt(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        default -> throw new IllegalArgumentException("SameTrajectory: unknown option " + args[i]);
      }
    }
    Files.createDirectories(dir);
    FashionMnist fm = FashionMnist.load((String) null);
    TensorDataset train = fm.train();
    int n = train.size();
    Sequential net = TrainEpochs.model("mlp", seed);
    Map<String, Tensor> state = net.stateDict();
    for (var e : state.entrySet()) {
      writeFloats(dir.resolve(e.getKey() + ".f32"), e.getValue().toFloatArray());
    }
    SplittableRandom r = new SplittableRandom(seed);
    int[][] orders = new int[epochs][n];
    try (DataOutputStream out =
        new DataOutputStream(Files.newOutputStream(dir.resolve("order.i32")))) {
      for (int[] order : orders) {
        for (int i = 0; i < n; i++) {
          order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
          int j = r.nextInt(i + 1);
          int t = order[i];
          order[i] = order[j];
          order[j] = t;
        }
        ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(order);
        out.write(b.array());
      }
    }
    double lr = optimizer.equals("adam") ? 1e-3 : 0.1;
    Optimizer opt =
        optimizer.equals("adam") ? new Adam(net.parameters(), lr) : new SGD(net.parameters(), lr);
    CrossEntropyLoss lossFn = new CrossEntropyLoss();
    List<Double> stepLoss = new ArrayList<>();
    List<Double> epochLoss = new ArrayList<>();
    List<Double> testAcc = new ArrayList<>();
    for (int[] order : orders) {
      double sum = 0;
      for (int start = 0; start < n; start += 256) {
        int[] idx = Arrays.copyOfRange(order, start, Math.min(start + 256, n));
        List<Tensor> b = train.batch(idx);
        Tensor l = lossFn.forward(net.forward(b.get(0)), b.get(1));
        opt.zeroGrad();
        l.backward();
        opt.step();
        double v = l.item();
        if (stepLoss.size() < 60) {
          stepLoss.add(v);
        }
        sum += v * idx.length;
      }
      epochLoss.add(sum / n);
      testAcc.add(TrainEpochs.accuracy(net, new DataLoader(fm.test(), 256)));
      System.err.printf(
          "nabla epoch %d: loss %.4f, test accuracy %.4f%n",
          epochLoss.size() - 1, sum / n, testAcc.getLast());
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("side", "nabla");
    out.put("optimizer", optimizer);
    out.put("step_loss", stepLoss);
    out.put("epoch_loss", epochLoss);
    out.put("epoch_test_accuracy", testAcc);
    System.out.println(TrainEpochs.json(out));
  }
}
