package nabla;

/**
 * Element types of a {@link Tensor}.
 *
 * <p>{@link #FLOAT32} is the default, as in PyTorch. Arithmetic between two dtypes promotes to the
 * wider one along PyTorch's order {@code BOOL < UINT8 < INT32 < INT64 < FLOAT16, BFLOAT16 < FLOAT32
 * < FLOAT64} (float16 with bfloat16 gives float32); a Java {@code double} scalar does not promote a
 * floating tensor (so {@code float32 * 2.0} stays float32).
 *
 * <p>{@link #INT32}, {@link #UINT8}, {@link #FLOAT16} and {@link #BFLOAT16} are storage types:
 * their elements are held in their own width (4, 1, 2 and 2 bytes), and operations compute in a
 * wider type ({@link #computeType()}: int64 for the integers, float32 for the half floats) and
 * round the result back to the storage type, as PyTorch's CPU kernels for these types do.
 *
 * <pre>{@code
 * Tensor x = Tensor.of(1, 2, 3).to(DType.FLOAT64);
 * x.dtype();                                     // FLOAT64
 * Tensor h = Tensor.of(0.1, 1e5).to(DType.FLOAT16);
 * System.out.println(h);                        // tensor([0.1000,    inf], dtype=float16)
 * }</pre>
 */
public enum DType {
  /** Boolean masks and comparison results. */
  BOOL("bool", 1, 0),
  /** 64-bit integers, used for indices. */
  INT64("int64", 8, 3),
  /** 32-bit IEEE floats; the default. */
  FLOAT32("float32", 4, 6),
  /** 64-bit IEEE floats; used for exact derivative checks. */
  FLOAT64("float64", 8, 7),
  /** 32-bit integers (storage type; computed in int64, wrapping back to 32 bits). */
  INT32("int32", 4, 2),
  /**
   * Unsigned 8-bit integers 0..255 (storage type; computed in int64, wrapping modulo 256, as
   * PyTorch's {@code uint8}).
   */
  UINT8("uint8", 1, 1),
  /** IEEE half precision (storage type; computed in float32, rounded to nearest even). */
  FLOAT16("float16", 2, 4),
  /**
   * bfloat16, the upper 16 bits of a float32 (storage type; computed in float32, rounded to nearest
   * even).
   */
  BFLOAT16("bfloat16", 2, 5);

  private final String pythonName;
  private final int byteSize;

  /**
   * Position in PyTorch's promotion order (not the declaration order, which keeps old ordinals).
   */
  private final int rank;

  DType(String pythonName, int byteSize, int rank) {
    this.pythonName = pythonName;
    this.byteSize = byteSize;
    this.rank = rank;
  }

  /** Whether values of this type are floating point (and so can carry gradients). */
  public boolean isFloating() {
    return this == FLOAT32 || this == FLOAT64 || this == FLOAT16 || this == BFLOAT16;
  }

  /** Whether this is an integer type (not bool): {@code UINT8}, {@code INT32} or {@code INT64}. */
  public boolean isInteger() {
    return this == INT64 || this == INT32 || this == UINT8;
  }

  /**
   * Whether operations on this type compute in another one ({@link #computeType()}): true for
   * {@code INT32}, {@code UINT8}, {@code FLOAT16} and {@code BFLOAT16}.
   */
  public boolean isStorageOnly() {
    return this == INT32 || this == UINT8 || this == FLOAT16 || this == BFLOAT16;
  }

  /**
   * The type arithmetic on this type runs in: int64 for int32 and uint8, float32 for float16 and
   * bfloat16, the type itself otherwise.
   *
   * <pre>{@code DType.FLOAT16.computeType()   // FLOAT32}</pre>
   */
  public DType computeType() {
    return switch (this) {
      case INT32, UINT8 -> INT64;
      case FLOAT16, BFLOAT16 -> FLOAT32;
      default -> this;
    };
  }

  /** Size of one element in bytes. */
  public int byteSize() {
    return byteSize;
  }

  /**
   * The dtype of arithmetic between the two, by PyTorch's promotion order {@code BOOL < UINT8 <
   * INT32 < INT64 < FLOAT16, BFLOAT16 < FLOAT32 < FLOAT64}; float16 with bfloat16 gives float32 (no
   * common 16-bit type holds both).
   *
   * <pre>{@code DType.promote(DType.UINT8, DType.INT32)   // INT32}</pre>
   */
  public static DType promote(DType a, DType b) {
    if ((a == FLOAT16 && b == BFLOAT16) || (a == BFLOAT16 && b == FLOAT16)) {
      return FLOAT32;
    }
    return a.rank >= b.rank ? a : b;
  }

  /** The name NumPy and PyTorch use, e.g. {@code "float32"}. */
  @Override
  public String toString() {
    return pythonName;
  }
}
