package nabla.kernels;

import nabla.storage.Storage;

/**
 * Dispatch for elementwise work over contiguous ranges: the Vector API kernels when {@link
 * Simd#enabled()} and the op has a vector path, scalar loops otherwise, split across {@link
 * Parallel} threads above a size threshold.
 */
final class Flat {
  private Flat() {}

  /** Below this many elements vector setup does not pay. */
  private static final int SIMD_MIN = 32;

  /** Elements per parallel chunk; ranges shorter than two chunks run on the calling thread. */
  private static final int CHUNK = 1 << 15;

  /**
   * out[oOff+j] = op(a[aOff+j*as], b[bOff+j*bs]) for j < n; as and bs are 1, or 0 for a broadcast
   * scalar. out may be a (accumulation in place).
   */
  static void binary(
      BinaryOp op,
      Storage a,
      int aOff,
      int as,
      Storage b,
      int bOff,
      int bs,
      Storage out,
      int oOff,
      int n) {
    if (n >= 2 * CHUNK) {
      Parallel.forRange(
          0,
          n,
          CHUNK,
          (s, e) ->
              binaryRange(op, a, aOff + s * as, as, b, bOff + s * bs, bs, out, oOff + s, e - s));
    } else {
      binaryRange(op, a, aOff, as, b, bOff, bs, out, oOff, n);
    }
  }

  static void binaryRange(
      BinaryOp op,
      Storage a,
      int ai,
      int as,
      Storage b,
      int bi,
      int bs,
      Storage out,
      int oi,
      int n) {
    boolean vector = Simd.enabled() && n >= SIMD_MIN && VectorKernels.hasBinary(op);
    switch (a.dtype()) {
      case FLOAT32 -> {
        if (vector) {
          VectorKernelsFloat.binary(op, a.f, ai, as, b.f, bi, bs, out.f, oi, n);
        } else {
          ScalarKernelsFloat.binary(op, a.f, ai, as, b.f, bi, bs, out.f, oi, n);
        }
      }
      case FLOAT64 -> {
        if (vector) {
          VectorKernelsDouble.binary(op, a.d, ai, as, b.d, bi, bs, out.d, oi, n);
        } else {
          ScalarKernelsDouble.binary(op, a.d, ai, as, b.d, bi, bs, out.d, oi, n);
        }
      }
      case INT64 -> Binary.rowL(op, a.l, ai, as, b.l, bi, bs, out.l, oi, n);
      case BOOL -> Binary.rowB(op, a.b, ai, as, b.b, bi, bs, out.b, oi, n);
    }
  }

  /**
   * out[oOff+j] = a[aOff+j*as] op b[bOff+j*bs] for a comparison op (bool output); as, bs 1 or 0.
   */
  static void compare(
      BinaryOp op,
      Storage a,
      int aOff,
      int as,
      Storage b,
      int bOff,
      int bs,
      Storage out,
      int oOff,
      int n) {
    if (n >= 2 * CHUNK) {
      Parallel.forRange(
          0,
          n,
          CHUNK,
          (s, e) ->
              compareRange(op, a, aOff + s * as, as, b, bOff + s * bs, bs, out, oOff + s, e - s));
    } else {
      compareRange(op, a, aOff, as, b, bOff, bs, out, oOff, n);
    }
  }

  static void compareRange(
      BinaryOp op,
      Storage a,
      int ai,
      int as,
      Storage b,
      int bi,
      int bs,
      Storage out,
      int oi,
      int n) {
    boolean vector = Simd.enabled() && n >= SIMD_MIN;
    switch (a.dtype()) {
      case FLOAT32 -> {
        if (vector) {
          VectorKernelsFloat.compare(op, a.f, ai, as, b.f, bi, bs, out.b, oi, n);
        } else {
          ScalarKernelsFloat.compare(op, a.f, ai, as, b.f, bi, bs, out.b, oi, n);
        }
      }
      case FLOAT64 -> {
        if (vector) {
          VectorKernelsDouble.compare(op, a.d, ai, as, b.d, bi, bs, out.b, oi, n);
        } else {
          ScalarKernelsDouble.compare(op, a.d, ai, as, b.d, bi, bs, out.b, oi, n);
        }
      }
      default -> Binary.compareRow(op, a, ai, as, b, bi, bs, out.b, oi, n);
    }
  }

  /** out[oOff+j] = c[..] ? a[..] : b[..]; every stride 1 or 0 (a broadcast value). */
  static void where(
      Storage c,
      int cOff,
      int cs,
      Storage a,
      int aOff,
      int as,
      Storage b,
      int bOff,
      int bs,
      Storage out,
      int oOff,
      int n) {
    if (n >= 2 * CHUNK) {
      Parallel.forRange(
          0,
          n,
          CHUNK,
          (s, e) ->
              whereRange(
                  c,
                  cOff + s * cs,
                  cs,
                  a,
                  aOff + s * as,
                  as,
                  b,
                  bOff + s * bs,
                  bs,
                  out,
                  oOff + s,
                  e - s));
    } else {
      whereRange(c, cOff, cs, a, aOff, as, b, bOff, bs, out, oOff, n);
    }
  }

