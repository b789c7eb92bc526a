package nabla;

import java.util.function.Function;
import nabla.storage.Shapes;

/**
 * The JAX-style transforms of functions of one tensor behind {@link Autograd}'s facade ({@code
 * grad}, {@code vjp}, {@code jvp}, Jacobians, Hessians), and the helpers every transform shares:
 * when to record the backward for an outer derivative, the differentiable alias of an argument, the
 * checks of what a user function returned and of tangent dtypes.
 */
final class Transforms {
  private Transforms() {}

  // ------------------------------------------------------------------ shared helpers

  /**
   * Whether a transform's backward must be recorded (createGraph) because an outer derivative may
   * be taken through it: an argument requires grad, or carries a forward-mode tangent that does
   * (forward-over-reverse inside a reverse derivative with respect to the tangent, as in the
   * derivative of an {@link Autograd#hvp} with respect to v).
   */
  static boolean outerNeedsGraph(Tensor... args) {
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

  /** Whether an argument carries a forward-mode tangent (an enclosing jvp differentiates it). */
  static boolean hasTangent(Tensor... args) {
    for (Tensor a : args) {
      if (AutogradMeta.tangents(a) != null) {
        return true;
      }
    }
    return false;
  }

  /** A new tensor sharing x's values (and its graph, if any) that requires grad. */
  static Tensor differentiableAlias(Tensor x) {
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

  static void checkScalar(String op, Tensor y) {
    returned(op, y);
    if (y.numel() != 1) {
      throw new IllegalArgumentException(
          op
              + ": the function must return a one-element tensor, but it returned shape "
              + Shapes.str(y.shape())
              + "; reduce it (e.g. sum()) or use vjp / jacobian");
    }
  }

  /**
   * A tangent or cotangent must have its primal's dtype, as in JAX and torch.func (converting it
   * silently would hide a precision mistake, such as a float32 direction for a float64 point).
   */
  static void sameDtype(String op, String name, Tensor t, String primal, Tensor p) {
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

  static void requireFloating(String op, Tensor x) {
    requireFloating(op, "x", x);
  }

  static void requireFloating(String op, String name, Tensor x) {
    if (!Checks.nonNull(op, name, x).dtype().isFloating()) {
      throw new IllegalArgumentException(
          op
              + ": can only differentiate with respect to floating-point tensors, "
              + (name.equals("x") ? "got " : "but " + name + " is ")
              + x.dtype()
              + " of shape "
              + Shapes.str(x.shape()));
    }
  }

  static int[] concat(int[] a, int[] b) {
    int[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  // ------------------------------------------------------------------ one tensor in

  static Function<Tensor, Tensor> grad(Function<Tensor, Tensor> f) {
    Checks.nonNull("grad", "f", f);
    return x -> valueAndGradAt(f, x).grad();
  }

  static Function<Tensor, Autograd.ValueAndGrad> valueAndGrad(Function<Tensor, Tensor> f) {
    Checks.nonNull("valueAndGrad", "f", f);
    return x -> valueAndGradAt(f, x);
  }

  static <A> Function<Tensor, Autograd.GradAndAux<A>> gradWithAux(
      Function<Tensor, Autograd.WithAux<A>> f) {
    Checks.nonNull("gradWithAux", "f", f);
    return x -> {
      Object[] aux = new Object[1];
      Autograd.ValueAndGrad vg =
          valueAndGradAt(
              t -> {
                Autograd.WithAux<A> r = f.apply(t);
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
      return new Autograd.GradAndAux<>(vg.value(), vg.grad(), a);
    };
  }

  private static Autograd.ValueAndGrad valueAndGradAt(Function<Tensor, Tensor> f, Tensor x) {
    requireFloating("grad", x);
    boolean nested = outerNeedsGraph(x);
    Tensor xi = differentiableAlias(x);
    Tensor y;
    try (Autograd.Scope s = Autograd.enableGrad()) {
      y = returned("grad", f.apply(xi));
    }
    checkScalar("grad", y);
    if (!y.requiresGrad()) {
      return new Autograd.ValueAndGrad(y, x.detach().zerosLike());
    }
    Tensor g = Autograd.grad(y, y.onesLike(), false, nested, xi)[0];
    // The value keeps its graph for an outer reverse derivative and its tangent for an outer jvp
    // (detach would drop both); otherwise it is detached from the internal alias.
    return new Autograd.ValueAndGrad(nested || hasTangent(x) ? y : y.detach(), g);
  }

  static Tensor vjp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
    Checks.nonNull("vjp", "f", f);
    requireFloating("vjp", x);
    Checks.nonNull("vjp", "v", v);
    // Record the backward when an outer derivative may be taken with respect to x or to v (the
    // VJP is linear in v: its derivative there is the transposed Jacobian).
    boolean nested = outerNeedsGraph(x, v);
    Tensor xi = differentiableAlias(x);
    Tensor y;
    try (Autograd.Scope s = Autograd.enableGrad()) {
      y = returned("vjp", f.apply(xi));
    }
    if (!Shapes.same(v.shape, y.shape)) {
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
    return Autograd.grad(y, v, false, nested, xi)[0];
  }

  static Autograd.ValueAndTangent valueAndJvp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
    Checks.nonNull("jvp", "f", f);
    requireFloating("jvp", x);
    if (!Shapes.same(Checks.nonNull("jvp", "v", v).shape, x.shape)) {
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
      return new Autograd.ValueAndTangent(y, t != null ? t : y.detach().zerosLike());
    } finally {
      s.closeLevel(level);
    }
  }

  static Tensor jacrev(Function<Tensor, Tensor> f, Tensor x, boolean tryBatched, boolean loop) {
    Checks.nonNull("jacrev", "f", f);
    requireFloating("jacrev", x);
    boolean nested = outerNeedsGraph(x);
    Tensor xi = differentiableAlias(x);
    Tensor y;
    try (Autograd.Scope s = Autograd.enableGrad()) {
      y = returned("jacrev", f.apply(xi));
    }
    int m = y.numel();
    if (tryBatched && m > 0 && y.requiresGrad()) {
      Tensor[] j = batchedRows(y, new Tensor[] {xi}, nested);
      if (j != null) {
        Tensor g = j[0] != null ? j[0] : Tensor.zeros(xi.dtype(), concat(new int[] {m}, x.shape));
        return g.reshape(concat(y.shape(), x.shape()));
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
      rows[i] = Autograd.grad(y, e.reshape(y.shape()), true, nested, xi)[0];
    }
    return stackRows(rows, y.shape(), x.shape());
  }

  /**
   * All rows of the Jacobian of y with respect to each of {@code xis}, shapes [y.numel] ++
   * xis[k].shape (null for a tensor y does not reach), by {@code vmap} of the vector-Jacobian
   * product over the rows of the identity (JAX's and functorch's jacrev), so each VJP rule runs
   * once on a batch of seeds. Never null: vmap itself falls back to one backward pass per row when
   * it must (a rule without a batching rule, a user function that reads values). Jacobians of at
   * most {@link #LOOPED_ROWS} rows take one backward pass per row instead ({@link #mapSeeds}).
   */
  static Tensor[] batchedRows(Tensor y, Tensor[] xis, boolean createGraph) {
    int m = y.numel();
    boolean[] reached = new boolean[xis.length];
    int[] sizes = new int[xis.length];
    boolean oneDtype = true;
    for (int k = 0; k < xis.length; k++) {
      sizes[k] = xis[k].numel();
      oneDtype &= xis[k].dtype() == xis[0].dtype();
    }
    Tensor seeds = identityRows(y.dtype(), m);
    Tensor[] out = new Tensor[xis.length];
    // one vmap for all inputs (their gradients flattened side by side) when they share a dtype
    int groups = oneDtype ? 1 : xis.length;
    for (int group = 0; group < groups; group++) {
      Tensor[] wrt = oneDtype ? xis : new Tensor[] {xis[group]};
      int first = oneDtype ? 0 : group;
      Function<Tensor, Tensor> vjp =
          e -> {
            Tensor[] g =
                Gradients.grad(
                    new Tensor[] {y},
                    new Tensor[] {e.reshape(y.shape())},
                    true,
                    createGraph,
                    Autograd.Unused.NULL,
                    wrt);
            Tensor[] flat = new Tensor[g.length];
            for (int k = 0; k < g.length; k++) {
              reached[first + k] |= g[k] != null;
              flat[k] =
                  g[k] != null ? g[k].reshape(-1) : Tensor.zeros(wrt[k].dtype(), sizes[first + k]);
            }
            return flat.length == 1 ? flat[0] : Tensor.cat(0, flat);
          };
      Tensor rows = mapSeeds(vjp, seeds);
      int at = 0;
      for (int k = 0; k < wrt.length; k++) {
        int n = sizes[first + k];
        Tensor part = wrt.length == 1 ? rows : rows.narrow(1, at, n);
        out[first + k] =
            reached[first + k] ? part.reshape(concat(new int[] {m}, wrt[k].shape())) : null;
        at += n;
      }
    }
    return out;
  }

  /**
   * Jacobians with at most this many rows are computed one backward pass per row: vmap traces one
   * row and then replays the batch, about two passes and a fixed cost whatever the rows, so for one
   * to three rows the passes are cheaper (f(x) = sin(x)·Σx + x², x of 3 elements, float64: 5.3–5.6
   * µs looped against 6.4 µs by vmap; equal at 4 rows, vmap ahead from 6: 6.8 against 9.9 µs). The
   * same holds for jacfwd's columns (one JVP each; 3 columns 4.2 against 8.0 µs, 6 columns 6.9
   * against 6.6 µs). A count of passes, not a machine constant: both sides are the same engine's
   * per-op costs.
   */
  static final int LOOPED_ROWS = 3;

  /** The rows of the n × n identity matrix, in dtype. */
  private static Tensor identityRows(DType dtype, int n) {
    Tensor e = Tensor.zeros(dtype, n, n);
    for (int i = 0; i < n; i++) {
      e.storage().setDouble(i * n + i, 1);
    }
    return e;
  }

  /**
   * The Jacobian by forward mode: {@code vmap} of the Jacobian-vector product over the rows of the
   * identity (JAX's jacfwd), so each JVP rule runs once on a batch of tangents.
   */
  static Tensor jacfwd(Function<Tensor, Tensor> f, Tensor x) {
    Checks.nonNull("jacfwd", "f", f);
    requireFloating("jacfwd", x);
    int n = x.numel();
    if (n == 0) {
      int[] yShape = returned("jacfwd", f.apply(x)).shape();
      return Tensor.zeros(x.dtype(), concat(yShape, x.shape()));
    }
    int[][] yShape = new int[1][];
    Function<Tensor, Tensor> jvp =
        e -> {
          Tensor t = valueAndJvp(f, x, e.reshape(x.shape())).tangent();
          yShape[0] = t.shape();
          return t.reshape(-1);
        };
    Tensor cols = mapSeeds(jvp, identityRows(x.dtype(), n)); // [n, m]
    return cols.transpose(0, 1).reshape(concat(yShape[0], x.shape()));
  }

  /**
   * {@code f} (a VJP or a JVP) of each row of {@code seeds}, stacked along dimension 0: by vmap
   * (one batched pass, in chunks of at most {@link Engine#batchElements} elements per value), or
   * one call per row for at most {@link #LOOPED_ROWS} rows. The Jacobians' one place for this
   * choice.
   */
  static Tensor mapSeeds(Function<Tensor, Tensor> f, Tensor seeds) {
    int n = seeds.shape[0];
    if (n > LOOPED_ROWS) {
      return Vmap.mapInChunks(f, seeds, Engine.batchElements);
    }
    Tensor[] rows = new Tensor[n];
    for (int i = 0; i < n; i++) {
      rows[i] = f.apply(seeds.get(i));
    }
    return Tensor.stack(0, rows);
  }

  static Tensor hessian(Function<Tensor, Tensor> f, Tensor x) {
    Checks.nonNull("hessian", "f", f);
    return jacrev(grad(f), x, true, true);
  }

  static Tensor hvp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
    Checks.nonNull("hvp", "f", f);
    return valueAndJvp(grad(f), x, v).tangent();
  }

  private static Tensor stackRows(Tensor[] rows, int[] yShape, int[] xShape) {
    if (rows.length == 0) {
      return Tensor.zeros(DType.FLOAT32, concat(yShape, xShape));
    }
    return Tensor.stack(0, rows).reshape(concat(yShape, xShape));
  }
}
