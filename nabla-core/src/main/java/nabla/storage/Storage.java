package nabla.storage;

import java.util.Arrays;
import nabla.DType;

/**
 * A flat, typed buffer shared by all tensor views of the same data.
 *
 * <p>Exactly one of the arrays is non-null, chosen by {@link #dtype()}: {@code f} float32, {@code
 * d} float64, {@code l} int64, {@code b} bool, {@code i} int32, {@code u} uint8 (bytes read as
 * 0..255) and {@code h} the bit patterns of float16 or bfloat16 ({@link HalfFloats}). The version
 * counter is bumped by every in-place write so that autograd can detect that a value it saved for
 * backward was changed afterwards.
 */
public final class Storage {
  private final DType dtype;

  /** Backing arrays; exactly one is non-null. Kernels read and write them directly. */
  public final float[] f;

  public final double[] d;
  public final long[] l;
  public final boolean[] b;

  /** int32 elements. */
  public final int[] i;

  /** uint8 elements: a byte's bits, read as 0..255 ({@code u[k] & 0xFF}). */
  public final byte[] u;

  /** float16 or bfloat16 elements as their 16-bit patterns. */
  public final short[] h;

  private int version;
  private String lastWriter = "";
  private StackWalker.StackFrame lastWriterSite;

  private Storage(DType dtype, float[] f, double[] d, long[] l, boolean[] b) {
    this(dtype, f, d, l, b, null, null, null);
  }

  private Storage(
      DType dtype, float[] f, double[] d, long[] l, boolean[] b, int[] i, byte[] u, short[] h) {
    this.dtype = dtype;
    this.f = f;
    this.d = d;
    this.l = l;
    this.b = b;
    this.i = i;
    this.u = u;
    this.h = h;
  }

  /**
   * A zero-filled buffer of {@code size} elements: a buffer from the {@link BufferPool}, zeroed,
   * when one of this dtype and size is free (filling a recently used array costs less than the
   * JVM's zeroing of a new one, and the pool takes back zero-filled buffers too, so they must be
   * taken again or the pool fills with sizes nothing asks for), else a new one.
   */
  public static Storage allocate(DType dtype, int size) {
    return allocate(dtype, size, true);
  }

  /**
   * A buffer of {@code size} elements whose every element the caller will write before anything
   * reads it: a buffer from the {@link BufferPool} (with old contents) when one of this dtype and
   * size is free, else a new zero-filled one. Kernels use it for outputs they overwrite entirely.
   */
  public static Storage allocateForOverwrite(DType dtype, int size) {
    return allocate(dtype, size, false);
  }

  private static Storage allocate(DType dtype, int size, boolean zero) {
    Object pooled = BufferPool.take(dtype, size);
    Storage s;
    if (pooled == null) {
      s = allocateNew(dtype, size);
    } else if (pooled instanceof float[] fa) {
      if (zero) {
        Arrays.fill(fa, 0, size, 0f);
      }
      s = new Storage(dtype, fa, null, null, null);
    } else {
      double[] da = (double[]) pooled;
      if (zero) {
        Arrays.fill(da, 0, size, 0d);
      }
      s = new Storage(dtype, null, da, null, null);
    }
    BufferPool.allocated(s, size);
    return s;
  }

  private static Storage allocateNew(DType dtype, int size) {
    try {
      return switch (dtype) {
        case FLOAT32 -> new Storage(dtype, new float[size], null, null, null);
        case FLOAT64 -> new Storage(dtype, null, new double[size], null, null);
        case INT64 -> new Storage(dtype, null, null, new long[size], null);
        case BOOL -> new Storage(dtype, null, null, null, new boolean[size]);
        case INT32 -> wrap(new int[size]);
        case UINT8 -> wrapUint8(new byte[size]);
        case FLOAT16, BFLOAT16 -> wrapHalf(dtype, new short[size]);
      };
    } catch (OutOfMemoryError e) {
      // Only this allocation failed (nothing was half-built), so a clear, catchable error is safe.
      long bytes = (long) size * dtype.byteSize();
      throw new IllegalStateException(
          "not enough Java heap for a "
              + dtype
              + " tensor of "
              + size
              + " elements ("
              + String.format("%.1f", bytes / (1024.0 * 1024 * 1024))
              + " GiB; max heap "
              + String.format("%.1f", Runtime.getRuntime().maxMemory() / (1024.0 * 1024 * 1024))
              + " GiB): start the JVM with a larger -Xmx, or use smaller tensors",
          e);
    }
  }

  /** Wraps an array without copying. */
  public static Storage wrap(float[] data) {
    return new Storage(DType.FLOAT32, data, null, null, null);
  }

  /** Wraps an array without copying. */
  public static Storage wrap(double[] data) {
    return new Storage(DType.FLOAT64, null, data, null, null);
  }

  /** Wraps an array without copying. */
  public static Storage wrap(long[] data) {
    return new Storage(DType.INT64, null, null, data, null);
  }

