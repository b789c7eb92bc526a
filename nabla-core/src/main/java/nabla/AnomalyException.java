package nabla;

import java.util.Optional;

/**
 * Thrown in anomaly mode ({@link Autograd#detectAnomaly()}) when an operation produces a NaN in the
 * forward pass from inputs that had none, or when a gradient computed in the backward pass contains
 * NaN or ±∞. The message names the operation, the shapes and dtypes involved and the Java line that
 * created the operation; the accessors give the same facts to code.
 *
 * <pre>{@code
 * try (var a = Autograd.detectAnomaly()) {
 *   Tensor x = Tensor.of(0, 1).requiresGrad(true);
 *   Tensor y = Tensor.where(x.gt(0), x.log(), 0);   // "safe" log: finite forward
 *   y.sum().backward();                             // 0 · (1/0) = NaN in LogBackward
 * } catch (AnomalyException e) {
 *   e.gradFnName();   // "LogBackward"
 *   e.inputIndex();   // 0
 *   e.callSite();     // the line of x.log() above
 * }
 * }</pre>
 */
public class AnomalyException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final String gradFnName;
  private final int inputIndex;
  private final StackTraceElement callSite;

  AnomalyException(
      String message, String gradFnName, int inputIndex, StackWalker.StackFrame callSite) {
    super(message);
    this.gradFnName = gradFnName;
    this.inputIndex = inputIndex;
    this.callSite = callSite == null ? null : callSite.toStackTraceElement();
  }

  /** The gradient function of the offending operation, e.g. {@code LogBackward}. */
  public String gradFnName() {
    return gradFnName;
  }

  /**
   * In the backward pass, which input's gradient was not finite (0 for the first input); -1 when
   * the anomaly was a NaN produced by the forward pass.
   */
  public int inputIndex() {
    return inputIndex;
  }

  /** Whether the anomaly was found in the backward pass (a gradient) rather than the forward. */
  public boolean inBackward() {
    return inputIndex >= 0;
  }

  /**
   * The Java line that created the operation (the first caller outside Nabla), empty when the
   * operation was recorded outside anomaly mode.
   */
  public Optional<StackTraceElement> callSite() {
    return Optional.ofNullable(callSite);
  }
}
