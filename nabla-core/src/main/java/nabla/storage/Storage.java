package nabla.storage;

import nabla.DType;

/**
 * A flat, typed buffer shared by all tensor views of the same data.
 *
 * <p>Exactly one of the arrays is non-null, chosen by {@link #dtype()}. The version counter is
 * bumped by every in-place write so that autograd can detect that a value it saved for backward was
 * changed afterwards.
 */
public final class Storage {
  private final DType dtype;

  /** Backing arrays; exactly one is non-null. Kernels read and write them directly. */
  public final float[] f;

  public final double[] d;
  public final long[] l;
  public final boolean[] b;

  private int version;
  private String lastWriter = "";
  private StackWalker.StackFrame lastWriterSite;

  private Storage(DType dtype, float[] f, double[] d, long[] l, boolean[] b) {
    this.dtype = dtype;
    this.f = f;
    this.d = d;
    this.l = l;
    this.b = b;
  }

  /** A zero-filled buffer of {@code size} elements. */
  public static Storage allocate(DType dtype, int size) {
    try {
      return switch (dtype) {
        case FLOAT32 -> new Storage(dtype, new float[size], null, null, null);
        case FLOAT64 -> new Storage(dtype, null, new double[size], null, null);
        case INT64 -> new Storage(dtype, null, null, new long[size], null);
        case BOOL -> new Storage(dtype, null, null, null, new boolean[size]);
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
    };
  }

  /** Reads element {@code i} as a double (slow path; kernels use the arrays). */
  public double getDouble(int i) {
    return switch (dtype) {
      case FLOAT32 -> f[i];
      case FLOAT64 -> d[i];
      case INT64 -> l[i];
      case BOOL -> b[i] ? 1 : 0;
    };
  }

  /** Writes element {@code i} from a double, converting as a cast would. */
  public void setDouble(int i, double v) {
    switch (dtype) {
      case FLOAT32 -> f[i] = (float) v;
      case FLOAT64 -> d[i] = v;
      case INT64 -> l[i] = (long) v;
      case BOOL -> b[i] = v != 0;
    }
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
