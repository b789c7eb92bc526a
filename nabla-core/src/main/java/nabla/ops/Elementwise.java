package nabla.ops;

import nabla.DType;
import nabla.Tensor;
import nabla.kernels.BinaryOp;
import nabla.kernels.UnaryOp;
import nabla.storage.Shapes;

/**
 * Elementwise primitives. A unary primitive is a kernel plus one chain-rule function {@code (seed,
 * x, y) -> seed * f'(x)}, used for both VJP (seed = output gradient) and JVP (seed = input
 * tangent), in the spirit of JAX's {@code defjvp}.
 */
final class Elementwise {
  private Elementwise() {}

  /** seed · f'(x), given the input x and the output y = f(x). */
  @FunctionalInterface
  interface Chain {
    Tensor apply(Tensor seed, Tensor x, Tensor y);
  }

  static final class Unary extends Primitive {
    /** Elementwise with right-aligned broadcasting: the plain rule handles a leading batch. */
    @Override
    public boolean supportsBatchedVjp() {
      return true;
    }

    private final PrimitiveKind kind;
    private final UnaryOp op;
    private final Chain chain;

    Unary(PrimitiveKind kind, UnaryOp op, Chain chain) {
      this.kind = kind;
      this.op = op;
      this.chain = chain;
    }

    /** The derivative rules, one line each. Kinks: relu'(0) = 0, |x|'(0) = 0, sign' = 0. */
    static Unary of(UnaryOp op) {
      return switch (op) {
        case NEG -> new Unary(PrimitiveKind.NEG, op, (s, x, y) -> s.neg());
        case EXP -> new Unary(PrimitiveKind.EXP, op, (s, x, y) -> s.mul(y));
        case LOG -> new Unary(PrimitiveKind.LOG, op, (s, x, y) -> s.div(x));
        case SIN -> new Unary(PrimitiveKind.SIN, op, (s, x, y) -> s.mul(x.cos()));
        case COS -> new Unary(PrimitiveKind.COS, op, (s, x, y) -> s.mul(x.sin()).neg());
        case TANH -> new Unary(PrimitiveKind.TANH, op, (s, x, y) -> s.mul(y.mul(y).neg().add(1)));
        case SQRT -> new Unary(PrimitiveKind.SQRT, op, (s, x, y) -> s.div(y.mul(2)));
        case ABS -> new Unary(PrimitiveKind.ABS, op, (s, x, y) -> s.mul(x.sign()));
        // where, not s * (x > 0): an infinite seed must not turn into NaN where x <= 0.
        case RELU -> new Unary(PrimitiveKind.RELU, op, (s, x, y) -> Tensor.where(x.gt(0), s, 0));
        case SIGMOID ->
            new Unary(PrimitiveKind.SIGMOID, op, (s, x, y) -> s.mul(y.mul(y.neg().add(1))));
        case SIGN -> new Unary(PrimitiveKind.SIGN, op, (s, x, y) -> s.zerosLike());
      };
    }

    @Override
    public PrimitiveKind kind() {
      return kind;
    }

    @Override
    public boolean savesInputs() {
      return switch (op) {
        case NEG, SIGN, EXP, TANH, SQRT, SIGMOID -> false;
        default -> true;
      };
    }

    @Override
    public boolean savesOutput() {
      return switch (op) {
        case EXP, TANH, SQRT, SIGMOID -> true;
        default -> false;
      };
    }

    @Override
    public Tensor forward(Tensor... in) {
      Tensor x = in[0];
      if (x.dtype() == DType.BOOL) {
        throw new IllegalArgumentException(
            kind.displayName().toLowerCase()
                + ": not defined for bool tensors (shape "
                + Shapes.str(x.shape())
                + "); convert with to(DType.FLOAT32)");
      }
      Tensor out = Tensor.empty(x.dtype(), x.shape());
      nabla.kernels.Unary.apply(op, x.shape(), x.storage(), x.offset(), x.strides(), out.storage());
      return out;
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor out, Tensor[] in, boolean[] needs) {
      return new Tensor[] {chain.apply(g, in[0], out)};
    }

