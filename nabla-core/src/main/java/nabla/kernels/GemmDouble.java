// Source of a generated float32 twin (tools/codegen/GenerateFloatKernels.java).
package nabla.kernels;

import static nabla.kernels.GemmTuning.PARALLEL_MIN;
import static nabla.kernels.GemmTuning.SCALAR_KC;
import static nabla.kernels.GemmTuning.SCALAR_MR;
import static nabla.kernels.GemmTuning.SCALAR_NC;
import static nabla.kernels.GemmTuning.SCALAR_NR;
import static nabla.kernels.GemmTuning.SMALL_M;
import static nabla.kernels.GemmTuning.SMALL_N;
import static nabla.kernels.GemmTuning.TINY;

import java.util.Arrays;

/**
 * The float64 GEMM driver behind {@link Gemm}: runs one validated product through the tiny, skinny
 * or packed path and splits it among threads (see {@link Gemm} for the strategy and {@link
 * GemmTuning} for the sizes). Arguments are checked by {@link Gemm}.
 */
final class GemmDouble {
  private GemmDouble() {}

  private static final boolean SIMD = Simd.enabled();

  /** Micro-tile rows of the active path (used to split work and choose orientation). */
  private static final int MR = SIMD ? GemmTuning.MR : SCALAR_MR;

  /** Micro-tile columns of the active path. */
  private static final int NR = SIMD ? SimdGemmDouble.NR : SCALAR_NR;

  /**
   * Runs {@code batch} validated products; product t reads A and B at {@code aOffsets[t]} and
   * {@code bOffsets[t]} and overwrites the contiguous row-major block at {@code cOff + t*m*n}.
   */
  static void runBatched(
      int batch,
      int m,
      int n,
      int k,
      double[] a,
      int[] aOffsets,
      int ars,
      int acs,
      double[] b,
      int[] bOffsets,
      int brs,
      int bcs,
      double[] c,
      int cOff) {
    int mn = m * n;
    if (batch == 0 || mn == 0) {
      return;
    }
    if (k == 0) {
      Arrays.fill(c, cOff, cOff + batch * mn, 0.0);
      return;
    }
    if (Gemm.splitByBatch(batch, m, n, k)) {
      long work = (long) m * n * k;
      int minChunk = (int) Math.min(batch, Math.max(1, PARALLEL_MIN / work));
      Parallel.forRange(
          0,
          batch,
          minChunk,
          (lo, hi) -> {
            for (int t = lo; t < hi; t++) {
              run(
                  m,
                  n,
                  k,
                  a,
                  aOffsets[t],
                  ars,
                  acs,
                  b,
                  bOffsets[t],
                  brs,
                  bcs,
                  c,
                  cOff + t * mn,
                  false);
            }
          });
    } else {
      for (int t = 0; t < batch; t++) {
        run(m, n, k, a, aOffsets[t], ars, acs, b, bOffsets[t], brs, bcs, c, cOff + t * mn, true);
      }
    }
  }

