package nabla.kernels;

import static nabla.kernels.GemmTuning.BATCH_INNER_MIN;
import static nabla.kernels.GemmTuning.PARALLEL_MIN;

import java.lang.reflect.Array;

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
 * provider ({@link KernelProvider}) the micro-kernel is an 8-row by two-vector FMA tile, and skinny
 * products (matrix-vector and the like, where packing the large operand would cost more than the
 * arithmetic) use unpacked kernels; otherwise a plain-Java blocked kernel that the JIT
 * auto-vectorises is used. Products of at least 2^18 (64^3) multiply-adds are split among {@link
 * Parallel#threads()} threads (one output tile each); batched products of small matrices are split
 * by batch instead. The calling thread takes part in the work.
 *
 * <p>Results are not bit-for-bit reproducible between the SIMD and scalar kernels or between thread
 * counts of different tile geometry; they are within normal floating-point summation error (the
 * bound is in {@link GemmKernelsDouble}). C must not overlap A or B (checked: an overlapping output
 * is rejected).
 *
 * <p>Code layout: this class validates the arguments and holds the helpers shared by both element
 * types; the float64 driver is {@link GemmDouble}, which runs the kernels of a {@link
 * GemmKernelsDouble} (scalar in {@link ScalarGemmDouble}, Vector API in {@code VectorGemmDouble});
 * their float32 twins are generated from them ({@code java
 * tools/codegen/GenerateFloatKernels.java}). Block sizes and thresholds are in {@link GemmTuning}.
 */
public final class Gemm {

  private Gemm() {}

  // The chosen provider's kernels, constant for the JIT (see KernelProvider).
  private static final GemmKernelsFloat FLOAT = KernelProvider.chosen().gemmFloat();
  private static final GemmKernelsDouble DOUBLE = KernelProvider.chosen().gemmDouble();

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
    matmul(
        m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride, c, cOff, null);
  }

  /**
   * Work on rows of C as soon as they are final (a matmul epilogue: a bias, an activation), called
   * by {@link #matmul(int, int, int, float[], int, int, int, float[], int, int, int, float[], int,
   * RowEpilogue)}: per tile of whole rows, on the thread that computed it, or once for all rows.
   * Calls cover every row exactly once and may run concurrently on disjoint rows.
   */
  @FunctionalInterface
  public interface RowEpilogue {
    /** Rows {@code [r0, r1)} of C are final. */
    void rows(int r0, int r1);
  }

  /**
   * {@link #matmul(int, int, int, float[], int, int, int, float[], int, int, int, float[], int)},
   * then {@code epilogue} (if not null) over every row of C, tile by tile where the product is cut
   * into tiles of whole rows (C's values are the same bits as without an epilogue).
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
      int cOff,
      RowEpilogue epilogue) {
    checkCall(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride, c, cOff);
    GemmFloat.run(
        FLOAT,
        m,
        n,
        k,
        a,
        aOff,
        aRowStride,
        aColStride,
        b,
        bOff,
        bRowStride,
        bColStride,
        c,
        cOff,
        true,
        epilogue);
  }

  /** The double twin of the float matmul with an epilogue. */
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
      int cOff,
      RowEpilogue epilogue) {
    checkCall(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride, c, cOff);
    GemmDouble.run(
        DOUBLE,
        m,
        n,
        k,
        a,
        aOff,
        aRowStride,
        aColStride,
        b,
        bOff,
        bRowStride,
        bColStride,
        c,
        cOff,
        true,
        epilogue);
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
    matmul(
        m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride, c, cOff, null);
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
    checkBatched(
        batch,
        m,
        n,
        k,
        a,
        aOffsets,
        aRowStride,
        aColStride,
        b,
        bOffsets,
        bRowStride,
        bColStride,
        c,
        cOff);
    GemmFloat.runBatched(
        FLOAT,
        batch,
        m,
        n,
        k,
        a,
        aOffsets,
        aRowStride,
        aColStride,
        b,
        bOffsets,
        bRowStride,
        bColStride,
        c,
        cOff);
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
    checkBatched(
        batch,
        m,
        n,
        k,
        a,
        aOffsets,
        aRowStride,
        aColStride,
        b,
        bOffsets,
        bRowStride,
        bColStride,
        c,
        cOff);
    GemmDouble.runBatched(
        DOUBLE,
        batch,
        m,
        n,
        k,
        a,
        aOffsets,
        aRowStride,
        aColStride,
        b,
        bOffsets,
        bRowStride,
        bColStride,
        c,
        cOff);
  }

  // =============================================================================================
  // shared helpers of the typed drivers and kernels
  // =============================================================================================

  /**
   * Switches, read once. {@code shared} ({@link GemmBlocking#shared()}: {@code
   * -Dnabla.gemm.shared=true}, or what {@code ./nabla tune-gemm} measured on this CPU) splits a
   * product among threads around one shared packed B with row blocks handed out one at a time
   * ({@link GemmKernelsDouble#gemmShared}) instead of one tile of C per thread. The tiles are the
   * default: on an idle machine they were faster (two threads, medians of many calls, AMD EPYC
   * family 26: 256x256x784 with B transposed 353-366 vs 215-275 GFLOP/s, 1024^3 431-478 vs
   * 392-412), the shared path paying for its two hand-offs per depth block; under heavy load from
   * other processes the shared path's dynamic row blocks lose less. {@code -Dnabla.gemm.packA=true}
   * packs A even where the micro-kernel could read it in place. Every setting gives the same bits.
   */
  static final boolean SHARED = GemmBlocking.current().shared();

  /** See {@link #SHARED}. */
  static final boolean DIRECT_A = !Boolean.getBoolean("nabla.gemm.packA");

  /**
   * Rows per block of A in the shared-B parallel path: about four blocks per thread, so that the
   * threads balance dynamically, in whole micro-tiles, at most {@code max}.
   */
  static int rowBlock(int m, int mr, int threads, int max) {
    int blocks = Math.max(1, 4 * threads);
    int rows = roundUp((m + blocks - 1) / blocks, mr);
    return Math.max(mr, Math.min(max, rows));
  }

  static boolean splitByBatch(int batch, int m, int n, int k) {
    int t = Parallel.threads();
    if (t <= 1 || batch <= 1 || Parallel.inWorker()) {
      return false;
    }
    long work = (long) m * n * k;
    return work < BATCH_INNER_MIN || batch >= 2 * t;
  }

  /**
   * Whether to compute {@code C^T = B^T A^T} instead: when that pads at least an eighth fewer
   * lanes. The transposed problem writes C with a column stride, through a scratch tile and a
   * scatter, so a few percent of padding is cheaper than that (256x784x256, the weight gradient of
   * a 784-256 layer: 2 % padding saved, 4 % of the time lost to the scatter).
   */
  static boolean transposeBetter(int m, int n, int mr, int nr) {
    return 8 * padded(n, mr) * padded(m, nr) < 7 * padded(m, mr) * padded(n, nr);
  }

  static long padded(int x, int tile) {
    return (long) (x + tile - 1) / tile * tile;
  }

  static int split(int units, int parts, int index) {
    return (int) ((long) units * index / parts);
  }

  /**
   * Chooses a {@code tm x tn} grid of per-thread tiles for an {@code m x n} output, or returns null
   * when the product should run on the calling thread alone. The cost counts the packing each band
   * repeats: B's always, A's only when the kernels pack it ({@code packsA}; the Vector API kernels
   * read a row-major A in place).
   */
  static int[] grid(int m, int n, int k, int mr, int nr, boolean packsA) {
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
        double packing = ((packsA ? (double) m * tn : 0) + (double) n * tm) / t * 2.0;
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

  static int roundUp(int x, int m) {
    return (x + m - 1) / m * m;
  }

  /** Depth of each k-block: k split into the fewest blocks of at most {@code max}, equal sizes. */
  static int balancedDepth(int k, int max) {
    int blocks = Math.max(1, (k + max - 1) / max);
    return Math.max(1, (k + blocks - 1) / blocks);
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

  /** Length of a float[] or double[] array, -1 for null. */
  private static int length(Object array) {
    return array == null ? -1 : Array.getLength(array);
  }

  private static String dims(int batch, int m, int n, int k) {
    return (batch != 1 ? "batch=" + batch + ", " : "") + "m=" + m + ", n=" + n + ", k=" + k;
  }

  /** Checks one product; a, b and c are float[] or double[] arrays of one type, or null. */
  private static void checkCall(
      int m,
      int n,
      int k,
      Object a,
      int aOff,
      int ars,
      int acs,
      Object b,
      int bOff,
      int brs,
      int bcs,
      Object c,
      int cOff) {
    String op = "matmul";
    checkDims(op, 1, m, n, k);
    int aLen = length(a), bLen = length(b), cLen = length(c);
    boolean aIsC = a == c, bIsC = b == c;
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

  /** Checks a batched product; a, b and c are float[] or double[] arrays of one type, or null. */
  private static void checkBatched(
      int batch,
      int m,
      int n,
      int k,
      Object a,
      int[] aOffsets,
      int ars,
      int acs,
      Object b,
      int[] bOffsets,
      int brs,
      int bcs,
      Object c,
      int cOff) {
    String op = "matmulBatched";
    checkDims(op, batch, m, n, k);
    int aLen = length(a), bLen = length(b), cLen = length(c);
    boolean aIsC = a == c, bIsC = b == c;
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
