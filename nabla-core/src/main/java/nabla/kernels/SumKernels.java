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
 *
 * <p>Column sums (the reduction of the leading axes of a contiguous tensor, e.g. a bias gradient
 * summed over the batch) have a simpler order: each column is added row by row, from row 0, into a
 * double starting at zero, and a float32 total is rounded to float once. Implementations may hold
 * many columns in the lanes of vectors, since the lanes never meet, so the bits do not depend on
 * the provider, the vector width, or how the columns are split among threads.
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

  /**
   * Column sums of columns {@code c0 <= c < c1} of the contiguous row-major matrix {@code a[off +
   * i*cols + c]}, {@code i < rows}: {@code out[c]} is column c added row by row in double (see the
   * class comment), rounded once to float32. Other elements of {@code out} are not touched.
   */
  void columnSum(float[] a, int off, int rows, int cols, int c0, int c1, float[] out);

  /**
   * Column sums of columns {@code c0 <= c < c1} of the contiguous row-major matrix {@code a[off +
   * i*cols + c]}, {@code i < rows}: {@code out[c]} is column c added row by row (see the class
   * comment). Other elements of {@code out} are not touched.
   */
  void columnSum(double[] a, int off, int rows, int cols, int c0, int c1, double[] out);
}
