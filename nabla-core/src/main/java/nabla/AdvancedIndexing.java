package nabla;

import java.util.ArrayList;
import java.util.List;
import nabla.storage.Shapes;

/**
 * Advanced indexing ({@link Tensor#index}), index assignment ({@link Tensor#indexPut}) and masked
 * fill, with PyTorch's semantics, as compositions of gather, scatter-add and where on the flattened
 * tensor: the indices are turned into the flat positions they name (plain Java, they carry no
 * gradient), and the differentiable part is a gather from those positions (read), or a scatter-add
 * of the values to them with a where that keeps the old elements elsewhere (write). Those
 * primitives' rules are already checked to any order and in forward mode, so every derivative of
 * these operations is too, with no rule of their own: the gradient of a read is a scatter-add
 * (duplicate indices accumulate), the gradient of a write reaches the values by a gather.
 *
 * <p>The index list: entry {@code k} indexes dimension {@code k} (a bool mask of rank m covers m
 * dimensions, as its m coordinate lists of true positions); a null entry, or a dimension past the
 * list, is taken whole (Python's {@code :}). The int64 index tensors broadcast together to one
 * shape B; the result has B in place of the indexed dimensions when those are adjacent, and B first
 * otherwise (NumPy's rule, which PyTorch follows).
 */
final class AdvancedIndexing {
  private AdvancedIndexing() {}

  /** Where the elements of x[indices] lie in x (flattened, row-major) and the shape they form. */
  record Plan(long[] positions, int[] shape) {
    Tensor index() {
      return Tensor.ofLongs(positions, positions.length);
    }
  }

  /** {@link Tensor#index}. */
  static Tensor read(String op, Tensor x, Tensor[] indices) {
    Plan p = plan(op, x, indices);
    return flat(x).gather(0, p.index()).reshape(p.shape);
  }

  /** {@link Tensor#indexPut}: a new tensor, x with values written (or added) at x[indices]. */
  static Tensor put(String op, Tensor x, Tensor[] indices, Tensor values, boolean accumulate) {
    Checks.nonNull(op, "values", values);
    Plan p = plan(op, x, indices);
    Tensor v = valuesFor(op, x, p, values);
    int n = x.numel();
    if (accumulate) {
      return flat(x).scatterAdd(0, p.index(), v).reshape(x.shape);
    }
    // Several writes to one element: the last one (in the row-major order of x[indices]) wins, so
    // the others are dropped here (and get no gradient: they do not reach the result).
    long[] pos = p.positions;
    boolean[] written = new boolean[n];
    boolean[] keep = new boolean[pos.length];
    int kept = 0;
    for (int k = pos.length - 1; k >= 0; k--) {
      int q = (int) pos[k];
      if (!written[q]) {
        written[q] = true;
        keep[k] = true;
        kept++;
      }
    }
    Tensor where = p.index();
    if (kept < pos.length) {
      long[] from = new long[kept];
      long[] to = new long[kept];
      for (int k = 0, j = 0; k < pos.length; k++) {
        if (keep[k]) {
          from[j] = k;
          to[j++] = pos[k];
        }
      }
      v = v.gather(0, Tensor.ofLongs(from, kept));
      where = Tensor.ofLongs(to, kept);
    }
    Tensor scattered = Tensor.zeros(x.dtype(), n).scatterAdd(0, where, v);
    return Tensor.where(Tensor.ofBooleans(written, n), scattered, flat(x)).reshape(x.shape);
  }

