package nabla;

import nabla.kernels.BinaryOp;
import nabla.kernels.UnaryOp;
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
 * ElementwiseComposites}). Indexing, shape functions, value comparisons and sampling sit one level
 * up, in {@link TensorShapes}; the further elementwise functions in {@link TensorFunctions};
 * statistics, scans, sorting and selection in {@link TensorReductions}.
 */
abstract sealed class TensorMath extends TensorShapes permits TensorInPlace {
  TensorMath() {}

  // ---------------------------------------------------------------- elementwise

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
}
