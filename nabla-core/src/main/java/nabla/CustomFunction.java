package nabla;

import java.util.Arrays;
import nabla.ops.Primitive;
import nabla.ops.PrimitiveKind;

/**
 * A user-defined differentiable function: a forward computation plus its VJP rule (and optionally a
 * JVP rule), first-class like a built-in primitive. The rules are written with tensor operations,
 * so they work under higher-order differentiation; the forward runs with recording off, so its
 * internals are not stored in the graph.
 *
 * <pre>{@code
 * CustomFunction cube = CustomFunction.of("Cube",
 *     in -> in[0].mul(in[0]).mul(in[0]),
 *     (g, out, in) -> new Tensor[] {g.mul(in[0].mul(in[0]).mul(3))});
 * Tensor x = Tensor.of(2).requiresGrad(true);
 * cube.apply(x).sum().backward();   // x.grad() = [12.]
 * }</pre>
 */
public final class CustomFunction implements Autograd.MultiFunction {
  /** The forward computation. */
  @FunctionalInterface
  public interface Forward {
    Tensor apply(Tensor... inputs);
  }

  /** Reverse rule: one gradient per input (null where not needed) given the output gradient. */
  @FunctionalInterface
  public interface Vjp {
    Tensor[] apply(Tensor gradOutput, Tensor output, Tensor... inputs);
  }

  /** Forward rule: the output tangent given one tangent per input (null meaning zero). */
  @FunctionalInterface
  public interface Jvp {
    Tensor apply(Tensor[] tangents, Tensor output, Tensor... inputs);
  }

  private final String name;
  private final Forward forward;
  private final Vjp vjp;
  private final Jvp jvp;

  private CustomFunction(String name, Forward forward, Vjp vjp, Jvp jvp) {
    this.name = name;
    this.forward = forward;
    this.vjp = vjp;
    this.jvp = jvp;
  }

  /** A function with a reverse-mode rule only (forward mode reports the missing rule). */
  public static CustomFunction of(String name, Forward forward, Vjp vjp) {
    return new CustomFunction(name, forward, vjp, null);
  }

  /** A function with both rules. */
  public static CustomFunction of(String name, Forward forward, Vjp vjp, Jvp jvp) {
    return new CustomFunction(name, forward, vjp, jvp);
  }

  /** The name shown in gradient functions ({@code NameBackward}). */
  public String name() {
    return name;
  }

  /** Applies the function, recording it in the graph when an input requires grad. */
  @Override
  public Tensor apply(Tensor... inputs) {
    return Engine.apply(new Applied(false), inputs);
  }

  /**
   * Applies the function to {@code target} (its first input) and {@code others}, writing the result
   * into {@code target} in place (PyTorch's {@code mark_dirty}); returns {@code target}. The
   * forward gets a copy of the target, so it may itself work in place. Recorded like the built-in
   * in-place updates when {@code target} is part of a graph (or receives values that are); refused
   * on a leaf that requires grad while recording.
   *
   * <pre>{@code
   * CustomFunction twice = CustomFunction.of("Twice",
   *     in -> in[0].mulInPlace(2), (g, out, in) -> new Tensor[] {g.mul(2)});
   * Tensor y = x.exp();
   * twice.applyInPlace(y);   // y.gradFn().name() = "TwiceBackward"
   * }</pre>
   */
  public Tensor applyInPlace(Tensor target, Tensor... others) {
    Checks.nonNull(name, "target", target);
    Checks.noNulls(name, "others", others);
    return InPlace.custom(target, name, in -> Engine.apply(new Applied(true), in), others);
  }

  /**
   * A user VJP's result, checked: one gradient per input, each of its input's shape (or, when
   * {@code out} is not null, of the output's shape, which the engine reduces).
   *
   * @throws IllegalStateException naming {@code who}, the counts or the input and both shapes
   */
  static Tensor[] checkGradients(
      String who, Tensor[] grads, Tensor[] inputs, boolean[] needs, Tensor out) {
    if (grads == null || grads.length != inputs.length) {
      throw new IllegalStateException(
          who
              + ": its VJP returned "
              + (grads == null ? "null" : grads.length + " gradients")
              + " for "
              + inputs.length
              + " inputs; return one per input (null where none)");
    }
    for (int i = 0; i < grads.length; i++) {
      if (needs[i] && grads[i] != null) {
        int[] gs = grads[i].shape;
        if (!Arrays.equals(gs, inputs[i].shape) && (out == null || !Arrays.equals(gs, out.shape))) {
          throw new IllegalStateException(
              who
                  + ": its VJP returned a gradient of shape "
                  + Arrays.toString(gs)
                  + " for input "
                  + i
                  + " of shape "
                  + Arrays.toString(inputs[i].shape));
        }
      }
    }
    return grads;
  }

  /**
   * Whether a tensor of shape {@code from} broadcasts to {@code to} without changing {@code to}.
   */
  private static boolean broadcastsTo(int[] from, int[] to) {
    if (from.length > to.length) {
      return false;
    }
    for (int i = 1; i <= from.length; i++) {
      int f = from[from.length - i];
      if (f != 1 && f != to[to.length - i]) {
        return false;
      }
    }
    return true;
  }

  /** The primitive adapter: one instance per application. */
  private final class Applied extends Primitive {
    private final boolean dirtyFirst;

    Applied(boolean dirtyFirst) {
      this.dirtyFirst = dirtyFirst;
    }

    @Override
    public PrimitiveKind kind() {
      return PrimitiveKind.CUSTOM;
    }

    @Override
    public String gradFnName() {
      return name + "Backward";
    }

    @Override
    public Tensor forward(Tensor... inputs) {
      Tensor[] detached = new Tensor[inputs.length];
      for (int i = 0; i < inputs.length; i++) {
        detached[i] = inputs[i].detach();
      }
      if (dirtyFirst) {
        detached[0] = detached[0].copy(); // applyInPlace: the forward may write into it
      }
      Tensor out = forward.apply(detached);
      if (out == null) {
        throw new IllegalStateException(
            "custom function "
                + name
                + ": forward returned null; it must return the output tensor");
      }
      return out.detach();
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor out, Tensor[] inputs, boolean[] needs) {
      return checkGradients(
          "custom function " + name, vjp.apply(g, out, inputs), inputs, needs, out);
    }

    @Override
    public Tensor jvp(Tensor[] tangents, Tensor out, Tensor[] inputs) {
      if (jvp == null) {
        throw new UnsupportedOperationException(
            "custom function "
                + name
                + " has no JVP rule, which forward mode (jvp, valueAndJvp, jacfwd, hvp) needs;"
                + " pass one to CustomFunction.of(name, forward, vjp, jvp)");
      }
      Tensor t = jvp.apply(tangents, out, inputs);
      if (t != null && !broadcastsTo(t.shape(), out.shape())) {
        throw new IllegalStateException(
            "custom function "
                + name
                + ": its JVP returned a tangent of shape "
                + Arrays.toString(t.shape())
                + " for an output of shape "
                + Arrays.toString(out.shape())
                + "; return one of the output's shape");
      }
      return t;
    }
  }
}
