package nabla.ops;

import java.util.Arrays;
import nabla.DType;
import nabla.Tensor;
import nabla.kernels.Copy;
import nabla.storage.Shapes;

/**
 * Movement primitives (tinygrad's name: they move or view data without arithmetic): reshape,
 * expand, permute, slice, pad, cat, contiguous, cast. All are linear, so each VJP is the transposed
 * data movement.
 */
final class Movement {
  private Movement() {}

  static final class Reshape extends Primitive {
    private final int[] shape;

    Reshape(int[] shape) {
      super(PrimitiveKind.RESHAPE);
      this.shape = shape;
    }

    /** Batching rule: the target shape behind the batch dimension. */
    @Override
    public Tensor batch(Tensor[] in, boolean[] batched) {
      return Batching.apply(new Reshape(Batching.withBatch(in[0].shape()[0], shape)), in[0]);
    }

    @Override
    public Tensor forward(Tensor... in) {
      Tensor x = in[0];
      if (Shapes.numel(shape) != x.numel()) {
        throw new IllegalArgumentException(
            "reshape: cannot reshape a tensor of shape "
                + Shapes.str(x.shape())
                + " ("
                + x.numel()
                + " elements) into "
                + Shapes.str(shape));
      }
      Tensor c = x.isContiguous() ? x : KernelCalls.copy(x, x.dtype());
      return TensorInternals.view(c.storage(), shape, Shapes.contiguousStrides(shape), c.offset());
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor out, Tensor[] in, boolean[] needs) {
      return new Tensor[] {g.reshape(in[0].shape())};
    }
  }

  /** Broadcast view (stride 0); the engine's reduce-to-shape is its whole VJP. */
  static final class Expand extends Primitive {
    private final int[] shape;

    Expand(int[] shape) {
      super(PrimitiveKind.EXPAND);
      this.shape = shape;
    }

    /**
     * Batching rule: unit dimensions after the batch dimension up to the target rank, then the
     * target shape behind the batch dimension.
     */
    @Override
    public Tensor batch(Tensor[] in, boolean[] batched) {
      Tensor x = Batching.lift(in[0], shape.length);
      return Batching.apply(new Expand(Batching.withBatch(x.shape()[0], shape)), x);
    }

    @Override
    public Tensor forward(Tensor... in) {
      Tensor x = in[0];
      int[] xs = TensorInternals.shape(x);
      int lead = shape.length - xs.length;
      boolean ok = lead >= 0;
      for (int i = 0; ok && i < xs.length; i++) {
        ok = xs[i] == shape[i + lead] || xs[i] == 1;
      }
      for (int s : shape) {
        ok &= s >= 0;
      }
      if (ok) {
        Shapes.numel("expand", shape);
      }
      if (!ok) {
        throw new IllegalArgumentException(
            "expand: cannot expand shape "
                + Shapes.str(xs)
                + " to "
                + Shapes.str(shape)
                + "; only size-1 dimensions can grow, and new dimensions go in front");
      }
      return TensorInternals.view(
          x.storage(),
          shape,
          Shapes.broadcastStrides(xs, TensorInternals.strides(x), shape),
          x.offset());
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor out, Tensor[] in, boolean[] needs) {
      return new Tensor[] {g};
    }
  }

  static final class Permute extends Primitive {
    private final int[] dims;

    Permute(int[] dims) {
      super(PrimitiveKind.PERMUTE);
      this.dims = dims;
    }

    /**
     * Batching rule: the batch dimension stays first, the others are permuted one further right.
     */
    @Override
    public Tensor batch(Tensor[] in, boolean[] batched) {
      int rank = dims.length;
      int[] p = new int[rank + 1];
      for (int i = 0; i < rank; i++) {
        p[i + 1] = (dims[i] < 0 ? dims[i] + rank : dims[i]) + 1;
      }
      return Batching.apply(new Permute(p), in[0]);
    }

    @Override
    public Tensor forward(Tensor... in) {
      Tensor x = in[0];
      int rank = x.dim();
      boolean[] seen = new boolean[rank];
      boolean ok = dims.length == rank;
      int[] norm = new int[dims.length];
      for (int i = 0; ok && i < dims.length; i++) {
        int d = dims[i] < 0 ? dims[i] + rank : dims[i];
        ok = d >= 0 && d < rank && !seen[d];
        if (ok) {
          seen[d] = true;
          norm[i] = d;
        }
      }
      if (!ok) {
        throw new IllegalArgumentException(
            "permute: "
                + Arrays.toString(dims)
                + " is not a permutation of the "
                + rank
                + " dimensions of a tensor of shape "
                + Shapes.str(x.shape()));
      }
      int[] xs = x.shape();
      int[] st = x.strides();
      int[] shape = new int[rank];
      int[] strides = new int[rank];
      for (int i = 0; i < rank; i++) {
        shape[i] = xs[norm[i]];
        strides[i] = st[norm[i]];
      }
      return Tensor.asStrided(x.storage(), shape, strides, x.offset());
    }

