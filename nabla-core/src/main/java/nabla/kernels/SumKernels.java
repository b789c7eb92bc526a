package nabla.kernels;

/**
 * The sum kernel family: the sum of a contiguous float32 or float64 range, in one fixed order that
 * both implementations ({@link ScalarSumKernels}, and {@code VectorSumKernels} in {@code
 * src/main/java-vector}) follow exactly, so a sum has the same bits with and without the Vector
 * API, on every vector width, and before and after the JIT compiled the kernel.
 *
 * <p>The order is that of {@link ScalarSumKernels}: the elements are taken in groups of {@link
 * #DOUBLE_GROUP} (float64) or {@link #FLOAT_GROUP} (float32); element {@code l} of every group is
 * added to partial sum {@code l}, and the last, incomplete group is left over. Then partial sums
 * {@code l} and {@code l + group/2} are added, these half-group values are added in order {@code l
 * = 0, 1, ...} to a double starting at zero, and the leftover elements are added to that double one
 * by one. Float32 partial sums are float32 (as in a float vector lane) and restart every {@link
 * #FLOAT_BLOCK} elements, whose block totals are added in double.
 */
interface SumKernels {

  /** Elements per group of the float64 sum: 16 (two 512-bit vectors, or four of 256 bits). */
  int DOUBLE_GROUP = 16;

  /** Elements per group of the float32 sum: 32 (two 512-bit vectors, or four of 256 bits). */
  int FLOAT_GROUP = 32;

  /** Elements summed in float32 partial sums before their total is carried on in double. */
  int FLOAT_BLOCK = 1 << 12;

  /** The sum of {@code a[off .. off+n)}, accumulated as the class comment says. */
  double sum(float[] a, int off, int n);

  /** The sum of {@code a[off .. off+n)}, accumulated as the class comment says. */
  double sum(double[] a, int off, int n);
}
