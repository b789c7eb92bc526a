package nabla;

/**
 * PyTorch's dtype rules for mixing tensors and Java numbers: which dtype an operation computes in,
 * and which results an in-place update may write back. {@link DType#promote} is the plain "wider
 * wins" rule; this class adds the exceptions for 0-d tensors, Java numbers and in-place casts.
 */
final class TypePromotion {
  private TypePromotion() {}

  /**
   * PyTorch's result type: the wider dtype, except that a 0-d tensor does not widen a tensor with
   * dimensions of the same category (bool, integer, floating); a 0-d tensor of a higher category
   * gives its own dtype (int64 tensor + 0-d float64 tensor is float64, uint8 + 0-d float16 is
   * float16). Java numbers never reach this rule as float64: {@link #scalarLike} makes them float32
   * for an integer tensor, as PyTorch makes a Python float.
   */
  static DType resultType(Tensor a, Tensor b) {
    boolean za = a.dim() == 0;
    boolean zb = b.dim() == 0;
    if (za == zb) {
      return DType.promote(a.dtype(), b.dtype());
    }
    DType dimensioned = za ? b.dtype() : a.dtype();
    DType zeroD = za ? a.dtype() : b.dtype();
    if (category(zeroD) <= category(dimensioned)) {
      return dimensioned;
    }
    return zeroD;
  }

  /** {@link #resultType}, at least float32 when {@code floating} (true division, matmul). */
  static DType resultType(Tensor a, Tensor b, boolean floating) {
    DType t = resultType(a, b);
    return floating && !t.isFloating() ? DType.FLOAT32 : t;
  }

  /** The widest dtype among tensors (what {@code cat} converts them all to). */
  static DType promoteAll(Tensor[] tensors) {
    DType t = tensors[0].dtype();
    for (Tensor x : tensors) {
      t = DType.promote(t, x.dtype());
    }
    return t;
  }

  /**
   * A Java number as a 0-d tensor that keeps {@code like}'s dtype where it can: a floating tensor
   * stays in its precision, an integer one stays integer for a whole number, a bool one becomes
   * int64 (and so does a number outside int32's or uint8's range); a fractional number with an
   * integer tensor is float32.
   */
  static Tensor scalarLike(Tensor like, double value) {
    DType t = like.dtype();
    if (!t.isFloating() && value != Math.rint(value)) {
      t = DType.FLOAT32;
    } else if (t == DType.BOOL || (t.isInteger() && !fits(value, t))) {
      // int32 and uint8 keep a number out of their range exactly (in int64), as PyTorch keeps
      // a Python int: uint8 / -1 is -2.0, while uint8 + (-1) still wraps to the tensor's dtype
      t = DType.INT64;
    }
    return Tensor.full(value, t);
  }

  private static boolean fits(double value, DType t) {
    return switch (t) {
      case UINT8 -> value >= 0 && value <= 255;
      case INT32 -> value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE;
      default -> true;
    };
  }

  /**
   * PyTorch's in-place casting rule: the result of an in-place update may change precision within
   * its category (float64 into float32) but never narrow to a lower one (a float result into an
   * int64 tensor, an integer into a bool one), which would silently truncate.
   */
  static boolean canCastInPlace(DType result, DType target) {
    return category(result) <= category(target);
  }

  /** 0 bool, 1 integer, 2 floating. */
  private static int category(DType t) {
    return t.isFloating() ? 2 : t.isInteger() ? 1 : 0;
  }
}
