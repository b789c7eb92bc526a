package nabla;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import nabla.storage.Shapes;

/**
 * Autograd beyond the methods of a tensor, all per thread:
 *
 * <ul>
 *   <li>scopes: {@link #noGrad()}, {@link #enableGrad()}, {@link #record()} (MXNet style) and
 *       {@link #detectAnomaly()} (find the operation and Java line that made a NaN);
 *   <li>backward with options, and {@link #grad(Tensor[], Tensor[], boolean, boolean, Tensor...)}
 *       which returns gradients instead of accumulating them ({@code torch.autograd.grad});
 *   <li>JAX-style transforms of Java functions: {@link #grad(Function)}, {@link #valueAndGrad},
 *       {@link #gradWrt}, {@link #gradWithAux}, {@link #vjp}, {@link #jvp} (forward mode), {@link
 *       #jacobian}, {@link #jacrev}, {@link #jacfwd}, {@link #hessian}, {@link #hvp};
 *   <li>{@link #checkpoint}: recompute a segment in backward instead of storing it.
 * </ul>
 *
 * <pre>{@code
 * Function<Tensor, Tensor> f = x -> x.dot(x).mul(2);
 * Autograd.grad(f).apply(Tensor.arange(4.0));   // tensor([ 0.,  4.,  8., 12.])
 * try (var g = Autograd.noGrad()) {
 *   w.subInPlace(w.grad().mul(0.1));   // an SGD step, not recorded
 * }
 * }</pre>
 */
public final class Autograd {
  private Autograd() {}

  /** A scope that switches gradient recording off (or on) for this thread until closed. */
  public static final class Scope implements AutoCloseable {
    private final boolean previous;
    private boolean closed;

    private Scope(boolean enabled) {
      this.previous = GradMode.set(enabled);
    }

    /** Restores the previous mode. */
    @Override
    public void close() {
      if (!closed) {
        closed = true;
        GradMode.set(previous);
      }
    }
  }

  /** Switches recording off in this thread until the returned scope is closed. */
  public static Scope noGrad() {
    return new Scope(false);
  }

  /** Switches recording on in this thread until the returned scope is closed. */
  public static Scope enableGrad() {
    return new Scope(true);
  }

  /**
   * MXNet's {@code autograd.record()}: records operations in this thread until closed (the same as
   * {@link #enableGrad()}).
   *
   * <pre>{@code
   * x.overwriteGrad(true);                 // MXNet's grad_req='write'
   * Tensor y;
   * try (var r = Autograd.record()) { y = x.dot(x).mul(2); }
   * y.backward();
   * }</pre>
   */
  public static Scope record() {
    return enableGrad();
  }

  /** Whether operations in this thread currently record a graph. */
  public static boolean isGradEnabled() {
    return GradMode.isEnabled();
  }

  /**
   * A scope of anomaly mode ({@link #detectAnomaly()}); closing it restores the mode that was in
   * force when it was opened, in the thread that opened it.
   */
  public static final class AnomalyScope implements AutoCloseable {
    private final GradMode.State state;
    private final boolean previous;
    private final boolean previousChecks;
    private boolean closed;

    private AnomalyScope(boolean checkValues) {
      this.state = GradMode.state();
      this.previous = state.anomaly;
      this.previousChecks = state.anomalyChecksValues;
      state.anomaly = true;
      state.anomalyChecksValues = checkValues;
      GradMode.anomalyScopeOpened();
    }

    /** Restores the previous anomaly mode. */
    @Override
    public void close() {
      if (!closed) {
        closed = true;
        GradMode.anomalyScopeClosed();
        state.anomaly = previous;
        state.anomalyChecksValues = previousChecks;
      }
    }
  }

