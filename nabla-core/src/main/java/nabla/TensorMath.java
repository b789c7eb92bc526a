package nabla;

import nabla.kernels.BinaryOp;
import nabla.kernels.UnaryOp;
import nabla.ops.Primitive;
import nabla.ops.PrimitiveKind;
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
 * ElementwiseComposites}).
 */
abstract sealed class TensorMath permits TensorInPlace {
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

  // ------------------------------------------------- more elementwise functions (issue #12)
  // Primitives (a kernel and a row of PrimitiveKind) unless the Javadoc says "composite".

  /** Copies an integer tensor for the rounding functions, which leave integers unchanged. */
  private Tensor rounded(UnaryOp op) {
    Tensor x = self();
    return x.dtype() == DType.INT64 ? x.copy() : Engine.apply(Primitives.unary(op), x);
  }

  /**
   * Base-2 logarithm, exact at powers of two.
   *
   * <pre>{@code Tensor.of(8, 0.5f).log2()  // [3., -1.]}</pre>
   */
  public Tensor log2() {
    return Engine.apply(Primitives.unary(UnaryOp.LOG2), floating());
  }

  /**
   * Base-10 logarithm.
   *
   * <pre>{@code Tensor.of(1000).log10()  // [3.]}</pre>
   */
  public Tensor log10() {
    return Engine.apply(Primitives.unary(UnaryOp.LOG10), floating());
  }

  /**
   * 2^this.
   *
   * <pre>{@code Tensor.of(3, -1).exp2()  // [8., 0.5]}</pre>
   */
  public Tensor exp2() {
    return Engine.apply(Primitives.unary(UnaryOp.EXP2), floating());
  }

  /**
   * The error function erf(x) = 2/√π ∫₀ˣ e^(-t²) dt, to about one ulp in float64; its derivative is
   * 2/√π · e^(-x²).
   *
   * <pre>{@code Tensor.of(0, 1).erf()  // [0., 0.8427]}</pre>
   */
  public Tensor erf() {
    return Engine.apply(Primitives.unary(UnaryOp.ERF), floating());
  }

  /**
   * The complementary error function 1 - erf(x), accurate where it is tiny (where {@code
   * erf().neg().add(1)} would give 0).
   *
   * <pre>{@code Tensor.ofDoubles(new double[] {10}, 1).erfc()  // [2.0885e-45]}</pre>
   */
  public Tensor erfc() {
    return Engine.apply(Primitives.unary(UnaryOp.ERFC), floating());
  }

  /**
   * 1 / √this.
   *
   * <pre>{@code Tensor.of(4).rsqrt()  // [0.5]}</pre>
   */
  public Tensor rsqrt() {
    return Engine.apply(Primitives.unary(UnaryOp.RSQRT), floating());
  }

  /**
   * Largest integer ≤ x; gradient 0 everywhere (PyTorch's convention, also at the jumps). Integer
   * tensors are returned unchanged (as a copy).
   *
   * <pre>{@code Tensor.of(-1.5f, 1.5f).floor()  // [-2., 1.]}</pre>
   */
  public Tensor floor() {
    return rounded(UnaryOp.FLOOR);
  }

  /**
   * Smallest integer ≥ x; gradient 0.
   *
   * <pre>{@code Tensor.of(-1.5f, 1.5f).ceil()  // [-1., 2.]}</pre>
   */
  public Tensor ceil() {
    return rounded(UnaryOp.CEIL);
  }

  /**
   * Nearest integer, halves to even (as PyTorch, and IEEE's default); gradient 0.
   *
   * <pre>{@code Tensor.of(0.5f, 1.5f, 2.5f, -0.5f).round()  // [0., 2., 2., -0.]}</pre>
   */
  public Tensor round() {
    return rounded(UnaryOp.ROUND);
  }

  /**
   * Rounds toward zero; gradient 0.
   *
   * <pre>{@code Tensor.of(-1.7f, 1.7f).trunc()  // [-1., 1.]}</pre>
   */
  public Tensor trunc() {
    return rounded(UnaryOp.TRUNC);
  }

