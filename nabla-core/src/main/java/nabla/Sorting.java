package nabla;

import nabla.storage.Shapes;

/**
 * Sorting and selection along a dimension. The positions are computed in plain Java (a stable merge
 * sort, NaN ordered above every number as in PyTorch, -0.0 equal to 0.0), as an int64 tensor; the
 * values are then gathered from the input, so they are differentiable and their gradient goes to
 * the selected positions.
 */
final class Sorting {
  private Sorting() {}

  /** The elements of one tensor laid out as outer × n × inner around a dimension. */
  static final class Rows {
    final int outer;
    final int n;
    final int inner;
    final double[] d; // floating-point values, or null
    final long[] l; // int64 (and bool) values, or null

    Rows(Tensor x, int dim) {
      int[] shape = x.shape;
      int o = 1;
      int in = 1;
      for (int i = 0; i < dim; i++) {
        o *= shape[i];
      }
      for (int i = dim + 1; i < shape.length; i++) {
        in *= shape[i];
      }
      outer = o;
      n = shape[dim];
      inner = in;
      Tensor c = x.detach();
      d = c.dtype().isFloating() ? c.contiguous().toDoubleArray() : null;
      l = d == null ? c.to(DType.INT64).contiguous().toLongArray() : null;
    }

    /** Flat position of element k of row (o, i). */
    int at(int o, int i, int k) {
      return (o * n + k) * inner + i;
    }

    boolean isNaN(int p) {
      return d != null && Double.isNaN(d[p]);
    }

    /** Ascending order with NaN largest; -0.0 and 0.0 compare equal. */
    int compare(int p, int q) {
      if (d == null) {
        return Long.compare(l[p], l[q]);
      }
      double a = d[p];
      double b = d[q];
      if (a < b) {
        return -1;
      }
      if (a > b) {
        return 1;
      }
      boolean na = Double.isNaN(a);
      boolean nb = Double.isNaN(b);
      return na == nb ? 0 : na ? 1 : -1;
    }

    /**
     * The positions (0..n-1) of row (o, i) in sorted order, stable: equal elements keep their order
     * (also when descending).
     */
    int[] sortedRow(int o, int i, boolean descending) {
      int[] idx = new int[n];
      for (int k = 0; k < n; k++) {
        idx[k] = k;
      }
      mergeSort(idx, new int[n], 0, n, o, i, descending);
      return idx;
    }

    private void mergeSort(int[] a, int[] tmp, int lo, int hi, int o, int i, boolean desc) {
      if (hi - lo < 2) {
        return;
      }
      int mid = (lo + hi) >>> 1;
      mergeSort(a, tmp, lo, mid, o, i, desc);
      mergeSort(a, tmp, mid, hi, o, i, desc);
      int p = lo;
      int q = mid;
      int t = lo;
      while (p < mid && q < hi) {
        int c = compare(at(o, i, a[q]), at(o, i, a[p]));
        // the right element goes first only when strictly before the left one: stability
        if (desc ? c > 0 : c < 0) {
          tmp[t++] = a[q++];
        } else {
          tmp[t++] = a[p++];
        }
      }
      while (p < mid) {
        tmp[t++] = a[p++];
      }
      while (q < hi) {
        tmp[t++] = a[q++];
      }
      System.arraycopy(tmp, lo, a, lo, hi - lo);
    }
  }

  /** A row computation: given the rows and a row (o, i), the chosen position(s). */
  @FunctionalInterface
  interface RowChooser {
    void choose(Rows r, int o, int i, long[] out, int count);
  }

  /**
   * An int64 tensor of shape x.shape with dim resized to {@code count}, filled row by row: for row
   * (o, i), {@code out[k]} becomes element k of that row.
   */
  static Tensor perRow(Tensor x, int dim, int count, RowChooser chooser) {
    Rows r = new Rows(x, dim);
    int[] shape = x.shape.clone();
    shape[dim] = count;
    long[] result = new long[Shapes.numel(shape)];
    long[] row = new long[count];
    for (int o = 0; o < r.outer; o++) {
      for (int i = 0; i < r.inner; i++) {
        chooser.choose(r, o, i, row, count);
        for (int k = 0; k < count; k++) {
          result[(o * count + k) * r.inner + i] = row[k];
        }
      }
    }
    return Tensor.ofLongs(result, shape);
  }

