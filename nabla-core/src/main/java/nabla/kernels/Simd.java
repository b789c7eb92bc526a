package nabla.kernels;

import java.lang.System.Logger.Level;

/**
 * The one switch that decides whether Nabla's kernels use the incubating Vector API ({@code
 * jdk.incubator.vector}) or their plain-Java fallbacks.
 *
 * <p>The decision is taken once, when this class is initialised: SIMD is enabled when the module
 * {@code jdk.incubator.vector} is present in the boot module layer (the JVM was started with {@code
 * --add-modules jdk.incubator.vector}), the system property {@code nabla.simd} is not {@code
 * "false"}, and the preferred vector species holds at least four floats. The choice is logged once
 * through {@link System.Logger} (logger name {@code nabla.kernels}): at {@code DEBUG} when SIMD is
 * on or was switched off on purpose, at {@code INFO} when the module is missing.
 *
 * <p>Kernel classes that use the Vector API must only be touched after {@link #enabled()} returned
 * {@code true}; otherwise loading them fails with {@link NoClassDefFoundError}.
 */
public final class Simd {

  /** Name of the system property that can switch SIMD off ({@code -Dnabla.simd=false}). */
  public static final String PROPERTY = "nabla.simd";

  private static final String MODULE = "jdk.incubator.vector";

  private static final boolean ENABLED = decide();

  private Simd() {}

  /**
   * Returns whether the Vector API kernels are used in this JVM. Constant for the life of the JVM.
   *
   * @return {@code true} when SIMD kernels are in use, {@code false} for the scalar fallbacks
   */
  public static boolean enabled() {
    return ENABLED;
  }

  private static boolean decide() {
    System.Logger log = System.getLogger("nabla.kernels");
    String prop = System.getProperty(PROPERTY);
    if (prop != null && prop.trim().equalsIgnoreCase("false")) {
      log.log(
          Level.DEBUG,
          "Nabla kernels: SIMD disabled by -D" + PROPERTY + "=false; using scalar kernels");
      return false;
    }
    if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
      log.log(
          Level.INFO,
          "Nabla kernels: module "
              + MODULE
              + " is not available; using scalar kernels"
              + " (start the JVM with --add-modules "
              + MODULE
              + " for SIMD kernels)");
      return false;
    }
    int bits;
    try {
      bits = Probe.preferredBits();
    } catch (Throwable t) { // LinkageError or anything odd from an incubating module
      log.log(Level.INFO, "Nabla kernels: Vector API unusable (" + t + "); using scalar kernels");
      return false;
    }
    if (bits < 128) {
      log.log(
          Level.INFO,
          "Nabla kernels: preferred vector size is only " + bits + " bits; using scalar kernels");
      return false;
    }
    log.log(
        Level.DEBUG, "Nabla kernels: SIMD enabled via " + MODULE + ", " + bits + "-bit vectors");
    return true;
  }

  /** Touches the Vector API; loaded only once the module is known to be present. */
  private static final class Probe {
    static int preferredBits() {
      return jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }
  }
}
