package nabla.ops;

import nabla.DType;
import nabla.Tensor;
import nabla.kernels.Index;
import nabla.storage.Shapes;

/** gather and scatter-add along a dimension; each is the other's VJP. */
final class Indexing {
  private Indexing() {}

  static void checkIndex(String op, Tensor x, Tensor index, int dim, boolean sameSizeOutsideDim) {
    if (index.dtype() != DType.INT64) {
      throw new IllegalArgumentException(
          op
              + ": the index must be an int64 tensor, got "
              + index.dtype()
              + " of shape "
              + Shapes.str(index.shape()));
    }
    int[] xs = x.shape();
    int[] is = index.shape();
    boolean ok = xs.length == is.length;
    for (int d = 0; ok && d < xs.length; d++) {
      ok = d == dim || (sameSizeOutsideDim ? is[d] == xs[d] : is[d] <= xs[d]);
    }
    if (!ok) {
      throw new IllegalArgumentException(
          op
              + ": index of shape "
              + Shapes.str(is)
              + " does not fit a tensor of shape "
              + Shapes.str(xs)
              + " along dimension "
              + dim
              + " (same rank, and no larger outside dimension "
              + dim
              + ")");
    }
  }

  static final class Gather extends Primitive {
    private final int dim;

    Gather(int dim) {
      super(PrimitiveKind.GATHER);
      this.dim = dim;
    }

    /**
     * Batching rule: both operands batched (an unbatched one broadcast), the same dimension one
     * further right.
     */
    @Override
    public Tensor batch(Tensor[] in, boolean[] batched) {
      return Batching.apply(new Gather(dim + 1), Batching.allBatched(in, batched));
    }

    @Override
    public Tensor forward(Tensor... in) {
      Tensor x = in[0];
      Tensor index = in[1];
      if (x.dim() == 0) {
        throw new IllegalArgumentException(
            "gather: cannot index a 0-d tensor; reshape(1) it first");
      }
      checkIndex("gather", x, index, dim, false);
      Tensor out = Tensor.empty(x.dtype(), index.shape());
      Index.gather(
          index.shape(),
          dim,
          x.shape()[dim],
          x.storage(),
          x.offset(),
          x.strides(),
          index.storage(),
          index.offset(),
          index.strides(),
          out.storage(),
          "gather");
      return out;
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor out, Tensor[] in, boolean[] needs) {
      return new Tensor[] {in[0].detach().zerosLike().scatterAdd(dim, in[1], g), null};
    }

    @Override
    public Tensor jvp(Tensor[] t, Tensor out, Tensor[] in) {
      return t[0] == null ? null : t[0].expand(in[0].shape()).gather(dim, in[1]);
    }
  }

  /** out = copy of self; out[..index..] += src. */
  static final class ScatterAdd extends Primitive {
    private final int dim;

    ScatterAdd(int dim) {
      super(PrimitiveKind.SCATTER_ADD);
      this.dim = dim;
    }

    /**
     * Batching rule: all operands batched (an unbatched one broadcast), the same dimension one
     * further right.
     */
    @Override
    public Tensor batch(Tensor[] in, boolean[] batched) {
      return Batching.apply(new ScatterAdd(dim + 1), Batching.allBatched(in, batched));
    }

    @Override
    public Tensor forward(Tensor... in) {
      Tensor self = in[0];
      Tensor index = in[1];
      Tensor src = in[2];
      if (self.dim() == 0) {
        throw new IllegalArgumentException("scatterAdd: cannot index a 0-d tensor");
      }
      checkIndex("scatterAdd", self, index, dim, false);
      int[] ss = src.shape();
      int[] is = index.shape();
      boolean ok = ss.length == is.length;
      for (int d = 0; ok && d < is.length; d++) {
        ok = is[d] <= ss[d];
      }
      if (!ok) {
        throw new IllegalArgumentException(
            "scatterAdd: index of shape "
                + Shapes.str(is)
                + " is larger than src of shape "
                + Shapes.str(ss));
      }
      Tensor out = KernelCalls.copy(self, self.dtype());
      Index.scatterAdd(
          is,
          dim,
          self.shape()[dim],
          out.storage(),
          out.strides(),
          index.storage(),
          index.offset(),
          index.strides(),
          src.storage(),
          src.offset(),
          src.strides(),
          "scatterAdd");
      return out;
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor out, Tensor[] in, boolean[] needs) {
      Tensor gSrc = null;
      if (needs[2]) {
        gSrc = g.gather(dim, in[1]);
        if (!java.util.Arrays.equals(gSrc.shape(), in[2].shape())) {
          gSrc = Primitives.zeroExtend(gSrc, in[2].shape());
        }
      }
      return new Tensor[] {g, null, gSrc};
    }

    @Override
    public Tensor jvp(Tensor[] t, Tensor out, Tensor[] in) {
      if (t[0] == null && t[2] == null) {
        return null;
      }
      Tensor base = t[0] != null ? t[0].expand(in[0].shape()) : in[0].detach().zerosLike();
      Tensor src = t[2] != null ? t[2].expand(in[2].shape()) : in[2].detach().zerosLike();
      return base.scatterAdd(dim, in[1], src);
    }
  }
}
