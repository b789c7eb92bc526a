package nabla;

/**
 * A view's elements as positions in its base, and the two differentiable operations built on them
 * for recorded in-place updates through views: reading the view out of a base, and writing values
 * into the view's place in a base. Both are compositions of gather, scatter-add and where, whose
 * rules (to any order) are already checked, rather than new primitives.
 */
final class ViewWrites {
  private ViewWrites() {}

  /** The base's value with the view's elements replaced by {@code values} (of the view's shape). */
  static Tensor assign(Tensor baseValue, Tensor values, Tensor view, Tensor base) {
    long[] pos = positions(view, base);
    int n = base.numel();
    boolean[] inView = new boolean[n];
    for (long p : pos) {
      inView[(int) p] = true;
    }
    Tensor index = Tensor.ofLongs(pos, pos.length);
    Tensor scattered =
        Tensor.zeros(values.dtype(), n).scatterAdd(0, index, values.reshape(pos.length));
    Tensor mask = Tensor.ofBooleans(inView, n);
    return Tensor.where(mask, scattered, baseValue.reshape(n)).reshape(base.shape);
  }

  /** {@link Tensor#asStrided(int[], int[], int)}. */
  static Tensor asStrided(Tensor x, int[] shape, int[] strides, int offset) {
    Tensor view = Tensor.asStrided(x.storage, shape, strides, offset); // checks the layout
    Tensor base = x.viewBase != null ? x.viewBase : x;
    view.viewBase = base;
    view.viewRebases = AutogradMeta.rebases(base);
    if (!x.requiresGrad() && AutogradMeta.tangents(x) == null) {
      return view;
    }
    if (!x.isContiguous()) {
      throw new UnsupportedOperationException(
          "asStrided: differentiating through it needs a contiguous tensor; this one has shape "
              + nabla.storage.Shapes.str(x.shape)
              + " and strides "
              + nabla.storage.Shapes.str(x.strides)
              + "; call contiguous() first");
    }
    long[] pos = positions(view, x);
    for (long p : pos) {
      if (p < 0 || p >= x.numel()) {
        throw new IllegalArgumentException(
            "asStrided: the view (shape "
                + nabla.storage.Shapes.str(shape)
                + ", strides "
                + nabla.storage.Shapes.str(strides)
                + ", offset "
                + offset
                + ") reaches storage element "
                + (p + x.offset)
                + ", outside this tensor's elements "
                + x.offset
                + ".."
                + (x.offset + x.numel() - 1)
                + "; a differentiable view must stay within them");
      }
    }
    InPlaceRecorded.takePlace(view, gather(x, pos, shape), 0);
    return view;
  }

  /** The view's elements read out of {@code base} (a gather, differentiable to the base). */
  static Tensor read(Tensor base, Tensor view) {
    return gather(base, positions(view, base), view.shape);
  }

  /**
   * The elements of {@code base} at flat positions {@code pos}, shaped {@code shape}: gathered from
   * a recorded copy, since gather keeps its input for backward and the base may be written again
   * (through the view the result stands for).
   */
  private static Tensor gather(Tensor base, long[] pos, int[] shape) {
    return base.copy()
        .reshape(base.numel())
        .gather(0, Tensor.ofLongs(pos, pos.length))
        .reshape(shape);
  }

  /**
   * Where each element of {@code view} (row-major) lies in {@code base} (contiguous, same storage),
   * as indices into the flattened base.
   */
  static long[] positions(Tensor view, Tensor base) {
    int n = view.numel();
    long[] pos = new long[n];
    int rank = view.shape.length;
    int[] idx = new int[rank];
    long start = (long) view.offset - base.offset;
    for (int k = 0; k < n; k++) {
      long p = start;
      for (int d = 0; d < rank; d++) {
        p += (long) idx[d] * view.strides[d];
      }
      pos[k] = p;
      for (int d = rank - 1; d >= 0; d--) {
        if (++idx[d] < view.shape[d]) {
          break;
        }
        idx[d] = 0;
      }
    }
    return pos;
  }
}