  /** x with at least one dimension (0-d as [1]). */
  private static Tensor atLeast1d(Tensor x) {
    return x.dim() == 0 ? x.reshape(1) : x;
  }

  /** Values at the indices (a gather), and both reshaped back to 0-d when x was. */
  private static ValuesAndIndices gathered(Tensor x, Tensor x1, int dim, Tensor idx, boolean keep) {
    Tensor v = x1.gather(dim, idx);
    if (!keep) {
      v = v.squeeze(dim);
      idx = idx.squeeze(dim);
    }
    if (x.dim() == 0) {
      v = v.reshape();
      idx = idx.reshape();
    }
    return new ValuesAndIndices(v, idx);
  }

  /** {@link Tensor#max(int)}: the values at given keepDim indices along dimension d. */
  static ValuesAndIndices selected(Tensor x, int d, Tensor idx, boolean keepDim) {
    return gathered(x, atLeast1d(x), d, atLeast1d(idx), keepDim);
  }

  static Tensor argsort(String op, Tensor x, int dim, boolean descending) {
    Checks.nonNull(op, "this", x);
    int d = Shapes.axis(op, dim, x.dim());
    Tensor x1 = atLeast1d(x);
    Tensor idx =
        perRow(
            x1,
            d,
            x1.shape[d],
            (r, o, i, out, n) -> {
              int[] s = r.sortedRow(o, i, descending);
              for (int k = 0; k < n; k++) {
                out[k] = s[k];
              }
            });
    return x.dim() == 0 ? idx.reshape() : idx;
  }

  static ValuesAndIndices sort(Tensor x, int dim, boolean descending) {
    Tensor idx = argsort("sort", x, dim, descending);
    return gathered(x, atLeast1d(x), Shapes.axis("sort", dim, x.dim()), atLeast1d(idx), true);
  }

  private static int checkK(String op, Tensor x, int d, int k, int lo) {
    int n = x.dim() == 0 ? 1 : x.shape[d];
    if (k < lo || k > n) {
      throw new IllegalArgumentException(
          op
              + ": k = "
              + k
              + " is out of range for dimension "
              + d
              + " of size "
              + n
              + " (tensor of shape "
              + Shapes.str(x.shape)
              + "); expected "
              + lo
              + " <= k <= "
              + n);
    }
    return n;
  }

  static ValuesAndIndices topk(Tensor x, int k, int dim, boolean largest) {
    Checks.nonNull("topk", "this", x);
    int d = Shapes.axis("topk", dim, x.dim());
    checkK("topk", x, d, k, 0);
    Tensor x1 = atLeast1d(x);
    Tensor idx = atLeast1d(argsort("topk", x, dim, largest)).slice(d, 0, k);
    return gathered(x, x1, d, idx.contiguous(), true);
  }

  static ValuesAndIndices kthvalue(Tensor x, int k, int dim, boolean keepDim) {
    Checks.nonNull("kthvalue", "this", x);
    int d = Shapes.axis("kthvalue", dim, x.dim());
    checkK("kthvalue", x, d, k, 1);
    Tensor x1 = atLeast1d(x);
    Tensor idx = atLeast1d(argsort("kthvalue", x, dim, false)).slice(d, k - 1, k).contiguous();
    return gathered(x, x1, d, idx, keepDim);
  }

  private static void checkNotEmpty(String op, Tensor x, int d) {
    if (x.dim() > 0 && x.shape[d] == 0) {
      throw new IllegalArgumentException(
          op
              + ": dimension "
              + d
              + " of the tensor of shape "
              + Shapes.str(x.shape)
              + " is empty; there is no value to select");
    }
  }

