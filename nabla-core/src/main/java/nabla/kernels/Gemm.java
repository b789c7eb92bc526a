package nabla.kernels;

import java.util.Arrays;

/**
 * Dense matrix multiplication (GEMM) kernels for {@code float[]} and {@code double[]} storage.
 *
 * <p>Operands are described by an offset and two strides, so transposed or otherwise strided views
 * are multiplied without copies by the caller: element (i, p) of A is {@code a[aOff + i*aRowStride
 * + p*aColStride]}, element (p, j) of B is {@code b[bOff + p*bRowStride + j*bColStride]} (strides
 * may be any int, including zero or negative, as long as every addressed element lies inside the
 * array). The result C is always a contiguous row-major block, {@code c[cOff + i*n + j]}, and is
 * overwritten.
 *
 * <p>Implementation: tiny products (at most 256 multiply-adds) use a direct loop; larger ones pack
 * A and B into cache-sized panels and run a register-tiled micro-kernel (Goto/BLIS style),
 * computing {@code C^T = B^T A^T} instead when that wastes fewer padded lanes. With the Vector API
 * available ({@link Simd#enabled()}) the micro-kernel is an 8-row by two-vector FMA tile, and
 * skinny products (matrix-vector and the like, where packing the large operand would cost more than
 * the arithmetic) use unpacked kernels; otherwise a plain-Java blocked kernel that the JIT
 * auto-vectorises is used. Products of at least 2^18 (64^3) multiply-adds are split among {@link
 * Parallel#threads()} threads (one output tile each); batched products of small matrices are split
 * by batch instead. The calling thread takes part in the work.
 *
 * <p>Results are not bit-for-bit reproducible between SIMD and scalar paths or between thread
 * counts of different tile geometry; they are within normal floating-point summation error. C must
 * not overlap A or B (checked: an overlapping output is rejected).
 */
public final class Gemm {

  private Gemm() {}

  private static final boolean SIMD = Simd.enabled();

  /** Micro-tile geometry of the active float path (used to split work and choose orientation). */
  private static final int F_MR = SIMD ? SimdGemm.F_MR : ScalarTiles.MR;

  private static final int F_NR = SIMD ? SimdGemm.F_NR : ScalarTiles.NR;

  /** Micro-tile geometry of the active double path. */
  private static final int D_MR = SIMD ? SimdGemm.D_MR : ScalarTiles.MR;

  private static final int D_NR = SIMD ? SimdGemm.D_NR : ScalarTiles.NR;

  /** Products with at most this many multiply-adds use the direct triple loop. */
  static final long TINY = 256;

  /** Products with at least this many multiply-adds are split among threads. */
  static final long PARALLEL_MIN = 1L << 18;

  /**
   * Products with at most this many rows (or columns, transposed) may use the unpacked small-m
   * kernel.
   */
  static final int SMALL_M = 4;

  /**
   * Products with at most this many columns (or rows, transposed) may use the unpacked small-n
   * kernel.
   */
  static final int SMALL_N = 16;

  /** Per-matrix multiply-adds from which a batched product is split inside each matrix. */
  static final long BATCH_INNER_MIN = 1L << 22;

  private static final class ScalarTiles {
    static final int MR = 4;
    static final int NR = 64;
    static final int KC = 256;
    static final int NC = 512;
  }

  // =============================================================================================
  // Public API
  // =============================================================================================

