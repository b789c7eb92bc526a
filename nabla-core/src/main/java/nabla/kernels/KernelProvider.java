package nabla.kernels;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * One implementation of every kernel family: the plain-Java {@link #SCALAR} provider, or the Vector
 * API provider ({@code VectorKernelProvider} in {@code src/main/java-vector}, compiled apart so
 * that nothing here can touch {@code jdk.incubator.vector}). Lucene's {@code VectorizationProvider}
 * is the model.
 *
 * <p>{@link #chosen()} picks one, once per JVM, when the first kernel needs it: the Vector API
 * provider when the module {@code jdk.incubator.vector} is in the boot layer (the JVM was started
 * with {@code --add-modules jdk.incubator.vector}), {@code -Dnabla.simd=false} is not set, and the
 * preferred vectors hold at least 128 bits; the scalar provider otherwise. The choice is logged
 * once through {@link System.Logger} (logger {@code nabla.kernels}): at {@code DEBUG} when SIMD is
 * on or was switched off on purpose, at {@code INFO} when it is unavailable. The dispatch classes
 * keep the chosen families in {@code static final} fields, so the JIT binds every kernel call to
 * one class, however many providers are loaded (tests load both: {@link #vector()}).
 *
 * @param name how the provider is logged and named in test reports
 * @param elementwiseFloat flat float32 elementwise ranges
 * @param elementwiseDouble flat float64 elementwise ranges
 * @param sums contiguous float32 and float64 sums (the same bits in every provider)
 * @param gemmFloat float32 GEMM kernels under {@link GemmFloat}
 * @param gemmDouble float64 GEMM kernels under {@link GemmDouble}
 */
record KernelProvider(
    String name,
    ElementwiseKernelsFloat elementwiseFloat,
    ElementwiseKernelsDouble elementwiseDouble,
    SumKernels sums,
    GemmKernelsFloat gemmFloat,
    GemmKernelsDouble gemmDouble) {

  /** The plain-Java kernels: always available, and the only ones without the incubator module. */
  static final KernelProvider SCALAR =
      new KernelProvider(
          "scalar",
          ScalarKernelsFloat.INSTANCE,
          ScalarKernelsDouble.INSTANCE,
          ScalarSumKernels.INSTANCE,
          ScalarGemmFloat.INSTANCE,
          ScalarGemmDouble.INSTANCE);

  /** The incubating Vector API module. */
  static final String VECTOR_MODULE = "jdk.incubator.vector";

  /** The class in {@code src/main/java-vector} that builds the Vector API provider. */
  private static final String VECTOR_FACTORY = "nabla.kernels.VectorKernelProvider";

  /**
   * The provider this JVM uses: chosen on first use, then constant.
   *
   * @return the Vector API provider when it can run and is not switched off, else {@link #SCALAR}
   */
  static KernelProvider chosen() {
    return Chosen.PROVIDER;
  }

  /**
   * The Vector API provider, whatever {@code -Dnabla.simd} says (tests compare it with {@link
   * #SCALAR} in one JVM).
   *
   * @return the provider
   * @throws UnsupportedOperationException if this JVM cannot run it; the message says why
   */
  static KernelProvider vector() {
    Module vector = ModuleLayer.boot().findModule(VECTOR_MODULE).orElse(null);
    if (vector == null) {
      throw new UnsupportedOperationException(
          "module "
              + VECTOR_MODULE
              + " is not available (start the JVM with --add-modules "
              + VECTOR_MODULE
              + " for SIMD kernels)");
    }
    // On the module path nabla.core reads the module through `requires static`; a module layer
    // built by hand may have left that edge out, so add it (only this module may).
    Module self = KernelProvider.class.getModule();
    if (!self.canRead(vector)) {
      self.addReads(vector);
    }
    try {
      Class<?> factory = Class.forName(VECTOR_FACTORY);
      MethodHandle create =
          MethodHandles.lookup()
              .findStatic(factory, "create", MethodType.methodType(KernelProvider.class));
      return (KernelProvider) create.invokeExact();
    } catch (UnsupportedOperationException e) {
      throw e;
    } catch (Throwable t) { // LinkageError or anything odd from an incubating module
      throw new UnsupportedOperationException("Vector API unusable (" + t + ")", t);
    }
  }

  private static KernelProvider choose() {
    System.Logger log = System.getLogger("nabla.kernels");
    String prop = System.getProperty(Simd.PROPERTY);
    if (prop != null && prop.trim().equalsIgnoreCase("false")) {
      log.log(
          Level.DEBUG,
          "Nabla kernels: SIMD disabled by -D" + Simd.PROPERTY + "=false; using scalar kernels");
      return SCALAR;
    }
    if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
      log.log(
          Level.INFO,
          "Nabla kernels: module "
              + VECTOR_MODULE
              + " is not available; using scalar kernels (start the JVM with --add-modules "
              + VECTOR_MODULE
              + " for SIMD kernels)");
      return SCALAR;
    }
    try {
      KernelProvider p = vector();
      log.log(Level.DEBUG, "Nabla kernels: SIMD enabled via " + VECTOR_MODULE + ", " + p.name());
      return p;
    } catch (UnsupportedOperationException e) {
      log.log(Level.INFO, "Nabla kernels: " + e.getMessage() + "; using scalar kernels");
      return SCALAR;
    }
  }

  /** Holds the choice, made when this class is first initialised (at the first kernel call). */
  private static final class Chosen {
    static final KernelProvider PROVIDER = choose();
  }
}
