package nabla.nn;

import nabla.Tensor;

/**
 * Modules applied one after the other (PyTorch's {@code nn.Sequential}); the children are named
 * {@code 0, 1, 2, ...}, so parameters are {@code 0.weight}, {@code 0.bias}, ...
 *
 * <pre>{@code
 * Sequential net = new Sequential(new Flatten(), new Linear(784, 256), new ReLU(), new Linear(256, 10));
 * Tensor logits = net.forward(Tensor.randn(4, 1, 28, 28));   // shape [4, 10]
 * Linear first = (Linear) net.get(1);
 * }</pre>
 */
public class Sequential extends Module {
  private final Module[] layers;

  /** The given modules in order. */
  public Sequential(Module... layers) {
    if (layers == null) {
      throw new IllegalArgumentException("Sequential: the module array is null");
    }
    this.layers = layers.clone();
    for (int i = 0; i < layers.length; i++) {
      if (layers[i] == null) {
        throw new IllegalArgumentException("Sequential: module " + i + " is null");
      }
      registerModule(Integer.toString(i), layers[i]);
    }
  }

  /** The module at {@code index}. */
  public Module get(int index) {
    if (index < 0 || index >= layers.length) {
      throw new IllegalArgumentException(
          "Sequential.get: index " + index + " out of range for " + layers.length + " modules");
    }
    return layers[index];
  }

  /** The number of modules. */
  public int size() {
    return layers.length;
  }

  @Override
  public Tensor forward(Tensor input) {
    Tensor x = input;
    for (Module m : layers) {
      x = m.forward(x);
    }
    return x;
  }
}
