// GENERATED from ElementwiseKernelsDouble.java by tools/codegen/GenerateFloatKernels.java: do not edit.
// Edit ElementwiseKernelsDouble.java and run `java tools/codegen/GenerateFloatKernels.java` (from the repository root).
package nabla.kernels;

/**
 * The elementwise kernel family for float32: one operation over a flat range {@code o[oi+j]},
 * {@code j < n}, whose operands are contiguous (stride 1) or one broadcast value (stride 0).
 * Implemented by {@link ScalarKernelsFloat} (plain Java, always available) and {@code
 * VectorKernelsFloat} (Vector API, in {@code src/main/java-vector}); {@link KernelProvider} picks
 * one per JVM.
 *
 * <p>Both implementations give bit-identical results for the arithmetic, comparison and selection
 * operations and for {@code NEG}, {@code ABS}, {@code SQRT} and {@code RELU}, which IEEE 754 rounds
 * exactly; the transcendental functions may differ by the bound stated in {@code
 * docs/DESIGN-NOTES.md} ("Kernels: providers"). Any length is fine: an implementation finishes its
 * range with scalar code.
 */
interface ElementwiseKernelsFloat {

  /**
   * {@code o[oi+j] = op(a[ai+j*as], b[bi+j*bs])} for an arithmetic op (not a comparison); {@code
   * as} and {@code bs} are 1 or 0. {@code o} may be {@code a} (an update in place).
   */
  void binary(
      BinaryOp op,
      float[] a,
      int ai,
      int as,
      float[] b,
      int bi,
      int bs,
      float[] o,
      int oi,
      int n);

  /**
   * {@code o[oi+j] = a[ai+j*as] op b[bi+j*bs]} for a comparison op; {@code as}, {@code bs} 1 or 0.
   */
  void compare(
      BinaryOp op,
      float[] a,
      int ai,
      int as,
      float[] b,
      int bi,
      int bs,
      boolean[] o,
      int oi,
      int n);

  /** {@code o[oi+j] = c[ci+j*cs] ? a[ai+j*as] : b[bi+j*bs]}; every stride 1 or 0. */
  void where(
      boolean[] c,
      int ci,
      int cs,
      float[] a,
      int ai,
      int as,
      float[] b,
      int bi,
      int bs,
      float[] o,
      int oi,
      int n);

  /** {@code o[oi+j] = op(a[ai+j])}, contiguous. */
  void unary(UnaryOp op, float[] a, int ai, float[] o, int oi, int n);
}
