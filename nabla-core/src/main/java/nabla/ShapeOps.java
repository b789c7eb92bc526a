package nabla;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import nabla.storage.Shapes;

/**
 * Shape operations of issue 12 (flip, roll, repeat, tile, split, diagonals, triangles, outer and
 * Kronecker products, take, nonzero, meshgrid), each composed from differentiable primitives
 * (reshape, expand, permute, slice, embed, cat, indexSelect, where, mul), so gradients of every
 * order and forward mode come with them.
 */
final class ShapeOps {
  private ShapeOps() {}

  private static String shapeOf(Tensor x) {
    return Shapes.str(x.shape);
  }

  /** {@link Tensor#flip}: an indexSelect with the reversed positions per dimension. */
  static Tensor flip(Tensor x, int[] dims) {
    int[] axes = Shapes.axes("flip", Checks.nonNull("flip", "dims", dims), x.dim());
    Tensor y = x;
    for (int d : axes) {
      int n = x.shape[d];
      if (n > 1) {
        long[] idx = new long[n];
        for (int i = 0; i < n; i++) {
          idx[i] = n - 1 - i;
        }
        y = y.indexSelect(d, Tensor.ofLongs(idx, n));
      }
    }
    return y;
  }

  /** {@link Tensor#roll}: each shifted dimension is cut in two and the halves swapped. */
  static Tensor roll(Tensor x, int[] shifts, int[] dims) {
    Checks.nonNull("roll", "shifts", shifts);
    Checks.nonNull("roll", "dims", dims);
    if (dims.length == 0) {
      if (shifts.length != 1) {
        throw new IllegalArgumentException(
            "roll: without dims, give exactly one shift (the flattened tensor is rolled), got "
                + Arrays.toString(shifts));
      }
      return roll(x.flatten(), shifts, new int[] {0}).reshape(x.shape);
    }
    if (shifts.length != dims.length) {
      throw new IllegalArgumentException(
          "roll: shifts "
              + Arrays.toString(shifts)
              + " and dims "
              + Arrays.toString(dims)
              + " must have the same length");
    }
    Tensor y = x;
    for (int i = 0; i < dims.length; i++) {
      int d = Shapes.axis("roll", dims[i], x.dim());
      if (x.dim() == 0) {
        continue;
      }
      int n = x.shape[d];
      if (n == 0) {
        continue;
      }
      int s = Math.floorMod(shifts[i], n);
      if (s != 0) {
        y = Tensor.cat(d, y.slice(d, n - s, n), y.slice(d, 0, n - s));
      }
    }
    return y;
  }

