package nabla.ops;

import nabla.DType;
import nabla.Tensor;
import nabla.kernels.ReduceOp;
import nabla.storage.Shapes;

/** Reduction primitives: sum, max/min (values), argmax/argmin (indices), p-norm. */
final class Reductions {
  private Reductions() {}

  /** max/min have no identity: reducing a dimension of size 0 into a non-empty result fails. */
  static void checkNotEmpty(String op, Tensor x, int[] axes) {
    int[] shape = x.shape();
    boolean emptyReduced = false;
    for (int a : axes) {
      emptyReduced |= shape[a] == 0;
    }
    if (emptyReduced && Shapes.numel(Shapes.reduced(shape, axes, false)) > 0) {
      throw new IllegalArgumentException(
          op
              + ": cannot reduce a tensor of shape "
              + Shapes.str(shape)
              + " over the empty"
              + " dimension(s) "
              + java.util.Arrays.toString(axes)
              + ": there is no identity value");
    }
  }

  /** Broadcasts a reduced tensor back over the reduced axes of {@code x}. */
  static Tensor unreduce(Tensor r, Tensor x, int[] axes) {
    int[] shape = TensorInternals.shape(x);
    return r.reshape(KernelCalls.keptShape(shape, axes)).expand(shape);
  }

  /** {@link #unreduce} for a gradient with a leading batch dimension. */
  static Tensor unreduceBatched(Tensor r, Tensor x, int[] axes) {
    int b = r.shape()[0];
    return r.reshape(Primitive.batched(b, KernelCalls.keptShape(x.shape(), axes)))
        .expand(Primitive.batched(b, x.shape()));
  }

  static final class Sum extends Primitive {
    private final int[] axes;
    private final boolean keepDim;

    Sum(int[] axes, boolean keepDim) {
      super(PrimitiveKind.SUM);
      this.axes = axes;
      this.keepDim = keepDim;
    }

    /** The summed axes (normalised, sorted). */
    int[] axes() {
      return axes;
    }

    /** Batching rule: the same axes one further right. */
    @Override
    public Tensor batch(Tensor[] in, boolean[] batched) {
      return Batching.apply(new Sum(Batching.shift(axes), keepDim), in[0]);
    }

    @Override
    public Tensor forward(Tensor... in) {
      Tensor x = in[0];
      DType out = x.dtype().isFloating() ? x.dtype() : DType.INT64;
      return KernelCalls.reduce(ReduceOp.SUM, x, axes, keepDim, out);
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor out, Tensor[] in, boolean[] needs) {
      return new Tensor[] {unreduce(g, in[0], axes)};
    }
  }

  /** max or min over axes; the gradient is shared evenly among tied extreme elements. */
  static final class Extreme extends Primitive {
    private final boolean max;
    private final int[] axes;
    private final boolean keepDim;

    Extreme(boolean max, int[] axes, boolean keepDim) {
      super(max ? PrimitiveKind.MAX : PrimitiveKind.MIN);
      this.max = max;
      this.axes = axes;
      this.keepDim = keepDim;
    }

    /** Batching rule: the same axes one further right. */
    @Override
    public Tensor batch(Tensor[] in, boolean[] batched) {
      return Batching.apply(new Extreme(max, Batching.shift(axes), keepDim), in[0]);
    }

    @Override
    public Tensor forward(Tensor... in) {
      Tensor x = in[0];
      checkNotEmpty(max ? "max" : "min", x, axes);
      return KernelCalls.reduce(max ? ReduceOp.MAX : ReduceOp.MIN, x, axes, keepDim, x.dtype());
    }

    /** 1/count at the positions holding the extreme value, 0 elsewhere. */
    private Tensor share(Tensor x, Tensor y) {
      Tensor hit = x.eq(unreduce(y, x, axes)).to(x.dtype());
      return hit.div(hit.sum(axes, true));
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor out, Tensor[] in, boolean[] needs) {
      Tensor x = in[0];
      return new Tensor[] {unreduce(g, x, axes).mul(share(x, out.detach()))};
    }