  /**
   * Anomaly mode, for finding where a NaN comes from: until the returned scope is closed, in this
   * thread only,
   *
   * <ul>
   *   <li>every recorded operation remembers the Java line that created it ({@link
   *       Node#callSite()}): the first caller outside Nabla and the JDK;
   *   <li>backward stops at the first operation whose gradient for one of its inputs contains NaN
   *       or ±∞ and throws an {@link AnomalyException} naming the gradient function (e.g. {@code
   *       LogBackward}), the input, the shapes and dtypes, and the line that created it;
   *   <li>an operation whose output contains NaN although its inputs had none throws an {@link
   *       AnomalyException} at once, naming the operation, the shapes and the calling line.
   *       Infinities alone are legitimate in the forward pass ({@code log(0) = -∞}, a {@code -∞}
   *       attention mask) and are not reported there; they are reported where a gradient becomes
   *       infinite or they turn into NaN;
   *   <li>the "modified by an in-place operation" error of backward names the line that created the
   *       operation which saved the tensor and the line of the in-place write.
   * </ul>
   *
   * <p>PyTorch's {@code detect_anomaly} checks only backward results, only for NaN, and checks no
   * forward value (it records forward tracebacks to print beside a backward error). Nabla also
   * reports infinite gradients (an ∞ gradient is usually one step before a NaN, and {@code 0·∞} in
   * the next rule would blame the wrong operation) and NaN made by a forward operation, which it
   * throws at once rather than warns about. {@link #detectAnomaly(boolean) detectAnomaly(false)}
   * keeps the call sites without the value checks. Run both the forward and the backward inside the
   * scope: call sites are recorded when operations run, values are checked when each pass runs.
   * Scopes nest; each restores the previous mode when closed. The mode costs a stack walk per
   * recorded operation and a scan of every result, so it is for debugging; outside it Nabla does
   * none of this work.
   *
   * <pre>{@code
   * Tensor x = Tensor.of(0, 1).requiresGrad(true);
   * try (var a = Autograd.detectAnomaly()) {
   *   Tensor y = Tensor.where(x.gt(0), x.log(), 0);   // forward: log(0) = -inf, masked: fine
   *   y.sum().backward();
   * } catch (AnomalyException e) {
   *   // "anomaly mode: LogBackward returned a gradient containing NaN for its input 0 (first at
   *   //  index [0]) ... LogBackward was created at Main.main(Main.java:3) ..."
   * }
   * }</pre>
   */
  public static AnomalyScope detectAnomaly() {
    return new AnomalyScope(true);
  }

  /**
   * Anomaly mode with ({@code checkValues = true}, the same as {@link #detectAnomaly()}) or without
   * the NaN/∞ checks. Without them, operations and in-place writes still record their call sites
   * for error messages (PyTorch's {@code check_nan=False}), which is useful when a program computes
   * NaNs on purpose and masks them.
   *
   * <pre>{@code
   * try (var a = Autograd.detectAnomaly(false)) {
   *   Tensor y = x.mul(x);
   *   y.gradFn().callSite();   // Optional[Main.main(Main.java:2)]
   * }
   * }</pre>
   */
  public static AnomalyScope detectAnomaly(boolean checkValues) {
    return new AnomalyScope(checkValues);
  }

  /** Whether anomaly mode ({@link #detectAnomaly()}) is on in this thread. */
  public static boolean isAnomalyEnabled() {
    return GradMode.state().anomaly;
  }

  /**
   * Backward from {@code output} with a head gradient of its shape (null means ones, for a
   * one-element output).
   *
   * @param retainGraph keep the graph for another backward
   * @param createGraph record the backward pass so the gradients can be differentiated again
   */
  public static void backward(
      Tensor output, Tensor gradient, boolean retainGraph, boolean createGraph) {
    Checks.nonNull("backward", "output", output);
    if (gradient == null) {
      if (output.numel() != 1) {
        throw new IllegalArgumentException(
            "backward: the head gradient is null but the output has shape "
                + Shapes.str(output.shape())
                + "; pass a head gradient of that shape (null means ones only for one element)");
      }
      gradient = output.onesLike();
    }
    checkRoot("backward", output, gradient);
    Engine.backward(
        new Tensor[] {output},
        new Tensor[] {gradient.to(output.dtype())},
        retainGraph || createGraph,
        createGraph,
        null);
  }

  /**
   * Gradients of {@code output} with respect to {@code inputs}, returned instead of accumulated
   * into {@code grad()} (PyTorch's {@code torch.autograd.grad}). An input the output does not
   * depend on gets a zero gradient.
   *
   * <pre>{@code
   * Tensor x = Tensor.of(1, 2, 3).requiresGrad(true);
   * Tensor[] g = Autograd.grad(x.mul(x).sum(), x);   // [2., 4., 6.]
   * }</pre>
   */
  public static Tensor[] grad(Tensor output, Tensor... inputs) {
    Checks.nonNull("grad", "output", output);
    return grad(output, output.numel() == 1 ? output.onesLike() : null, false, false, inputs);
  }

