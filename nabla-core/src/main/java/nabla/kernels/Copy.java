package nabla.kernels;

import nabla.storage.Storage;

/** Strided copy between two views of the same shape, converting between dtypes like a cast. */
public final class Copy {
  private Copy() {}

  /** Writes {@code src} viewed by (srcOff, srcStrides) into {@code dst} viewed by (dstOff, dstStrides). */
  public static void copy(
      int[] shape,
      Storage src,
      int srcOff,
      int[] srcStrides,
      Storage dst,
      int dstOff,
      int[] dstStrides) {
    Loops.forEachRow(
        shape,
        new int[][] {dstStrides, srcStrides},
        new int[] {dstOff, srcOff},
        (o, s, n) -> row(src, o[1], s[1], dst, o[0], s[0], n));
  }

  private static void row(Storage src, int si, int ss, Storage dst, int di, int ds, int n) {
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
    switch (dst.dtype()) {
      case FLOAT32 -> java.util.Arrays.fill(dst.f, off, off + n, (float) value);
      case FLOAT64 -> java.util.Arrays.fill(dst.d, off, off + n, value);
      case INT64 -> java.util.Arrays.fill(dst.l, off, off + n, (long) value);
      case BOOL -> java.util.Arrays.fill(dst.b, off, off + n, value != 0);
    }
  }
}
