package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random compositions (2 to 4 steps) of unary, binary, reduction, shape and indexing operations on
 * small float64 tensors, checked against central finite differences and against the same
 * composition evaluated without recording.
 *
 * <p>Every step is smooth on the values it can receive (log and sqrt only see {@code t*t+1}, exp
 * only sees {@code tanh(t)}, norm only sees {@code t*t+1}, no max/abs/relu at a possible kink), so
 * finite differences are a valid reference everywhere.
 */
class RandomCompositionProperties {

  enum Op {
    // unary
    SIN,
    COS,
    TANH,
    SIGMOID,
    NEG,
    EXP_OF_TANH,
    LOG_SQ1,
    SQRT_SQ1,
    SQUARE,
    RECIPROCAL_SQ1,
    POW_SQ1,
    AFFINE,
    RELU_ABS_OF_EXP,
    COPY,
    // binary (with the second leaf y, or with x again to make diamonds)
    ADD_Y,
    SUB_Y,
    MUL_Y,
    DIV_Y,
    POW_Y,
    MUL_X,
    WHERE_MASK,
    MSE_Y,
    // reductions
    SUM_AXIS,
    MEAN_AXIS,
    SUM_ALL,
    LOGSUMEXP_AXIS,
    SOFTMAX,
    LOG_SOFTMAX,
    NORM_SQ1,
    // shape and indexing
    RESHAPE_FLAT,
    TRANSPOSE,
    PERMUTE_REVERSE,
    SLICE_STEP,
    EXPAND_NEW,
    CAT_SELF,
    STACK_SELF,
    GATHER,
    INDEX_SELECT,
    SCATTER_ADD,
    MATMUL_SELF
  }

  record Step(Op op, int a, int b) {
    @Override
    public String toString() {
      return op + "(" + a + "," + b + ")";
    }
  }

  record Case(int[] xShape, int yKind, double[] xs, double[] ys, List<Step> steps) {
    int[] yShape() {
      int r = xShape.length;
      return switch (yKind) {
        case 0 -> xShape.clone();
        case 1 -> new int[] {xShape[r - 1]};
        case 2 -> new int[0];
        default -> {
          int[] s = xShape.clone();
          s[0] = 1;
          yield s;
        }
      };
    }

    double[] xValues() {
      return Arrays.copyOf(xs, numel(xShape));
    }

    double[] yValues() {
      return Arrays.copyOf(ys, numel(yShape()));
    }

    @Override
    public String toString() {
      return "x"
          + Arrays.toString(xShape)
          + "="
          + Arrays.toString(xValues())
          + ", y"
          + Arrays.toString(yShape())
          + "="
          + Arrays.toString(yValues())
          + ", steps="
          + steps;
    }
  }

  static int numel(int[] shape) {
    int n = 1;
    for (int s : shape) {
      n *= s;
    }
    return n;
  }

  @Provide
  Arbitrary<Case> cases() {
    Arbitrary<int[]> shapes =
        Arbitraries.of(
            new int[] {3},
            new int[] {4},
            new int[] {2, 3},
            new int[] {3, 2},
            new int[] {1, 4},
            new int[] {2, 2, 2});
    Arbitrary<double[]> values =
        Arbitraries.doubles()
            .between(-1.5, 1.5)
            .ofScale(6)
            .list()
            .ofSize(8)
            .map(l -> l.stream().mapToDouble(Double::doubleValue).toArray());
    Arbitrary<Step> step =
        Combinators.combine(
                Arbitraries.of(Op.class),
                Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(0, 5))
            .as(Step::new);
    Arbitrary<List<Step>> steps = step.list().ofMinSize(2).ofMaxSize(4);
    return Combinators.combine(shapes, Arbitraries.integers().between(0, 3), values, values, steps)
        .as(Case::new);
  }

  // ------------------------------------------------------------------ the composition

  static Tensor eval(Case c, Tensor x, Tensor y) {
    Tensor t = x;
    for (Step s : c.steps()) {
      t = apply(s, t, x, y);
    }
    return t;
  }

