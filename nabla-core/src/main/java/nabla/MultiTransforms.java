package nabla;

import static nabla.Transforms.concat;
import static nabla.Transforms.differentiableAlias;
import static nabla.Transforms.outerNeedsGraph;
import static nabla.Transforms.sameDtype;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import nabla.storage.Shapes;

/**
 * The transforms of functions of several tensors with several results behind {@link Autograd}'s
 * facade (PyTorch's tuples in {@code torch.autograd.functional}, JAX's {@code argnums}), with
 * PyTorch's strict mode: an error naming the output and the input when an output does not depend on
 * an input, where the default gives zeros.
 *
 * <p>Every argument is differentiated through its own alias, so {@code f(x, x)} gets one gradient
 * per argument. Every transform records its backward when an argument, a direction or a tangent of
 * an argument requires grad, so an outer derivative may be taken with respect to any of them.
 */
final class MultiTransforms {
  private MultiTransforms() {}

  /** How to name output i of the function being differentiated, in strict-mode errors. */
  private interface Noun {
    String of(int i);
  }

  private static final Noun OUTPUT = i -> "output " + i;
  private static final Noun GRADIENT = i -> "the gradient with respect to input " + i;

  // ------------------------------------------------------------------ argument checks

  static Tensor[] inputs(String op, Tensor[] xs) {
    Checks.noNulls(op, "xs", xs);
    for (int j = 0; j < xs.length; j++) {
      Transforms.requireFloating(op, "input " + j, xs[j]);
    }
    return xs;
  }

  /**
   * Checks one direction (tangent or cotangent) per primal, each of its primal's shape and dtype.
   */
  private static void directions(
      String op, String noun, Tensor[] vs, String primalNoun, Tensor[] primals) {
    Checks.noNulls(op, noun + "s", vs);
    if (vs.length != primals.length) {
      throw new IllegalArgumentException(
          op
              + ": "
              + vs.length
              + " "
              + noun
              + (vs.length == 1 ? "" : "s")
              + " for "
              + primals.length
              + " "
              + primalNoun
              + (primals.length == 1 ? "" : "s")
              + "; pass one "
              + noun
              + " per "
              + primalNoun);
    }
    for (int i = 0; i < vs.length; i++) {
      if (!Shapes.same(vs[i].shape, primals[i].shape)) {
        throw new IllegalArgumentException(
            op
                + ": "
                + noun
                + " "
                + i
                + " has shape "
                + Shapes.str(vs[i].shape())
                + " but "
                + primalNoun
                + " "
                + i
                + " has shape "
                + Shapes.str(primals[i].shape())
                + "; they must be equal");
      }
      sameDtype(op, noun + " " + i, vs[i], primalNoun + " " + i, primals[i]);
    }
  }

  private static Tensor[] returned(String op, Tensor[] ys) {
    if (ys == null) {
      throw new IllegalStateException(
          op
              + ": the function returned null; it must return an array of tensors (e.g. a -> new"
              + " Tensor[] {a[0].sin(), a[0].mul(a[1])})");
    }
    for (int i = 0; i < ys.length; i++) {
      if (ys[i] == null) {
        throw new IllegalStateException(
            op
                + ": the function returned null as output "
                + i
                + " (of "
                + ys.length
                + "); every output must be a tensor");
      }
    }
    return ys.clone();
  }

  private static Tensor[] aliases(Tensor[] xs) {
    Tensor[] xis = new Tensor[xs.length];
    for (int j = 0; j < xs.length; j++) {
      xis[j] = differentiableAlias(xs[j]);
    }
    return xis;
  }

  private static Tensor[] recorded(String op, Autograd.MultiOutputFunction f, Tensor[] xis) {
    try (Autograd.Scope s = Autograd.enableGrad()) {
      return returned(op, f.apply(xis.clone()));
    }
  }

