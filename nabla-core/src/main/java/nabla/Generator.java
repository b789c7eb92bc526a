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
    Trace.randomDraw("nextGaussian");
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
    Trace.randomDraw("normal");
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
    Trace.randomDraw("uniform");
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
    Trace.randomDraw("randint");
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

  /**
   * A random permutation of 0..n-1, int64 (PyTorch's {@code randperm}; Fisher–Yates).
   *
   * <pre>{@code Generator.current().randperm(4)   // e.g. tensor([2, 0, 3, 1])}</pre>
   */
  public Tensor randperm(int n) {
    Trace.randomDraw("randperm");
    if (n < 0) {
      throw new IllegalArgumentException("randperm: n must be >= 0, got " + n);
    }
    Tensor result = Tensor.zeros(DType.INT64, n); // checked: a huge n fails clearly
    long[] p = result.storage().l;
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      long t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return result;
  }

  /**
   * Draws {@code numSamples} category indices per row of {@code probs} (1-d, or 2-d with one
   * distribution per row; non-negative weights, not necessarily normalised), int64 of shape {@code
   * [numSamples]} or {@code [rows, numSamples]} (PyTorch's {@code multinomial}). Without
   * replacement, each row needs at least {@code numSamples} positive weights.
   *
   * <pre>
   * {@code Generator.current().multinomial(Tensor.of(0.5, 0.5), 4, true)   // e.g. [0, 1, 1, 0]}
   * </pre>
   */
  public Tensor multinomial(Tensor probs, int numSamples, boolean replacement) {
    Trace.randomDraw("multinomial");
    Checks.nonNull("multinomial", "probs", probs);
    int rank = probs.dim();
    if (rank < 1 || rank > 2 || !probs.dtype().isFloating() || numSamples < 0) {
      throw new IllegalArgumentException(
          "multinomial: expects a 1-d or 2-d floating tensor of weights and numSamples >= 0, got "
              + probs.dtype()
              + " of shape "
              + java.util.Arrays.toString(probs.shape)
              + " and numSamples "
              + numSamples);
    }
    int rows = rank == 1 ? 1 : probs.shape[0];
    int k = probs.shape[rank - 1];
    double[] w = probs.toDoubleArray();
    for (int r = 0; r < rows; r++) { // check every row before allocating the result
      int positive = 0;
      for (int c = 0; c < k; c++) {
        double v = w[r * k + c];
        if (!(v >= 0) || Double.isInfinite(v)) {
          throw new IllegalArgumentException(
              "multinomial: weights must be finite and >= 0, row " + r + " has " + v);
        }
        positive += v > 0 ? 1 : 0;
      }
      if (positive == 0 || (!replacement && numSamples > positive)) {
        throw new IllegalArgumentException(
            "multinomial: row "
                + r
                + " has "
                + positive
                + " positive weights, too few to draw "
                + numSamples
                + (replacement ? "" : " without replacement"));
      }
    }
    Tensor result =
        rank == 1
            ? Tensor.zeros(DType.INT64, numSamples)
            : Tensor.zeros(DType.INT64, rows, numSamples); // checked: huge sizes fail clearly
    long[] out = result.storage().l;
    for (int r = 0; r < rows; r++) {
      double[] row = java.util.Arrays.copyOfRange(w, r * k, r * k + k);
      double total = 0;
      for (double v : row) {
        total += v;
      }
      for (int s = 0; s < numSamples; s++) {
        double u = random.nextDouble() * total;
        int c = 0;
        double acc = row[0];
        while (u >= acc && c < k - 1) {
          acc += row[++c];
        }
        while (row[c] == 0) { // u landed exactly on a boundary before zero weights
          c--;
        }
        out[r * numSamples + s] = c;
        if (!replacement) {
          total -= row[c];
          row[c] = 0;
        }
      }
    }
    return result;
  }

  /**
   * 1 with probability p and 0 otherwise, for each element p of {@code probs} (in [0, 1]), in
   * {@code probs}' dtype (PyTorch's {@code bernoulli}).
   */
  public Tensor bernoulli(Tensor probs) {
    Trace.randomDraw("bernoulli");
    Checks.nonNull("bernoulli", "probs", probs);
    if (!probs.dtype().isFloating()) {
      throw new IllegalArgumentException(
          "bernoulli: expects floating probabilities, got " + probs.dtype());
    }
    double[] p = probs.toDoubleArray();
    double[] out = new double[p.length];
    for (int i = 0; i < p.length; i++) {
      if (!(p[i] >= 0 && p[i] <= 1)) {
        throw new IllegalArgumentException(
            "bernoulli: probabilities must lie in [0, 1], element " + i + " is " + p[i]);
      }
      out[i] = random.nextDouble() < p[i] ? 1 : 0;
    }
    return Tensor.ofDoubles(out, probs.shape).to(probs.dtype());
  }
}
