package nabla.spark;

import nabla.Generator;
import nabla.nn.Flatten;
import nabla.nn.Init;
import nabla.nn.Linear;
import nabla.nn.ReLU;
import nabla.nn.Sequential;

/**
 * Model factories for {@link SparkTrainer} (a factory must build the same architecture on every
 * executor; the initial values only matter on the driver, the executors load the driver's).
 */
public final class Models {
  private Models() {}

  /**
   * The D2L §5.2 MLP for Fashion-MNIST: {@code Sequential(Flatten, Linear(784, 256), ReLU,
   * Linear(256, 10))}, weights N(0, 0.01²) drawn from the global generator seeded with {@code
   * seed}, biases 0 (the model {@code nabla train mlp} trains).
   *
   * <pre>{@code
   * Module net = Models.mlp(0);   // the same values for the same seed
   * }</pre>
   */
  public static Sequential mlp(long seed) {
    Generator.manualSeed(seed);
    Sequential net =
        new Sequential(new Flatten(), new Linear(784, 256), new ReLU(), new Linear(256, 10));
    for (int i = 0; i < net.size(); i++) {
      if (net.get(i) instanceof Linear l) {
        Init.normal(l.weight(), 0, 0.01);
        Init.zeros(l.bias());
      }
    }
    return net;
  }
}