  /**
   * The fractional part x - trunc(x), with the sign of x; gradient 1. Composite.
   *
   * <pre>{@code Tensor.of(-1.25f, 2.5f).frac()  // [-0.25, 0.5]}</pre>
   */
  public Tensor frac() {
    return self().sub(trunc());
  }

  /**
   * The remainder of this / other with the sign of {@code other} (Python's {@code %}, PyTorch's
   * {@code remainder}): a - b·floor(a/b), broadcasting. Gradients: 1 for this, -floor(a/b) for
   * other.
   *
   * <pre>{@code Tensor.of(5, -5).remainder(Tensor.of(3))  // [2., 1.]}</pre>
   */
  public Tensor remainder(Tensor other) {
    return binary("remainder", Primitives.elementwise(PrimitiveKind.REMAINDER), other, false);
  }

  /** {@link #remainder(Tensor)} by a constant. */
  public Tensor remainder(double other) {
    return remainder(TypePromotion.scalarLike(self(), other));
  }

  /**
   * The remainder of this / other with the sign of this (C's {@code fmod}): a - b·trunc(a/b),
   * broadcasting. Gradients: 1 for this, -trunc(a/b) for other.
   *
   * <pre>{@code Tensor.of(5, -5).fmod(Tensor.of(3))  // [2., -2.]}</pre>
   */
  public Tensor fmod(Tensor other) {
    return binary("fmod", Primitives.elementwise(PrimitiveKind.FMOD), other, false);
  }

  /** {@link #fmod(Tensor)} by a constant. */
  public Tensor fmod(double other) {
    return fmod(TypePromotion.scalarLike(self(), other));
  }

  /**
   * The angle of the point (other, this) in [-π, π], broadcasting; integers give float32. The
   * gradient at (0, 0) is NaN (as PyTorch).
   *
   * <pre>{@code Tensor.of(1).atan2(Tensor.of(-1))  // [2.3562]  (3π/4)}</pre>
   */
  public Tensor atan2(Tensor other) {
    return binary("atan2", Primitives.elementwise(PrimitiveKind.ATAN2), other, true);
  }

  /** Tangent; derivative 1 + tan². */
  public Tensor tan() {
    return Engine.apply(Primitives.unary(UnaryOp.TAN), floating());
  }

  /**
   * Inverse sine on [-1, 1] (NaN outside); derivative (1 - x²)^-½.
   *
   * <pre>{@code Tensor.of(1).asin()  // [1.5708]}</pre>
   */
  public Tensor asin() {
    return Engine.apply(Primitives.unary(UnaryOp.ASIN), floating());
  }

  /** Inverse cosine on [-1, 1] (NaN outside); derivative -(1 - x²)^-½. */
  public Tensor acos() {
    return Engine.apply(Primitives.unary(UnaryOp.ACOS), floating());
  }

  /** Inverse tangent; derivative 1 / (1 + x²). */
  public Tensor atan() {
    return Engine.apply(Primitives.unary(UnaryOp.ATAN), floating());
  }

  /** Hyperbolic sine. */
  public Tensor sinh() {
    return Engine.apply(Primitives.unary(UnaryOp.SINH), floating());
  }

  /** Hyperbolic cosine. */
  public Tensor cosh() {
    return Engine.apply(Primitives.unary(UnaryOp.COSH), floating());
  }

  /**
   * Inverse hyperbolic sine, accurate near 0 and without overflow for large |x|.
   *
   * <pre>{@code Tensor.ofDoubles(new double[] {1e-20, 1e300}, 2).asinh()  // [1e-20, 691.4686]}
   * </pre>
   */
  public Tensor asinh() {
    return Engine.apply(Primitives.unary(UnaryOp.ASINH), floating());
  }

  /** Inverse hyperbolic cosine on [1, ∞) (NaN below 1); derivative (x² - 1)^-½. */
  public Tensor acosh() {
    return Engine.apply(Primitives.unary(UnaryOp.ACOSH), floating());
  }

  /**
   * Inverse hyperbolic tangent on [-1, 1] (±∞ at ±1, NaN outside); derivative 1 / (1 - x²).
   *
   * <pre>{@code Tensor.of(0.5f).atanh()  // [0.5493]}</pre>
   */
  public Tensor atanh() {
    return Engine.apply(Primitives.unary(UnaryOp.ATANH), floating());
  }

