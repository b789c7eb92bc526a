package nabla;

import java.util.SplittableRandom;
import nabla.storage.Storage;

/**
 * A seedable source of random tensors, so runs are reproducible. Each thread has a default
 * generator ({@link #current()}); {@link #manualSeed(long)} reseeds it.
 *
 * <pre>{@code
 * Generator.manualSeed(42);
 * Tensor a = Tensor.randn(3);   // the same values on every run
 * }</pre>
 */
public final class Generator {
  private static final ThreadLocal<Generator> CURRENT =
      ThreadLocal.withInitial(() -> new Generator(System.nanoTime()));

  private SplittableRandom random;
  private double spareGaussian = Double.NaN;

  /** A generator with a fixed seed. */
  public Generator(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** This thread's default generator. */
  public static Generator current() {
    return CURRENT.get();
  }

  /** Reseeds this thread's default generator (PyTorch's {@code torch.manual_seed}). */
  public static void manualSeed(long seed) {
    CURRENT.get().seed(seed);
  }

  /** Reseeds this generator. */
  public void seed(long seed) {
    random = new SplittableRandom(seed);
    spareGaussian = Double.NaN;
  }

  /** One standard normal sample (Marsaglia's polar method). */
  public double nextGaussian() {
    if (!Double.isNaN(spareGaussian)) {
      double g = spareGaussian;
      spareGaussian = Double.NaN;
      return g;
    }
    double u;
    double v;
    double s;
    do {
      u = 2 * random.nextDouble() - 1;
      v = 2 * random.nextDouble() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s == 0);
    double m = Math.sqrt(-2 * Math.log(s) / s);
    spareGaussian = v * m;
    return u * m;
  }

  /** Standard normal float32 samples; no shape gives a 0-d tensor. */
  public Tensor randn(int... shape) {
    return normal(0, 1, shape);
  }

  /** Normal(mean, std) float32 samples. */
  public Tensor normal(double mean, double std, int... shape) {
    if (!(std >= 0) || !Double.isFinite(std) || !Double.isFinite(mean)) {
      throw new IllegalArgumentException(
          "normal: expects a finite mean and a finite std >= 0, got mean "
              + mean
              + " and std "
              + std
              + " (std is the standard deviation, not the variance)");
    }
    Tensor t = Tensor.zeros(DType.FLOAT32, nabla.storage.Shapes.checkSizes("normal", shape));
    float[] f = t.storage().f;
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) (mean + std * nextGaussian());
    }
    return t;
  }

  /** Uniform [0, 1) float32 samples. */
  public Tensor rand(int... shape) {
    return uniform(0, 1, shape);
  }

  /** Uniform [low, high) float32 samples. */
  public Tensor uniform(double low, double high, int... shape) {
    if (!(low <= high) || !Double.isFinite(low) || !Double.isFinite(high)) {
      throw new IllegalArgumentException(
          "uniform: expects finite bounds with low <= high, got low " + low + " and high " + high);
    }
    Tensor t = Tensor.zeros(DType.FLOAT32, nabla.storage.Shapes.checkSizes("uniform", shape));
    float[] f = t.storage().f;
    for (int i = 0; i < f.length; i++) {
      float v = (float) (low + (high - low) * random.nextDouble());
      f[i] = v < high || low == high ? v : Math.nextDown((float) high);
    }
    return t;
  }

  /** Uniform int64 samples in [low, high). */
  public Tensor randint(long low, long high, int... shape) {
    if (low >= high) {
      throw new IllegalArgumentException("randint: low " + low + " must be < high " + high);
    }
    Tensor t = Tensor.zeros(DType.INT64, nabla.storage.Shapes.checkSizes("randint", shape));
    Storage s = t.storage();
    for (int i = 0; i < s.l.length; i++) {
      s.l[i] = random.nextLong(low, high);
    }
    return t;
  }
}
