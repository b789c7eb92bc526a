package nabla.kernels;

/**
 * Whether Nabla's kernels use the incubating Vector API ({@code jdk.incubator.vector}) or their
 * plain-Java fallbacks in this JVM.
 *
 * <p>The decision is taken once, by {@link KernelProvider#chosen()}: SIMD is enabled when the
 * module {@code jdk.incubator.vector} is present in the boot module layer (the JVM was started with
 * {@code --add-modules jdk.incubator.vector}), the system property {@code nabla.simd} is not {@code
 * "false"}, and the preferred vector species holds at least four floats. The choice is logged once
 * through {@link System.Logger} (logger name {@code nabla.kernels}): at {@code DEBUG} when SIMD is
 * on or was switched off on purpose, at {@code INFO} when the module is missing.
 *
 * <pre>{@code
 * // java --add-modules jdk.incubator.vector ...   -> true
 * // java -Dnabla.simd=false ...                   -> false
 * boolean simd = Simd.enabled();
 * }</pre>
 */
public final class Simd {

  /** Name of the system property that can switch SIMD off ({@code -Dnabla.simd=false}). */
  public static final String PROPERTY = "nabla.simd";

  private Simd() {}

  /**
   * Returns whether the Vector API kernels are used in this JVM. Constant for the life of the JVM.
   *
   * @return {@code true} when SIMD kernels are in use, {@code false} for the scalar fallbacks
   */
  public static boolean enabled() {
    return KernelProvider.chosen() != KernelProvider.SCALAR;
  }
}
