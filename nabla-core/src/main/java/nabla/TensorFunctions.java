package nabla;

import nabla.kernels.UnaryOp;
import nabla.ops.PrimitiveKind;
import nabla.ops.Primitives;

/**
 * Elementwise functions beyond the basic ones (issue #12: logarithms and exponentials in other
 * bases, erf, rounding, inverse trigonometric and hyperbolic functions, activations, atan2,
 * remainder, lerp, classification): part of {@link Tensor}'s API, in a package-private superclass
 * as {@link TensorMath} is, so that no file grows past 800 lines. Each method is a facade over a
 * primitive or a composite in {@link ElementwiseComposites}.
 */
abstract sealed class TensorFunctions extends TensorReductions permits TensorShapes {
  TensorFunctions() {}

  // ------------------------------------------------- more elementwise functions (issue #12)
  // Primitives (a kernel and a row of PrimitiveKind) unless the Javadoc says "composite".

  /** Copies an integer tensor for the rounding functions, which leave integers unchanged. */
  private Tensor rounded(UnaryOp op) {
    Tensor x = self();
    return x.dtype().isInteger() ? x.copy() : Engine.apply(Primitives.unary(op), x);
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
}
