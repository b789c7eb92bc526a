package nabla.kernels;

import nabla.storage.Storage;

/**
 * Dispatch for elementwise work over contiguous ranges (operands contiguous or one broadcast
 * value): picks the kernel family of the element type from the {@link KernelProvider} chosen for
 * this JVM, and splits long ranges across {@link Parallel} threads.
 */
final class Flat {
  private Flat() {}

  // The chosen provider's families, in static final fields: the JIT treats them as constants and
  // binds each call below to one class, even when a test has loaded both providers.
  private static final ElementwiseKernelsFloat FLOAT = KernelProvider.chosen().elementwiseFloat();
  private static final ElementwiseKernelsDouble DOUBLE =
      KernelProvider.chosen().elementwiseDouble();
  private static final SumKernels SUMS = KernelProvider.chosen().sums();

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
    switch (a.dtype()) {
      case FLOAT32 -> FLOAT.binary(op, a.f, ai, as, b.f, bi, bs, out.f, oi, n);
      case FLOAT64 -> DOUBLE.binary(op, a.d, ai, as, b.d, bi, bs, out.d, oi, n);
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
    switch (a.dtype()) {
      case FLOAT32 -> FLOAT.compare(op, a.f, ai, as, b.f, bi, bs, out.b, oi, n);
      case FLOAT64 -> DOUBLE.compare(op, a.d, ai, as, b.d, bi, bs, out.b, oi, n);
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
    switch (out.dtype()) {
      case FLOAT32 -> FLOAT.where(c.b, ci, cs, a.f, ai, as, b.f, bi, bs, out.f, oi, n);
      case FLOAT64 -> DOUBLE.where(c.b, ci, cs, a.d, ai, as, b.d, bi, bs, out.d, oi, n);
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
    switch (in.dtype()) {
      case FLOAT32 -> FLOAT.unary(op, in.f, ii, out.f, oi, n);
      case FLOAT64 -> DOUBLE.unary(op, in.d, ii, out.d, oi, n);
      case INT64 -> Unary.rowScalarL(op, in.l, ii, out.l, oi, n);
      case BOOL -> throw new IllegalArgumentException(op + " is not defined for bool tensors");
    }
  }

  /**
   * Sum of a contiguous float32 or float64 range, in the fixed order of {@link SumKernels}. Long
   * ranges are cut into blocks of {@code CHUNK} elements whose partial sums are computed in
   * parallel and then added in block order, so the result does not depend on the thread count.
   */
  static double sum(Storage in, int off, int n) {
    return sum(SUMS, in, off, n);
  }

  /** {@link #sum(Storage, int, int)} with the given kernels (tests compare the providers). */
  static double sum(SumKernels sums, Storage in, int off, int n) {
    if (n < 2 * CHUNK) {
      return sumRange(sums, in, off, n);
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
            partial[b] = sumRange(sums, in, off + start, Math.min(CHUNK, n - start));
          }
        });
    double total = 0;
    for (double p : partial) {
      total += p;
    }
    return total;
  }

  private static double sumRange(SumKernels sums, Storage in, int off, int n) {
    return switch (in.dtype()) {
      case FLOAT32 -> sums.sum(in.f, off, n);
      case FLOAT64 -> sums.sum(in.d, off, n);
      default -> throw new AssertionError(in.dtype());
    };
  }

  /**
   * Whether a contiguous floating range holds a NaN (or, with {@code orInfinite}, NaN or ±∞).
   * Anomaly mode's scan. Branch-free per element: x - x is 0 for finite x and NaN otherwise, and a
   * NaN survives addition; for NaN alone, Math.min keeps a NaN (so -∞ and +∞ make none).
   */
  static boolean anyNaN(Storage in, int off, int n, boolean orInfinite) {
    double acc = 0;
    switch (in.dtype()) {
      case FLOAT32 -> {
        float[] a = in.f;
        for (int j = 0; j < n; j++) {
          float v = a[off + j];
          acc = orInfinite ? acc + (v - v) : Math.min(acc, v);
        }
      }
      case FLOAT64 -> {
        double[] a = in.d;
        for (int j = 0; j < n; j++) {
          double v = a[off + j];
          acc = orInfinite ? acc + (v - v) : Math.min(acc, v);
        }
      }
      default -> {
        return false;
      }
    }
    return acc != acc;
  }
}
