package nabla;

/**
 * The in-place half of {@link Tensor}'s API: updates that write into a tensor's own elements. Like
 * {@link TensorMath}, package-private, with {@code Tensor} as its one subclass, so these are public
 * methods of {@code Tensor} to every caller.
 *
 * <p>Outside recording (inside {@link Autograd#noGrad()}, or on tensors no gradient flows through)
 * an update writes straight into the storage: an optimiser step. While recording, an update of a
 * tensor that is part of a graph — a computed tensor, a tensor receiving values that require grad,
 * or a view of either — is itself recorded, as in PyTorch: the tensor's gradient function becomes
 * the update's, and a view's base sees the write too (PyTorch's {@code CopySlices}). A leaf that
 * requires grad, and views of one, cannot be updated while recording (the update would change a
 * value autograd must read); version counters still catch a tensor saved for backward and modified
 * afterwards.
 *
 * <pre>{@code
 * Tensor x = Tensor.of(1, 2, 3).requiresGrad(true);
 * Tensor y = x.mul(2);
 * y.slice(0, 0, 2, 1).mulInPlace(10);   // recorded, through a view
 * y.sum().backward();
 * x.grad();                             // tensor([20., 20., 2.])
 * }</pre>
 */
abstract sealed class TensorInPlace extends TensorMath permits Tensor {
  TensorInPlace() {}

  /** this += other, in place. Returns this. */
  public Tensor addInPlace(Tensor other) {
    return InPlace.add(self(), other);
  }

  /** this += value, in place. Returns this. */
  public Tensor addInPlace(double value) {
    return InPlace.unary(self(), "addInPlace", t -> t.add(value));
  }

  /** this -= other, in place. Returns this. */
  public Tensor subInPlace(Tensor other) {
    return InPlace.sub(self(), other);
  }

  /**
   * this += alpha · other, in place (PyTorch's {@code add_(other, alpha=...)}): the update an
   * optimiser applies, {@code p.addInPlace(grad, -lr)}, without a temporary for {@code lr · grad}.
   * {@code other} broadcasts to this tensor's shape. For contiguous floating tensors of one shape
   * and dtype outside a recorded graph it is one fused multiply-add per element; otherwise it is
   * {@code addInPlace(other.mul(alpha))}, recorded like any in-place update.
   *
   * <pre>{@code
   * Tensor p = Tensor.of(1.0, 2.0);
   * p.addInPlace(Tensor.of(10.0, 20.0), -0.1);   // p = [0., 0.]
   * }</pre>
   *
   * @throws IllegalArgumentException if alpha is not finite, or as {@link #addInPlace(Tensor)}
   */
  public Tensor addInPlace(Tensor other, double alpha) {
    return InPlace.addScaled(self(), "addInPlace", other, alpha);
  }

  /**
   * this -= alpha · other, in place (PyTorch's {@code sub_(other, alpha=...)}); see {@link
   * #addInPlace(Tensor, double)}.
   *
   * <pre>{@code
   * Tensor p = Tensor.of(1.0, 2.0);
   * p.subInPlace(Tensor.of(10.0, 20.0), 0.1);    // p = [0., 0.]
   * }</pre>
   */
  public Tensor subInPlace(Tensor other, double alpha) {
    Checks.finite("subInPlace", "alpha", alpha);
    return InPlace.addScaled(self(), "subInPlace", other, -alpha);
  }

  /** this *= value, in place. Returns this. */
  public Tensor mulInPlace(double value) {
    return InPlace.mul(self(), value);
  }

  /** this *= other (broadcast to this shape), in place. Returns this. */
  public Tensor mulInPlace(Tensor other) {
    return InPlace.binary(self(), "mulInPlace", other, Tensor::mul);
  }

  /** this /= other (broadcast to this shape), in place. Returns this. */
  public Tensor divInPlace(Tensor other) {
    return InPlace.binary(self(), "divInPlace", other, Tensor::div);
  }

  /** this /= value, in place. Returns this. */
  public Tensor divInPlace(double value) {
    return InPlace.unary(self(), "divInPlace", t -> t.div(value));
  }

  /** Clamps every element into [min, max], in place. Returns this. */
  public Tensor clampInPlace(double min, double max) {
    return InPlace.unary(self(), "clampInPlace", t -> t.clamp(min, max));
  }

  /** e^x of every element, in place. Returns this. */
  public Tensor expInPlace() {
    return InPlace.unary(self(), "expInPlace", Tensor::exp);
  }

  /** Natural log of every element, in place. Returns this. */
  public Tensor logInPlace() {
    return InPlace.unary(self(), "logInPlace", Tensor::log);
  }

  /** Sine of every element, in place. Returns this. */
  public Tensor sinInPlace() {
    return InPlace.unary(self(), "sinInPlace", Tensor::sin);
  }

  /** Cosine of every element, in place. Returns this. */
  public Tensor cosInPlace() {
    return InPlace.unary(self(), "cosInPlace", Tensor::cos);
  }

  /** tanh of every element, in place. Returns this. */
  public Tensor tanhInPlace() {
    return InPlace.unary(self(), "tanhInPlace", Tensor::tanh);
  }

