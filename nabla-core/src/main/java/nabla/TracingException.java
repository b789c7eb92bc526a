package nabla;

/**
 * Thrown while {@link Autograd#compile} traces a function that does something a compiled program
 * cannot repeat (JAX's {@code ConcretizationTypeError}): reads a value computed from the arguments
 * on the Java side ({@code item()}, {@code toDoubleArray()}, printing, an {@code if} on a value),
 * draws random numbers, or writes a tensor in place. The message names the operation and says what
 * to do instead; nothing is cached, so a corrected function can be compiled again.
 *
 * <pre>{@code
 * var f = Autograd.compile(x -> x.sum().item() > 0 ? x : x.neg());
 * f.apply(Tensor.of(1, -2));   // TracingException: compile: item() read the value of ...
 * var g = Autograd.compile(x -> Tensor.where(x.sum().gt(0), x, x.neg()));   // fine
 * }</pre>
 */
public final class TracingException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** An exception with the given message. */
  public TracingException(String message) {
    super(message);
  }
}
