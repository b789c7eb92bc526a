package nabla;

import java.util.Arrays;
import nabla.storage.Shapes;

/**
 * Loss functions, composed from primitives (so they differentiate to any order). They belong in the
 * nn module once it exists; {@link Tensor#crossEntropy} and {@link Tensor#mseLoss} call them.
 */
final class Losses {
  private Losses() {}

  /** Mean cross-entropy between logits [N, C] and int64 class targets [N]. */
  static Tensor crossEntropy(Tensor logits, Tensor target) {
    Checks.nonNull("crossEntropy", "target", target);
    if (logits.dim() != 2 || target.dim() != 1 || target.shape[0] != logits.shape[0]) {
      throw new IllegalArgumentException(
          "crossEntropy: expected logits of shape [N, C] and targets of shape [N], got "
              + Shapes.str(logits.shape)
              + " and "
              + Shapes.str(target.shape));
    }
    if (target.dtype() != DType.INT64) {
      throw new IllegalArgumentException(
          "crossEntropy: targets must be int64 class indices, got " + target.dtype());
    }
    if (logits.shape[1] == 0 && logits.shape[0] > 0) {
      throw new IllegalArgumentException(
          "crossEntropy: the logits of shape "
              + Shapes.str(logits.shape)
              + " have no classes (C = 0); they need one score per class, shape [N, C] with C >= 1");
    }
    ViewChecks.checkIndexRange("crossEntropy (class targets)", target, logits.shape[1], 1);
    return logits.logSoftmax(1).gather(1, target.unsqueeze(1)).mean().neg();
  }

  /** Mean squared error between input and target of the same shape. */
  static Tensor mseLoss(Tensor input, Tensor target) {
    if (!Arrays.equals(input.shape, Checks.nonNull("mseLoss", "target", target).shape)) {
      throw new IllegalArgumentException(
          "mseLoss: input shape "
              + Shapes.str(input.shape)
              + " and target shape "
              + Shapes.str(target.shape)
              + " differ; reshape one so they match");
    }
    Tensor d = input.sub(target);
    return d.mul(d).mean();
  }
}
