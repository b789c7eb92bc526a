package nabla.kernels;

/**
 * Every size and threshold of the GEMM kernels in one place: the float64 and float32 drivers
 * ({@link GemmDouble}, {@link GemmFloat}), the plain-Java kernels ({@link ScalarGemmDouble}) and
 * the Vector API kernels ({@code VectorGemmDouble}) read them from here. A constant that differs by
 * element type has a {@code D_} (float64) and an {@code F_} (float32) version; the float code
 * generator turns {@code D_X} into {@code F_X}. The micro-tile width of the Vector API kernels is
 * two vectors of the preferred species, so it lives with them ({@code VectorGemmDouble.NR}).
 */
final class GemmTuning {
  private GemmTuning() {}

  // ---------------------------------------------------------------------------------------------
  // choice of path and of parallel split (see Gemm)
  // ---------------------------------------------------------------------------------------------

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

  /**
   * Depth from which a product split among threads shares one packed B between them ({@link
   * GemmKernelsDouble#gemmShared}); shallower products have little to pack and pay more for the two
   * hand-offs per depth block than they save (256x256x10: 280 GFLOP/s as tiles, 130-230 shared).
   */
  static final int SHARED_MIN_K = 64;

  /**
   * Outputs of at most this many elements whose depth is at least {@code 2 * K_SPLIT_DEPTH} are
   * computed by splitting k (see {@code GemmDouble.kSplit}): they have too few micro-tiles to
   * share.
   */
  static final long K_SPLIT_MAX_OUTPUT = 64 * 64;

  /** Depth of one chunk of a k-split product; fixed, so results do not depend on threads. */
  static final int K_SPLIT_DEPTH = 4096;

  /** Per-matrix multiply-adds from which a batched product is split inside each matrix. */
  static final long BATCH_INNER_MIN = 1L << 22;

  // ---------------------------------------------------------------------------------------------
  // Vector API kernels
  // ---------------------------------------------------------------------------------------------

  /** Rows of the micro-tile (8 rows of two vectors: 16 accumulator registers). */
  static final int MR = 8;

  /**
   * Depth of a packed block (k dimension); k is cut into equal blocks of at most this many. Part of
   * the arithmetic, not only of the speed: each depth block of a C element is summed apart and then
   * added to C, so KC is the same on every machine, and a product has the same bits on every
   * machine that runs the same kernels. Never tuned per CPU (the cache blocking below is).
   */
  static final int KC = 256;

  /**
   * Columns of a packed float64 B block: KC * D_NC * 8 bytes, half of L2 (256 on 1 MiB). This and
   * the two below are the blocking chosen for this CPU at the first GEMM ({@link
   * GemmBlocking#current()}: measured by {@code ./nabla tune-gemm}, else from the L2 size); they
   * change speed, never results.
   */
  static final int D_NC = GemmBlocking.current().ncDouble();

  /** Columns of a packed float32 B block: KC * F_NC * 4 bytes, half of L2 (512 on 1 MiB). */
  static final int F_NC = GemmBlocking.current().nc();

  /** Rows of a packed A block. */
  static final int MC = GemmBlocking.current().mc();

  /** Columns of C accumulated at a time by the small-m kernels (m rows of them stay in L1). */
  static final int SMALL_NB = 512;

  // ---------------------------------------------------------------------------------------------
  // plain-Java kernels (no Vector API)
  // ---------------------------------------------------------------------------------------------

  /** Rows of C accumulated together by the plain-Java blocked kernel. */
  static final int SCALAR_MR = 4;

  /** Column unit of the plain-Java kernel when the output is split among threads. */
  static final int SCALAR_NR = 64;

  /** Depth of a packed B block of the plain-Java kernel. */
  static final int SCALAR_KC = 256;

  /** Columns of a packed B block of the plain-Java kernel. */
  static final int SCALAR_NC = 512;
}
