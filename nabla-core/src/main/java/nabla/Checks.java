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
