package nabla.ops;

import nabla.Tensor;

/**
 * One primitive operation: its forward computation (through kernels, no graph), its reverse-mode
 * rule (VJP) and its forward-mode rule (JVP). Rules are written with {@link Tensor} operations, so
 * they can themselves be differentiated for higher-order derivatives.
 *
 * <p>An instance carries the primitive's parameters (axes, target shape, ...); {@link #kind()}
 * names which entry of the closed table {@link PrimitiveKind} it is.
 *
 * <p>Conventions shared by every primitive:
 *
 * <ul>
 *   <li>{@code forward} validates its inputs and throws {@link IllegalArgumentException} naming
 *       the operation and the shapes and dtypes involved. It runs with gradient recording off.
 *   <li>{@code vjp} returns, for each input {@code i} with {@code needsGrad[i]}, the gradient
 *       contribution in the <em>output's broadcast shape</em> or in the input's shape; the engine
 *       sums broadcast dimensions away in one place. Entries not needed may be null.
 *   <li>{@code jvp} receives one tangent per input (null for a zero tangent) and returns the
 *       output tangent.
 * </ul>
 */
public abstract class Primitive {
  /** Which table entry this is. */
  public abstract PrimitiveKind kind();

  /** Computes the output value from the input values. */
  public abstract Tensor forward(Tensor... inputs);

  /**
   * Reverse-mode rule: the gradient contributions to the inputs given the output's gradient.
   *
   * @param gradOutput gradient with respect to {@code output}, same shape as output
   * @param output the value forward produced
   * @param inputs the inputs forward received
   * @param needsGrad which inputs need a gradient
   */
  public abstract Tensor[] vjp(
      Tensor gradOutput, Tensor output, Tensor[] inputs, boolean[] needsGrad);

  /**
   * Forward-mode rule: the output tangent given one tangent per input (null meaning zero).
   *
   * @throws UnsupportedOperationException for primitives without a forward-mode rule
   */
  public Tensor jvp(Tensor[] tangents, Tensor output, Tensor[] inputs) {
    throw new UnsupportedOperationException(
        kind().displayName() + " has no forward-mode (JVP) rule");
  }

  /**
   * Whether the output can carry a gradient. False for integer/bool outputs (comparisons,
   * arg-reductions, casts to integers): no graph node is recorded for them.
   */
  public boolean differentiable(Tensor[] inputs, Tensor output) {
    return output.dtype().isFloating();
  }

  /**
   * Whether the VJP/JVP rules read the input values (not just their shapes). Linear data
   * movement and sums do not, so an in-place change of their inputs after the forward is safe.
   */
  public boolean savesInputs() {
    return true;
  }

  /** Whether the rules read the output value (exp, tanh, sigmoid, sqrt, div, pow, norm, max). */
  public boolean savesOutput() {
    return true;
  }

  /** Name of the gradient function shown by {@code Tensor.gradFn()}, e.g. {@code MulBackward}. */
  public String gradFnName() {
    return kind().displayName() + "Backward";
  }

  @Override
  public String toString() {
    return kind().displayName();
  }
}
