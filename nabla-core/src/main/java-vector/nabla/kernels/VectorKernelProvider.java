package nabla.kernels;

import jdk.incubator.vector.FloatVector;

/**
 * Builds the Vector API {@link KernelProvider}. Loaded by name from {@link KernelProvider#vector()}
 * once the module {@code jdk.incubator.vector} is known to be present; this folder ({@code
 * src/main/java-vector}) is the only one compiled with the Vector API visible.
 */
final class VectorKernelProvider {
  private VectorKernelProvider() {}

  /**
   * The Vector API provider for this machine.
   *
   * @return the provider
   * @throws UnsupportedOperationException if the preferred vectors hold fewer than 128 bits
   */
  static KernelProvider create() {
    int bits = FloatVector.SPECIES_PREFERRED.vectorBitSize();
    if (bits < 128) {
      throw new UnsupportedOperationException("preferred vector size is only " + bits + " bits");
    }
    return new KernelProvider(
        bits + "-bit vectors",
        VectorKernelsFloat.INSTANCE,
        VectorKernelsDouble.INSTANCE,
        // The sums keep one order on every machine; below 256 bits the scalar loop is that order.
        VectorSumKernels.usable() ? VectorSumKernels.INSTANCE : ScalarSumKernels.INSTANCE,
        VectorGemmFloat.INSTANCE,
        VectorGemmDouble.INSTANCE);
  }
}