  /**
   * {@link Tensor#indexPutInPlace} when nothing is recorded: the values written straight into x's
   * storage at the selected elements, in the row-major order of the selection (so the last of
   * several writes to one element wins, as in {@link #put}); the cost is that of the selection, not
   * of x. The plain path's checks apply (no leaf that requires grad while recording, no expanded
   * view, no truncating cast).
   */
  static Tensor putDirect(
      String op, Tensor x, Tensor[] indices, Tensor values, boolean accumulate) {
    InPlace.checkNotRecording(x, op);
    InPlace.checkWritable(x, op);
    Plan p = plan(op, x, indices);
    Tensor v = valuesFor(op, x, p, values.detach()).contiguous();
    nabla.storage.Storage s = x.storage;
    nabla.storage.Storage vs = v.storage;
    int rank = x.shape.length;
    for (int k = 0; k < p.positions.length; k++) {
      long q = p.positions[k];
      int off = x.offset;
      for (int d = rank - 1; d >= 0; d--) { // row-major position -> storage offset
        int size = x.shape[d];
        off += (int) (q % size) * x.strides[d];
        q /= size;
      }
      int j = v.offset + k;
      switch (x.dtype()) {
        case FLOAT32 -> s.f[off] = accumulate ? s.f[off] + vs.f[j] : vs.f[j];
        case FLOAT64 -> s.d[off] = accumulate ? s.d[off] + vs.d[j] : vs.d[j];
        case INT64 -> s.l[off] = accumulate ? s.l[off] + vs.l[j] : vs.l[j];
        case BOOL -> s.b[off] = accumulate ? s.b[off] || vs.b[j] : vs.b[j];
        default -> { // the storage types: add in the compute type, round once
          if (x.dtype().isFloating()) {
            s.setDouble(off, accumulate ? s.getDouble(off) + vs.getDouble(j) : vs.getDouble(j));
          } else {
            s.setLong(off, accumulate ? s.getLong(off) + vs.getLong(j) : vs.getLong(j));
          }
        }
      }
    }
    InPlace.written(s, op);
    return x;
  }

  /** {@link Tensor#maskedFill(Tensor, double)}: value converted to x's dtype, as PyTorch does. */
  static Tensor maskedFill(String op, Tensor x, Tensor mask, double value) {
    checkMask(op, x, mask);
    return Tensor.where(mask, Tensor.full(value, x.dtype()), x);
  }

  /** {@link Tensor#maskedFill(Tensor, Tensor)}: a 0-d value, differentiable. */
  static Tensor maskedFill(String op, Tensor x, Tensor mask, Tensor value) {
    checkMask(op, x, mask);
    Checks.nonNull(op, "value", value);
    if (value.dim() != 0) {
      throw new IllegalArgumentException(
          op
              + ": the value must be a 0-d tensor, got shape "
              + Shapes.str(value.shape)
              + "; for one value per element use Tensor.where(mask, values, x)");
    }
    return Tensor.where(mask, castValues(op, x, value), x);
  }

  private static void checkMask(String op, Tensor x, Tensor mask) {
    Checks.nonNull(op, "mask", mask);
    if (mask.dtype() != DType.BOOL) {
      throw new IllegalArgumentException(
          op
              + ": the mask must be a bool tensor, got "
              + mask.dtype()
              + " of shape "
              + Shapes.str(mask.shape)
              + "; build it with a comparison, e.g. x.gt(0), or m.ne(0) for a numeric mask");
    }
    if (!broadcastsTo(mask.shape, x.shape)) {
      throw new IllegalArgumentException(
          op
              + ": the mask of shape "
              + Shapes.str(mask.shape)
              + " does not broadcast to this tensor's shape "
              + Shapes.str(x.shape)
              + "; the mask must have this shape, or sizes of 1 where this has more");
    }
  }

  /** x flattened to 1-d (a 0-d x becomes [1]; a copy when x is not contiguous). */
  private static Tensor flat(Tensor x) {
    return x.reshape(x.numel());
  }

  /** The values as 1-d, one per element of x[indices], in x's dtype. */
  private static Tensor valuesFor(String op, Tensor x, Plan p, Tensor values) {
    if (!broadcastsTo(values.shape, p.shape)) {
      throw new IllegalArgumentException(
          op
              + ": values of shape "
              + Shapes.str(values.shape)
              + " do not broadcast to the indexed shape "
              + Shapes.str(p.shape)
              + " (the shape of x[indices] for x of shape "
              + Shapes.str(x.shape)
              + "); give values of that shape, or sizes of 1 where it has more");
    }
    return castValues(op, x, values).expand(p.shape).reshape(p.positions.length);
  }