  /**
   * PyTorch's {@code softplus} with beta = 1 and threshold = 20: log(1 + e^x), and x itself where x
   * &gt; 20. Composite (see {@link #softplus(double, double)}).
   *
   * <pre>{@code Tensor.of(0).softplus()  // [0.6931]}</pre>
   */
  public Tensor softplus() {
    return softplus(1, 20);
  }

  /**
   * log(1 + e^(beta·x)) / beta, and x itself where beta·x &gt; threshold (PyTorch's {@code
   * softplus}). Composite of exp, log1p and where; exp only sees values up to the threshold, so
   * neither the value nor the gradient overflows.
   */
  public Tensor softplus(double beta, double threshold) {
    return ElementwiseComposites.softplus(floating(), beta, threshold);
  }

  /**
   * log(sigmoid(x)), computed as min(x, 0) - log(1 + e^-|x|) (PyTorch's formula: no overflow, no
   * cancellation); derivative sigmoid(-x), exactly ½ at 0. Composite.
   *
   * <pre>{@code Tensor.of(0, -100).logSigmoid()  // [-0.6931, -100.]}</pre>
   */
  public Tensor logSigmoid() {
    return ElementwiseComposites.logSigmoid(floating());
  }

  /**
   * The exact GELU x·Φ(x), Φ the standard normal distribution function (PyTorch's {@code gelu},
   * approximate "none"). Composite: x · erfc(-x/√2) / 2, which keeps its digits for negative x
   * (where 1 + erf would cancel).
   *
   * <pre>{@code Tensor.of(1).gelu()  // [0.8413]}</pre>
   */
  public Tensor gelu() {
    return gelu("none");
  }

  /**
   * GELU, exact ({@code "none"}) or with PyTorch's tanh approximation ({@code "tanh"}): x/2 · (1 +
   * tanh(√(2/π)·(x + 0.044715·x³))), computed as x · sigmoid(2·√(2/π)·(x + 0.044715·x³)) (the same
   * function, without the cancellation of 1 + tanh). Composite.
   *
   * <pre>{@code Tensor.of(1).gelu("tanh")  // [0.8412]}</pre>
   *
   * @throws IllegalArgumentException for another {@code approximate}
   */
  public Tensor gelu(String approximate) {
    return ElementwiseComposites.gelu(floating(), approximate);
  }

  /**
   * SiLU (swish) x · sigmoid(x), one primitive with a vector kernel (a hot activation); derivative
   * σ(x)·(1 + x·(1 - σ(x))).
   *
   * <pre>{@code Tensor.of(1).silu()  // [0.7311]}</pre>
   */
  public Tensor silu() {
    return Engine.apply(Primitives.unary(UnaryOp.SILU), floating());
  }

  /** {@link #leakyRelu(double)} with PyTorch's default slope 0.01. */
  public Tensor leakyRelu() {
    return leakyRelu(0.01);
  }

  /**
   * x where x &gt; 0, slope·x elsewhere; the derivative at 0 is the slope (as PyTorch). Composite.
   *
   * <pre>{@code Tensor.of(-2, 3).leakyRelu(0.1)  // [-0.2, 3.]}</pre>
   */
  public Tensor leakyRelu(double slope) {
    return ElementwiseComposites.leakyRelu(floating(), slope);
  }

  /** {@link #elu(double)} with alpha = 1. */
  public Tensor elu() {
    return elu(1);
  }

  /**
   * x where x &gt; 0, alpha·(e^x - 1) elsewhere; the derivative at 0 is alpha (as PyTorch).
   * Composite of expm1 and where; expm1 only sees x ≤ 0, so large x do not overflow its gradient.
   *
   * <pre>{@code Tensor.of(-1, 2).elu()  // [-0.6321, 2.]}</pre>
   */
  public Tensor elu(double alpha) {
    return ElementwiseComposites.elu(floating(), alpha);
  }

  /** {@link #hardtanh(double, double)} on [-1, 1]. */
  public Tensor hardtanh() {
    return hardtanh(-1, 1);
  }