  /** Lower median along a dimension (NaN where the row holds a NaN, at its first NaN). */
  static ValuesAndIndices median(Tensor x, int dim, boolean keepDim) {
    Checks.nonNull("median", "this", x);
    int d = Shapes.axis("median", dim, x.dim());
    checkNotEmpty("median", x, d);
    Tensor x1 = atLeast1d(x);
    Tensor idx =
        perRow(
            x1,
            d,
            1,
            (r, o, i, out, c) -> {
              int[] s = r.sortedRow(o, i, false);
              int finite = r.n;
              while (finite > 0 && r.isNaN(r.at(o, i, s[finite - 1]))) {
                finite--;
              }
              out[0] = finite < r.n ? s[finite] : s[(r.n - 1) / 2];
            });
    return gathered(x, x1, d, idx, keepDim);
  }

  /** Lower median of all elements, 0-d; NaN for an empty tensor or one holding a NaN. */
  static Tensor median(Tensor x) {
    Checks.nonNull("median", "this", x);
    if (x.numel() == 0) {
      return Tensor.full(Double.NaN, x.dtype().isFloating() ? x.dtype() : DType.FLOAT32);
    }
    return median(x.reshape(-1), 0, false).values();
  }

  /** The most frequent value along a dimension (the smallest on ties), at its last position. */
  static ValuesAndIndices mode(Tensor x, int dim, boolean keepDim) {
    Checks.nonNull("mode", "this", x);
    int d = Shapes.axis("mode", dim, x.dim());
    checkNotEmpty("mode", x, d);
    Tensor x1 = atLeast1d(x);
    Tensor idx =
        perRow(
            x1,
            d,
            1,
            (r, o, i, out, c) -> {
              int[] s = r.sortedRow(o, i, false);
              int best = 0;
              int bestCount = 0;
              for (int a = 0; a < r.n; ) {
                int b = a + 1;
                while (b < r.n
                    && r.compare(r.at(o, i, s[a]), r.at(o, i, s[b])) == 0
                    && !r.isNaN(r.at(o, i, s[a]))) {
                  b++;
                }
                if (b - a > bestCount) {
                  bestCount = b - a;
                  best = s[b - 1]; // stable: the last position of the value
                }
                a = b;
              }
              out[0] = best;
            });
    return gathered(x, x1, d, idx, keepDim);
  }

  /**
   * Running maximum (or minimum) and where it was reached: a later equal value takes over, and once
   * a NaN is met it stays (each later NaN takes over), as in PyTorch.
   */
  static ValuesAndIndices cumulativeExtreme(String op, Tensor x, int dim, boolean max) {
    Checks.nonNull(op, "this", x);
    int d = Shapes.axis(op, dim, x.dim());
    Tensor x1 = atLeast1d(x);
    Tensor idx =
        perRow(
            x1,
            d,
            x1.shape[d],
            (r, o, i, out, n) -> {
              int best = 0;
              for (int k = 0; k < n; k++) {
                int p = r.at(o, i, k);
                int q = r.at(o, i, best);
                int c = r.compare(p, q);
                if (r.isNaN(p) || (!r.isNaN(q) && (max ? c >= 0 : c <= 0))) {
                  best = k;
                }
                out[k] = best;
              }
            });
    return gathered(x, x1, d, idx, true);
  }