  /** u broadcast against t if it fits into t's shape, else its mean (a 0-d tensor). */
  static Tensor fit(Tensor u, Tensor t) {
    int[] us = u.shape();
    int[] ts = t.shape();
    boolean ok = us.length <= ts.length;
    for (int i = 1; ok && i <= us.length; i++) {
      int a = us[us.length - i];
      ok = a == 1 || a == ts[ts.length - i];
    }
    return ok ? u : u.mean();
  }

  static Tensor sq1(Tensor t) {
    return t.mul(t).add(1);
  }

  static Tensor atLeast1d(Tensor t) {
    return t.dim() == 0 ? t.reshape(1) : t;
  }

  static Tensor mask(int[] shape, int parity) {
    boolean[] m = new boolean[numel(shape)];
    for (int i = 0; i < m.length; i++) {
      m[i] = (i + parity) % 2 == 0;
    }
    return Tensor.ofBooleans(m, shape.length == 0 ? new int[0] : shape);
  }

  /** int64 index of t's shape with the last dimension resized to m, values in [0, n). */
  static Tensor lastAxisIndex(int[] shape, int m, int seed) {
    int n = shape[shape.length - 1];
    int[] is = shape.clone();
    is[is.length - 1] = m;
    long[] v = new long[numel(is)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (i * (seed + 1) + seed) % n;
    }
    return Tensor.ofLongs(v, is);
  }

  static Tensor apply(Step s, Tensor t, Tensor x, Tensor y) {
    int rank = t.dim();
    int axis = rank == 0 ? 0 : s.a() % rank;
    boolean keep = s.b() % 2 == 0;
    return switch (s.op()) {
      case SIN -> t.sin();
      case COS -> t.cos();
      case TANH -> t.tanh();
      case SIGMOID -> t.sigmoid();
      case NEG -> t.neg();
      case EXP_OF_TANH -> t.tanh().exp();
      case LOG_SQ1 -> sq1(t).log();
      case SQRT_SQ1 -> sq1(t).sqrt();
      case SQUARE -> t.tanh().square().add(t);
      case RECIPROCAL_SQ1 -> sq1(t).reciprocal();
      case POW_SQ1 -> sq1(t).pow(s.b() % 2 == 0 ? 1.5 : -0.5);
      case AFFINE -> t.mul(0.7).sub(0.2);
      case RELU_ABS_OF_EXP ->
          keep ? t.exp().relu() : t.tanh().exp().neg().abs(); // both away from their kinks
      case COPY -> t.transpose().copy();
      case ADD_Y -> t.add(fit(y, t));
      case SUB_Y -> fit(y, t).sub(t);
      case MUL_Y -> t.mul(fit(y, t));
      case DIV_Y -> t.div(sq1(fit(y, t)));
      // The exponent stays away from exactly 0, where the base rule's 0^0 convention (shared
      // with PyTorch) zeroes the mixed second derivative; AutogradEngineTest pins that case.
      case POW_Y -> sq1(t).pow(fit(y, t).tanh().add(1.5));
      case MUL_X -> t.mul(fit(x, t).sin());
      case WHERE_MASK -> Tensor.where(mask(t.shape(), s.a()), t, t.cos());
      case MSE_Y -> t.mseLoss(fit(y, t).expand(t.shape()).copy());
      case SUM_AXIS -> rank == 0 ? t.sum() : t.sum(axis, keep);
      case MEAN_AXIS -> rank == 0 ? t.mean() : t.mean(axis, keep);
      case SUM_ALL -> t.sum();
      case LOGSUMEXP_AXIS -> atLeast1d(t).logsumexp(axis, keep);
      case SOFTMAX -> atLeast1d(t).softmax(axis);
      case LOG_SOFTMAX -> atLeast1d(t).logSoftmax(axis);
      case NORM_SQ1 ->
          rank == 0 ? sq1(t).norm() : sq1(t).norm(s.b() % 3 == 0 ? 3 : 2, new int[] {axis}, keep);
      case RESHAPE_FLAT -> t.reshape(-1);
      case TRANSPOSE -> t.transpose();
      case PERMUTE_REVERSE -> {
        int[] p = new int[rank];
        for (int i = 0; i < rank; i++) {
          p[i] = rank - 1 - i;
        }
        yield t.permute(p);
      }
      case SLICE_STEP -> {
        Tensor u = atLeast1d(t);
        int n = u.shape()[axis];
        yield n < 2 ? u : u.slice(axis, s.b() % 2, n, 2);
      }
      case EXPAND_NEW -> {
        int[] target = new int[rank + 1];
        target[0] = 2;
        System.arraycopy(t.shape(), 0, target, 1, rank);
        yield t.unsqueeze(0).expand(target);
      }
      case CAT_SELF -> {
        Tensor u = atLeast1d(t);
        yield Tensor.cat(axis, u, u.sin());
      }
      case STACK_SELF -> Tensor.stack(rank == 0 ? 0 : s.a() % (rank + 1), t, t.mul(t));
      case GATHER -> {
        Tensor u = atLeast1d(t);
        yield u.gather(-1, lastAxisIndex(u.shape(), 2, s.b()));
      }
      case INDEX_SELECT -> {
        Tensor u = atLeast1d(t);
        int n = u.shape()[axis];
        yield u.indexSelect(axis, Tensor.ofLongs(new long[] {n - 1, 0, s.b() % n}));
      }
      case SCATTER_ADD -> {
        Tensor u = atLeast1d(t);
        int n = u.shape()[u.dim() - 1];
        yield u.scatterAdd(-1, lastAxisIndex(u.shape(), Math.min(2, n), s.b()), u.cos());
      }
      case MATMUL_SELF -> {
        Tensor u = atLeast1d(t);
        Tensor m = u.reshape(-1, u.shape()[u.dim() - 1]);
        int rows = m.shape()[0];
        int cols = m.shape()[1];
        yield rows <= cols ? m.matmul(m.transpose()) : m.transpose().matmul(m);
      }
    };
  }