  /**
   * Computes {@code C = A * B} in single precision.
   *
   * <p>A is {@code m x k} with element (i, p) at {@code a[aOff + i*aRowStride + p*aColStride]}; B
   * is {@code k x n} with element (p, j) at {@code b[bOff + p*bRowStride + j*bColStride]}. The
   * result is written to the contiguous row-major block {@code c[cOff + i*n + j]} for {@code 0 <= i
   * < m, 0 <= j < n}; those {@code m*n} elements of {@code c} are overwritten (set to zero when
   * {@code k == 0}) and nothing else is modified. {@code a} and {@code b} are only read.
   *
   * @param m rows of A and C ({@code >= 0})
   * @param n columns of B and C ({@code >= 0})
   * @param k columns of A and rows of B ({@code >= 0})
   * @param a storage of A
   * @param aOff index of A(0, 0)
   * @param aRowStride distance between A(i, p) and A(i+1, p)
   * @param aColStride distance between A(i, p) and A(i, p+1)
   * @param b storage of B
   * @param bOff index of B(0, 0)
   * @param bRowStride distance between B(p, j) and B(p+1, j)
   * @param bColStride distance between B(p, j) and B(p, j+1)
   * @param c storage of C, written
   * @param cOff index of C(0, 0)
   * @throws IllegalArgumentException if a dimension is negative, an array is null or too small for
   *     the block it describes, or C overlaps A or B
   */
  public static void matmul(
      int m,
      int n,
      int k,
      float[] a,
      int aOff,
      int aRowStride,
      int aColStride,
      float[] b,
      int bOff,
      int bRowStride,
      int bColStride,
      float[] c,
      int cOff) {
    checkDims("matmul", 1, m, n, k);
    int aLen = a == null ? -1 : a.length,
        bLen = b == null ? -1 : b.length,
        cLen = c == null ? -1 : c.length;
    checkCall(
        "matmul",
        m,
        n,
        k,
        aLen,
        aOff,
        aRowStride,
        aColStride,
        bLen,
        bOff,
        bRowStride,
        bColStride,
        cLen,
        cOff,
        a == c,
        b == c);
    runF(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride, c, cOff, true);
  }

  /**
   * Computes {@code C = A * B} in double precision. Same contract as {@link #matmul(int, int, int,
   * float[], int, int, int, float[], int, int, int, float[], int)}: the {@code m*n} elements {@code
   * c[cOff + i*n + j]} are overwritten, {@code a} and {@code b} are only read.
   *
   * @param m rows of A and C ({@code >= 0})
   * @param n columns of B and C ({@code >= 0})
   * @param k columns of A and rows of B ({@code >= 0})
   * @param a storage of A
   * @param aOff index of A(0, 0)
   * @param aRowStride distance between A(i, p) and A(i+1, p)
   * @param aColStride distance between A(i, p) and A(i, p+1)
   * @param b storage of B
   * @param bOff index of B(0, 0)
   * @param bRowStride distance between B(p, j) and B(p+1, j)
   * @param bColStride distance between B(p, j) and B(p, j+1)
   * @param c storage of C, written
   * @param cOff index of C(0, 0)
   * @throws IllegalArgumentException if a dimension is negative, an array is null or too small for
   *     the block it describes, or C overlaps A or B
   */
  public static void matmul(
      int m,
      int n,
      int k,
      double[] a,
      int aOff,
      int aRowStride,
      int aColStride,
      double[] b,
      int bOff,
      int bRowStride,
      int bColStride,
      double[] c,
      int cOff) {
    checkDims("matmul", 1, m, n, k);
    int aLen = a == null ? -1 : a.length,
        bLen = b == null ? -1 : b.length,
        cLen = c == null ? -1 : c.length;
    checkCall(
        "matmul",
        m,
        n,
        k,
        aLen,
        aOff,
        aRowStride,
        aColStride,
        bLen,
        bOff,
        bRowStride,
        bColStride,
        cLen,
        cOff,
        a == c,
        b == c);
    runD(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride, c, cOff, true);
  }

