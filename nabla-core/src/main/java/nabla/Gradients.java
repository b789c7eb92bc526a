package nabla;

import java.util.LinkedHashMap;
import java.util.Map;
import nabla.storage.Shapes;

/**
 * Backward from several roots into {@code grad()}, and the functional {@code Autograd.grad} that
 * returns gradients instead (PyTorch's {@code torch.autograd.backward} and {@code
 * torch.autograd.grad}), with the policy for inputs the outputs do not depend on.
 */
final class Gradients {
  private Gradients() {}

  static void backward(Tensor output, Tensor gradient, boolean retainGraph, boolean createGraph) {
    Checks.nonNull("backward", "output", output);
    if (gradient == null) {
      if (output.numel() != 1) {
        throw new IllegalArgumentException(
            "backward: the head gradient is null but the output has shape "
                + Shapes.str(output.shape())
                + "; pass a head gradient of that shape (null means ones only for one element)");
      }
      gradient = output.onesLike();
    }
    checkRoot("backward", "this tensor", output, gradient);
    Engine.backward(
        new Tensor[] {output},
        new Tensor[] {gradient.to(output.dtype())},
        retainGraph || createGraph,
        createGraph,
        null);
  }

  /**
   * One backward pass from every root, each seeded with its head gradient (null: ones, for a
   * one-element root), accumulating into the leaves' {@code grad()}.
   */
  static void backward(
      String op, Tensor[] roots, Tensor[] heads, boolean retainGraph, boolean createGraph) {
    Checks.noNulls(op, "roots", roots);
    Checks.nonNull(op, "gradients", heads);
    if (heads.length != roots.length) {
      throw new IllegalArgumentException(
          op
              + ": "
              + roots.length
              + " roots but "
              + heads.length
              + " head gradients; pass one per root (null means ones for a one-element root)");
    }
    if (roots.length == 0) {
      return;
    }
    Engine.backward(roots, seeds(op, "root", roots, heads), retainGraph, createGraph, null);
  }

  /** The head gradients of outputs: nulls filled with ones, each checked and in its dtype. */
  private static Tensor[] seeds(String op, String what, Tensor[] outputs, Tensor[] gradients) {
    Tensor[] seeds = new Tensor[outputs.length];
    for (int i = 0; i < outputs.length; i++) {
      Tensor g = gradients[i];
      String name = what + " " + i;
      if (g == null) {
        if (outputs[i].numel() != 1) {
          throw new IllegalArgumentException(
              op
                  + ": the head gradient of "
                  + name
                  + " is null but it has shape "
                  + Shapes.str(outputs[i].shape())
                  + "; pass a head gradient of that shape (null means ones only for one element),"
                  + " or reduce it first, e.g. y.sum()");
        }
        g = outputs[i].onesLike();
      }
      checkRoot(op, name, outputs[i], g);
      seeds[i] = g.to(outputs[i].dtype());
    }
    return seeds;
  }

  static Tensor[] grad(
      Tensor[] outputs,
      Tensor[] gradients,
      boolean retainGraph,
      boolean createGraph,
      Autograd.Unused unused,
      Tensor... inputs) {
    Checks.noNulls("grad", "outputs", outputs);
    Checks.nonNull("grad", "gradients", gradients);
    Checks.nonNull("grad", "unused", unused);
    Checks.noNulls("grad", "inputs", inputs);
    if (gradients.length != outputs.length) {
      throw new IllegalArgumentException(
          "grad: " + outputs.length + " outputs but " + gradients.length + " head gradients");
    }
    Tensor[] heads = new Tensor[outputs.length];
    for (int i = 0; i < outputs.length; i++) {
      Tensor g = gradients[i];
      if (g == null) {
        if (outputs[i].numel() != 1) {
          throw new IllegalStateException(
              "grad: output "
                  + i
                  + " has shape "
                  + Shapes.str(outputs[i].shape())
                  + ", and only a one-element output has an implicit head gradient; pass one of"
                  + " that shape, e.g. Autograd.grad(y, y.onesLike(), false, false, inputs), or"
                  + " reduce first, e.g. Autograd.grad(y.sum(), inputs)");
        }
        g = outputs[i].onesLike();
      }
      checkRoot("grad", "this tensor", outputs[i], g);
      heads[i] = g.to(outputs[i].dtype());
    }
    Map<Tensor, Tensor> capture = new LinkedHashMap<>();
    for (Tensor in : inputs) {
      if (!in.requiresGrad()) {
        throw new IllegalArgumentException(
            "grad: input of shape "
                + Shapes.str(in.shape())
                + " does not require grad; call requiresGrad(true) on it before computing the"
                + " outputs");
      }
      capture.put(in, null);
    }
    Engine.backward(outputs, heads, retainGraph || createGraph, createGraph, capture);
    Tensor[] out = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      Tensor g = capture.get(inputs[i]);
      if (g == null) {
        switch (unused) {
          case ZEROS -> g = inputs[i].detach().zerosLike();
          case NULL -> {}
          case ERROR ->
              throw new IllegalArgumentException(
                  "grad: input "
                      + i
                      + " (shape "
                      + Shapes.str(inputs[i].shape())
                      + ", "
                      + inputs[i].dtype()
                      + ") was not used to compute the "
                      + (outputs.length == 1 ? "output" : outputs.length + " outputs")
                      + ", so it has no gradient; pass Autograd.Unused.ZEROS (zeros) or"
                      + " Autograd.Unused.NULL (null) to accept that");
        }
      }
      out[i] = g;
    }
    return out;
  }

  /** Checks that output has a recorded graph and that its head gradient has its shape. */
  static void checkRoot(String op, String name, Tensor output, Tensor gradient) {
    if (!output.requiresGrad()) {
      throw new IllegalStateException(
          op
              + ": "
              + name
              + " (shape "
              + Shapes.str(output.shape())
              + ") does not require grad,"
              + " so no graph was recorded: call requiresGrad(true) on the input tensors before"
              + " computing it, and make sure it was not computed inside Autograd.noGrad(); if it"
              + " is itself a gradient, compute that gradient with createGraph = true");
    }
    if (!Shapes.same(gradient.shape, output.shape)) {
      boolean one = name.equals("this tensor");
      throw new IllegalArgumentException(
          op
              + ": the head gradient "
              + (one ? "" : "of " + name + " ")
              + "has shape "
              + Shapes.str(gradient.shape())
              + " but "
              + (one ? "the output" : name)
              + " has shape "
              + Shapes.str(output.shape())
              + "; they must be equal");
    }
  }
}