  /** A fixed cotangent for an output of the given shape. */
  static double[] cotangent(int n) {
    double[] c = new double[n];
    for (int i = 0; i < n; i++) {
      c[i] = 0.5 + Math.sin(1.3 * i + 0.2);
    }
    return c;
  }

  static Tensor weightedSum(Tensor f) {
    double[] c = cotangent(f.numel());
    return f.mul(Tensor.ofDoubles(c, f.shape())).sum();
  }

  /** sum(c * f) computed in plain Java from an evaluation without recording. */
  static double loss(Case c, double[] xv, double[] yv) {
    try (var g = Autograd.noGrad()) {
      Tensor f = eval(c, Tensor.ofDoubles(xv, c.xShape()), Tensor.ofDoubles(yv, c.yShape()));
      double[] v = f.toDoubleArray();
      double[] w = cotangent(v.length);
      double s = 0;
      for (int i = 0; i < v.length; i++) {
        s += w[i] * v[i];
      }
      return s;
    }
  }

  static double scale(Case c, double[] xv, double[] yv) {
    try (var g = Autograd.noGrad()) {
      Tensor f = eval(c, Tensor.ofDoubles(xv, c.xShape()), Tensor.ofDoubles(yv, c.yShape()));
      double[] v = f.toDoubleArray();
      double[] w = cotangent(v.length);
      double s = 1;
      for (int i = 0; i < v.length; i++) {
        s += Math.abs(w[i] * v[i]);
      }
      return s;
    }
  }

  static final double H = 1e-6;

  static double[] finiteDifferences(Case c, double[] xv, double[] yv, boolean wrtX) {
    double[] base = wrtX ? xv : yv;
    double[] out = new double[base.length];
    for (int k = 0; k < base.length; k++) {
      double[] plus = base.clone();
      double[] minus = base.clone();
      plus[k] += H;
      minus[k] -= H;
      double lp = wrtX ? loss(c, plus, yv) : loss(c, xv, plus);
      double lm = wrtX ? loss(c, minus, yv) : loss(c, xv, minus);
      out[k] = (lp - lm) / (2 * H);
    }
    return out;
  }

