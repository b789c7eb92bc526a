package nabla.kernels;

import java.util.function.DoubleBinaryOperator;

/**
 * Elementwise functions of two arguments computed by {@link Binary}.
 *
 * <p>The ops up to {@link #MIN} and the comparisons have hand-written loops in the kernels. An op
 * declared with a function, as in {@code ATAN2(Math::atan2)}, needs nothing else for floating
 * point: the scalar kernels apply that function element by element (float32 values computed in
 * double and rounded once); an int64 case goes in {@code Binary.rowL} if the op is defined for
 * integers.
 */
public enum BinaryOp {
  ADD,
  SUB,
  MUL,
  DIV,
  POW,
  /** Larger of the two; NaN if either is NaN. */
  MAX,
  /** Smaller of the two; NaN if either is NaN. */
  MIN,
  /** atan2(a, b): the angle of the point (b, a), in [-π, π]. */
  ATAN2(Math::atan2),
  /** a - b·floor(a/b): the remainder with the sign of b (Python's %). */
  REMAINDER(MathFunctions::remainder),
  /** a - b·trunc(a/b): the remainder with the sign of a (C's fmod). */
  FMOD(MathFunctions::fmod),
  // the comparisons come last (isComparison)
  EQ,
  NE,
  LT,
  LE,
  GT,
  GE;

  private final DoubleBinaryOperator function;

  BinaryOp() {
    this(null);
  }

  BinaryOp(DoubleBinaryOperator function) {
    this.function = function;
  }

  /** Whether this op produces a bool result. */
  public boolean isComparison() {
    return ordinal() >= EQ.ordinal();
  }

  /** Whether the op is declared with its function (and applied through it by the kernels). */
  boolean hasFunction() {
    return function != null;
  }

  /** The op on two values, for an op declared with a function (see the class comment). */
  double apply(double a, double b) {
    return function.applyAsDouble(a, b);
  }
}