  /** {@link Tensor#repeat}: each dimension of size s becomes [r, s], expanded, then merged. */
  static Tensor repeat(Tensor x, int[] repeats) {
    Checks.nonNull("repeat", "repeats", repeats);
    if (repeats.length < x.dim()) {
      throw new IllegalArgumentException(
          "repeat: give at least one repeat per dimension: "
              + Arrays.toString(repeats)
              + " for a tensor of shape "
              + shapeOf(x));
    }
    int n = repeats.length;
    int lead = n - x.dim();
    int[] view = new int[2 * n];
    int[] expanded = new int[2 * n];
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      if (repeats[i] < 0) {
        throw new IllegalArgumentException(
            "repeat: repeats must be >= 0, got " + Arrays.toString(repeats));
      }
      int s = i < lead ? 1 : x.shape[i - lead];
      view[2 * i] = 1;
      view[2 * i + 1] = s;
      expanded[2 * i] = repeats[i];
      expanded[2 * i + 1] = s;
      out[i] = sizeOf("repeat", (long) repeats[i] * s, expanded);
    }
    Shapes.numel("repeat", expanded);
    return x.reshape(view).expand(expanded).reshape(out);
  }

  /** {@link Tensor#tile}: repeat with ones prepended to {@code dims} up to the rank. */
  static Tensor tile(Tensor x, int[] dims) {
    Checks.nonNull("tile", "dims", dims);
    if (dims.length >= x.dim()) {
      return repeat(x, dims);
    }
    int[] r = new int[x.dim()];
    Arrays.fill(r, 1);
    System.arraycopy(dims, 0, r, x.dim() - dims.length, dims.length);
    return repeat(x, r);
  }

  /** {@link Tensor#repeatInterleave}: a new size-{@code repeats} dimension after {@code dim}. */
  static Tensor repeatInterleave(Tensor x, int repeats, Integer dim) {
    if (repeats < 0) {
      throw new IllegalArgumentException("repeatInterleave: repeats must be >= 0, got " + repeats);
    }
    if (dim == null) {
      return repeatInterleave(x.flatten(), repeats, 0);
    }
    Tensor v = x.dim() == 0 ? x.reshape(1) : x;
    int d = Shapes.axis("repeatInterleave", dim, v.dim());
    int[] expanded = new int[v.dim() + 1];
    for (int i = 0, j = 0; i < expanded.length; i++) {
      expanded[i] = i == d + 1 ? repeats : v.shape[j++];
    }
    Shapes.numel("repeatInterleave", expanded);
    int[] out = v.shape.clone();
    out[d] = sizeOf("repeatInterleave", (long) out[d] * repeats, expanded);
    return v.unsqueeze(d + 1).expand(expanded).reshape(out);
  }

  /**
   * {@link Tensor#repeatInterleave(Tensor, int)}: slice i along dim repeated repeats[i] times (an
   * index select, so the gradient sums the copies back). repeats is an int64 tensor of one element
   * (the same count for every slice) or one count per slice.
   */
  static Tensor repeatInterleave(Tensor x, Tensor repeats, Integer dim) {
    String op = "repeatInterleave";
    Checks.nonNull(op, "repeats", repeats);
    if (dim == null) {
      return repeatInterleave(x.flatten(), repeats, 0);
    }
    Tensor v = x.dim() == 0 ? x.reshape(1) : x;
    int d = Shapes.axis(op, dim, v.dim());
    int n = v.shape[d];
    if (repeats.dtype() != DType.INT64 || repeats.dim() > 1) {
      throw new IllegalArgumentException(
          op
              + ": repeats must be an int64 tensor with one count per slice (1-d) or one for all"
              + " (0-d or one element), got "
              + repeats.dtype()
              + " of shape "
              + Shapes.str(repeats.shape)
              + "; make it with Tensor.ofLongs(...)");
    }
    int given = repeats.numel();
    if (given != n && given != 1) {
      throw new IllegalArgumentException(
          op
              + ": repeats has "
              + given
              + " counts but dimension "
              + d
              + " of the input (shape "
              + Shapes.str(v.shape)
              + ") has "
              + n
              + " slices; give one count per slice, or a single count");
    }
    Tensor r = repeats.contiguous();
    long[] counts = r.storage.l;
    int base = r.offset;
    long total = 0;
    for (int i = 0; i < n; i++) {
      long c = counts[base + (given == 1 ? 0 : i)];
      if (c < 0) {
        throw new IllegalArgumentException(
            op + ": repeats must be >= 0, got " + c + (given == 1 ? "" : " for slice " + i));
      }
      total += c;
    }
    int[] out = v.shape.clone();
    out[d] = sizeOf(op, total, out);
    Shapes.numel(op, out);
    long[] index = new long[out[d]];
    for (int i = 0, k = 0; i < n; i++) {
      long c = counts[base + (given == 1 ? 0 : i)];
      for (long j = 0; j < c; j++) {
        index[k++] = i;
      }
    }
    return v.indexSelect(d, Tensor.ofLongs(index));
  }

  /** A dimension's size, or the too-large error naming the op and the shape it came from. */
  private static int sizeOf(String op, long size, int[] shape) {
    if (size > Integer.MAX_VALUE) {
      throw Shapes.tooLarge(op, shape);
    }
    return (int) size;
  }

  private static int splitDim(String op, Tensor x, int dim) {
    if (x.dim() == 0) {
      throw new IllegalArgumentException(op + ": cannot split a 0-d tensor; reshape(1) it first");
    }
    return Shapes.axis(op, dim, x.dim());
  }

  /** {@link Tensor#split(int, int)}: pieces of {@code size}, the last one smaller if need be. */
  static Tensor[] split(Tensor x, int size, int dim) {
    int d = splitDim("split", x, dim);
    int n = x.shape[d];
    if (size < 0 || (size == 0 && n > 0)) {
      throw new IllegalArgumentException(
          "split: the piece size must be >= 1, got "
              + size
              + " for dimension "
              + d
              + " of shape "
              + shapeOf(x));
    }
    if (n == 0) {
      return new Tensor[] {x};
    }
    List<Tensor> pieces = new ArrayList<>();
    for (long start = 0; start < n; start += size) {
      int s = (int) start;
      pieces.add(x.slice(d, s, (int) Math.min(n, start + size)));
    }
    return pieces.toArray(new Tensor[0]);
  }

  /** {@link Tensor#split(int[], int)}: pieces of the given sizes, which must add up. */
  static Tensor[] split(Tensor x, int[] sizes, int dim) {
    Checks.nonNull("split", "sizes", sizes);
    int d = splitDim("split", x, dim);
    long total = 0;
    for (int s : sizes) {
      if (s < 0) {
        throw new IllegalArgumentException(
            "split: sizes must be >= 0, got " + Arrays.toString(sizes));
      }
      total += s;
    }
    if (total != x.shape[d]) {
      throw new IllegalArgumentException(
          "split: sizes "
              + Arrays.toString(sizes)
              + " add up to "
              + total
              + ", not to size "
              + x.shape[d]
              + " of dimension "
              + d
              + " of shape "
              + shapeOf(x));
    }
    Tensor[] pieces = new Tensor[sizes.length];
    int start = 0;
    for (int i = 0; i < sizes.length; i++) {
      pieces[i] = x.slice(d, start, start + sizes[i]);
      start += sizes[i];
    }
    return pieces;
  }

  /** {@link Tensor#chunk}: PyTorch's pieces of ceil(n / chunks), so maybe fewer than chunks. */
  static Tensor[] chunk(Tensor x, int chunks, int dim) {
    if (chunks < 1) {
      throw new IllegalArgumentException("chunk: the number of chunks must be >= 1, got " + chunks);
    }
    int d = splitDim("chunk", x, dim);
    int n = x.shape[d];
    return split(x, n == 0 ? 0 : (int) ((n + (long) chunks - 1) / chunks), d);
  }

  /** {@link Tensor#unbind}: the slices along {@code dim}, that dimension removed. */
  static Tensor[] unbind(Tensor x, int dim) {
    int d = splitDim("unbind", x, dim);
    Tensor[] out = new Tensor[x.shape[d]];
    for (int i = 0; i < out.length; i++) {
      out[i] = x.slice(d, i, i + 1).squeeze(d);
    }
    return out;
  }

  /** {@link Tensor#narrow}: {@code length} elements from {@code start} (negative: from the end). */
  static Tensor narrow(Tensor x, int dim, int start, int length) {
    int d = splitDim("narrow", x, dim);
    int n = x.shape[d];
    long s = start < 0 ? (long) start + n : start;
    if (s < 0 || s > n || length < 0 || s + length > n) {
      throw new IllegalArgumentException(
          "narrow: start "
              + start
              + " and length "
              + length
              + " do not fit size "
              + n
              + " of dimension "
              + d
              + " of shape "
              + shapeOf(x));
    }
    return x.slice(d, (int) s, (int) (s + length));
  }

  /** {@link Tensor#movedim(int[], int[])}: a permute. */
  static Tensor movedim(Tensor x, int[] source, int[] destination) {
    Checks.nonNull("movedim", "source", source);
    Checks.nonNull("movedim", "destination", destination);
    if (source.length != destination.length) {
      throw new IllegalArgumentException(
          "movedim: source "
              + Arrays.toString(source)
              + " and destination "
              + Arrays.toString(destination)
              + " must have the same length");
    }
    int r = x.dim();
    int[] src = normalised("movedim", source, r);
    int[] dst = normalised("movedim", destination, r);
    if (r == 0) {
      return x;
    }
    int[] perm = new int[Math.max(r, 0)];
    Arrays.fill(perm, -1);
    boolean[] used = new boolean[r];
    for (int i = 0; i < src.length; i++) {
      perm[dst[i]] = src[i];
      used[src[i]] = true;
    }
    int next = 0;
    for (int i = 0; i < r; i++) {
      if (perm[i] < 0) {
        while (used[next]) {
          next++;
        }
        perm[i] = next++;
      }
    }
    return x.permute(perm);
  }

  /** Normalised axes, each at most once, in the given order. */
  private static int[] normalised(String op, int[] axes, int rank) {
    int[] out = new int[axes.length];
    boolean[] seen = new boolean[Math.max(rank, 1)];
    for (int i = 0; i < axes.length; i++) {
      out[i] = Shapes.axis(op, axes[i], rank);
      if (seen[out[i]]) {
        throw new IllegalArgumentException(
            op + ": dimension " + axes[i] + " appears twice in " + Arrays.toString(axes));
      }
      seen[out[i]] = true;
    }
    return out;
  }

  /** {@link Tensor#diag(int)}: a 1-d tensor to a matrix, a matrix to its diagonal. */
  static Tensor diag(Tensor x, int offset) {
    if (x.dim() == 1) {
      return diagEmbed(x, offset, 0, 1);
    }
    if (x.dim() == 2) {
      return diagonal(x, offset, 0, 1);
    }
    throw new IllegalArgumentException(
        "diag: expected a 1-d or 2-d tensor, got shape "
            + shapeOf(x)
            + "; use diagonal(offset, dim1, dim2) or diagEmbed for other ranks");
  }

  private static int[] diagDims(String op, int dim1, int dim2, int rank) {
    int a = Shapes.axis(op, dim1, rank);
    int b = Shapes.axis(op, dim2, rank);
    if (a == b) {
      throw new IllegalArgumentException(
          op + ": dim1 and dim2 must differ, both are dimension " + a + " (rank " + rank + ")");
    }
    return new int[] {a, b};
  }

  /**
   * {@link Tensor#diagonal}: the two dimensions moved last and merged, then a slice with step
   * (columns + 1) from the offset's first element.
   */
  static Tensor diagonal(Tensor x, int offset, int dim1, int dim2) {
    if (x.dim() < 2) {
      throw new IllegalArgumentException(
          "diagonal: expected a tensor of rank >= 2, got shape " + shapeOf(x));
    }
    int[] ab = diagDims("diagonal", dim1, dim2, x.dim());
    int r = x.dim();
    Tensor m = movedim(x, ab, new int[] {r - 2, r - 1});
    int rows = m.shape[r - 2];
    int cols = m.shape[r - 1];
    long len =
        offset >= 0 ? Math.min(rows, (long) cols - offset) : Math.min(rows + (long) offset, cols);
    len = Math.max(0, len);
    int[] flat = Arrays.copyOf(m.shape, r - 1);
    flat[r - 2] = rows * cols; // fits: the tensor exists
    Tensor f = m.reshape(flat);
    if (len == 0) {
      return f.slice(r - 2, 0, 0);
    }
    long start = offset >= 0 ? offset : -(long) offset * cols;
    long end = start + (len - 1) * (cols + 1L) + 1;
    return f.slice(r - 2, (int) start, (int) end, cols + 1);
  }

  /**
   * {@link Tensor#diagEmbed}: the last dimension written with step (m + 1) into zeros of m·m (an
   * embed), reshaped to [m, m] and moved to {@code dim1}, {@code dim2}.
   */
  static Tensor diagEmbed(Tensor x, int offset, int dim1, int dim2) {
    if (x.dim() == 0) {
      throw new IllegalArgumentException("diagEmbed: expected a tensor of rank >= 1, got 0-d");
    }
    int r = x.dim() + 1;
    int[] ab = diagDims("diagEmbed", dim1, dim2, r);
    int n = x.shape[r - 2];
    long m = n + Math.abs((long) offset);
    int[] square = Arrays.copyOf(x.shape, r);
    square[r - 2] = (int) Math.min(m, Integer.MAX_VALUE);
    square[r - 1] = (int) Math.min(m, Integer.MAX_VALUE);
    if (m > Integer.MAX_VALUE || m * m > Integer.MAX_VALUE) {
      throw Shapes.tooLarge("diagEmbed", square);
    }
    Shapes.numel("diagEmbed", square);
    int[] flat = Arrays.copyOf(x.shape, r - 1);
    flat[r - 2] = (int) (m * m);
    int start = (int) (offset >= 0 ? offset : -(long) offset * m);
    Tensor e = x.embed(flat, r - 2, start, (int) m + 1).reshape(square);
    return movedim(e, new int[] {r - 2, r - 1}, ab);
  }

  /** {@link Tensor#triu} and {@link Tensor#tril}: a constant mask of the last two dimensions. */
  static Tensor triangle(Tensor x, int k, boolean upper) {
    String op = upper ? "triu" : "tril";
    if (x.dim() < 2) {
      throw new IllegalArgumentException(
          op
              + ": expected a tensor of rank >= 2 (a matrix or a batch of them), got shape "
              + shapeOf(x));
    }
    int rows = x.shape[x.dim() - 2];
    int cols = x.shape[x.dim() - 1];
    boolean[] keep = new boolean[rows * cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        long diff = (long) j - i;
        keep[i * cols + j] = upper ? diff >= k : diff <= k;
      }
    }
    Tensor mask = Tensor.ofBooleans(keep, rows, cols);
    Tensor zero = Tensor.zeros(x.dtype(), new int[0]);
    return Tensor.where(mask, x, zero);
  }

  /** {@link Tensor#outer}: a column times a row. */
  static Tensor outer(Tensor x, Tensor other) {
    Checks.nonNull("outer", "other", other);
    if (x.dim() != 1 || other.dim() != 1) {
      throw new IllegalArgumentException(
          "outer: expected two 1-d tensors, got shapes "
              + shapeOf(x)
              + " and "
              + shapeOf(other)
              + "; flatten() them first");
    }
    return x.reshape(-1, 1).mul(other.reshape(1, -1));
  }

  /** {@link Tensor#kron}: a[i] b[j] at i·|b| + j per dimension, via interleaved size-1 axes. */
  static Tensor kron(Tensor a, Tensor b) {
    Checks.nonNull("kron", "other", b);
    int n = Math.max(a.dim(), b.dim());
    int[] va = new int[2 * n];
    int[] vb = new int[2 * n];
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      int sa = i < n - a.dim() ? 1 : a.shape[i - (n - a.dim())];
      int sb = i < n - b.dim() ? 1 : b.shape[i - (n - b.dim())];
      va[2 * i] = sa;
      va[2 * i + 1] = 1;
      vb[2 * i] = 1;
      vb[2 * i + 1] = sb;
      out[i] = sizeOf("kron", (long) sa * sb, out);
    }
    int[] full = new int[2 * n];
    for (int i = 0; i < 2 * n; i++) {
      full[i] = Math.max(va[i], vb[i]);
    }
    Shapes.numel("kron", full);
    return a.reshape(va).mul(b.reshape(vb)).reshape(out);
  }

  /** {@link Tensor#take}: the flattened tensor indexed by an int64 tensor of any shape. */
  static Tensor take(Tensor x, Tensor index) {
    Checks.nonNull("take", "index", index);
    if (index.dtype() != DType.INT64) {
      throw new IllegalArgumentException(
          "take: the index must be an int64 tensor, got "
              + index.dtype()
              + " of shape "
              + Shapes.str(index.shape));
    }
    return AdvancedIndexing.read("take", x.reshape(-1), new Tensor[] {index});
  }

  /** {@link Tensor#nonzero}: the positions of the non-zero elements, [count, rank], int64. */
  static Tensor nonzero(Tensor x) {
    int r = x.dim();
    int n = x.numel();
    boolean[] nz = new boolean[n];
    int count = 0;
    if (x.dtype() == DType.BOOL) {
      boolean[] v = x.toBooleanArray();
      for (int i = 0; i < n; i++) {
        nz[i] = v[i];
        count += v[i] ? 1 : 0;
      }
    } else if (x.dtype().isInteger()) {
      long[] v = x.toLongArray();
      for (int i = 0; i < n; i++) {
        nz[i] = v[i] != 0;
        count += nz[i] ? 1 : 0;
      }
    } else {
      double[] v = x.toDoubleArray();
      for (int i = 0; i < n; i++) {
        nz[i] = v[i] != 0; // NaN is non-zero
        count += nz[i] ? 1 : 0;
      }
    }
    long[] out = new long[count * r];
    int row = 0;
    for (int i = 0; i < n; i++) {
      if (nz[i]) {
        int rest = i;
        for (int d = r - 1; d >= 0; d--) {
          out[row * r + d] = rest % x.shape[d];
          rest /= x.shape[d];
        }
        row++;
      }
    }
    return Tensor.ofLongs(out, count, r);
  }

  /** {@link Tensor#meshgrid}: 1-d tensors expanded to a grid, PyTorch's "ij" indexing. */
  static Tensor[] meshgrid(Tensor[] tensors) {
    Checks.noNulls("meshgrid", "tensors", tensors);
    int[] shape = new int[tensors.length];
    for (int i = 0; i < tensors.length; i++) {
      if (tensors[i].dim() > 1) {
        throw new IllegalArgumentException(
            "meshgrid: expected 0-d or 1-d tensors, tensor "
                + i
                + " has shape "
                + shapeOf(tensors[i]));
      }
      shape[i] = tensors[i].numel();
    }
    Shapes.numel("meshgrid", shape);
    Tensor[] out = new Tensor[tensors.length];
    for (int i = 0; i < tensors.length; i++) {
      int[] view = new int[tensors.length];
      Arrays.fill(view, 1);
      view[i] = shape[i];
      out[i] = tensors[i].reshape(view).expand(shape);
    }
    return out;
  }

  /** {@link Tensor#tensordot(Tensor, int[], int[])}: permuted to a matrix product. */
  static Tensor tensordot(Tensor a, Tensor b, int[] dimsA, int[] dimsB) {
    Checks.nonNull("tensordot", "other", b);
    Checks.nonNull("tensordot", "dimsA", dimsA);
    Checks.nonNull("tensordot", "dimsB", dimsB);
    if (dimsA.length != dimsB.length) {
      throw new IllegalArgumentException(
          "tensordot: dimsA "
              + Arrays.toString(dimsA)
              + " and dimsB "
              + Arrays.toString(dimsB)
              + " must have the same length");
    }
    if (dimsA.length > a.dim() || dimsB.length > b.dim()) {
      throw new IllegalArgumentException(
          "tensordot: cannot contract "
              + dimsA.length
              + " dimensions of shapes "
              + shapeOf(a)
              + " and "
              + shapeOf(b));
    }
    int[] ca = normalised("tensordot", dimsA, a.dim());
    int[] cb = normalised("tensordot", dimsB, b.dim());
    for (int i = 0; i < ca.length; i++) {
      if (a.shape[ca[i]] != b.shape[cb[i]]) {
        throw new IllegalArgumentException(
            "tensordot: contracted dimension "
                + dimsA[i]
                + " of shape "
                + shapeOf(a)
                + " and dimension "
                + dimsB[i]
                + " of shape "
                + shapeOf(b)
                + " differ in size");
      }
    }
    int[] freeA = rest(ca, a.dim());
    int[] freeB = rest(cb, b.dim());
    int[] permA = concat(freeA, ca);
    int[] permB = concat(cb, freeB);
    long m = 1;
    long k = 1;
    long n = 1;
    int[] out = new int[freeA.length + freeB.length];
    int o = 0;
    for (int d : freeA) {
      m *= a.shape[d];
      out[o++] = a.shape[d];
    }
    for (int d : ca) {
      k *= a.shape[d];
    }
    for (int d : freeB) {
      n *= b.shape[d];
      out[o++] = b.shape[d];
    }
    Shapes.numel("tensordot", out);
    Tensor pa = a.dim() == 0 ? a : a.permute(permA);
    Tensor pb = b.dim() == 0 ? b : b.permute(permB);
    return pa.reshape((int) m, (int) k).matmul(pb.reshape((int) k, (int) n)).reshape(out);
  }

  /** The axes of {@code rank} not in {@code used}, in order. */
  static int[] rest(int[] used, int rank) {
    boolean[] u = new boolean[Math.max(rank, 1)];
    for (int d : used) {
      u[d] = true;
    }
    int[] out = new int[rank - used.length];
    for (int i = 0, j = 0; i < rank; i++) {
      if (!u[i]) {
        out[j++] = i;
      }
    }
    return out;
  }

  static int[] concat(int[] a, int[] b) {
    int[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
