package nabla;

import java.util.function.Function;

/**
 * Autograd beyond the methods of a tensor, all per thread:
 *
 * <ul>
 *   <li>scopes: {@link #noGrad()}, {@link #enableGrad()}, {@link #record()} (MXNet style) and
 *       {@link #detectAnomaly()} (find the operation and Java line that made a NaN);
 *   <li>backward with options and from several roots, and {@link #grad(Tensor[], Tensor[], boolean,
 *       boolean, Tensor...)} which returns gradients instead of accumulating them ({@code
 *       torch.autograd.grad}, with a choice for unused inputs: {@link Unused});
 *   <li>JAX-style transforms of Java functions: {@link #grad(Function)}, {@link #valueAndGrad},
 *       {@link #gradWrt}, {@link #gradWithAux}, {@link #vjp}, {@link #jvp} (forward mode), {@link
 *       #jacobian}, {@link #jacrev}, {@link #jacfwd}, {@link #hessian}, {@link #hvp}, {@link #vhp},
 *       each also over several tensors with several results ({@link MultiOutputFunction}, {@link
 *       MultiFunction}) with PyTorch's {@code strict} mode;
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

  /**
   * Runs {@code body} with recording off in this thread and returns its result (PyTorch's {@code
   * with torch.no_grad():} around an expression).
   *
   * <pre>{@code Tensor y = Autograd.noGrad(() -> net.forward(x));   // evaluation, no graph}</pre>
   */
  public static <T> T noGrad(java.util.function.Supplier<T> body) {
    Checks.nonNull("noGrad", "body", body);
    try (Scope s = noGrad()) {
      return body.get();
    }
  }

  /**
   * f mapped over dimension 0 of its argument, the results stacked along dimension 0 (JAX's {@code
   * vmap}). f runs once on the whole batch: vmap records the primitives f applies to one example
   * and replays them through each primitive's batching rule. Functions it cannot record faithfully
   * (ones that read values on the Java side, draw random numbers or write in place) run once per
   * example instead, with the same results; random numbers are therefore drawn per example, in
   * order, as the loop draws them. Composes with every transform; {@code vmap(grad(f))} gives
   * per-example gradients in one batched backward pass. vmap traces f again on every call: a
   * vmapped function called repeatedly with the same shapes runs faster through {@link #compile}.
   *
   * <pre>{@code
   * var perExample = Autograd.vmap(Autograd.grad(w -> w.mul(x0).sum()));   // one gradient per row
   * Tensor g = perExample.apply(Tensor.randn(8, 3));                       // shape [8, 3]
   * }</pre>
   */
  public static Function<Tensor, Tensor> vmap(Function<Tensor, Tensor> f) {
    return Vmap.vmap(f, 0, 0);
  }

  /** {@link #vmap(Function)} over dimension {@code inAxis}, results stacked at {@code outAxis}. */
  public static Function<Tensor, Tensor> vmap(Function<Tensor, Tensor> f, int inAxis, int outAxis) {
    return Vmap.vmap(f, inAxis, outAxis);
  }

  /**
   * f mapped over dimension {@code inAxes[i]} of each argument i, or not mapped where {@code
   * inAxes[i]} is null (JAX's {@code in_axes}); results stacked at {@code outAxis}.
   *
   * <pre>{@code Autograd.vmap(a -> a[0].dot(a[1]), new Integer[] {0, null}, 0)   // rows · v}</pre>
   */
  public static MultiFunction vmap(MultiFunction f, Integer[] inAxes, int outAxis) {
    return Vmap.vmap(f, inAxes, outAxis);
  }

  /**
   * {@link #vmap(MultiFunction, Integer[], int)} for a function with several results (JAX's vmap of
   * a function returning a tuple): each result is stacked at {@code outAxis}. Per-example gradients
   * of every parameter, without flattening them into one tensor:
   *
   * <pre>{@code
   * var perExample = Autograd.vmapOutputs(
   *     a -> Autograd.gradWrt(b -> loss(b[0], b[1], b[2]), 0, 1).apply(a),
   *     new Integer[] {null, null, 0}, 0);
   * Tensor[] g = perExample.apply(w, b, x);   // [n] ++ w.shape, [n] ++ b.shape
   * }</pre>
   */
  public static MultiOutputFunction vmapOutputs(
      MultiOutputFunction f, Integer[] inAxes, int outAxis) {
    return Vmap.vmapOutputs(f, inAxes, outAxis);
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

  // ------------------------------------------------------------ backward and grad (PyTorch)

  /**
   * Backward from {@code output} with a head gradient of its shape (null means ones, for a
   * one-element output).
   *
   * @param retainGraph keep the graph for another backward
   * @param createGraph record the backward pass so the gradients can be differentiated again
   */
  public static void backward(
      Tensor output, Tensor gradient, boolean retainGraph, boolean createGraph) {
    Gradients.backward(output, gradient, retainGraph, createGraph);
  }

  /**
   * Backward from several roots in one pass ({@code torch.autograd.backward(tensors,
   * grad_tensors)}): every leaf that requires grad accumulates Σᵢ headᵢ·∂rootᵢ/∂leaf into {@code
   * grad()}, and a node shared by several roots is visited once. A null head gradient means ones,
   * for a one-element root. Frees the graph; the same as {@code backward(roots, grads, false,
   * false)}.
   *
   * <pre>{@code
   * Tensor x = Tensor.of(1, 2).requiresGrad(true);
   * Autograd.backward(new Tensor[] {x.mul(x).sum(), x.sin()}, new Tensor[] {null, Tensor.of(1, 10)});
   * x.grad();   // [2 + cos 1, 4 + 10 cos 2]
   * }</pre>
   */
  public static void backward(Tensor[] roots, Tensor[] grads) {
    backward(roots, grads, false, false);
  }

  /**
   * {@link #backward(Tensor[], Tensor[])} with options.
   *
   * @param retainGraph keep the graph for another backward
   * @param createGraph record the backward pass so the gradients can be differentiated again
   */
  public static void backward(
      Tensor[] roots, Tensor[] grads, boolean retainGraph, boolean createGraph) {
    Gradients.backward("backward", roots, grads, retainGraph || createGraph, createGraph);
  }

  /**
   * What {@link #grad(Tensor[], Tensor[], boolean, boolean, Unused, Tensor...)} returns for an
   * input the outputs do not depend on (PyTorch's {@code allow_unused} and {@code
   * materialize_grads}).
   */
  public enum Unused {
    /** null in its place ({@code allow_unused=True}). */
    NULL,
    /** zeros of its shape and dtype ({@code materialize_grads=True}; the default of Nabla). */
    ZEROS,
    /** an IllegalArgumentException naming the input ({@code allow_unused=False}). */
    ERROR
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

  /**
   * Gradients of several outputs at once (their head-gradient-weighted sum), with respect to {@code
   * inputs}, returned instead of accumulated: {@code torch.autograd.grad(outputs, inputs,
   * grad_outputs, retain_graph, create_graph)}. A null head gradient means ones (one-element
   * outputs only). An input the outputs do not depend on gets zeros ({@link Unused#ZEROS}).
   */
  public static Tensor[] grad(
      Tensor[] outputs,
      Tensor[] gradients,
      boolean retainGraph,
      boolean createGraph,
      Tensor... inputs) {
    return grad(outputs, gradients, retainGraph, createGraph, Unused.ZEROS, inputs);
  }

  /**
   * {@link #grad(Tensor[], Tensor[], boolean, boolean, Tensor...)} choosing what an input the
   * outputs do not depend on gets: {@link Unused#NULL}, {@link Unused#ZEROS} or an error naming it
   * ({@link Unused#ERROR}).
   *
   * <pre>{@code
   * Tensor x = Tensor.of(1, 2).requiresGrad(true), w = Tensor.of(3, 4).requiresGrad(true);
   * Tensor y = x.mul(x).sum();
   * Autograd.grad(new Tensor[] {y}, new Tensor[] {null}, false, false, Unused.NULL, x, w);
   * // [[2., 4.], null]; Unused.ERROR: "grad: input 1 (shape [2], float32) was not used ..."
   * }</pre>
   */
  public static Tensor[] grad(
      Tensor[] outputs,
      Tensor[] gradients,
      boolean retainGraph,
      boolean createGraph,
      Unused unused,
      Tensor... inputs) {
    return Gradients.grad(outputs, gradients, retainGraph, createGraph, unused, inputs);
  }

  // ------------------------------------------------------------ functional transforms (JAX)

  /**
   * A function of several tensors with a tensor result, for {@link #gradWrt}, {@link
   * #valueAndGrad(MultiFunction, int...)}, {@link #hessian(MultiFunction, Tensor...)}, {@link
   * #hvp(MultiFunction, Tensor[], Tensor[])} and {@link #vhp(MultiFunction, Tensor[], Tensor[])}.
   * Java picks the one-tensor overload for an untyped one-argument lambda where both exist: write
   * {@code (Tensor[] a) -> ...} to choose this one.
   */
  @FunctionalInterface
  public interface MultiFunction {
    Tensor apply(Tensor... args);
  }

  /**
   * A function of several tensors with several results (PyTorch's tuples of outputs), for {@link
   * #vjp(MultiOutputFunction, Tensor[], Tensor[])}, {@link #jvp(MultiOutputFunction, Tensor[],
   * Tensor[])} and {@link #jacobian(MultiOutputFunction, Tensor...)}.
   */
  @FunctionalInterface
  public interface MultiOutputFunction {
    Tensor[] apply(Tensor... args);
  }

  /** A function's value and its gradient. */
  public record ValueAndGrad(Tensor value, Tensor grad) {}

  /** A scalar function's value and its gradients with respect to the chosen arguments. */
  public record ValueAndGrads(Tensor value, Tensor[] grads) {}

  /** A function's value and the derivative along a direction (J·v). */
  public record ValueAndTangent(Tensor value, Tensor tangent) {}

  /** A function's results and their derivatives along the inputs' tangents, one per result. */
  public record ValuesAndTangents(Tensor[] values, Tensor[] tangents) {}

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
    return Transforms.grad(f);
  }

  /**
   * Compiles a function of one tensor (JAX's {@code jit}): traced once per signature, then run as
   * an optimised plan in which chains of elementwise operations and their full sums become single
   * passes over memory. The result may be a tensor or a structure of tensors, so gradients compile
   * too: {@code compile(valueAndGrad(f))} fuses the backward pass with the forward. See {@link
   * Compiled} for the rules a compiled function follows and for what runs when a result needs a
   * graph.
   *
   * <pre>{@code
   * var step = Autograd.compile(Autograd.valueAndGrad(x -> x.mul(x).add(x).exp().sum()));
   * var r = step.apply(Tensor.of(0.1, 0.2));   // first call: traces
   * r = step.apply(Tensor.of(0.3, 0.4));       // later calls: one fused pass
   * System.out.println(step.plan());
   * }</pre>
   */
  public static <R> Compiled<Tensor, R> compile(Function<Tensor, R> f) {
    Checks.nonNull("compile", "f", f);
    return new Compiled<>(f, false, "compile");
  }

  /**
   * Whether {@link #compile} is tracing a function on this thread: library code then skips
   * Java-side checks of argument values (a label range check, say), which the compiled function
   * could not repeat on later calls; the primitives' own checks still run on every call.
   *
   * <pre>{@code
   * if (!Autograd.isTracing()) {
   *   checkLabels(labels.toLongArray());   // reads values: not while tracing
   * }
   * }</pre>
   */
  public static boolean isTracing() {
    return Trace.compiling();
  }

  /**
   * {@link #compile(Function)} for a function of several tensors, passed as an array (the same
   * shapes of arrays share a plan).
   *
   * <pre>{@code
   * var vg = Autograd.compileMulti(Autograd.valueAndGrad((Tensor[] a) -> a[0].mul(a[1]).sum()));
   * var r = vg.apply(new Tensor[] {x, y});   // r.value(), r.grads()
   * }</pre>
   */
  public static <R> Compiled<Tensor[], R> compileMulti(Function<Tensor[], R> f) {
    Checks.nonNull("compileMulti", "f", f);
    return new Compiled<>(f, true, "compileMulti");
  }

  /** The value and gradient of a scalar function, as a function. */
  public static Function<Tensor, ValueAndGrad> valueAndGrad(Function<Tensor, Tensor> f) {
    return Transforms.valueAndGrad(f);
  }

  /**
   * The value of a scalar function of several tensors and its gradients with respect to the
   * arguments listed in {@code argnums}, in that order (all of them when none is given), as a
   * function (JAX's {@code value_and_grad(f, argnums)}). Only the listed arguments must be
   * floating-point; the others (labels, masks) pass through. An argument f does not depend on gets
   * zeros.
   *
   * <pre>{@code
   * var vg = Autograd.valueAndGrad(a -> a[0].mul(a[1]).sum(), 1, 0);
   * var r = vg.apply(new Tensor[] {Tensor.of(1, 2), Tensor.of(3, 4)});
   * r.value();    // 11
   * r.grads();    // [[1., 2.] (d/da[1]), [3., 4.] (d/da[0])]
   * }</pre>
   */
  public static Function<Tensor[], ValueAndGrads> valueAndGrad(MultiFunction f, int... argnums) {
    return MultiTransforms.valueAndGrad("valueAndGrad", f, argnums);
  }

  /**
   * Gradients of a scalar function of several tensors with respect to the arguments listed in
   * {@code argnums} (all of them when none is given), as a function (JAX's {@code argnums}); {@link
   * #valueAndGrad(MultiFunction, int...)} without the value.
   *
   * <pre>{@code
   * var g = Autograd.gradWrt(a -> a[0].mul(a[1]).sum(), 1);
   * g.apply(new Tensor[] {x, y});   // [d/dy] = [x]
   * }</pre>
   */
  public static Function<Tensor[], Tensor[]> gradWrt(MultiFunction f, int... argnums) {
    Function<Tensor[], ValueAndGrads> vg = MultiTransforms.valueAndGrad("gradWrt", f, argnums);
    return args -> vg.apply(args).grads();
  }

  /** Like {@link #valueAndGrad} for a function that also returns auxiliary data. */
  public static <A> Function<Tensor, GradAndAux<A>> gradWithAux(Function<Tensor, WithAux<A>> f) {
    return Transforms.gradWithAux(f);
  }

  /**
   * Vector-Jacobian product vᵀ·J of f at x (reverse mode): the gradient of ⟨v, f(x)⟩.
   *
   * <pre>{@code Autograd.vjp(x -> x.mul(x), Tensor.of(1, 2), Tensor.of(1, 1))   // [2., 4.]}</pre>
   */
  public static Tensor vjp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
    return Transforms.vjp(f, x, v);
  }

  /**
   * Vector-Jacobian product of a function of several tensors with several results: for each input
   * j, Σᵢ vᵢᵀ·∂fᵢ/∂xⱼ, the gradient of Σᵢ ⟨vᵢ, fᵢ(xs)⟩ (PyTorch's {@code vjp(func, inputs, v)} with
   * tuples). One cotangent per output, of its shape and dtype. An input no output depends on gets
   * zeros.
   *
   * <pre>{@code
   * Tensor[] g = Autograd.vjp(a -> new Tensor[] {a[0].mul(a[1]), a[0].sum()},
   *     new Tensor[] {x, y}, new Tensor[] {v, Tensor.scalar(1)});   // [v*y + 1, v*x]
   * }</pre>
   */
  public static Tensor[] vjp(MultiOutputFunction f, Tensor[] xs, Tensor[] vs) {
    return vjp(f, xs, vs, false);
  }

  /**
   * {@link #vjp(MultiOutputFunction, Tensor[], Tensor[])} with PyTorch's strict mode: when {@code
   * strict}, an output that depends on no input, or an input no output depends on, is an
   * IllegalArgumentException naming it instead of zeros.
   */
  public static Tensor[] vjp(MultiOutputFunction f, Tensor[] xs, Tensor[] vs, boolean strict) {
    return MultiTransforms.vjp(f, xs, vs, strict);
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
    return Transforms.valueAndJvp(f, x, v);
  }

  /**
   * Jacobian-vector product of a function of several tensors with several results (forward mode,
   * one pass): for each output i, Σⱼ ∂fᵢ/∂xⱼ·vⱼ. One tangent per input, of its shape and dtype.
   *
   * <pre>{@code
   * Tensor[] t = Autograd.jvp(a -> new Tensor[] {a[0].mul(a[1])},
   *     new Tensor[] {x, y}, new Tensor[] {u, v});   // [u*y + x*v]
   * }</pre>
   */
  public static Tensor[] jvp(MultiOutputFunction f, Tensor[] xs, Tensor[] vs) {
    return valueAndJvp(f, xs, vs, false).tangents();
  }

  /**
   * {@link #jvp(MultiOutputFunction, Tensor[], Tensor[])} with strict mode: an output that depends
   * on no input, or an input no output depends on, is an IllegalArgumentException naming it (to
   * find the input, strict mode runs f a second time, recording its graph).
   */
  public static Tensor[] jvp(MultiOutputFunction f, Tensor[] xs, Tensor[] vs, boolean strict) {
    return valueAndJvp(f, xs, vs, strict).tangents();
  }

  /**
   * The results of f and their tangents together, from one forward pass (JAX's {@code jvp}).
   *
   * <pre>{@code
   * var r = Autograd.valueAndJvp(a -> new Tensor[] {a[0].sin()}, new Tensor[] {x}, new Tensor[] {v});
   * r.values()[0];   // sin x
   * r.tangents()[0]; // cos x * v
   * }</pre>
   */
  public static ValuesAndTangents valueAndJvp(
      MultiOutputFunction f, Tensor[] xs, Tensor[] vs, boolean strict) {
    return MultiTransforms.valueAndJvp(f, xs, vs, strict);
  }

  /**
   * The Jacobian of f at x, shape f(x).shape ++ x.shape (reverse mode: {@link #jacrev}, all rows in
   * one batched pass).
   */
  public static Tensor jacobian(Function<Tensor, Tensor> f, Tensor x) {
    return jacrev(f, x);
  }

  /**
   * The Jacobian blocks of a function of several tensors with several results, {@code J[i][j] =
   * ∂fᵢ/∂xⱼ} of shape fᵢ.shape ++ xⱼ.shape (PyTorch's {@code jacobian} with tuples, JAX's {@code
   * jacrev(f, argnums)}); reverse mode, see {@link #jacrev(MultiOutputFunction, Tensor...)}. A
   * block where an output does not depend on an input is zeros.
   *
   * <pre>{@code
   * Tensor[][] j = Autograd.jacobian(a -> new Tensor[] {a[0].mul(a[1]), a[0].sum()}, x, y);
   * // j[0][0] = diag(y), j[0][1] = diag(x), j[1][0] = ones, j[1][1] = zeros
   * }</pre>
   */
  public static Tensor[][] jacobian(MultiOutputFunction f, Tensor... xs) {
    return jacrev(f, xs);
  }

  /**
   * {@link #jacobian(MultiOutputFunction, Tensor...)} with strict mode: a block where output i does
   * not depend on input j is an IllegalArgumentException naming both, instead of zeros.
   */
  public static Tensor[][] jacobian(MultiOutputFunction f, Tensor[] xs, boolean strict) {
    return jacrev(f, xs, strict);
  }

  /**
   * The Jacobian by reverse mode, shape f(x).shape ++ x.shape: f is run once, then all rows come
   * from {@link #vmap} of the vector-Jacobian product over the rows of the identity (JAX's and
   * functorch's {@code jacrev}): each primitive's VJP runs once on a batch of seeds. Custom
   * functions and checkpoints are batched the same way; what vmap cannot batch runs once per row,
   * with the same result. Jacobians of at most three rows take one backward pass per row, which is
   * cheaper there. Hooks registered inside f run on every row, as in the per-row loop.
   *
   * <p>When x requires grad (an outer transform will differentiate the result), the batched pass
   * records its graph like any backward with {@code createGraph}. A batched value holds (rows ×
   * size) elements, so rows are processed in chunks when that would exceed 2²⁴ elements.
   *
   * <pre>{@code Autograd.jacrev(t -> t.sin(), Tensor.of(0, 1))   // diag(cos x)}</pre>
   */
  public static Tensor jacrev(Function<Tensor, Tensor> f, Tensor x) {
    return Transforms.jacrev(f, x, true, true);
  }

  /**
   * Jacobian blocks {@code J[i][j]} (shape fᵢ.shape ++ xⱼ.shape) by reverse mode: f is run once,
   * then each output's rows with respect to all inputs come from one batched pass (vmap of the VJP,
   * see {@link #jacrev(Function, Tensor)}).
   *
   * <pre>{@code Autograd.jacrev(a -> new Tensor[] {a[0].mul(a[1])}, x, y)[0][1]   // diag(x)}</pre>
   */
  public static Tensor[][] jacrev(MultiOutputFunction f, Tensor... xs) {
    return jacrev(f, xs, false);
  }

  /** {@link #jacrev(MultiOutputFunction, Tensor...)} with strict mode (see {@link #jacobian}). */
  public static Tensor[][] jacrev(MultiOutputFunction f, Tensor[] xs, boolean strict) {
    return MultiTransforms.jacrev("jacrev", f, xs, strict);
  }

  /** jacrev by vmap of the VJP only (never the per-row loop; for tests). */
  static Tensor jacrevBatched(Function<Tensor, Tensor> f, Tensor x) {
    return Transforms.jacrev(f, x, true, false);
  }

  /** jacrev by one backward pass per output element (the fallback; for tests). */
  static Tensor jacrevLooped(Function<Tensor, Tensor> f, Tensor x) {
    return Transforms.jacrev(f, x, false, true);
  }

  /**
   * The Jacobian by forward mode, shape f(x).shape ++ x.shape: {@link #vmap} of the Jacobian-vector
   * product over the rows of the identity (JAX's {@code jacfwd}), so each JVP rule runs once on a
   * batch of tangents; at most three input elements take one JVP each. The better choice when x has
   * fewer elements than f(x).
   *
   * <pre>{@code Autograd.jacfwd(t -> t.sin(), Tensor.of(0, 1))   // diag(cos x)}</pre>
   */
  public static Tensor jacfwd(Function<Tensor, Tensor> f, Tensor x) {
    return Transforms.jacfwd(f, x);
  }

  /**
   * Jacobian blocks {@code J[i][j]} (shape fᵢ.shape ++ xⱼ.shape) by forward mode: vmap of the JVP
   * over each input's elements, the better choice when the inputs are smaller than the outputs.
   *
   * <pre>{@code Autograd.jacfwd(a -> new Tensor[] {a[0].mul(a[1])}, x, y)[0][0]   // diag(y)}</pre>
   */
  public static Tensor[][] jacfwd(MultiOutputFunction f, Tensor... xs) {
    return jacfwd(f, xs, false);
  }

  /** {@link #jacfwd(MultiOutputFunction, Tensor...)} with strict mode (see {@link #jacobian}). */
  public static Tensor[][] jacfwd(MultiOutputFunction f, Tensor[] xs, boolean strict) {
    return MultiTransforms.jacfwd(f, xs, strict);
  }

  /**
   * The Hessian of a scalar function at x, shape x.shape ++ x.shape. Computed reverse-over-
   * reverse, {@code jacrev(grad(f))}: the gradient graph is recorded once and walked back by vmap
   * of its VJP, all rows together (see {@link #jacrev}).
   *
   * <pre>{@code Autograd.hessian(x -> x.pow(3).sum(), Tensor.of(1, 2))   // diag(6x)}</pre>
   */
  public static Tensor hessian(Function<Tensor, Tensor> f, Tensor x) {
    return Transforms.hessian(f, x);
  }

  /**
   * The Hessian blocks of a scalar function of several tensors, {@code H[i][j] = ∂²f/∂xᵢ∂xⱼ} of
   * shape xᵢ.shape ++ xⱼ.shape (PyTorch's {@code hessian} with a tuple of inputs), reverse over
   * reverse. A block where the gradient with respect to xᵢ does not depend on xⱼ is zeros.
   *
   * <pre>{@code
   * Tensor[][] h = Autograd.hessian(a -> a[0].mul(a[1]).sum(), x, y);
   * // h[0][0] = h[1][1] = zeros, h[0][1] = h[1][0] = eye(n)
   * }</pre>
   */
  public static Tensor[][] hessian(MultiFunction f, Tensor... xs) {
    return hessian(f, xs, false);
  }

  /**
   * {@link #hessian(MultiFunction, Tensor...)} with strict mode: an input f does not depend on, or
   * a block {@code [i][j]} where the gradient with respect to xᵢ does not depend on xⱼ (a linear
   * term, a separable function), is an IllegalArgumentException naming them.
   */
  public static Tensor[][] hessian(MultiFunction f, Tensor[] xs, boolean strict) {
    return MultiTransforms.hessian(f, xs, strict);
  }

  /** Hessian-vector product H·v of a scalar function at x (forward-over-reverse). */
  public static Tensor hvp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
    return Transforms.hvp(f, x, v);
  }

  /**
   * Hessian-vector product of a scalar function of several tensors: for each input i, Σⱼ H[i][j]·vⱼ
   * (forward over reverse, one pass). One v per input, of its shape and dtype.
   *
   * <pre>{@code
   * Autograd.hvp(a -> a[0].mul(a[1]).sum(), new Tensor[] {x, y}, new Tensor[] {u, v});   // [v, u]
   * }</pre>
   */
  public static Tensor[] hvp(MultiFunction f, Tensor[] xs, Tensor[] vs) {
    return hvp(f, xs, vs, false);
  }

  /** {@link #hvp(MultiFunction, Tensor[], Tensor[])} with strict mode (see {@link #hessian}). */
  public static Tensor[] hvp(MultiFunction f, Tensor[] xs, Tensor[] vs, boolean strict) {
    return MultiTransforms.hvp(f, xs, vs, strict);
  }

  /**
   * Vector-Hessian product vᵀ·H of a scalar function at x (reverse over reverse); equal to {@link
   * #hvp} for a twice continuously differentiable f, whose Hessian is symmetric.
   *
   * <pre>{@code Autograd.vhp(x -> x.pow(3).sum(), Tensor.of(1, 2), Tensor.of(1, 1))   // [6, 12]}
   * </pre>
   */
  public static Tensor vhp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
    Checks.nonNull("vhp", "f", f);
    return vhp(a -> f.apply(a[0]), new Tensor[] {x}, new Tensor[] {v})[0];
  }

  /**
   * Vector-Hessian product of a scalar function of several tensors: for each input j, Σᵢ
   * vᵢᵀ·H[i][j] (reverse over reverse, PyTorch's {@code vhp} with tuples).
   *
   * <pre>{@code
   * Autograd.vhp(a -> a[0].mul(a[1]).sum(), new Tensor[] {x, y}, new Tensor[] {u, v});   // [v, u]
   * }</pre>
   */
  public static Tensor[] vhp(MultiFunction f, Tensor[] xs, Tensor[] vs) {
    return vhp(f, xs, vs, false);
  }

  /** {@link #vhp(MultiFunction, Tensor[], Tensor[])} with strict mode (see {@link #hessian}). */
  public static Tensor[] vhp(MultiFunction f, Tensor[] xs, Tensor[] vs, boolean strict) {
    return MultiTransforms.vhp(f, xs, vs, strict);
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

  /** y, or an error naming op when a user function returned null instead of a tensor. */
  static Tensor returned(String op, Tensor y) {
    return Transforms.returned(op, y);
  }
}
