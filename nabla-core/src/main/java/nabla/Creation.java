package nabla;

import nabla.kernels.Copy;
import nabla.storage.Shapes;
import nabla.storage.Storage;

/**
 * New tensors: views of a storage, tensors from Java arrays, filled tensors, the identity, and
 * detached contiguous copies ({@link Ranges} makes arange and linspace, {@link Generator} random
 * samples). Every tensor made here is a leaf that does not require grad.
 */
final class Creation {
  private Creation() {}

  /** PyTorch's {@code as_strided}, after checking that every element lies inside the storage. */
  static Tensor asStrided(Storage storage, int[] shape, int[] strides, int offset) {
    Checks.nonNull("asStrided", "storage", storage);
    Shapes.checkSizes("asStrided", shape);
    Shapes.numel("asStrided", shape);
    Checks.nonNull("asStrided", "strides", strides);
    ViewChecks.checkInside(storage, shape, strides, offset);
    return new Tensor(storage, shape.clone(), strides.clone(), offset);
  }

  /** A contiguous tensor over a whole storage of exactly numel(shape) elements. */
  static Tensor fromStorage(Storage storage, int[] shape) {
    Checks.nonNull("fromStorage", "storage", storage);
    checkLength("fromStorage", "", storage.size(), shape);
    return new Tensor(storage, shape.clone(), Shapes.contiguousStrides(shape), 0);
  }

  /** A new zero-filled contiguous tensor. */
  static Tensor empty(DType dtype, int[] shape) {
    Checks.nonNull("empty", "dtype", dtype);
    int[] s = Shapes.checkSizes("empty", shape);
    return zeroFilled(dtype, s, Shapes.numel("empty", s));
  }

  /** A new zero-filled tensor of a checked shape {@code s} with {@code n} elements. */
  static Tensor zeroFilled(DType dtype, int[] s, int n) {
    return new Tensor(Storage.allocate(dtype, n), s, Shapes.contiguousStrides(s), 0);
  }

  /** float32 from doubles, rounded once. */
  static Tensor ofFloats(double[] data, int[] shape) {
    checkLength("of", "of: ", Checks.nonNull("of", "data", data).length, shape);
    float[] f = new float[data.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) data[i];
    }
    return fromStorage(Storage.wrap(f), shape);
  }

  /** float32 from floats (copied). */
  static Tensor ofFloats(float[] data, int[] shape) {
    checkLength("of", "of: ", Checks.nonNull("of", "data", data).length, shape);
    return fromStorage(Storage.wrap(data.clone()), shape);
  }

  /** float64 (copied). */
  static Tensor ofDoubles(double[] data, int[] shape) {
    checkLength(
        "ofDoubles", "ofDoubles: ", Checks.nonNull("ofDoubles", "data", data).length, shape);
    return fromStorage(Storage.wrap(data.clone()), shape);
  }

  /**
   * float32 from nested arrays of {@code depth} levels (rows of a matrix, or matrices of a 3-d
   * tensor) of equal lengths; an empty level makes the remaining sizes 0.
   */
  static Tensor ofNested(Object nested, int depth) {
    Checks.nonNull("of", "data", nested);
    int[] s = new int[depth];
    Object level = nested;
    for (int d = 0; d < depth; d++) {
      if (level == null) {
        throw ragged(new int[depth], d, -1, 0);
      }
      int n = level instanceof double[] r ? r.length : ((Object[]) level).length;
      s[d] = n;
      if (n == 0) {
        break; // the deeper sizes stay 0
      }
      level = d + 1 < depth ? ((Object[]) level)[0] : null;
    }
    double[] flat = new double[Shapes.numel("of", s)];
    walk(nested, s, 0, flat, new int[] {0}, new int[depth]);
    return ofFloats(flat, s);
  }

  /** Checks that the nested arrays are rectangular and copies their numbers into out, in order. */
  private static void walk(Object a, int[] s, int d, double[] out, int[] at, int[] path) {
    int n = a == null ? -1 : a instanceof double[] r ? r.length : ((Object[]) a).length;
    if (n != s[d]) {
      throw ragged(path, d, n, s[d]);
    }
    if (a instanceof double[] r) {
      System.arraycopy(r, 0, out, at[0], r.length);
      at[0] += r.length;
      return;
    }
    Object[] outer = (Object[]) a;
    for (int i = 0; i < outer.length; i++) {
      path[d] = i;
      walk(outer[i], s, d + 1, out, at, path);
    }
  }

  private static IllegalArgumentException ragged(int[] path, int d, int n, int expected) {
    return new IllegalArgumentException(
        "of: nested arrays must be rectangular: the array at "
            + java.util.Arrays.toString(java.util.Arrays.copyOf(path, d))
            + " has "
            + (n < 0 ? "null" : n + " elements")
            + " but its first sibling has "
            + expected
            + "; give every row the same length");
  }

  /** int64 (copied); with no shape, 1-d. */
  static Tensor ofLongs(long[] data, int[] shape) {
    Checks.nonNull("ofLongs", "data", data);
    int[] s = orVector("ofLongs", shape, data.length);
    checkLength("ofLongs", "ofLongs: ", data.length, s);
    return fromStorage(Storage.wrap(data.clone()), s);
  }

  /** bool (copied); with no shape, 1-d. */
  static Tensor ofBooleans(boolean[] data, int[] shape) {
    Checks.nonNull("ofBooleans", "data", data);
    int[] s = orVector("ofBooleans", shape, data.length);
    checkLength("ofBooleans", "ofBooleans: ", data.length, s);
    return fromStorage(Storage.wrap(data.clone()), s);
  }

  /** A new tensor filled with a value; a negative size is reported under the caller's name. */
  static Tensor filled(String op, double value, DType dtype, int[] shape) {
    int[] s = Shapes.checkSizes(op, shape);
    int n = Shapes.numel(op, s);
    Tensor t = zeroFilled(Checks.nonNull("empty", "dtype", dtype), s, n);
    if (value != 0) {
      Copy.fill(t.storage, 0, n, value);
    }
    return t;
  }

  /** The n×n float32 identity matrix. */
  static Tensor eye(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("eye: the size n must be >= 0, got " + n);
    }
    Tensor t = filled("eye", 0, DType.FLOAT32, new int[] {n, n});
    for (int i = 0; i < n; i++) {
      t.storage.f[i * n + i] = 1;
    }
    return t;
  }

  /** A contiguous copy of t's elements, detached from the graph, with a storage of its own. */
  static Tensor contiguousCopy(Tensor t) {
    Tensor out = empty(t.dtype(), t.shape);
    Copy.copy(t.shape, t.storage, t.offset, t.strides, out.storage, 0, out.strides);
    return out;
  }

  /** The given shape, or [length] when none is given. */
  private static int[] orVector(String op, int[] shape, int length) {
    return Checks.nonNull(op, "shape", shape).length == 0 ? new int[] {length} : shape;
  }

  /** Rejects a data length that is not the shape's element count; prefix starts the message. */
  private static void checkLength(String op, String prefix, int length, int[] shape) {
    Shapes.checkSizes(op, shape);
    int n = Shapes.numel(shape);
    if (length != n) {
      throw new IllegalArgumentException(
          prefix
              + "data length "
              + length
              + " does not match shape "
              + Shapes.str(shape)
              + ", which has "
              + n
              + " elements");
    }
  }
}
