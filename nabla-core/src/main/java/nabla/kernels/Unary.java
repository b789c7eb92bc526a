package nabla.kernels;

import nabla.storage.Storage;

/**
 * Elementwise unary kernels: strided input, contiguous output of the same dtype. Float32 values are
 * computed through the double-precision {@link Math} functions and rounded once.
 */
public final class Unary {
  private Unary() {}

  /** out[i] = op(in[i]) for every element of the strided view; out is contiguous from 0. */
  public static void apply(
      UnaryOp op, int[] shape, Storage in, int off, int[] strides, Storage out) {
    if (Binary.isFlat(shape, strides)) {
      if (in.dtype() == nabla.DType.BOOL) {
        throw new IllegalArgumentException(op + " is not defined for bool tensors");
      }
      Flat.unary(op, in, off, out, nabla.storage.Shapes.numel(shape));
      return;
    }
    int[] outStrides = nabla.storage.Shapes.contiguousStrides(shape);
    Loops.forEachRow(
        shape,
        new int[][] {outStrides, strides},
        new int[] {0, off},
        (o, s, n) -> {
          // A floating row is gathered into its place in the (contiguous) output and computed
          // there by the chosen kernels, in place: the same code as for a contiguous tensor, so
          // an element's bits do not depend on the layout it was read from (the Vector API
          // provider's exp or erf differ from the scalar Math-based ones in the last bit).
          switch (in.dtype()) {
            case FLOAT32, FLOAT64 -> {
              Storage.convert(in, o[1], s[1], out, o[0], 1, n);
              Flat.unaryRange(op, out, o[0], out, o[0], n);
            }
            case INT64 -> rowL(op, in.l, o[1], s[1], out.l, o[0], n);
            case BOOL ->
                throw new IllegalArgumentException(op + " is not defined for bool tensors");
          }
        });
  }

  /** Scalar kernel over a contiguous range. */
  static void rowScalarL(UnaryOp op, long[] a, int ai, long[] o, int oi, int n) {
    rowL(op, a, ai, 1, o, oi, n);
  }

  /** Sigmoid without overflow: e^-|x| never exceeds 1. */
  static double sigmoid(double x) {
    if (x >= 0) {
      return 1 / (1 + Math.exp(-x));
    }
    double e = Math.exp(x);
    return e / (1 + e);
  }

  /** Float32 sigmoid: computed in double and rounded once. */
  static float sigmoid(float x) {
    return (float) sigmoid((double) x);
  }

  /**
   * x·sigmoid(x). Far left, where e^x is subnormal, as (x·e^(x/2))·e^(x/2): e^x itself would have
   * lost its precision before the product with x scales it back up (the vector kernel does the same
   * with an exact power-of-two scaling).
   */
  static double silu(double x) {
    if (x < -512) {
      double h = Math.exp(0.5 * x);
      return (x * h) * h;
    }
    return x * sigmoid(x);
  }

  /** Float32 silu: computed in double and rounded once. */
  static float silu(float x) {
    return (float) silu((double) x);
  }

  private static void rowL(UnaryOp op, long[] a, int ai, int as, long[] o, int oi, int n) {
    for (int j = 0; j < n; j++) {
      long v = a[ai + j * as];
      o[oi + j] =
          switch (op) {
            case NEG -> -v;
            case ABS -> Math.abs(v);
            case RELU -> Math.max(v, 0);
            case SIGN -> Long.signum(v);
            default -> throw new IllegalArgumentException(op + " is not defined for int64 tensors");
          };
    }
  }
}
