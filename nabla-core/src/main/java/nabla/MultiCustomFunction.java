package nabla;

import java.util.Arrays;
import java.util.BitSet;
import nabla.ops.Primitive;
import nabla.ops.PrimitiveKind;
import nabla.storage.Shapes;

/**
 * A user-defined differentiable function with several outputs (PyTorch's {@code autograd.Function}
 * returning a tuple): a forward computing all outputs, and a VJP rule receiving one gradient per
 * output (zeros for outputs the result does not depend on, and for outputs marked {@linkplain
 * #nonDifferentiable non-differentiable}) and returning one per input. Non-tensor parameters are
 * simply captured by the lambdas. The forward runs with recording off on detached inputs.
 *
 * <pre>{@code
 * MultiCustomFunction sinCos = MultiCustomFunction.of("SinCos",
 *     in -> new Tensor[] {in[0].sin(), in[0].cos()},
 *     (g, out, in) -> new Tensor[] {g[0].mul(out[1]).sub(g[1].mul(out[0]))});
 * Tensor x = Tensor.of(0.5).requiresGrad(true);
 * Tensor[] sc = sinCos.apply(x);
 * sc[0].mul(sc[1]).sum().backward();   // x.grad() = cos 2x
 * }</pre>
 *
 * <p>How it is recorded: the differentiable outputs are packed, flattened, into one tensor made by
 * one graph node, and each output is a view (slice and reshape) of it, cast back to its dtype. A
 * gradient reaching any output therefore lands in its part of the packed gradient, which the node
 * splits again for the VJP rule; outputs that received nothing get zeros. Saved values are checked
 * by version as for built-in primitives: modifying an input or an output in place before backward
 * makes backward fail.
 */
public final class MultiCustomFunction {
  /** The forward computation: all outputs. */
  @FunctionalInterface
  public interface Forward {
    Tensor[] apply(Tensor... inputs);
  }

  /** Reverse rule: one gradient per input (null where none) from one gradient per output. */
  @FunctionalInterface
  public interface Vjp {
    Tensor[] apply(Tensor[] gradOutputs, Tensor[] outputs, Tensor... inputs);
  }

  /** Forward rule: one tangent per output (null meaning zero) from one per input (null = zero). */
  @FunctionalInterface
  public interface Jvp {
    Tensor[] apply(Tensor[] tangents, Tensor[] outputs, Tensor... inputs);
  }

  private final String name;
  private final Forward forward;
  private final Vjp vjp;
  private final Jvp jvp;
  private final BitSet nonDifferentiable = new BitSet();

  private MultiCustomFunction(String name, Forward forward, Vjp vjp, Jvp jvp) {
    this.name = Checks.nonNull("MultiCustomFunction", "name", name);
    this.forward = Checks.nonNull("MultiCustomFunction", "forward", forward);
    this.vjp = Checks.nonNull("MultiCustomFunction", "vjp", vjp);
    this.jvp = jvp;
  }

  /** A function with a reverse-mode rule (forward mode reports the missing rule). */
  public static MultiCustomFunction of(String name, Forward forward, Vjp vjp) {
    return new MultiCustomFunction(name, forward, vjp, null);
  }

  /** A function with both rules. */
  public static MultiCustomFunction of(String name, Forward forward, Vjp vjp, Jvp jvp) {
    return new MultiCustomFunction(name, forward, vjp, Checks.nonNull(name, "jvp", jvp));
  }

  /**
   * Marks outputs that carry no gradient (indices, counts, masks: PyTorch's {@code
   * mark_non_differentiable}). Integer and bool outputs are never differentiable. Returns this.
   */
  public MultiCustomFunction nonDifferentiable(int... outputs) {
    for (int o : Checks.nonNull(name, "outputs", outputs)) {
      if (o < 0) {
        throw new IllegalArgumentException(name + ": output index " + o + " must be >= 0");
      }
      nonDifferentiable.set(o);
    }
    return this;
  }

  /** The name shown in gradient functions ({@code NameBackward}). */
  public String name() {
    return name;
  }

