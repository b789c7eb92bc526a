package nabla;

/**
 * Null checks shared by the public entry points. A null where a tensor, array, dtype or function is
 * required is a caller's mistake (PyTorch raises a {@code TypeError} for {@code None}), so it gets
 * an {@link IllegalArgumentException} that names the operation and the parameter, never a
 * NullPointerException from deep inside.
 */
final class Checks {
  private Checks() {}

  /** Returns {@code value}, or throws naming {@code op} and {@code parameter} when it is null. */
  static <T> T nonNull(String op, String parameter, T value) {
    if (value == null) {
      throw new IllegalArgumentException(op + ": " + parameter + " must not be null");
    }
    return value;
  }

  /** Throws IllegalArgumentException naming op and parameter when value is NaN or infinite. */
  static double finite(String op, String parameter, double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(
          op + ": " + parameter + " must be a finite number, got " + value);
    }
    return value;
  }

  /**
   * Returns {@code t}, or throws when it has more than one element (a gradient can be implicitly
   * created only for one), naming the op and the shape and showing the fix.
   */
  static Tensor oneElement(String op, Tensor t) {
    if (t.numel() != 1) {
      String sizes = java.util.Arrays.toString(t.shape);
      throw new IllegalStateException(
          op
              + ": gradient can be implicitly created only for a tensor with one element, but"
              + " this one has shape "
              + sizes
              + ". Pass a head gradient of that shape, e.g. y.backward(Tensor.ones("
              + sizes.substring(1, sizes.length() - 1)
              + ")), or reduce first, e.g. y.sum().backward()");
    }
    return t;
  }

  /** Returns {@code values}, or throws when the array or one of its elements is null. */
  static <T> T[] noNulls(String op, String parameter, T[] values) {
    nonNull(op, parameter, values);
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        throw new IllegalArgumentException(
            op + ": " + parameter + "[" + i + "] must not be null (" + values.length + " given)");
      }
    }
    return values;
  }
}
