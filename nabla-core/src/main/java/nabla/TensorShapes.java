package nabla;

import nabla.storage.Shapes;

/**
 * Advanced indexing, shape functions (flip, roll, repeat, split, diagonal, triu, outer, kron,
 * tensordot, ...), value comparisons and sampling: part of {@link Tensor}'s API, in a
 * package-private superclass as {@link TensorMath} is, so that no file grows past 800 lines. Each
 * method is a facade over {@link AdvancedIndexing}, {@link ShapeOps} or the {@link Generator}.
 */
abstract sealed class TensorShapes extends TensorFunctions permits TensorMath {
  TensorShapes() {}

  // ---------------------------------------------------------------- advanced indexing

  /**
   * Advanced indexing, PyTorch's {@code x[i, j]} with index tensors: entry k of {@code indices}
   * indexes dimension k, by an int64 tensor of positions (negative ones count from the end) or a
   * bool mask covering as many dimensions as it has (its true positions); a null entry, and every
   * dimension past the list, is taken whole ({@code :}). The int64 tensors broadcast together to a
   * shape B, which replaces the indexed dimensions in the result when they are adjacent and comes
   * first otherwise (NumPy's rule). The result is a new tensor (a copy, not a view); its gradient
   * is a scatter-add, so an element picked several times gets the sum of their gradients.
   *
   * <pre>{@code
   * Tensor x = Tensor.arange(12.0).reshape(3, 4);
   * x.index(Tensor.ofLongs(new long[] {0, 2}, 2), Tensor.ofLongs(new long[] {1, -1}, 2));
   *                                      // tensor([1., 11.])  (x[[0, 2], [1, -1]])
   * x.index(null, Tensor.ofLongs(new long[] {3, 0}, 2));   // shape [3, 2]  (x[:, [3, 0]])
   * x.index(x.gt(8));                    // tensor([9., 10., 11.])  (x[x > 8])
   * }</pre>
   *
   * @throws IndexOutOfBoundsException when an index is out of range for its dimension
   * @throws IllegalArgumentException for an index tensor that is neither int64 nor bool, a mask
   *     whose shape differs from the dimensions it covers, index tensors that do not broadcast, or
   *     more indices than dimensions
   */
  public Tensor index(Tensor... indices) {
    return AdvancedIndexing.read("index", self(), indices);
  }

  /**
   * {@code indexPut(indices, values, false)}: a copy of this tensor with {@code values} written at
   * {@code this.index(indices)}, PyTorch's {@code x.index_put(indices, values)}, the out-of-place
   * form of {@code x[indices] = values}.
   *
   * <pre>{@code
   * Tensor x = Tensor.zeros(2, 3);
   * x.indexPut(new Tensor[] {Tensor.ofLongs(new long[] {1}, 1)}, Tensor.of(7));
   *                                      // [[0, 0, 0], [7, 7, 7]]
   * }</pre>
   */
  public Tensor indexPut(Tensor[] indices, Tensor values) {
    return indexPut(indices, values, false);
  }

  /**
   * A copy of this tensor with {@code values} written at the elements {@link #index(Tensor...)}
   * selects (PyTorch's {@code index_put}); {@code values} broadcast to that selection's shape and
   * are converted to this tensor's dtype (a narrowing conversion, float into int64, is refused).
   * With {@code accumulate} the values are added instead, and an element named several times gets
   * the sum of them all. Without it, an element named several times takes the last of its values
   * (in the row-major order of the selection): PyTorch leaves that choice unspecified, Nabla makes
   * it deterministic, and the values that lose get a zero gradient.
   *
   * <p>Gradients: this tensor gets the incoming gradient, zeroed at the written elements unless
   * {@code accumulate}; the values get it gathered from their elements, summed over broadcast
   * dimensions.
   *
   * <pre>{@code
   * Tensor x = Tensor.zeros(4);
   * Tensor i = Tensor.ofLongs(new long[] {0, 2, 0}, 3);
   * x.indexPut(new Tensor[] {i}, Tensor.of(1, 2, 3), true);    // tensor([4., 0., 2., 0.])
   * x.indexPut(new Tensor[] {i}, Tensor.of(1, 2, 3), false);   // tensor([3., 0., 2., 0.])
   * }</pre>
   *
   * @throws IndexOutOfBoundsException when an index is out of range for its dimension
   * @throws IllegalArgumentException for bad indices (see {@link #index(Tensor...)}) or values that
   *     do not broadcast to the selection's shape
   */
  public Tensor indexPut(Tensor[] indices, Tensor values, boolean accumulate) {
    return AdvancedIndexing.put("indexPut", self(), indices, values, accumulate);
  }