    private int[] inverse(int rank) {
      int[] inv = new int[rank];
      for (int i = 0; i < rank; i++) {
        inv[dims[i] < 0 ? dims[i] + rank : dims[i]] = i;
      }
      return inv;
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor out, Tensor[] in, boolean[] needs) {
      return new Tensor[] {g.permute(inverse(g.dim()))};
    }
  }

  /** A strided view x[start:start+len*step:step] along one dimension (normalised bounds). */
  static final class Slice extends Primitive {
    private final int dim;
    private final int start;
    private final int length;
    private final int step;

    Slice(int dim, int start, int length, int step) {
      super(PrimitiveKind.SLICE);
      this.dim = dim;
      this.start = start;
      this.length = length;
      this.step = step;
    }

    /** Batching rule: the same slice one dimension further right. */
    @Override
    public Tensor batch(Tensor[] in, boolean[] batched) {
      return Batching.apply(new Slice(dim + 1, start, length, step), in[0]);
    }

    /** Python slice semantics: negative bounds count from the end, out-of-range bounds clamp. */
    static Slice of(int[] shape, int dim, int start, int end, int step) {
      int d = Shapes.axis("slice", dim, shape.length);
      if (shape.length == 0) {
        throw new IllegalArgumentException("slice: cannot slice a 0-d tensor");
      }
      if (step < 1) {
        throw new IllegalArgumentException("slice: step must be >= 1, got " + step);
      }
      int n = shape[d];
      int s = clamp(start < 0 ? start + n : start, n);
      int e = clamp(end < 0 ? end + n : end, n);
      // In long: a huge step must not overflow (slice(1, 0, 3, Integer.MAX_VALUE) has length 1).
      int len = e > s ? (int) (((long) e - s + step - 1) / step) : 0;
      return new Slice(d, s, len, step);
    }

    private static int clamp(int v, int n) {
      return Math.max(0, Math.min(v, n));
    }

    @Override
    public Tensor forward(Tensor... in) {
      Tensor x = in[0];
      int[] shape = x.shape();
      int[] strides = x.strides();
      shape[dim] = length;
      int offset = x.offset() + (length == 0 ? 0 : start * strides[dim]);
      if (length > 1) {
        strides[dim] *= step; // cannot overflow: (length - 1) * step < size of the dimension
      }
      return Tensor.asStrided(x.storage(), shape, strides, offset);
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor out, Tensor[] in, boolean[] needs) {
      return new Tensor[] {Primitives.applyPad(g, in[0].shape(), dim, start, step)};
    }
  }

  /** Zeros of {@code shape} with the input written at [start::step] along dim: slice's VJP. */
  static final class Pad extends Primitive {
    private final int[] shape;
    private final int dim;
    private final int start;
    private final int step;

    Pad(int[] shape, int dim, int start, int step) {
      super(PrimitiveKind.PAD);
      this.shape = shape;
      this.dim = dim;
      this.start = start;
      this.step = step;
    }

    /** Batching rule: the padded shape behind the batch dimension, one dimension further right. */
    @Override
    public Tensor batch(Tensor[] in, boolean[] batched) {
      return Batching.apply(
          new Pad(Batching.withBatch(in[0].shape()[0], shape), dim + 1, start, step), in[0]);
    }

    private int length(Tensor x) {
      return x.shape()[dim];
    }