  private static Tensor castValues(String op, Tensor x, Tensor values) {
    if (values.dtype() == x.dtype()) {
      return values;
    }
    if (!TypePromotion.canCastInPlace(values.dtype(), x.dtype())) {
      throw new IllegalArgumentException(
          op
              + ": values of dtype "
              + values.dtype()
              + " cannot be written into a "
              + x.dtype()
              + " tensor of shape "
              + Shapes.str(x.shape)
              + " without truncating; convert them first (values.to(DType."
              + x.dtype().name()
              + ")) or convert the tensor");
    }
    return values.to(x.dtype());
  }

  private static boolean broadcastsTo(int[] from, int[] to) {
    if (from.length > to.length) {
      return false;
    }
    for (int i = 1; i <= from.length; i++) {
      int f = from[from.length - i];
      if (f != 1 && f != to[to.length - i]) {
        return false;
      }
    }
    return true;
  }

  // ------------------------------------------------------------------ positions

  /** The flat positions of x[indices] and their shape; checks every index. */
  static Plan plan(String op, Tensor x, Tensor[] indices) {
    Checks.nonNull(op, "indices", indices);
    int rank = x.dim();
    int[] shape = x.shape;
    // One entry per dimension of x: null (taken whole) or the index values along it.
    List<Tensor> perDim = new ArrayList<>();
    for (int k = 0; k < indices.length; k++) {
      Tensor idx = indices[k];
      if (idx == null) {
        perDim.add(null);
      } else if (idx.dtype() == DType.BOOL) {
        addMask(op, x, k, idx, perDim);
      } else if (idx.dtype() == DType.INT64) {
        perDim.add(idx);
      } else {
        throw new IllegalArgumentException(
            op
                + ": indices["
                + k
                + "] has dtype "
                + idx.dtype()
                + "; index tensors must be int64 (positions) or bool (masks), convert it with"
                + " .to(DType.INT64)");
      }
      if (perDim.size() > rank) {
        throw tooMany(op, x, indices);
      }
    }
    while (perDim.size() < rank) {
      perDim.add(null);
    }
    int first = -1;
    int last = -1;
    int[] b = null;
    for (int d = 0; d < rank; d++) {
      Tensor idx = perDim.get(d);
      if (idx != null) {
        first = first < 0 ? d : first;
        last = d;
        b = b == null ? idx.shape : broadcastIndices(op, b, idx, d);
      }
    }
    int[] strides = Shapes.contiguousStrides(shape);
    if (b == null) { // nothing indexed: every element, in order
      long[] all = new long[x.numel()];
      for (int i = 0; i < all.length; i++) {
        all[i] = i;
      }
      return new Plan(all, shape.clone());
    }
    int nb = Shapes.numel(op, b);
    // The offset in x of each element of the broadcast index block.
    long[] block = new long[nb];
    for (int d = first; d <= last; d++) {
      Tensor idx = perDim.get(d);
      if (idx != null) {
        long[] v = idx.expand(b).toLongArray();
        for (int i = 0; i < nb; i++) {
          block[i] += (long) wrap(op, v[i], shape[d], d) * strides[d];
        }
      }
    }
    boolean adjacent = true;
    for (int d = first; d <= last; d++) {
      adjacent &= perDim.get(d) != null;
    }
    // The result's axes: the dimensions taken whole, with the index block as one axis of size nb
    // (in place of the indexed dimensions when they are adjacent, first otherwise).
    List<int[]> axes = new ArrayList<>(); // {size, stride in x}, stride -1 for the block
    List<Integer> resultShape = new ArrayList<>();
    if (!adjacent) {
      addBlock(axes, resultShape, nb, b);
    }
    for (int d = 0; d < rank; d++) {
      if (perDim.get(d) == null) {
        axes.add(new int[] {shape[d], strides[d]});
        resultShape.add(shape[d]);
      } else if (adjacent && d == first) {
        addBlock(axes, resultShape, nb, b);
      }
    }
    int[] out = resultShape.stream().mapToInt(Integer::intValue).toArray();
    int n = Shapes.numel(op, out);
    int na = axes.size();
    int[] sizes = new int[na];
    int[] steps = new int[na];
    for (int a = 0; a < na; a++) {
      sizes[a] = axes.get(a)[0];
      steps[a] = axes.get(a)[1];
    }
    long[] pos = new long[n];
    int[] counter = new int[na];
    for (int k = 0; k < n; k++) {
      long p = 0;
      for (int a = 0; a < na; a++) {
        p += steps[a] < 0 ? block[counter[a]] : (long) counter[a] * steps[a];
      }
      pos[k] = p;
      for (int a = na - 1; a >= 0; a--) {
        if (++counter[a] < sizes[a]) {
          break;
        }
        counter[a] = 0;
      }
    }
    return new Plan(pos, out);
  }