  /**
   * {@code torch.autograd.grad} with options.
   *
   * @param gradient head gradient of output's shape (may be null for a one-element output)
   * @param retainGraph keep the graph for another backward
   * @param createGraph record the computation so the result can be differentiated again
   */
  public static Tensor[] grad(
      Tensor output, Tensor gradient, boolean retainGraph, boolean createGraph, Tensor... inputs) {
    return grad(new Tensor[] {output}, new Tensor[] {gradient}, retainGraph, createGraph, inputs);
  }

  // ------------------------------------------------------------ functional transforms (JAX)

  /** A function of several tensors, for {@link #gradWrt}. */
  @FunctionalInterface
  public interface MultiFunction {
    Tensor apply(Tensor... args);
  }

  /** A function's value and its gradient. */
  public record ValueAndGrad(Tensor value, Tensor grad) {}

  /** A function's value and the derivative along a direction (J·v). */
  public record ValueAndTangent(Tensor value, Tensor tangent) {}

  /** A value returned together with auxiliary data that is not differentiated (JAX's has_aux). */
  public record WithAux<A>(Tensor value, A aux) {}

  /** A gradient together with the function's value and auxiliary data. */
  public record GradAndAux<A>(Tensor value, Tensor grad, A aux) {}

  /**
   * The gradient of a scalar function, as a function (JAX's {@code grad}). Composable: {@code
   * grad(grad(f))} is the second derivative, to any order.
   *
   * <pre>{@code
   * var df = Autograd.grad(x -> x.pow(3).sum());
   * df.apply(Tensor.of(1, 2));                         // tensor([ 3., 12.])
   * Autograd.grad(Autograd.grad(x -> x.pow(3))).apply(Tensor.scalar(2));   // tensor(12.)
   * }</pre>
   */
  public static Function<Tensor, Tensor> grad(Function<Tensor, Tensor> f) {
    Checks.nonNull("grad", "f", f);
    return x -> valueAndGradAt(f, x).grad();
  }

  /** The value and gradient of a scalar function, as a function. */
  public static Function<Tensor, ValueAndGrad> valueAndGrad(Function<Tensor, Tensor> f) {
    Checks.nonNull("valueAndGrad", "f", f);
    return x -> valueAndGradAt(f, x);
  }

  /**
   * Gradients of a scalar function of several tensors with respect to the arguments listed in
   * {@code argnums} (all of them when none is given), as a function (JAX's {@code argnums}).
   *
   * <pre>{@code
   * var g = Autograd.gradWrt(a -> a[0].mul(a[1]).sum(), 1);
   * g.apply(new Tensor[] {x, y});   // [d/dy] = [x]
   * }</pre>
   */
  public static Function<Tensor[], Tensor[]> gradWrt(MultiFunction f, int... argnums) {
    Checks.nonNull("gradWrt", "f", f);
    Checks.nonNull("gradWrt", "argnums", argnums);
    return args -> {
      Checks.noNulls("gradWrt", "args", args);
      int[] which =
          argnums.length > 0 ? argnums : java.util.stream.IntStream.range(0, args.length).toArray();
      Tensor[] xs = args.clone();
      Tensor[] wrt = new Tensor[which.length];
      for (int i = 0; i < which.length; i++) {
        if (which[i] < 0 || which[i] >= args.length) {
          throw new IllegalArgumentException(
              "gradWrt: argument number "
                  + which[i]
                  + " is out of range for "
                  + args.length
                  + " arguments");
        }
        xs[which[i]] = differentiableAlias(args[which[i]]);
        wrt[i] = xs[which[i]];
      }
      boolean nested = outerNeedsGraph(args);
      Tensor y;
      try (Scope s = enableGrad()) {
        y = returned("gradWrt", f.apply(xs));
      }
      checkScalar("gradWrt", y);
      return grad(y, y.onesLike(), false, nested, wrt);
    };
  }

  /** Like {@link #valueAndGrad} for a function that also returns auxiliary data. */
  public static <A> Function<Tensor, GradAndAux<A>> gradWithAux(Function<Tensor, WithAux<A>> f) {
    Checks.nonNull("gradWithAux", "f", f);
    return x -> {
      Object[] aux = new Object[1];
      ValueAndGrad vg =
          valueAndGradAt(
              t -> {
                WithAux<A> r = f.apply(t);
                if (r == null) {
                  throw new IllegalStateException(
                      "gradWithAux: the function returned null; return new WithAux<>(value, aux)");
                }
                aux[0] = r.aux();
                return r.value();
              },
              x);
      @SuppressWarnings("unchecked")
      A a = (A) aux[0];
      return new GradAndAux<>(vg.value(), vg.grad(), a);
    };
  }