    @Override
    public Tensor forward(Tensor... in) {
      Tensor x = in[0];
      int[] xs = x.shape();
      boolean ok = xs.length == shape.length;
      for (int i = 0; ok && i < xs.length; i++) {
        ok = i == dim ? (xs[i] == 0 || start + (xs[i] - 1) * step < shape[i]) : xs[i] == shape[i];
      }
      if (!ok) {
        throw new IllegalArgumentException(
            "pad: a tensor of shape "
                + Shapes.str(xs)
                + " does not fit into "
                + Shapes.str(shape)
                + " at "
                + start
                + "::"
                + step
                + " along dimension "
                + dim);
      }
      Tensor out = Tensor.empty(x.dtype(), shape);
      int[] st = out.strides();
      int offset = start * st[dim];
      st[dim] *= step;
      if (x.numel() > 0) {
        Copy.copy(xs, x.storage(), x.offset(), x.strides(), out.storage(), offset, st);
      }
      return out;
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor out, Tensor[] in, boolean[] needs) {
      int len = length(in[0]);
      return new Tensor[] {g.slice(dim, start, start + len * step, step)};
    }
  }

  static final class Cat extends Primitive {
    private final int dim;

    Cat(int dim) {
      super(PrimitiveKind.CAT);
      this.dim = dim;
    }

    /**
     * Batching rule: unbatched pieces broadcast along the batch dimension, then cat one dimension
     * further right.
     */
    @Override
    public Tensor batch(Tensor[] in, boolean[] batched) {
      return Batching.apply(new Cat(dim + 1), Batching.allBatched(in, batched));
    }

    @Override
    public Tensor forward(Tensor... in) {
      int[] first = in[0].shape();
      if (first.length == 0) {
        throw new IllegalArgumentException("cat: 0-d tensors cannot be concatenated; use stack");
      }
      long total = 0;
      for (int i = 0; i < in.length; i++) {
        int[] s = in[i].shape();
        boolean ok = s.length == first.length;
        for (int d = 0; ok && d < s.length; d++) {
          ok = d == dim || s[d] == first[d];
        }
        if (!ok) {
          throw new IllegalArgumentException(
              "cat: tensor "
                  + i
                  + " has shape "
                  + Shapes.str(s)
                  + ", which does not match "
                  + Shapes.str(first)
                  + " outside dimension "
                  + dim);
        }
        total += s[dim];
        if (total > Integer.MAX_VALUE) {
          throw new IllegalArgumentException(
              "cat: the result would have more than 2^31-1 = "
                  + Integer.MAX_VALUE
                  + " entries along dimension "
                  + dim
                  + ", more than a Nabla tensor holds; concatenate fewer or smaller tensors");
        }
      }
      int[] shape = first.clone();
      shape[dim] = (int) total;
      Tensor out = Tensor.empty(in[0].dtype(), shape);
      int[] st = out.strides();
      int at = 0;
      for (Tensor x : in) {
        if (x.numel() > 0) {
          Copy.copy(
              x.shape(), x.storage(), x.offset(), x.strides(), out.storage(), at * st[dim], st);
        }
        at += x.shape()[dim];
      }
      return out;
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor out, Tensor[] in, boolean[] needs) {
      Tensor[] r = new Tensor[in.length];
      int at = 0;
      for (int i = 0; i < in.length; i++) {
        int n = in[i].shape()[dim];
        if (needs[i]) {
          r[i] = g.slice(dim, at, at + n, 1);
        }
        at += n;
      }
      return r;
    }
  }

  /** A row-major copy; identity for derivatives. */
  static final class Contiguous extends Primitive {
    Contiguous() {
      super(PrimitiveKind.CONTIGUOUS);
    }

    /** Batching rule: the primitive itself (it does not look at shapes). */
    @Override
    public Tensor batch(Tensor[] in, boolean[] batched) {
      return Batching.apply(this, in);
    }

    @Override
    public Tensor forward(Tensor... in) {
      return KernelCalls.copy(in[0], in[0].dtype());
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor out, Tensor[] in, boolean[] needs) {
      return new Tensor[] {g};
    }
  }

  /** dtype conversion; differentiable between floating types only. */
  static final class Cast extends Primitive {
    private final DType dtype;

    Cast(DType dtype) {
      super(PrimitiveKind.CAST);
      this.dtype = dtype;
    }

    /** Batching rule: the primitive itself (it does not look at shapes). */
    @Override
    public Tensor batch(Tensor[] in, boolean[] batched) {
      return Batching.apply(this, in);
    }

    @Override
    public Tensor forward(Tensor... in) {
      return KernelCalls.copy(in[0], dtype);
    }

    @Override
    public boolean differentiable(Tensor[] in, Tensor out) {
      return dtype.isFloating() && in[0].dtype().isFloating();
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor out, Tensor[] in, boolean[] needs) {
      return new Tensor[] {g.to(in[0].dtype())};
    }

    @Override
    public String gradFnName() {
      return "ToCopyBackward";
    }
  }
}