  /**
   * A copy of this tensor with {@code value} (converted to this dtype) where the bool {@code mask}
   * (broadcast to this shape) is true: PyTorch's {@code masked_fill}. No gradient reaches the
   * replaced elements.
   *
   * <pre>{@code Tensor.of(1, -2, 3).maskedFill(Tensor.of(1, -2, 3).lt(0), 0)   // [1., 0., 3.]}
   * </pre>
   */
  public Tensor maskedFill(Tensor mask, double value) {
    return AdvancedIndexing.maskedFill("maskedFill", self(), mask, value);
  }

  /**
   * {@link #maskedFill(Tensor, double)} with a 0-d tensor value, which gets as gradient the sum of
   * the incoming gradient over the filled elements.
   *
   * <pre>{@code
   * Tensor v = Tensor.scalar(5).requiresGrad(true);
   * Tensor.zeros(3).maskedFill(Tensor.of(1, 0, 1).ne(0), v).sum().backward();
   * v.grad();   // tensor(2.)
   * }</pre>
   */
  public Tensor maskedFill(Tensor mask, Tensor value) {
    return AdvancedIndexing.maskedFill("maskedFill", self(), mask, value);
  }

  // ---------------------------------------------------------------- comparing values

  /**
   * Whether this tensor has {@code other}'s shape and the same values (PyTorch's {@code
   * torch.equal}; NaN is never equal). {@code equals} stays identity: tensors are mutable.
   */
  public boolean equal(Tensor other) {
    Checks.nonNull("equal", "other", other);
    Tensor x = self();
    return Shapes.same(x.shape, other.shape)
        && (x.numel() == 0 || x.eq(other.to(x.dtype())).all().toBooleanArray()[0]);
  }

  /**
   * Whether the shapes broadcast and |this − other| ≤ atol + rtol·|other| everywhere (PyTorch's
   * {@code allclose}; NaN only matches NaN when {@code equalNan}).
   *
   * <pre>{@code Tensor.of(1, 2).allclose(Tensor.of(1, 2.000001), 1e-5, 1e-8, false)   // true}
   * </pre>
   */
  public boolean allclose(Tensor other, double rtol, double atol, boolean equalNan) {
    Checks.nonNull("allclose", "other", other);
    int[] shape = Shapes.broadcast("allclose", self().shape, other.shape);
    double[] a = self().expand(shape).toDoubleArray();
    double[] b = other.expand(shape).toDoubleArray();
    for (int i = 0; i < a.length; i++) {
      boolean nan = Double.isNaN(a[i]) || Double.isNaN(b[i]);
      if (nan
          ? !(equalNan && Double.isNaN(a[i]) && Double.isNaN(b[i]))
          : a[i] != b[i] && !(Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(b[i]))) {
        return false;
      }
    }
    return true;
  }

  /** {@link #allclose(Tensor, double, double, boolean)} with PyTorch's defaults (1e-5, 1e-8). */
  public boolean allclose(Tensor other) {
    return allclose(other, 1e-5, 1e-8, false);
  }

  /** The shape as text, {@code [2, 3]} (what {@code shape()} prints in Python). */
  public String shapeString() {
    return Shapes.str(self().shape);
  }

  // ---------------------------------------------------------------- sampling

  /**
   * {@code numSamples} category indices drawn with these (1-d, or one row per distribution)
   * non-negative weights, from this thread's generator (PyTorch's {@code torch.multinomial}).
   *
   * <pre>
   * {@code Tensor.of(0.5, 0.5).multinomial(10, true)   // ten coin tosses, e.g. [0, 1, 1, ...]}
   * </pre>
   */
  public Tensor multinomial(int numSamples, boolean replacement) {
    return Generator.current().multinomial(self(), numSamples, replacement);
  }

