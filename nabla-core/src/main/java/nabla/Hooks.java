package nabla;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import nabla.storage.Shapes;

/**
 * Tensor hooks ({@link Tensor#registerHook}, {@link Tensor#registerPostAccumulateGradHook}): the
 * per-tensor lists, kept in its {@link AutogradMeta}, and how backward calls them.
 *
 * <p>A gradient hook sees the whole gradient of its tensor for one backward pass, once: for a
 * non-leaf when every consumer has contributed (before it flows on into the tensor's gradient
 * function, before {@link Tensor#retainGrad()} keeps it); for a leaf before it is added to {@link
 * Tensor#grad()} (or returned by {@link Autograd#grad}). A hook may return a replacement of the
 * same shape and dtype, or null to keep the gradient. Hooks run in registration order, each on the
 * previous one's result. A post-accumulate hook runs on a leaf after its {@code grad()} was updated
 * (for optimisers that step during backward). Batched passes (the rows of {@link Autograd#jacrev})
 * do not call hooks.
 */
final class Hooks {
  private Hooks() {}

  /** The hook lists of one tensor (thread-safe: registration may race with a backward pass). */
  static final class Lists {
    final List<Function<Tensor, Tensor>> gradient = new CopyOnWriteArrayList<>();
    final List<Consumer<Tensor>> postAccumulate = new CopyOnWriteArrayList<>();
  }

  static RemovableHandle register(Tensor t, Function<Tensor, Tensor> hook) {
    Checks.nonNull("registerHook", "hook", hook);
    if (!t.requiresGrad()) {
      throw new IllegalStateException(
          "registerHook: this tensor (shape "
              + Shapes.str(t.shape)
              + ") does not require grad, so backward never reaches it; call requiresGrad(true)"
              + " first (on a leaf) or register the hook on a tensor computed from one");
    }
    Lists l = lists(t);
    l.gradient.add(hook);
    return new RemovableHandle(() -> l.gradient.remove(hook));
  }

  static RemovableHandle registerPostAccumulate(Tensor t, Consumer<Tensor> hook) {
    Checks.nonNull("registerPostAccumulateGradHook", "hook", hook);
    if (!t.requiresGrad() || t.gradFn() != null) {
      throw new IllegalStateException(
          "registerPostAccumulateGradHook: only a leaf that requires grad accumulates a gradient;"
              + " this tensor (shape "
              + Shapes.str(t.shape)
              + ") "
              + (t.gradFn() != null
                  ? "was computed by " + t.gradFn().name() + "; use registerHook on it instead"
                  : "does not require grad; call requiresGrad(true) first"));
    }
    Lists l = lists(t);
    l.postAccumulate.add(hook);
    return new RemovableHandle(() -> l.postAccumulate.remove(hook));
  }

  private static Lists lists(Tensor t) {
    AutogradMeta m = AutogradMeta.of(t);
    synchronized (t) {
      if (m.hooks == null) {
        m.hooks = new Lists();
      }
      return m.hooks;
    }
  }

  /** t's hook lists, or null when it has none (the engine's fast test). */
  static Lists of(Tensor t) {
    AutogradMeta m = t.autograd;
    return m == null ? null : m.hooks;
  }

  /** Runs t's gradient hooks on g, in order; returns the final gradient. */
  static Tensor apply(Tensor t, Lists hooks, Tensor g) {
    for (Function<Tensor, Tensor> h : hooks.gradient) {
      Tensor r = h.apply(g);
      if (r == null) {
        continue;
      }
      if (!Shapes.same(r.shape, g.shape) || r.dtype() != g.dtype()) {
        throw new IllegalStateException(
            "backward: a hook registered on a tensor of shape "
                + Shapes.str(t.shape)
                + " returned a gradient of shape "
                + Shapes.str(r.shape)
                + " and dtype "
                + r.dtype()
                + " for one of shape "
                + Shapes.str(g.shape)
                + " and dtype "
                + g.dtype()
                + "; a hook must return a gradient like the one it got (or null to keep it)");
      }
      g = r;
    }
    return g;
  }

  /** Runs a leaf's post-accumulate hooks (after its grad() was updated). */
  static void afterAccumulate(Tensor leaf, Lists hooks) {
    for (Consumer<Tensor> h : hooks.postAccumulate) {
      h.accept(leaf);
    }
  }
}
