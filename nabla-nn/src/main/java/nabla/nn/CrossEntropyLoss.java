package nabla.nn;

import java.util.Arrays;
import nabla.Autograd;
import nabla.DType;
import nabla.Tensor;

/**
 * Cross-entropy from logits {@code [N, C]} and int64 class labels {@code [N]} (PyTorch's {@code
 * nn.CrossEntropyLoss}): -log softmax(x)[y], through a stable log-sum-exp. With label smoothing ε
 * the target is (1 - ε) one-hot + ε / C uniform, so the loss is (1 - ε)·nll + ε·mean over classes
 * of -log softmax(x).
 *
 * <pre>{@code
 * Tensor logits = Tensor.of(new double[] {2, 0, 0, 0, 3, 0}, 2, 3);   // [N = 2, C = 3]
 * Tensor y = Tensor.ofLongs(new long[] {0, 1});
 * Tensor l = new CrossEntropyLoss().forward(logits, y);
 * new CrossEntropyLoss().labelSmoothing(0.1).reduction(Reduction.SUM).forward(logits, y);
 * }</pre>
 */
public class CrossEntropyLoss extends Loss {
  private double labelSmoothing;

  /** The mean cross-entropy without label smoothing. */
  public CrossEntropyLoss() {}

  /** Sets label smoothing ε in [0, 1]; returns this. */
  public CrossEntropyLoss labelSmoothing(double epsilon) {
    if (!(epsilon >= 0 && epsilon <= 1)) {
      throw new IllegalArgumentException(
          "CrossEntropyLoss: label smoothing must be in [0, 1], got " + epsilon);
    }
    this.labelSmoothing = epsilon;
    return this;
  }

  @Override
  public CrossEntropyLoss reduction(Reduction reduction) {
    super.reduction(reduction);
    return this;
  }

  @Override
  public Tensor forward(Tensor logits, Tensor labels) {
    if (logits == null || labels == null) {
      throw new IllegalArgumentException(
          "CrossEntropyLoss: the logits and labels must not be null");
    }
    if (logits.dim() != 2 || labels.dim() != 1 || labels.size(0) != logits.size(0)) {
      throw new IllegalArgumentException(
          "CrossEntropyLoss: expects logits of shape [N, C] and labels of shape [N], got "
              + Arrays.toString(logits.shape())
              + " and "
              + Arrays.toString(labels.shape()));
    }
    if (labels.dtype() != DType.INT64) {
      throw new IllegalArgumentException(
          "CrossEntropyLoss: labels must be int64 class indices, got "
              + labels.dtype()
              + " of shape "
              + Arrays.toString(labels.shape())
              + "; convert them with labels.to(DType.INT64)"
              + (labels.dtype().isFloating()
                  ? " (for probabilities per class, this loss needs class indices)"
                  : ""));
    }
    int classes = logits.size(1);
    if (classes == 0) {
      throw new IllegalArgumentException(
          "CrossEntropyLoss: the logits of shape "
              + Arrays.toString(logits.shape())
              + " have no classes; they need one score per class, [N, C] with C >= 1");
    }
    // While compile traces, the labels' values cannot be read: gather's own index check (in the
    // kernel) catches a label out of range on every call instead.
    long[] values = Autograd.isTracing() ? new long[0] : labels.toLongArray();
    for (int i = 0; i < values.length; i++) {
      if (values[i] < 0 || values[i] >= classes) {
        throw new IllegalArgumentException(
            "CrossEntropyLoss: label "
                + values[i]
                + " at position "
                + i
                + " is out of range for "
                + classes
                + " classes (valid labels are 0.."
                + (classes - 1)
                + ")");
      }
    }
    Tensor logp = (logits.dtype().isFloating() ? logits : logits.to(DType.FLOAT32)).logSoftmax(1);
    Tensor nll = logp.gather(1, labels.unsqueeze(1)).squeeze(1).neg();
    if (labelSmoothing > 0) {
      Tensor uniform = logp.mean(1, false).neg();
      nll = nll.mul(1 - labelSmoothing).add(uniform.mul(labelSmoothing));
    }
    return reduction().apply(nll);
  }

  @Override
  public String toString() {
    return "CrossEntropyLoss(reduction="
        + reduction().name().toLowerCase()
        + ", label_smoothing="
        + labelSmoothing
        + ")";
  }
}