  /** 1 with probability p, else 0, for each element p in [0, 1] (PyTorch's {@code bernoulli}). */
  public Tensor bernoulli() {
    return Generator.current().bernoulli(self());
  }

  // ---------------------------------------------------------------- shape (ShapeOps)

  /**
   * Reverses the order along {@code dims} (a copy). {@code Tensor.of(1, 2, 3).flip(0) // [3., 2.,
   * 1.]}
   */
  public Tensor flip(int... dims) {
    return ShapeOps.flip(self(), dims);
  }

  /**
   * Rolls along {@code dim}: element i moves to (i + shifts) mod n. {@code [1,2,3].roll(1, 0)} =
   * [3,1,2].
   */
  public Tensor roll(int shifts, int dim) {
    return roll(new int[] {shifts}, new int[] {dim});
  }

  /** Rolls along each of {@code dims} by its shift; with no dims, rolls the flattened tensor. */
  public Tensor roll(int[] shifts, int[] dims) {
    return ShapeOps.roll(self(), shifts, dims);
  }

  /**
   * Tiles the tensor {@code repeats[i]} times along dimension i (extra leading repeats add
   * dimensions). {@code Tensor.of(1, 2).repeat(2, 2) // [[1,2,1,2],[1,2,1,2]]}
   */
  public Tensor repeat(int... repeats) {
    return ShapeOps.repeat(self(), repeats);
  }

  /** {@link #repeat}, with ones prepended to {@code dims} when it is shorter than the rank. */
  public Tensor tile(int... dims) {
    return ShapeOps.tile(self(), dims);
  }

  /** Repeats each element {@code repeats} times along {@code dim}: [1, 2] → [1, 1, 2, 2]. */
  public Tensor repeatInterleave(int repeats, int dim) {
    return ShapeOps.repeatInterleave(self(), repeats, dim);
  }

  /** {@link #repeatInterleave(int, int)} of the flattened tensor. */
  public Tensor repeatInterleave(int repeats) {
    return ShapeOps.repeatInterleave(self(), repeats, null);
  }

  /**
   * Repeats slice {@code i} along {@code dim} {@code repeats[i]} times (PyTorch's {@code
   * repeat_interleave} with a tensor of counts); {@code repeats} is an int64 tensor with one count
   * per slice, or a single count for all. Differentiable: the gradient sums the copies.
   *
   * <pre>{@code
   * Tensor.of(new double[][] {{1, 2}, {3, 4}}).repeatInterleave(Tensor.ofLongs(new long[] {1, 2}), 0);
   * // [[1, 2], [3, 4], [3, 4]]
   * }</pre>
   *
   * @throws IllegalArgumentException if repeats is not int64, has another number of counts than the
   *     dimension has slices, or holds a negative count
   */
  public Tensor repeatInterleave(Tensor repeats, int dim) {
    return ShapeOps.repeatInterleave(self(), repeats, dim);
  }

  /** {@link #repeatInterleave(Tensor, int)} of the flattened tensor. */
  public Tensor repeatInterleave(Tensor repeats) {
    return ShapeOps.repeatInterleave(self(), repeats, null);
  }

  /** Views of {@code size} elements along {@code dim}; the last one is smaller if need be. */
  public Tensor[] split(int size, int dim) {
    return ShapeOps.split(self(), size, dim);
  }

  /** Views of the given sizes along {@code dim} (they must add up to its size). */
  public Tensor[] split(int[] sizes, int dim) {
    return ShapeOps.split(self(), sizes, dim);
  }

  /**
   * At most {@code chunks} views along {@code dim}, each of ceil(n / chunks) elements but the last
   * (PyTorch's rule: 5 elements in 4 chunks give 3 pieces of 2, 2, 1).
   */
  public Tensor[] chunk(int chunks, int dim) {
    return ShapeOps.chunk(self(), chunks, dim);
  }

  /** The slices along {@code dim}, that dimension removed: a [2, 3] tensor unbinds to two [3]. */
  public Tensor[] unbind(int dim) {
    return ShapeOps.unbind(self(), dim);
  }

  /**
   * {@code length} elements from {@code start} along {@code dim} (a view; start may be negative).
   */
  public Tensor narrow(int dim, int start, int length) {
    return ShapeOps.narrow(self(), dim, start, length);
  }

