package nabla.kernels;

/** Elementwise functions of one argument computed by {@link Unary}. */
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
  SIGN
}
