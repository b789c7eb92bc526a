package nabla;

import nabla.kernels.BinaryOp;
import nabla.kernels.UnaryOp;
import nabla.ops.Primitive;
import nabla.ops.Primitives;
import nabla.storage.Shapes;

/**
 * The mathematical half of {@link Tensor}'s API: elementwise arithmetic and functions, comparisons,
 * reductions, softmax, losses and matrix products; {@code Tensor.java} keeps what a tensor is
 * (creation, its view and elements, autograd state, in-place updates, shape and indexing). Like
 * {@code java.lang.AbstractStringBuilder} behind {@code StringBuilder}, this class is
 * package-private and its one subclass is {@code Tensor}: callers see every method here as a public
 * method of {@code Tensor} (javac gives {@code Tensor} a bridge for each, and the Javadoc tool
 * lists them on {@code Tensor}'s page). Static methods stay in {@code Tensor}, where reflection can
 * reach them.
 *
 * <p>Each method is a facade over the engine and the primitives; composite rules live in the
 * classes they name ({@link TypePromotion}, {@link Losses}, {@link LinearAlgebra}, {@link
 * ElementwiseComposites}). The further elementwise functions sit one level up, in {@link
 * TensorFunctions}, and statistics, scans, sorting and selection one more, in {@link
 * TensorReductions}.
 */
abstract sealed class TensorMath extends TensorFunctions permits TensorInPlace {
  TensorMath() {}

  /** This object as the tensor it is (the only subclass). */
  private Tensor self() {
    return (Tensor) this;
  }

  // ---------------------------------------------------------------- elementwise

  private Tensor binary(String op, Primitive p, Tensor other, boolean floatResult) {
    Tensor x = self();
    DType t = TypePromotion.resultType(x, Checks.nonNull(op, "other", other), floatResult);
    return Engine.apply(p, x.to(t), other.to(t));
  }

  private Tensor floating() {
    Tensor x = self();
    return x.dtype().isFloating() ? x : x.to(DType.FLOAT32);
  }

  /**
   * this + other, broadcasting.
   *
   * <pre>{@code Tensor.of(1, 2).add(Tensor.of(3, 4))  // [4., 6.]}</pre>
   */
  public Tensor add(Tensor other) {
    return binary("add", Primitives.add(), other, false);
  }

  /** this + value. */
  public Tensor add(double value) {
    return add(TypePromotion.scalarLike(self(), value));
  }

  /** this - other, broadcasting. */
  public Tensor sub(Tensor other) {
    return binary("sub", Primitives.sub(), other, false);
  }

  /** this - value. */
  public Tensor sub(double value) {
    return sub(TypePromotion.scalarLike(self(), value));
  }

  /** this * other, broadcasting. */
  public Tensor mul(Tensor other) {
    return binary("mul", Primitives.mul(), other, false);
  }

  /** this * value. */
  public Tensor mul(double value) {
    return mul(TypePromotion.scalarLike(self(), value));
  }

  /** this / other, broadcasting (true division: integers give float32). */
  public Tensor div(Tensor other) {
    return binary("div", Primitives.div(), other, true);
  }

  /** this / value. */
  public Tensor div(double value) {
    return div(TypePromotion.scalarLike(self(), value));
  }

  /** this raised to a tensor exponent, broadcasting. */
  public Tensor pow(Tensor exponent) {
    Checks.nonNull("pow", "exponent", exponent);
    if (!TypePromotion.resultType(self(), exponent).isFloating() && exponent.numel() > 0) {
      Tensor e = exponent.dtype() == DType.BOOL ? exponent.to(DType.INT64) : exponent;
      if (e.detach().min().item() < 0) {
        throw new IllegalArgumentException(
            "pow: integers to negative integer powers are not allowed (a "
                + self().dtype()
                + " tensor of shape "
                + Shapes.str(self().shape)
                + " to a "
                + exponent.dtype()
                + " exponent with a negative value); convert to floating point first:"
                + " x.to(DType.FLOAT32).pow(e)");
      }
    }
    return binary("pow", Primitives.pow(), exponent, false);
  }

