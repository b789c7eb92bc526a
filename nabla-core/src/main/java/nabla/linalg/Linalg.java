package nabla.linalg;

import java.util.Arrays;
import nabla.CustomFunction;
import nabla.DType;
import nabla.Tensor;

/**
 * Linear algebra with gradients (PyTorch's {@code torch.linalg}): solves, inverses, determinants,
 * decompositions. Every function takes a batch of matrices ({@code [..., m, n]}: leading dimensions
 * are a batch), float32 or float64, and is differentiable in reverse and forward mode, to any order
 * (the rules are written with tensor operations, including the functions here).
 *
 * <p>Kernels are plain Java in double precision (float32 inputs are computed in double and rounded
 * once): LU with partial pivoting, Cholesky, Householder QR, cyclic Jacobi for symmetric
 * eigenproblems, one-sided Jacobi for the SVD. They suit the small and medium matrices of
 * optimisation and statistics (Newton steps, covariance factors), not n in the thousands.
 *
 * <pre>{@code
 * Tensor a = Tensor.of(new double[] {4, 1, 1, 3}, 2, 2);
 * Tensor b = Tensor.of(1, 2);
 * Tensor x = Linalg.solve(a, b);             // [0.0909, 0.6364]
 * Tensor l = Linalg.cholesky(a);             // a = l lᵀ
 * Linalg.Eigh e = Linalg.eigh(a);            // e.eigenvalues() ascending
 * }</pre>
 */
public final class Linalg {
  private Linalg() {}

  // ---------------------------------------------------------------- solve, inv

  /**
   * Solves {@code A X = B} for square, invertible A: {@code A [..., n, n]}, B either {@code [...,
   * n, k]} or a vector {@code [..., n]} (then X is a vector). Batch dimensions broadcast.
   * Gradients: {@code B̄ = A⁻ᵀ X̄}, {@code Ā = −B̄ Xᵀ}.
   *
   * <pre>{@code
   * Tensor x = Linalg.solve(Tensor.of(new double[] {2, 0, 0, 4}, 2, 2), Tensor.of(2, 2));  // [1, 0.5]
   * }</pre>
   *
   * @throws IllegalArgumentException when A is not square, the shapes do not fit, the dtypes are
   *     not float32/float64 or differ, or A is singular (an exactly zero pivot)
   */
  public static Tensor solve(Tensor a, Tensor b) {
    nonNull("solve", a, b);
    sameFloating("solve", a, b);
    square("solve", a);
    int n = a.size(-1);
    boolean vector =
        b.dim() == 1
            || (b.dim() == a.dim() - 1
                && Arrays.equals(b.shape(), Arrays.copyOf(a.shape(), a.dim() - 1)));
    Tensor bm = vector ? b.unsqueeze(-1) : b;
    if (bm.dim() < 2 || bm.size(-2) != n) {
      throw new IllegalArgumentException(
          "solve: A "
              + shape(a)
              + " needs B of shape [..., "
              + n
              + ", k] or [..., "
              + n
              + "], got "
              + shape(b));
    }
    Tensor[] ab = broadcastBatch("solve", a, bm);
    Tensor x = SOLVE.apply(ab[0], ab[1]);
    return vector ? x.squeeze(-1) : x;
  }

  private static final CustomFunction SOLVE =
      CustomFunction.of(
          "LinalgSolve",
          in -> solveKernel("solve", in[0], in[1]),
          (g, x, in) -> {
            Tensor gb = Linalg.SOLVE.apply(mT(in[0]), g);
            return new Tensor[] {gb.matmul(mT(x)).neg(), gb};
          },
          (t, x, in) -> {
            Tensor rhs = t[1] != null ? t[1] : x.zerosLike();
            if (t[0] != null) {
              rhs = rhs.sub(t[0].matmul(x));
            }
            return Linalg.SOLVE.apply(in[0], rhs);
          });

  /** X = A⁻¹ B for matching batches, by LU with partial pivoting. */
  private static Tensor solveKernel(String op, Tensor a, Tensor b) {
    int n = a.size(-1);
    int k = b.size(-1);
    double[] ad = a.toDoubleArray();
    double[] bd = b.toDoubleArray();
    double[] xd = new double[bd.length];
    int batches = batchCount(a.shape(), 2);
    int[] perm = new int[n + 1];
    for (int i = 0; i < batches; i++) {
      int sign = MatrixKernels.lu(ad, i * n * n, n, perm);
      if (sign == 0) {
        throw singular(op, a, i, perm[n]);
      }
      MatrixKernels.luSolve(ad, i * n * n, n, perm, bd, i * n * k, k, xd, i * n * k);
    }
    return build(xd, a.dtype(), b.shape());
  }

  /**
   * The inverse of square, invertible matrices {@code [..., n, n]}. Gradients: {@code Ā = −Xᵀ X̄
   * Xᵀ}, tangent {@code −X dA X}.
   *
   * <pre>{@code
   * Tensor inv = Linalg.inv(Tensor.of(new double[] {2, 0, 0, 4}, 2, 2));   // [[0.5, 0], [0, 0.25]]
   * }</pre>
   *
   * @throws IllegalArgumentException for a non-square or singular matrix, or a non-floating dtype
   */
  public static Tensor inv(Tensor a) {
    nonNull("inv", a);
    floating("inv", a);
    square("inv", a);
    return INV.apply(a);
  }

  private static final CustomFunction INV =
      CustomFunction.of(
          "LinalgInv",
          in -> {
            int n = in[0].size(-1);
            Tensor eye = eye(n, in[0].dtype()).expand(in[0].shape()).contiguous();
            return solveKernel("inv", in[0], eye);
          },
          (g, x, in) -> new Tensor[] {mT(x).matmul(g).matmul(mT(x)).neg()},
          (t, x, in) -> x.matmul(t[0]).matmul(x).neg());

