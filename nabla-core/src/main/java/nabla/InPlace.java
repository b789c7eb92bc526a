package nabla;

import nabla.kernels.Binary;
import nabla.kernels.BinaryOp;
import nabla.kernels.Copy;
import nabla.storage.Shapes;
import nabla.storage.Storage;

/**
 * In-place updates of a tensor's elements ({@link Tensor#addInPlace}, {@link Tensor#copyFrom}, ...)
 * and the gradient accumulation of backward: the checks that make them safe (no update of a tensor
 * that requires grad while recording, no write through an expanded view, no narrowing cast), the
 * writes themselves, and the storage version bump that lets backward detect them.
 */
final class InPlace {
  private InPlace() {}

  /** t += other. */
  static Tensor add(Tensor t, Tensor other) {
    return binary(t, "addInPlace", BinaryOp.ADD, other, Tensor::add);
  }

  /** t -= other. */
  static Tensor sub(Tensor t, Tensor other) {
    return binary(t, "subInPlace", BinaryOp.SUB, other, Tensor::sub);
  }

  /**
   * t += alpha · other (PyTorch's {@code add_(other, alpha=...)}): one fused multiply-add per
   * element straight into t when both are contiguous floating tensors of one shape and dtype and
   * nothing is recorded (an optimiser's update); otherwise the composite t + alpha·other, recorded
   * or not as {@link #add} is.
   */
  static Tensor addScaled(Tensor t, String op, Tensor other, double alpha) {
    Checks.nonNull(op, "other", other);
    Checks.finite(op, "alpha", alpha);
    if (!InPlaceRecorded.applies(t, other)
        && t.dtype().isFloating()
        && !t.dtype().isStorageOnly()
        && other.dtype() == t.dtype()
        && other.storage != t.storage
        && t.isContiguous()
        && other.isContiguous()
        && Shapes.same(t.shape, other.shape)) {
      checkNotRecording(t, op);
      nabla.kernels.Binary.axpyInPlace(
          t.storage, t.offset, other.storage, other.offset, t.numel(), alpha);
      written(t.storage, op);
      return t;
    }
    return binary(t, op, other, (x, o) -> x.add(o.mul(alpha)));
  }

  /** t *= value. */
  static Tensor mul(Tensor t, double value) {
    if (InPlaceRecorded.applies(t)) {
      return InPlaceRecorded.update(t, "mulInPlace", x -> x.mul(value));
    }
    if (t.dtype().isFloating()
        && !t.dtype().isStorageOnly()
        && direct(t, "mulInPlace", BinaryOp.MUL, TypePromotion.scalarLike(t, value))) {
      return t;
    }
    return assign(t, "mulInPlace", t.detach().mul(value));
  }

  /** Copies src (broadcast to t's shape) into t. */
  static Tensor copyFrom(Tensor t, Tensor src) {
    Checks.nonNull("copyFrom", "src", src);
    int[] b = Shapes.broadcast("copyFrom", t.shape, src.shape);
    if (!Shapes.same(b, t.shape)) {
      throw new IllegalArgumentException(
          "copyFrom: the source of shape "
              + Shapes.str(src.shape)
              + " does not broadcast to this tensor's shape "
              + Shapes.str(t.shape)
              + "; the source must have this shape, or sizes of 1 where this has more");
    }
    if (InPlaceRecorded.applies(t, src)) {
      Tensor o = InPlaceRecorded.operand(t, src);
      return InPlaceRecorded.update(t, "copyFrom", x -> o.expand(t.shape), o);
    }
    return assign(t, "copyFrom", src.detach().expand(t.shape));
  }

  /** t = f(t), elementwise (the other in-place updates). */
  static Tensor unary(Tensor t, String op, java.util.function.UnaryOperator<Tensor> f) {
    if (InPlaceRecorded.applies(t)) {
      return InPlaceRecorded.update(t, op, f);
    }
    return assign(t, op, f.apply(t.detach()));
  }

  /** t = f(t, other), other broadcast to t's shape. */
  static Tensor binary(
      Tensor t, String op, Tensor other, java.util.function.BiFunction<Tensor, Tensor, Tensor> f) {
    return binary(t, op, null, other, f);
  }