  /**
   * Limits values to [min, max] like {@link #clamp}, but, as PyTorch's {@code hardtanh}, the
   * gradient passes only strictly inside (min &lt; x &lt; max): 0 at the bounds. Composite.
   *
   * <pre>{@code Tensor.of(-3, 0.5f, 3).hardtanh()  // [-1., 0.5, 1.]}</pre>
   *
   * @throws IllegalArgumentException if min &gt; max
   */
  public Tensor hardtanh(double min, double max) {
    return ElementwiseComposites.hardtanh(floating(), min, max);
  }

  /**
   * Where elements are NaN (bool, no gradient); integer and bool tensors have none.
   *
   * <pre>{@code Tensor.of(1, Float.NaN).isnan()  // [false, true]}</pre>
   */
  public Tensor isnan() {
    Tensor x = self().detach();
    return x.dtype().isFloating() ? x.ne(x) : Tensor.zeros(DType.BOOL, x.shape);
  }

  /** Where elements are +∞ or -∞ (bool, no gradient). */
  public Tensor isinf() {
    Tensor x = self().detach();
    return x.dtype().isFloating()
        ? x.abs().eq(Double.POSITIVE_INFINITY)
        : Tensor.zeros(DType.BOOL, x.shape);
  }

  /** Where elements are neither NaN nor infinite (bool, no gradient). */
  public Tensor isfinite() {
    Tensor x = self().detach();
    return x.dtype().isFloating()
        ? x.abs().lt(Double.POSITIVE_INFINITY)
        : Tensor.full(1, DType.BOOL, x.shape);
  }

  /**
   * PyTorch's {@code nan_to_num} with its defaults: NaN becomes 0, +∞ the largest finite value of
   * the dtype and -∞ the most negative one.
   *
   * <pre>{@code Tensor.of(Float.NaN, Float.POSITIVE_INFINITY).nanToNum()  // [0., 3.4028e+38]}
   * </pre>
   */
  public Tensor nanToNum() {
    return nanToNum(0);
  }

  /**
   * NaN replaced by {@code nan}, ±∞ by the dtype's extremes (PyTorch's {@code nan_to_num(nan)}).
   */
  public Tensor nanToNum(double nan) {
    double big = self().dtype() == DType.FLOAT32 ? Float.MAX_VALUE : Double.MAX_VALUE;
    return nanToNum(nan, big, -big);
  }

  /**
   * NaN, +∞ and -∞ replaced by the given values (rounded to the dtype); the gradient passes where
   * the element is finite and is 0 where it was replaced (as PyTorch). Integer and bool tensors are
   * returned unchanged (as a copy). Composite (one where).
   */
  public Tensor nanToNum(double nan, double posinf, double neginf) {
    return ElementwiseComposites.nanToNum(self(), nan, posinf, neginf);
  }

  /**
   * Linear interpolation this + weight·(end - this), broadcasting, in PyTorch's form: for |weight|
   * ≥ ½ it is computed as end - (end - this)·(1 - weight), so that weight = 1 gives end exactly.
   * Gradients: 1 - weight, weight, end - this. Composite.
   *
   * <pre>{@code Tensor.of(0, 10).lerp(Tensor.of(10, 20), Tensor.of(0.5f))  // [5., 15.]}</pre>
   */
  public Tensor lerp(Tensor end, Tensor weight) {
    return ElementwiseComposites.lerp(self(), end, weight);
  }

  /** {@link #lerp(Tensor, Tensor)} with a constant weight. */
  public Tensor lerp(Tensor end, double weight) {
    return ElementwiseComposites.lerp(self(), end, weight);
  }

  /** Elementwise logical exclusive or (values converted to bool: nonzero is true). */
  public Tensor logicalXor(Tensor other) {
    return self().to(DType.BOOL).ne(Checks.nonNull("logicalXor", "other", other).to(DType.BOOL));
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

  /** p-norm along axes (null: all), p ≥ 1; the gradient at a zero norm is 0. */
  public Tensor norm(double p, int[] axes, boolean keepDim) {
    return Engine.apply(
        Primitives.norm(p, Shapes.axes("norm", axes, self().dim()), keepDim), floating());
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