  /**
   * Applies the function; the outputs are recorded in the graph when an input requires grad (or
   * carries a forward-mode tangent).
   *
   * @throws IllegalStateException when the forward returns null or a null output
   */
  public Tensor[] apply(Tensor... inputs) {
    Checks.noNulls(name, "inputs", inputs);
    Tensor[] outs;
    Tensor[] detached = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      detached[i] = inputs[i].detach();
    }
    boolean prev = GradMode.set(false);
    try {
      outs = forward.apply(detached);
    } finally {
      GradMode.set(prev);
    }
    if (outs == null) {
      throw new IllegalStateException(name + ": forward returned null; return the outputs");
    }
    for (int k = 0; k < outs.length; k++) {
      if (outs[k] == null) {
        throw new IllegalStateException(name + ": forward returned null as output " + k);
      }
      outs[k] = outs[k].detach();
    }
    boolean[] diff = new boolean[outs.length];
    boolean anyDiff = false;
    boolean wide = false;
    for (int k = 0; k < outs.length; k++) {
      diff[k] = outs[k].dtype().isFloating() && !nonDifferentiable.get(k);
      anyDiff |= diff[k];
      wide |= diff[k] && outs[k].dtype() == DType.FLOAT64;
    }
    if (!anyDiff) {
      return outs;
    }
    DType packType = wide ? DType.FLOAT64 : DType.FLOAT32;
    Packed p = new Packed(outs, diff, packType);
    return p.unpack(Engine.apply(p, inputs));
  }

  /** The packing node's rules: the user's rules on the packed layout. */
  private final class Packed extends Primitive {
    final Tensor[] outs;
    final boolean[] diff;
    final int[] offsets;
    final int total;
    final DType packType;

    Packed(Tensor[] outs, boolean[] diff, DType packType) {
      this.outs = outs;
      this.diff = diff;
      this.packType = packType;
      this.offsets = new int[outs.length];
      long n = 0;
      for (int k = 0; k < outs.length; k++) {
        offsets[k] = (int) n;
        if (diff[k]) {
          n += outs[k].numel();
        }
      }
      if (n > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            name + ": the differentiable outputs hold " + n + " elements together, over 2^31-1");
      }
      this.total = (int) n;
    }

    @Override
    public PrimitiveKind kind() {
      return PrimitiveKind.CUSTOM;
    }

    @Override
    public String gradFnName() {
      return name + "Backward";
    }

    @Override
    public Tensor forward(Tensor... in) {
      return pack(outs, packType);
    }

    /** The differentiable entries of ts, flattened, cast and concatenated (nulls as zeros). */
    private Tensor pack(Tensor[] ts, DType dtype) {
      Tensor out = Tensor.zeros(dtype, total);
      for (int k = 0; k < ts.length; k++) {
        if (diff[k] && ts[k] != null && outs[k].numel() > 0) {
          out.slice(0, offsets[k], offsets[k] + outs[k].numel(), 1)
              .copyFrom(ts[k].reshape(outs[k].numel()));
        }
      }
      return out;
    }

    @Override
    public Tensor[] vjp(Tensor g, Tensor out, Tensor[] in, boolean[] needs) {
      Tensor[] gradOutputs = new Tensor[outs.length];
      for (int k = 0; k < outs.length; k++) {
        gradOutputs[k] =
            diff[k]
                ? g.slice(0, offsets[k], offsets[k] + outs[k].numel(), 1)
                    .reshape(outs[k].shape)
                    .to(outs[k].dtype())
                : Tensor.zeros(outs[k].dtype().isFloating() ? outs[k].dtype() : packType)
                    .expand(outs[k].shape);
      }
      return CustomFunction.checkGradients(
          name, vjp.apply(gradOutputs, unpack(out), in), in, needs, null);
    }

    @Override
    public Tensor jvp(Tensor[] tangents, Tensor out, Tensor[] in) {
      if (jvp == null) {
        throw new UnsupportedOperationException(
            name
                + " has no JVP rule, which forward mode (jvp, jacfwd, hvp) needs; pass one to"
                + " MultiCustomFunction.of(name, forward, vjp, jvp)");
      }
      Tensor[] t = jvp.apply(tangents, unpack(out), in);
      if (t == null || t.length != outs.length) {
        throw new IllegalStateException(
            name
                + ": its JVP returned "
                + (t == null ? "null" : t.length + " tangents")
                + " for "
                + outs.length
                + " outputs; return one per output (null for zero)");
      }
      for (int k = 0; k < t.length; k++) {
        if (diff[k] && t[k] != null && !Shapes.same(t[k].shape(), outs[k].shape)) {
          throw new IllegalStateException(
              name
                  + ": its JVP returned a tangent of shape "
                  + Arrays.toString(t[k].shape())
                  + " for output "
                  + k
                  + " of shape "
                  + Arrays.toString(outs[k].shape));
        }
      }
      return packRecorded(t);
    }

    /**
     * The outputs as the caller and the rules see them: views of the node's packed output (so that,
     * when the backward itself is recorded, a rule that reads an output is differentiated through
     * it, as through the node's inputs), and the non-differentiable outputs as they are.
     */
    private Tensor[] unpack(Tensor packed) {
      Tensor[] r = outs.clone();
      for (int k = 0; k < outs.length; k++) {
        if (diff[k]) {
          r[k] =
              packed
                  .slice(0, offsets[k], offsets[k] + outs[k].numel(), 1)
                  .reshape(outs[k].shape)
                  .to(outs[k].dtype());
        }
      }
      return r;
    }

    /** pack, through recorded operations (tangents may themselves be differentiated). */
    private Tensor packRecorded(Tensor[] ts) {
      Tensor[] parts = new Tensor[outs.length];
      int n = 0;
      for (int k = 0; k < outs.length; k++) {
        if (diff[k]) {
          int size = outs[k].numel();
          parts[n++] =
              ts[k] == null ? Tensor.zeros(packType, size) : ts[k].reshape(size).to(packType);
        }
      }
      return n == 1 ? parts[0] : Tensor.cat(0, Arrays.copyOf(parts, n));
    }
  }
}