  /**
   * Computes {@code batch} independent single-precision products {@code C_t = A_t * B_t}.
   *
   * <p>Product {@code t} reads A_t at offset {@code aOffsets[t]} and B_t at offset {@code
   * bOffsets[t]}, with the shared strides and shapes of {@link #matmul(int, int, int, float[], int,
   * int, int, float[], int, int, int, float[], int)}, and overwrites the contiguous row-major block
   * {@code c[cOff + t*m*n + i*n + j]}. In total the {@code batch*m*n} elements starting at {@code
   * c[cOff]} are overwritten; nothing else is modified. Small matrices are distributed over threads
   * by batch, large ones are each split among the threads. Only the first {@code batch} entries of
   * the offset arrays are used.
   *
   * @param batch number of products ({@code >= 0})
   * @param m rows of each A and C
   * @param n columns of each B and C
   * @param k columns of each A and rows of each B
   * @param a storage of all A_t
   * @param aOffsets index of A_t(0, 0) for each t
   * @param aRowStride distance between A_t(i, p) and A_t(i+1, p)
   * @param aColStride distance between A_t(i, p) and A_t(i, p+1)
   * @param b storage of all B_t
   * @param bOffsets index of B_t(0, 0) for each t
   * @param bRowStride distance between B_t(p, j) and B_t(p+1, j)
   * @param bColStride distance between B_t(p, j) and B_t(p, j+1)
   * @param c storage of the results, written
   * @param cOff index of C_0(0, 0)
   * @throws IllegalArgumentException if a dimension is negative, an array is null or too small, an
   *     offset array has fewer than {@code batch} entries, or the output overlaps an input
   */
  public static void matmulBatched(
      int batch,
      int m,
      int n,
      int k,
      float[] a,
      int[] aOffsets,
      int aRowStride,
      int aColStride,
      float[] b,
      int[] bOffsets,
      int bRowStride,
      int bColStride,
      float[] c,
      int cOff) {
    checkDims("matmulBatched", batch, m, n, k);
    int aLen = a == null ? -1 : a.length,
        bLen = b == null ? -1 : b.length,
        cLen = c == null ? -1 : c.length;
    checkBatched(
        batch,
        m,
        n,
        k,
        aLen,
        aOffsets,
        aRowStride,
        aColStride,
        bLen,
        bOffsets,
        bRowStride,
        bColStride,
        cLen,
        cOff,
        a == c,
        b == c);
    int mn = m * n;
    if (batch == 0 || mn == 0) {
      return;
    }
    if (k == 0) {
      Arrays.fill(c, cOff, cOff + batch * mn, 0f);
      return;
    }
    if (splitByBatch(batch, m, n, k)) {
      long work = (long) m * n * k;
      int minChunk = (int) Math.min(batch, Math.max(1, PARALLEL_MIN / work));
      Parallel.forRange(
          0,
          batch,
          minChunk,
          (lo, hi) -> {
            for (int t = lo; t < hi; t++) {
              runF(
                  m,
                  n,
                  k,
                  a,
                  aOffsets[t],
                  aRowStride,
                  aColStride,
                  b,
                  bOffsets[t],
                  bRowStride,
                  bColStride,
                  c,
                  cOff + t * mn,
                  false);
            }
          });
    } else {
      for (int t = 0; t < batch; t++) {
        runF(
            m,
            n,
            k,
            a,
            aOffsets[t],
            aRowStride,
            aColStride,
            b,
            bOffsets[t],
            bRowStride,
            bColStride,
            c,
            cOff + t * mn,
            true);
      }
    }
  }