  /**
   * this raised to a constant power.
   *
   * <pre>{@code x.pow(2)   // x²}</pre>
   */
  public Tensor pow(double exponent) {
    return pow(TypePromotion.scalarLike(self(), exponent));
  }

  /** Elementwise maximum; at ties the gradient is split evenly. */
  public Tensor maximum(Tensor other) {
    return binary("maximum", Primitives.maximum(), other, false);
  }

  /** Elementwise minimum; at ties the gradient is split evenly. */
  public Tensor minimum(Tensor other) {
    return binary("minimum", Primitives.minimum(), other, false);
  }

  /** -this. */
  public Tensor neg() {
    return Engine.apply(Primitives.unary(UnaryOp.NEG), self());
  }

  /** 1 / this. */
  public Tensor reciprocal() {
    Tensor x = floating();
    return x.fullLike(1).div(x);
  }

  /** e^this. */
  public Tensor exp() {
    return Engine.apply(Primitives.unary(UnaryOp.EXP), floating());
  }

  /**
   * log(1 + this), accurate where this is small (where {@code add(1).log()} loses the digits of x).
   *
   * <pre>{@code Tensor.of(1e-10f).log1p()  // tensor([1.0000e-10])}</pre>
   */
  public Tensor log1p() {
    return Engine.apply(Primitives.unary(UnaryOp.LOG1P), floating());
  }

  /**
   * e^this - 1, accurate where this is small (where {@code exp().sub(1)} loses the digits of x).
   *
   * <pre>{@code Tensor.of(1e-10f).expm1()  // tensor([1.0000e-10])}</pre>
   */
  public Tensor expm1() {
    return Engine.apply(Primitives.unary(UnaryOp.EXPM1), floating());
  }

  /** Natural logarithm. */
  public Tensor log() {
    return Engine.apply(Primitives.unary(UnaryOp.LOG), floating());
  }

  /** Sine. */
  public Tensor sin() {
    return Engine.apply(Primitives.unary(UnaryOp.SIN), floating());
  }

  /** Cosine. */
  public Tensor cos() {
    return Engine.apply(Primitives.unary(UnaryOp.COS), floating());
  }

  /** Hyperbolic tangent. */
  public Tensor tanh() {
    return Engine.apply(Primitives.unary(UnaryOp.TANH), floating());
  }

  /** Logistic sigmoid 1 / (1 + e^-x), computed stably for large |x|. */
  public Tensor sigmoid() {
    return Engine.apply(Primitives.unary(UnaryOp.SIGMOID), floating());
  }

  /** max(x, 0); its derivative at 0 is 0. */
  public Tensor relu() {
    return Engine.apply(Primitives.unary(UnaryOp.RELU), self());
  }

  /** Square root. */
  public Tensor sqrt() {
    return Engine.apply(Primitives.unary(UnaryOp.SQRT), floating());
  }

  /** Absolute value; its derivative at 0 is 0. */
  public Tensor abs() {
    return Engine.apply(Primitives.unary(UnaryOp.ABS), self());
  }

  /** -1, 0 or 1 by sign; gradient zero everywhere. */
  public Tensor sign() {
    return Engine.apply(Primitives.unary(UnaryOp.SIGN), self());
  }

  /** x², the same as {@code mul(this)}. */
  public Tensor square() {
    return mul(self());
  }

  /** Limits values to [min, max]; the gradient passes where min ≤ x ≤ max (as PyTorch's clamp). */
  public Tensor clamp(double min, double max) {
    if (min > max) {
      throw new IllegalArgumentException("clamp: min " + min + " is greater than max " + max);
    }
    Tensor lo = TypePromotion.scalarLike(self(), min);
    Tensor hi = TypePromotion.scalarLike(self(), max);
    return Tensor.where(lt(lo), lo, Tensor.where(gt(hi), hi, self()));
  }

