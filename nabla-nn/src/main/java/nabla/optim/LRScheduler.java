package nabla.optim;

/**
 * Changes an optimiser's learning rate as training goes on (PyTorch's {@code lr_scheduler}): call
 * {@link #step()} once per epoch (or per iteration, as the schedule is meant), after the
 * optimiser's step. The rate for step t is a closed-form function of the initial rate; parameter
 * groups with their own rate are scheduled from theirs.
 *
 * <pre>{@code
 * SGD opt = new SGD(new Linear(2, 1).parameters(), 0.1);
 * LRScheduler schedule = LRScheduler.cosine(opt, 10, 0.0);
 * for (int epoch = 0; epoch < 10; epoch++) {
 *   // ... one epoch of opt.step() calls ...
 *   schedule.step();
 * }
 * opt.lr();   // 0.0 after 10 epochs
 * }</pre>
 */
public abstract class LRScheduler {
  private final Optimizer optimizer;
  private final double baseLr;
  private final java.util.Map<Optimizer.ParamGroup, Double> groupBase = new java.util.HashMap<>();
  private int epoch;

  /** A schedule for {@code optimizer}, starting from its current learning rate. */
  protected LRScheduler(Optimizer optimizer) {
    if (optimizer == null) {
      throw new IllegalArgumentException("LRScheduler: the optimizer is null");
    }
    this.optimizer = optimizer;
    this.baseLr = optimizer.lr();
    for (Optimizer.ParamGroup g : optimizer.paramGroups()) {
      if (g.lr() != null) {
        groupBase.put(g, g.lr());
      }
    }
  }

  private void apply() {
    optimizer.lr(rate(baseLr, epoch));
    for (var g : groupBase.entrySet()) {
      g.getKey().lr(rate(g.getValue(), epoch));
    }
  }

  /** Sets the rate of epoch 0 (called by the factories once the schedule is built). */
  final LRScheduler start() {
    apply();
    return this;
  }

  /** The learning rate after {@code epoch} calls of {@link #step()}. */
  protected abstract double rate(double baseLr, int epoch);

  /** Advances one epoch and sets the optimiser's learning rate. */
  public void step() {
    epoch++;
    apply();
  }

  /** The number of steps taken. */
  public int epoch() {
    return epoch;
  }

  /** The current learning rate. */
  public double lr() {
    return optimizer.lr();
  }

  /**
   * Multiplies the rate by {@code gamma} every {@code stepSize} epochs (PyTorch's {@code StepLR}):
   * lr = base · gamma^⌊t / stepSize⌋.
   */
  public static LRScheduler step(Optimizer optimizer, int stepSize, double gamma) {
    if (stepSize < 1 || !(gamma >= 0)) {
      throw new IllegalArgumentException(
          "StepLR: stepSize must be >= 1 and gamma >= 0, got " + stepSize + " and " + gamma);
    }
    return new LRScheduler(optimizer) {
      @Override
      protected double rate(double base, int t) {
        return base * Math.pow(gamma, t / stepSize);
      }
    }.start();
  }

  /**
   * Cosine annealing from the base rate to {@code etaMin} over {@code tMax} epochs (PyTorch's
   * {@code CosineAnnealingLR}): lr = etaMin + (base - etaMin) · (1 + cos(π t / tMax)) / 2.
   */
  public static LRScheduler cosine(Optimizer optimizer, int tMax, double etaMin) {
    if (tMax < 1 || !(etaMin >= 0)) {
      throw new IllegalArgumentException(
          "CosineAnnealingLR: tMax must be >= 1 and etaMin >= 0, got " + tMax + " and " + etaMin);
    }
    return new LRScheduler(optimizer) {
      @Override
      protected double rate(double base, int t) {
        return etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * t / tMax)) / 2;
      }
    }.start();
  }

  /**
   * Scales the base rate by a factor going linearly from {@code startFactor} to {@code endFactor}
   * over {@code totalIters} steps, then constant (PyTorch's {@code LinearLR}; a linear warm-up with
   * endFactor 1).
   */
  public static LRScheduler linear(
      Optimizer optimizer, double startFactor, double endFactor, int totalIters) {
    if (!(startFactor > 0 && startFactor <= 1)
        || !(endFactor >= 0 && endFactor <= 1)
        || totalIters < 1) {
      throw new IllegalArgumentException(
          "LinearLR: needs 0 < startFactor <= 1, 0 <= endFactor <= 1 and totalIters >= 1, got "
              + startFactor
              + ", "
              + endFactor
              + ", "
              + totalIters);
    }
    return new LRScheduler(optimizer) {
      @Override
      protected double rate(double base, int t) {
        int c = Math.min(t, totalIters);
        return base * (startFactor + (endFactor - startFactor) * c / totalIters);
      }
    }.start();
  }

  /** A linear warm-up: base / warmupSteps at first, the base rate after {@code warmupSteps}. */
  public static LRScheduler linearWarmup(Optimizer optimizer, int warmupSteps) {
    if (warmupSteps < 1) {
      throw new IllegalArgumentException(
          "linearWarmup: warmupSteps must be >= 1, got " + warmupSteps);
    }
    return linear(optimizer, 1.0 / warmupSteps, 1.0, warmupSteps);
  }
}