  /** Wraps an array without copying. */
  public static Storage wrap(boolean[] data) {
    return new Storage(DType.BOOL, null, null, null, data);
  }

  /** Wraps an array of int32 elements without copying. */
  public static Storage wrap(int[] data) {
    return new Storage(DType.INT32, null, null, null, null, data, null, null);
  }

  /** Wraps an array of uint8 elements (each byte read as 0..255) without copying. */
  public static Storage wrapUint8(byte[] data) {
    return new Storage(DType.UINT8, null, null, null, null, null, data, null);
  }

  /**
   * Wraps 16-bit patterns of {@code dtype} ({@link DType#FLOAT16} or {@link DType#BFLOAT16})
   * without copying.
   */
  public static Storage wrapHalf(DType dtype, short[] bits) {
    if (dtype != DType.FLOAT16 && dtype != DType.BFLOAT16) {
      throw new IllegalArgumentException(
          "Storage.wrapHalf: dtype must be FLOAT16 or BFLOAT16, got " + dtype);
    }
    return new Storage(dtype, null, null, null, null, null, null, bits);
  }

  public DType dtype() {
    return dtype;
  }

  /** Number of elements in the buffer. */
  public int size() {
    return switch (dtype) {
      case FLOAT32 -> f.length;
      case FLOAT64 -> d.length;
      case INT64 -> l.length;
      case BOOL -> b.length;
      case INT32 -> i.length;
      case UINT8 -> u.length;
      case FLOAT16, BFLOAT16 -> h.length;
    };
  }

  /** Reads element {@code i} as a double (slow path; kernels use the arrays). */
  public double getDouble(int i) {
    return switch (dtype) {
      case FLOAT32 -> f[i];
      case FLOAT64 -> d[i];
      case INT64 -> l[i];
      case BOOL -> b[i] ? 1 : 0;
      case INT32 -> this.i[i];
      case UINT8 -> u[i] & 0xFF;
      case FLOAT16 -> HalfFloats.float16ToFloat(h[i]);
      case BFLOAT16 -> HalfFloats.bfloat16ToFloat(h[i]);
    };
  }

  /**
   * Reads element {@code k} as a long: exact for the integer types and bool, truncated toward zero
   * for floats.
   */
  public long getLong(int k) {
    return switch (dtype) {
      case INT64 -> l[k];
      case INT32 -> i[k];
      case UINT8 -> u[k] & 0xFF;
      case BOOL -> b[k] ? 1 : 0;
      default -> (long) getDouble(k);
    };
  }

  /** Writes element {@code i} from a double, converting as a cast would. */
  public void setDouble(int i, double v) {
    switch (dtype) {
      case FLOAT32 -> f[i] = (float) v;
      case FLOAT64 -> d[i] = v;
      case INT64 -> l[i] = (long) v;
      case BOOL -> b[i] = v != 0;
      case INT32 -> this.i[i] = toInt32(v);
      case UINT8 -> u[i] = (byte) toInt64Wrapping(v);
      // Through float first, as PyTorch converts a double to half (c10::Half takes a float).
      case FLOAT16 -> h[i] = HalfFloats.toFloat16((float) v);
      case BFLOAT16 -> h[i] = HalfFloats.toBFloat16((float) v);
    }
  }

  /**
   * Writes element {@code k} from a long, converting as a cast would (int32 and uint8 keep the low
   * 32 and 8 bits, as PyTorch's integer conversions wrap).
   */
  public void setLong(int k, long v) {
    switch (dtype) {
      case INT64 -> l[k] = v;
      case INT32 -> i[k] = (int) v;
      case UINT8 -> u[k] = (byte) v;
      case BOOL -> b[k] = v != 0;
      default -> setDouble(k, v);
    }
  }

  /**
   * A float converted to int32 as PyTorch does on x86: truncation toward zero, and the bit pattern
   * 0x80000000 (Integer.MIN_VALUE) for NaN and values out of range (Java's cast would saturate).
   */
  private static int toInt32(double v) {
    return v > -2147483649.0 && v < 2147483648.0 ? (int) v : Integer.MIN_VALUE;
  }

  /** A float converted to int64 as x86 does: Long.MIN_VALUE for NaN and values out of range. */
  private static long toInt64Wrapping(double v) {
    return v >= -0x1p63 && v < 0x1p63 ? (long) v : Long.MIN_VALUE;
  }