  static void assertClose(double[] analytic, double[] numeric, double scale, String what, Case c) {
    assertEquals(numeric.length, analytic.length, what + " length");
    for (int i = 0; i < analytic.length; i++) {
      double a = analytic[i];
      double n = numeric[i];
      double tol = 1e-5 * Math.max(Math.abs(a), Math.abs(n)) + 1e-8 * scale;
      if (!(Math.abs(a - n) <= tol)) {
        fail(
            what
                + "["
                + i
                + "]: autograd "
                + a
                + " vs finite differences "
                + n
                + " (tol "
                + tol
                + ")\n  autograd "
                + Arrays.toString(analytic)
                + "\n  numeric  "
                + Arrays.toString(numeric)
                + "\n  case "
                + c);
      }
    }
  }

  static double[] gradOrZeros(Tensor leaf) {
    return leaf.grad() == null ? new double[leaf.numel()] : leaf.grad().toDoubleArray();
  }

  // ------------------------------------------------------------------ properties

  @Property(tries = 50)
  void vjpMatchesCentralFiniteDifferences(@ForAll("cases") Case c) {
    double[] xv = c.xValues();
    double[] yv = c.yValues();
    Tensor x = Tensor.ofDoubles(xv, c.xShape()).requiresGrad(true);
    Tensor y = Tensor.ofDoubles(yv, c.yShape()).requiresGrad(true);
    Tensor f = eval(c, x, y);
    assertEquals(DType.FLOAT64, f.dtype(), "the composition stays in float64");
    Tensor l = weightedSum(f);
    double value = l.item();
    assertTrue(Double.isFinite(value), "finite loss for " + c);
    if (!l.requiresGrad()) {
      return; // cannot happen with these ops, but a constant has no gradient to check
    }
    Tensor[] functional = Autograd.grad(l, null, true, false, x, y);
    assertNull(x.grad(), "Autograd.grad leaves grad() alone");
    l.backward();
    double s = scale(c, xv, yv);
    double[] gx = gradOrZeros(x);
    double[] gy = gradOrZeros(y);
    assertClose(gx, finiteDifferences(c, xv, yv, true), s, "dL/dx", c);
    assertClose(gy, finiteDifferences(c, xv, yv, false), s, "dL/dy", c);
    assertArrayEquals(gx, functional[0].toDoubleArray(), 1e-12, "Autograd.grad == backward (x)");
    assertArrayEquals(gy, functional[1].toDoubleArray(), 1e-12, "Autograd.grad == backward (y)");
    if (x.grad() != null) {
      assertArrayEquals(c.xShape(), x.grad().shape());
    }
    if (y.grad() != null) {
      assertArrayEquals(c.yShape(), y.grad().shape());
    }
  }

  @Property(tries = 50)
  void recordingDoesNotChangeTheValue(@ForAll("cases") Case c) {
    Tensor x = Tensor.ofDoubles(c.xValues(), c.xShape()).requiresGrad(true);
    Tensor y = Tensor.ofDoubles(c.yValues(), c.yShape()).requiresGrad(true);
    Tensor recorded = eval(c, x, y);
    assertTrue(recorded.requiresGrad(), "the graph reaches the output: " + c);
    assertTrue(recorded == x || recorded.gradFn() != null, "a computed output has a gradFn: " + c);
    Tensor plain;
    try (var g = Autograd.noGrad()) {
      plain = eval(c, x, y);
    }
    assertNull(plain.gradFn(), "nothing recorded under noGrad: " + c);
    // (the composition may return a leaf itself, e.g. transpose of a 1-d x)
    assertTrue(
        !plain.requiresGrad() || plain == x || plain == y,
        "a new tensor computed under noGrad does not require grad: " + c);
    assertArrayEquals(recorded.shape(), plain.shape());
    assertEquals(recorded.dtype(), plain.dtype());
    assertArrayEquals(
        recorded.toDoubleArray(),
        plain.toDoubleArray(),
        0.0,
        "same value with and without graph: " + c);
    // And from leaves that never required grad.
    Tensor fresh =
        eval(
            c,
            Tensor.ofDoubles(c.xValues(), c.xShape()),
            Tensor.ofDoubles(c.yValues(), c.yShape()));
    assertFalse(fresh.requiresGrad(), "no leaf requires grad: " + c);
    assertArrayEquals(recorded.toDoubleArray(), fresh.toDoubleArray(), 0.0);
  }