  /**
   * Computes {@code batch} independent double-precision products {@code C_t = A_t * B_t}. Same
   * contract as {@link #matmulBatched(int, int, int, int, float[], int[], int, int, float[], int[],
   * int, int, float[], int)}: the {@code batch*m*n} elements starting at {@code c[cOff]} are
   * overwritten, {@code a} and {@code b} are only read.
   *
   * @param batch number of products ({@code >= 0})
   * @param m rows of each A and C
   * @param n columns of each B and C
   * @param k columns of each A and rows of each B
   * @param a storage of all A_t
   * @param aOffsets index of A_t(0, 0) for each t
   * @param aRowStride distance between A_t(i, p) and A_t(i+1, p)
   * @param aColStride distance between A_t(i, p) and A_t(i, p+1)
   * @param b storage of all B_t
   * @param bOffsets index of B_t(0, 0) for each t
   * @param bRowStride distance between B_t(p, j) and B_t(p+1, j)
   * @param bColStride distance between B_t(p, j) and B_t(p, j+1)
   * @param c storage of the results, written
   * @param cOff index of C_0(0, 0)
   * @throws IllegalArgumentException if a dimension is negative, an array is null or too small, an
   *     offset array has fewer than {@code batch} entries, or the output overlaps an input
   */
  public static void matmulBatched(
      int batch,
      int m,
      int n,
      int k,
      double[] a,
      int[] aOffsets,
      int aRowStride,
      int aColStride,
      double[] b,
      int[] bOffsets,
      int bRowStride,
      int bColStride,
      double[] c,
      int cOff) {
    checkDims("matmulBatched", batch, m, n, k);
    int aLen = a == null ? -1 : a.length,
        bLen = b == null ? -1 : b.length,
        cLen = c == null ? -1 : c.length;
    checkBatched(
        batch,
        m,
        n,
        k,
        aLen,
        aOffsets,
        aRowStride,
        aColStride,
        bLen,
        bOffsets,
        bRowStride,
        bColStride,
        cLen,
        cOff,
        a == c,
        b == c);
    int mn = m * n;
    if (batch == 0 || mn == 0) {
      return;
    }
    if (k == 0) {
      Arrays.fill(c, cOff, cOff + batch * mn, 0.0);
      return;
    }
    if (splitByBatch(batch, m, n, k)) {
      long work = (long) m * n * k;
      int minChunk = (int) Math.min(batch, Math.max(1, PARALLEL_MIN / work));
      Parallel.forRange(
          0,
          batch,
          minChunk,
          (lo, hi) -> {
            for (int t = lo; t < hi; t++) {
              runD(
                  m,
                  n,
                  k,
                  a,
                  aOffsets[t],
                  aRowStride,
                  aColStride,
                  b,
                  bOffsets[t],
                  bRowStride,
                  bColStride,
                  c,
                  cOff + t * mn,
                  false);
            }
          });
    } else {
      for (int t = 0; t < batch; t++) {
        runD(
            m,
            n,
            k,
            a,
            aOffsets[t],
            aRowStride,
            aColStride,
            b,
            bOffsets[t],
            bRowStride,
            bColStride,
            c,
            cOff + t * mn,
            true);
      }
    }
  }

  private static boolean splitByBatch(int batch, int m, int n, int k) {
    int t = Parallel.threads();
    if (t <= 1 || batch <= 1 || Parallel.inWorker()) {
      return false;
    }
    long work = (long) m * n * k;
    return work < BATCH_INNER_MIN || batch >= 2 * t;
  }

  // =============================================================================================
  // float driver
  // =============================================================================================