  /**
   * t = f(t, other): recorded when t or other takes part in a graph; otherwise written straight by
   * the {@code kind} kernel when it can be ({@link #direct}; null: no such kernel), else computed
   * and copied back.
   */
  private static Tensor binary(
      Tensor t,
      String op,
      BinaryOp kind,
      Tensor other,
      java.util.function.BiFunction<Tensor, Tensor, Tensor> f) {
    Checks.nonNull(op, "other", other);
    if (InPlaceRecorded.applies(t, other)) {
      Tensor o = InPlaceRecorded.operand(t, other);
      return InPlaceRecorded.update(t, op, x -> f.apply(x, o), o);
    }
    if (kind != null && direct(t, op, kind, other)) {
      return t;
    }
    return assign(t, op, f.apply(t.detach(), other.detach()));
  }

  /**
   * Sets every element of t to value (converted to t's dtype, as PyTorch's {@code fill_}). While
   * recorded, the old values get a zero gradient (a where, so no 0·∞ appears).
   */
  static Tensor fill(Tensor t, String op, double value) {
    if (InPlaceRecorded.applies(t)) {
      return InPlaceRecorded.update(
          t, op, x -> Tensor.where(Tensor.full(1, DType.BOOL), value(x, value), x));
    }
    return assign(t, op, value(t, value).expand(t.shape));
  }

  /** value as a 0-d tensor of t's dtype. */
  private static Tensor value(Tensor t, double value) {
    return Tensor.full(value, t.dtype());
  }

  /**
   * Zeroes a gradient buffer for {@link Tensor#zeroGrad()} (which holds the owner's lock), keeping
   * the buffer: only the gradient's own elements, since a setGrad view may share a larger storage.
   */
  static void zeroGradient(Tensor grad) {
    if (grad.isContiguous()) {
      Copy.fill(grad.storage, grad.offset, grad.numel(), 0);
      written(grad.storage, "zeroGrad");
    } else {
      assign(grad, "zero", grad.zerosLike());
    }
  }

  /** t += g without recording, reusing t's buffer (gradient accumulation in backward). */
  static void accumulate(Tensor t, Tensor g) {
    Tensor src = g.dtype() == t.dtype() ? g : g.detach().to(t.dtype());
    if (t.isContiguous() && Shapes.same(src.shape, t.shape) && !t.dtype().isStorageOnly()) {
      Binary.accumulate(t.shape, t.storage, t.offset, src.storage, src.offset, src.strides);
    } else {
      boolean prev = GradMode.set(false);
      try {
        Tensor sum = t.detach().add(src.detach());
        Copy.copy(t.shape, sum.storage, sum.offset, sum.strides, t.storage, t.offset, t.strides);
      } finally {
        GradMode.set(prev);
      }
    }
    written(t.storage, "gradient accumulation");
  }

  /** Bumps a storage's version after an in-place write; in anomaly mode, records the caller. */
  static void written(Storage target, String op) {
    Trace.inPlaceWrite(op);
    target.bumpVersion(op, GradMode.anomaly() ? Anomaly.callSite() : null);
  }

  static void checkNotRecording(Tensor t, String op) {
    if (!GradMode.isEnabled()) {
      return;
    }
    Tensor base = t.viewBase;
    if (base != null && base.requiresGrad() && base.gradFn() == null) {
      throw new IllegalStateException(
          op
              + ": this tensor (shape "
              + Shapes.str(t.shape)
              + ") is a view of a leaf that requires grad (shape "
              + Shapes.str(base.shape)
              + "), so an in-place update would change the leaf behind autograd's back; do"
              + " the update inside try (var g = Autograd.noGrad()) { ... }, or work on a copy"
              + " (copy())");
    }
    if (t.requiresGrad()) {
      throw new IllegalStateException(
          op
              + ": a leaf tensor that requires grad cannot be modified in place while gradients"
              + " are recorded; do the update inside try (var g = Autograd.noGrad()) { ... }");
    }
  }

  /** Writes an out-of-place result back into t (the general path). */
  private static Tensor assign(Tensor t, String op, Tensor result) {
    checkNotRecording(t, op);
    checkWritable(t, op);
    result = castForWrite(t, op, result);
    Copy.copy(
        t.shape, result.storage, result.offset, result.strides, t.storage, t.offset, t.strides);
    written(t.storage, op);
    return t;
  }