  /** Elementwise ==, giving bool. */
  public Tensor eq(Tensor other) {
    return binary("eq", Primitives.compare(BinaryOp.EQ), other, false);
  }

  /** Elementwise == value. */
  public Tensor eq(double value) {
    return eq(TypePromotion.scalarLike(self(), value));
  }

  /** Elementwise !=, giving bool. */
  public Tensor ne(Tensor other) {
    return binary("ne", Primitives.compare(BinaryOp.NE), other, false);
  }

  /** Elementwise != value. */
  public Tensor ne(double value) {
    return ne(TypePromotion.scalarLike(self(), value));
  }

  /** Elementwise &lt;, giving bool. */
  public Tensor lt(Tensor other) {
    return binary("lt", Primitives.compare(BinaryOp.LT), other, false);
  }

  /** Elementwise &lt; value. */
  public Tensor lt(double value) {
    return lt(TypePromotion.scalarLike(self(), value));
  }

  /** Elementwise &lt;=, giving bool. */
  public Tensor le(Tensor other) {
    return binary("le", Primitives.compare(BinaryOp.LE), other, false);
  }

  /** Elementwise &lt;= value. */
  public Tensor le(double value) {
    return le(TypePromotion.scalarLike(self(), value));
  }

  /** Elementwise &gt;, giving bool. */
  public Tensor gt(Tensor other) {
    return binary("gt", Primitives.compare(BinaryOp.GT), other, false);
  }

  /** Elementwise &gt; value. */
  public Tensor gt(double value) {
    return gt(TypePromotion.scalarLike(self(), value));
  }

  /** Elementwise &gt;=, giving bool. */
  public Tensor ge(Tensor other) {
    return binary("ge", Primitives.compare(BinaryOp.GE), other, false);
  }

  /** Elementwise &gt;= value. */
  public Tensor ge(double value) {
    return ge(TypePromotion.scalarLike(self(), value));
  }

  /** Elementwise logical and of two bool tensors. */
  public Tensor logicalAnd(Tensor other) {
    return self().to(DType.BOOL).mul(Checks.nonNull("logicalAnd", "other", other).to(DType.BOOL));
  }

  /** Elementwise logical or of two bool tensors. */
  public Tensor logicalOr(Tensor other) {
    return self().to(DType.BOOL).add(Checks.nonNull("logicalOr", "other", other).to(DType.BOOL));
  }

  /** Elementwise logical not. */
  public Tensor logicalNot() {
    return self().to(DType.BOOL).eq(Tensor.full(0, DType.BOOL));
  }

  // ---------------------------------------------------------------- reductions

  /** Sum of all elements (0-d). */
  public Tensor sum() {
    return sum(null, false);
  }

  /** Sum along one axis. */
  public Tensor sum(int axis, boolean keepDim) {
    return sum(new int[] {axis}, keepDim);
  }

  /** Sum along several axes (null: all). Integers and bools sum to int64. */
  public Tensor sum(int[] axes, boolean keepDim) {
    Tensor x = self().dtype() == DType.BOOL ? self().to(DType.INT64) : self();
    return Engine.apply(Primitives.sum(Shapes.axes("sum", axes, x.dim()), keepDim), x);
  }

  /** Mean of all elements. */
  public Tensor mean() {
    return mean(null, false);
  }

  /** Mean along one axis. */
  public Tensor mean(int axis, boolean keepDim) {
    return mean(new int[] {axis}, keepDim);
  }

  /** Mean along several axes (null: all). */
  public Tensor mean(int[] axes, boolean keepDim) {
    int[] ax = Shapes.axes("mean", axes, self().dim());
    long count = 1;
    for (int a : ax) {
      count *= self().shape[a];
    }
    return floating().sum(ax, keepDim).div((double) count);
  }

  /** Sum over the given axes without keeping them ({@code x.sum(0, 2)}); none: all. */
  public Tensor sum(int... axes) {
    return sum(Statistics.axes("sum", self(), axes), false);
  }