    @Override
    public Tensor jvp(Tensor[] t, Tensor out, Tensor[] in) {
      return t[0] == null ? null : chain.apply(t[0], in[0], out);
    }
  }

  /** add, sub, mul, div, pow, maximum, minimum with NumPy broadcasting. */
  static final class Binary extends Primitive {
    /** Elementwise with right-aligned broadcasting: the plain rule handles a leading batch. */
    @Override
    public boolean supportsBatchedVjp() {
      return true;
    }

    private final PrimitiveKind kind;
    private final BinaryOp op;
    private final String name;

    Binary(PrimitiveKind kind, BinaryOp op) {
      this.kind = kind;
      this.op = op;
      this.name = kind.displayName().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public PrimitiveKind kind() {
      return kind;
    }

    @Override
    public boolean savesInputs() {
      return kind != PrimitiveKind.ADD && kind != PrimitiveKind.SUB;
    }

    @Override
    public boolean savesOutput() {
      return kind == PrimitiveKind.DIV || kind == PrimitiveKind.POW;
    }

    @Override
    public Tensor forward(Tensor... in) {
      return Raw.binary(op, name, in[0], in[1]);
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor y, Tensor[] in, boolean[] needs) {
      Tensor a = in[0];
      Tensor b = in[1];
      Tensor ga = null;
      Tensor gb = null;
      switch (kind) {
        case ADD -> {
          ga = g;
          gb = g;
        }
        case SUB -> {
          ga = g;
          gb = needs[1] ? g.neg() : null;
        }
        case MUL -> {
          ga = needs[0] ? g.mul(b) : null;
          gb = needs[1] ? g.mul(a) : null;
        }
        case DIV -> {
          ga = needs[0] ? g.div(b) : null;
          gb = needs[1] ? g.mul(y).div(b).neg() : null;
        }
        case POW -> {
          ga = needs[0] ? powBase(g, a, b) : null;
          gb = needs[1] ? powExponent(g, a, y) : null;
        }
        case MAXIMUM, MINIMUM -> {
          Tensor m = tieMask(a, b);
          ga = needs[0] ? g.mul(m) : null;
          gb = needs[1] ? g.mul(m.neg().add(1)) : null;
        }
        default -> throw new AssertionError(kind);
      }
      return new Tensor[] {ga, gb};
    }

    @Override
    public Tensor jvp(Tensor[] t, Tensor y, Tensor[] in) {
      Tensor a = in[0];
      Tensor b = in[1];
      Tensor ta = t[0];
      Tensor tb = t[1];
      Tensor fromA =
          ta == null
              ? null
              : switch (kind) {
                case ADD, SUB -> ta;
                case MUL -> ta.mul(b);
                case DIV -> ta.div(b);
                case POW -> powBase(ta, a, b);
                case MAXIMUM, MINIMUM -> ta.mul(tieMask(a, b));
                default -> throw new AssertionError(kind);
              };
      Tensor fromB =
          tb == null
              ? null
              : switch (kind) {
                case ADD -> tb;
                case SUB -> tb.neg();
                case MUL -> tb.mul(a);
                case DIV -> tb.mul(y).div(b).neg();
                case POW -> powExponent(tb, a, y);
                case MAXIMUM, MINIMUM -> tb.mul(tieMask(a, b).neg().add(1));
                default -> throw new AssertionError(kind);
              };
      if (fromA == null) {
        return fromB;
      }
      return fromB == null ? fromA : fromA.add(fromB);
    }

    /** 1 where a wins, 0 where b wins, 1/2 at ties (the gradient is split, as in PyTorch). */
    private Tensor tieMask(Tensor a, Tensor b) {
      Tensor wins = kind == PrimitiveKind.MAXIMUM ? a.gt(b) : a.lt(b);
      return wins.to(a.dtype()).add(a.eq(b).to(a.dtype()).mul(0.5));
    }

    /**
     * seed · b · a^(b-1), defined as 0 where a = b = 0 (0 · 0^-1 would be NaN). Elsewhere b = 0
     * needs no mask, which keeps the mixed derivative d²/da db = 1/a there.
     */
    private static Tensor powBase(Tensor seed, Tensor a, Tensor b) {
      Tensor d = seed.mul(b).mul(a.pow(b.sub(1)));
      return Tensor.where(a.eq(0).logicalAnd(b.eq(0)), d.zerosLike(), d);
    }

    /** seed · a^b · log a, defined as 0 where a = 0 (log is taken of a safe value there). */
    private static Tensor powExponent(Tensor seed, Tensor a, Tensor y) {
      Tensor zero = a.eq(0);
      Tensor safeA = Tensor.where(zero, a.onesLike(), a);
      Tensor d = seed.mul(y).mul(safeA.log());
      return Tensor.where(zero, d.zerosLike(), d);
    }
  }