  /** Runs a validated double product into the contiguous row-major block at {@code cOff}. */
  static void run(
      int m,
      int n,
      int k,
      double[] a,
      int aOff,
      int ars,
      int acs,
      double[] b,
      int bOff,
      int brs,
      int bcs,
      double[] c,
      int cOff,
      boolean parallel) {
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) {
      Arrays.fill(c, cOff, cOff + m * n, 0.0);
      return;
    }
    if ((long) m * n * k <= TINY) {
      naive(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, n, 1);
      return;
    }
    if (SIMD
        && Math.min(m, n) <= SMALL_N
        && skinny(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, parallel)) {
      return;
    }
    // Compute C^T = B^T A^T instead when that wastes fewer padded lanes (e.g. n = 1).
    if (Gemm.transposeBetter(m, n, MR, NR)) {
      tiled(n, m, k, b, bOff, bcs, brs, a, aOff, acs, ars, c, cOff, 1, n, parallel);
    } else {
      tiled(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, n, 1, parallel);
    }
  }

  /**
   * Skinny products (few rows or few columns) whose large operand is contiguous in the right
   * direction run unpacked (see {@code SimdGemmDouble.smallM} and {@code SimdGemmDouble.smallN}),
   * split along the long dimension among threads. Returns false when the layout does not fit those
   * kernels.
   */
  private static boolean skinny(
      int m,
      int n,
      int k,
      double[] a,
      int aOff,
      int ars,
      int acs,
      double[] b,
      int bOff,
      int brs,
      int bcs,
      double[] c,
      int cOff,
      boolean parallel) {
    long work = (long) m * n * k;
    boolean par =
        parallel && Parallel.threads() > 1 && work >= PARALLEL_MIN && !Parallel.inWorker();
    int minChunk = 64;
    if (m <= n) {
      if (bcs == 1 && m <= SMALL_M) { // few rows of C; rows of B contiguous: split the columns
        if (par) {
          Parallel.forRange(
              0,
              n,
              minChunk,
              (lo, hi) ->
                  SimdGemmDouble.smallM(
                      m, hi - lo, k, a, aOff, ars, acs, b, bOff + lo, brs, c, cOff + lo, n, 1));
        } else {
          SimdGemmDouble.smallM(m, n, k, a, aOff, ars, acs, b, bOff, brs, c, cOff, n, 1);
        }
        return true;
      }
      if (brs == 1) { // C^T = B^T A^T: few columns of C^T, rows of B^T contiguous: split B^T's rows
        if (par) {
          Parallel.forRange(
              0,
              n,
              minChunk,
              (lo, hi) ->
                  SimdGemmDouble.smallN(
                      hi - lo,
                      m,
                      k,
                      b,
                      bOff + lo * bcs,
                      bcs,
                      a,
                      aOff,
                      acs,
                      ars,
                      c,
                      cOff + lo,
                      1,
                      n));
        } else {
          SimdGemmDouble.smallN(n, m, k, b, bOff, bcs, a, aOff, acs, ars, c, cOff, 1, n);
        }
        return true;
      }
    } else {
      if (acs == 1) { // few columns of C; rows of A contiguous: split the rows
        if (par) {
          Parallel.forRange(
              0,
              m,
              minChunk,
              (lo, hi) ->
                  SimdGemmDouble.smallN(
                      hi - lo,
                      n,
                      k,
                      a,
                      aOff + lo * ars,
                      ars,
                      b,
                      bOff,
                      brs,
                      bcs,
                      c,
                      cOff + lo * n,
                      n,
                      1));
        } else {
          SimdGemmDouble.smallN(m, n, k, a, aOff, ars, b, bOff, brs, bcs, c, cOff, n, 1);
        }
        return true;
      }
      if (ars == 1
          && n <= SMALL_M) { // C^T = B^T A^T: few rows of C^T, rows of A^T contiguous: split A^T's
        // columns
        if (par) {
          Parallel.forRange(
              0,
              m,
              minChunk,
              (lo, hi) ->
                  SimdGemmDouble.smallM(
                      n, hi - lo, k, b, bOff, bcs, brs, a, aOff + lo, acs, c, cOff + lo * n, 1, n));
        } else {
          SimdGemmDouble.smallM(n, m, k, b, bOff, bcs, brs, a, aOff, acs, c, cOff, 1, n);
        }
        return true;
      }
    }
    return false;
  }

  /** Splits C (element (i, j) at {@code c[cOff + i*crs + j*ccs]}) into one tile per thread. */
  private static void tiled(
      int m,
      int n,
      int k,
      double[] a,
      int aOff,
      int ars,
      int acs,
      double[] b,
      int bOff,
      int brs,
      int bcs,
      double[] c,
      int cOff,
      int crs,
      int ccs,
      boolean parallel) {
    int[] grid = parallel ? Gemm.grid(m, n, k, MR, NR) : null;
    if (grid == null) {
      block(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, crs, ccs);
      return;
    }
    int tm = grid[0], tn = grid[1];
    int mUnits = (m + MR - 1) / MR, nUnits = (n + NR - 1) / NR;
    Parallel.forRange(
        0,
        tm * tn,
        1,
        (lo, hi) -> {
          for (int tile = lo; tile < hi; tile++) {
            int ti = tile / tn, tj = tile % tn;
            int i0 = Gemm.split(mUnits, tm, ti) * MR,
                i1 = Math.min(m, Gemm.split(mUnits, tm, ti + 1) * MR);
            int j0 = Gemm.split(nUnits, tn, tj) * NR,
                j1 = Math.min(n, Gemm.split(nUnits, tn, tj + 1) * NR);
            if (i1 > i0 && j1 > j0) {
              block(
                  i1 - i0,
                  j1 - j0,
                  k,
                  a,
                  aOff + i0 * ars,
                  ars,
                  acs,
                  b,
                  bOff + j0 * bcs,
                  brs,
                  bcs,
                  c,
                  cOff + i0 * crs + j0 * ccs,
                  crs,
                  ccs);
            }
          }
        });
  }

  private static void block(
      int m,
      int n,
      int k,
      double[] a,
      int aOff,
      int ars,
      int acs,
      double[] b,
      int bOff,
      int brs,
      int bcs,
      double[] c,
      int cOff,
      int crs,
      int ccs) {
    if (SIMD) {
      SimdGemmDouble.gemm(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, crs, ccs);
    } else {
      scalar(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, crs, ccs);
    }
  }

  /** Direct triple loop for tiny products. */
  private static void naive(
      int m,
      int n,
      int k,
      double[] a,
      int aOff,
      int ars,
      int acs,
      double[] b,
      int bOff,
      int brs,
      int bcs,
      double[] c,
      int cOff,
      int crs,
      int ccs) {
    // i-p-j order: the updates of one C row are independent, unlike a dot product's add chain.
    for (int i = 0; i < m; i++) {
      int ci = cOff + i * crs;
      int ai = aOff + i * ars;
      for (int j = 0; j < n; j++) {
        c[ci + j * ccs] = 0.0;
      }
      for (int p = 0; p < k; p++) {
        double aip = a[ai + p * acs];
        int bp = bOff + p * brs;
        for (int j = 0; j < n; j++) {
          c[ci + j * ccs] += aip * b[bp + j * bcs];
        }
      }
    }
  }

  /**
   * Plain-Java blocked kernel. B is packed into a {@code kc x nc} block of separate row arrays and
   * C is accumulated in separate row arrays, so the JIT can prove the inner axpy loops alias-free
   * and auto-vectorise them; two k-steps are fused per pass to halve the accumulator traffic.
   */
  private static void scalar(
      int m,
      int n,
      int k,
      double[] a,
      int aOff,
      int ars,
      int acs,
      double[] b,
      int bOff,
      int brs,
      int bcs,
      double[] c,
      int cOff,
      int crs,
      int ccs) {
    final int kcMax = Math.min(k, SCALAR_KC), ncMax = Math.min(n, SCALAR_NC), mr = SCALAR_MR;
    double[][] bp = new double[kcMax][ncMax];
    double[][] ct = new double[mr][ncMax];
    for (int jc = 0; jc < n; jc += ncMax) {
      int nc = Math.min(ncMax, n - jc);
      for (int pc = 0; pc < k; pc += kcMax) {
        int kc = Math.min(kcMax, k - pc);
        for (int p = 0; p < kc; p++) {
          double[] row = bp[p];
          int s = bOff + (pc + p) * brs + jc * bcs;
          if (bcs == 1) {
            System.arraycopy(b, s, row, 0, nc);
          } else {
            for (int j = 0; j < nc; j++) {
              row[j] = b[s + j * bcs];
            }
          }
        }
        for (int i0 = 0; i0 < m; i0 += mr) {
          int rows = Math.min(mr, m - i0);
          for (int r = 0; r < rows; r++) {
            Arrays.fill(ct[r], 0, nc, 0.0);
          }
          int p = 0;
          for (; p + 1 < kc; p += 2) {
            double[] b0 = bp[p], b1 = bp[p + 1];
            for (int r = 0; r < rows; r++) {
              int ai = aOff + (i0 + r) * ars + (pc + p) * acs;
              axpy2(nc, a[ai], b0, a[ai + acs], b1, ct[r]);
            }
          }
          if (p < kc) {
            double[] b0 = bp[p];
            for (int r = 0; r < rows; r++) {
              axpy(nc, a[aOff + (i0 + r) * ars + (pc + p) * acs], b0, ct[r]);
            }
          }
          for (int r = 0; r < rows; r++) {
            double[] t = ct[r];
            int ci = cOff + (i0 + r) * crs + jc * ccs;
            if (pc == 0) {
              for (int j = 0; j < nc; j++) {
                c[ci + j * ccs] = t[j];
              }
            } else {
              for (int j = 0; j < nc; j++) {
                c[ci + j * ccs] += t[j];
              }
            }
          }
        }
      }
    }
  }

  private static void axpy2(int n, double a0, double[] x0, double a1, double[] x1, double[] y) {
    for (int j = 0; j < n; j++) {
      y[j] += a0 * x0[j] + a1 * x1[j];
    }
  }

  private static void axpy(int n, double a0, double[] x0, double[] y) {
    for (int j = 0; j < n; j++) {
      y[j] += a0 * x0[j];
    }
  }
}
