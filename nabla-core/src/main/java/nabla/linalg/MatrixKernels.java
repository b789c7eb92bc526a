package nabla.linalg;

import nabla.Tensor;

/**
 * Plain-Java dense kernels on one row-major matrix at an offset of a double array: LU with partial
 * pivoting, Cholesky, triangular solves, Householder QR, Jacobi eigenvalues and the one-sided
 * Jacobi SVD. Everything is computed in double; callers round float32 results once. No kernel knows
 * about tensors, graphs or batches; {@link Linalg} loops over the batch.
 */
final class MatrixKernels {
  private MatrixKernels() {}

  /** Machine epsilon of double, the Jacobi convergence threshold. */
  private static final double EPS = Math.ulp(1.0);

  /**
   * Factors the n×n matrix {@code a} (at {@code off}) in place into L (unit lower, below the
   * diagonal) and U (upper, on and above it) with rows permuted: row i of LU is row {@code perm[i]}
   * of the input. Returns the permutation's sign, or 0 when a pivot is exactly zero, in which case
   * {@code perm[n]} holds the index of that pivot (the factorisation is not finished).
   */
  static int lu(double[] a, int off, int n, int[] perm) {
    if (n >= BLOCKED_FROM) {
      return luBlocked(a, off, n, perm);
    }
    return luUnblocked(a, off, n, perm);
  }

  /** The unblocked LU, same contract as {@link #lu}. */
  static int luUnblocked(double[] a, int off, int n, int[] perm) {
    return luColumns(a, off, n, perm, 0, n, n);
  }

  /** Matrices from this order on are factored by blocks, with GEMM trailing updates. */
  static final int BLOCKED_FROM = 256;

  private static final int BLOCK = 64;

  /**
   * Right-looking blocked LU (same contract as {@link #lu}): each panel of {@link #BLOCK} columns
   * is factored by {@link #luColumns}, the block row of U is a unit-lower triangular solve, and the
   * trailing matrix is updated by one matrix product {@code A22 −= L21 U12} on the GEMM kernels.
   */
  static int luBlocked(double[] a, int off, int n, int[] perm) {
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    int sign = 1;
    for (int kb = 0; kb < n; kb += BLOCK) {
      int b = Math.min(BLOCK, n - kb);
      int s = luColumns(a, off, n, perm, kb, kb + b, kb + b);
      if (s == 0) {
        return 0;
      }
      sign *= s;
      int rest = n - kb - b;
      if (rest == 0) {
        break;
      }
      // U12 = L11⁻¹ A12, in place (L11 unit lower)
      for (int i = kb + 1; i < kb + b; i++) {
        for (int k = kb; k < i; k++) {
          double f = a[off + i * n + k];
          if (f != 0) {
            for (int j = kb + b; j < n; j++) {
              a[off + i * n + j] -= f * a[off + k * n + j];
            }
          }
        }
      }
      double[] l21 = new double[rest * b];
      double[] u12 = new double[b * rest];
      for (int i = 0; i < rest; i++) {
        System.arraycopy(a, off + (kb + b + i) * n + kb, l21, i * b, b);
      }
      for (int i = 0; i < b; i++) {
        System.arraycopy(a, off + (kb + i) * n + kb + b, u12, i * rest, rest);
      }
      double[] product =
          Tensor.ofDoubles(l21, rest, b).matmul(Tensor.ofDoubles(u12, b, rest)).toDoubleArray();
      for (int i = 0; i < rest; i++) {
        int row = off + (kb + b + i) * n + kb + b;
        for (int j = 0; j < rest; j++) {
          a[row + j] -= product[i * rest + j];
        }
      }
    }
    return sign;
  }

