package nabla;

/**
 * Element types of a {@link Tensor}.
 *
 * <p>{@link #FLOAT32} is the default, as in PyTorch. Arithmetic between two dtypes promotes to the
 * wider one along {@code BOOL < INT64 < FLOAT32 < FLOAT64}; a Java {@code double} scalar does not
 * promote a floating tensor (so {@code float32 * 2.0} stays float32).
 *
 * <pre>{@code
 * Tensor x = Tensor.of(1, 2, 3).to(DType.FLOAT64);
 * x.dtype();            // FLOAT64
 * }</pre>
 */
public enum DType {
  /** Boolean masks and comparison results. */
  BOOL("bool", 1),
  /** 64-bit integers, used for indices. */
  INT64("int64", 8),
  /** 32-bit IEEE floats; the default. */
  FLOAT32("float32", 4),
  /** 64-bit IEEE floats; used for exact derivative checks. */
  FLOAT64("float64", 8);

  private final String pythonName;
  private final int byteSize;

  DType(String pythonName, int byteSize) {
    this.pythonName = pythonName;
    this.byteSize = byteSize;
  }

  /** Whether values of this type are floating point (and so can carry gradients). */
  public boolean isFloating() {
    return this == FLOAT32 || this == FLOAT64;
  }

  /** Size of one element in bytes. */
  public int byteSize() {
    return byteSize;
  }

  /** The wider of two dtypes, by the promotion order {@code BOOL < INT64 < FLOAT32 < FLOAT64}. */
  public static DType promote(DType a, DType b) {
    return a.ordinal() >= b.ordinal() ? a : b;
  }

  /** The name NumPy and PyTorch use, e.g. {@code "float32"}. */
  @Override
  public String toString() {
    return pythonName;
  }
}
