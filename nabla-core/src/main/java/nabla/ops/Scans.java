package nabla.ops;

import nabla.Autograd;
import nabla.DType;
import nabla.Tensor;

/**
 * Scan primitives along one dimension: cumulative sum, product and log-sum-exp, each optionally
 * from the end ({@code reverse}, which the rules need: the VJP of a forward scan is a reverse one).
 * Forward passes are plain Java loops over rows of the contiguous input, accumulating in double
 * (int64 in long), as PyTorch's CPU scans do; the rules are tensor expressions.
 */
final class Scans {
  private Scans() {}

  /** Sizes around the scanned dimension of a shape: outer × n × inner. */
  private record Layout(int outer, int n, int inner) {
    static Layout of(int[] shape, int dim) {
      int outer = 1;
      int inner = 1;
      for (int i = 0; i < dim; i++) {
        outer *= shape[i];
      }
      for (int i = dim + 1; i < shape.length; i++) {
        inner *= shape[i];
      }
      return new Layout(outer, shape[dim], inner);
    }
  }

  /** The kind of scan a forward loop runs. */
  private enum Op {
    SUM,
    PROD,
    LOG_SUM_EXP
  }

  private static Tensor scan(Op op, Tensor x, int dim, boolean reverse) {
    int[] shape = x.shape();
    Layout l = Layout.of(shape, dim);
    if (x.dtype() == DType.INT64 || x.dtype() == DType.BOOL) {
      long[] v = x.to(DType.INT64).contiguous().toLongArray();
      for (int o = 0; o < l.outer; o++) {
        for (int i = 0; i < l.inner; i++) {
          long acc = op == Op.SUM ? 0 : 1;
          for (int s = 0; s < l.n; s++) {
            int k = (o * l.n + (reverse ? l.n - 1 - s : s)) * l.inner + i;
            acc = op == Op.SUM ? acc + v[k] : acc * v[k];
            v[k] = acc;
          }
        }
      }
      return Tensor.ofLongs(v, shape);
    }
    double[] v = x.contiguous().toDoubleArray();
    for (int o = 0; o < l.outer; o++) {
      for (int i = 0; i < l.inner; i++) {
        double acc = op == Op.SUM ? 0 : op == Op.PROD ? 1 : Double.NEGATIVE_INFINITY;
        for (int s = 0; s < l.n; s++) {
          int k = (o * l.n + (reverse ? l.n - 1 - s : s)) * l.inner + i;
          acc =
              switch (op) {
                case SUM -> acc + v[k];
                case PROD -> acc * v[k];
                case LOG_SUM_EXP -> logAddExp(acc, v[k]);
              };
          v[k] = acc;
        }
      }
    }
    return Tensor.ofDoubles(v, shape).to(x.dtype());
  }

  /** log(e^a + e^b) without overflow; -inf and +inf behave as limits, NaN propagates. */
  private static double logAddExp(double a, double b) {
    if (Double.isNaN(a) || Double.isNaN(b)) {
      return Double.NaN;
    }
    double m = Math.max(a, b);
    if (m == Double.NEGATIVE_INFINITY || m == Double.POSITIVE_INFINITY) {
      return m;
    }
    return m + Math.log1p(Math.exp(Math.min(a, b) - m));
  }

  /** This tensor reversed along {@code dim} (a gather, so differentiable to any order). */
  static Tensor flip(Tensor t, int dim) {
    int[] shape = t.shape();
    int n = shape[dim];
    long[] rev = new long[n];
    for (int i = 0; i < n; i++) {
      rev[i] = n - 1 - i;
    }
    int[] view = new int[shape.length];
    java.util.Arrays.fill(view, 1);
    view[dim] = n;
    return t.gather(dim, Tensor.ofLongs(rev, n).reshape(view).expand(shape));
  }

  /** Cumulative sum from the end: flip, cumsum, flip. */
  static Tensor reverseCumsum(Tensor t, int dim) {
    return flip(flip(t, dim).cumsum(dim), dim);
  }

  /** A tensor with 1 at the first zero of each row along dim (bool), false elsewhere. */
  private static Tensor firstZero(Tensor x, int dim) {
    Tensor zero = x.eq(0);
    Tensor seen = zero.to(DType.INT64).cumsum(dim);
    return zero.logicalAnd(seen.eq(1));
  }

  /** Cumulative sum along a dimension; linear, the VJP is the cumulative sum from the end. */
  static final class Cumsum extends Primitive {
    private final int dim;

    Cumsum(int dim) {
      super(PrimitiveKind.CUMSUM);
      this.dim = dim;
    }

    /** Batching rule: the same dimension one further right. */
    @Override
    public Tensor batch(Tensor[] in, boolean[] batched) {
      return Batching.apply(new Cumsum(dim + 1), in[0]);
    }

    @Override
    public Tensor forward(Tensor... in) {
      return scan(Op.SUM, in[0], dim, false);
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor out, Tensor[] in, boolean[] needs) {
      return new Tensor[] {reverseCumsum(g, dim)};
    }
  }

