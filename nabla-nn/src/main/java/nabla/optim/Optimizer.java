package nabla.optim;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import nabla.Autograd;
import nabla.Tensor;

/**
 * Updates parameters from their gradients (PyTorch's {@code torch.optim.Optimizer}). {@link
 * #step()} runs in place, without recording gradients; {@link #zeroGrad()} clears the gradients
 * before the next backward pass. Parameters without a gradient are skipped.
 *
 * <pre>{@code
 * // D2L 3.5, linear regression the concise way
 * TensorDataset data = LinearRegressionData.d2l(1000, 0);
 * Linear net = new Linear(2, 1);
 * MSELoss lossFn = new MSELoss();
 * Optimizer opt = new SGD(net.parameters(), 0.03);
 * DataLoader loader = new DataLoader(data, 10).shuffle(0);
 * for (int epoch = 0; epoch < 3; epoch++) {
 *   for (Batch b : loader) {
 *     Tensor loss = lossFn.forward(net.forward(b.x()), b.y());
 *     opt.zeroGrad();
 *     loss.backward();
 *     opt.step();
 *   }
 * }
 * net.weight();   // close to [[2, -3.4]], net.bias() to [4.2]
 * }</pre>
 */
public abstract class Optimizer {
  private final List<Tensor> params;
  private final Map<Tensor, Map<String, Tensor>> state = new IdentityHashMap<>();
  private final Map<Tensor, ParamGroup> groupOf = new IdentityHashMap<>();
  private final List<ParamGroup> groups = new java.util.ArrayList<>();
  private double lr;
  private double weightDecay;
  private long steps;

  /** Checks the parameters (non-empty, floating leaves that require grad) and the learning rate. */
  protected Optimizer(String name, List<Tensor> params, double lr) {
    if (params == null || params.isEmpty()) {
      throw new IllegalArgumentException(
          name + ": the parameter list is empty; pass model.parameters() of a built model");
    }
    for (int i = 0; i < params.size(); i++) {
      Tensor p = params.get(i);
      if (p == null) {
        throw new IllegalArgumentException(name + ": parameter " + i + " is null");
      }
      if (!p.dtype().isFloating() || !p.requiresGrad() || !p.isLeaf()) {
        throw new IllegalArgumentException(
            name
                + ": parameter "
                + i
                + " of shape "
                + Arrays.toString(p.shape())
                + " must be a floating leaf tensor that requires grad (got dtype "
                + p.dtype()
                + ", requiresGrad "
                + p.requiresGrad()
                + ", leaf "
                + p.isLeaf()
                + ")");
      }
    }
    this.params = List.copyOf(params);
    this.lr = checkNonNegative(name, "lr", lr);
  }

  static double checkNonNegative(String op, String what, double v) {
    if (!(v >= 0) || !Double.isFinite(v)) {
      throw new IllegalArgumentException(op + ": " + what + " must be finite and >= 0, got " + v);
    }
    return v;
  }

  static double checkUnit(String op, String what, double v) {
    if (!(v >= 0 && v < 1)) {
      throw new IllegalArgumentException(op + ": " + what + " must be in [0, 1), got " + v);
    }
    return v;
  }

  /** The parameters, in the order given. */
  public List<Tensor> params() {
    return params;
  }

  /** The learning rate. */
  public double lr() {
    return lr;
  }

  /** Sets the learning rate (for schedules); returns this. */
  public Optimizer lr(double lr) {
    this.lr = checkNonNegative(getClass().getSimpleName(), "lr", lr);
    return this;
  }

  /** The weight decay of parameters outside any {@link ParamGroup} that sets its own. */
  public double weightDecay() {
    return weightDecay;
  }

  /** Sets the default weight decay (the subclasses' fluent {@code weightDecay(double)}). */
  protected void setWeightDecay(double weightDecay) {
    this.weightDecay = checkNonNegative(getClass().getSimpleName(), "weightDecay", weightDecay);
  }