  private static Tensor[] join(Tensor[] a, Tensor[] b) {
    Tensor[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  private static IllegalArgumentException independent(
      String op, Noun noun, int i, String of, String block, int j) {
    return new IllegalArgumentException(
        op
            + " (strict): "
            + noun.of(i)
            + " does not depend on "
            + of
            + (block == null
                ? ""
                : ", so the " + block + " block [" + i + "][" + j + "] is identically zero")
            + "; pass strict = false to get zeros instead");
  }

  // ------------------------------------------------------------------ reverse mode

  static Tensor[] vjp(Autograd.MultiOutputFunction f, Tensor[] xs, Tensor[] vs, boolean strict) {
    Checks.nonNull("vjp", "f", f);
    return vjp("vjp", OUTPUT, f, inputs("vjp", xs), vs, strict);
  }

  private static Tensor[] vjp(
      String op,
      Noun noun,
      Autograd.MultiOutputFunction f,
      Tensor[] xs,
      Tensor[] vs,
      boolean strict) {
    Checks.noNulls(op, "cotangents", vs);
    // Recorded when an outer derivative may be taken with respect to an x or a v (the VJP is
    // linear in v: its derivative there is the transposed Jacobian).
    boolean nested = outerNeedsGraph(join(xs, vs));
    Tensor[] xis = aliases(xs);
    Tensor[] ys = recorded(op, f, xis);
    directions(op, "cotangent", vs, "output", ys);
    List<Tensor> roots = new ArrayList<>();
    List<Tensor> heads = new ArrayList<>();
    for (int i = 0; i < ys.length; i++) {
      if (ys[i].requiresGrad()) {
        roots.add(ys[i]);
        heads.add(vs[i]);
      } else if (strict) {
        throw independent(op, noun, i, "any input (it does not require grad)", null, 0);
      }
    }
    Tensor[] g =
        roots.isEmpty()
            ? new Tensor[xs.length]
            : Gradients.grad(
                roots.toArray(new Tensor[0]),
                heads.toArray(new Tensor[0]),
                nested,
                nested,
                Autograd.Unused.NULL,
                xis);
    for (int j = 0; j < xs.length; j++) {
      if (g[j] == null) {
        if (strict) {
          throw new IllegalArgumentException(
              op
                  + " (strict): no "
                  + (noun == OUTPUT ? "output" : "gradient")
                  + " depends on input "
                  + j
                  + " (shape "
                  + Shapes.str(xs[j].shape())
                  + "); pass strict = false to get zeros instead");
        }
        g[j] = xs[j].detach().zerosLike();
      }
    }
    return g;
  }

  static Tensor[][] jacrev(String op, Autograd.MultiOutputFunction f, Tensor[] xs, boolean strict) {
    Checks.nonNull(op, "f", f);
    return jacrev(op, OUTPUT, "Jacobian", f, inputs(op, xs), strict);
  }

  private static Tensor[][] jacrev(
      String op,
      Noun noun,
      String block,
      Autograd.MultiOutputFunction f,
      Tensor[] xs,
      boolean strict) {
    boolean nested = outerNeedsGraph(xs);
    Tensor[] xis = aliases(xs);
    Tensor[] ys = recorded(op, f, xis);
    Tensor[][] jac = new Tensor[ys.length][];
    for (int i = 0; i < ys.length; i++) {
      Tensor y = ys[i];
      int m = y.numel();
      Tensor[] rows = null; // [y.numel] ++ x.shape per input, null where y does not reach
      if (m > 0 && y.requiresGrad()) {
        rows = Transforms.batchedRows(y, xis, nested);
      }
      jac[i] = new Tensor[xs.length];
      for (int j = 0; j < xs.length; j++) {
        int[] shape = concat(y.shape(), xs[j].shape());
        if (rows == null || rows[j] == null) {
          if (strict && m > 0) {
            throw independent(op, noun, i, "input " + j, block, j);
          }
          jac[i][j] = Tensor.zeros(xs[j].dtype(), shape);
        } else {
          jac[i][j] = rows[j].reshape(shape);
        }
      }
    }
    return jac;
  }

  // ------------------------------------------------------------------ forward mode

  static Autograd.ValuesAndTangents valueAndJvp(
      Autograd.MultiOutputFunction f, Tensor[] xs, Tensor[] vs, boolean strict) {
    Checks.nonNull("jvp", "f", f);
    return valueAndJvp("jvp", OUTPUT, f, inputs("jvp", xs), vs, strict);
  }

  private static Autograd.ValuesAndTangents valueAndJvp(
      String op,
      Noun noun,
      Autograd.MultiOutputFunction f,
      Tensor[] xs,
      Tensor[] vs,
      boolean strict) {
    directions(op, "tangent", vs, "input", xs);
    Tensor[] ys;
    Tensor[] ts;
    GradMode.State s = GradMode.state();
    int level = s.openLevel();
    try {
      Tensor[] xis = new Tensor[xs.length];
      for (int j = 0; j < xs.length; j++) {
        xis[j] = xs[j].alias();
        AutogradMeta.addTangent(xis[j], level, vs[j]);
      }
      ys = returned(op, f.apply(xis));
      ts = new Tensor[ys.length];
      for (int i = 0; i < ys.length; i++) {
        ts[i] = AutogradMeta.tangent(ys[i], level);
      }
    } finally {
      s.closeLevel(level);
    }
    for (int i = 0; i < ys.length; i++) {
      if (ts[i] == null) {
        if (strict) {
          throw independent(op, noun, i, "any input", null, 0);
        }
        ts[i] = ys[i].detach().zerosLike();
      }
    }
    if (strict) {
      // Forward mode sums the inputs' contributions, so an input no output depends on is invisible
      // in the tangents: strict mode records f's graph in a second run to find it.
      Tensor[] xis = aliases(xs);
      Tensor[] again = recorded(op, f, xis);
      for (int j = 0; j < xs.length; j++) {
        if (!reaches(again, xis[j])) {
          throw new IllegalArgumentException(
              op
                  + " (strict): no "
                  + (noun == OUTPUT ? "output" : "gradient")
                  + " depends on input "
                  + j
                  + " (shape "
                  + Shapes.str(xs[j].shape())
                  + "); pass strict = false to get zeros instead");
        }
      }
    }
    return new Autograd.ValuesAndTangents(ys, ts);
  }

  /** Whether the recorded graph of some of {@code ys} leads back to {@code x}. */
  private static boolean reaches(Tensor[] ys, Tensor x) {
    Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Tensor> todo = new ArrayList<>(List.of(ys));
    while (!todo.isEmpty()) {
      Tensor t = todo.remove(todo.size() - 1);
      if (t == x) {
        return true;
      }
      Node n = t.gradFn();
      if (n != null && seen.add(n)) {
        Tensor[] in = n.inputsNow();
        if (in != null) {
          todo.addAll(List.of(in));
        }
      }
    }
    return false;
  }

  /**
   * Jacobian blocks by forward mode: for each input, {@code vmap} of the Jacobian-vector product
   * over the rows of the identity (one batched forward pass per input, JAX's jacfwd); the tangents
   * of all outputs are flattened side by side when they share a dtype, else mapped one output at a
   * time.
   */
  static Tensor[][] jacfwd(Autograd.MultiOutputFunction f, Tensor[] xs, boolean strict) {
    Checks.nonNull("jacfwd", "f", f);
    inputs("jacfwd", xs);
    String op = "jacfwd";
    int[][][] yShapes = new int[1][][];
    DType[][] yDtypes = new DType[1][];
    // [input][output] -> [y.numel, x.numel] (null where the output does not depend on the input)
    Tensor[][] cols = new Tensor[xs.length][];
    for (int j = 0; j < xs.length; j++) {
      int n = xs[j].numel();
      if (n == 0) {
        continue;
      }
      int input = j;
      Tensor seeds = Tensor.zeros(xs[j].dtype(), n, n);
      for (int k = 0; k < n; k++) {
        seeds.storage().setDouble(k * n + k, 1);
      }
      if (yShapes[0] == null) { // one JVP for the outputs' shapes, dtypes and the Jacobian's
        Autograd.ValuesAndTangents r =
            oneTangent(op, f, xs, j, seeds.get(0).reshape(xs[j].shape()));
        yShapes[0] = new int[r.values().length][];
        yDtypes[0] = new DType[r.values().length];
        for (int i = 0; i < yShapes[0].length; i++) {
          yShapes[0][i] = r.values()[i].shape();
          yDtypes[0][i] = r.values()[i].dtype();
        }
      }
      int outputs = yShapes[0].length;
      boolean oneDtype = true;
      for (int i = 0; i < outputs; i++) {
        oneDtype &= yDtypes[0][i] == yDtypes[0][0];
      }
      boolean[] reached = new boolean[outputs];
      cols[j] = new Tensor[outputs];
      int groups = oneDtype ? 1 : outputs;
      for (int group = 0; group < groups; group++) {
        int from = oneDtype ? 0 : group;
        int to = oneDtype ? outputs : group + 1;
        Function<Tensor, Tensor> jvp =
            e -> {
              Tensor[] t = oneTangent(op, f, xs, input, e.reshape(xs[input].shape())).tangents();
              Tensor[] flat = new Tensor[to - from];
              for (int i = from; i < to; i++) {
                reached[i] |= t[i] != null;
                flat[i - from] =
                    t[i] != null
                        ? t[i].reshape(-1)
                        : Tensor.zeros(yDtypes[0][i], Shapes.numel(yShapes[0][i]));
              }
              return flat.length == 1 ? flat[0] : Tensor.cat(0, flat);
            };
        Tensor batch = Transforms.mapSeeds(jvp, seeds); // [n, Σ m]
        int at = 0;
        for (int i = from; i < to; i++) {
          int m = Shapes.numel(yShapes[0][i]);
          cols[j][i] = reached[i] ? batch.narrow(1, at, m).transpose(0, 1) : null;
          at += m;
        }
      }
    }
    if (yShapes[0] == null) { // no input has an element: run f once for the output shapes
      Tensor[] ys = returned(op, f.apply(xs.clone()));
      yShapes[0] = new int[ys.length][];
      for (int i = 0; i < ys.length; i++) {
        yShapes[0][i] = ys[i].shape();
      }
    }
    Tensor[][] jac = new Tensor[yShapes[0].length][xs.length];
    for (int i = 0; i < jac.length; i++) {
      int m = Shapes.numel(yShapes[0][i]);
      for (int j = 0; j < xs.length; j++) {
        int n = xs[j].numel();
        int[] shape = concat(yShapes[0][i], xs[j].shape());
        Tensor c = cols[j] == null ? null : cols[j][i];
        if (c == null && strict && m > 0 && n > 0) {
          throw independent(op, OUTPUT, i, "input " + j, "Jacobian", j);
        }
        jac[i][j] = c == null ? Tensor.zeros(xs[j].dtype(), shape) : c.reshape(shape);
      }
    }
    return jac;
  }

  /**
   * The outputs and their tangents (null where an output does not depend on input j) along v at
   * input j.
   */
  private static Autograd.ValuesAndTangents oneTangent(
      String op, Autograd.MultiOutputFunction f, Tensor[] xs, int j, Tensor v) {
    GradMode.State s = GradMode.state();
    int level = s.openLevel();
    try {
      Tensor[] args = xs.clone();
      args[j] = xs[j].alias();
      AutogradMeta.addTangent(args[j], level, v);
      Tensor[] ys = returned(op, f.apply(args));
      Tensor[] ts = new Tensor[ys.length];
      for (int i = 0; i < ys.length; i++) {
        ts[i] = AutogradMeta.tangent(ys[i], level);
      }
      return new Autograd.ValuesAndTangents(ys, ts);
    } finally {
      s.closeLevel(level);
    }
  }

  // ------------------------------------------------------------------ gradients and Hessians

  static Function<Tensor[], Autograd.ValueAndGrads> valueAndGrad(
      String op, Autograd.MultiFunction f, int[] argnums) {
    Checks.nonNull(op, "f", f);
    Checks.nonNull(op, "argnums", argnums);
    int[] fixed = argnums.clone();
    return args -> valueAndGradAt(op, f, args, fixed, false);
  }

  /**
   * f's value and its gradients with respect to the arguments in argnums (all when empty); zeros
   * for an argument f does not depend on, or, when strict, an error naming it.
   */
  private static Autograd.ValueAndGrads valueAndGradAt(
      String op, Autograd.MultiFunction f, Tensor[] args, int[] argnums, boolean strict) {
    Checks.noNulls(op, "args", args);
    int[] which =
        argnums.length > 0 ? argnums : java.util.stream.IntStream.range(0, args.length).toArray();
    boolean[] taken = new boolean[args.length];
    for (int w : which) {
      if (w < 0 || w >= args.length) {
        throw new IllegalArgumentException(
            op + ": argument number " + w + " is out of range for " + args.length + " arguments");
      }
      if (taken[w]) {
        throw new IllegalArgumentException(
            op
                + ": argument number "
                + w
                + " is listed twice in argnums "
                + java.util.Arrays.toString(which)
                + "; list each argument once");
      }
      taken[w] = true;
      Transforms.requireFloating(op, "argument " + w, args[w]);
    }
    boolean nested = outerNeedsGraph(args);
    Tensor[] xs = args.clone();
    Tensor[] wrt = new Tensor[which.length];
    for (int k = 0; k < which.length; k++) {
      xs[which[k]] = differentiableAlias(args[which[k]]);
      wrt[k] = xs[which[k]];
    }
    Tensor y;
    try (Autograd.Scope s = Autograd.enableGrad()) {
      y = Transforms.returned(op, f.apply(xs));
    }
    Transforms.checkScalar(op, y);
    Tensor[] g =
        y.requiresGrad()
            ? Gradients.grad(
                new Tensor[] {y},
                new Tensor[] {y.onesLike()},
                false,
                nested,
                Autograd.Unused.NULL,
                wrt)
            : new Tensor[wrt.length];
    for (int k = 0; k < wrt.length; k++) {
      if (g[k] == null) {
        if (strict) {
          throw new IllegalArgumentException(
              op
                  + " (strict): the function does not depend on input "
                  + which[k]
                  + " (shape "
                  + Shapes.str(args[which[k]].shape())
                  + "); pass strict = false to get zeros instead");
        }
        g[k] = args[which[k]].detach().zerosLike();
      }
    }
    return new Autograd.ValueAndGrads(nested || Transforms.hasTangent(args) ? y : y.detach(), g);
  }

  /** The gradient of f with respect to every argument, as a function of several results. */
  private static Autograd.MultiOutputFunction gradients(
      String op, Autograd.MultiFunction f, boolean strict) {
    return a -> valueAndGradAt(op, f, a, new int[0], strict).grads();
  }

  static Tensor[][] hessian(Autograd.MultiFunction f, Tensor[] xs, boolean strict) {
    Checks.nonNull("hessian", "f", f);
    inputs("hessian", xs);
    return jacrev("hessian", GRADIENT, "Hessian", gradients("hessian", f, strict), xs, strict);
  }

  static Tensor[] hvp(Autograd.MultiFunction f, Tensor[] xs, Tensor[] vs, boolean strict) {
    Checks.nonNull("hvp", "f", f);
    inputs("hvp", xs);
    return valueAndJvp("hvp", GRADIENT, gradients("hvp", f, strict), xs, vs, strict).tangents();
  }

  static Tensor[] vhp(Autograd.MultiFunction f, Tensor[] xs, Tensor[] vs, boolean strict) {
    Checks.nonNull("vhp", "f", f);
    inputs("vhp", xs);
    directions("vhp", "vector", vs, "input", xs); // one per input: vhp's cotangents are the v's
    return vjp("vhp", GRADIENT, gradients("vhp", f, strict), xs, vs, strict);
  }
}
