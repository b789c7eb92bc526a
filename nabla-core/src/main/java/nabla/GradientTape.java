package nabla;

import java.util.ArrayList;
import java.util.List;

/**
 * TensorFlow-style gradient tape over the same engine: operations inside the try block are
 * recorded, {@link #watch} marks the tensors to differentiate, and {@link #gradient} returns
 * gradients without touching {@code grad()}.
 *
 * <pre>{@code
 * Tensor x = Tensor.arange(4.0);
 * Tensor y;
 * try (GradientTape tape = GradientTape.open()) {
 *   tape.watch(x);
 *   y = x.dot(x).mul(2);
 *   Tensor dx = tape.gradient(y, x);   // tensor([ 0.,  4.,  8., 12.])
 * }
 * }</pre>
 *
 * <p>A tape computes gradients once; {@link #persistent()} opens one that can be asked any number
 * of times. {@code watch} sets {@code requiresGrad} on the tensor (it stays set after the tape
 * closes, as a variable would).
 */
public final class GradientTape implements AutoCloseable {
  private final boolean persistent;
  private final Autograd.Scope scope;
  private final List<Tensor> watched = new ArrayList<>();
  private boolean used;

  private GradientTape(boolean persistent) {
    this.persistent = persistent;
    this.scope = Autograd.enableGrad();
  }

  /** A tape that can compute gradients once. */
  public static GradientTape open() {
    return new GradientTape(false);
  }

  /** A tape that can compute gradients any number of times (keeps the graph). */
  public static GradientTape persistent() {
    return new GradientTape(true);
  }

  /** Records operations on {@code x} from now on. Returns x. */
  public Tensor watch(Tensor x) {
    if (!Checks.nonNull("watch", "x", x).requiresGrad()) {
      x.requiresGrad(true);
    }
    watched.add(x);
    return x;
  }

  /** The tensors watched so far. */
  public List<Tensor> watched() {
    return List.copyOf(watched);
  }

  /** d(sum of target)/d(source); see {@link #gradient(Tensor, Tensor...)}. */
  public Tensor gradient(Tensor target, Tensor source) {
    return gradient(target, new Tensor[] {Checks.nonNull("gradient", "source", source)})[0];
  }

  /**
   * Gradients of the target (summed over its elements if it has several, as TensorFlow does) with
   * respect to each source.
   *
   * @throws IllegalStateException when a one-shot tape is asked a second time
   */
  public Tensor[] gradient(Tensor target, Tensor... sources) {
    Checks.nonNull("gradient", "target", target);
    Checks.noNulls("gradient", "sources", sources);
    if (used && !persistent) {
      throw new IllegalStateException(
          "gradient: this GradientTape has already computed gradients once, and a tape frees its"
              + " graph after that; open it with GradientTape.persistent() to call gradient more"
              + " than once");
    }
    used = true;
    for (Tensor s : sources) {
      if (!s.requiresGrad()) {
        throw new IllegalArgumentException(
            "gradient: a source of shape "
                + java.util.Arrays.toString(s.shape())
                + " was not watched; call tape.watch(x) before computing with it");
      }
    }
    if (!target.requiresGrad()) {
      Tensor[] zeros = new Tensor[sources.length];
      for (int i = 0; i < zeros.length; i++) {
        zeros[i] = sources[i].detach().zerosLike();
      }
      return zeros;
    }
    return Autograd.grad(target, target.onesLike(), persistent, false, sources);
  }

  /** Stops recording (restores the previous grad mode). */
  @Override
  public void close() {
    scope.close();
  }
}