  /** Gradient of (L at x,y) as one flat array [dL/dx, dL/dy], optionally with a graph. */
  static double[] flatGrad(Case c, double[] xv, double[] yv) {
    Tensor x = Tensor.ofDoubles(xv, c.xShape()).requiresGrad(true);
    Tensor y = Tensor.ofDoubles(yv, c.yShape()).requiresGrad(true);
    Tensor l = weightedSum(eval(c, x, y));
    Tensor[] g = Autograd.grad(l, x, y);
    double[] a = g[0].toDoubleArray();
    double[] b = g[1].toDoubleArray();
    double[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Property(tries = 30)
  void hessianVectorProductMatchesFiniteDifferencesOfTheGradient(@ForAll("cases") Case c) {
    double[] xv = c.xValues();
    double[] yv = c.yValues();
    int nx = xv.length;
    int ny = yv.length;
    double[] v = new double[nx + ny];
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.cos(0.7 * i + 0.3);
    }
    Tensor x = Tensor.ofDoubles(xv, c.xShape()).requiresGrad(true);
    Tensor y = Tensor.ofDoubles(yv, c.yShape()).requiresGrad(true);
    Tensor l = weightedSum(eval(c, x, y));
    Tensor[] g = Autograd.grad(l, null, false, true, x, y);
    Tensor vx = Tensor.ofDoubles(Arrays.copyOfRange(v, 0, nx), c.xShape());
    Tensor vy = Tensor.ofDoubles(Arrays.copyOfRange(v, nx, nx + ny), c.yShape());
    Tensor s = g[0].mul(vx).sum().add(g[1].mul(vy).sum());
    double[] hv;
    if (s.requiresGrad()) {
      Tensor[] h = Autograd.grad(s, x, y);
      hv = Arrays.copyOf(h[0].toDoubleArray(), nx + ny);
      System.arraycopy(h[1].toDoubleArray(), 0, hv, nx, ny);
    } else {
      hv = new double[nx + ny]; // the gradient is constant: L is linear
    }
    double h = 1e-5;
    double[] xp = xv.clone();
    double[] xm = xv.clone();
    double[] yp = yv.clone();
    double[] ym = yv.clone();
    for (int i = 0; i < nx; i++) {
      xp[i] += h * v[i];
      xm[i] -= h * v[i];
    }
    for (int i = 0; i < ny; i++) {
      yp[i] += h * v[nx + i];
      ym[i] -= h * v[nx + i];
    }
    double[] gp = flatGrad(c, xp, yp);
    double[] gm = flatGrad(c, xm, ym);
    double[] numeric = new double[nx + ny];
    double gscale = 1;
    for (int i = 0; i < numeric.length; i++) {
      numeric[i] = (gp[i] - gm[i]) / (2 * h);
      gscale += Math.abs(gp[i]);
    }
    for (int i = 0; i < hv.length; i++) {
      double tol = 1e-4 * Math.max(Math.abs(hv[i]), Math.abs(numeric[i])) + 1e-7 * gscale;
      if (!(Math.abs(hv[i] - numeric[i]) <= tol)) {
        fail(
            "Hv["
                + i
                + "]: autograd "
                + hv[i]
                + " vs finite differences "
                + numeric[i]
                + "\n  autograd "
                + Arrays.toString(hv)
                + "\n  numeric  "
                + Arrays.toString(numeric)
                + "\n  case "
                + c);
      }
    }
  }
}
