package nabla.storage;

import java.util.Arrays;

/** Static helpers for shapes and strides (row-major). Shapes are plain {@code int[]}. */
public final class Shapes {
  private Shapes() {}

  /** The shape (and strides) of a 0-d tensor; shared, never modified. */
  private static final int[] SCALAR = new int[0];

  /**
   * Number of elements of a shape; 1 for a 0-d shape.
   *
   * @throws IllegalArgumentException when the count exceeds 2³¹−1 (the product is checked for
   *     overflow, so a huge shape is never mistaken for a small or empty one)
   */
  public static int numel(int[] shape) {
    return numel("numel", shape);
  }

  /** {@link #numel(int[])} naming the operation in its error. */
  public static int numel(String op, int[] shape) {
    long n = 1;
    for (int s : shape) {
      // n <= 2^31 and s <= 2^31 - 1 here, so the long product cannot overflow; a count past the
      // limit is held at 2^31, so that a later 0 still makes the shape empty.
      n *= s;
      if (n > Integer.MAX_VALUE || n < -Integer.MAX_VALUE) { // (negative sizes: checkSizes)
        n = Integer.MAX_VALUE + 1L;
      }
    }
    if (n > Integer.MAX_VALUE) {
      throw tooLarge(op, shape);
    }
    return (int) n;
  }

  /** The error for a shape whose element count does not fit a Java array index. */
  public static IllegalArgumentException tooLarge(String op, int[] shape) {
    return new IllegalArgumentException(
        op
            + ": shape "
            + str(shape)
            + " has "
            + exactCount(shape)
            + " elements; a Nabla tensor holds at most 2^31-1 = "
            + Integer.MAX_VALUE
            + " elements (Java arrays are int-indexed). Use smaller batches or split the tensor");
  }

  private static String exactCount(int[] shape) {
    java.math.BigInteger n = java.math.BigInteger.ONE;
    for (int s : shape) {
      n = n.multiply(java.math.BigInteger.valueOf(s));
    }
    return n.toString();
  }

  /**
   * Whether two shapes are equal. A plain loop: shapes have a handful of entries, where {@code
   * Arrays.equals}' vectorised mismatch costs more than it saves (it showed at the top of W2's
   * profile).
   */
  public static boolean same(int[] a, int[] b) {
    if (a == b) {
      return true;
    }
    if (a.length != b.length) {
      return false;
    }
    for (int i = 0; i < a.length; i++) {
      if (a[i] != b[i]) {
        return false;
      }
    }
    return true;
  }

