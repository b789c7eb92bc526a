package nabla.kernels;

import nabla.DType;
import nabla.storage.Shapes;
import nabla.storage.Storage;

/**
 * Elementwise binary kernels with broadcasting: both inputs are strided views already expanded to
 * the output shape (stride 0 along broadcast dimensions) and of the same dtype; the output is
 * contiguous from offset 0 and has that dtype, or bool for comparisons.
 */
public final class Binary {
  private Binary() {}

  /** out = op(a, b) elementwise over {@code shape}. */
  public static void apply(
      BinaryOp op,
      int[] shape,
      Storage a,
      int aOff,
      int[] aStrides,
      Storage b,
      int bOff,
      int[] bStrides,
      Storage out) {
    DType t = a.dtype();
    // Each operand contiguous with the output's shape or one broadcast value: one flat loop
    // (vectorised and parallel when large), no index bookkeeping.
    int as = flatStride(shape, aStrides);
    int bs = flatStride(shape, bStrides);
    if (as >= 0 && bs >= 0) {
      int n = Shapes.numel(shape);
      if (op.isComparison()) {
        Flat.compare(op, a, aOff, as, b, bOff, bs, out, 0, n);
      } else {
        Flat.binary(op, a, aOff, as, b, bOff, bs, out, 0, n);
      }
      return;
    }
    // A broadcast over at most two merged dimensions with short rows (a matrix and a row or a
    // column, say [256, 10] + [10]): one plain loop over the rows, the op chosen once; a vector
    // kernel call per row costs more than its few elements.
    if ((t == DType.FLOAT64 || t == DType.FLOAT32)
        && !op.isComparison()
        && Shapes.numel(shape) < ROW_PARALLEL_MIN) {
      int[] r = Loops.asRows(shape, aStrides, bStrides);
      if (r != null && r[1] < SHORT_ROW) {
        if (t == DType.FLOAT64) {
          ScalarKernelsDouble.INSTANCE.binaryRows(
              op, a.d, aOff, r[2], r[3], b.d, bOff, r[4], r[5], out.d, r[0], r[1]);
        } else {
          ScalarKernelsFloat.INSTANCE.binaryRows(
              op, a.f, aOff, r[2], r[3], b.f, bOff, r[4], r[5], out.f, r[0], r[1]);
        }
        return;
      }
    }
    // General broadcasting: rows in parallel; rows whose operands are contiguous or a broadcast
    // value (e.g. a bias row added to every row of a matrix) use the flat vector kernels.
    Loops.forEachRowParallel(
        shape,
        new int[][] {Shapes.contiguousStrides(shape), aStrides, bStrides},
        new int[] {0, aOff, bOff},
        ROW_PARALLEL_MIN,
        (o, s, n) -> {
          boolean flat = (s[1] == 0 || s[1] == 1) && (s[2] == 0 || s[2] == 1);
          if (op.isComparison()) {
            if (flat) {
              Flat.compareRange(op, a, o[1], s[1], b, o[2], s[2], out, o[0], n);
            } else {
              compareRow(op, a, o[1], s[1], b, o[2], s[2], out.b, o[0], n);
            }
            return;
          }
          if (flat) {
            Flat.binaryRange(op, a, o[1], s[1], b, o[2], s[2], out, o[0], n);
            return;
          }
          switch (t) {
            case FLOAT32 ->
                ScalarKernelsFloat.INSTANCE.binary(
                    op, a.f, o[1], s[1], b.f, o[2], s[2], out.f, o[0], n);
            case FLOAT64 ->
                ScalarKernelsDouble.INSTANCE.binary(
                    op, a.d, o[1], s[1], b.d, o[2], s[2], out.d, o[0], n);
            case INT64 -> rowL(op, a.l, o[1], s[1], b.l, o[2], s[2], out.l, o[0], n);
            case BOOL -> rowB(op, a.b, o[1], s[1], b.b, o[2], s[2], out.b, o[0], n);
          }
        });
  }

  /**
   * Rows shorter than this run as one plain loop over all rows ({@link
   * ScalarKernelsDouble#binaryRows}) instead of one vector kernel call per row. Measured on AMD
   * EPYC Zen 5 (float32 and float64, matrix times a row and plus a column): [64, 8] 1,030-1,400 ns
   * per row call vs 410-600 ns as one loop, [128, 16] 2,900-3,500 vs 1,300-1,900, [32, 32] even
   * (650-850 both), [8, 256] 610-910 vs 1,170-1,640: the loop does not vectorise (its offsets may
   * alias), so long rows keep the vector kernel.
   */
  static final int SHORT_ROW = 32;

  /** Output elements below which a strided (broadcasting) loop stays on the calling thread. */
  static final long ROW_PARALLEL_MIN = 1 << 15;

  /** 1 for a contiguous operand, 0 for one broadcast value, -1 otherwise. */
  private static int flatStride(int[] shape, int[] strides) {
    return isFlat(shape, strides) ? 1 : isBroadcastScalar(strides) ? 0 : -1;
  }

