package nabla.ops;

import static nabla.ops.PrimitiveKind.Reads.BOTH;
import static nabla.ops.PrimitiveKind.Reads.INPUT;
import static nabla.ops.PrimitiveKind.Reads.NOTHING;
import static nabla.ops.PrimitiveKind.Reads.OUTPUT;

import nabla.Tensor;
import nabla.kernels.BinaryOp;
import nabla.kernels.UnaryOp;

/**
 * The closed set of primitives, one row each. Every differentiable operation of Nabla is one of
 * these or a composition of them; the test suite fails when an entry has no test specification.
 *
 * <p>A row says what kind of operation the primitive is, through the helper that builds it:
 *
 * <ul>
 *   <li>{@code unary(kernel, reads, partial)} and {@code binary(kernel, reads, partialA,
 *       partialB)}: an elementwise primitive is its kernel plus one partial per input, {@code seed
 *       · ∂y/∂input}, used for both the VJP (seed = the output's gradient) and the JVP (seed = that
 *       input's tangent, summed over the inputs). Nothing else is written for it.
 *   <li>{@code linear(...)}: a linear primitive saves nothing, and its JVP is the primitive itself
 *       applied to the tangents (the engine does that); only its VJP, the transposed map, is
 *       written (in {@code Movement} and {@code Reductions}), or it comes from the partials if it
 *       is also elementwise.
 *   <li>{@code rules(reads)}: a primitive with its own VJP and JVP, written in its class.
 * </ul>
 *
 * <p>{@code reads} names what the rules read besides shapes: the input values, the output value,
 * both or nothing; only those are checked against later in-place writes.
 */