  /**
   * Whether a transform's backward must be recorded (createGraph) because an outer derivative may
   * be taken through it: an argument requires grad, or carries a forward-mode tangent that does
   * (forward-over-reverse inside a reverse derivative with respect to the tangent, as in the
   * derivative of an {@link #hvp} with respect to v).
   */
  private static boolean outerNeedsGraph(Tensor... args) {
    for (Tensor a : args) {
      if (a.requiresGrad()) {
        return true;
      }
      for (AutogradMeta.Tangent t = AutogradMeta.tangents(a); t != null; t = t.next()) {
        if (t.value().requiresGrad()) {
          return true;
        }
      }
    }
    return false;
  }

  private static Tensor differentiableAlias(Tensor x) {
    Tensor xi = x.alias();
    if (!xi.requiresGrad()) {
      xi.requiresGrad(true);
    }
    return xi;
  }

  /** y, or an error naming op when a user function returned null instead of a tensor. */
  static Tensor returned(String op, Tensor y) {
    if (y == null) {
      throw new IllegalStateException(
          op + ": the function returned null; it must return a tensor (e.g. x -> x.sum())");
    }
    return y;
  }

  private static void checkScalar(String op, Tensor y) {
    returned(op, y);
    if (y.numel() != 1) {
      throw new IllegalArgumentException(
          op
              + ": the function must return a one-element tensor, but it returned shape "
              + Shapes.str(y.shape())
              + "; reduce it (e.g. sum()) or use vjp / jacobian");
    }
  }

  private static ValueAndGrad valueAndGradAt(Function<Tensor, Tensor> f, Tensor x) {
    requireFloating("grad", x);
    boolean nested = outerNeedsGraph(x);
    Tensor xi = differentiableAlias(x);
    Tensor y;
    try (Scope s = enableGrad()) {
      y = returned("grad", f.apply(xi));
    }
    checkScalar("grad", y);
    if (!y.requiresGrad()) {
      return new ValueAndGrad(y, x.detach().zerosLike());
    }
    Tensor g = grad(y, y.onesLike(), false, nested, xi)[0];
    return new ValueAndGrad(nested ? y : y.detach(), g);
  }

  /**
   * A tangent or cotangent must have its primal's dtype, as in JAX and torch.func (converting it
   * silently would hide a precision mistake, such as a float32 direction for a float64 point).
   */
  private static void sameDtype(String op, String name, Tensor t, String primal, Tensor p) {
    if (t.dtype() != p.dtype()) {
      throw new IllegalArgumentException(
          op
              + ": "
              + name
              + " is "
              + t.dtype()
              + " but "
              + primal
              + " is "
              + p.dtype()
              + " (shape "
              + Shapes.str(p.shape)
              + "); they must have the same dtype: convert with "
              + name.split(" ")[0]
              + ".to(DType."
              + p.dtype().name()
              + ")");
    }
  }

  private static void requireFloating(String op, Tensor x) {
    if (!Checks.nonNull(op, "x", x).dtype().isFloating()) {
      throw new IllegalArgumentException(
          op
              + ": can only differentiate with respect to floating-point tensors, got "
              + x.dtype()
              + " of shape "
              + Shapes.str(x.shape()));
    }
  }

