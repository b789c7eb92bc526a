package nabla.kernels;

import java.util.function.DoubleUnaryOperator;

/**
 * Elementwise functions of one argument computed by {@link Unary}.
 *
 * <p>The ops up to {@link #SILU} have hand-written loops (and most a Vector API path) in the
 * kernels. An op declared with a function, as in {@code LOG1P(Math::log1p)}, needs nothing else:
 * the scalar kernels apply that function element by element (float32 values computed in double and
 * rounded once). A dedicated loop or a vector path can be added later where speed matters.
 */
public enum UnaryOp {
  NEG,
  EXP,
  LOG,
  SIN,
  COS,
  TANH,
  SQRT,
  ABS,
  /** max(x, 0); relu(0) = 0. */
  RELU,
  /** 1 / (1 + e^-x), computed without overflow for large |x|. */
  SIGMOID,
  /** -1, 0 or 1 (0 for ±0; NaN stays NaN). */
  SIGN,
  /** x · sigmoid(x) (SiLU, swish), without overflow for large |x|. */
  SILU,
  /** log(1 + x), accurate for small |x|. */
  LOG1P(Math::log1p),
  /** e^x - 1, accurate for small |x|. */
  EXPM1(Math::expm1),
  /** log₂ x, exact at powers of two. */
  LOG2(MathFunctions::log2),
  LOG10(Math::log10),
  /** 2^x. */
  EXP2(x -> Math.pow(2, x)),
  /** The error function. */
  ERF(MathFunctions::erf),
  /** The complementary error function 1 - erf(x), accurate where it is tiny. */
  ERFC(MathFunctions::erfc),
  /** 1 / √x. */
  RSQRT(x -> 1 / Math.sqrt(x)),
  FLOOR(Math::floor),
  CEIL(Math::ceil),
  /** Round half to even (IEEE's default, as PyTorch's round). */
  ROUND(Math::rint),
  /** Rounds toward zero, keeping the sign of a zero result. */
  TRUNC(x -> x < 0 ? Math.ceil(x) : Math.floor(x)),
  TAN(Math::tan),
  ASIN(Math::asin),
  ACOS(Math::acos),
  ATAN(Math::atan),
  SINH(Math::sinh),
  COSH(Math::cosh),
  ASINH(MathFunctions::asinh),
  ACOSH(MathFunctions::acosh),
  ATANH(MathFunctions::atanh);

  private final DoubleUnaryOperator function;

  UnaryOp() {
    this(null);
  }

  UnaryOp(DoubleUnaryOperator function) {
    this.function = function;
  }

  /** Whether the op is declared with its function (and applied through it by the kernels). */
  boolean hasFunction() {
    return function != null;
  }

  /** The op on one value, for an op declared with a function (see the class comment). */
  double apply(double x) {
    return function.applyAsDouble(x);
  }
}
