package nabla.kernels;

/** Elementwise functions of two arguments computed by {@link Binary}. */
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
  EQ,
  NE,
  LT,
  LE,
  GT,
  GE;

  /** Whether this op produces a bool result. */
  public boolean isComparison() {
    return ordinal() >= EQ.ordinal();
  }
}