  /**
   * Vector-Jacobian product vᵀ·J of f at x (reverse mode): the gradient of ⟨v, f(x)⟩.
   *
   * <pre>{@code Autograd.vjp(x -> x.mul(x), Tensor.of(1, 2), Tensor.of(1, 1))   // [2., 4.]}</pre>
   */
  public static Tensor vjp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
    Checks.nonNull("vjp", "f", f);
    requireFloating("vjp", x);
    Checks.nonNull("vjp", "v", v);
    // Record the backward when an outer derivative may be taken with respect to x or to v (the
    // VJP is linear in v: its derivative there is the transposed Jacobian).
    boolean nested = outerNeedsGraph(x, v);
    Tensor xi = differentiableAlias(x);
    Tensor y;
    try (Scope s = enableGrad()) {
      y = returned("vjp", f.apply(xi));
    }
    if (!Arrays.equals(v.shape(), y.shape())) {
      throw new IllegalArgumentException(
          "vjp: v has shape "
              + Shapes.str(v.shape())
              + " but f(x) has shape "
              + Shapes.str(y.shape())
              + "; they must be equal");
    }
    sameDtype("vjp", "v", v, "f(x)", y);
    if (!y.requiresGrad()) {
      return x.detach().zerosLike();
    }
    return grad(y, v, false, nested, xi)[0];
  }

  /**
   * Jacobian-vector product J·v of f at x (forward mode, with dual tensors): the derivative of f
   * along v, computed in one forward pass.
   *
   * <pre>{@code Autograd.jvp(x -> x.sin(), Tensor.of(0, 1), Tensor.of(1, 1))   // cos x}</pre>
   */
  public static Tensor jvp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
    return valueAndJvp(f, x, v).tangent();
  }

  /** f(x) and J·v together, from one forward pass. */
  public static ValueAndTangent valueAndJvp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
    Checks.nonNull("jvp", "f", f);
    requireFloating("jvp", x);
    if (!Arrays.equals(Checks.nonNull("jvp", "v", v).shape(), x.shape())) {
      throw new IllegalArgumentException(
          "jvp: the tangent has shape "
              + Shapes.str(v.shape())
              + " but x has shape "
              + Shapes.str(x.shape())
              + "; they must be equal");
    }
    sameDtype("jvp", "tangent", v, "x", x);
    GradMode.State s = GradMode.state();
    int level = s.openLevel();
    try {
      Tensor xi = x.alias();
      AutogradMeta.addTangent(xi, level, v);
      Tensor y = returned("jvp", f.apply(xi));
      Tensor t = AutogradMeta.tangent(y, level);
      return new ValueAndTangent(y, t != null ? t : y.detach().zerosLike());
    } finally {
      s.closeLevel(level);
    }
  }

  /**
   * The Jacobian of f at x, shape f(x).shape ++ x.shape (reverse mode: {@link #jacrev}, all rows in
   * one batched backward pass).
   */
  public static Tensor jacobian(Function<Tensor, Tensor> f, Tensor x) {
    return jacrev(f, x);
  }

  /**
   * The Jacobian by reverse mode, shape f(x).shape ++ x.shape: f is run once, then all rows come
   * from one <em>batched</em> backward pass, whose gradients carry a leading dimension of one row
   * per output element (JAX's and functorch's {@code vmap} over {@code vjp}). If a node on the way
   * has no batched rule (a {@link CustomFunction}, {@link #checkpoint}), it falls back to one
   * backward pass per output element, with the same result.
   *
   * <p>When x requires grad (an outer transform will differentiate the result), the batched pass
   * records its graph like any backward with {@code createGraph}. A batched pass holds (rows ×
   * size) elements per intermediate gradient, so rows are processed in chunks when that would
   * exceed 2²⁴ elements.
   *
   * <pre>{@code Autograd.jacrev(t -> t.sin(), Tensor.of(0, 1))   // diag(cos x)}</pre>
   */
  public static Tensor jacrev(Function<Tensor, Tensor> f, Tensor x) {
    return jacrev(f, x, true, true);
  }

  /** jacrev by the batched pass only: null when some node has no batched rule (for tests). */
  static Tensor jacrevBatched(Function<Tensor, Tensor> f, Tensor x) {
    return jacrev(f, x, true, false);
  }

  /** jacrev by one backward pass per output element (the fallback; for tests). */
  static Tensor jacrevLooped(Function<Tensor, Tensor> f, Tensor x) {
    return jacrev(f, x, false, true);
  }

  private static Tensor jacrev(
      Function<Tensor, Tensor> f, Tensor x, boolean tryBatched, boolean loop) {
    Checks.nonNull("jacrev", "f", f);
    requireFloating("jacrev", x);
    boolean nested = outerNeedsGraph(x);
    Tensor xi = differentiableAlias(x);
    Tensor y;
    try (Scope s = enableGrad()) {
      y = returned("jacrev", f.apply(xi));
    }
    int m = y.numel();
    if (tryBatched && m > 0 && y.requiresGrad()) {
      Tensor j = batchedRows(y, xi, nested);
      if (j != null) {
        return j.reshape(concat(y.shape(), x.shape()));
      }
    }
    if (!loop) {
      return null;
    }
    Tensor[] rows = new Tensor[m];
    for (int i = 0; i < m; i++) {
      if (!y.requiresGrad()) {
        rows[i] = x.detach().zerosLike();
        continue;
      }
      Tensor e = Tensor.zeros(y.dtype(), m);
      e.storage().setDouble(i, 1);
      rows[i] = grad(y, e.reshape(y.shape()), true, nested, xi)[0];
    }
    return stackRows(rows, y.shape(), x.shape());
  }

  /**
   * All rows of the Jacobian of y with respect to xi, shape [y.numel] ++ xi.shape, from batched
   * backward passes seeded with rows of the identity; null if the graph needs the fallback.
   */
  private static Tensor batchedRows(Tensor y, Tensor xi, boolean createGraph) {
    int m = y.numel();
    int chunk = m;
    java.util.List<Tensor> parts = new java.util.ArrayList<>();
    for (int start = 0; start < m; ) {
      int count = Math.min(chunk, m - start);
      Tensor seed = Tensor.zeros(y.dtype(), count, m);
      for (int i = 0; i < count; i++) {
        seed.storage().setDouble(i * m + start + i, 1);
      }
      seed = seed.reshape(concat(new int[] {count}, y.shape()));
      Map<Tensor, Tensor> capture = new LinkedHashMap<>();
      capture.put(xi, null);
      int done = Engine.backwardBatched(y, seed, createGraph, capture);
      if (done == Engine.BATCH_UNSUPPORTED) {
        return null;
      }
      if (done < count) {
        chunk = done;
        continue;
      }
      Tensor g = capture.get(xi);
      parts.add(g != null ? g : Tensor.zeros(xi.dtype(), concat(new int[] {count}, xi.shape())));
      start += count;
    }
    return parts.size() == 1 ? parts.get(0) : Tensor.cat(0, parts.toArray(new Tensor[0]));
  }

  /** The Jacobian by forward mode: one JVP per input element. */
  public static Tensor jacfwd(Function<Tensor, Tensor> f, Tensor x) {
    Checks.nonNull("jacfwd", "f", f);
    requireFloating("jacfwd", x);
    int n = x.numel();
    Tensor[] cols = new Tensor[n];
    int[] yShape = null;
    for (int j = 0; j < n; j++) {
      Tensor e = Tensor.zeros(x.dtype(), n);
      e.storage().setDouble(j, 1);
      cols[j] = jvp(f, x, e.reshape(x.shape()));
      yShape = cols[j].shape();
    }
    if (n == 0) {
      yShape = returned("jacfwd", f.apply(x)).shape();
      return Tensor.zeros(x.dtype(), concat(yShape, x.shape()));
    }
    Tensor flat = Tensor.stack(-1, reshapeAll(cols, -1));
    return flat.reshape(concat(yShape, x.shape()));
  }

  /**
   * The Hessian of a scalar function at x, shape x.shape ++ x.shape. Computed reverse-over-
   * reverse, {@code jacrev(grad(f))}: the gradient graph is recorded once and walked back once, by
   * a batched backward pass that produces all rows together (see {@link #jacrev}).
   *
   * <pre>{@code Autograd.hessian(x -> x.pow(3).sum(), Tensor.of(1, 2))   // diag(6x)}</pre>
   */
  public static Tensor hessian(Function<Tensor, Tensor> f, Tensor x) {
    Checks.nonNull("hessian", "f", f);
    return jacrev(grad(f), x);
  }

  /** Hessian-vector product H·v of a scalar function at x (forward-over-reverse). */
  public static Tensor hvp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
    Checks.nonNull("hvp", "f", f);
    return jvp(grad(f), x, v);
  }

  /**
   * Gradient checkpointing: computes {@code f(x)} without keeping its intermediate values and
   * recomputes them during backward, trading compute for memory on long segments. Every tensor the
   * segment uses gets its gradient as without checkpointing — {@code x} and the weights {@code f}
   * captures alike — and the result requires grad when any of them does. Forward mode and
   * higher-order derivatives go through as well. {@code f} must compute the same thing when run
   * again (no random sampling inside the segment); tensors it reads must not be modified in place
   * between forward and backward (backward throws if they are).
   *
   * <pre>{@code
   * Tensor w = Tensor.ofDoubles(new double[] {.5, -.3, .8}, 3).requiresGrad(true);
   * Tensor x = Tensor.ofDoubles(new double[] {.2, .4, .6}, 3);
   * Autograd.checkpoint(t -> t.tanh().mul(w).tanh(), x).sum().backward();
   * w.grad();   // as without checkpoint
   * }</pre>
   */
  public static Tensor checkpoint(Function<Tensor, Tensor> f, Tensor x) {
    Checks.nonNull("checkpoint", "f", f);
    Checks.nonNull("checkpoint", "x", x);
    return Checkpoint.apply(f, x);
  }

  private static Tensor[] reshapeAll(Tensor[] ts, int... shape) {
    Tensor[] r = new Tensor[ts.length];
    for (int i = 0; i < ts.length; i++) {
      r[i] = ts[i].reshape(shape);
    }
    return r;
  }

  private static Tensor stackRows(Tensor[] rows, int[] yShape, int[] xShape) {
    if (rows.length == 0) {
      return Tensor.zeros(DType.FLOAT32, concat(yShape, xShape));
    }
    return Tensor.stack(0, rows).reshape(concat(yShape, xShape));
  }

  private static int[] concat(int[] a, int[] b) {
    int[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  /**
   * Gradients of several outputs at once (their head-gradient-weighted sum), with respect to {@code
   * inputs}, returned instead of accumulated: {@code torch.autograd.grad(outputs, inputs,
   * grad_outputs, retain_graph, create_graph)}. A null head gradient means ones (one-element
   * outputs only).
   */
  public static Tensor[] grad(
      Tensor[] outputs,
      Tensor[] gradients,
      boolean retainGraph,
      boolean createGraph,
      Tensor... inputs) {
    Checks.noNulls("grad", "outputs", outputs);
    Checks.nonNull("grad", "gradients", gradients);
    Checks.noNulls("grad", "inputs", inputs);
    if (gradients.length != outputs.length) {
      throw new IllegalArgumentException(
          "grad: " + outputs.length + " outputs but " + gradients.length + " head gradients");
    }
    Tensor[] heads = new Tensor[outputs.length];
    for (int i = 0; i < outputs.length; i++) {
      Tensor g = gradients[i];
      if (g == null) {
        if (outputs[i].numel() != 1) {
          throw new IllegalStateException(
              "grad: output "
                  + i
                  + " has shape "
                  + Shapes.str(outputs[i].shape())
                  + ", and only a one-element output has an implicit head gradient; pass one of"
                  + " that shape, e.g. Autograd.grad(y, y.onesLike(), false, false, inputs), or"
                  + " reduce first, e.g. Autograd.grad(y.sum(), inputs)");
        }
        g = outputs[i].onesLike();
      }
      checkRoot("grad", outputs[i], g);
      heads[i] = g.to(outputs[i].dtype());
    }
    Map<Tensor, Tensor> capture = new LinkedHashMap<>();
    for (Tensor in : inputs) {
      if (!in.requiresGrad()) {
        throw new IllegalArgumentException(
            "grad: input of shape "
                + Shapes.str(in.shape())
                + " does not require grad; call requiresGrad(true) on it before computing the"
                + " outputs");
      }
      capture.put(in, null);
    }
    Engine.backward(outputs, heads, retainGraph || createGraph, createGraph, capture);
    Tensor[] out = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      Tensor g = capture.get(inputs[i]);
      out[i] = g != null ? g : inputs[i].detach().zerosLike();
    }
    return out;
  }

  private static void checkRoot(String op, Tensor output, Tensor gradient) {
    if (!output.requiresGrad()) {
      throw new IllegalStateException(
          op
              + ": this tensor (shape "
              + Shapes.str(output.shape())
              + ") does not require grad,"
              + " so no graph was recorded: call requiresGrad(true) on the input tensors before"
              + " computing it, and make sure it was not computed inside Autograd.noGrad(); if it"
              + " is itself a gradient, compute that gradient with createGraph = true");
    }
    if (!Shapes.same(gradient.shape, output.shape)) {
      throw new IllegalArgumentException(
          op
              + ": the head gradient has shape "
              + Shapes.str(gradient.shape())
              + " but the output has shape "
              + Shapes.str(output.shape())
              + "; they must be equal");
    }
  }
}
