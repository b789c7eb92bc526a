package nabla.ops;

import nabla.Tensor;

/**
 * One primitive operation: its forward computation (through kernels, no graph), its reverse-mode
 * rule (VJP) and its forward-mode rule (JVP). Rules are written with {@link Tensor} operations, so
 * they can themselves be differentiated for higher-order derivatives.
 *
 * <p>An instance carries the primitive's parameters (axes, target shape, ...); {@link #kind()}
 * names which row of the closed table {@link PrimitiveKind} it is, and that row holds the traits
 * the engine reads ({@link #savesInputs()}, {@link #savesOutput()}, linearity).
 *
 * <p>Conventions shared by every primitive:
 *
 * <ul>
 *   <li>{@code forward} validates its inputs and throws {@link IllegalArgumentException} naming the
 *       operation and the shapes and dtypes involved. It runs with gradient recording off.
 *   <li>{@code vjp} returns, for each input {@code i} with {@code needsGrad[i]}, the gradient
 *       contribution in the <em>output's broadcast shape</em> or in the input's shape; the engine
 *       sums broadcast dimensions away in one place. Entries not needed may be null.
 *   <li>{@code jvp} receives one tangent per input (null for a zero tangent) and returns the output
 *       tangent. Linear primitives ({@link PrimitiveKind#isLinear()}) have none: the engine applies
 *       the primitive itself to the tangents.
 * </ul>
 */
public abstract class Primitive {
  private final PrimitiveKind kind;

  /** A primitive of the given table row. */
  protected Primitive(PrimitiveKind kind) {
    this.kind = kind;
  }

  /** For subclasses that override {@link #kind()} instead of passing their row. */
  protected Primitive() {
    this(null);
  }

  /** Which table entry this is. */
  public PrimitiveKind kind() {
    return kind;
  }

  /**
   * The row, read from the field when the constructor was given it (no virtual call on hot paths).
   */
  private PrimitiveKind row() {
    return kind != null ? kind : kind();
  }

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
   * Batching rule (autodidax's {@code vmap_rules}), used by {@code Autograd.vmap}: the output for a
   * whole batch of examples at once. A batched input ({@code batched[i]}) has one extra leading
   * dimension of the batch size; an unbatched input is the same for every example. Returns the
   * output with the batch dimension first, whose row {@code b} must equal what {@link #forward}
   * gives for row {@code b} of the batched inputs, or null when the primitive has no rule (vmap
   * then runs it once per example and stacks the results). At least one input is batched.
   *
   * <p>The default covers every elementwise row (operands aligned for broadcasting, then the
   * primitive itself); rows that name axes or shapes override it with their parameters shifted by
   * one. Rules apply primitives through the engine (so their results are recorded and carry
   * tangents), never kernels directly.
   *
   * <pre>{@code sum(axes = {0}).batch([x of shape [n, 3, 4]], [true])  // sum over axis 1: [n, 4]}
   * </pre>
   */
  public Tensor batch(Tensor[] inputs, boolean[] batched) {
    return kind() != null && kind().isElementwise()
        ? Batching.elementwise(this, inputs, batched)
        : null;
  }

  /** {@code [b] ++ shape}: a shape with a leading batch dimension, for the batching rules. */
  protected static int[] batched(int b, int[] shape) {
    int[] r = new int[shape.length + 1];
    r[0] = b;
    System.arraycopy(shape, 0, r, 1, shape.length);
    return r;
  }

  /**
   * Forward-mode rule: the output tangent given one tangent per input (null meaning zero). Not
   * called for linear primitives, whose tangent the engine computes by applying the primitive to
   * the tangents (so that the result is itself recorded and carries outer tangents).
   *
   * @throws UnsupportedOperationException for primitives without a forward-mode rule of their own
   */
  public Tensor jvp(Tensor[] tangents, Tensor output, Tensor[] inputs) {
    throw new UnsupportedOperationException(
        kind().displayName()
            + (kind().isLinear()
                ? " is linear: its JVP is the primitive applied to the tangents, which the engine"
                    + " computes"
                : " has no forward-mode (JVP) rule"));
  }

  /**
   * Whether the output can carry a gradient. False for integer/bool outputs (comparisons,
   * arg-reductions, casts to integers): no graph node is recorded for them.
   */
  public boolean differentiable(Tensor[] inputs, Tensor output) {
    return output.dtype().isFloating();
  }

  /**
   * Whether the VJP/JVP rules read the input values (not just their shapes). Linear data movement
   * and sums do not, so an in-place change of their inputs after the forward is safe.
   */
  public boolean savesInputs() {
    return row().savesInputs();
  }

  /** Whether the rules read the output value (exp, tanh, sigmoid, sqrt, div, pow, norm, max). */
  public boolean savesOutput() {
    return row().savesOutput();
  }

  /**
   * Whether the VJP runs code from outside the library (a custom function's backward, a
   * checkpointed segment's recompute), which may keep what it allocates: the engine then does not
   * return that rule's buffers to the {@link nabla.storage.BufferPool}. The library's own rules
   * keep nothing they allocate beyond the gradients they return.
   */
  public boolean runsUserCode() {
    return kind() == PrimitiveKind.CUSTOM;
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