  /** Refuses a write through an expanded view (several elements share one location). */
  static void checkWritable(Tensor t, String op) {
    int expanded = ViewChecks.expandedDim(t.shape, t.strides);
    if (expanded >= 0) {
      throw new IllegalArgumentException(
          op
              + ": this view of shape "
              + Shapes.str(t.shape)
              + " has several elements sharing"
              + " one memory location (dimension "
              + expanded
              + " was expanded), so an in-place"
              + " write is ambiguous; write to the original tensor or to a copy()");
    }
  }

  /** result converted to t's dtype (refusing a narrowing cast but for copies and fills). */
  static Tensor castForWrite(Tensor t, String op, Tensor result) {
    if (result.dtype() != t.dtype()) {
      if (!op.equals("copyFrom") && !op.equals("fill") && !op.equals("zero")) {
        checkCanCast(t, op, result.dtype());
      }
      result = result.to(t.dtype());
    }
    if (!Shapes.same(result.shape, t.shape)) {
      throw new IllegalArgumentException(
          op
              + ": the result has shape "
              + Shapes.str(result.shape)
              + " but an in-place update cannot change this tensor's shape "
              + Shapes.str(t.shape));
    }
    return result;
  }

  /** Copies result (of t's shape and dtype) into t's elements and bumps the version. */
  static void write(Tensor t, String op, Tensor result) {
    Copy.copy(
        t.shape, result.storage, result.offset, result.strides, t.storage, t.offset, t.strides);
    written(t.storage, op);
  }

  /** {@link TypePromotion#canCastInPlace}, or an error naming op. */
  private static void checkCanCast(Tensor t, String op, DType result) {
    if (!TypePromotion.canCastInPlace(result, t.dtype())) {
      throw new IllegalArgumentException(
          op
              + ": the result type "
              + result
              + " cannot be written into this "
              + t.dtype()
              + " tensor of shape "
              + Shapes.str(t.shape)
              + " without truncating; convert first (x = x.to(DType."
              + (result.isFloating() ? "FLOAT32" : result.name())
              + ")) and update the converted tensor, or use an operand of dtype "
              + t.dtype());
    }
  }

  /**
   * The common case of an in-place update (an optimiser step): t contiguous, other of the same
   * dtype in another storage and broadcasting to t's shape. The kernel then writes straight into
   * t's storage, with no temporary result and no copy back. Returns false (nothing done) for every
   * other case, which takes the general path.
   */
  private static boolean direct(Tensor t, String op, BinaryOp kind, Tensor other) {
    Checks.nonNull(op, "other", other);
    if (!t.isContiguous()
        || t.dtype() == DType.BOOL
        || t.dtype().isStorageOnly() // no kernel of their own: computed and converted back
        || other.dtype() != t.dtype()
        || other.storage == t.storage
        || other.shape.length > t.shape.length
        || !Shapes.same(Shapes.broadcast(op, t.shape, other.shape), t.shape)) {
      return false;
    }
    checkNotRecording(t, op);
    Binary.applyInPlace(
        kind,
        t.shape,
        t.storage,
        t.offset,
        other.storage,
        other.offset,
        Shapes.broadcastStrides(other.shape, other.strides, t.shape));
    written(t.storage, op);
    return true;
  }

  /**
   * t = f([t, operands...]) for a user's in-place custom function ({@code applyInPlace}); f gets
   * the operands as the update must read them.
   */
  static Tensor custom(
      Tensor t, String op, java.util.function.Function<Tensor[], Tensor> f, Tensor... operands) {
    Tensor[] in = new Tensor[operands.length + 1];
    System.arraycopy(operands, 0, in, 1, operands.length);
    if (InPlaceRecorded.applies(t, operands)) {
      for (int i = 1; i < in.length; i++) {
        in[i] = InPlaceRecorded.operand(t, in[i]);
      }
      Tensor[] o = java.util.Arrays.copyOfRange(in, 1, in.length);
      return InPlaceRecorded.update(
          t,
          op,
          x -> {
            in[0] = x;
            return f.apply(in);
          },
          o);
    }
    in[0] = t.detach();
    return assign(t, op, f.apply(in));
  }
}
