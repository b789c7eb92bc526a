/**
 * Nabla's core: tensors ({@link nabla.Tensor}), automatic differentiation ({@link nabla.Autograd})
 * and the kernels under them. No third-party dependency.
 *
 * <p>The incubating Vector API is optional ({@code requires static}): start the JVM with {@code
 * --add-modules jdk.incubator.vector} for the SIMD kernels; without it the plain-Java kernels run.
 * This descriptor lives in {@code src/main/java-vector}, which is compiled after {@code
 * src/main/java} and is the only folder that sees {@code jdk.incubator.vector}: compiled with the
 * main sources, the {@code requires static} would make the Vector API visible to them as well.
 *
 * <p>Exported: {@code nabla} (the API) and {@code nabla.storage} ({@link nabla.storage.Storage}
 * appears in {@link nabla.Tensor}'s signatures). The primitive table ({@code nabla.ops}) and the
 * kernels ({@code nabla.kernels}) are internal; the benchmarks read kernel settings.
 */
module nabla.core {
  requires static jdk.incubator.vector;

  exports nabla;
  exports nabla.storage;
  exports nabla.kernels to
      nabla.bench;
}