  /** eq, ne, lt, le, gt, ge: bool output, no gradient. */
  static final class Compare extends Primitive {
    /** Elementwise with right-aligned broadcasting: the plain rule handles a leading batch. */
    @Override
    public boolean supportsBatchedVjp() {
      return true;
    }

    @Override
    public boolean savesInputs() {
      return false;
    }

    @Override
    public boolean savesOutput() {
      return false;
    }

    private final BinaryOp op;
    private final String name;

    Compare(BinaryOp op) {
      this.op = op;
      this.name = op.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public PrimitiveKind kind() {
      return PrimitiveKind.COMPARE;
    }

    @Override
    public Tensor forward(Tensor... in) {
      return Raw.binary(op, name, in[0], in[1]);
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor out, Tensor[] in, boolean[] needs) {
      return new Tensor[2];
    }

    @Override
    public Tensor jvp(Tensor[] t, Tensor out, Tensor[] in) {
      return null;
    }

    @Override
    public String gradFnName() {
      return op.name().charAt(0) + op.name().substring(1).toLowerCase() + "Backward";
    }
  }

  /** where(cond, x, y): the branch not taken receives an exact zero gradient. */
  static final class Where extends Primitive {
    /** Elementwise with right-aligned broadcasting: the plain rule handles a leading batch. */
    @Override
    public boolean supportsBatchedVjp() {
      return true;
    }

    @Override
    public boolean savesOutput() {
      return false;
    }

    @Override
    public PrimitiveKind kind() {
      return PrimitiveKind.WHERE;
    }

    @Override
    public Tensor forward(Tensor... in) {
      Tensor c = in[0];
      Tensor a = in[1];
      Tensor b = in[2];
      int[] shape =
          Shapes.broadcast("where", Shapes.broadcast("where", c.shape(), a.shape()), b.shape());
      Tensor out = Tensor.empty(a.dtype(), shape);
      nabla.kernels.Binary.where(
          shape,
          c.storage(),
          c.offset(),
          Shapes.broadcastStrides(c.shape(), c.strides(), shape),
          a.storage(),
          a.offset(),
          Shapes.broadcastStrides(a.shape(), a.strides(), shape),
          b.storage(),
          b.offset(),
          Shapes.broadcastStrides(b.shape(), b.strides(), shape),
          out.storage());
      return out;
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor out, Tensor[] in, boolean[] needs) {
      Tensor zero = g.zerosLike();
      return new Tensor[] {
        null,
        needs[1] ? Tensor.where(in[0], g, zero) : null,
        needs[2] ? Tensor.where(in[0], zero, g) : null
      };
    }

    @Override
    public Tensor jvp(Tensor[] t, Tensor out, Tensor[] in) {
      if (t[1] == null && t[2] == null) {
        return null;
      }
      Tensor ta = t[1] != null ? t[1] : t[2].zerosLike();
      Tensor tb = t[2] != null ? t[2] : t[1].zerosLike();
      return Tensor.where(in[0], ta, tb).expand(out.shape());
    }
  }
}
