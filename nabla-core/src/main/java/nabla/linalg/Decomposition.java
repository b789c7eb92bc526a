package nabla.linalg;

import java.util.Arrays;
import nabla.CustomFunction;
import nabla.Tensor;

/**
 * A function of one matrix batch with several outputs of its dtype (Q and R, eigenvalues and
 * eigenvectors, U, S and Vh), recorded as one {@link CustomFunction} whose output is the outputs
 * flattened and concatenated; the caller gets views (slice and reshape) of it. The rules therefore
 * receive outputs that are part of the graph and carry forward-mode tangents, so they differentiate
 * again in every mode (reverse over reverse, forward over reverse, forward over forward) without
 * recomputing the decomposition. ({@link nabla.MultiCustomFunction} hands its rules detached
 * outputs, which loses the outer derivatives through them.)
 */
final class Decomposition {
  /** The forward computation on a detached input. */
  interface Forward {
    Tensor[] apply(Tensor a);
  }

  /** Reverse rule: the input's gradient from one gradient per output (zeros where unused). */
  interface Vjp {
    Tensor apply(Tensor[] gradOutputs, Tensor[] outputs, Tensor a);
  }

  /** Forward rule: one tangent per output (null meaning zero) from the input's tangent. */
  interface Jvp {
    Tensor[] apply(Tensor tangent, Tensor[] outputs, Tensor a);
  }

  /** The output shapes for an input shape. */
  interface Shapes {
    int[][] of(int[] inputShape);
  }

  private final CustomFunction function;
  private final Shapes shapes;

  Decomposition(String name, Shapes shapes, Forward forward, Vjp vjp, Jvp jvp) {
    this.shapes = shapes;
    this.function =
        CustomFunction.of(
            name,
            in -> pack(forward.apply(in[0]), shapes.of(in[0].shape()), in[0]),
            (g, out, in) -> {
              int[][] s = shapes.of(in[0].shape());
              return new Tensor[] {vjp.apply(unpack(g, s), unpack(out, s), in[0])};
            },
            (t, out, in) -> {
              int[][] s = shapes.of(in[0].shape());
              return pack(jvp.apply(t[0], unpack(out, s), in[0]), s, in[0]);
            });
  }

  /** The outputs for a batch of matrices, recorded when {@code a} requires grad or has tangents. */
  Tensor[] apply(Tensor a) {
    return unpack(function.apply(a), shapes.of(a.shape()));
  }

  private static Tensor pack(Tensor[] parts, int[][] shapes, Tensor like) {
    Tensor[] flat = new Tensor[parts.length];
    for (int k = 0; k < parts.length; k++) {
      int size = Arrays.stream(shapes[k]).reduce(1, (x, y) -> x * y);
      flat[k] = parts[k] == null ? Tensor.zeros(like.dtype(), size) : parts[k].reshape(size);
    }
    return flat.length == 1 ? flat[0] : Tensor.cat(0, flat);
  }

  private static Tensor[] unpack(Tensor flat, int[][] shapes) {
    Tensor[] parts = new Tensor[shapes.length];
    int offset = 0;
    for (int k = 0; k < shapes.length; k++) {
      int size = Arrays.stream(shapes[k]).reduce(1, (x, y) -> x * y);
      parts[k] = flat.slice(0, offset, offset + size).reshape(shapes[k]);
      offset += size;
    }
    return parts;
  }
}
