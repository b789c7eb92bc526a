// GENERATED from ScalarKernelsDouble.java by tools/codegen/GenerateFloatKernels.java: do not edit.
// Edit ScalarKernelsDouble.java and run `java tools/codegen/GenerateFloatKernels.java` (from the repository root).
package nabla.kernels;

/**
 * Plain-Java float32 elementwise loops over one strided row: {@code o[oi+j]} for {@code j < n},
 * reading {@code a[ai+j*as]} (and {@code b[bi+j*bs]}), any strides. They are the scalar provider's
 * {@link ElementwiseKernelsFloat} (its flat ranges are the strides 0 and 1 of these loops), and
 * they serve strided views and the vector kernels' short ranges and tails through {@link
 * #INSTANCE}. One loop per op: the op is not dispatched again for every element.
 */
final class ScalarKernelsFloat implements ElementwiseKernelsFloat {
  /** The one instance (the class has no state). */
  static final ScalarKernelsFloat INSTANCE = new ScalarKernelsFloat();

  private ScalarKernelsFloat() {}

  /** o[oi+j] = op(a[ai+j*as], b[bi+j*bs]) for an arithmetic op; any strides. */
  @Override
  public void binary(
      BinaryOp op,
      float[] a,
      int ai,
      int as,
      float[] b,
      int bi,
      int bs,
      float[] o,
      int oi,
      int n) {
    switch (op) {
      case ADD -> {
        for (int j = 0; j < n; j++) o[oi + j] = a[ai + j * as] + b[bi + j * bs];
      }
      case SUB -> {
        for (int j = 0; j < n; j++) o[oi + j] = a[ai + j * as] - b[bi + j * bs];
      }
      case MUL -> {
        for (int j = 0; j < n; j++) o[oi + j] = a[ai + j * as] * b[bi + j * bs];
      }
      case DIV -> {
        for (int j = 0; j < n; j++) o[oi + j] = a[ai + j * as] / b[bi + j * bs];
      }
      case POW -> {
        for (int j = 0; j < n; j++) o[oi + j] = (float) Math.pow(a[ai + j * as], b[bi + j * bs]);
      }
      case MAX -> {
        for (int j = 0; j < n; j++) o[oi + j] = Math.max(a[ai + j * as], b[bi + j * bs]);
      }
      case MIN -> {
        for (int j = 0; j < n; j++) o[oi + j] = Math.min(a[ai + j * as], b[bi + j * bs]);
      }
      // an op declared with its function only (BinaryOp's class comment)
      default -> {
        for (int j = 0; j < n; j++) o[oi + j] = (float) op.apply(a[ai + j * as], b[bi + j * bs]);
      }
    }
  }

  /**
   * {@code o[r*n+j] = op(a[ai+r*ar+j*as], b[bi+r*br+j*bs])} for {@code r < rows}, {@code j < n}: an
   * arithmetic op over a small broadcast (a matrix and a row or a column, say) in one call, with
   * the op chosen once instead of once per row; inner strides of 1 and 0 get loops of their own,
   * which the JIT vectorises. Same bits as {@link #binary} row by row.
   */
  void binaryRows(
      BinaryOp op,
      float[] a,
      int ai,
      int ar,
      int as,
      float[] b,
      int bi,
      int br,
      int bs,
      float[] o,
      int rows,
      int n) {
    switch (op) {
      case ADD -> {
        for (int r = 0, p = ai, q = bi, w = 0; r < rows; r++, p += ar, q += br, w += n) {
          if (as == 1 && bs == 1) {
            for (int j = 0; j < n; j++) o[w + j] = a[p + j] + b[q + j];
          } else if (as == 1 && bs == 0) {
            float y = b[q];
            for (int j = 0; j < n; j++) o[w + j] = a[p + j] + y;
          } else if (as == 0 && bs == 1) {
            float x = a[p];
            for (int j = 0; j < n; j++) o[w + j] = x + b[q + j];
          } else {
            for (int j = 0; j < n; j++) o[w + j] = a[p + j * as] + b[q + j * bs];
          }
        }
      }
      case SUB -> {
        for (int r = 0, p = ai, q = bi, w = 0; r < rows; r++, p += ar, q += br, w += n) {
          if (as == 1 && bs == 1) {
            for (int j = 0; j < n; j++) o[w + j] = a[p + j] - b[q + j];
          } else if (as == 1 && bs == 0) {
            float y = b[q];
            for (int j = 0; j < n; j++) o[w + j] = a[p + j] - y;
          } else if (as == 0 && bs == 1) {
            float x = a[p];
            for (int j = 0; j < n; j++) o[w + j] = x - b[q + j];
          } else {
            for (int j = 0; j < n; j++) o[w + j] = a[p + j * as] - b[q + j * bs];
          }
        }
      }
      case MUL -> {
        for (int r = 0, p = ai, q = bi, w = 0; r < rows; r++, p += ar, q += br, w += n) {
          if (as == 1 && bs == 1) {
            for (int j = 0; j < n; j++) o[w + j] = a[p + j] * b[q + j];
          } else if (as == 1 && bs == 0) {
            float y = b[q];
            for (int j = 0; j < n; j++) o[w + j] = a[p + j] * y;
          } else if (as == 0 && bs == 1) {
            float x = a[p];
            for (int j = 0; j < n; j++) o[w + j] = x * b[q + j];
          } else {
            for (int j = 0; j < n; j++) o[w + j] = a[p + j * as] * b[q + j * bs];
          }
        }
      }
      case DIV -> {
        for (int r = 0, p = ai, q = bi, w = 0; r < rows; r++, p += ar, q += br, w += n) {
          if (as == 1 && bs == 1) {
            for (int j = 0; j < n; j++) o[w + j] = a[p + j] / b[q + j];
          } else if (as == 1 && bs == 0) {
            float y = b[q];
            for (int j = 0; j < n; j++) o[w + j] = a[p + j] / y;
          } else if (as == 0 && bs == 1) {
            float x = a[p];
            for (int j = 0; j < n; j++) o[w + j] = x / b[q + j];
          } else {
            for (int j = 0; j < n; j++) o[w + j] = a[p + j * as] / b[q + j * bs];
          }
        }
      }
      default -> {
        for (int r = 0; r < rows; r++) {
          binary(op, a, ai + r * ar, as, b, bi + r * br, bs, o, r * n, n);
        }
      }
    }
  }

