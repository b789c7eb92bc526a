package nabla.data;

import nabla.DType;
import nabla.Generator;
import nabla.Tensor;

/**
 * D2L's synthetic linear-regression data (§3.3, {@code synthetic_data}): features X ~ N(0, 1) of
 * shape {@code [n, len(w)]} and targets y = X w + b + ε, ε ~ N(0, 0.01²), of shape {@code [n, 1]}.
 *
 * <pre>{@code
 * TensorDataset data = LinearRegressionData.d2l(1000, 42);   // w = [2, -3.4], b = 4.2
 * DataLoader loader = new DataLoader(data, 10).shuffle(42);
 * }</pre>
 */
public final class LinearRegressionData {
  private LinearRegressionData() {}

  /** The book's weights w = [2, -3.4]. */
  public static final double[] D2L_W = {2, -3.4};

  /** The book's bias b = 4.2. */
  public static final double D2L_B = 4.2;

  /** The book's noise standard deviation, 0.01. */
  public static final double NOISE = 0.01;

  /**
   * {@code n} examples with the book's w, b and noise, from a generator seeded with {@code seed}.
   */
  public static TensorDataset d2l(int n, long seed) {
    return generate(D2L_W, D2L_B, NOISE, n, new Generator(seed));
  }

  /** {@code n} float32 examples y = X w + b + N(0, noise²) drawn from {@code generator}. */
  public static TensorDataset generate(
      double[] w, double b, double noise, int n, Generator generator) {
    if (w == null || w.length == 0 || n < 0 || !(noise >= 0) || generator == null) {
      throw new IllegalArgumentException(
          "LinearRegressionData: needs a non-empty w, n >= 0, noise >= 0 and a generator, got n="
              + n
              + " noise="
              + noise);
    }
    Tensor x = generator.randn(n, w.length);
    Tensor y =
        x.matmul(Tensor.of(w, w.length, 1))
            .add(b)
            .add(generator.normal(0, noise, n, 1))
            .to(DType.FLOAT32);
    return new TensorDataset(x, y);
  }
}
