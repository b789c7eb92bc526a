package nabla;

import java.util.Arrays;
import nabla.kernels.Index;
import nabla.storage.Shapes;
import nabla.storage.Storage;

/**
 * The checks that keep views and indices inside their tensors, with messages that name the
 * operation: a strided view inside its storage, reshape targets, embed positions, single indices,
 * and int64 index tensors (checked by the gather kernel's own check, so there is one).
 */
final class ViewChecks {
  private ViewChecks() {}

  /** Rejects a view (shape, strides, offset) that reaches outside its storage. */
  static void checkInside(Storage storage, int[] shape, int[] strides, int offset) {
    if (shape.length != strides.length) {
      throw new IllegalArgumentException(
          "asStrided: shape "
              + Shapes.str(shape)
              + " and strides "
              + Arrays.toString(strides)
              + " have different lengths");
    }
    long lo = offset;
    long hi = offset;
    boolean empty = false;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] == 0) {
        empty = true;
      }
      long span = (long) (shape[i] - 1) * strides[i];
      if (span < 0) {
        lo += span;
      } else {
        hi += span;
      }
    }
    if (!empty && (lo < 0 || hi >= storage.size())) {
      throw new IllegalArgumentException(
          "asStrided: a view of shape "
              + Shapes.str(shape)
              + ", strides "
              + Arrays.toString(strides)
              + " and offset "
              + offset
              + " reaches outside a storage of "
              + storage.size()
              + " elements");
    }
  }

  /**
   * The first dimension along which a view repeats one memory location (stride 0, size above 1), or
   * -1: writing through such a view, or accumulating into it, is ambiguous.
   */
  static int expandedDim(int[] shape, int[] strides) {
    for (int i = 0; i < shape.length; i++) {
      if (strides[i] == 0 && shape[i] > 1) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Rejects int64 index values outside [0, size) for dimension {@code dim}, naming op (the gather
   * and scatter kernels check the same way, under their own names).
   */
  static void checkIndexRange(String op, Tensor index, int size, int dim) {
    Index.checkRange(index.shape, index.storage, index.offset, index.strides, size, dim, op);
  }

  /**
   * The position for {@link Tensor#get(int)}: {@code index} along dimension 0, from the end if < 0.
   */
  static int position(Tensor t, int index) {
    if (t.dim() == 0) {
      throw new IllegalArgumentException(
          "get: cannot index a 0-d tensor; read its value with item(), or reshape(1) it first");
    }
    int n = t.shape[0];
    int i = index < 0 ? index + n : index;
    if (i < 0 || i >= n) {
      throw new IndexOutOfBoundsException(
          "get: index "
              + index
              + " is out of range for dimension 0 of size "
              + n
              + " (valid: "
              + -n
              + " to "
              + (n - 1)
              + ")");
    }
    return i;
  }

  /** reshape's target for a tensor of {@code shape}: checked, with a -1 size inferred. */
  static int[] reshapeTarget(int[] shape, int[] newShape) {
    Checks.nonNull("reshape", "shape", newShape);
    long known = 1;
    int infer = -1;
    for (int i = 0; i < newShape.length; i++) {
      if (newShape[i] == -1) {
        if (infer >= 0) {
          throw new IllegalArgumentException(
              "reshape: only one dimension can be -1, got " + Arrays.toString(newShape));
        }
        infer = i;
      } else if (newShape[i] < 0) {
        throw new IllegalArgumentException(
            "reshape: invalid size " + newShape[i] + " in " + Arrays.toString(newShape));
      } else {
        known *= newShape[i];
        if (known > Integer.MAX_VALUE && Arrays.stream(newShape).noneMatch(d -> d == 0)) {
          throw Shapes.tooLarge("reshape", newShape);
        }
      }
    }
    int n = Shapes.numel(shape);
    int[] s = newShape.clone();
    if (infer >= 0) {
      if (known == 0 || n % known != 0) {
        throw cannotReshape(shape, newShape, "");
      }
      s[infer] = (int) (n / known);
    } else if (known != n) {
      throw cannotReshape(shape, newShape, " (" + known + " elements)");
    }
    return s;
  }

  private static IllegalArgumentException cannotReshape(int[] shape, int[] newShape, String tail) {
    return new IllegalArgumentException(
        "reshape: cannot reshape a tensor of shape "
            + Shapes.str(shape)
            + " ("
            + Shapes.numel(shape)
            + " elements) into "
            + Arrays.toString(newShape)
            + tail);
  }

  /**
   * Checks {@link Tensor#embed}'s arguments for a tensor of {@code shape}; returns the dimension
   * (from the end if negative).
   */
  static int embedDim(int[] shape, int[] target, int dim, int start, int step) {
    if (target.length == 0) {
      throw new IllegalArgumentException("embed: the target shape is 0-d, it has no dimension");
    }
    int d = Shapes.axis("embed", dim, target.length);
    if (start < 0 || step < 1) {
      throw new IllegalArgumentException(
          "embed: start must be >= 0 and step >= 1, got start " + start + " and step " + step);
    }
    int len = d < shape.length ? shape[d] : 0;
    if (target.length == shape.length && len > 0 && start + (len - 1L) * step >= target[d]) {
      throw new IllegalArgumentException(
          "embed: "
              + len
              + " elements at "
              + start
              + "::"
              + step
              + " do not fit into size "
              + target[d]
              + " of dimension "
              + d
              + " of "
              + Shapes.str(target));
    }
    return d;
  }
}
