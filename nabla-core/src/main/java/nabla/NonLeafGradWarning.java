package nabla;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The once-per-JVM warning for {@link Tensor#grad()} read on a non-leaf tensor, logged through
 * {@link System.Logger} (java.util.logging by default, so it reaches stderr without setup).
 */
final class NonLeafGradWarning {
  private NonLeafGradWarning() {}

  static final String LOGGER = "nabla.Tensor";

  private static final AtomicBoolean WARNED = new AtomicBoolean();

  static void warnOnce(Tensor t) {
    if (WARNED.compareAndSet(false, true)) {
      System.getLogger(LOGGER).log(System.Logger.Level.WARNING, message(t));
    }
  }

  static String message(Tensor t) {
    return "grad() was read on a non-leaf tensor (shape "
        + java.util.Arrays.toString(t.shape())
        + ", computed by "
        + t.gradFn().name()
        + "): backward fills grad() only for leaves, so it is null. If this is a parameter you"
        + " updated with w = w.sub(lr * w.grad()), that made w a computed tensor: update it in"
        + " place instead, try (var g = Autograd.noGrad()) { w.subInPlace(w.grad().mul(lr)); }."
        + " To keep the gradient of an intermediate tensor, call retainGrad() on it before"
        + " backward. (This warning is shown once.)";
  }

  /** For tests: arm the warning again. */
  static void reset() {
    WARNED.set(false);
  }
}
