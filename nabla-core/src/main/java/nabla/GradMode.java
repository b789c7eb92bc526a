package nabla;

/**
 * Per-thread switch for gradient recording. Two threads can record two graphs at once; a no-grad
 * scope in one thread does not affect another.
 */
final class GradMode {
  private GradMode() {}

  private static final class State {
    boolean enabled = true;
  }

  private static final ThreadLocal<State> STATE = ThreadLocal.withInitial(State::new);

  static boolean isEnabled() {
    return STATE.get().enabled;
  }

  /** Sets the mode and returns the previous one. */
  static boolean set(boolean enabled) {
    State s = STATE.get();
    boolean previous = s.enabled;
    s.enabled = enabled;
    return previous;
  }
}