public enum PrimitiveKind {
  // elementwise, one input: the kernel, then seed · f'(x) given the input x and the output y
  NEG(linear(UnaryOp.NEG, (s, x, y) -> s.neg())),
  EXP(unary(UnaryOp.EXP, OUTPUT, (s, x, y) -> s.mul(y))),
  LOG(unary(UnaryOp.LOG, INPUT, (s, x, y) -> s.div(x))),
  SIN(unary(UnaryOp.SIN, INPUT, (s, x, y) -> s.mul(x.cos()))),
  COS(unary(UnaryOp.COS, INPUT, (s, x, y) -> s.mul(x.sin()).neg())),
  TANH(unary(UnaryOp.TANH, OUTPUT, (s, x, y) -> s.mul(y.mul(y).neg().add(1)))),
  SQRT(unary(UnaryOp.SQRT, OUTPUT, (s, x, y) -> s.div(y.mul(2)))),
  // |x|'(0) = 0 and relu'(0) = 0; relu uses where, not s * (x > 0), so that an infinite seed does
  // not turn into NaN where x <= 0
  ABS(unary(UnaryOp.ABS, INPUT, (s, x, y) -> s.mul(x.sign()))),
  RELU(unary(UnaryOp.RELU, INPUT, (s, x, y) -> Tensor.where(x.gt(0), s, 0))),
  SIGMOID(unary(UnaryOp.SIGMOID, OUTPUT, (s, x, y) -> s.mul(y.mul(y.neg().add(1))))),
  SIGN(unary(UnaryOp.SIGN, NOTHING, (s, x, y) -> s.zerosLike())),
  // silu' = σ(x)·(1 + x·(1 - σ(x))) (PyTorch's formula)
  SILU(unary(UnaryOp.SILU, INPUT, (s, x, y) -> s.mul(Elementwise.siluSlope(x)))),
  LOG1P(unary(UnaryOp.LOG1P, INPUT, (s, x, y) -> s.div(x.add(1)))),
  EXPM1(unary(UnaryOp.EXPM1, OUTPUT, (s, x, y) -> s.mul(y.add(1)))),
  LOG2(unary(UnaryOp.LOG2, INPUT, (s, x, y) -> s.div(x.mul(Math.log(2))))),
  LOG10(unary(UnaryOp.LOG10, INPUT, (s, x, y) -> s.div(x.mul(Math.log(10))))),
  EXP2(unary(UnaryOp.EXP2, OUTPUT, (s, x, y) -> s.mul(y.mul(Math.log(2))))),
  // erf' = 2/√π · e^(-x²)
  ERF(
      unary(
          UnaryOp.ERF, INPUT, (s, x, y) -> s.mul(Elementwise.gaussian(x, 2 / Math.sqrt(Math.PI))))),
  ERFC(
      unary(
          UnaryOp.ERFC,
          INPUT,
          (s, x, y) -> s.mul(Elementwise.gaussian(x, -2 / Math.sqrt(Math.PI))))),
  // d(x^-½) = -½ · y³; -∞ at 0 (as PyTorch)
  RSQRT(unary(UnaryOp.RSQRT, OUTPUT, (s, x, y) -> s.mul(y.mul(y).mul(y).mul(-0.5)))),
  // piecewise constant: gradient 0 everywhere, also at the jumps (as PyTorch)
  FLOOR(unary(UnaryOp.FLOOR, NOTHING, (s, x, y) -> s.zerosLike())),
  CEIL(unary(UnaryOp.CEIL, NOTHING, (s, x, y) -> s.zerosLike())),
  ROUND(unary(UnaryOp.ROUND, NOTHING, (s, x, y) -> s.zerosLike())),
  TRUNC(unary(UnaryOp.TRUNC, NOTHING, (s, x, y) -> s.zerosLike())),
  TAN(unary(UnaryOp.TAN, OUTPUT, (s, x, y) -> s.mul(y.mul(y).add(1)))),
  // asin' = (1 - x²)^-½ and acos' its negative: ±∞ at |x| = 1, NaN beyond (as PyTorch)
  ASIN(unary(UnaryOp.ASIN, INPUT, (s, x, y) -> s.mul(x.mul(x).neg().add(1).rsqrt()))),
  ACOS(unary(UnaryOp.ACOS, INPUT, (s, x, y) -> s.mul(x.mul(x).neg().add(1).rsqrt()).neg())),
  ATAN(unary(UnaryOp.ATAN, INPUT, (s, x, y) -> s.div(x.mul(x).add(1)))),
  SINH(unary(UnaryOp.SINH, INPUT, (s, x, y) -> s.mul(x.cosh()))),
  COSH(unary(UnaryOp.COSH, INPUT, (s, x, y) -> s.mul(x.sinh()))),
  ASINH(unary(UnaryOp.ASINH, INPUT, (s, x, y) -> s.mul(x.mul(x).add(1).rsqrt()))),
  // acosh' = (x² - 1)^-½: ∞ at 1 (as PyTorch)
  ACOSH(unary(UnaryOp.ACOSH, INPUT, (s, x, y) -> s.mul(x.mul(x).sub(1).rsqrt()))),
  // atanh' = 1 / (1 - x²): ±∞ at |x| = 1
  ATANH(unary(UnaryOp.ATANH, INPUT, (s, x, y) -> s.div(x.mul(x).neg().add(1)))),
  // elementwise, two inputs with broadcasting: the kernel, then seed · ∂y/∂a and seed · ∂y/∂b
  ADD(linear(BinaryOp.ADD, (s, a, b, y) -> s, (s, a, b, y) -> s)),
  SUB(linear(BinaryOp.SUB, (s, a, b, y) -> s, (s, a, b, y) -> s.neg())),
  MUL(binary(BinaryOp.MUL, INPUT, (s, a, b, y) -> s.mul(b), (s, a, b, y) -> s.mul(a))),
  DIV(binary(BinaryOp.DIV, BOTH, (s, a, b, y) -> s.div(b), (s, a, b, y) -> s.mul(y).div(b).neg())),
  POW(binary(BinaryOp.POW, BOTH, Elementwise::powBase, Elementwise::powExponent)),
  MAXIMUM(
      binary(
          BinaryOp.MAX,
          INPUT,
          (s, a, b, y) -> s.mul(Elementwise.share(true, a, b)),
          (s, a, b, y) -> s.mul(Elementwise.share(true, a, b).neg().add(1)))),
  MINIMUM(
      binary(
          BinaryOp.MIN,
          INPUT,
          (s, a, b, y) -> s.mul(Elementwise.share(false, a, b)),
          (s, a, b, y) -> s.mul(Elementwise.share(false, a, b).neg().add(1)))),
  // atan2(a, b)' = (b, -a) / (a² + b²): NaN at (0, 0) (as PyTorch)
  ATAN2(
      binary(
          BinaryOp.ATAN2,
          INPUT,
          (s, a, b, y) -> s.mul(b).div(a.mul(a).add(b.mul(b))),
          (s, a, b, y) -> s.mul(a).neg().div(a.mul(a).add(b.mul(b))))),
  // a - b·floor(a/b) and a - b·trunc(a/b): ∂/∂a = 1, ∂/∂b = -floor(a/b) resp. -trunc(a/b), also at
  // the jumps (as PyTorch)
  REMAINDER(
      binary(
          BinaryOp.REMAINDER,
          INPUT,
          (s, a, b, y) -> s,
          (s, a, b, y) -> s.mul(a.div(b).floor()).neg())),
  FMOD(
      binary(
          BinaryOp.FMOD, INPUT, (s, a, b, y) -> s, (s, a, b, y) -> s.mul(a.div(b).trunc()).neg())),
  // eq, ne, lt, le, gt, ge (bool output, no gradient) and where(c, a, b): rules in Elementwise
  COMPARE(elementwise(NOTHING)),
  WHERE(elementwise(INPUT)),
  // reductions: rules in Reductions and LogSoftmax
  SUM(linear()),
  MAX(rules(BOTH)),
  MIN(rules(BOTH)),
  ARGMAX(rules(NOTHING)),
  ARGMIN(rules(NOTHING)),
  NORM(rules(BOTH)),
  LOG_SOFTMAX(rules(OUTPUT)),
  // scans along one dimension: rules in Scans (prod, sort and the other selections compose these
  // with gather)
  CUMSUM(linear()),
  CUMPROD(rules(BOTH)),
  LOG_CUMSUM_EXP(rules(BOTH)),
  // data movement: linear, the VJP is the transposed movement (in Movement)
  RESHAPE(linear()),
  EXPAND(linear()),
  PERMUTE(linear()),
  SLICE(linear()),
  PAD(linear()),
  CAT(linear()),
  CONTIGUOUS(linear()),
  CAST(linear()),
  // indexing: rules in Indexing
  GATHER(rules(INPUT)),
  SCATTER_ADD(rules(INPUT)),
  // linear algebra
  MATMUL(rules(INPUT)),
  // user-defined functions (nabla.CustomFunction), first-class like the others
  CUSTOM(rules(BOTH));

