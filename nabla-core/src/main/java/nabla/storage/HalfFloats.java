package nabla.storage;

/**
 * Bit conversions of the 16-bit float types, as PyTorch's {@code c10::Half} and {@code
 * c10::BFloat16} do them: float16 is IEEE binary16 (round to nearest even, overflow to infinity,
 * subnormals kept); bfloat16 is the upper half of a float32, rounded to nearest even, every NaN
 * becoming the quiet NaN {@code 0x7FC0}.
 *
 * <pre>{@code
 * short h = HalfFloats.toFloat16(0.1f);       // 0x2E66
 * HalfFloats.float16ToFloat(h);               // 0.099975586
 * }</pre>
 */
public final class HalfFloats {
  private HalfFloats() {}

  /** The IEEE half-precision bits nearest to {@code v} (ties to even). */
  public static short toFloat16(float v) {
    return Float.floatToFloat16(v);
  }

  /** The float value of IEEE half-precision bits (exact). */
  public static float float16ToFloat(short bits) {
    return Float.float16ToFloat(bits);
  }

  /** The bfloat16 bits nearest to {@code v} (ties to even; NaN becomes 0x7FC0). */
  public static short toBFloat16(float v) {
    if (Float.isNaN(v)) {
      return (short) 0x7FC0;
    }
    int bits = Float.floatToRawIntBits(v);
    int bias = 0x7FFF + ((bits >>> 16) & 1);
    return (short) ((bits + bias) >>> 16);
  }

  /** The float value of bfloat16 bits (exact). */
  public static float bfloat16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xFFFF) << 16);
  }
}