  /**
   * Settings for some of the parameters that override the optimiser's (PyTorch's parameter groups):
   * its own learning rate and/or weight decay. Unset values follow the optimiser's.
   *
   * <pre>{@code
   * Linear net = new Linear(2, 1);
   * SGD opt = new SGD(net.parameters(), 0.03);
   * opt.paramGroup(List.of(net.weight())).weightDecay(3);   // D2L 3.7: decay the weight only
   * }</pre>
   */
  public static final class ParamGroup {
    private final List<Tensor> params;
    private Double lr;
    private Double weightDecay;

    private ParamGroup(List<Tensor> params) {
      this.params = List.copyOf(params);
    }

    /** The parameters of this group. */
    public List<Tensor> params() {
      return params;
    }

    /** Sets this group's learning rate; returns this. */
    public ParamGroup lr(double lr) {
      this.lr = checkNonNegative("ParamGroup", "lr", lr);
      return this;
    }

    /** Sets this group's weight decay; returns this. */
    public ParamGroup weightDecay(double weightDecay) {
      this.weightDecay = checkNonNegative("ParamGroup", "weightDecay", weightDecay);
      return this;
    }

    /** This group's own learning rate, or null when it follows the optimiser's. */
    public Double lr() {
      return lr;
    }

    /** This group's own weight decay, or null when it follows the optimiser's. */
    public Double weightDecay() {
      return weightDecay;
    }
  }

  /**
   * Makes a group of some of this optimiser's parameters, to give them their own settings. A
   * parameter belongs to at most one group.
   */
  public ParamGroup paramGroup(List<Tensor> members) {
    String name = getClass().getSimpleName() + ".paramGroup";
    if (members == null || members.isEmpty()) {
      throw new IllegalArgumentException(name + ": the parameter list is empty");
    }
    for (Tensor p : members) {
      boolean known = false;
      for (Tensor q : params) {
        known |= q == p;
      }
      if (!known) {
        throw new IllegalArgumentException(
            name
                + ": a tensor of shape "
                + (p == null ? "null" : Arrays.toString(p.shape()))
                + " is not one of this optimiser's parameters; pass it to the constructor");
      }
      if (groupOf.containsKey(p)) {
        throw new IllegalArgumentException(
            name
                + ": a parameter of shape "
                + Arrays.toString(p.shape())
                + " is already in a group");
      }
    }
    ParamGroup g = new ParamGroup(members);
    for (Tensor p : members) {
      groupOf.put(p, g);
    }
    groups.add(g);
    return g;
  }

  /** The groups made with {@link #paramGroup}, in order. */
  public List<ParamGroup> paramGroups() {
    return java.util.Collections.unmodifiableList(groups);
  }

  /** How many times {@link #step()} has run. */
  public long steps() {
    return steps;
  }

  /** One update of every parameter that has a gradient. */
  public void step() {
    checkSettings();
    steps++;
    try (var g = Autograd.noGrad()) {
      for (Tensor p : params) {
        Tensor grad = p.grad();
        if (grad != null) {
          ParamGroup group = groupOf.get(p);
          double rate = group != null && group.lr != null ? group.lr : lr;
          double decay =
              group != null && group.weightDecay != null ? group.weightDecay : weightDecay;
          update(
              p,
              grad.detach(),
              state.computeIfAbsent(p, k -> new java.util.HashMap<>()),
              rate,
              decay);
        }
      }
    }
  }

  /** Validates option combinations before a step; the default accepts all. */
  protected void checkSettings() {}

  /**
   * Updates {@code param} in place from {@code grad} (no graph is recorded) with the learning rate
   * and weight decay that apply to it; {@code state} holds this parameter's buffers between steps.
   */
  protected abstract void update(
      Tensor param, Tensor grad, Map<String, Tensor> state, double lr, double weightDecay);

  /** Sets the gradient of every parameter to zero (keeping the buffers for reuse). */
  public void zeroGrad() {
    for (Tensor p : params) {
      p.zeroGrad();
    }
  }

  /** A buffer per parameter for the state maps of subclasses: zeros of the parameter's shape. */
  protected static Tensor zerosOf(Tensor p) {
    return p.detach().zerosLike();
  }
}