  /** What a primitive's rules read besides shapes (only those are checked for in-place writes). */
  enum Reads {
    NOTHING,
    INPUT,
    OUTPUT,
    BOTH;

    boolean input() {
      return this == INPUT || this == BOTH;
    }

    boolean output() {
      return this == OUTPUT || this == BOTH;
    }
  }

  /** A row's columns, built by the helpers below. {@code rule} is null unless elementwise. */
  record Row(boolean linear, boolean elementwise, Reads reads, Elementwise.Rule rule) {}

  private static Row unary(UnaryOp kernel, Reads reads, Elementwise.UnaryPartial partial) {
    return new Row(false, true, reads, new Elementwise.UnaryRule(kernel, partial));
  }

  private static Row binary(
      BinaryOp kernel, Reads reads, Elementwise.BinaryPartial a, Elementwise.BinaryPartial b) {
    return new Row(false, true, reads, new Elementwise.BinaryRule(kernel, a, b));
  }

  /** Elementwise without partials: the rules are written in the primitive's class. */
  private static Row elementwise(Reads reads) {
    return new Row(false, true, reads, null);
  }

  private static Row linear() {
    return new Row(true, false, NOTHING, null);
  }

  private static Row linear(UnaryOp kernel, Elementwise.UnaryPartial partial) {
    return new Row(true, true, NOTHING, new Elementwise.UnaryRule(kernel, partial));
  }

  private static Row linear(
      BinaryOp kernel, Elementwise.BinaryPartial a, Elementwise.BinaryPartial b) {
    return new Row(true, true, NOTHING, new Elementwise.BinaryRule(kernel, a, b));
  }

  private static Row rules(Reads reads) {
    return new Row(false, false, reads, null);
  }

  private final Row row;
  private final String displayName;

  PrimitiveKind(Row row) {
    this.row = row;
    StringBuilder b = new StringBuilder();
    for (String part : name().split("_")) {
      b.append(part.charAt(0)).append(part.substring(1).toLowerCase(java.util.Locale.ROOT));
    }
    this.displayName = b.toString();
  }

  /** CamelCase name used in gradient function names, e.g. {@code Mul}, {@code LogSoftmax}. */
  public String displayName() {
    return displayName;
  }

  /**
   * Whether the primitive is a linear map of its inputs (for fixed parameters): its JVP is the
   * primitive applied to the tangents, and its rules read no values.
   */
  public boolean isLinear() {
    return row.linear;
  }

  /** Whether each output element depends only on the same (broadcast) element of each input. */
  public boolean isElementwise() {
    return row.elementwise;
  }

  /** Whether the rules read the input values (not just their shapes). */
  public boolean savesInputs() {
    return row.reads.input();
  }

  /** Whether the rules read the output value. */
  public boolean savesOutput() {
    return row.reads.output();
  }

  /** The kernel and partials of an elementwise row; null for the others. */
  Elementwise.Rule rule() {
    return row.rule;
  }
}