  // ---------------------------------------------------------------- determinants

  /** The result of {@link #slogdet}: det A = sign · exp(logAbsDet). */
  public record Slogdet(Tensor sign, Tensor logAbsDet) {}

  /**
   * The determinant of square matrices {@code [..., n, n]} (shape {@code [...]}), 0 for a singular
   * one. Gradient {@code Ā = ḡ · det A · A⁻ᵀ}: it needs A invertible (at a singular matrix the
   * gradient raises the singular-matrix error of {@link #inv}).
   *
   * <pre>{@code
   * Linalg.det(Tensor.of(new double[] {1, 2, 3, 4}, 2, 2));   // -2
   * }</pre>
   */
  public static Tensor det(Tensor a) {
    nonNull("det", a);
    floating("det", a);
    square("det", a);
    return DET.apply(a);
  }

  private static final CustomFunction DET =
      CustomFunction.of(
          "LinalgDet",
          in -> determinants(in[0], false)[0],
          (g, d, in) -> new Tensor[] {mT(inv(in[0])).mul(g.mul(d).unsqueeze(-1).unsqueeze(-1))},
          (t, d, in) -> d.mul(mT(inv(in[0])).mul(t[0]).sum(new int[] {-2, -1}, false)));

  /**
   * Sign and logarithm of the absolute value of the determinant of {@code [..., n, n]}, stable
   * where {@link #det} over- or underflows. A singular matrix gives sign 0 and logAbsDet −∞. The
   * sign carries no gradient; {@code logAbsDet}'s is {@code ḡ · A⁻ᵀ} (needs A invertible).
   *
   * <pre>{@code
   * Linalg.Slogdet r = Linalg.slogdet(Tensor.of(new double[] {1, 2, 3, 4}, 2, 2));
   * // r.sign() = -1, r.logAbsDet() = log 2
   * }</pre>
   */
  public static Slogdet slogdet(Tensor a) {
    nonNull("slogdet", a);
    floating("slogdet", a);
    square("slogdet", a);
    Tensor sign = determinants(a.detach(), true)[0];
    return new Slogdet(sign, LOG_ABS_DET.apply(a));
  }

  private static final CustomFunction LOG_ABS_DET =
      CustomFunction.of(
          "LinalgSlogdet",
          in -> determinants(in[0], true)[1],
          (g, d, in) -> new Tensor[] {mT(inv(in[0])).mul(g.unsqueeze(-1).unsqueeze(-1))},
          (t, d, in) -> mT(inv(in[0])).mul(t[0]).sum(new int[] {-2, -1}, false));

  /** {det, det} or {sign, log|det|} per matrix of the batch, from one LU factorisation each. */
  private static Tensor[] determinants(Tensor a, boolean logarithmic) {
    int n = a.size(-1);
    double[] ad = a.toDoubleArray();
    int batches = batchCount(a.shape(), 2);
    double[] first = new double[batches];
    double[] second = new double[batches];
    int[] perm = new int[n + 1];
    for (int i = 0; i < batches; i++) {
      int sign = MatrixKernels.lu(ad, i * n * n, n, perm);
      double s = sign;
      double log = 0;
      double prod = sign;
      if (sign == 0) {
        log = Double.NEGATIVE_INFINITY;
        prod = 0;
      } else {
        for (int j = 0; j < n; j++) {
          double u = ad[i * n * n + j * n + j];
          prod *= u;
          log += Math.log(Math.abs(u));
          if (u < 0) {
            s = -s;
          }
        }
      }
      first[i] = logarithmic ? s : prod;
      second[i] = logarithmic ? log : prod;
    }
    int[] batch = batchShape(a.shape(), 2);
    return new Tensor[] {build(first, a.dtype(), batch), build(second, a.dtype(), batch)};
  }

  // ---------------------------------------------------------------- helpers

  static Tensor mT(Tensor x) {
    return x.transpose(-2, -1);
  }

  static Tensor eye(int n, DType dtype) {
    return Tensor.eye(n).to(dtype);
  }

  private static Tensor build(double[] data, DType dtype, int... shape) {
    return Tensor.ofDoubles(data, shape).to(dtype);
  }

  static String shape(Tensor t) {
    return Arrays.toString(t.shape());
  }

  private static int batchCount(int[] shape, int trailing) {
    int c = 1;
    for (int i = 0; i < shape.length - trailing; i++) {
      c *= shape[i];
    }
    return c;
  }

  private static int[] batchShape(int[] shape, int trailing) {
    return Arrays.copyOf(shape, shape.length - trailing);
  }

  private static void nonNull(String op, Tensor... ts) {
    for (Tensor t : ts) {
      if (t == null) {
        throw new IllegalArgumentException(op + ": a tensor argument is null");
      }
    }
  }

  private static void floating(String op, Tensor a) {
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

  private static void sameFloating(String op, Tensor a, Tensor b) {
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

  private static void square(String op, Tensor a) {
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

  static void matrix(String op, Tensor a) {
    if (a.dim() < 2) {
      throw new IllegalArgumentException(
          op + ": expected a batch of matrices [..., m, n], got shape " + shape(a));
    }
  }

  private static IllegalArgumentException singular(String op, Tensor a, int batch, int pivot) {
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
  private static Tensor[] broadcastBatch(String op, Tensor a, Tensor b) {
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

  private static int[] concat(int[] batch, int... tail) {
    int[] s = Arrays.copyOf(batch, batch.length + tail.length);
    System.arraycopy(tail, 0, s, batch.length, tail.length);
    return s;
  }
}