    @Override
    public Tensor jvp(Tensor[] t, Tensor out, Tensor[] in) {
      return t[0] == null ? null : t[0].mul(share(in[0], out.detach())).sum(axes, keepDim);
    }
  }

  /** argmax / argmin along one axis: int64 output, not differentiable. */
  static final class ArgExtreme extends Primitive {
    private final int axis;
    private final boolean keepDim;
    private final boolean max;

    ArgExtreme(int axis, boolean keepDim, boolean max) {
      super(max ? PrimitiveKind.ARGMAX : PrimitiveKind.ARGMIN);
      this.axis = axis;
      this.keepDim = keepDim;
      this.max = max;
    }

    /** Batching rule: the same axis one further right (0-d examples as rows of one element). */
    @Override
    public Tensor batch(Tensor[] in, boolean[] batched) {
      if (in[0].dim() == 1) {
        int n = in[0].shape()[0];
        return Batching.apply(new ArgExtreme(1, false, max), in[0].reshape(n, 1));
      }
      return Batching.apply(new ArgExtreme(axis + 1, keepDim, max), in[0]);
    }

    @Override
    public Tensor forward(Tensor... in) {
      Tensor x = in[0];
      int[] ax = x.dim() == 0 ? new int[0] : new int[] {axis};
      checkNotEmpty(max ? "argmax" : "argmin", x, ax);
      return KernelCalls.reduce(
          max ? ReduceOp.ARGMAX : ReduceOp.ARGMIN, x, ax, keepDim, DType.INT64);
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor out, Tensor[] in, boolean[] needs) {
      return new Tensor[1];
    }

    @Override
    public Tensor jvp(Tensor[] t, Tensor out, Tensor[] in) {
      return null;
    }
  }

  /**
   * p-norm (p ≥ 1) over axes. A primitive rather than a composite so that its derivative at a zero
   * norm is the subgradient 0 instead of 0/0 = NaN.
   */
  static final class Norm extends Primitive {
    private final double p;
    private final int[] axes;
    private final boolean keepDim;

    Norm(double p, int[] axes, boolean keepDim) {
      super(PrimitiveKind.NORM);
      if (!(p >= 1) || Double.isInfinite(p)) {
        throw new IllegalArgumentException("norm: p must be a finite number >= 1, got " + p);
      }
      this.p = p;
      this.axes = axes;
      this.keepDim = keepDim;
    }

    /** Batching rule: the same axes one further right. */
    @Override
    public Tensor batch(Tensor[] in, boolean[] batched) {
      return Batching.apply(new Norm(p, Batching.shift(axes), keepDim), in[0]);
    }

    @Override
    public Tensor forward(Tensor... in) {
      Tensor x = in[0];
      Tensor a = p == 2 ? x.mul(x) : p == 1 ? x.abs() : x.abs().pow(p);
      Tensor s = a.sum(axes, keepDim);
      return p == 2 ? s.sqrt() : p == 1 ? s : s.pow(1 / p);
    }

    /** d norm / dx, broadcast to x's shape, with 0 where the norm is 0. */
    private Tensor derivative(Tensor x, Tensor norm) {
      Tensor n = unreduce(norm, x, axes);
      Tensor zero = n.eq(0);
      Tensor safe = Tensor.where(zero, n.onesLike(), n);
      Tensor d;
      if (p == 2) {
        d = x.div(safe);
      } else if (p == 1) {
        d = x.sign();
      } else {
        d = x.sign().mul(x.abs().pow(p - 1)).div(safe.pow(p - 1));
      }
      return Tensor.where(zero, d.zerosLike(), d);
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor out, Tensor[] in, boolean[] needs) {
      Tensor x = in[0];
      return new Tensor[] {unreduce(g, x, axes).mul(derivative(x, out))};
    }

    @Override
    public Tensor jvp(Tensor[] t, Tensor out, Tensor[] in) {
      return t[0] == null ? null : t[0].mul(derivative(in[0], out)).sum(axes, keepDim);
    }
  }
}
