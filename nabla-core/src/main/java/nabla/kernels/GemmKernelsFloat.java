// GENERATED from GemmKernelsDouble.java by tools/codegen/GenerateFloatKernels.java: do not edit.
// Edit GemmKernelsDouble.java and run `java tools/codegen/GenerateFloatKernels.java` (from the repository root).
package nabla.kernels;

/**
 * The GEMM kernel family for float32: the single-threaded kernels under the driver {@link
 * GemmFloat}, which chooses the path and splits C among threads in units of the micro-tile ({@link
 * #mr()} x {@link #nr()}). Implemented by {@link ScalarGemmFloat} (plain Java, always available)
 * and {@code VectorGemmFloat} (Vector API, in {@code src/main/java-vector}); {@link
 * KernelProvider} picks one per JVM.
 *
 * <p>Every kernel overwrites its block of C, addressed as {@code c[cOff + i*crs + j*ccs]} (so the
 * driver can compute a transposed problem), and reads A and B through an offset and two strides;
 * {@code m, n, k >= 1} and all indices are valid (checked by {@link Gemm}). The two implementations
 * round differently (fused multiply-adds, other summation orders); both stay within the classical
 * bound {@code k u sum_p |a_ip b_pj|} of the exact product, u the unit roundoff.
 */
interface GemmKernelsFloat {

  /** Rows of the micro-tile: the driver splits the rows of C among threads in multiples of it. */
  int mr();

  /** Columns of the micro-tile: the driver splits the columns of C in multiples of it. */
  int nr();

  /** {@code C = A * B} for one block of C (any size), packed or blocked as the kernel likes. */
  void gemm(
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
      int ccs);

  /**
   * {@code C = A * B} for the whole of C, split among {@link Parallel#threads()} threads by the
   * kernels themselves (they share one packed block of B between the threads and hand out row
   * blocks of A dynamically), with every element of C computed exactly as {@link #gemm} computes
   * it. Returns false, having done nothing, when these kernels have no such path; the driver then
   * splits C into one tile per thread.
   */
  default boolean gemmShared(
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
    return false;
  }

  /**
   * Whether {@link #gemm} packs A of these strides (false when the micro-kernel reads it in place):
   * the driver's choice of per-thread tiles counts only the packing that happens.
   */
  default boolean packsA(int ars, int acs) {
    return true;
  }

  /**
   * Whether {@link #smallM} and {@link #smallN} exist: unpacked kernels for skinny products, where
   * packing the large operand would cost as much as the arithmetic. The driver does not call them
   * otherwise.
   */
  boolean hasSkinnyKernels();

  /**
   * {@code C = A * B} for few rows of A ({@code m <= GemmTuning.SMALL_M}), rows of B contiguous.
   */
  void smallM(
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
      float[] c,
      int cOff,
      int crs,
      int ccs);

  /**
   * {@code C = A * B} for few columns of B ({@code n <= GemmTuning.SMALL_N}), rows of A contiguous.
   */
  void smallN(
      int m,
      int n,
      int k,
      float[] a,
      int aOff,
      int ars,
      float[] b,
      int bOff,
      int brs,
      int bcs,
      float[] c,
      int cOff,
      int crs,
      int ccs);
}
