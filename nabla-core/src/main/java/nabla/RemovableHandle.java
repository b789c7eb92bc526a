package nabla;

/**
 * What registering a hook returns: {@link #remove()} unregisters it (PyTorch's {@code
 * RemovableHandle}).
 *
 * <pre>{@code
 * RemovableHandle h = w.registerHook(g -> g.clamp(-1, 1));
 * loss.backward();   // w.grad() is the clamped gradient
 * h.remove();        // later passes see the raw gradient
 * }</pre>
 */
public final class RemovableHandle {
  private final Runnable remover;
  private boolean removed;

  RemovableHandle(Runnable remover) {
    this.remover = remover;
  }

  /** Unregisters the hook; calling it again does nothing. */
  public synchronized void remove() {
    if (!removed) {
      removed = true;
      remover.run();
    }
  }
}
