package nabla.nn;

import nabla.Generator;
import nabla.Tensor;

/**
 * Dropout (PyTorch's {@code nn.Dropout}): in training mode each element is zeroed with probability
 * {@code p} and the survivors are scaled by 1 / (1 - p), so the expected value is unchanged; in
 * evaluation mode it is the identity. The masks come from the thread's default {@link Generator},
 * or from the generator given, so runs are reproducible.
 *
 * <pre>{@code
 * Dropout drop = new Dropout(0.5, new Generator(42));
 * drop.forward(Tensor.ones(4));          // e.g. [2, 0, 2, 0] (training mode)
 * drop.eval().forward(Tensor.ones(4));   // [1, 1, 1, 1]
 * }</pre>
 */
public class Dropout extends Module {
  private final double p;
  private final Generator generator;

  /** Dropout with probability {@code p} in [0, 1], masks from the thread's default generator. */
  public Dropout(double p) {
    this(p, null);
  }

  /** Dropout with probability {@code p} in [0, 1], masks from {@code generator}. */
  public Dropout(double p, Generator generator) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("Dropout: p must be in [0, 1], got " + p);
    }
    this.p = p;
    this.generator = generator;
  }

  /** The drop probability. */
  public double p() {
    return p;
  }

  @Override
  public Tensor forward(Tensor x) {
    if (x == null) {
      throw new IllegalArgumentException("Dropout: the input is null");
    }
    if (!isTraining() || p == 0) {
      return x;
    }
    if (p == 1) {
      return x.mul(0.0);
    }
    Generator g = generator != null ? generator : Generator.current();
    Tensor keep =
        g.rand(x.shape()).ge(p).to(x.dtype().isFloating() ? x.dtype() : nabla.DType.FLOAT32);
    return x.mul(keep).mul(1 / (1 - p));
  }

  @Override
  protected String extraRepr() {
    return "p=" + p + ", inplace=False";
  }
}
