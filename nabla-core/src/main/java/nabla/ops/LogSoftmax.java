package nabla.ops;

import nabla.Tensor;
import nabla.kernels.Softmax;

/**
 * log(softmax(x)) along one axis as a single primitive: a fused row kernel forward, and rules
 * written in tensor operations on the output y (so they differentiate again):
 *
 * <ul>
 *   <li>VJP: g - exp(y) · sum(g, axis)
 *   <li>JVP: t - sum(exp(y) · t, axis)
 * </ul>
 *
 * Softmax is exp of it and cross-entropy gathers from it, so both get the fused forward.
 */
final class LogSoftmax extends Primitive {
  private final int axis;

  LogSoftmax(int axis) {
    super(PrimitiveKind.LOG_SOFTMAX);
    this.axis = axis;
  }

  /** Batching rule: the same axis one further right (0-d examples as rows of one element). */
  @Override
  public Tensor batch(Tensor[] in, boolean[] batched) {
    if (in[0].dim() == 1) {
      int n = in[0].shape()[0];
      return Batching.apply(new LogSoftmax(1), in[0].reshape(n, 1)).reshape(n);
    }
    return Batching.apply(new LogSoftmax(axis + 1), in[0]);
  }

  @Override
  public Tensor forward(Tensor... in) {
    Tensor x = in[0];
    if (!x.dtype().isFloating()) {
      throw new IllegalArgumentException(
          "logSoftmax: expected a float32 or float64 tensor, got " + x.dtype());
    }
    int rank = x.dim();
    int last = rank - 1;
    // Rows along the last axis of a contiguous tensor; other layouts move the axis last first.
    boolean inPlace = rank == 0 || axis == last;
    Tensor src = inPlace ? x.contiguous() : x.transpose(axis, last).contiguous();
    int len = rank == 0 ? 1 : src.shape()[last];
    int rows = len == 0 ? 0 : src.numel() / len;
    Tensor out = Tensor.empty(x.dtype(), src.shape());
    Softmax.logSoftmaxRows(src.storage(), src.offset(), rows, len, out.storage());
    return inPlace ? out : out.transpose(axis, last).contiguous();
  }

  @Override
  public Tensor[] vjp(Tensor g, Tensor y, Tensor[] in, boolean[] needs) {
    int[] ax = {axis};
    return new Tensor[] {g.sub(y.exp().mul(g.sum(ax, true)))};
  }

  @Override
  public Tensor jvp(Tensor[] t, Tensor y, Tensor[] in) {
    if (t[0] == null) {
      return null;
    }
    int[] ax = {axis};
    return t[0].sub(y.exp().mul(t[0]).sum(ax, true));
  }
}
