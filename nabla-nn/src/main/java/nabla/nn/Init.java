package nabla.nn;

import nabla.Autograd;
import nabla.Generator;
import nabla.Tensor;

/**
 * Parameter initialisers (PyTorch's {@code nn.init}): each fills a tensor in place, without
 * recording gradients, and returns it. Random ones draw from the thread's default {@link Generator}
 * unless one is given, so {@code Generator.manualSeed(s)} makes them reproducible.
 *
 * <p>Fans follow PyTorch: for a weight {@code [out, in, k...]}, fan-in is {@code in · Πk} and
 * fan-out {@code out · Πk}.
 *
 * <pre>{@code
 * Linear layer = new Linear(784, 10);
 * Init.normal(layer.weight(), 0, 0.01);   // D2L's softmax regression
 * Init.zeros(layer.bias());
 * }</pre>
 */
public final class Init {
  private Init() {}

  /** Fills with N(mean, std²) samples. */
  public static Tensor normal(Tensor t, double mean, double std) {
    return normal(t, mean, std, Generator.current());
  }

  /** Fills with N(mean, std²) samples from {@code generator}. */
  public static Tensor normal(Tensor t, double mean, double std, Generator generator) {
    return fill(t, generator.normal(mean, std, t.shape()));
  }

  /** Fills with U(low, high) samples. */
  public static Tensor uniform(Tensor t, double low, double high) {
    return uniform(t, low, high, Generator.current());
  }

  /** Fills with U(low, high) samples from {@code generator}. */
  public static Tensor uniform(Tensor t, double low, double high, Generator generator) {
    return fill(t, generator.uniform(low, high, t.shape()));
  }

  /** Fills with zeros. */
  public static Tensor zeros(Tensor t) {
    return constant(t, 0);
  }

  /** Fills with {@code value}. */
  public static Tensor constant(Tensor t, double value) {
    return fill(t, Tensor.full(value, t.dtype(), t.shape()));
  }

  /** Glorot uniform with gain 1: U(-a, a), a = sqrt(6 / (fanIn + fanOut)). */
  public static Tensor xavierUniform(Tensor t) {
    return xavierUniform(t, 1.0);
  }

  /** Glorot uniform: U(-a, a), a = gain · sqrt(6 / (fanIn + fanOut)). */
  public static Tensor xavierUniform(Tensor t, double gain) {
    int[] f = fans("xavierUniform", t);
    double a = gain * Math.sqrt(6.0 / (f[0] + f[1]));
    return uniform(t, -a, a);
  }

  /** Glorot normal with gain 1: N(0, std²), std = sqrt(2 / (fanIn + fanOut)). */
  public static Tensor xavierNormal(Tensor t) {
    return xavierNormal(t, 1.0);
  }

  /** Glorot normal: N(0, std²), std = gain · sqrt(2 / (fanIn + fanOut)). */
  public static Tensor xavierNormal(Tensor t, double gain) {
    int[] f = fans("xavierNormal", t);
    return normal(t, 0, gain * Math.sqrt(2.0 / (f[0] + f[1])));
  }

  /**
   * He uniform with PyTorch's defaults ({@code a = 0}, fan-in, leaky-ReLU gain sqrt(2 / (1 + a²))):
   * U(-b, b), b = gain · sqrt(3 / fanIn).
   */
  public static Tensor kaimingUniform(Tensor t) {
    return kaimingUniform(t, 0, true);
  }

  /**
   * He uniform for a leaky ReLU of negative slope {@code a}: U(-b, b), b = sqrt(2 / (1 + a²)) ·
   * sqrt(3 / fan), with fan the fan-in when {@code fanIn}, else the fan-out. {@code a = sqrt(5)} is
   * what {@link Linear} uses, giving b = 1 / sqrt(fanIn).
   */
  public static Tensor kaimingUniform(Tensor t, double a, boolean fanIn) {
    int[] f = fans("kaimingUniform", t);
    double gain = Math.sqrt(2.0 / (1 + a * a));
    double bound = gain * Math.sqrt(3.0 / (fanIn ? f[0] : f[1]));
    return uniform(t, -bound, bound);
  }

  /** He normal with PyTorch's defaults: N(0, std²), std = sqrt(2) / sqrt(fanIn). */
  public static Tensor kaimingNormal(Tensor t) {
    return kaimingNormal(t, 0, true);
  }

  /**
   * He normal for a leaky ReLU of negative slope {@code a}: std = sqrt(2 / (1 + a²)) / sqrt(fan).
   */
  public static Tensor kaimingNormal(Tensor t, double a, boolean fanIn) {
    int[] f = fans("kaimingNormal", t);
    double gain = Math.sqrt(2.0 / (1 + a * a));
    return normal(t, 0, gain / Math.sqrt(fanIn ? f[0] : f[1]));
  }

  /** {fanIn, fanOut} of a weight {@code [out, in, k...]}. */
  static int[] fans(String op, Tensor t) {
    if (t.dim() < 2) {
      throw new IllegalArgumentException(
          op
              + ": fan-in and fan-out need a tensor with at least 2 dimensions ([out, in, ...]), got"
              + " shape "
              + java.util.Arrays.toString(t.shape()));
    }
    int receptive = 1;
    for (int i = 2; i < t.dim(); i++) {
      receptive *= t.size(i);
    }
    int fanIn = t.size(1) * receptive;
    int fanOut = t.size(0) * receptive;
    if (fanIn == 0 || fanOut == 0) {
      throw new IllegalArgumentException(
          op + ": a tensor of shape " + java.util.Arrays.toString(t.shape()) + " has a zero fan");
    }
    return new int[] {fanIn, fanOut};
  }

  private static Tensor fill(Tensor t, Tensor values) {
    try (var g = Autograd.noGrad()) {
      t.copyFrom(values);
    }
    return t;
  }
}
