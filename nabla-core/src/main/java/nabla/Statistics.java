package nabla;

import nabla.ops.Primitives;
import nabla.storage.Shapes;

/**
 * Reductions composed from primitives: product (from the cumulative product, whose gradient is
 * exact at zeros), variance and standard deviation, logical and counting reductions, histograms.
 */
final class Statistics {
  private Statistics() {}

  /** Axes from a varargs list: null or empty means all, as PyTorch's {@code dim=None}. */
  static int[] axes(String op, Tensor x, int[] dims) {
    return Shapes.axes(op, dims == null || dims.length == 0 ? null : dims, x.dim());
  }

  /** x with the axes moved to the end and flattened into one: shape [rest..., prod(axes)]. */
  private static Tensor axesLast(Tensor x, int[] ax) {
    int rank = x.dim();
    int[] perm = new int[rank];
    boolean[] reduced = new boolean[rank];
    for (int a : ax) {
      reduced[a] = true;
    }
    int p = 0;
    for (int i = 0; i < rank; i++) {
      if (!reduced[i]) {
        perm[p++] = i;
      }
    }
    int kept = p;
    for (int a : ax) {
      perm[p++] = a;
    }
    int[] shape = new int[kept + 1];
    int n = 1;
    for (int i = 0; i < kept; i++) {
      shape[i] = x.shape[perm[i]];
    }
    for (int a : ax) {
      n *= x.shape[a];
    }
    shape[kept] = n;
    return x.permute(perm).reshape(shape);
  }

  /**
   * Product over axes: the last element of the cumulative product of the flattened axes, so the
   * gradient is the product of the other elements (exact when one element is 0, 0 when two are).
   * Integers and bools multiply to int64; the product of nothing is 1.
   */
  static Tensor prod(Tensor x, int[] dims, boolean keepDim) {
    Checks.nonNull("prod", "this", x);
    int[] ax = axes("prod", x, dims);
    Tensor t = x.dtype().isFloating() ? x : x.to(DType.INT64);
    int[] out = Shapes.reduced(t.shape, ax, keepDim);
    Tensor flat = axesLast(t, ax);
    int last = flat.dim() - 1;
    int n = flat.shape[last];
    if (n == 0) {
      return Tensor.ones(t.dtype(), out);
    }
    Tensor c = Engine.apply(Primitives.cumprod(last), flat);
    return c.slice(last, n - 1, n).reshape(out);
  }

  /**
   * Σ(x - mean)² / max(0, N - correction) over axes (correction 1: Bessel's, unbiased); a divisor
   * of 0 gives inf or NaN, as in PyTorch.
   */
  static Tensor var(String op, Tensor x, int[] dims, int correction, boolean keepDim) {
    Checks.nonNull(op, "this", x);
    if (correction < 0) {
      throw new IllegalArgumentException(op + ": correction must be >= 0, got " + correction);
    }
    int[] ax = axes(op, x, dims);
    Tensor f = x.dtype().isFloating() ? x : x.to(DType.FLOAT32);
    long count = 1;
    for (int a : ax) {
      count *= f.shape[a];
    }
    Tensor dev = f.sub(f.mean(ax, true));
    return dev.mul(dev).sum(ax, keepDim).div((double) Math.max(0, count - correction));
  }

  /** Whether every element along the axes is non-zero (bool). */
  static Tensor all(Tensor x, int[] dims, boolean keepDim) {
    int[] ax = axes("all", Checks.nonNull("all", "this", x), dims);
    return nonzero(x).logicalNot().to(DType.INT64).sum(ax, keepDim).eq(0);
  }

  /** Whether some element along the axes is non-zero (bool). */
  static Tensor any(Tensor x, int[] dims, boolean keepDim) {
    int[] ax = axes("any", Checks.nonNull("any", "this", x), dims);
    return nonzero(x).to(DType.INT64).sum(ax, keepDim).gt(0);
  }

  /** Number of non-zero elements along the axes (int64). */
  static Tensor countNonzero(Tensor x, int[] dims) {
    int[] ax = axes("countNonzero", Checks.nonNull("countNonzero", "this", x), dims);
    return nonzero(x).to(DType.INT64).sum(ax, false);
  }

