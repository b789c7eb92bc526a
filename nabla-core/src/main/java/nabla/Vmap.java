package nabla;

import java.util.Arrays;
import java.util.function.Function;

/**
 * {@link Autograd#vmap}: maps a function over one dimension of its arguments (JAX's {@code vmap},
 * torch.func's). This first version has no batching rules: it runs the function once per index
 * along the mapped dimension and stacks the results ("loop and stack", the fallback that JAX and
 * functorch use for operations without a rule). Its results are therefore exactly those of the
 * loop, for every function — random sampling included: each example draws its own numbers, in
 * order, from the thread's generator — and it composes with every transform, since each call is
 * ordinary recorded code: {@code vmap(grad(f))} gives per-example gradients, {@code grad} and
 * {@code jvp} differentiate through a vmapped function, {@code vmap(vmap(f))} maps two dimensions.
 * What it does not give yet is the speed of a batched computation (issue #14); the first call logs
 * that once (logger {@code nabla.Autograd}).
 */
final class Vmap {
  private Vmap() {}

  private static final System.Logger LOG = System.getLogger("nabla.Autograd");
  private static volatile boolean noted;

  /** f mapped over dimension inAxis of its argument; results stacked at outAxis. */
  static Function<Tensor, Tensor> vmap(Function<Tensor, Tensor> f, int inAxis, int outAxis) {
    Checks.nonNull("vmap", "f", f);
    return x -> map(a -> f.apply(a[0]), new Tensor[] {x}, new Integer[] {inAxis}, outAxis);
  }

  /**
   * f mapped over dimension inAxes[i] of argument i (null: that argument is not mapped, every call
   * sees it whole).
   */
  static Autograd.MultiFunction vmap(Autograd.MultiFunction f, Integer[] inAxes, int outAxis) {
    Checks.nonNull("vmap", "f", f);
    Checks.nonNull("vmap", "inAxes", inAxes);
    Integer[] axes = inAxes.clone();
    return args -> map(f, args, axes, outAxis);
  }

  private static Tensor map(
      Autograd.MultiFunction f, Tensor[] args, Integer[] inAxes, int outAxis) {
    Checks.noNulls("vmap", "args", args);
    if (inAxes.length != args.length) {
      throw new IllegalArgumentException(
          "vmap: "
              + inAxes.length
              + " input axes for "
              + args.length
              + " arguments; give one per argument (null for an argument that is not mapped)");
    }
    int size = -1;
    int[] axis = new int[args.length];
    for (int i = 0; i < args.length; i++) {
      if (inAxes[i] == null) {
        axis[i] = -1;
        continue;
      }
      if (args[i].dim() == 0) {
        throw new IllegalArgumentException(
            "vmap: argument " + i + " is 0-d and has no dimension to map; pass null as its axis");
      }
      axis[i] = nabla.storage.Shapes.axis("vmap", inAxes[i], args[i].dim());
      int n = args[i].shape[axis[i]];
      if (size >= 0 && n != size) {
        throw new IllegalArgumentException(
            "vmap: the mapped dimensions differ in size: argument "
                + i
                + " has "
                + n
                + " along dimension "
                + axis[i]
                + ", an earlier argument "
                + size
                + "; all mapped arguments need the same size (shapes "
                + Arrays.toString(Arrays.stream(args).map(Tensor::shapeString).toArray())
                + ")");
      }
      size = n;
    }
    if (size < 0) {
      throw new IllegalArgumentException(
          "vmap: no argument is mapped (every input axis is null); map at least one");
    }
    if (size == 0) {
      throw new IllegalArgumentException(
          "vmap: the mapped dimension has size 0, so the shape of the results is unknown");
    }
    if (!noted) {
      noted = true;
      LOG.log(
          System.Logger.Level.DEBUG,
          "vmap: no batching rules yet, so the function runs once per example (loop and stack);"
              + " results are exact, speed is the loop's (issue #14)");
    }
    Tensor[] results = new Tensor[size];
    for (int b = 0; b < size; b++) {
      Tensor[] slice = new Tensor[args.length];
      for (int i = 0; i < args.length; i++) {
        slice[i] = axis[i] < 0 ? args[i] : args[i].narrow(axis[i], b, 1).squeeze(axis[i]);
      }
      results[b] = Autograd.returned("vmap", f.apply(slice));
      if (b > 0 && !Arrays.equals(results[b].shape, results[0].shape)) {
        throw new IllegalStateException(
            "vmap: the function returned shape "
                + results[b].shapeString()
                + " for example "
                + b
                + " but "
                + results[0].shapeString()
                + " for example 0; a mapped function must return one shape");
      }
    }
    int out = nabla.storage.Shapes.newAxis("vmap", outAxis, results[0].dim());
    return Tensor.stack(out, results);
  }
}