  /**
   * Cumulative product along a dimension. With z the first zero of a row, the derivative of y_i
   * with respect to x_j is y_i / x_j before z, the product of the other factors at z (computed as
   * the cumulative product with x_z replaced by 1, never as 0/0), and 0 after z (every product
   * there keeps the factor x_z = 0). The rules are tensor expressions, so they differentiate again.
   */
  static final class Cumprod extends Primitive {
    private final int dim;

    Cumprod(int dim) {
      super(PrimitiveKind.CUMPROD);
      this.dim = dim;
    }

    /** Batching rule: the same dimension one further right. */
    @Override
    public Tensor batch(Tensor[] in, boolean[] batched) {
      return Batching.apply(new Cumprod(dim + 1), in[0]);
    }

    @Override
    public Tensor forward(Tensor... in) {
      return scan(Op.PROD, in[0], dim, false);
    }

    private Tensor[] parts(Tensor x) {
      Tensor first = firstZero(x, dim);
      Tensor before = x.eq(0).to(DType.INT64).cumsum(dim).eq(0);
      Tensor safe = Tensor.where(before, x, x.onesLike());
      Tensor withoutFirstZero = Tensor.where(first, x.onesLike(), x);
      return new Tensor[] {first, before, safe, withoutFirstZero.cumprod(dim)};
    }

    private Tensor[] grad(Tensor g, Tensor out, Tensor x, int gdim) {
      Tensor[] p = parts(x);
      Tensor beforeZero = reverseCumsum(g.mul(out), gdim).div(p[2]);
      Tensor atZero = reverseCumsum(g.mul(p[3]), gdim);
      // after the first zero x_z the gradient is x_z · (the gradient with x_z = 1): 0, but with
      // a derivative in x_z, which a graph of the gradient (createGraph) needs; one level per zero
      Tensor after = x.zerosLike();
      if (Autograd.isGradEnabled() && x.eq(0).any().item() != 0) {
        Tensor xz = Tensor.where(p[0], x, x.zerosLike()).sum(dim, true);
        Tensor x1 = Tensor.where(p[0], x.onesLike(), x);
        after = xz.mul(grad(g, x1.cumprod(dim), x1, gdim)[0]);
      }
      return new Tensor[] {Tensor.where(p[1], beforeZero, Tensor.where(p[0], atZero, after))};
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor out, Tensor[] in, boolean[] needs) {
      return grad(g, out, in[0], dim);
    }

    @Override
    public Tensor jvp(Tensor[] t, Tensor out, Tensor[] in) {
      if (t[0] == null) {
        return null;
      }
      Tensor x = in[0];
      Tensor[] p = parts(x);
      Tensor tz = Tensor.where(p[0], t[0], x.zerosLike()).sum(dim, true);
      Tensor beforeZero = out.mul(Tensor.where(p[1], t[0].div(p[2]), x.zerosLike()).cumsum(dim));
      return Tensor.where(p[1], beforeZero, tz.mul(p[3]));
    }
  }

  /**
   * log(cumsum(exp(x))) along a dimension, by a running log-add-exp (no overflow, no underflow of
   * early small terms). Derivative: ∂y_i/∂x_j = exp(x_j - y_i) for j ≤ i, so the VJP is exp(x - c)
   * · reverse-cumsum(g · exp(c - y)) and the JVP exp(c - y) · cumsum(t · exp(x - c)), with c the
   * row's largest finite x (detached): exact and finite while the row's values span less than about
   * 700 (float64; 80 for float32).
   */
  static final class LogCumsumExp extends Primitive {
    private final int dim;

    LogCumsumExp(int dim) {
      super(PrimitiveKind.LOG_CUMSUM_EXP);
      this.dim = dim;
    }

    /** Batching rule: the same dimension one further right. */
    @Override
    public Tensor batch(Tensor[] in, boolean[] batched) {
      return Batching.apply(new LogCumsumExp(dim + 1), in[0]);
    }

    @Override
    public Tensor forward(Tensor... in) {
      return scan(Op.LOG_SUM_EXP, in[0], dim, false);
    }

    /** The row's largest finite value, detached, keepDim (0 for a row without one). */
    private Tensor shift(Tensor x) {
      Tensor d = x.detach();
      Tensor finite = d.sub(d).eq(0);
      Tensor m = Tensor.where(finite, d, d.fullLike(-Double.MAX_VALUE)).amax(new int[] {dim}, true);
      return Tensor.where(m.eq(-Double.MAX_VALUE), m.zerosLike(), m);
    }

    private Tensor[] grad(Tensor g, Tensor out, Tensor x, int gdim) {
      Tensor c = shift(x);
      return new Tensor[] {x.sub(c).exp().mul(reverseCumsum(g.mul(c.sub(out).exp()), gdim))};
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor out, Tensor[] in, boolean[] needs) {
      return grad(g, out, in[0], dim);
    }

    @Override
    public Tensor jvp(Tensor[] t, Tensor out, Tensor[] in) {
      if (t[0] == null) {
        return null;
      }
      Tensor c = shift(in[0]);
      return c.sub(out).exp().mul(t[0].mul(in[0].sub(c).exp()).cumsum(dim));
    }
  }
}