  /** Mean over the given axes without keeping them ({@code x.mean(1)}); none: all. */
  public Tensor mean(int... axes) {
    return mean(Statistics.axes("mean", self(), axes), false);
  }

  /** Largest element (0-d); the gradient is shared evenly among ties. */
  public Tensor max() {
    return Engine.apply(Primitives.max(Shapes.axes("max", null, self().dim()), false), self());
  }

  /** Largest values along an axis. */
  public Tensor max(int axis, boolean keepDim) {
    return Engine.apply(
        Primitives.max(Shapes.axes("max", new int[] {axis}, self().dim()), keepDim), self());
  }

  /** Smallest element (0-d). */
  public Tensor min() {
    return Engine.apply(Primitives.min(Shapes.axes("min", null, self().dim()), false), self());
  }

  /** Smallest values along an axis. */
  public Tensor min(int axis, boolean keepDim) {
    return Engine.apply(
        Primitives.min(Shapes.axes("min", new int[] {axis}, self().dim()), keepDim), self());
  }

  /** Index of the largest element in row-major order (0-d int64). */
  public Tensor argmax() {
    return self().reshape(-1).argmax(0, false);
  }

  /** Indices of the largest values along an axis (int64). */
  public Tensor argmax(int axis, boolean keepDim) {
    return Engine.apply(
        Primitives.argmax(Shapes.axis("argmax", axis, self().dim()), keepDim, true), self());
  }

  /** Index of the smallest element in row-major order (0-d int64). */
  public Tensor argmin() {
    return self().reshape(-1).argmin(0, false);
  }

  /** Indices of the smallest values along an axis (int64). */
  public Tensor argmin(int axis, boolean keepDim) {
    return Engine.apply(
        Primitives.argmax(Shapes.axis("argmin", axis, self().dim()), keepDim, false), self());
  }

  /** Euclidean (L2) norm of all elements; its gradient at 0 is 0. */
  public Tensor norm() {
    return norm(2, null, false);
  }

  /** p-norm of all elements. */
  public Tensor norm(double p) {
    return norm(p, null, false);
  }

  /**
   * p-norm along axes (null: all), as PyTorch's vector norms: p ≥ 1 (the gradient at a zero norm is
   * 0), p = ∞ (largest |x|) and −∞ (smallest), p = 0 (the count of non-zero elements, no gradient)
   * and other p < 1 ((Σ|x|^p)^(1/p), not a norm).
   */
  public Tensor norm(double p, int[] axes, boolean keepDim) {
    int[] ax = Shapes.axes("norm", axes, self().dim());
    Tensor x = floating();
    if (p == Double.POSITIVE_INFINITY || p == Double.NEGATIVE_INFINITY) {
      Tensor a = x.abs();
      return p > 0 ? a.amax(ax, keepDim) : a.amin(ax, keepDim);
    }
    if (p == 0) {
      return x.ne(0).to(x.dtype()).sum(ax, keepDim);
    }
    if (Double.isNaN(p)) {
      throw new IllegalArgumentException(
          "norm: p is NaN; use a number: 2 (Euclidean), 1, Double.POSITIVE_INFINITY (largest |x|),"
              + " 0 (count of non-zeros) or any other");
    }
    if (p < 1) {
      return x.abs().pow(p).sum(ax, keepDim).pow(1 / p);
    }
    return Engine.apply(Primitives.norm(p, ax, keepDim), x);
  }

  /**
   * The Frobenius norm (p = "fro", the 2-norm of all elements of the last two dimensions) or the
   * nuclear norm (p = "nuc", the sum of the singular values) of a matrix or a batch of matrices.
   */
  public Tensor matrixNorm(String p) {
    Checks.nonNull("matrixNorm", "p", p);
    Tensor x = self();
    if (x.dim() < 2) {
      throw new IllegalArgumentException(
          "matrixNorm: needs a matrix (or a batch of them), got shape " + Shapes.str(x.shape));
    }
    int[] last = {x.dim() - 2, x.dim() - 1};
    return switch (p) {
      case "fro" -> x.norm(2, last, false);
      case "nuc" ->
          nabla.linalg.Linalg.svd(x.to(x.dtype().isFloating() ? x.dtype() : DType.FLOAT32))
              .s()
              .sum(-1);
      default ->
          throw new IllegalArgumentException(
              "matrixNorm: p must be \"fro\" or \"nuc\", got \"" + p + "\"");
    };
  }