  /**
   * target += b elementwise, in place, where target is a contiguous block of {@code shape} starting
   * at {@code tOff} and b is any strided view of that shape.
   */
  public static void accumulate(
      int[] shape, Storage target, int tOff, Storage b, int bOff, int[] bStrides) {
    applyInPlace(BinaryOp.ADD, shape, target, tOff, b, bOff, bStrides);
  }

  /**
   * target = op(target, b) elementwise, in place (an arithmetic op, not a comparison), where target
   * is a contiguous block of {@code shape} starting at {@code tOff}, of b's dtype, and b is any
   * strided view of that shape in a different storage (or the very same elements).
   */
  public static void applyInPlace(
      BinaryOp op, int[] shape, Storage target, int tOff, Storage b, int bOff, int[] bStrides) {
    int bs = flatStride(shape, bStrides);
    if (bs >= 0) {
      Flat.binary(op, target, tOff, 1, b, bOff, bs, target, tOff, Shapes.numel(shape));
      return;
    }
    int[] ts = Shapes.contiguousStrides(shape);
    Loops.forEachRowParallel(
        shape,
        new int[][] {ts, bStrides},
        new int[] {tOff, bOff},
        ROW_PARALLEL_MIN,
        (o, s, n) -> {
          if (s[1] == 0 || s[1] == 1) {
            Flat.binaryRange(op, target, o[0], 1, b, o[1], s[1], target, o[0], n);
            return;
          }
          switch (target.dtype()) {
            case FLOAT32 ->
                ScalarKernelsFloat.INSTANCE.binary(
                    op, target.f, o[0], 1, b.f, o[1], s[1], target.f, o[0], n);
            case FLOAT64 ->
                ScalarKernelsDouble.INSTANCE.binary(
                    op, target.d, o[0], 1, b.d, o[1], s[1], target.d, o[0], n);
            case INT64 -> rowL(op, target.l, o[0], 1, b.l, o[1], s[1], target.l, o[0], n);
            case BOOL -> rowB(op, target.b, o[0], 1, b.b, o[1], s[1], target.b, o[0], n);
          }
        });
  }

  /**
   * {@code y[i] = fma(alpha, x[i], y[i])} for {@code n} contiguous elements of two float32 or two
   * float64 storages (PyTorch's {@code add_(x, alpha=...)}; its vectorised kernel is the same fused
   * multiply-add). One rounding per element, so the result is the same in every JIT tier and with
   * or without the Vector API; split among threads for long runs. Neither a temporary for {@code
   * alpha * x} nor a second pass over y: the update an optimiser applies to each parameter.
   */
  public static void axpyInPlace(Storage y, int yOff, Storage x, int xOff, int n, double alpha) {
    switch (y.dtype()) {
      case FLOAT32 -> {
        float[] yf = y.f, xf = x.f;
        float a = (float) alpha;
        Parallel.forRange(
            0,
            n,
            AXPY_CHUNK,
            (lo, hi) -> {
              for (int i = lo; i < hi; i++) {
                yf[yOff + i] = Math.fma(a, xf[xOff + i], yf[yOff + i]);
              }
            });
      }
      case FLOAT64 -> {
        double[] yd = y.d, xd = x.d;
        Parallel.forRange(
            0,
            n,
            AXPY_CHUNK,
            (lo, hi) -> {
              for (int i = lo; i < hi; i++) {
                yd[yOff + i] = Math.fma(alpha, xd[xOff + i], yd[yOff + i]);
              }
            });
      }
      default ->
          throw new IllegalArgumentException(
              "axpyInPlace: float32 or float64 storages only, got " + y.dtype());
    }
  }

  /** Elements per thread below which {@link #axpyInPlace} stays on one thread. */
  private static final int AXPY_CHUNK = 1 << 16;

  private static boolean isBroadcastScalar(int[] strides) {
    for (int s : strides) {
      if (s != 0) {
        return false;
      }
    }
    return true;
  }

  static boolean isFlat(int[] shape, int[] strides) {
    return shape.length == 0 || Shapes.isContiguous(shape, strides);
  }