  /**
   * Unblocked LU of columns {@code from..to-1} of the n×n matrix, rows {@code from..n-1}: pivots
   * are searched in those rows and whole rows are swapped (perm follows); elimination updates
   * columns up to {@code updateTo}. With from = 0 and to = updateTo = n this is the whole LU (perm
   * initialised here then). Returns ±1, the sign of the swaps made, or 0 as {@link #lu}.
   */
  private static int luColumns(
      double[] a, int off, int n, int[] perm, int from, int to, int updateTo) {
    int sign = 1;
    if (from == 0 && to == n) {
      for (int i = 0; i < n; i++) {
        perm[i] = i;
      }
    }
    for (int k = from; k < to; k++) {
      int p = k;
      double best = Math.abs(a[off + k * n + k]);
      for (int i = k + 1; i < n; i++) {
        double v = Math.abs(a[off + i * n + k]);
        if (v > best) {
          best = v;
          p = i;
        }
      }
      if (best == 0) { // a NaN column is not singular: NaN propagates, as in LAPACK
        perm[n] = k;
        return 0;
      }
      if (p != k) {
        for (int j = 0; j < n; j++) {
          double t = a[off + k * n + j];
          a[off + k * n + j] = a[off + p * n + j];
          a[off + p * n + j] = t;
        }
        int t = perm[k];
        perm[k] = perm[p];
        perm[p] = t;
        sign = -sign;
      }
      double pivot = a[off + k * n + k];
      for (int i = k + 1; i < n; i++) {
        double f = a[off + i * n + k] / pivot;
        a[off + i * n + k] = f;
        if (f != 0) {
          for (int j = k + 1; j < updateTo; j++) {
            a[off + i * n + j] -= f * a[off + k * n + j];
          }
        }
      }
    }
    return sign;
  }

