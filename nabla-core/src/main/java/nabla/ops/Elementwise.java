package nabla.ops;

import java.util.Locale;
import nabla.DType;
import nabla.Tensor;
import nabla.kernels.BinaryOp;
import nabla.kernels.UnaryOp;
import nabla.storage.Shapes;

/**
 * Elementwise primitives. Those with a kernel are built from their {@link PrimitiveKind} row: the
 * kernel, and one partial per input, {@code seed · ∂y/∂input}, used for both the VJP (seed = the
 * output's gradient) and the JVP (seed = the input's tangent), as JAX's {@code defjvp} and
 * PyTorch's {@code derivatives.yaml} do. Comparisons and {@code where} have their own classes.
 */
final class Elementwise {
  private Elementwise() {}

  /** seed · f'(x), given the input x and the output y = f(x). */
  @FunctionalInterface
  interface UnaryPartial {
    Tensor apply(Tensor seed, Tensor x, Tensor y);
  }

  /** seed · ∂y/∂a (or ∂y/∂b), given the inputs a, b and the output y. */
  @FunctionalInterface
  interface BinaryPartial {
    Tensor apply(Tensor seed, Tensor a, Tensor b, Tensor y);
  }

  /** The kernel and the partials of an elementwise row of {@link PrimitiveKind}. */
  sealed interface Rule permits UnaryRule, BinaryRule {}

  record UnaryRule(UnaryOp kernel, UnaryPartial partial) implements Rule {}

  record BinaryRule(BinaryOp kernel, BinaryPartial a, BinaryPartial b) implements Rule {}

  /** One input: the kernel forward, the partial as VJP and JVP. */
  static final class Unary extends Primitive {
    private final UnaryRule rule;

    Unary(PrimitiveKind kind, UnaryRule rule) {
      super(kind);
      this.rule = rule;
    }

    @Override
    public Tensor forward(Tensor... in) {
      Tensor x = in[0];
      if (x.dtype() == DType.BOOL) {
        throw new IllegalArgumentException(
            kind().displayName().toLowerCase(Locale.ROOT)
                + ": not defined for bool tensors (shape "
                + Shapes.str(x.shape())
                + "); convert with to(DType.FLOAT32)");
      }
      int[] shape = TensorInternals.shape(x);
      Tensor out = TensorInternals.emptyForOverwrite(x.dtype(), shape);
      nabla.kernels.Unary.apply(
          rule.kernel(), shape, x.storage(), x.offset(), TensorInternals.strides(x), out.storage());
      return out;
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor out, Tensor[] in, boolean[] needs) {
      return new Tensor[] {rule.partial().apply(g, in[0], out)};
    }

    @Override
    public Tensor jvp(Tensor[] t, Tensor out, Tensor[] in) {
      return t[0] == null ? null : rule.partial().apply(t[0], in[0], out);
    }
  }

  /** Two inputs with NumPy broadcasting: the kernel forward, the two partials as VJP and JVP. */
  static final class Binary extends Primitive {
    private final BinaryRule rule;
    private final String name;

    Binary(PrimitiveKind kind, BinaryRule rule) {
      super(kind);
      this.rule = rule;
      this.name = kind.displayName().toLowerCase(Locale.ROOT);
    }

    @Override
    public Tensor forward(Tensor... in) {
      return KernelCalls.binary(rule.kernel(), name, in[0], in[1]);
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor y, Tensor[] in, boolean[] needs) {
      return new Tensor[] {
        needs[0] ? rule.a().apply(g, in[0], in[1], y) : null,
        needs[1] ? rule.b().apply(g, in[0], in[1], y) : null
      };
    }

    @Override
    public Tensor jvp(Tensor[] t, Tensor y, Tensor[] in) {
      Tensor fromA = t[0] == null ? null : rule.a().apply(t[0], in[0], in[1], y);
      Tensor fromB = t[1] == null ? null : rule.b().apply(t[1], in[0], in[1], y);
      if (fromA == null) {
        return fromB;
      }
      return fromB == null ? fromA : fromA.add(fromB);
    }
  }

  /**
   * maximum (max = true) or minimum: the share of the gradient that goes to a, 1 where a wins, 0
   * where b wins and 1/2 at ties (the gradient is split, as in PyTorch); b gets 1 minus it.
   */
  static Tensor share(boolean max, Tensor a, Tensor b) {
    Tensor wins = max ? a.gt(b) : a.lt(b);
    return wins.to(a.dtype()).add(a.eq(b).to(a.dtype()).mul(0.5));
  }

  /** σ(x)·(1 + x·(1 - σ(x))), the derivative of silu. */
  static Tensor siluSlope(Tensor x) {
    Tensor sig = x.sigmoid();
    return sig.mul(x.mul(sig.neg().add(1)).add(1));
  }

  /** c · e^(-x²), the derivative of erf (c = 2/√π) and of erfc (c = -2/√π). */
  static Tensor gaussian(Tensor x, double c) {
    return x.mul(x).neg().exp().mul(c);
  }

  /**
   * pow, d/da: seed · b · a^(b-1), defined as 0 where a = b = 0 (0 · 0^-1 would be NaN). Elsewhere
   * b = 0 needs no mask, which keeps the mixed derivative d²/da db = 1/a there.
   */
  static Tensor powBase(Tensor seed, Tensor a, Tensor b, Tensor y) {
    Tensor d = seed.mul(b).mul(a.pow(b.sub(1)));
    return Tensor.where(a.eq(0).logicalAnd(b.eq(0)), d.zerosLike(), d);
  }

  /**
   * pow, d/db: seed · a^b · log a. Where a = 0 it is 0 for b ≥ 0 (the limit from a > 0) and −∞ for
   * b < 0 (a^b = +∞ times log 0 = −∞), as PyTorch; the log is taken of 1 where the result is 0, so
   * that second derivatives through the masked entries stay finite.
   */
  static Tensor powExponent(Tensor seed, Tensor a, Tensor b, Tensor y) {
    Tensor zero = a.eq(0).logicalAnd(b.ge(0));
    Tensor safeA = Tensor.where(zero, a.onesLike(), a);
    Tensor d = seed.mul(y).mul(safeA.log());
    return Tensor.where(zero, d.zerosLike(), d);
  }

  /** eq, ne, lt, le, gt, ge: bool output, no gradient. */
  static final class Compare extends Primitive {
    private final BinaryOp op;
    private final String name;

    Compare(BinaryOp op) {
      super(PrimitiveKind.COMPARE);
      this.op = op;
      this.name = op.name().toLowerCase(Locale.ROOT);
    }

    BinaryOp op() {
      return op;
    }

    @Override
    public Tensor forward(Tensor... in) {
      return KernelCalls.binary(op, name, in[0], in[1]);
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
      return op.name().charAt(0) + op.name().substring(1).toLowerCase(Locale.ROOT) + "Backward";
    }
  }

  /** where(cond, x, y): the branch not taken receives an exact zero gradient. */
  static final class Where extends Primitive {
    Where() {
      super(PrimitiveKind.WHERE);
    }

    @Override
    public Tensor forward(Tensor... in) {
      Tensor c = in[0];
      Tensor a = in[1];
      Tensor b = in[2];
      int[] shape =
          Shapes.broadcast("where", Shapes.broadcast("where", c.shape(), a.shape()), b.shape());
      // Every element is written: no zero fill, and the storage may come from the pool.
      Tensor out = TensorInternals.emptyForOverwrite(a.dtype(), shape);
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
