package nabla;

import nabla.ops.TensorInternals;
import nabla.storage.Shapes;
import nabla.storage.Storage;

/** {@link TensorInternals}' implementation: the primitives' non-copying view of a tensor. */
final class InternalAccess implements TensorInternals.Access {
  @Override
  public int[] shape(Tensor t) {
    return t.shape;
  }

  @Override
  public int[] strides(Tensor t) {
    return t.strides;
  }

  @Override
  public Tensor view(Storage storage, int[] shape, int[] strides, int offset) {
    return new Tensor(storage, shape, strides, offset);
  }

  @Override
  public Tensor empty(DType dtype, int[] shape) {
    return Creation.zeroFilled(dtype, shape, Shapes.numel("empty", shape));
  }

  @Override
  public Tensor emptyForOverwrite(DType dtype, int[] shape) {
    return new Tensor(
        Storage.allocateForOverwrite(dtype, Shapes.numel("empty", shape)),
        shape,
        Shapes.contiguousStrides(shape),
        0);
  }

  @Override
  public Tensor apply(nabla.ops.Primitive p, Tensor... inputs) {
    return Engine.apply(p, inputs);
  }
}
