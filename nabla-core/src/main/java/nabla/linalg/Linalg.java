package nabla.linalg;

import static nabla.linalg.Matrices.batchCount;
import static nabla.linalg.Matrices.batchShape;
import static nabla.linalg.Matrices.broadcastBatch;
import static nabla.linalg.Matrices.build;
import static nabla.linalg.Matrices.concat;
import static nabla.linalg.Matrices.diagEmbed;
import static nabla.linalg.Matrices.diagonal;
import static nabla.linalg.Matrices.eye;
import static nabla.linalg.Matrices.gaps;
import static nabla.linalg.Matrices.lowerHalfDiagonal;
import static nabla.linalg.Matrices.mT;
import static nabla.linalg.Matrices.matrix;
import static nabla.linalg.Matrices.matrixFloating;
import static nabla.linalg.Matrices.nonNull;
import static nabla.linalg.Matrices.sameFloating;
import static nabla.linalg.Matrices.shape;
import static nabla.linalg.Matrices.singular;
import static nabla.linalg.Matrices.square;
import static nabla.linalg.Matrices.squareFloating;
import static nabla.linalg.Matrices.strictlyLower;
import static nabla.linalg.Matrices.triangleMask;

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
 * once): LU with partial pivoting (blocked on the GEMM kernels for large n), Cholesky, Householder
 * QR, tridiagonal QR for symmetric eigenproblems, one-sided Jacobi for the SVD. They suit the small
 * and medium matrices of optimisation and statistics (Newton steps, covariance factors), not n in
 * the thousands.
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
    squareFloating("inv", a);
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
    squareFloating("det", a);
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
    squareFloating("slogdet", a);
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

  // ---------------------------------------------------------------- cholesky, triangular

  /**
   * The lower Cholesky factor L of symmetric positive-definite matrices {@code [..., n, n]}: {@code
   * A = L Lᵀ}. Only the symmetric part {@code (A + Aᵀ)/2} is read (for a symmetric A that is A), so
   * the gradient is symmetric: {@code Ā = sym(L⁻ᵀ Φ(Lᵀ L̄) L⁻¹)} with Φ taking the lower triangle
   * and halving the diagonal; tangent {@code dL = L Φ(L⁻¹ sym(dA) L⁻ᵀ)}.
   *
   * <pre>{@code
   * Tensor l = Linalg.cholesky(Tensor.of(new double[] {4, 2, 2, 5}, 2, 2));   // [[2, 0], [1, 2]]
   * }</pre>
   *
   * @throws IllegalArgumentException when a leading minor is not positive-definite
   */
  public static Tensor cholesky(Tensor a) {
    squareFloating("cholesky", a);
    return CHOLESKY.apply(a);
  }

  private static final CustomFunction CHOLESKY =
      CustomFunction.of(
          "LinalgCholesky",
          in -> {
            Tensor a = in[0];
            int n = a.size(-1);
            double[] ad = a.toDoubleArray();
            double[] ld = new double[ad.length];
            int batches = batchCount(a.shape(), 2);
            for (int i = 0; i < batches; i++) {
              int minor = MatrixKernels.cholesky(ad, ld, i * n * n, n);
              if (minor >= 0) {
                throw new IllegalArgumentException(
                    "cholesky: the matrix of shape "
                        + shape(a)
                        + " ("
                        + a.dtype()
                        + ")"
                        + (a.dim() > 2 ? " at batch index " + i : "")
                        + " is not positive-definite: the leading minor of order "
                        + minor
                        + " is not positive (or is NaN); pass a symmetric positive-definite matrix (add a"
                        + " multiple of the identity to regularise it)");
              }
            }
            return build(ld, a.dtype(), a.shape());
          },
          (g, l, in) -> {
            int n = l.size(-1);
            Tensor p = mT(l).matmul(g).mul(lowerHalfDiagonal(n, l.dtype()));
            Tensor y = solveTriangular(mT(l), p, true); // L⁻ᵀ P
            Tensor s = mT(solveTriangular(mT(l), mT(y), true)); // L⁻ᵀ P L⁻¹
            return new Tensor[] {s.add(mT(s)).mul(0.5)};
          },
          (t, l, in) -> {
            int n = l.size(-1);
            Tensor da = t[0].add(mT(t[0])).mul(0.5);
            Tensor y = solveTriangular(l, da, false); // L⁻¹ dA
            Tensor c = mT(solveTriangular(l, mT(y), false)); // L⁻¹ dA L⁻ᵀ
            return l.matmul(c.mul(lowerHalfDiagonal(n, l.dtype())));
          });

  /**
   * Solves {@code A X = B} for triangular A {@code [..., n, n]} (its {@code upper} or lower
   * triangle is read, the other ignored) and B {@code [..., n, k]}; batch dimensions broadcast.
   * Gradients: {@code B̄ = A⁻ᵀ X̄}, {@code Ā = −tri(B̄ Xᵀ)}, the triangle that was read.
   *
   * <pre>{@code
   * Tensor l = Tensor.of(new double[] {2, 0, 1, 1}, 2, 2);
   * Tensor x = Linalg.solveTriangular(l, Tensor.of(new double[] {2, 3}, 2, 1), false);   // [[1], [2]]
   * }</pre>
   *
   * @throws IllegalArgumentException when a diagonal entry is zero, or the shapes do not fit
   */
  public static Tensor solveTriangular(Tensor a, Tensor b, boolean upper) {
    nonNull("solveTriangular", a, b);
    sameFloating("solveTriangular", a, b);
    square("solveTriangular", a);
    if (b.dim() < 2 || b.size(-2) != a.size(-1)) {
      throw new IllegalArgumentException(
          "solveTriangular: A "
              + shape(a)
              + " needs B of shape [..., "
              + a.size(-1)
              + ", k], got "
              + shape(b)
              + " (a vector b goes in as b.unsqueeze(-1))");
    }
    Tensor[] ab = broadcastBatch("solveTriangular", a, b);
    return (upper ? TRIANGULAR_UPPER : TRIANGULAR_LOWER).apply(ab[0], ab[1]);
  }

  private static final CustomFunction TRIANGULAR_UPPER = triangular(true);
  private static final CustomFunction TRIANGULAR_LOWER = triangular(false);

  private static CustomFunction triangular(boolean upper) {
    return CustomFunction.of(
        "LinalgSolveTriangular",
        in -> {
          Tensor a = in[0];
          Tensor b = in[1];
          int n = a.size(-1);
          int k = b.size(-1);
          double[] ad = a.toDoubleArray();
          double[] bd = b.toDoubleArray();
          double[] xd = new double[bd.length];
          int batches = batchCount(a.shape(), 2);
          for (int i = 0; i < batches; i++) {
            int zero =
                MatrixKernels.triangularSolve(
                    ad, i * n * n, n, upper, bd, i * n * k, k, xd, i * n * k);
            if (zero >= 0) {
              throw new IllegalArgumentException(
                  "solveTriangular: the "
                      + (upper ? "upper" : "lower")
                      + " triangular matrix of shape "
                      + shape(a)
                      + " ("
                      + a.dtype()
                      + ")"
                      + (a.dim() > 2 ? " at batch index " + i : "")
                      + " is singular: diagonal entry "
                      + zero
                      + " is zero");
            }
          }
          return build(xd, a.dtype(), b.shape());
        },
        (g, x, in) -> {
          Tensor gb = solveTriangular(mT(in[0]), g, !upper);
          Tensor mask = triangleMask(x.size(-2), upper, in[0].dtype());
          return new Tensor[] {gb.matmul(mT(x)).mul(mask).neg(), gb};
        },
        (t, x, in) -> {
          Tensor rhs = t[1] != null ? t[1] : x.zerosLike();
          if (t[0] != null) {
            Tensor mask = triangleMask(x.size(-2), upper, in[0].dtype());
            rhs = rhs.sub(t[0].mul(mask).matmul(x));
          }
          return solveTriangular(in[0], rhs, upper);
        });
  }

  // ---------------------------------------------------------------- matrix power

  /**
   * {@code Aⁿ} for square matrices {@code [..., n, n]} by repeated squaring (matmul); {@code n = 0}
   * gives the identity, a negative n the power of {@link #inv}. Differentiable through its matmuls.
   *
   * <pre>{@code
   * Linalg.matrixPower(Tensor.of(new double[] {1, 1, 0, 1}, 2, 2), 3);   // [[1, 3], [0, 1]]
   * }</pre>
   */
  public static Tensor matrixPower(Tensor a, int n) {
    squareFloating("matrixPower", a);
    if (n == 0) {
      return eye(a.size(-1), a.dtype()).expand(a.shape()).contiguous();
    }
    Tensor base = a;
    if (n < 0) {
      try {
        base = inv(a);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "matrixPower: the power " + n + " needs the inverse, and " + e.getMessage(), e);
      }
    }
    long e = Math.abs((long) n);
    Tensor result = null;
    while (true) {
      if ((e & 1) != 0) {
        result = result == null ? base : result.matmul(base);
      }
      e >>= 1;
      if (e == 0) {
        return result;
      }
      base = base.matmul(base);
    }
  }

  // ---------------------------------------------------------------- decompositions

  /** The result of {@link #qr}: A = Q R. */
  public record Qr(Tensor q, Tensor r) {}

  /** The result of {@link #eigh}: A = V diag(λ) Vᵀ, eigenvalues ascending. */
  public record Eigh(Tensor eigenvalues, Tensor eigenvectors) {}

  /** The result of {@link #svd}: A = U diag(S) Vh, singular values descending. */
  public record Svd(Tensor u, Tensor s, Tensor vh) {}

  /**
   * Reduced QR decomposition of {@code [..., m, n]}: Q {@code [..., m, k]} with orthonormal
   * columns, R {@code [..., k, n]} upper triangular, k = min(m, n), by Householder reflections
   * (signs as LAPACK's and PyTorch's: {@code R[j][j] = −sign(a_jj)·‖column‖}). Gradients need m ≥ n
   * and a full-rank A: {@code Ā = (Q̄ + Q copyltu(M)) R⁻ᵀ} with {@code M = R R̄ᵀ − Q̄ᵀ Q}.
   *
   * <pre>{@code
   * Linalg.Qr f = Linalg.qr(Tensor.of(new double[] {3, 1, 4, 2}, 2, 2));
   * f.q().matmul(f.r());   // the input again
   * }</pre>
   */
  public static Qr qr(Tensor a) {
    matrixFloating("qr", a);
    Tensor[] out = QR.apply(a);
    return new Qr(out[0], out[1]);
  }

  private static final Decomposition QR =
      new Decomposition(
          "LinalgQr",
          shape -> {
            int m = shape[shape.length - 2];
            int n = shape[shape.length - 1];
            int k = Math.min(m, n);
            int[] batch = batchShape(shape, 2);
            return new int[][] {concat(batch, m, k), concat(batch, k, n)};
          },
          Linalg::qrKernel,
          (g, o, a) -> {
            qrDifferentiable(a);
            Tensor q = o[0];
            Tensor r = o[1];
            int n = r.size(-1);
            Tensor m = r.matmul(mT(g[1])).sub(mT(g[0]).matmul(q));
            Tensor copyltu =
                m.mul(triangleMask(n, false, m.dtype()))
                    .add(mT(m.mul(strictlyLower(n, m.dtype()))));
            Tensor x = g[0].add(q.matmul(copyltu));
            return mT(solveTriangular(r, mT(x), true));
          },
          (t, o, a) -> {
            qrDifferentiable(a);
            Tensor q = o[0];
            Tensor r = o[1];
            int n = r.size(-1);
            Tensor daRinv = mT(solveTriangular(mT(r), mT(t), false)); // dA R⁻¹
            Tensor c = mT(q).matmul(daRinv);
            Tensor low = c.mul(strictlyLower(n, c.dtype()));
            Tensor upperPart = c.sub(low.sub(mT(low))); // C − Ω, upper triangular
            return new Tensor[] {daRinv.sub(q.matmul(upperPart)), upperPart.matmul(r)};
          });

  private static Tensor[] qrKernel(Tensor a) {
    int m = a.size(-2);
    int n = a.size(-1);
    int k = Math.min(m, n);
    double[] ad = a.toDoubleArray();
    int batches = batchCount(a.shape(), 2);
    double[] q = new double[batches * m * k];
    double[] r = new double[batches * k * n];
    for (int i = 0; i < batches; i++) {
      MatrixKernels.qr(ad, i * m * n, m, n, q, i * m * k, r, i * k * n);
    }
    int[] batch = batchShape(a.shape(), 2);
    return new Tensor[] {
      build(q, a.dtype(), concat(batch, m, k)), build(r, a.dtype(), concat(batch, k, n))
    };
  }

  private static void qrDifferentiable(Tensor a) {
    if (a.size(-2) < a.size(-1)) {
      throw new UnsupportedOperationException(
          "qr: the derivative of the reduced QR of a wide matrix "
              + shape(a)
              + " (m < n) is not implemented; differentiate qr of the transpose, or use lstsq");
    }
  }

  /**
   * Eigenvalues (ascending, {@code [..., n]}) and orthonormal eigenvectors (columns, {@code [...,
   * n, n]}) of symmetric matrices {@code [..., n, n]}, by Householder tridiagonalisation and
   * implicit QR steps. Only the symmetric part {@code (A + Aᵀ)/2} is read; each eigenvector's
   * largest-magnitude entry is positive.
   *
   * <p>Gradient {@code Ā = sym(V (diag(λ̄) + F ∘ (Vᵀ V̄)) Vᵀ)} with {@code F_ij = 1/(λ_j − λ_i)} (i
   * ≠ j), tangent {@code dλ = diag(Vᵀ dA V)}, {@code dV = V (F ∘ (Vᵀ dA V))}. <b>Caveat:</b> for
   * repeated (or nearly repeated) eigenvalues the eigenvectors are not unique and F is infinite (or
   * huge): the gradient is then only meaningful for functions that do not depend on the choice of
   * basis within the eigenspace (e.g. of the eigenvalues alone, for which F drops out when V̄ is
   * zero).
   *
   * <pre>{@code
   * Linalg.Eigh e = Linalg.eigh(Tensor.of(new double[] {2, 1, 1, 2}, 2, 2));   // λ = [1, 3]
   * }</pre>
   */
  public static Eigh eigh(Tensor a) {
    squareFloating("eigh", a);
    Tensor[] out = EIGH.apply(a);
    return new Eigh(out[0], out[1]);
  }

  private static final Decomposition EIGH =
      new Decomposition(
          "LinalgEigh",
          shape -> new int[][] {batchShape(shape, 1), shape},
          a -> {
            int n = a.size(-1);
            double[] ad = a.toDoubleArray();
            int batches = batchCount(a.shape(), 2);
            double[] values = new double[batches * n];
            double[] vectors = new double[ad.length];
            for (int i = 0; i < batches; i++) {
              MatrixKernels.eigh(ad, i * n * n, n, values, i * n, vectors);
            }
            return new Tensor[] {
              build(values, a.dtype(), batchShape(a.shape(), 1)),
              build(vectors, a.dtype(), a.shape())
            };
          },
          (g, o, a) -> {
            Tensor lambda = o[0];
            Tensor v = o[1];
            Tensor inner = diagEmbed(g[0]).add(gaps(lambda).mul(mT(v).matmul(g[1])));
            Tensor ga = v.matmul(inner).matmul(mT(v));
            return ga.add(mT(ga)).mul(0.5);
          },
          (t, o, a) -> {
            Tensor lambda = o[0];
            Tensor v = o[1];
            Tensor da = t.add(mT(t)).mul(0.5);
            Tensor p = mT(v).matmul(da).matmul(v);
            return new Tensor[] {diagonal(p), v.matmul(gaps(lambda).mul(p))};
          });

  /**
   * Reduced singular value decomposition of {@code [..., m, n]}: U {@code [..., m, k]}, S {@code
   * [..., k]} (descending, non-negative), Vh {@code [..., k, n]}, k = min(m, n), by one-sided
   * Jacobi rotations (small singular values to high relative accuracy). Each column of U has its
   * largest-magnitude entry positive.
   *
   * <p>Gradient (Townsend's formula), with {@code F_ij = 1/(s_j² − s_i²)}: {@code Ā = U [(F ∘ (UᵀŪ
   * − ŪᵀU)) S + diag(S̄) + S (F ∘ (VᵀV̄ − V̄ᵀV))] Vᵀ + (I − UUᵀ) Ū S⁻¹ Vᵀ + U S⁻¹ V̄ᵀ (I − VVᵀ)}.
   * <b>Caveat:</b> as for {@link #eigh}, repeated singular values (or a zero one, when U or V is
   * used) make the singular vectors non-unique and the gradient infinite unless the function
   * depends only on the singular values or on U and V through gauge-invariant combinations such as
   * {@code U diag(S) Vh}.
   *
   * <pre>{@code
   * Linalg.Svd d = Linalg.svd(Tensor.of(new double[] {3, 0, 0, -2}, 2, 2));   // s = [3, 2]
   * }</pre>
   */
  public static Svd svd(Tensor a) {
    matrixFloating("svd", a);
    Tensor[] out = SVD.apply(a);
    return new Svd(out[0], out[1], out[2]);
  }

  private static final Decomposition SVD =
      new Decomposition(
          "LinalgSvd",
          shape -> {
            int m = shape[shape.length - 2];
            int n = shape[shape.length - 1];
            int k = Math.min(m, n);
            int[] batch = batchShape(shape, 2);
            return new int[][] {concat(batch, m, k), concat(batch, k), concat(batch, k, n)};
          },
          Linalg::svdKernel,
          Linalg::svdVjp,
          Linalg::svdJvp);

  private static Tensor[] svdKernel(Tensor a) {
    int m = a.size(-2);
    int n = a.size(-1);
    int k = Math.min(m, n);
    double[] ad = a.toDoubleArray();
    int batches = batchCount(a.shape(), 2);
    double[] u = new double[batches * m * k];
    double[] s = new double[batches * k];
    double[] vh = new double[batches * k * n];
    for (int i = 0; i < batches; i++) {
      MatrixKernels.svd(ad, i * m * n, m, n, u, i * m * k, s, i * k, vh, i * k * n);
    }
    int[] batch = batchShape(a.shape(), 2);
    return new Tensor[] {
      build(u, a.dtype(), concat(batch, m, k)),
      build(s, a.dtype(), concat(batch, k)),
      build(vh, a.dtype(), concat(batch, k, n))
    };
  }

  private static Tensor svdVjp(Tensor[] g, Tensor[] o, Tensor a) {
    Tensor u = o[0];
    Tensor s = o[1];
    Tensor v = mT(o[2]);
    Tensor gu = g[0];
    Tensor gv = mT(g[2]);
    Tensor f = gaps(s.square());
    Tensor rowS = s.unsqueeze(-2); // X·rowS scales column j by s_j: X S
    Tensor colS = s.unsqueeze(-1); // colS·X scales row i by s_i: S X
    Tensor utgu = mT(u).matmul(gu);
    Tensor vtgv = mT(v).matmul(gv);
    Tensor inner =
        f.mul(utgu.sub(mT(utgu)))
            .mul(rowS)
            .add(diagEmbed(g[1]))
            .add(colS.mul(f.mul(vtgv.sub(mT(vtgv)))));
    Tensor ga = u.matmul(inner).matmul(mT(v));
    int m = u.size(-2);
    int n = v.size(-2);
    int k = s.size(-1);
    if (m > k) {
      ga = ga.add(gu.sub(u.matmul(utgu)).div(rowS).matmul(mT(v)));
    }
    if (n > k) {
      ga = ga.add(u.div(rowS).matmul(mT(gv.sub(v.matmul(vtgv)))));
    }
    return ga;
  }

  private static Tensor[] svdJvp(Tensor da, Tensor[] o, Tensor a) {
    Tensor u = o[0];
    Tensor s = o[1];
    Tensor v = mT(o[2]);
    Tensor f = gaps(s.square());
    Tensor rowS = s.unsqueeze(-2);
    Tensor colS = s.unsqueeze(-1);
    Tensor p = mT(u).matmul(da).matmul(v);
    Tensor du = u.matmul(f.mul(p.mul(rowS).add(colS.mul(mT(p)))));
    Tensor dv = v.matmul(f.mul(colS.mul(p).add(mT(p).mul(rowS))));
    int m = u.size(-2);
    int n = v.size(-2);
    int k = s.size(-1);
    if (m > k) {
      Tensor dav = da.matmul(v);
      du = du.add(dav.sub(u.matmul(mT(u).matmul(dav))).div(rowS));
    }
    if (n > k) {
      Tensor datu = mT(da).matmul(u);
      dv = dv.add(datu.sub(v.matmul(mT(v).matmul(datu))).div(rowS));
    }
    return new Tensor[] {du, diagonal(p), mT(dv)};
  }

  // ---------------------------------------------------------------- least squares, pinv

  /**
   * The Moore-Penrose pseudo-inverse of {@code [..., m, n]} ({@code [..., n, m]}), from the SVD:
   * singular values at or below {@code max(m, n)·ε·s_max} count as zero (ε of the dtype, PyTorch's
   * default). The derivative assumes the rank is locally constant (Golub and Pereyra): tangent
   * {@code dP = −P dA P + P Pᵀ dAᵀ (I − A P) + (I − P A) dAᵀ Pᵀ P}, and its adjoint for the
   * gradient; repeated singular values need no caveat here.
   *
   * <pre>{@code
   * Linalg.pinv(Tensor.of(new double[] {1, 0, 0, 0}, 2, 2));   // [[1, 0], [0, 0]]
   * }</pre>
   */
  public static Tensor pinv(Tensor a) {
    matrixFloating("pinv", a);
    return PINV.apply(a);
  }

  private static final CustomFunction PINV =
      CustomFunction.of(
          "LinalgPinv",
          in -> {
            int m = in[0].size(-2);
            int n = in[0].size(-1);
            if (m == 0 || n == 0) {
              return Tensor.zeros(in[0].dtype(), concat(batchShape(in[0].shape(), 2), n, m));
            }
            Tensor[] usv = svdKernel(in[0]);
            double eps = in[0].dtype() == DType.FLOAT32 ? Math.ulp(1f) : Math.ulp(1.0);
            Tensor s = usv[1];
            Tensor cutoff = s.max(-1, true).mul(Math.max(m, n) * eps);
            Tensor keep = s.gt(cutoff);
            Tensor inverse = Tensor.where(keep, s.reciprocal(), 0.0).to(s.dtype());
            return mT(usv[2]).mul(inverse.unsqueeze(-2)).matmul(mT(usv[0]));
          },
          (g, p, in) -> {
            Tensor a = in[0];
            Tensor gt = mT(g);
            Tensor left = eye(a.size(-2), a.dtype()).sub(a.matmul(p)); // I − A P, m×m
            Tensor right = eye(a.size(-1), a.dtype()).sub(p.matmul(a)); // I − P A, n×n
            Tensor ga =
                mT(p)
                    .matmul(g)
                    .matmul(mT(p))
                    .neg()
                    .add(left.matmul(gt).matmul(p).matmul(mT(p)))
                    .add(mT(p).matmul(p).matmul(gt).matmul(right));
            return new Tensor[] {ga};
          },
          (t, p, in) -> {
            Tensor a = in[0];
            Tensor dat = mT(t[0]);
            Tensor left = eye(a.size(-2), a.dtype()).sub(a.matmul(p));
            Tensor right = eye(a.size(-1), a.dtype()).sub(p.matmul(a));
            return p.matmul(t[0])
                .matmul(p)
                .neg()
                .add(p.matmul(mT(p)).matmul(dat).matmul(left))
                .add(right.matmul(dat).matmul(mT(p)).matmul(p));
          });

  /**
   * The least-squares solution of {@code A X ≈ B}: the X of smallest norm among those minimising
   * {@code ‖A X − B‖} (for a full-rank tall A the unique minimiser, for a wide A the minimum-norm
   * solution), as {@code pinv(A) B}. A {@code [..., m, n]}, B {@code [..., m, k]} or a vector
   * {@code [..., m]}; batch dimensions broadcast. Returns the solution only (PyTorch's {@code
   * .solution}). Gradients as for {@link #pinv} (rank locally constant).
   *
   * <pre>{@code
   * Tensor a = Tensor.of(new double[] {1, 0, 1, 1, 1, 2}, 3, 2);   // fit y = c0 + c1·x
   * Tensor c = Linalg.lstsq(a, Tensor.of(1, 2, 2));              // [1.1667, 0.5]
   * }</pre>
   */
  public static Tensor lstsq(Tensor a, Tensor b) {
    nonNull("lstsq", a, b);
    sameFloating("lstsq", a, b);
    matrix("lstsq", a);
    boolean vector =
        b.dim() == 1
            || (b.dim() == a.dim() - 1
                && Arrays.equals(b.shape(), Arrays.copyOf(a.shape(), a.dim() - 1)));
    Tensor bm = vector ? b.unsqueeze(-1) : b;
    if (bm.dim() < 2 || bm.size(-2) != a.size(-2)) {
      throw new IllegalArgumentException(
          "lstsq: A "
              + shape(a)
              + " needs B of shape [..., "
              + a.size(-2)
              + ", k] or [..., "
              + a.size(-2)
              + "], got "
              + shape(b));
    }
    Tensor[] ab = broadcastBatch("lstsq", a, bm);
    Tensor x = pinv(ab[0]).matmul(ab[1]);
    return vector ? x.squeeze(-1) : x;
  }
}