  /** Row-major strides of a contiguous tensor of this shape. */
  public static int[] contiguousStrides(int[] shape) {
    if (shape.length == 0) {
      return SCALAR;
    }
    int[] strides = new int[shape.length];
    int s = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      strides[i] = s;
      s *= Math.max(shape[i], 1);
    }
    return strides;
  }

  /** Whether a view with these strides is laid out row-major without gaps. */
  public static boolean isContiguous(int[] shape, int[] strides) {
    int s = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      if (shape[i] != 1 && strides[i] != s) {
        return false;
      }
      s *= shape[i];
    }
    return true;
  }

  /** Formats a shape as {@code [2, 3]}. */
  public static String str(int[] shape) {
    return Arrays.toString(shape);
  }

  /**
   * NumPy broadcasting of two shapes.
   *
   * @throws IllegalArgumentException naming {@code op} and both shapes when they do not broadcast
   */
  public static int[] broadcast(String op, int[] a, int[] b) {
    if (same(a, b)) {
      return a;
    }
    int rank = Math.max(a.length, b.length);
    int[] out = new int[rank];
    for (int i = 0; i < rank; i++) {
      int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
      int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
      if (da == db || db == 1) {
        out[i] = da;
      } else if (da == 1) {
        out[i] = db;
      } else {
        throw new IllegalArgumentException(
            op
                + ": shapes "
                + str(a)
                + " and "
                + str(b)
                + " cannot be broadcast together (dimension "
                + i
                + " from the left of the result: "
                + da
                + " vs "
                + db
                + "); make the sizes equal or 1, e.g. with reshape or unsqueeze");
      }
    }
    return out;
  }

  /**
   * Strides that view a tensor of shape {@code shape} as the larger broadcast shape {@code target}
   * (stride 0 along broadcast dimensions).
   */
  public static int[] broadcastStrides(int[] shape, int[] strides, int[] target) {
    if (same(shape, target)) {
      return strides;
    }
    int[] out = new int[target.length];
    int lead = target.length - shape.length;
    for (int i = 0; i < target.length; i++) {
      if (i < lead) {
        out[i] = 0;
      } else {
        int s = shape[i - lead];
        out[i] = s == 1 && target[i] != 1 ? 0 : strides[i - lead];
      }
    }
    return out;
  }

  /** Normalises a possibly negative axis for a tensor of {@code rank}, or throws naming the op. */
  public static int axis(String op, int axis, int rank) {
    int r = Math.max(rank, 1);
    if (axis < -r || axis >= r) {
      throw new IllegalArgumentException(
          op
              + ": dimension "
              + axis
              + " is out of range for a tensor of rank "
              + rank
              + " (expected in ["
              + (-r)
              + ", "
              + (r - 1)
              + "])");
    }
    return axis < 0 ? axis + r : axis;
  }

  /**
   * Normalises the position of a new size-1 dimension inserted into a tensor of {@code rank} (in
   * [-rank-1, rank], as {@code unsqueeze} and {@code stack} take it), or throws naming the op.
   */
  public static int newAxis(String op, int axis, int rank) {
    if (axis < -rank - 1 || axis > rank) {
      throw new IllegalArgumentException(
          op
              + ": position "
              + axis
              + " is out of range for a new dimension of a tensor of rank "
              + rank
              + " (expected in ["
              + (-rank - 1)
              + ", "
              + rank
              + "])");
    }
    return axis < 0 ? axis + rank + 1 : axis;
  }

  /** Normalises a list of axes (sorted, unique); {@code null} means every axis. */
  public static int[] axes(String op, int[] axes, int rank) {
    if (axes == null) {
      int[] all = new int[rank];
      for (int i = 0; i < rank; i++) {
        all[i] = i;
      }
      return all;
    }
    boolean[] seen = new boolean[Math.max(rank, 1)];
    for (int a : axes) {
      int n = axis(op, a, rank);
      if (seen[n]) {
        throw new IllegalArgumentException(
            op + ": dimension " + a + " appears twice in " + Arrays.toString(axes));
      }
      seen[n] = true;
    }
    int count = 0;
    int[] out = new int[axes.length];
    for (int i = 0; i < seen.length; i++) {
      if (seen[i] && i < rank) {
        out[count++] = i;
      }
    }
    return Arrays.copyOf(out, count);
  }

  /** Shape after reducing {@code axes} (sorted, normalised); kept as size 1 when keepDim. */
  public static int[] reduced(int[] shape, int[] axes, boolean keepDim) {
    boolean[] r = new boolean[shape.length];
    for (int a : axes) {
      r[a] = true;
    }
    int[] out = new int[keepDim ? shape.length : shape.length - axes.length];
    int j = 0;
    for (int i = 0; i < shape.length; i++) {
      if (r[i]) {
        if (keepDim) {
          out[j++] = 1;
        }
      } else {
        out[j++] = shape[i];
      }
    }
    return out;
  }

  /** Checks that the shape is not null and every size is non-negative, naming the op. */
  public static int[] checkSizes(String op, int[] shape) {
    if (shape == null) {
      throw new IllegalArgumentException(op + ": shape must not be null");
    }
    if (shape.length == 0) {
      return SCALAR;
    }
    for (int s : shape) {
      if (s < 0) {
        throw new IllegalArgumentException(
            op + ": negative size in shape " + str(shape) + "; sizes must be >= 0");
      }
    }
    return shape.clone();
  }
}
