/**
 * Nabla's core: tensors ({@link nabla.Tensor}), automatic differentiation ({@link nabla.Autograd})
 * and the kernels under them. No third-party dependency.
 *
 * <p>The incubating Vector API is optional ({@code requires static}): start the JVM with {@code
 * --add-modules jdk.incubator.vector} for the SIMD kernels; without it the plain-Java kernels run.
 * Only the sources in {@code src/main/java-vector} may use it: the build compiles {@code
 * src/main/java} once more alone, with only {@code java.base} observable (nabla-core/pom.xml,
 * execution {@code no-vector-api}). This descriptor lives in {@code src/main/java-vector} for that
 * check: in {@code src/main/java} the compiler plugin would compile it there too, and its {@code
 * requires static} would make the Vector API visible again.
 *
 * <p>Exported: {@code nabla} (the API), {@code nabla.linalg} (linear algebra) and {@code
 * nabla.storage} ({@link nabla.storage.Storage} appears in {@link nabla.Tensor}'s signatures). The
 * primitive table ({@code nabla.ops}) and the kernels ({@code nabla.kernels}) are internal; the
 * benchmarks read kernel settings reflectively.
 */
module nabla.core {
  requires static jdk.incubator.vector;

  exports nabla;
  exports nabla.storage;
  exports nabla.linalg;
  exports nabla.kernels to
      nabla.bench,
      nabla.examples, // ./nabla tune-gemm measures and records the GEMM blocking (GemmBlocking)
      nabla.nn; // the data loader copies a batch's rows on the kernel threads (Parallel)
}
