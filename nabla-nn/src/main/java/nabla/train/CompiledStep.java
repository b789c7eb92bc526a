package nabla.train;

import java.util.List;
import nabla.Autograd;
import nabla.Compiled;
import nabla.Tensor;
import nabla.TracingException;
import nabla.nn.Loss;
import nabla.nn.Module;

/**
 * The forward and backward pass of a training step, compiled ({@link Autograd#compileMulti}): the
 * model's output, the loss and the gradient of every parameter in one traced plan, whose
 * elementwise chains (bias and activation, their gradients, the loss's softmax gradient) run as
 * fused passes. {@link #run} sets each parameter's {@code grad()}, so any optimiser steps as after
 * {@code loss.backward()}:
 *
 * <pre>{@code
 * CompiledStep step = new CompiledStep(net, new CrossEntropyLoss());
 * for (Batch b : loader) {
 *   CompiledStep.Result r = step.run(b.x(), b.y());   // r.loss(), r.output(); grads set
 *   optimizer.step();
 * }
 * }</pre>
 *
 * <p>The parameters are read on every call (an optimiser's in-place update is seen); the model's
 * structure and Java-side settings are fixed at trace time (one plan per batch shape: a last,
 * smaller batch gets its own). A model that cannot be traced (dropout draws random numbers in
 * training mode; a lazy layer draws its weights on the first call) is run uncompiled for that step,
 * with a note on the {@code nabla.compile} logger; after {@value #ATTEMPTS} such steps the step
 * stops trying and stays uncompiled.
 */
public final class CompiledStep {
  private static final System.Logger LOG = System.getLogger("nabla.compile");

  /** Steps that may fail to trace before the step gives up compiling. */
  static final int ATTEMPTS = 3;

  /** The output of the model (detached) and the loss of one step. */
  public record Result(Tensor output, Tensor loss) {}

  private final Module model;
  private final Loss loss;
  private final Compiled<Tensor[], Tensor[]> compiled;
  private int failures;
  private String lastFailure;

  /**
   * A compiled step for {@code model} and {@code loss}.
   *
   * @throws IllegalArgumentException when an argument is null
   */
  public CompiledStep(Module model, Loss loss) {
    if (model == null || loss == null) {
      throw new IllegalArgumentException(
          "CompiledStep: model and loss must not be null, got model=" + model + ", loss=" + loss);
    }
    this.model = model;
    this.loss = loss;
    this.compiled =
        Autograd.compileMulti(
            (Tensor[] a) -> {
              try (Autograd.Scope ignored = Autograd.enableGrad()) {
                Tensor out = model.forward(a[0]);
                Tensor l = loss.forward(out, a[1]);
                List<Tensor> params = model.parameters();
                Tensor[] g = Autograd.grad(l, params.toArray(new Tensor[0]));
                Tensor[] r = new Tensor[2 + g.length];
                r[0] = out.detach();
                r[1] = l.detach();
                System.arraycopy(g, 0, r, 2, g.length);
                return r;
              }
            });
  }

  /**
   * One forward and backward pass on a batch: sets every parameter's gradient (replacing what it
   * held) and returns the output and the loss.
   */
  public Result run(Tensor x, Tensor y) {
    if (failures < ATTEMPTS) {
      try {
        Tensor[] r;
        try (Autograd.Scope ignored = Autograd.noGrad()) {
          r = compiled.apply(new Tensor[] {x, y});
        }
        List<Tensor> now = model.parameters();
        if (now.size() == r.length - 2) {
          for (int i = 0; i < now.size(); i++) {
            now.get(i).setGrad(r[2 + i]);
          }
          return new Result(r[0], r[1]);
        }
        // the parameters changed while tracing (a lazy layer): this step runs uncompiled
        compiled.clearCache();
        failures++;
      } catch (TracingException e) {
        failures++;
        lastFailure = e.getMessage();
        compiled.clearCache();
        if (failures == ATTEMPTS) {
          LOG.log(
              System.Logger.Level.INFO,
              "CompiledStep: the model cannot be compiled ("
                  + e.getMessage()
                  + "); training continues uncompiled");
        }
      }
    }
    for (Tensor p : model.parameters()) {
      p.setGrad(null);
    }
    Tensor out = model.forward(x);
    Tensor l = loss.forward(out, y);
    l.backward();
    return new Result(out.detach(), l.detach());
  }

  /** Whether the step still compiles (false after {@value #ATTEMPTS} steps failed to trace). */
  public boolean isCompiled() {
    return failures < ATTEMPTS;
  }

  /** Why the last trace failed, or null. */
  public String lastFailure() {
    return lastFailure;
  }

  /** The plan of the batch shape used last (see {@link Compiled#plan()}). */
  public String plan() {
    return compiled.plan();
  }
}
