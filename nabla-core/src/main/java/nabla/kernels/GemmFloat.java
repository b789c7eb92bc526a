// GENERATED from GemmDouble.java by tools/codegen/GenerateFloatKernels.java: do not edit.
// Edit GemmDouble.java and run `java tools/codegen/GenerateFloatKernels.java` (from the repository root).
package nabla.kernels;

import static nabla.kernels.GemmTuning.K_SPLIT_DEPTH;
import static nabla.kernels.GemmTuning.K_SPLIT_MAX_OUTPUT;
import static nabla.kernels.GemmTuning.PARALLEL_MIN;
import static nabla.kernels.GemmTuning.SHARED_MIN_K;
import static nabla.kernels.GemmTuning.SMALL_M;
import static nabla.kernels.GemmTuning.SMALL_N;
import static nabla.kernels.GemmTuning.TINY;

import java.util.Arrays;

/**
 * The float32 GEMM driver behind {@link Gemm}: runs one validated product through the tiny, skinny
 * or packed path of the given {@link GemmKernelsFloat} and splits it among threads (see {@link
 * Gemm} for the strategy and {@link GemmTuning} for the sizes). Arguments are checked by {@link
 * Gemm}, which passes the kernels of the {@link KernelProvider} chosen for this JVM; tests pass
 * either provider's.
 */
final class GemmFloat {
  private GemmFloat() {}

  /**
   * Runs {@code batch} validated products; product t reads A and B at {@code aOffsets[t]} and
   * {@code bOffsets[t]} and overwrites the contiguous row-major block at {@code cOff + t*m*n}.
   */
  static void runBatched(
      GemmKernelsFloat kernels,
      int batch,
      int m,
      int n,
      int k,
      float[] a,
      int[] aOffsets,
      int ars,
      int acs,
      float[] b,
      int[] bOffsets,
      int brs,
      int bcs,
      float[] c,
      int cOff) {
    int mn = m * n;
    if (batch == 0 || mn == 0) {
      return;
    }
    if (k == 0) {
      Arrays.fill(c, cOff, cOff + batch * mn, 0.0f);
      return;
    }
    if (!Gemm.splitByBatch(batch, m, n, k)) { // one product after the other, each split
      for (int t = 0; t < batch; t++) {
        int ao = aOffsets[t], bo = bOffsets[t], co = cOff + t * mn;
        run(kernels, m, n, k, a, ao, ars, acs, b, bo, brs, bcs, c, co, true, null);
      }
      return;
    }
    long work = (long) m * n * k; // small products: the batch is split, one thread each
    int minChunk = (int) Math.min(batch, Math.max(1, PARALLEL_MIN / work));
    Parallel.forRange(
        0,
        batch,
        minChunk,
        (lo, hi) -> {
          for (int t = lo; t < hi; t++) {
            int ao = aOffsets[t], bo = bOffsets[t], co = cOff + t * mn;
            run(kernels, m, n, k, a, ao, ars, acs, b, bo, brs, bcs, c, co, false, null);
          }
        });
  }