  /**
   * Moves dimension {@code source} to position {@code destination}, the others keep their order.
   */
  public Tensor movedim(int source, int destination) {
    return movedim(new int[] {source}, new int[] {destination});
  }

  /** Moves several dimensions at once (a permute). */
  public Tensor movedim(int[] source, int[] destination) {
    return ShapeOps.movedim(self(), source, destination);
  }

  /** {@code diag(0)}. */
  public Tensor diag() {
    return diag(0);
  }

  /**
   * A 1-d tensor to a square matrix with it on diagonal {@code offset} (above the main one if
   * positive); a matrix to its diagonal {@code offset}. {@code Tensor.of(1, 2).diag() //
   * [[1,0],[0,2]]}
   */
  public Tensor diag(int offset) {
    return ShapeOps.diag(self(), offset);
  }

  /** {@code diagonal(0, 0, 1)}. */
  public Tensor diagonal() {
    return diagonal(0, 0, 1);
  }

  /**
   * The diagonal {@code offset} of the matrices in dimensions {@code dim1}, {@code dim2}, as a last
   * dimension (a copy; its gradient fills the diagonal).
   */
  public Tensor diagonal(int offset, int dim1, int dim2) {
    return ShapeOps.diagonal(self(), offset, dim1, dim2);
  }

  /** {@code diagEmbed(0, -2, -1)}: each last-dimension vector to a diagonal matrix. */
  public Tensor diagEmbed() {
    return diagEmbed(0, -2, -1);
  }

  /** The last dimension as diagonal {@code offset} of new dimensions {@code dim1}, {@code dim2}. */
  public Tensor diagEmbed(int offset, int dim1, int dim2) {
    return ShapeOps.diagEmbed(self(), offset, dim1, dim2);
  }

  /** {@code triu(0)}. */
  public Tensor triu() {
    return triu(0);
  }

  /** The upper triangle from diagonal {@code k} of the last two dimensions; zeros below. */
  public Tensor triu(int k) {
    return ShapeOps.triangle(self(), k, true);
  }

  /** {@code tril(0)}. */
  public Tensor tril() {
    return tril(0);
  }

  /** The lower triangle up to diagonal {@code k} of the last two dimensions; zeros above. */
  public Tensor tril(int k) {
    return ShapeOps.triangle(self(), k, false);
  }

  /** Outer product of two 1-d tensors: out[i][j] = this[i] · other[j]. */
  public Tensor outer(Tensor other) {
    return ShapeOps.outer(self(), other);
  }

  /** Kronecker product: each element of this scales a copy of {@code other} (ranks padded). */
  public Tensor kron(Tensor other) {
    return ShapeOps.kron(self(), other);
  }

  /**
   * The flattened tensor indexed by an int64 tensor of any shape (negative counts from the end).
   */
  public Tensor take(Tensor index) {
    return ShapeOps.take(self(), index);
  }

  /** Positions of the non-zero elements as int64 [count, rank], row-major order; no gradient. */
  public Tensor nonzero() {
    return ShapeOps.nonzero(self());
  }

  /**
   * Contracts the last {@code dims} dimensions of this with the first {@code dims} of {@code
   * other}: {@code a.tensordot(b, 1)} is a matrix product, {@code 0} an outer product.
   */
  public Tensor tensordot(Tensor other, int dims) {
    Tensor x = self();
    Checks.nonNull("tensordot", "other", other);
    if (dims < 0 || dims > x.dim() || dims > other.dim()) {
      throw new IllegalArgumentException(
          "tensordot: cannot contract "
              + dims
              + " dimensions of shapes "
              + Shapes.str(x.shape)
              + " and "
              + Shapes.str(other.shape));
    }
    int[] a = new int[dims];
    int[] b = new int[dims];
    for (int i = 0; i < dims; i++) {
      a[i] = x.dim() - dims + i;
      b[i] = i;
    }
    return ShapeOps.tensordot(x, other, a, b);
  }

  /** Contracts dimensions {@code dimsA} of this with {@code dimsB} of {@code other}, pairwise. */
  public Tensor tensordot(Tensor other, int[] dimsA, int[] dimsB) {
    return ShapeOps.tensordot(self(), other, dimsA, dimsB);
  }
}