  /** o[oi+j] = a[ai+j*as] op b[bi+j*bs] for a comparison op; any strides. */
  @Override
  public void compare(
      BinaryOp op,
      float[] a,
      int ai,
      int as,
      float[] b,
      int bi,
      int bs,
      boolean[] o,
      int oi,
      int n) {
    switch (op) {
      case EQ -> {
        for (int j = 0; j < n; j++) o[oi + j] = a[ai + j * as] == b[bi + j * bs];
      }
      case NE -> {
        for (int j = 0; j < n; j++) o[oi + j] = a[ai + j * as] != b[bi + j * bs];
      }
      case LT -> {
        for (int j = 0; j < n; j++) o[oi + j] = a[ai + j * as] < b[bi + j * bs];
      }
      case LE -> {
        for (int j = 0; j < n; j++) o[oi + j] = a[ai + j * as] <= b[bi + j * bs];
      }
      case GT -> {
        for (int j = 0; j < n; j++) o[oi + j] = a[ai + j * as] > b[bi + j * bs];
      }
      case GE -> {
        for (int j = 0; j < n; j++) o[oi + j] = a[ai + j * as] >= b[bi + j * bs];
      }
      default -> throw new AssertionError(op);
    }
  }

  @Override
  public void unary(UnaryOp op, float[] a, int ai, float[] o, int oi, int n) {
    unary(op, a, ai, 1, o, oi, n);
  }

  /**
   * o[oi+j] = op(a[ai+j*as]); any stride. The transcendental functions are {@link Math}'s (a
   * float32 result is rounded once).
   */
  void unary(UnaryOp op, float[] a, int ai, int as, float[] o, int oi, int n) {
    switch (op) {
      case NEG -> {
        for (int j = 0; j < n; j++) o[oi + j] = -a[ai + j * as];
      }
      case EXP -> {
        for (int j = 0; j < n; j++) o[oi + j] = (float) Math.exp(a[ai + j * as]);
      }
      case LOG -> {
        for (int j = 0; j < n; j++) o[oi + j] = (float) Math.log(a[ai + j * as]);
      }
      case SIN -> {
        for (int j = 0; j < n; j++) o[oi + j] = (float) Math.sin(a[ai + j * as]);
      }
      case COS -> {
        for (int j = 0; j < n; j++) o[oi + j] = (float) Math.cos(a[ai + j * as]);
      }
      case TANH -> {
        for (int j = 0; j < n; j++) o[oi + j] = (float) Math.tanh(a[ai + j * as]);
      }
      case SQRT -> {
        for (int j = 0; j < n; j++) o[oi + j] = (float) Math.sqrt(a[ai + j * as]);
      }
      case ABS -> {
        for (int j = 0; j < n; j++) o[oi + j] = Math.abs(a[ai + j * as]);
      }
      case RELU -> {
        for (int j = 0; j < n; j++) {
          float v = a[ai + j * as];
          o[oi + j] = v > 0 ? v : (v != v ? v : 0.0f);
        }
      }
      case SIGMOID -> {
        for (int j = 0; j < n; j++) o[oi + j] = Unary.sigmoid(a[ai + j * as]);
      }
      case SIGN -> {
        for (int j = 0; j < n; j++) o[oi + j] = Math.signum(a[ai + j * as]) + 0.0f;
      }
      case SILU -> {
        for (int j = 0; j < n; j++) o[oi + j] = Unary.silu(a[ai + j * as]);
      }
      // an op declared with its function only (UnaryOp's class comment)
      default -> {
        for (int j = 0; j < n; j++) o[oi + j] = (float) op.apply(a[ai + j * as]);
      }
    }
  }

  /** o[oi+j] = c[ci+j*cs] ? a[ai+j*as] : b[bi+j*bs]; any strides. */
  @Override
  public void where(
      boolean[] c,
      int ci,
      int cs,
      float[] a,
      int ai,
      int as,
      float[] b,
      int bi,
      int bs,
      float[] o,
      int oi,
      int n) {
    for (int j = 0; j < n; j++) o[oi + j] = c[ci + j * cs] ? a[ai + j * as] : b[bi + j * bs];
  }
}
