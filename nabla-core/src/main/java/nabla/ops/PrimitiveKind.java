package nabla.ops;

/**
 * The closed set of primitives. Every differentiable operation of Nabla is one of these or a
 * composition of them; the test suite fails when an entry has no test specification.
 */
public enum PrimitiveKind {
  // elementwise, one input
  NEG("Neg"),
  EXP("Exp"),
  LOG("Log"),
  SIN("Sin"),
  COS("Cos"),
  TANH("Tanh"),
  SQRT("Sqrt"),
  ABS("Abs"),
  RELU("Relu"),
  SIGMOID("Sigmoid"),
  SIGN("Sign"),
  // elementwise, two or three inputs, broadcasting
  ADD("Add"),
  SUB("Sub"),
  MUL("Mul"),
  DIV("Div"),
  POW("Pow"),
  MAXIMUM("Maximum"),
  MINIMUM("Minimum"),
  COMPARE("Compare"),
  WHERE("Where"),
  // reductions
  SUM("Sum"),
  MAX("Max"),
  MIN("Min"),
  ARGMAX("Argmax"),
  ARGMIN("Argmin"),
  NORM("Norm"),
  LOG_SOFTMAX("LogSoftmax"),
  // shape and indexing
  RESHAPE("Reshape"),
  EXPAND("Expand"),
  PERMUTE("Permute"),
  SLICE("Slice"),
  PAD("Pad"),
  CAT("Cat"),
  GATHER("Gather"),
  SCATTER_ADD("ScatterAdd"),
  CONTIGUOUS("Contiguous"),
  CAST("Cast"),
  // linear algebra
  MATMUL("Matmul"),
  // user-defined functions (nabla.CustomFunction), first-class like the others
  CUSTOM("Custom");

  private final String displayName;

  PrimitiveKind(String displayName) {
    this.displayName = displayName;
  }

  /** CamelCase name used in gradient function names, e.g. {@code Mul}. */
  public String displayName() {
    return displayName;
  }
}