  private static void addBlock(List<int[]> axes, List<Integer> resultShape, int nb, int[] b) {
    axes.add(new int[] {nb, -1});
    for (int s : b) {
      resultShape.add(s);
    }
  }

  /** A bool mask at indices[k], covering the next dimensions: its true positions per dimension. */
  private static void addMask(String op, Tensor x, int k, Tensor mask, List<Tensor> perDim) {
    int d = perDim.size();
    int m = mask.dim();
    if (m == 0) {
      throw new IllegalArgumentException(
          op
              + ": indices["
              + k
              + "] is a 0-d bool mask, which Nabla does not support; use a mask of the indexed"
              + " dimensions' shape, or Tensor.where");
    }
    boolean fits = d + m <= x.dim();
    for (int i = 0; fits && i < m; i++) {
      fits = mask.shape[i] == x.shape[d + i];
    }
    if (!fits) {
      int[] covered = java.util.Arrays.copyOfRange(x.shape, d, Math.min(x.dim(), d + m));
      throw new IllegalArgumentException(
          op
              + ": the bool mask indices["
              + k
              + "] of shape "
              + Shapes.str(mask.shape)
              + " does not match the dimensions "
              + d
              + ".."
              + (d + m - 1)
              + " it indexes in this tensor of shape "
              + Shapes.str(x.shape)
              + " (sizes "
              + Shapes.str(covered)
              + "); a mask must have exactly the shape of the dimensions it covers");
    }
    boolean[] values = mask.toBooleanArray();
    int count = 0;
    for (boolean v : values) {
      count += v ? 1 : 0;
    }
    long[][] coords = new long[m][count];
    int[] mStrides = Shapes.contiguousStrides(mask.shape);
    for (int i = 0, j = 0; i < values.length; i++) {
      if (values[i]) {
        for (int a = 0; a < m; a++) {
          coords[a][j] = (i / mStrides[a]) % mask.shape[a];
        }
        j++;
      }
    }
    for (int a = 0; a < m; a++) {
      perDim.add(Tensor.ofLongs(coords[a], count));
    }
  }

  private static int[] broadcastIndices(String op, int[] b, Tensor idx, int d) {
    int rank = Math.max(b.length, idx.dim());
    int[] out = new int[rank];
    for (int i = 1; i <= rank; i++) {
      int s = i <= b.length ? b[b.length - i] : 1;
      int t = i <= idx.dim() ? idx.shape[idx.dim() - i] : 1;
      if (s != t && s != 1 && t != 1) {
        throw new IllegalArgumentException(
            op
                + ": the index tensors must broadcast together, but the one for dimension "
                + d
                + " has shape "
                + Shapes.str(idx.shape)
                + " and the ones before broadcast to "
                + Shapes.str(b)
                + "; give them equal shapes, or sizes of 1 to broadcast");
      }
      out[rank - i] = s == 1 ? t : s;
    }
    return out;
  }

  /** An index along a dimension of size n, from the end if negative, checked. */
  private static int wrap(String op, long i, int n, int d) {
    long w = i < 0 ? i + n : i;
    if (w < 0 || w >= n) {
      throw new IndexOutOfBoundsException(
          op
              + ": index "
              + i
              + " is out of range for dimension "
              + d
              + " of size "
              + n
              + " (valid: "
              + -n
              + " to "
              + (n - 1)
              + ")");
    }
    return (int) w;
  }

  private static IllegalArgumentException tooMany(String op, Tensor x, Tensor[] indices) {
    return new IllegalArgumentException(
        op
            + ": too many indices ("
            + indices.length
            + ", masks counting one per dimension they cover) for a tensor of shape "
            + Shapes.str(x.shape)
            + " with "
            + x.dim()
            + " dimensions; give at most one index per dimension");
  }
}