  /** log(sum(exp(x))) along axes, computed without overflow. */
  public Tensor logsumexp(int[] axes, boolean keepDim) {
    Tensor x = floating();
    int[] ax = Shapes.axes("logsumexp", axes, self().dim());
    Tensor m = stableShift(x, ax);
    Tensor r = x.sub(m).exp().sum(ax, true).log().add(m);
    return keepDim ? r : r.reshape(Shapes.reduced(r.shape, ax, false));
  }

  /**
   * The detached max over axes (keepDim), replaced by 0 where it is infinite or where the axes are
   * empty: subtracting it keeps exp from overflowing and changes no derivative.
   */
  private static Tensor stableShift(Tensor x, int[] ax) {
    int[] kept = Shapes.reduced(x.shape, ax, true);
    if (ax.length == 0 || x.numel() == 0) {
      return Tensor.zeros(x.dtype(), kept);
    }
    Tensor m = Engine.apply(Primitives.max(ax, true), x.detach());
    return Tensor.where(m.abs().eq(Double.POSITIVE_INFINITY), m.zerosLike(), m);
  }

  /** log(sum(exp(x))) along one axis. */
  public Tensor logsumexp(int axis, boolean keepDim) {
    return logsumexp(new int[] {axis}, keepDim);
  }

  /** Softmax along a dimension: exp(x) / sum(exp(x)), computed stably. */
  public Tensor softmax(int dim) {
    Tensor x = floating();
    return Engine.apply(Primitives.logSoftmax(Shapes.axis("softmax", dim, self().dim())), x).exp();
  }

  /**
   * log(softmax(x)) along a dimension: (x - m) - log(sum(exp(x - m))) with m the row maximum,
   * computed stably by one fused primitive (its VJP and JVP are tensor expressions, so it
   * differentiates to any order).
   */
  public Tensor logSoftmax(int dim) {
    Tensor x = floating();
    return Engine.apply(Primitives.logSoftmax(Shapes.axis("logSoftmax", dim, self().dim())), x);
  }

  /**
   * Mean cross-entropy between logits [N, C] and int64 class targets [N] (PyTorch's {@code
   * F.cross_entropy}).
   */
  public Tensor crossEntropy(Tensor target) {
    return Losses.crossEntropy(self(), target);
  }

  /** Mean squared error between this and {@code target}. */
  public Tensor mseLoss(Tensor target) {
    return Losses.mseLoss(self(), target);
  }

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
    double[] a =
        self().expand(Shapes.broadcast("allclose", self().shape, other.shape)).toDoubleArray();
    double[] b =
        other.expand(Shapes.broadcast("allclose", self().shape, other.shape)).toDoubleArray();
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

  // ---------------------------------------------------------------- linear algebra

  /**
   * Inner product of two 1-d tensors of equal length (0-d result).
   *
   * <pre>{@code Tensor.of(1, 2).dot(Tensor.of(3, 4))   // tensor(11.)}</pre>
   */
  public Tensor dot(Tensor other) {
    return LinearAlgebra.dot(self(), other);
  }

  /**
   * Matrix product with NumPy semantics: 1-d operands are promoted to a row (left) or column
   * (right) and the added dimension removed; leading (batch) dimensions broadcast.
   *
   * <pre>{@code Tensor.ones(2, 3).matmul(Tensor.ones(3, 4))   // shape [2, 4], all 3}</pre>
   */
  public Tensor matmul(Tensor other) {
    return LinearAlgebra.matmul(self(), other);
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
