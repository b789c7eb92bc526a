package nabla.ops;

import nabla.DType;
import nabla.Tensor;
import nabla.storage.Storage;

/**
 * The primitives' non-copying access to a tensor's layout, and construction without the public
 * checks (the JDK's {@code SharedSecrets} pattern: {@link Tensor} installs the implementation when
 * its class initialises, so it is there before any tensor exists).
 *
 * <p>{@link Tensor#shape()} and {@link Tensor#strides()} return copies, which is right for users
 * but costs an allocation per call; a primitive's forward reads them several times. Arrays read
 * through here are the tensor's own: <b>never write into them</b>. The constructors skip checks
 * that the caller has already made (a shape taken from a tensor or from broadcasting two tensors'
 * shapes is valid; a view's strides and offset come from an existing view).
 *
 * <p>Internal: package {@code nabla.ops} is not exported from module {@code nabla.core}.
 */
public final class TensorInternals {
  private TensorInternals() {}

  /** What {@link Tensor} provides. */
  public interface Access {
    /** The tensor's own shape array (not a copy). */
    int[] shape(Tensor t);

    /** The tensor's own strides array (not a copy). */
    int[] strides(Tensor t);

    /** A view over {@code storage}, unchecked; the arrays are kept, not copied. */
    Tensor view(Storage storage, int[] shape, int[] strides, int offset);

    /** A zero-filled contiguous tensor of a valid shape, unchecked; the array is kept. */
    Tensor empty(DType dtype, int[] shape);

    /**
     * A contiguous tensor of a valid shape whose every element the caller overwrites before any is
     * read: possibly a pooled buffer with old contents ({@link Storage#allocateForOverwrite}).
     */
    Tensor emptyForOverwrite(DType dtype, int[] shape);

    /** Applies a primitive through the engine (recorded when an input requires grad). */
    Tensor apply(Primitive p, Tensor... inputs);
  }

  private static Access access;

  /**
   * Called once, by {@link Tensor}'s static initialiser.
   *
   * @throws IllegalStateException when called a second time
   */
  public static synchronized void install(Access a) {
    if (access != null) {
      throw new IllegalStateException("TensorInternals: already installed (internal API)");
    }
    access = a;
  }

  static int[] shape(Tensor t) {
    return access.shape(t);
  }

  static int[] strides(Tensor t) {
    return access.strides(t);
  }

  static Tensor view(Storage storage, int[] shape, int[] strides, int offset) {
    return access.view(storage, shape, strides, offset);
  }

  static Tensor empty(DType dtype, int[] shape) {
    return access.empty(dtype, shape);
  }

  static Tensor emptyForOverwrite(DType dtype, int[] shape) {
    return access.emptyForOverwrite(dtype, shape);
  }

  static Tensor apply(Primitive p, Tensor... inputs) {
    return access.apply(p, inputs);
  }
}