  static void rowL(
      BinaryOp op, long[] a, int ai, int as, long[] b, int bi, int bs, long[] o, int oi, int n) {
    for (int j = 0; j < n; j++) {
      long x = a[ai + j * as];
      long y = b[bi + j * bs];
      o[oi + j] =
          switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> {
              if (y == 0) {
                throw new ArithmeticException("integer division by zero in div (int64 tensors)");
              }
              yield Math.floorDiv(x, y);
            }
            case POW -> (long) Math.pow(x, y);
            case REMAINDER, FMOD -> {
              if (y == 0) {
                throw new IllegalArgumentException(
                    op.name().toLowerCase(java.util.Locale.ROOT)
                        + ": integer division by zero (an int64 divisor holds 0, as PyTorch"
                        + " refuses); convert to floating point to get NaN there: a.to(DType.FLOAT64)");
              }
              yield op == BinaryOp.REMAINDER ? Math.floorMod(x, y) : x % y;
            }
            case MAX -> Math.max(x, y);
            case MIN -> Math.min(x, y);
            default -> throw new AssertionError(op);
          };
    }
  }

  static void rowB(
      BinaryOp op,
      boolean[] a,
      int ai,
      int as,
      boolean[] b,
      int bi,
      int bs,
      boolean[] o,
      int oi,
      int n) {
    for (int j = 0; j < n; j++) {
      boolean x = a[ai + j * as];
      boolean y = b[bi + j * bs];
      o[oi + j] =
          switch (op) {
            case ADD, MAX -> x | y;
            case MUL, MIN -> x & y;
            default ->
                throw new IllegalArgumentException(
                    op.name().toLowerCase()
                        + " is not defined for bool tensors; cast with to(...)");
          };
    }
  }

  static void compareRow(
      BinaryOp op,
      Storage a,
      int ai,
      int as,
      Storage b,
      int bi,
      int bs,
      boolean[] o,
      int oi,
      int n) {
    if (a.dtype() == DType.FLOAT32) {
      ScalarKernelsFloat.INSTANCE.compare(op, a.f, ai, as, b.f, bi, bs, o, oi, n);
    } else if (a.dtype() == DType.FLOAT64) {
      ScalarKernelsDouble.INSTANCE.compare(op, a.d, ai, as, b.d, bi, bs, o, oi, n);
    } else if (a.dtype() == DType.INT64) {
      long[] x = a.l;
      long[] y = b.l;
      for (int j = 0; j < n; j++) o[oi + j] = cmpL(op, x[ai + j * as], y[bi + j * bs]);
    } else {
      for (int j = 0; j < n; j++) {
        o[oi + j] = cmp(op, a.getDouble(ai + j * as), b.getDouble(bi + j * bs));
      }
    }
  }

  private static boolean cmp(BinaryOp op, double x, double y) {
    return switch (op) {
      case EQ -> x == y;
      case NE -> x != y;
      case LT -> x < y;
      case LE -> x <= y;
      case GT -> x > y;
      case GE -> x >= y;
      default -> throw new AssertionError(op);
    };
  }

  private static boolean cmpL(BinaryOp op, long x, long y) {
    return switch (op) {
      case EQ -> x == y;
      case NE -> x != y;
      case LT -> x < y;
      case LE -> x <= y;
      case GT -> x > y;
      case GE -> x >= y;
      default -> throw new AssertionError(op);
    };
  }

  /** out = cond ? a : b elementwise; all inputs strided and expanded to {@code shape}. */
  public static void where(
      int[] shape,
      Storage cond,
      int cOff,
      int[] cStrides,
      Storage a,
      int aOff,
      int[] aStrides,
      Storage b,
      int bOff,
      int[] bStrides,
      Storage out) {
    int cs = flatStride(shape, cStrides);
    int as = flatStride(shape, aStrides);
    int bs = flatStride(shape, bStrides);
    if (cs >= 0 && as >= 0 && bs >= 0) {
      Flat.where(cond, cOff, cs, a, aOff, as, b, bOff, bs, out, 0, Shapes.numel(shape));
      return;
    }
    Loops.forEachRowParallel(
        shape,
        new int[][] {Shapes.contiguousStrides(shape), cStrides, aStrides, bStrides},
        new int[] {0, cOff, aOff, bOff},
        ROW_PARALLEL_MIN,
        (o, s, n) -> {
          if ((s[1] | s[2] | s[3]) >>> 1 == 0) { // every inner stride 0 or 1
            Flat.whereRange(cond, o[1], s[1], a, o[2], s[2], b, o[3], s[3], out, o[0], n);
          } else {
            whereRow(cond, o[1], s[1], a, o[2], s[2], b, o[3], s[3], out, o[0], n);
          }
        });
  }

  /** Scalar where loop over one row with arbitrary strides. */
  static void whereRow(
      Storage cond,
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
    boolean[] c = cond.b;
    switch (out.dtype()) {
      case FLOAT32 ->
          ScalarKernelsFloat.INSTANCE.where(c, ci, cs, a.f, ai, as, b.f, bi, bs, out.f, oi, n);
      case FLOAT64 ->
          ScalarKernelsDouble.INSTANCE.where(c, ci, cs, a.d, ai, as, b.d, bi, bs, out.d, oi, n);
      case INT64 -> {
        long[] x = a.l;
        long[] y = b.l;
        long[] o = out.l;
        for (int j = 0; j < n; j++) o[oi + j] = c[ci + j * cs] ? x[ai + j * as] : y[bi + j * bs];
      }
      case BOOL -> {
        boolean[] x = a.b;
        boolean[] y = b.b;
        boolean[] o = out.b;
        for (int j = 0; j < n; j++) o[oi + j] = c[ci + j * cs] ? x[ai + j * as] : y[bi + j * bs];
      }
    }
  }
}
