package nabla;

import nabla.ops.Primitive;
import nabla.ops.PrimitiveKind;

/**
 * How primitives run on the storage dtypes (int32, uint8, float16, bfloat16; {@link
 * DType#isStorageOnly()}): the kernels exist for bool, int64, float32 and float64 only, so {@link
 * Engine#apply} hands such a primitive here, which converts those inputs to their {@link
 * DType#computeType()}, applies the primitive to the converted tensors, and converts the result
 * back to the inputs' storage dtype when it came out in the compute type ({@code f16 + f16 → f16},
 * {@code i32 * i32 → i32}; a comparison stays bool). This is what PyTorch's CPU kernels do for
 * these types element by element: compute in float (or a wider integer), round once per operation.
 *
 * <p>The conversions are recorded like any {@code to(dtype)}, so gradients flow through them and a
 * float16 leaf gets a float16 gradient. Movement primitives (views and copies, {@link #moves}) run
 * on the storage dtypes directly, so a view of a float16 tensor still shares its storage; so do
 * custom functions and checkpoints, whose insides are tensor operations that come through here.
 */
final class StorageTypes {
  private StorageTypes() {}

  /** Whether {@code p} on these inputs must go through {@link #apply}. */
  static boolean applies(Primitive p, Tensor[] inputs) {
    for (int i = 0; i < inputs.length; i++) {
      Tensor t = inputs[i];
      if (t != null && t.dtype().isStorageOnly() && !isIndex(p.kind(), i)) {
        return !moves(p.kind());
      }
    }
    return false;
  }

  /**
   * Primitives that handle every dtype themselves: those that only view or copy elements, and
   * user-defined functions and checkpoints (whose forward and rules are tensor operations, each
   * converted here in turn, so the user's code sees the dtypes it was given).
   */
  private static boolean moves(PrimitiveKind kind) {
    if (kind == null) {
      return false;
    }
    return switch (kind) {
      case RESHAPE, EXPAND, PERMUTE, SLICE, PAD, CAT, CONTIGUOUS, CAST, CUSTOM -> true;
      default -> false;
    };
  }

  /**
   * Primitives whose integer result is int64 whatever the integer input, as in PyTorch ({@code sum}
   * and the scans of an int32 tensor are int64, an arg-reduction gives int64 indices).
   */
  private static boolean int64Result(PrimitiveKind kind) {
    if (kind == null) {
      return false;
    }
    return switch (kind) {
      case SUM, CUMSUM, CUMPROD, ARGMAX, ARGMIN -> true;
      default -> false;
    };
  }

  /**
   * Whether input {@code i} of a {@code kind} primitive is an index, which is neither converted nor
   * decides the result's dtype: the primitive then refuses an int32 index by name, as PyTorch does,
   * instead of returning int32 values gathered from an int64 tensor.
   */
  private static boolean isIndex(PrimitiveKind kind, int i) {
    return i == 1 && (kind == PrimitiveKind.GATHER || kind == PrimitiveKind.SCATTER_ADD);
  }

  /** Applies {@code p} in the compute dtypes and converts the result back (see the class doc). */
  static Tensor apply(Primitive p, Tensor[] inputs) {
    DType storage = null;
    Tensor[] converted = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      Tensor t = inputs[i];
      if (t != null && t.dtype().isStorageOnly() && !isIndex(p.kind(), i)) {
        storage = storage == null ? t.dtype() : DType.promote(storage, t.dtype());
        converted[i] = t.to(t.dtype().computeType());
      } else {
        converted[i] = t;
      }
    }
    Tensor out = Engine.apply(p, converted);
    if (storage != null
        && storage.isStorageOnly()
        && out.dtype() == storage.computeType()
        && !(storage.isInteger() && int64Result(p.kind()))) {
      return out.to(storage);
    }
    return out;
  }
}