  /**
   * Runs a validated float product into the contiguous row-major block at {@code cOff}; with an
   * epilogue (or null), {@code epilogue.rows(r0, r1)} is called once the rows {@code [r0, r1)} of C
   * are final — per row tile, on the thread that computed it, when the packed path cuts C into
   * tiles of whole rows; once for all rows otherwise.
   */
  static void run(
      GemmKernelsFloat kernels,
      int m,
      int n,
      int k,
      float[] a,
      int aOff,
      int ars,
      int acs,
      float[] b,
      int bOff,
      int brs,
      int bcs,
      float[] c,
      int cOff,
      boolean parallel,
      Gemm.RowEpilogue epilogue) {
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) {
      Arrays.fill(c, cOff, cOff + m * n, 0.0f);
      after(epilogue, m);
      return;
    }
    if ((long) m * n * k <= TINY) {
      naive(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, n, 1);
      after(epilogue, m);
      return;
    }
    if (kernels.hasSkinnyKernels()
        && Math.min(m, n) <= SMALL_N
        && skinny(kernels, m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, parallel)) {
      after(epilogue, m);
      return;
    }
    // Compute C^T = B^T A^T instead when that wastes fewer padded lanes (e.g. n = 1).
    if (Gemm.transposeBetter(m, n, kernels.mr(), kernels.nr())) {
      tiled(kernels, n, m, k, b, bOff, bcs, brs, a, aOff, acs, ars, c, cOff, 1, n, parallel, null);
      after(epilogue, m);
    } else {
      tiled(
          kernels, m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, n, 1, parallel,
          epilogue);
    }
  }

  /** Runs the epilogue over all rows (the paths that do not cut C into row tiles). */
  private static void after(Gemm.RowEpilogue epilogue, int m) {
    if (epilogue != null) {
      epilogue.rows(0, m);
    }
  }

  /**
   * Skinny products (few rows or few columns) whose large operand is contiguous in the right
   * direction run unpacked (see {@link GemmKernelsFloat#smallM} and {@link
   * GemmKernelsFloat#smallN}), split along the long dimension among threads. Returns false when
   * the layout does not fit those kernels.
   */
  private static boolean skinny(
      GemmKernelsFloat kernels,
      int m,
      int n,
      int k,
      float[] a,
      int aOff,
      int ars,
      int acs,
      float[] b,
      int bOff,
      int brs,
      int bcs,
      float[] c,
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
                  kernels.smallM(
                      m, hi - lo, k, a, aOff, ars, acs, b, bOff + lo, brs, c, cOff + lo, n, 1));
        } else {
          kernels.smallM(m, n, k, a, aOff, ars, acs, b, bOff, brs, c, cOff, n, 1);
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
                  kernels.smallN(
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
          kernels.smallN(n, m, k, b, bOff, bcs, a, aOff, acs, ars, c, cOff, 1, n);
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
                  kernels.smallN(
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
          kernels.smallN(m, n, k, a, aOff, ars, b, bOff, brs, bcs, c, cOff, n, 1);
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
                  kernels.smallM(
                      n, hi - lo, k, b, bOff, bcs, brs, a, aOff + lo, acs, c, cOff + lo * n, 1, n));
        } else {
          kernels.smallM(n, m, k, b, bOff, bcs, brs, a, aOff, acs, c, cOff, 1, n);
        }
        return true;
      }
    }
    return false;
  }

  /** Splits C (element (i, j) at {@code c[cOff + i*crs + j*ccs]}) into one tile per thread. */
  private static void tiled(
      GemmKernelsFloat kernels,
      int m,
      int n,
      int k,
      float[] a,
      int aOff,
      int ars,
      int acs,
      float[] b,
      int bOff,
      int brs,
      int bcs,
      float[] c,
      int cOff,
      int crs,
      int ccs,
      boolean parallel,
      Gemm.RowEpilogue epilogue) {
    if ((long) m * n <= K_SPLIT_MAX_OUTPUT && k >= 2 * K_SPLIT_DEPTH) {
      kSplit(kernels, m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, crs, ccs, parallel);
      after(epilogue, m);
      return;
    }
    int mr = kernels.mr(), nr = kernels.nr();
    int[] grid = parallel ? Gemm.grid(m, n, k, mr, nr, kernels.packsA(ars, acs)) : null;
    if (grid != null
        && Gemm.SHARED
        && k >= SHARED_MIN_K
        && kernels.gemmShared(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, crs, ccs)) {
      after(epilogue, m);
      return;
    }
    if (grid == null) {
      kernels.gemm(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, crs, ccs);
      after(epilogue, m);
      return;
    }
    int tm = grid[0], tn = grid[1];
    // with tiles of whole rows, each tile's rows are handed to the epilogue as soon as they are
    // final, by the thread that computed them (still in its cache)
    Gemm.RowEpilogue perTile = tn == 1 ? epilogue : null;
    int mUnits = (m + mr - 1) / mr, nUnits = (n + nr - 1) / nr;
    Parallel.forRange(
        0,
        tm * tn,
        1,
        (lo, hi) -> {
          for (int tile = lo; tile < hi; tile++) {
            int ti = tile / tn, tj = tile % tn;
            int i0 = Gemm.split(mUnits, tm, ti) * mr,
                i1 = Math.min(m, Gemm.split(mUnits, tm, ti + 1) * mr);
            int j0 = Gemm.split(nUnits, tn, tj) * nr,
                j1 = Math.min(n, Gemm.split(nUnits, tn, tj + 1) * nr);
            if (i1 > i0 && j1 > j0) {
              kernels.gemm(
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
              if (perTile != null) {
                perTile.rows(i0, i1);
              }
            }
          }
        });
    if (perTile == null) {
      after(epilogue, m);
    }
  }

  /**
   * A small C over a long depth (a Gram matrix of a few features over many samples): too few tiles
   * to share among threads, so k is cut into chunks of {@code K_SPLIT_DEPTH} whose partial products
   * the threads take one at a time, and the partials are added in chunk order. The cut depends on k
   * alone, never on the thread count, so C has the same bits on any number of threads (and inside a
   * batched product, which runs single-threaded).
   */
  private static void kSplit(
      GemmKernelsFloat kernels,
      int m,
      int n,
      int k,
      float[] a,
      int aOff,
      int ars,
      int acs,
      float[] b,
      int bOff,
      int brs,
      int bcs,
      float[] c,
      int cOff,
      int crs,
      int ccs,
      boolean parallel) {
    int chunks = (k + K_SPLIT_DEPTH - 1) / K_SPLIT_DEPTH;
    int mn = m * n;
    float[] partial = new float[chunks * mn];
    Parallel.IntRangeBody body =
        (lo, hi) -> {
          for (int q = lo; q < hi; q++) {
            int p0 = q * K_SPLIT_DEPTH;
            int kq = Math.min(K_SPLIT_DEPTH, k - p0);
            kernels.gemm(
                m,
                n,
                kq,
                a,
                aOff + p0 * acs,
                ars,
                acs,
                b,
                bOff + p0 * brs,
                brs,
                bcs,
                partial,
                q * mn,
                n,
                1);
          }
        };
    if (parallel) {
      Parallel.forEachPiece(chunks, body);
    } else {
      body.run(0, chunks);
    }
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float sum = partial[i * n + j];
        for (int q = 1; q < chunks; q++) {
          sum += partial[q * mn + i * n + j];
        }
        c[cOff + i * crs + j * ccs] = sum;
      }
    }
  }

  /** Direct triple loop for tiny products. */
  private static void naive(
      int m,
      int n,
      int k,
      float[] a,
      int aOff,
      int ars,
      int acs,
      float[] b,
      int bOff,
      int brs,
      int bcs,
      float[] c,
      int cOff,
      int crs,
      int ccs) {
    // i-p-j order: the updates of one C row are independent, unlike a dot product's add chain.
    for (int i = 0; i < m; i++) {
      int ci = cOff + i * crs;
      int ai = aOff + i * ars;
      for (int j = 0; j < n; j++) {
        c[ci + j * ccs] = 0.0f;
      }
      for (int p = 0; p < k; p++) {
        float aip = a[ai + p * acs];
        int bp = bOff + p * brs;
        for (int j = 0; j < n; j++) {
          c[ci + j * ccs] += aip * b[bp + j * bcs];
        }
      }
    }
  }
}