  /** Logistic sigmoid of every element, in place. Returns this. */
  public Tensor sigmoidInPlace() {
    return InPlace.unary(self(), "sigmoidInPlace", Tensor::sigmoid);
  }

  /** max(x, 0) of every element, in place. Returns this. */
  public Tensor reluInPlace() {
    return InPlace.unary(self(), "reluInPlace", Tensor::relu);
  }

  /** −x of every element, in place. Returns this. */
  public Tensor negInPlace() {
    return InPlace.unary(self(), "negInPlace", Tensor::neg);
  }

  /** Square root of every element, in place. Returns this. */
  public Tensor sqrtInPlace() {
    return InPlace.unary(self(), "sqrtInPlace", Tensor::sqrt);
  }

  /** |x| of every element, in place. Returns this. */
  public Tensor absInPlace() {
    return InPlace.unary(self(), "absInPlace", Tensor::abs);
  }

  /** Copies the values of {@code src} (broadcast to this shape) into this tensor. Returns this. */
  public Tensor copyFrom(Tensor src) {
    return InPlace.copyFrom(self(), src);
  }

  /** Sets every element to {@code value}, in place. Returns this. */
  public Tensor fill(double value) {
    return InPlace.fill(self(), "fill", value);
  }

  /** Sets every element to zero, in place. Returns this. */
  public Tensor zero() {
    return InPlace.fill(self(), "zero", 0);
  }

  /**
   * {@code indexPutInPlace(indices, values, false)}: {@code this[indices] = values} (PyTorch's
   * {@code x[i] = v}, {@code x[mask] = v}, {@code index_put_}). Returns this.
   *
   * <pre>{@code
   * Tensor x = Tensor.of(1, 2, 3).requiresGrad(true);
   * Tensor y = x.mul(2);
   * y.indexPutInPlace(new Tensor[] {y.gt(3)}, Tensor.of(0));   // y[y > 3] = 0: [2., 0., 0.]
   * y.sum().backward();
   * x.grad();                                                  // tensor([2., 0., 0.])
   * }</pre>
   */
  public Tensor indexPutInPlace(Tensor[] indices, Tensor values) {
    return indexPutInPlace(indices, values, false);
  }

  /**
   * Writes (or with {@code accumulate} adds) {@code values} at the elements {@link
   * Tensor#index(Tensor...)} selects, in place: {@link Tensor#indexPut(Tensor[], Tensor, boolean)}
   * written into this tensor. Recorded like the other in-place updates when this tensor is part of
   * a graph or the values require grad, also through a view ({@code y.slice(0, 1,
   * 3).indexPutInPlace(...)}). Returns this.
   *
   * <pre>{@code
   * Tensor counts = Tensor.zeros(3);
   * counts.indexPutInPlace(
   *     new Tensor[] {Tensor.ofLongs(new long[] {2, 0, 2}, 3)}, Tensor.of(1), true);
   * counts;                                    // tensor([1., 0., 2.])
   * }</pre>
   */
  public Tensor indexPutInPlace(Tensor[] indices, Tensor values, boolean accumulate) {
    Checks.nonNull("indexPutInPlace", "values", values);
    if (!InPlaceRecorded.applies(self(), values)) {
      return AdvancedIndexing.putDirect("indexPutInPlace", self(), indices, values, accumulate);
    }
    return InPlace.binary(
        self(),
        "indexPutInPlace",
        values,
        (x, v) -> AdvancedIndexing.put("indexPutInPlace", x, indices, v, accumulate));
  }

  /**
   * Sets the elements where the bool {@code mask} (broadcast to this shape) is true to {@code
   * value}, in place (PyTorch's {@code masked_fill_}). Returns this.
   *
   * <pre>{@code
   * Tensor x = Tensor.of(1, -2, 3);
   * x.maskedFillInPlace(x.lt(0), 0);   // x is now [1., 0., 3.]
   * }</pre>
   */
  public Tensor maskedFillInPlace(Tensor mask, double value) {
    return InPlace.unary(
        self(),
        "maskedFillInPlace",
        x -> AdvancedIndexing.maskedFill("maskedFillInPlace", x, mask, value));
  }

  /**
   * {@link #maskedFillInPlace(Tensor, double)} with a 0-d tensor value (which gets a gradient when
   * it requires grad). Returns this.
   */
  public Tensor maskedFillInPlace(Tensor mask, Tensor value) {
    Checks.nonNull("maskedFillInPlace", "value", value);
    return InPlace.binary(
        self(),
        "maskedFillInPlace",
        value,
        (x, v) -> AdvancedIndexing.maskedFill("maskedFillInPlace", x, mask, v));
  }

  /**
   * Takes this tensor out of the graph, in place (PyTorch's {@code detach_}): it becomes a leaf
   * that does not require grad. Returns this.
   *
   * @throws IllegalStateException for a view of a tensor in a graph (use {@link Tensor#detach()})
   */
  public Tensor detachInPlace() {
    return InPlaceRecorded.detach(self());
  }
}
