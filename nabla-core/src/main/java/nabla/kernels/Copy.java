package nabla.kernels;

import nabla.storage.Storage;

/** Strided copy between two views of the same shape, converting between dtypes like a cast. */
public final class Copy {
  private Copy() {}

  /**
   * Writes {@code src} viewed by (srcOff, srcStrides) into {@code dst} viewed by (dstOff,
   * dstStrides).
   */
  public static void copy(
      int[] shape,
      Storage src,
      int srcOff,
      int[] srcStrides,
      Storage dst,
      int dstOff,
      int[] dstStrides) {
    if (src == dst && overlaps(shape, srcOff, srcStrides, dstOff, dstStrides)) {
      // x[1:] = x[:-1] and the like: read everything before writing anything (memmove semantics
      // for every dtype and layout).
      int n = nabla.storage.Shapes.numel(shape);
      Storage tmp = Storage.allocate(src.dtype(), n);
      int[] contiguous = nabla.storage.Shapes.contiguousStrides(shape);
      copy(shape, src, srcOff, srcStrides, tmp, 0, contiguous);
      copy(shape, tmp, 0, contiguous, dst, dstOff, dstStrides);
      return;
    }
    // One element broadcast over a contiguous destination of its dtype (fill, zero, a scalar
    // expanded and copied): a parallel fill, not a strided copy (zero_ of 10M floats 5.1 -> 0.6
    // ms).
    if (src != dst
        && src.dtype() == dst.dtype()
        && allZero(srcStrides)
        && nabla.storage.Shapes.isContiguous(shape, dstStrides)) {
      int n = nabla.storage.Shapes.numel(shape);
      Parallel.forRange(0, n, FILL_CHUNK, (s, e) -> fillFrom(src, srcOff, dst, dstOff + s, e - s));
      return;
    }
    // Large contiguous copies between different storages run in parallel chunks. Within one
    // storage the ranges may overlap, and only a single System.arraycopy keeps memmove semantics.
    if (src != dst
        && nabla.storage.Shapes.isContiguous(shape, srcStrides)
        && nabla.storage.Shapes.isContiguous(shape, dstStrides)) {
      long n = nabla.storage.Shapes.numel(shape);
      if (n >= 2 * FILL_CHUNK) {
        Parallel.forRange(
            0, (int) n, FILL_CHUNK, (s, e) -> row(src, srcOff + s, 1, dst, dstOff + s, 1, e - s));
        return;
      }
    }
    Loops.forEachRow(
        shape,
        new int[][] {dstStrides, srcStrides},
        new int[] {dstOff, srcOff},
        (o, s, n) -> row(src, o[1], s[1], dst, o[0], s[0], n));
  }

  private static boolean allZero(int[] strides) {
    for (int st : strides) {
      if (st != 0) {
        return false;
      }
    }
    return true;
  }