  /**
   * Solves (LU) x = P b for the n×m right-hand side {@code b} (at {@code boff}), writing x into
   * {@code x} (at {@code xoff}); {@code lu}/{@code perm} as left by {@link #lu}.
   */
  static void luSolve(
      double[] lu, int off, int n, int[] perm, double[] b, int boff, int m, double[] x, int xoff) {
    for (int i = 0; i < n; i++) {
      System.arraycopy(b, boff + perm[i] * m, x, xoff + i * m, m);
    }
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < i; k++) {
        double f = lu[off + i * n + k];
        if (f != 0) {
          for (int j = 0; j < m; j++) {
            x[xoff + i * m + j] -= f * x[xoff + k * m + j];
          }
        }
      }
    }
    for (int i = n - 1; i >= 0; i--) {
      for (int k = i + 1; k < n; k++) {
        double f = lu[off + i * n + k];
        if (f != 0) {
          for (int j = 0; j < m; j++) {
            x[xoff + i * m + j] -= f * x[xoff + k * m + j];
          }
        }
      }
      double d = lu[off + i * n + i];
      for (int j = 0; j < m; j++) {
        x[xoff + i * m + j] /= d;
      }
    }
  }

  /**
   * Writes the lower Cholesky factor of the symmetric part of the n×n matrix {@code a} into {@code
   * l} (same offset). Returns -1 on success, else the 1-based order of the leading minor that is
   * not positive-definite (a NaN minor counts as not positive).
   */
  static int cholesky(double[] a, double[] l, int off, int n) {
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        double s = 0.5 * (a[off + i * n + j] + a[off + j * n + i]);
        for (int k = 0; k < j; k++) {
          s -= l[off + i * n + k] * l[off + j * n + k];
        }
        if (i == j) {
          if (!(s > 0)) {
            return i + 1;
          }
          l[off + i * n + i] = Math.sqrt(s);
        } else {
          l[off + i * n + j] = s / l[off + j * n + j];
        }
      }
      for (int j = i + 1; j < n; j++) {
        l[off + i * n + j] = 0;
      }
    }
    return -1;
  }

  /**
   * Solves T x = b for the triangle of the n×n matrix {@code t} ({@code upper} or lower, the other
   * triangle ignored) and the n×m right-hand side b, into x. Returns -1, or the index of a zero
   * diagonal entry (x is then incomplete).
   */
  static int triangularSolve(
      double[] t,
      int toff,
      int n,
      boolean upper,
      double[] b,
      int boff,
      int m,
      double[] x,
      int xoff) {
    for (int i = 0; i < n; i++) {
      if (t[toff + i * n + i] == 0) {
        return i;
      }
    }
    System.arraycopy(b, boff, x, xoff, n * m);
    for (int s = 0; s < n; s++) {
      int i = upper ? n - 1 - s : s;
      int from = upper ? i + 1 : 0;
      int to = upper ? n : i;
      for (int k = from; k < to; k++) {
        double f = t[toff + i * n + k];
        if (f != 0) {
          for (int j = 0; j < m; j++) {
            x[xoff + i * m + j] -= f * x[xoff + k * m + j];
          }
        }
      }
      double d = t[toff + i * n + i];
      for (int j = 0; j < m; j++) {
        x[xoff + i * m + j] /= d;
      }
    }
    return -1;
  }

  /**
   * Reduced Householder QR of the m×n matrix {@code a} (at {@code aoff}, not modified): Q is m×k
   * with orthonormal columns, R is k×n upper triangular, k = min(m, n). The reflector signs follow
   * LAPACK's geqrf ({@code R[j][j] = -sign(a_jj) * norm}), so the factors match PyTorch's.
   */
  static void qr(double[] a, int aoff, int m, int n, double[] q, int qoff, double[] r, int roff) {
    int k = Math.min(m, n);
    double[] w = new double[m * n];
    System.arraycopy(a, aoff, w, 0, m * n);
    double[][] vs = new double[k][];
    double[] taus = new double[k];
    double[] z = new double[n];
    for (int j = 0; j < k; j++) {
      double alpha = w[j * n + j];
      double tail = 0;
      for (int i = j + 1; i < m; i++) {
        tail = Math.hypot(tail, w[i * n + j]);
      }
      double[] v = new double[m - j];
      v[0] = 1;
      if (tail == 0) {
        taus[j] = 0;
      } else {
        double beta = -Math.copySign(Math.hypot(alpha, tail), alpha);
        taus[j] = (beta - alpha) / beta;
        double scale = 1 / (alpha - beta);
        for (int i = j + 1; i < m; i++) {
          v[i - j] = w[i * n + j] * scale;
          w[i * n + j] = 0;
        }
        w[j * n + j] = beta;
        // columns j+1.. ← H columns: z = τ vᵀ W, then W −= v z (row-wise, contiguous)
        java.util.Arrays.fill(z, 0);
        for (int i = j; i < m; i++) {
          double vi = v[i - j];
          for (int c = j + 1; c < n; c++) {
            z[c] += vi * w[i * n + c];
          }
        }
        for (int i = j; i < m; i++) {
          double vi = taus[j] * v[i - j];
          for (int c = j + 1; c < n; c++) {
            w[i * n + c] -= vi * z[c];
          }
        }
      }
      vs[j] = v;
    }
    for (int i = 0; i < k; i++) {
      for (int c = 0; c < n; c++) {
        r[roff + i * n + c] = c < i ? 0 : w[i * n + c];
      }
    }
    for (int i = 0; i < m; i++) {
      for (int c = 0; c < k; c++) {
        q[qoff + i * k + c] = i == c ? 1 : 0;
      }
    }
    for (int j = k - 1; j >= 0; j--) {
      if (taus[j] == 0) {
        continue;
      }
      double[] v = vs[j];
      double[] y = new double[k];
      for (int i = j; i < m; i++) {
        double vi = v[i - j];
        for (int c = 0; c < k; c++) {
          y[c] += vi * q[qoff + i * k + c];
        }
      }
      for (int i = j; i < m; i++) {
        double vi = taus[j] * v[i - j];
        for (int c = 0; c < k; c++) {
          q[qoff + i * k + c] -= vi * y[c];
        }
      }
    }
  }

  /**
   * Eigen-decomposition of the symmetric part of the n×n matrix {@code a}: eigenvalues ascending
   * into {@code values} (at {@code voff}), orthonormal eigenvectors as the columns of {@code
   * vectors} (at {@code off}), each with its largest-magnitude entry positive (the first such entry
   * on ties). Householder reduction to a tridiagonal T = Qᵀ A Q, then implicit symmetric QR steps
   * with Wilkinson shifts on T (Golub and Van Loan, algorithms 8.3.1 and 8.3.3), the rotations
   * accumulated into Q.
   */
  static void eigh(double[] a, int off, int n, double[] values, int voff, double[] vectors) {
    double[] w = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        w[i * n + j] = 0.5 * (a[off + i * n + j] + a[off + j * n + i]);
      }
    }
    double[] qt = new double[n * n]; // row j: column j of Q
    for (int i = 0; i < n; i++) {
      qt[i * n + i] = 1;
    }
    tridiagonalise(w, n, qt);
    double[] d = new double[n];
    double[] e = new double[Math.max(n - 1, 0)];
    for (int i = 0; i < n; i++) {
      d[i] = w[i * n + i];
      if (i + 1 < n) {
        e[i] = w[(i + 1) * n + i];
      }
    }
    tridiagonalQr(d, e, n, qt);
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (x, y) -> Double.compare(d[x], d[y]));
    for (int c = 0; c < n; c++) {
      int src = order[c];
      values[voff + c] = d[src];
      double sign = largestSign(qt, n, src * n, 1, 0);
      for (int i = 0; i < n; i++) {
        vectors[off + i * n + c] = sign * qt[src * n + i];
      }
    }
  }

  /**
   * Reduces the symmetric n×n matrix w in place to tridiagonal form H_{n-3}⋯H_0 w H_0⋯H_{n-3} by
   * Householder reflections H_k = I − τ v vᵀ acting on indices k+1..n−1, and applies each on the
   * left of {@code qt} (which becomes Qᵀ times its start value).
   */
  private static void tridiagonalise(double[] w, int n, double[] qt) {
    double[] v = new double[n];
    double[] p = new double[n];
    for (int k = 0; k + 2 < n; k++) {
      int lo = k + 1;
      double alpha = w[lo * n + k];
      double tail = 0;
      for (int i = lo + 1; i < n; i++) {
        tail = Math.hypot(tail, w[i * n + k]);
      }
      if (tail == 0) {
        continue;
      }
      double beta = -Math.copySign(Math.hypot(alpha, tail), alpha);
      double tau = (beta - alpha) / beta;
      double scale = 1 / (alpha - beta);
      v[lo] = 1;
      for (int i = lo + 1; i < n; i++) {
        v[i] = w[i * n + k] * scale;
      }
      // trailing block B ← H B H = B − v wᵀ − w vᵀ with p = τ B v, w = p − (τ/2)(pᵀv) v
      double pv = 0;
      for (int i = lo; i < n; i++) {
        double t = 0;
        for (int j = lo; j < n; j++) {
          t += w[i * n + j] * v[j];
        }
        p[i] = tau * t;
        pv += p[i] * v[i];
      }
      double half = 0.5 * tau * pv;
      for (int i = lo; i < n; i++) {
        p[i] -= half * v[i];
      }
      for (int i = lo; i < n; i++) {
        for (int j = lo; j < n; j++) {
          w[i * n + j] -= v[i] * p[j] + p[i] * v[j];
        }
      }
      w[lo * n + k] = beta;
      w[k * n + lo] = beta;
      for (int i = lo + 1; i < n; i++) {
        w[i * n + k] = 0;
        w[k * n + i] = 0;
      }
      // qt ← H qt on rows lo..n−1
      for (int j = 0; j < n; j++) {
        double t = 0;
        for (int i = lo; i < n; i++) {
          t += v[i] * qt[i * n + j];
        }
        t *= tau;
        if (t != 0) {
          for (int i = lo; i < n; i++) {
            qt[i * n + j] -= t * v[i];
          }
        }
      }
    }
  }

  /**
   * Diagonalises the symmetric tridiagonal matrix (diagonal d, off-diagonal e, e[i] coupling i and
   * i+1) by implicit QR steps with Wilkinson shifts, each a chase of one bulge down the band by
   * plane rotations; rotation (c, s) in the plane (k, k+1) also rotates rows k and k+1 of {@code
   * qt}. On return d holds the eigenvalues (unsorted) and row j of qt the eigenvector of d[j].
   */
  private static void tridiagonalQr(double[] d, double[] e, int n, double[] qt) {
    int hi = n - 1;
    int steps = 0;
    while (hi > 0) {
      for (int i = 0; i < hi; i++) {
        if (Math.abs(e[i]) <= EPS * (Math.abs(d[i]) + Math.abs(d[i + 1]))) {
          e[i] = 0;
        }
      }
      while (hi > 0 && e[hi - 1] == 0) {
        hi--;
      }
      if (hi == 0) {
        break;
      }
      int lo = hi - 1;
      while (lo > 0 && e[lo - 1] != 0) {
        lo--;
      }
      if (++steps > 50 * n) {
        return; // not converged (NaN input): leave the values as they are
      }
      // Wilkinson shift: the eigenvalue of the trailing 2×2 block nearer to d[hi]
      double half = 0.5 * (d[hi - 1] - d[hi]);
      double b = e[hi - 1];
      double mu = d[hi] - b * b / (half + Math.copySign(Math.hypot(half, b), half));
      double x = d[lo] - mu;
      double z = e[lo];
      double bulge = 0;
      for (int k = lo; k < hi; k++) {
        if (k > lo) {
          x = e[k - 1];
          z = bulge;
        }
        double r = Math.hypot(x, z);
        double c = r == 0 ? 1 : x / r;
        double s = r == 0 ? 0 : -z / r;
        if (k > lo) {
          e[k - 1] = r;
        }
        // T ← R T Rᵀ with rows/columns k, k+1 becoming c·k − s·(k+1) and s·k + c·(k+1)
        double dk = d[k];
        double dk1 = d[k + 1];
        double ek = e[k];
        d[k] = c * c * dk - 2 * c * s * ek + s * s * dk1;
        d[k + 1] = s * s * dk + 2 * c * s * ek + c * c * dk1;
        e[k] = c * s * (dk - dk1) + (c * c - s * s) * ek;
        if (k + 1 < hi) {
          double f = e[k + 1];
          bulge = -s * f;
          e[k + 1] = c * f;
        }
        rotateRows(qt, n, n, k, k + 1, c, s);
      }
    }
  }

  /**
   * Reduced SVD of the m×n matrix {@code a}: U m×k, singular values (descending, at {@code soff})
   * and Vh k×n, k = min(m, n), by one-sided Jacobi rotations (accurate singular values, also the
   * small ones). Each column of U has its largest-magnitude entry positive (Vh's rows follow).
   */
  static void svd(
      double[] a,
      int aoff,
      int m,
      int n,
      double[] u,
      int uoff,
      double[] s,
      int soff,
      double[] vh,
      int vhoff) {
    int k = Math.min(m, n);
    if (k == 0) {
      return;
    }
    if (m < n) {
      // A = (Aᵀ)ᵀ: the SVD of Aᵀ (n×m) gives U' S V'ᵀ, so U = V' and Vh = U'ᵀ.
      double[] at = new double[n * m];
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          at[j * m + i] = a[aoff + i * n + j];
        }
      }
      double[] ut = new double[n * k];
      double[] vht = new double[k * m];
      svd(at, 0, n, m, ut, 0, s, soff, vht, 0);
      for (int i = 0; i < m; i++) {
        for (int c = 0; c < k; c++) {
          u[uoff + i * k + c] = vht[c * m + i];
        }
      }
      for (int c = 0; c < k; c++) {
        for (int j = 0; j < n; j++) {
          vh[vhoff + c * n + j] = ut[j * k + c];
        }
      }
      // the sign rule is about U's columns: flip where the transposed factor's rule disagrees
      normaliseSigns(u, uoff, m, k, vh, vhoff, n);
      return;
    }
    if (m > n) {
      // A = Q R (Householder), R = Ur S Vh (n×n): U = Q Ur. Jacobi then rotates n-vectors
      // instead of m-vectors, and starts from a better-conditioned triangle.
      double[] q = new double[m * n];
      double[] r = new double[n * n];
      qr(a, aoff, m, n, q, 0, r, 0);
      double[] ur = new double[n * n];
      svd(r, 0, n, n, ur, 0, s, soff, vh, vhoff);
      for (int i = 0; i < m; i++) {
        for (int c = 0; c < n; c++) {
          double t = 0;
          for (int j = 0; j < n; j++) {
            t += q[i * n + j] * ur[j * n + c];
          }
          u[uoff + i * n + c] = t;
        }
      }
      normaliseSigns(u, uoff, m, k, vh, vhoff, n);
      return;
    }
    // row j of w is column j of A, row j of v is column j of V: every rotation and dot product
    // runs over contiguous rows
    double[] w = new double[n * m];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        w[j * m + i] = a[aoff + i * n + j];
      }
    }
    double[] v = new double[n * n];
    for (int i = 0; i < n; i++) {
      v[i * n + i] = 1;
    }
    for (int sweep = 0; sweep < 100; sweep++) {
      boolean rotated = false;
      for (int p = 0; p < n - 1; p++) {
        for (int q = p + 1; q < n; q++) {
          double alpha = 0;
          double beta = 0;
          double gamma = 0;
          for (int i = 0; i < m; i++) {
            double wp = w[p * m + i];
            double wq = w[q * m + i];
            alpha += wp * wp;
            beta += wq * wq;
            gamma += wp * wq;
          }
          if (gamma == 0 || Math.abs(gamma) <= EPS * Math.sqrt(alpha * beta)) {
            continue;
          }
          rotated = true;
          double zeta = (beta - alpha) / (2 * gamma);
          double t =
              Double.isInfinite(zeta * zeta)
                  ? 0.5 / zeta
                  : Math.copySign(1, zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
          double c = 1 / Math.sqrt(1 + t * t);
          double sn = c * t;
          rotateRows(w, n, m, p, q, c, sn);
          rotateRows(v, n, n, p, q, c, sn);
        }
      }
      if (!rotated) {
        break;
      }
    }
    double[] norms = new double[n];
    for (int j = 0; j < n; j++) {
      double t = 0;
      for (int i = 0; i < m; i++) {
        t = Math.hypot(t, w[j * m + i]);
      }
      norms[j] = t;
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (x, y) -> Double.compare(norms[y], norms[x]));
    double tiny = norms[order[0]] * EPS * m;
    for (int c = 0; c < k; c++) {
      int src = order[c];
      double sv = norms[src];
      s[soff + c] = sv;
      boolean zero = sv <= tiny || sv == 0;
      for (int i = 0; i < m; i++) {
        u[uoff + i * k + c] = zero ? 0 : w[src * m + i] / sv;
      }
      if (zero) {
        completeColumn(u, uoff, m, k, c);
      }
      for (int j = 0; j < n; j++) {
        vh[vhoff + c * n + j] = v[src * n + j];
      }
    }
    normaliseSigns(u, uoff, m, k, vh, vhoff, n);
  }

  /** Flips column c of U (m×k) and row c of Vh (k×n) together where U's largest entry is < 0. */
  private static void normaliseSigns(
      double[] u, int uoff, int m, int k, double[] vh, int vhoff, int n) {
    for (int c = 0; c < k; c++) {
      if (signOfLargest(u, m, k, c, uoff) < 0) {
        for (int i = 0; i < m; i++) {
          u[uoff + i * k + c] = -u[uoff + i * k + c];
        }
        for (int j = 0; j < n; j++) {
          vh[vhoff + c * n + j] = -vh[vhoff + c * n + j];
        }
      }
    }
  }

  /** Makes column c of the m×k matrix orthonormal to columns 0..c-1 (Gram-Schmidt on e_i). */
  private static void completeColumn(double[] u, int off, int m, int k, int c) {
    for (int e = 0; e < m; e++) {
      double[] x = new double[m];
      x[e] = 1;
      for (int pass = 0; pass < 2; pass++) {
        for (int j = 0; j < c; j++) {
          double dot = 0;
          for (int i = 0; i < m; i++) {
            dot += u[off + i * k + j] * x[i];
          }
          for (int i = 0; i < m; i++) {
            x[i] -= dot * u[off + i * k + j];
          }
        }
      }
      double norm = 0;
      for (int i = 0; i < m; i++) {
        norm = Math.hypot(norm, x[i]);
      }
      if (norm > 0.5) {
        for (int i = 0; i < m; i++) {
          u[off + i * k + c] = x[i] / norm;
        }
        return;
      }
    }
  }

  /** +1 or -1: the sign of the largest-magnitude entry of column c (rows × cols, at off). */
  private static double signOfLargest(double[] x, int rows, int cols, int c, int off) {
    return largestSign(x, rows, c, cols, off);
  }

  /**
   * +1 or -1: the sign of the largest-magnitude of {@code count} entries at {@code off + start +
   * i·stride} (the first one on ties).
   */
  private static double largestSign(double[] x, int count, int start, int stride, int off) {
    double best = -1;
    double sign = 1;
    for (int i = 0; i < count; i++) {
      double e = x[off + start + i * stride];
      if (Math.abs(e) > best * (1 + 1e-12)) {
        best = Math.abs(e);
        sign = e < 0 ? -1 : 1;
      }
    }
    return sign;
  }

  /** Rows p, q of the rows×cols matrix x become c·x_p − s·x_q and s·x_p + c·x_q. */
  private static void rotateRows(double[] x, int rows, int cols, int p, int q, double c, double s) {
    for (int j = 0; j < cols; j++) {
      double xp = x[p * cols + j];
      double xq = x[q * cols + j];
      x[p * cols + j] = c * xp - s * xq;
      x[q * cols + j] = s * xp + c * xq;
    }
  }
}