  /** Runs a validated float product into the contiguous row-major block at {@code cOff}. */
  private static void runF(
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
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) {
      Arrays.fill(c, cOff, cOff + m * n, 0f);
      return;
    }
    if ((long) m * n * k <= TINY) {
      naiveF(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, n, 1);
      return;
    }
    if (SIMD
        && Math.min(m, n) <= SMALL_N
        && skinnyF(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, parallel)) {
      return;
    }
    // Compute C^T = B^T A^T instead when that wastes fewer padded lanes (e.g. n = 1).
    if (transposeBetter(m, n, F_MR, F_NR)) {
      tiledF(n, m, k, b, bOff, bcs, brs, a, aOff, acs, ars, c, cOff, 1, n, parallel);
    } else {
      tiledF(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, n, 1, parallel);
    }
  }

  /**
   * Skinny products (few rows or few columns) whose large operand is contiguous in the right
   * direction run unpacked (see {@code SimdGemm.smallM} and {@code SimdGemm.smallN}), split along
   * the long dimension among threads. Returns false when the layout does not fit those kernels.
   */
  private static boolean skinnyF(
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
                  SimdGemm.smallM(
                      m, hi - lo, k, a, aOff, ars, acs, b, bOff + lo, brs, c, cOff + lo, n, 1));
        } else {
          SimdGemm.smallM(m, n, k, a, aOff, ars, acs, b, bOff, brs, c, cOff, n, 1);
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
                  SimdGemm.smallN(
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
          SimdGemm.smallN(n, m, k, b, bOff, bcs, a, aOff, acs, ars, c, cOff, 1, n);
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
                  SimdGemm.smallN(
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
          SimdGemm.smallN(m, n, k, a, aOff, ars, b, bOff, brs, bcs, c, cOff, n, 1);
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
                  SimdGemm.smallM(
                      n, hi - lo, k, b, bOff, bcs, brs, a, aOff + lo, acs, c, cOff + lo * n, 1, n));
        } else {
          SimdGemm.smallM(n, m, k, b, bOff, bcs, brs, a, aOff, acs, c, cOff, 1, n);
        }
        return true;
      }
    }
    return false;
  }

  /** Splits C (element (i, j) at {@code c[cOff + i*crs + j*ccs]}) into one tile per thread. */
  private static void tiledF(
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
    int[] grid = parallel ? grid(m, n, k, F_MR, F_NR) : null;
    if (grid == null) {
      blockF(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, crs, ccs);
      return;
    }
    int tm = grid[0], tn = grid[1];
    int mUnits = (m + F_MR - 1) / F_MR, nUnits = (n + F_NR - 1) / F_NR;
    Parallel.forRange(
        0,
        tm * tn,
        1,
        (lo, hi) -> {
          for (int tile = lo; tile < hi; tile++) {
            int ti = tile / tn, tj = tile % tn;
            int i0 = split(mUnits, tm, ti) * F_MR,
                i1 = Math.min(m, split(mUnits, tm, ti + 1) * F_MR);
            int j0 = split(nUnits, tn, tj) * F_NR,
                j1 = Math.min(n, split(nUnits, tn, tj + 1) * F_NR);
            if (i1 > i0 && j1 > j0) {
              blockF(
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

  private static void blockF(
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
    if (SIMD) {
      SimdGemm.gemm(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, crs, ccs);
    } else {
      scalarF(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, crs, ccs);
    }
  }

  /** Direct triple loop for tiny products. */
  private static void naiveF(
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
        c[ci + j * ccs] = 0f;
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

  /**
   * Plain-Java blocked kernel. B is packed into a {@code kc x nc} block of separate row arrays and
   * C is accumulated in separate row arrays, so the JIT can prove the inner axpy loops alias-free
   * and auto-vectorise them; two k-steps are fused per pass to halve the accumulator traffic.
   */
  private static void scalarF(
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
    final int kcMax = Math.min(k, ScalarTiles.KC),
        ncMax = Math.min(n, ScalarTiles.NC),
        mr = ScalarTiles.MR;
    float[][] bp = new float[kcMax][ncMax];
    float[][] ct = new float[mr][ncMax];
    for (int jc = 0; jc < n; jc += ncMax) {
      int nc = Math.min(ncMax, n - jc);
      for (int pc = 0; pc < k; pc += kcMax) {
        int kc = Math.min(kcMax, k - pc);
        for (int p = 0; p < kc; p++) {
          float[] row = bp[p];
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
            Arrays.fill(ct[r], 0, nc, 0f);
          }
          int p = 0;
          for (; p + 1 < kc; p += 2) {
            float[] b0 = bp[p], b1 = bp[p + 1];
            for (int r = 0; r < rows; r++) {
              int ai = aOff + (i0 + r) * ars + (pc + p) * acs;
              axpy2(nc, a[ai], b0, a[ai + acs], b1, ct[r]);
            }
          }
          if (p < kc) {
            float[] b0 = bp[p];
            for (int r = 0; r < rows; r++) {
              axpy(nc, a[aOff + (i0 + r) * ars + (pc + p) * acs], b0, ct[r]);
            }
          }
          for (int r = 0; r < rows; r++) {
            float[] t = ct[r];
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

  private static void axpy2(int n, float a0, float[] x0, float a1, float[] x1, float[] y) {
    for (int j = 0; j < n; j++) {
      y[j] += a0 * x0[j] + a1 * x1[j];
    }
  }

  private static void axpy(int n, float a0, float[] x0, float[] y) {
    for (int j = 0; j < n; j++) {
      y[j] += a0 * x0[j];
    }
  }

  // =============================================================================================
  // double driver
  // =============================================================================================

  /** Runs a validated double product into the contiguous row-major block at {@code cOff}. */
  private static void runD(
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
      naiveD(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, n, 1);
      return;
    }
    if (SIMD
        && Math.min(m, n) <= SMALL_N
        && skinnyD(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, parallel)) {
      return;
    }
    // Compute C^T = B^T A^T instead when that wastes fewer padded lanes (e.g. n = 1).
    if (transposeBetter(m, n, D_MR, D_NR)) {
      tiledD(n, m, k, b, bOff, bcs, brs, a, aOff, acs, ars, c, cOff, 1, n, parallel);
    } else {
      tiledD(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, n, 1, parallel);
    }
  }

  /**
   * Skinny products (few rows or few columns) whose large operand is contiguous in the right
   * direction run unpacked (see {@code SimdGemm.smallM} and {@code SimdGemm.smallN}), split along
   * the long dimension among threads. Returns false when the layout does not fit those kernels.
   */
  private static boolean skinnyD(
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
                  SimdGemm.smallM(
                      m, hi - lo, k, a, aOff, ars, acs, b, bOff + lo, brs, c, cOff + lo, n, 1));
        } else {
          SimdGemm.smallM(m, n, k, a, aOff, ars, acs, b, bOff, brs, c, cOff, n, 1);
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
                  SimdGemm.smallN(
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
          SimdGemm.smallN(n, m, k, b, bOff, bcs, a, aOff, acs, ars, c, cOff, 1, n);
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
                  SimdGemm.smallN(
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
          SimdGemm.smallN(m, n, k, a, aOff, ars, b, bOff, brs, bcs, c, cOff, n, 1);
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
                  SimdGemm.smallM(
                      n, hi - lo, k, b, bOff, bcs, brs, a, aOff + lo, acs, c, cOff + lo * n, 1, n));
        } else {
          SimdGemm.smallM(n, m, k, b, bOff, bcs, brs, a, aOff, acs, c, cOff, 1, n);
        }
        return true;
      }
    }
    return false;
  }

  /** Splits C (element (i, j) at {@code c[cOff + i*crs + j*ccs]}) into one tile per thread. */
  private static void tiledD(
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
    int[] grid = parallel ? grid(m, n, k, D_MR, D_NR) : null;
    if (grid == null) {
      blockD(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, crs, ccs);
      return;
    }
    int tm = grid[0], tn = grid[1];
    int mUnits = (m + D_MR - 1) / D_MR, nUnits = (n + D_NR - 1) / D_NR;
    Parallel.forRange(
        0,
        tm * tn,
        1,
        (lo, hi) -> {
          for (int tile = lo; tile < hi; tile++) {
            int ti = tile / tn, tj = tile % tn;
            int i0 = split(mUnits, tm, ti) * D_MR,
                i1 = Math.min(m, split(mUnits, tm, ti + 1) * D_MR);
            int j0 = split(nUnits, tn, tj) * D_NR,
                j1 = Math.min(n, split(nUnits, tn, tj + 1) * D_NR);
            if (i1 > i0 && j1 > j0) {
              blockD(
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

  private static void blockD(
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
      SimdGemm.gemm(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, crs, ccs);
    } else {
      scalarD(m, n, k, a, aOff, ars, acs, b, bOff, brs, bcs, c, cOff, crs, ccs);
    }
  }

  /** Direct triple loop for tiny products. */
  private static void naiveD(
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
  private static void scalarD(
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
    final int kcMax = Math.min(k, ScalarTiles.KC),
        ncMax = Math.min(n, ScalarTiles.NC),
        mr = ScalarTiles.MR;
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

  // =============================================================================================
  // shared helpers
  // =============================================================================================

  private static boolean transposeBetter(int m, int n, int mr, int nr) {
    return padded(n, mr) * padded(m, nr) < padded(m, mr) * padded(n, nr);
  }

  private static long padded(int x, int tile) {
    return (long) (x + tile - 1) / tile * tile;
  }

  private static int split(int units, int parts, int index) {
    return (int) ((long) units * index / parts);
  }

  /**
   * Chooses a {@code tm x tn} grid of per-thread tiles for an {@code m x n} output, or returns null
   * when the product should run on the calling thread alone.
   */
  private static int[] grid(int m, int n, int k, int mr, int nr) {
    int t = Parallel.threads();
    if (t <= 1 || (long) m * n * k < PARALLEL_MIN || Parallel.inWorker()) {
      return null;
    }
    int mUnits = (m + mr - 1) / mr, nUnits = (n + nr - 1) / nr;
    int bestTm = 1, bestTn = 1;
    double bestCost = Double.MAX_VALUE;
    for (int tm = 1; tm <= t; tm++) {
      for (int tn = 1; tm * tn <= t; tn++) {
        if (tm > mUnits || tn > nUnits) {
          continue;
        }
        // Time of the slowest tile (in micro-tiles, counting padding) plus redundant packing:
        // each of the tm row bands packs all of its B columns, each column band its A rows.
        double slowest =
            Math.ceil((double) mUnits / tm) * mr * Math.ceil((double) nUnits / tn) * nr;
        double packing = ((double) m * tn + (double) n * tm) / t * 2.0;
        double cost = slowest + packing;
        // Ties go to more row bands (later tm): each thread then writes whole rows of C and
        // packs its own rows of A. Measured best-of-7 runs, builds alternated: 256x256x784
        // 158 -> 175 GFLOP/s, 1024^3 188 -> 201, 512^3 199 -> 204; untied shapes unchanged.
        if (cost <= bestCost) {
          bestCost = cost;
          bestTm = tm;
          bestTn = tn;
        }
      }
    }
    return bestTm * bestTn <= 1 ? null : new int[] {bestTm, bestTn};
  }

  // =============================================================================================
  // validation
  // =============================================================================================

  private static void checkDims(String op, int batch, int m, int n, int k) {
    if (batch < 0 || m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException(
          op + ": negative dimension (" + dims(batch, m, n, k) + ")");
    }
    if ((long) batch * m * n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          op + ": output too large for an array (" + dims(batch, m, n, k) + ")");
    }
  }

  private static String dims(int batch, int m, int n, int k) {
    return (batch != 1 ? "batch=" + batch + ", " : "") + "m=" + m + ", n=" + n + ", k=" + k;
  }

  private static void checkCall(
      String op,
      int m,
      int n,
      int k,
      int aLen,
      int aOff,
      int ars,
      int acs,
      int bLen,
      int bOff,
      int brs,
      int bcs,
      int cLen,
      int cOff,
      boolean aIsC,
      boolean bIsC) {
    checkBlock(op, "A", 1, m, n, k, aLen, m, k, aOff, ars, acs);
    checkBlock(op, "B", 1, m, n, k, bLen, k, n, bOff, brs, bcs);
    checkBlock(op, "C", 1, m, n, k, cLen, m, n, cOff, n, 1);
    if (aIsC && overlaps(m, k, aOff, ars, acs, m, n, cOff, n)) {
      throw new IllegalArgumentException(
          op + ": output C overlaps input A (" + dims(1, m, n, k) + ")");
    }
    if (bIsC && overlaps(k, n, bOff, brs, bcs, m, n, cOff, n)) {
      throw new IllegalArgumentException(
          op + ": output C overlaps input B (" + dims(1, m, n, k) + ")");
    }
  }

  private static void checkBatched(
      int batch,
      int m,
      int n,
      int k,
      int aLen,
      int[] aOffsets,
      int ars,
      int acs,
      int bLen,
      int[] bOffsets,
      int brs,
      int bcs,
      int cLen,
      int cOff,
      boolean aIsC,
      boolean bIsC) {
    String op = "matmulBatched";
    if (aOffsets == null || bOffsets == null) {
      throw new IllegalArgumentException(
          op + ": offset array is null (" + dims(batch, m, n, k) + ")");
    }
    if (aOffsets.length < batch || bOffsets.length < batch) {
      throw new IllegalArgumentException(
          op
              + ": offset arrays have "
              + aOffsets.length
              + " and "
              + bOffsets.length
              + " entries, need "
              + batch
              + " ("
              + dims(batch, m, n, k)
              + ")");
    }
    checkBlock(op, "C", batch, m, n, k, cLen, batch * m, n, cOff, n, 1);
    for (int t = 0; t < batch; t++) {
      checkBlock(op, "A", t, batch, m, n, k, aLen, m, k, aOffsets[t], ars, acs);
      checkBlock(op, "B", t, batch, m, n, k, bLen, k, n, bOffsets[t], brs, bcs);
      if (aIsC && overlaps(m, k, aOffsets[t], ars, acs, batch * m, n, cOff, n)) {
        throw new IllegalArgumentException(
            op + ": output C overlaps input A[" + t + "] (" + dims(batch, m, n, k) + ")");
      }
      if (bIsC && overlaps(k, n, bOffsets[t], brs, bcs, batch * m, n, cOff, n)) {
        throw new IllegalArgumentException(
            op + ": output C overlaps input B[" + t + "] (" + dims(batch, m, n, k) + ")");
      }
    }
  }

  private static void checkBlock(
      String op,
      String name,
      int batch,
      int m,
      int n,
      int k,
      int length,
      int rows,
      int cols,
      int off,
      int rs,
      int cs) {
    checkBlock(op, name, -1, batch, m, n, k, length, rows, cols, off, rs, cs);
  }

  /**
   * Checks that every element of a {@code rows x cols} strided block lies inside an array of the
   * given length (a negative length means the array is null). Only the extreme corners are checked:
   * the index is linear in the row and column. Allocation-free unless it throws.
   */
  private static void checkBlock(
      String op,
      String name,
      int index,
      int batch,
      int m,
      int n,
      int k,
      int length,
      int rows,
      int cols,
      int off,
      int rs,
      int cs) {
    if (length < 0) {
      throw new IllegalArgumentException(
          op + ": array " + name + " is null (" + dims(batch, m, n, k) + ")");
    }
    if (rows == 0 || cols == 0) {
      return;
    }
    long lo = lowest(rows, cols, off, rs, cs), hi = highest(rows, cols, off, rs, cs);
    if (lo < 0 || hi >= length) {
      throw new IllegalArgumentException(
          op
              + ": array "
              + name
              + (index >= 0 ? "[" + index + "]" : "")
              + " of length "
              + length
              + " is too small for a "
              + rows
              + "x"
              + cols
              + " block at offset "
              + off
              + " with strides ("
              + rs
              + ", "
              + cs
              + "): needs indices "
              + lo
              + ".."
              + hi
              + " ("
              + dims(batch, m, n, k)
              + ")");
    }
  }

  private static long lowest(int rows, int cols, int off, int rs, int cs) {
    return off + Math.min(0, (long) (rows - 1) * rs) + Math.min(0, (long) (cols - 1) * cs);
  }

  private static long highest(int rows, int cols, int off, int rs, int cs) {
    return off + Math.max(0, (long) (rows - 1) * rs) + Math.max(0, (long) (cols - 1) * cs);
  }

  /** Whether the index range of a strided input block intersects the contiguous output block. */
  private static boolean overlaps(
      int rows, int cols, int off, int rs, int cs, int cRows, int cCols, int cOff, int ldc) {
    if (rows == 0 || cols == 0 || cRows == 0 || cCols == 0) {
      return false;
    }
    long cLo = cOff, cHi = cOff + (long) (cRows - 1) * ldc + cCols - 1;
    return lowest(rows, cols, off, rs, cs) <= cHi && cLo <= highest(rows, cols, off, rs, cs);
  }
}
