package nabla.linalg;

import java.util.Arrays;
import nabla.DType;
import nabla.Tensor;

/**
 * What the {@link Linalg} functions and their rules share: argument checks with their messages,
 * batch shapes and broadcasting, constant masks, and small matrix idioms on tensors (transpose of
 * the last two dimensions, diagonals, the eigenvalue-gap matrix).
 */
final class Matrices {
  private Matrices() {}

  /** F_ij = 1/(x_j − x_i) off the diagonal, 0 on it (no infinity anywhere, so no NaN gradients). */
  static Tensor gaps(Tensor x) {
    int n = x.size(-1);
    Tensor eye = eye(n, x.dtype());
    Tensor diff = x.unsqueeze(-2).sub(x.unsqueeze(-1));
    return diff.add(eye).reciprocal().mul(eye.neg().add(1));
  }

  /** The diagonals of [..., n, n] as [..., n]. */
  static Tensor diagonal(Tensor x) {
    return x.mul(eye(x.size(-1), x.dtype())).sum(-1, false);
  }

  /** [..., n] to diagonal matrices [..., n, n]. */
  static Tensor diagEmbed(Tensor v) {
    return v.unsqueeze(-1).mul(eye(v.size(-1), v.dtype()));
  }

  static Tensor mT(Tensor x) {
    return x.transpose(-2, -1);
  }

  /** 1 strictly below the diagonal, 0.5 on it, 0 above: Φ of the Cholesky rules. */
  static Tensor lowerHalfDiagonal(int n, DType dtype) {
    double[] m = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        m[i * n + j] = i == j ? 0.5 : 1;
      }
    }
    return build(m, dtype, n, n);
  }

  /** 1 on and above (upper) or on and below the diagonal, 0 elsewhere. */
  static Tensor triangleMask(int n, boolean upper, DType dtype) {
    double[] m = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        m[i * n + j] = (upper ? j >= i : j <= i) ? 1 : 0;
      }
    }
    return build(m, dtype, n, n);
  }

  /** 1 strictly below the diagonal, 0 elsewhere. */
  static Tensor strictlyLower(int n, DType dtype) {
    return triangleMask(n, false, dtype).sub(eye(n, dtype));
  }

  static Tensor eye(int n, DType dtype) {
    return Tensor.eye(n).to(dtype);
  }

  static Tensor build(double[] data, DType dtype, int... shape) {
    return Tensor.ofDoubles(data, shape).to(dtype);
  }

  static String shape(Tensor t) {
    return Arrays.toString(t.shape());
  }

  static int batchCount(int[] shape, int trailing) {
    int c = 1;
    for (int i = 0; i < shape.length - trailing; i++) {
      c *= shape[i];
    }
    return c;
  }

  static int[] batchShape(int[] shape, int trailing) {
    return Arrays.copyOf(shape, shape.length - trailing);
  }

  static void nonNull(String op, Tensor... ts) {
    for (Tensor t : ts) {
      if (t == null) {
        throw new IllegalArgumentException(op + ": a tensor argument is null");
      }
    }
  }

  static void floating(String op, Tensor a) {
    if (a.dtype() != DType.FLOAT32 && a.dtype() != DType.FLOAT64) {
      throw new IllegalArgumentException(
          op
              + ": expected a float32 or float64 tensor, got "
              + a.dtype()
              + " of shape "
              + shape(a)
              + "; convert it with .to(DType.FLOAT64)");
    }
  }

  static void sameFloating(String op, Tensor a, Tensor b) {
    floating(op, a);
    floating(op, b);
    if (a.dtype() != b.dtype()) {
      throw new IllegalArgumentException(
          op
              + ": A is "
              + a.dtype()
              + " "
              + shape(a)
              + " and B is "
              + b.dtype()
              + " "
              + shape(b)
              + "; convert one with .to(...) so that both have the same dtype");
    }
  }

  static void square(String op, Tensor a) {
    if (a.dim() < 2 || a.size(-1) != a.size(-2)) {
      throw new IllegalArgumentException(
          op
              + ": expected a batch of square matrices [..., n, n], got shape "
              + shape(a)
              + " ("
              + a.dtype()
              + ")");
    }
  }

  /** Non-null, float32/float64, a batch of square matrices. */
  static void squareFloating(String op, Tensor a) {
    nonNull(op, a);
    floating(op, a);
    square(op, a);
  }

  /** Non-null, float32/float64, a batch of matrices. */
  static void matrixFloating(String op, Tensor a) {
    nonNull(op, a);
    floating(op, a);
    matrix(op, a);
  }

  static void matrix(String op, Tensor a) {
    if (a.dim() < 2) {
      throw new IllegalArgumentException(
          op + ": expected a batch of matrices [..., m, n], got shape " + shape(a));
    }
  }

  static IllegalArgumentException singular(String op, Tensor a, int batch, int pivot) {
    return new IllegalArgumentException(
        op
            + ": the matrix of shape "
            + shape(a)
            + " ("
            + a.dtype()
            + ")"
            + (a.dim() > 2 ? " at batch index " + batch : "")
            + " is singular: LU pivot "
            + pivot
            + " is exactly zero; use Linalg.pinv or Linalg.lstsq for singular systems");
  }

  /** Expands the batch dimensions (all but the last two) of a and b to their broadcast shape. */
  static Tensor[] broadcastBatch(String op, Tensor a, Tensor b) {
    int[] sa = a.shape();
    int[] sb = b.shape();
    int da = sa.length - 2;
    int db = sb.length - 2;
    int d = Math.max(da, db);
    int[] batch = new int[d];
    for (int i = 0; i < d; i++) {
      int x = i - (d - da) >= 0 ? sa[i - (d - da)] : 1;
      int y = i - (d - db) >= 0 ? sb[i - (d - db)] : 1;
      if (x != y && x != 1 && y != 1) {
        throw new IllegalArgumentException(
            op
                + ": the batch dimensions of A "
                + shape(a)
                + " and B "
                + shape(b)
                + " do not broadcast (sizes "
                + x
                + " and "
                + y
                + "); make the leading dimensions equal or 1");
      }
      batch[i] = Math.max(x, y);
    }
    return new Tensor[] {
      a.expand(concat(batch, sa[da], sa[da + 1])), b.expand(concat(batch, sb[db], sb[db + 1]))
    };
  }

  static int[] concat(int[] batch, int... tail) {
    int[] s = Arrays.copyOf(batch, batch.length + tail.length);
    System.arraycopy(tail, 0, s, batch.length, tail.length);
    return s;
  }
}