  static void whereRange(
      Storage c,
      int ci,
      int cs,
      Storage a,
      int ai,
      int as,
      Storage b,
      int bi,
      int bs,
      Storage out,
      int oi,
      int n) {
    boolean vector = Simd.enabled() && n >= SIMD_MIN;
    switch (out.dtype()) {
      case FLOAT32 -> {
        if (vector) {
          VectorKernelsFloat.where(c.b, ci, cs, a.f, ai, as, b.f, bi, bs, out.f, oi, n);
        } else {
          Binary.whereRow(c, ci, cs, a, ai, as, b, bi, bs, out, oi, n);
        }
      }
      case FLOAT64 -> {
        if (vector) {
          VectorKernelsDouble.where(c.b, ci, cs, a.d, ai, as, b.d, bi, bs, out.d, oi, n);
        } else {
          Binary.whereRow(c, ci, cs, a, ai, as, b, bi, bs, out, oi, n);
        }
      }
      default -> Binary.whereRow(c, ci, cs, a, ai, as, b, bi, bs, out, oi, n);
    }
  }

  /** out[j] = op(in[off+j]) for j < n. */
  static void unary(UnaryOp op, Storage in, int off, Storage out, int n) {
    if (n >= 2 * CHUNK) {
      Parallel.forRange(0, n, CHUNK, (s, e) -> unaryRange(op, in, off + s, out, s, e - s));
    } else {
      unaryRange(op, in, off, out, 0, n);
    }
  }

  static void unaryRange(UnaryOp op, Storage in, int ii, Storage out, int oi, int n) {
    boolean vector = Simd.enabled() && n >= SIMD_MIN && VectorKernels.hasUnary(op);
    switch (in.dtype()) {
      case FLOAT32 -> {
        if (vector) {
          VectorKernelsFloat.unary(op, in.f, ii, out.f, oi, n);
        } else {
          ScalarKernelsFloat.unary(op, in.f, ii, 1, out.f, oi, n);
        }
      }
      case FLOAT64 -> {
        if (vector) {
          VectorKernelsDouble.unary(op, in.d, ii, out.d, oi, n);
        } else {
          ScalarKernelsDouble.unary(op, in.d, ii, 1, out.d, oi, n);
        }
      }
      case INT64 -> Unary.rowScalarL(op, in.l, ii, out.l, oi, n);
      case BOOL -> throw new IllegalArgumentException(op + " is not defined for bool tensors");
    }
  }

  /**
   * Sum of a contiguous float range, vectorised when possible. Long ranges are cut into blocks of
   * {@code CHUNK} elements whose partial sums are computed in parallel and then added in block
   * order, so the result does not depend on the thread count.
   */
  static double sum(Storage in, int off, int n) {
    if (n < 2 * CHUNK) {
      return sumRange(in, off, n);
    }
    int blocks = (int) (((long) n + CHUNK - 1) / CHUNK);
    double[] partial = new double[blocks];
    Parallel.forRange(
        0,
        blocks,
        1,
        (s, e) -> {
          for (int b = s; b < e; b++) {
            int start = b * CHUNK;
            partial[b] = sumRange(in, off + start, Math.min(CHUNK, n - start));
          }
        });
    double total = 0;
    for (double p : partial) {
      total += p;
    }
    return total;
  }

  private static double sumRange(Storage in, int off, int n) {
    if (Simd.enabled() && n >= SIMD_MIN) {
      return switch (in.dtype()) {
        case FLOAT32 -> VectorKernels.sumF(in.f, off, n);
        case FLOAT64 -> VectorKernels.sumD(in.d, off, n);
        default -> throw new AssertionError(in.dtype());
      };
    }
    double s = 0;
    switch (in.dtype()) {
      case FLOAT32 -> {
        for (int j = 0; j < n; j++) s += in.f[off + j];
      }
      case FLOAT64 -> {
        for (int j = 0; j < n; j++) s += in.d[off + j];
      }
      default -> throw new AssertionError(in.dtype());
    }
    return s;
  }

  /** Whether a contiguous floating range holds a NaN (or, with {@code orInfinite}, NaN or ±∞). */
  static boolean anyNaN(Storage in, int off, int n, boolean orInfinite) {
    if (Simd.enabled() && n >= SIMD_MIN) {
      return switch (in.dtype()) {
        case FLOAT32 -> VectorKernels.anyNaNF(in.f, off, n, orInfinite);
        case FLOAT64 -> VectorKernels.anyNaND(in.d, off, n, orInfinite);
        default -> false;
      };
    }
    switch (in.dtype()) {
      case FLOAT32 -> {
        for (int j = 0; j < n; j++) {
          float v = in.f[off + j];
          if (orInfinite ? v - v != 0 : v != v) {
            return true;
          }
        }
      }
      case FLOAT64 -> {
        for (int j = 0; j < n; j++) {
          double v = in.d[off + j];
          if (orInfinite ? v - v != 0 : v != v) {
            return true;
          }
        }
      }
      default -> {}
    }
    return false;
  }
}