  /** Whether two views of one storage can touch a common element (a conservative range test). */
  private static boolean overlaps(
      int[] shape, int srcOff, int[] srcStrides, int dstOff, int[] dstStrides) {
    long sLo = srcOff, sHi = srcOff, dLo = dstOff, dHi = dstOff;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] == 0) {
        return false;
      }
      long a = (long) (shape[i] - 1) * srcStrides[i];
      long b = (long) (shape[i] - 1) * dstStrides[i];
      sLo += Math.min(a, 0);
      sHi += Math.max(a, 0);
      dLo += Math.min(b, 0);
      dHi += Math.max(b, 0);
    }
    boolean same = srcOff == dstOff && nabla.storage.Shapes.same(srcStrides, dstStrides);
    return !same && sLo <= dHi && dLo <= sHi;
  }

  private static void row(Storage src, int si, int ss, Storage dst, int di, int ds, int n) {
    if (src.dtype().isStorageOnly() || dst.dtype().isStorageOnly()) {
      Storage.convert(src, si, ss, dst, di, ds, n); // int32, uint8, float16, bfloat16
      return;
    }
    switch (dst.dtype()) {
      case FLOAT32 -> {
        float[] out = dst.f;
        switch (src.dtype()) {
          case FLOAT32 -> {
            float[] in = src.f;
            if (ss == 1 && ds == 1) {
              System.arraycopy(in, si, out, di, n);
            } else {
              for (int j = 0; j < n; j++) out[di + j * ds] = in[si + j * ss];
            }
          }
          case FLOAT64 -> {
            double[] in = src.d;
            for (int j = 0; j < n; j++) out[di + j * ds] = (float) in[si + j * ss];
          }
          case INT64 -> {
            long[] in = src.l;
            for (int j = 0; j < n; j++) out[di + j * ds] = in[si + j * ss];
          }
          case BOOL -> {
            boolean[] in = src.b;
            for (int j = 0; j < n; j++) out[di + j * ds] = in[si + j * ss] ? 1f : 0f;
          }
        }
      }
      case FLOAT64 -> {
        double[] out = dst.d;
        switch (src.dtype()) {
          case FLOAT64 -> {
            double[] in = src.d;
            if (ss == 1 && ds == 1) {
              System.arraycopy(in, si, out, di, n);
            } else {
              for (int j = 0; j < n; j++) out[di + j * ds] = in[si + j * ss];
            }
          }
          case FLOAT32 -> {
            float[] in = src.f;
            for (int j = 0; j < n; j++) out[di + j * ds] = in[si + j * ss];
          }
          case INT64 -> {
            long[] in = src.l;
            for (int j = 0; j < n; j++) out[di + j * ds] = in[si + j * ss];
          }
          case BOOL -> {
            boolean[] in = src.b;
            for (int j = 0; j < n; j++) out[di + j * ds] = in[si + j * ss] ? 1 : 0;
          }
        }
      }
      case INT64 -> {
        long[] out = dst.l;
        switch (src.dtype()) {
          case INT64 -> {
            long[] in = src.l;
            for (int j = 0; j < n; j++) out[di + j * ds] = in[si + j * ss];
          }
          case FLOAT32 -> {
            float[] in = src.f;
            for (int j = 0; j < n; j++) out[di + j * ds] = (long) in[si + j * ss];
          }
          case FLOAT64 -> {
            double[] in = src.d;
            for (int j = 0; j < n; j++) out[di + j * ds] = (long) in[si + j * ss];
          }
          case BOOL -> {
            boolean[] in = src.b;
            for (int j = 0; j < n; j++) out[di + j * ds] = in[si + j * ss] ? 1 : 0;
          }
        }
      }
      case BOOL -> {
        boolean[] out = dst.b;
        for (int j = 0; j < n; j++) out[di + j * ds] = src.getDouble(si + j * ss) != 0;
      }
    }
  }

  /** Fills a contiguous range with a value. */
  public static void fill(Storage dst, int off, int n, double value) {
    if (n >= 2 * FILL_CHUNK) {
      Parallel.forRange(0, n, FILL_CHUNK, (s, e) -> fillRange(dst, off + s, e - s, value));
    } else {
      fillRange(dst, off, n, value);
    }
  }

  /**
   * Fills a contiguous range with element {@code si} of {@code src} (same dtype), as it is: no
   * round trip through a double (which would change a signalling NaN's bits or a large int64).
   */
  private static void fillFrom(Storage src, int si, Storage dst, int off, int n) {
    switch (dst.dtype()) {
      case FLOAT32 -> java.util.Arrays.fill(dst.f, off, off + n, src.f[si]);
      case FLOAT64 -> java.util.Arrays.fill(dst.d, off, off + n, src.d[si]);
      case INT64 -> java.util.Arrays.fill(dst.l, off, off + n, src.l[si]);
      case BOOL -> java.util.Arrays.fill(dst.b, off, off + n, src.b[si]);
      default -> Storage.convert(src, si, 0, dst, off, 1, n); // the storage types, same dtype
    }
  }

  /** Elements per parallel chunk of a fill (a 32k-float chunk is 128 KiB). */
  private static final int FILL_CHUNK = 1 << 15;

  private static void fillRange(Storage dst, int off, int n, double value) {
    switch (dst.dtype()) {
      case FLOAT32 -> java.util.Arrays.fill(dst.f, off, off + n, (float) value);
      case FLOAT64 -> java.util.Arrays.fill(dst.d, off, off + n, value);
      case INT64 -> java.util.Arrays.fill(dst.l, off, off + n, (long) value);
      case BOOL -> java.util.Arrays.fill(dst.b, off, off + n, value != 0);
      default -> {
        // The storage types: convert once, then copy the one element.
        if (n > 0) {
          dst.setDouble(off, value);
          Storage.convert(dst, off, 0, dst, off + 1, 1, n - 1);
        }
      }
    }
  }
}