  /**
   * Copies {@code n} elements from {@code src} (start {@code si}, stride {@code ss}) into {@code
   * dst} (start {@code di}, stride {@code ds}), converting as {@code Tensor.to} does; used for the
   * storage types (int32, uint8, float16, bfloat16), and correct for every pair. Integer to integer
   * conversions are exact modulo the target's width; anything else goes through a double.
   */
  public static void convert(Storage src, int si, int ss, Storage dst, int di, int ds, int n) {
    DType from = src.dtype;
    DType to = dst.dtype;
    if (from == to) {
      Object a = src.array();
      Object b = dst.array();
      if (ss == 1 && ds == 1) {
        System.arraycopy(a, si, b, di, n);
        return;
      }
      switch (from) {
        case INT32 -> {
          for (int j = 0; j < n; j++) dst.i[di + j * ds] = src.i[si + j * ss];
        }
        case UINT8 -> {
          for (int j = 0; j < n; j++) dst.u[di + j * ds] = src.u[si + j * ss];
        }
        case FLOAT16, BFLOAT16 -> {
          for (int j = 0; j < n; j++) dst.h[di + j * ds] = src.h[si + j * ss];
        }
        case FLOAT32 -> {
          for (int j = 0; j < n; j++) dst.f[di + j * ds] = src.f[si + j * ss];
        }
        case FLOAT64 -> {
          for (int j = 0; j < n; j++) dst.d[di + j * ds] = src.d[si + j * ss];
        }
        default -> { // int64 and bool through a long
          for (int j = 0; j < n; j++) {
            dst.setLong(di + j * ds, src.getLong(si + j * ss));
          }
        }
      }
      return;
    }
    if (convertToOrFromComputeType(src, si, ss, dst, di, ds, n)) {
      return;
    }
    boolean exactIntegers = !from.isFloating() && !to.isFloating();
    if (exactIntegers) {
      for (int j = 0; j < n; j++) dst.setLong(di + j * ds, src.getLong(si + j * ss));
    } else if (to == DType.BOOL) {
      for (int j = 0; j < n; j++) dst.b[di + j * ds] = src.getDouble(si + j * ss) != 0;
    } else {
      for (int j = 0; j < n; j++) dst.setDouble(di + j * ds, src.getDouble(si + j * ss));
    }
  }

  /**
   * The conversions every operation on a storage type makes (to its compute type and back), as
   * plain typed loops; false for the other pairs.
   */
  private static boolean convertToOrFromComputeType(
      Storage src, int si, int ss, Storage dst, int di, int ds, int n) {
    switch (src.dtype) {
      case FLOAT16 -> {
        if (dst.dtype != DType.FLOAT32) {
          return false;
        }
        for (int j = 0; j < n; j++) dst.f[di + j * ds] = Float.float16ToFloat(src.h[si + j * ss]);
      }
      case BFLOAT16 -> {
        if (dst.dtype != DType.FLOAT32) {
          return false;
        }
        for (int j = 0; j < n; j++) {
          dst.f[di + j * ds] = HalfFloats.bfloat16ToFloat(src.h[si + j * ss]);
        }
      }
      case INT32 -> {
        if (dst.dtype != DType.INT64) {
          return false;
        }
        for (int j = 0; j < n; j++) dst.l[di + j * ds] = src.i[si + j * ss];
      }
      case UINT8 -> {
        if (dst.dtype != DType.INT64) {
          return false;
        }
        for (int j = 0; j < n; j++) dst.l[di + j * ds] = src.u[si + j * ss] & 0xFF;
      }
      case FLOAT32 -> {
        if (dst.dtype == DType.FLOAT16) {
          for (int j = 0; j < n; j++) dst.h[di + j * ds] = Float.floatToFloat16(src.f[si + j * ss]);
        } else if (dst.dtype == DType.BFLOAT16) {
          for (int j = 0; j < n; j++) {
            dst.h[di + j * ds] = HalfFloats.toBFloat16(src.f[si + j * ss]);
          }
        } else {
          return false;
        }
      }
      case INT64 -> {
        if (dst.dtype == DType.INT32) {
          for (int j = 0; j < n; j++) dst.i[di + j * ds] = (int) src.l[si + j * ss];
        } else if (dst.dtype == DType.UINT8) {
          for (int j = 0; j < n; j++) dst.u[di + j * ds] = (byte) src.l[si + j * ss];
        } else {
          return false;
        }
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  /** The one non-null backing array. */
  private Object array() {
    return switch (dtype) {
      case FLOAT32 -> f;
      case FLOAT64 -> d;
      case INT64 -> l;
      case BOOL -> b;
      case INT32 -> i;
      case UINT8 -> u;
      case FLOAT16, BFLOAT16 -> h;
    };
  }

  /** The in-place write counter. */
  public int version() {
    return version;
  }

  /** The name of the last operation that wrote in place, for error messages. */
  public String lastWriter() {
    return lastWriter;
  }

  /** The Java line of the last in-place write, when it was made in anomaly mode; else null. */
  public StackWalker.StackFrame lastWriterSite() {
    return lastWriterSite;
  }

  /** Records an in-place write by the named operation. */
  public void bumpVersion(String writer) {
    bumpVersion(writer, null);
  }

  /**
   * Records an in-place write by the named operation, made at {@code site} (the caller's frame,
   * recorded in anomaly mode; null when unknown).
   */
  public void bumpVersion(String writer, StackWalker.StackFrame site) {
    version++;
    lastWriter = writer;
    lastWriterSite = site;
  }
}