  /** x != 0 as bool (NaN counts as non-zero), with no graph. */
  private static Tensor nonzero(Tensor x) {
    Tensor d = x.detach();
    return d.dtype() == DType.BOOL ? d : d.ne(0);
  }

  /**
   * Count of each value 0, 1, ... in a 1-d int64 tensor of non-negative values, or the sum of the
   * weights at each value (differentiable in the weights: a scatter-add).
   */
  static Tensor bincount(Tensor x, Tensor weights, int minlength) {
    Checks.nonNull("bincount", "this", x);
    if (x.dim() != 1 || (!x.dtype().isInteger() && x.dtype() != DType.BOOL)) {
      throw new IllegalArgumentException(
          "bincount: needs a 1-d integer tensor of non-negative values, got "
              + x.dtype()
              + " of shape "
              + Shapes.str(x.shape));
    }
    if (minlength < 0) {
      throw new IllegalArgumentException("bincount: minlength must be >= 0, got " + minlength);
    }
    if (weights != null && !java.util.Arrays.equals(weights.shape, x.shape)) {
      throw new IllegalArgumentException(
          "bincount: the weights must have the shape of the input "
              + Shapes.str(x.shape)
              + ", got "
              + Shapes.str(weights.shape));
    }
    long[] v = x.to(DType.INT64).toLongArray();
    long max = -1;
    for (long e : v) {
      if (e < 0) {
        throw new IllegalArgumentException(
            "bincount: the values must be non-negative, got " + e + " in " + Shapes.str(x.shape));
      }
      max = Math.max(max, e);
    }
    if (max >= 1 << 24) {
      throw new IllegalArgumentException(
          "bincount: the largest value "
              + max
              + " would need "
              + (max + 1)
              + " bins (more than 2^24); shift or compress the values first");
    }
    int bins = (int) Math.max(max + 1, minlength);
    Tensor idx = x.to(DType.INT64).detach();
    if (weights == null) {
      return Tensor.zeros(DType.INT64, bins).scatterAdd(0, idx, Tensor.ones(DType.INT64, v.length));
    }
    Tensor w = weights.dtype().isFloating() ? weights : weights.to(DType.FLOAT64);
    return Tensor.zeros(w.dtype(), bins).scatterAdd(0, idx, w);
  }

  /**
   * Histogram of the elements in {@code bins} equal-width bins over [min, max] (the last bin
   * includes max; elements outside, and NaN, are not counted). min = max = 0 takes the data's
   * range.
   */
  static Tensor histc(Tensor x, int bins, double min, double max) {
    Checks.nonNull("histc", "this", x);
    if (bins <= 0 || bins > 1 << 24) {
      throw new IllegalArgumentException("histc: bins must be in [1, 2^24], got " + bins);
    }
    if (!x.dtype().isFloating()) {
      throw new IllegalArgumentException(
          "histc: needs a float32 or float64 tensor, got " + x.dtype() + "; convert it first");
    }
    if (!(min <= max) || Double.isInfinite(min) || Double.isInfinite(max)) {
      throw new IllegalArgumentException(
          "histc: needs finite min <= max, got min " + min + ", max " + max);
    }
    double[] v = x.detach().contiguous().toDoubleArray();
    double lo = min;
    double hi = max;
    if (lo == hi) {
      lo = Double.POSITIVE_INFINITY;
      hi = Double.NEGATIVE_INFINITY;
      for (double e : v) {
        if (!Double.isNaN(e)) {
          lo = Math.min(lo, e);
          hi = Math.max(hi, e);
        }
      }
      if (lo > hi) {
        lo = 0;
        hi = 0;
      }
      if (Double.isInfinite(lo) || Double.isInfinite(hi)) {
        throw new IllegalArgumentException(
            "histc: the data range [" + lo + ", " + hi + "] is not finite; give min and max");
      }
      if (lo == hi) {
        lo -= 1;
        hi += 1;
      }
    }
    double[] counts = new double[bins];
    for (double e : v) {
      if (e >= lo && e <= hi) {
        int b = (int) ((e - lo) * bins / (hi - lo));
        counts[Math.min(b, bins - 1)]++;
      }
    }
    return Tensor.ofDoubles(counts, bins).to(x.dtype());
  }
}