  /**
   * The q-quantile along a dimension by linear interpolation between the sorted values at floor and
   * ceil of q·(n-1); NaN where the row holds a NaN. Differentiable through the gathered values.
   */
  static Tensor quantile(Tensor x, double q, int dim, boolean keepDim) {
    Checks.nonNull("quantile", "this", x);
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("quantile: q must be in [0, 1], got " + q);
    }
    if (!x.dtype().isFloating()) {
      throw new IllegalArgumentException(
          "quantile: needs a float32 or float64 tensor, got "
              + x.dtype()
              + "; convert it first: x.to(DType.FLOAT32)");
    }
    int d = Shapes.axis("quantile", dim, x.dim());
    checkNotEmpty("quantile", x, d);
    Tensor x1 = atLeast1d(x);
    int n = x1.shape[d];
    Tensor sorted = sort(x1, d, false).values();
    double pos = q * (n - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, n - 1);
    Tensor a = sorted.slice(d, lo, lo + 1);
    Tensor b = sorted.slice(d, hi, hi + 1);
    Tensor r = a.add(b.sub(a).mul(pos - lo));
    Tensor hasNaN = x1.ne(x1).sum(d, true).gt(0);
    r = Tensor.where(hasNaN, r.fullLike(Double.NaN).detach(), r);
    if (!keepDim) {
      r = r.squeeze(d);
    }
    return x.dim() == 0 ? r.reshape() : r;
  }

  /**
   * {@link Tensor#uniqueWithCounts()}: sorted distinct values (NaNs kept apart), inverse, counts.
   */
  static UniqueValues unique(Tensor x) {
    Checks.nonNull("unique", "this", x);
    Tensor flat = x.detach().reshape(-1);
    Rows r = new Rows(flat, 0);
    int[] s = r.sortedRow(0, 0, false);
    long[] inverse = new long[r.n];
    long[] firstOf = new long[r.n];
    long[] counts = new long[r.n];
    int distinct = 0;
    for (int a = 0; a < r.n; a++) {
      boolean same = a > 0 && r.compare(s[a - 1], s[a]) == 0 && !r.isNaN(s[a]);
      if (!same) {
        firstOf[distinct++] = s[a];
      }
      counts[distinct - 1]++;
      inverse[s[a]] = distinct - 1;
    }
    Tensor values = flat.gather(0, Tensor.ofLongs(java.util.Arrays.copyOf(firstOf, distinct)));
    Tensor inv = Tensor.ofLongs(inverse, r.n).reshape(x.shape);
    return new UniqueValues(
        values, inv, Tensor.ofLongs(java.util.Arrays.copyOf(counts, distinct), distinct));
  }

  /**
   * For each value, its insertion position in this sorted sequence: the number of elements below it
   * (left) or at most it (right). A 1-d sequence serves every value; an n-d sequence has one row
   * per row of values (the leading dimensions must match).
   */
  static Tensor searchsorted(Tensor seq, Tensor values, boolean right) {
    Checks.nonNull("searchsorted", "this", seq);
    Checks.nonNull("searchsorted", "values", values);
    if (seq.dim() == 0) {
      throw new IllegalArgumentException(
          "searchsorted: the sorted sequence must have at least one dimension, got a 0-d tensor");
    }
    boolean shared = seq.dim() == 1;
    if (!shared
        && (values.dim() != seq.dim()
            || !java.util.Arrays.equals(
                java.util.Arrays.copyOf(seq.shape, seq.dim() - 1),
                java.util.Arrays.copyOf(values.shape, values.dim() - 1)))) {
      throw new IllegalArgumentException(
          "searchsorted: a sorted sequence of shape "
              + Shapes.str(seq.shape)
              + " needs values with the same leading dimensions, got "
              + Shapes.str(values.shape)
              + "; use a 1-d sequence to search all values in one row");
    }
    DType common = TypePromotion.resultType(seq, values);
    Rows s = new Rows(seq.to(common), seq.dim() - 1);
    Tensor v = values.detach().to(common).contiguous();
    Rows w = new Rows(v.dim() == 0 ? v.reshape(1) : v, Math.max(v.dim(), 1) - 1);
    int n = s.n;
    long[] out = new long[v.numel()];
    int perRow = w.n;
    for (int j = 0; j < out.length; j++) {
      int row = shared ? 0 : j / Math.max(perRow, 1);
      int lo = 0;
      int hi = n;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        int c = compareAcross(s, row * n + mid, w, j);
        if (right ? c <= 0 : c < 0) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      out[j] = lo;
    }
    Tensor r = Tensor.ofLongs(out, Math.max(out.length, 0));
    return r.reshape(values.shape);
  }

  /** Compares element p of a with element q of b (same dtype family), NaN largest. */
  private static int compareAcross(Rows a, int p, Rows b, int q) {
    if (a.d == null) {
      return Long.compare(a.l[p], b.l[q]);
    }
    double x = a.d[p];
    double y = b.d[q];
    if (x < y) {
      return -1;
    }
    if (x > y) {
      return 1;
    }
    boolean nx = Double.isNaN(x);
    boolean ny = Double.isNaN(y);
    return nx == ny ? 0 : nx ? 1 : -1;
  }
}
