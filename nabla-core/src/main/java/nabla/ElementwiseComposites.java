package nabla;

/**
 * The elementwise functions of {@link Tensor} that are composed from primitives (so they
 * differentiate to any order, and forward mode and batching come with them): PyTorch's activations
 * and a few helpers. Each is written so that no branch, taken or not, overflows: {@code where}
 * passes an exact zero to the branch it does not take, but a zero times an infinite partial further
 * down that branch would still be NaN, so the untaken branch only ever sees safe inputs.
 */
final class ElementwiseComposites {
  private ElementwiseComposites() {}

  /** log(1 + e^(βx))/β, and x where βx &gt; threshold; exp sees nothing above the threshold. */
  static Tensor softplus(Tensor x, double beta, double threshold) {
    Tensor bx = beta == 1 ? x : x.mul(beta);
    Tensor linear = bx.gt(threshold);
    Tensor soft = Tensor.where(linear, bx.zerosLike(), bx).exp().log1p();
    return Tensor.where(linear, x, beta == 1 ? soft : soft.div(beta));
  }

  /**
   * min(x, 0) - log(1 + e^-|x|): at 0 the minimum gives the gradient ½ (its tie rule) and |x| gives
   * 0, which is exactly sigmoid(-0).
   */
  static Tensor logSigmoid(Tensor x) {
    return x.minimum(x.zerosLike()).sub(x.abs().neg().exp().log1p());
  }

  /** x·Φ(x) = x·erfc(-x/√2)/2, or the tanh form x·sigmoid(2·√(2/π)·(x + 0.044715·x³)). */
  static Tensor gelu(Tensor x, String approximate) {
    return switch (Checks.nonNull("gelu", "approximate", approximate)) {
      case "none" -> x.mul(x.mul(-Math.sqrt(0.5)).erfc()).mul(0.5);
      case "tanh" ->
          x.mul(x.mul(x).mul(0.044715).add(1).mul(x).mul(2 * Math.sqrt(2 / Math.PI)).sigmoid());
      default ->
          throw new IllegalArgumentException(
              "gelu: approximate must be \"none\" or \"tanh\" (as PyTorch), got \""
                  + approximate
                  + "\"");
    };
  }

  /** x where x &gt; 0, slope·x elsewhere (so the gradient at 0 is the slope, as PyTorch). */
  static Tensor leakyRelu(Tensor x, double slope) {
    return Tensor.where(x.gt(0), x, x.mul(slope));
  }

  /** x where x &gt; 0, alpha·expm1(x) elsewhere; expm1 only sees x ≤ 0. */
  static Tensor elu(Tensor x, double alpha) {
    Tensor positive = x.gt(0);
    Tensor negative = Tensor.where(positive, x.zerosLike(), x).expm1().mul(alpha);
    return Tensor.where(positive, x, negative);
  }

  /** min where x ≤ min, max where x ≥ max (gradient 0 there, unlike clamp), x inside. */
  static Tensor hardtanh(Tensor x, double min, double max) {
    if (!(min <= max)) {
      throw new IllegalArgumentException(
          "hardtanh: min " + min + " is greater than max " + max + "; pass min <= max");
    }
    Tensor lo = TypePromotion.scalarLike(x, min);
    Tensor hi = TypePromotion.scalarLike(x, max);
    return Tensor.where(x.le(lo), lo, Tensor.where(x.ge(hi), hi, x));
  }

  /**
   * One {@code where} over the finite elements; the replacement values are built from the detached
   * input, so the graph holds one node and the gradient is 0 where an element was replaced.
   */
  static Tensor nanToNum(Tensor x, double nan, double posinf, double neginf) {
    if (!x.dtype().isFloating()) {
      return x.copy();
    }
    Tensor d = x.detach();
    Tensor replacement =
        Tensor.where(
            d.ne(d),
            TypePromotion.scalarLike(d, nan),
            Tensor.where(
                d.gt(0), TypePromotion.scalarLike(d, posinf), TypePromotion.scalarLike(d, neginf)));
    return Tensor.where(x.isfinite(), x, replacement);
  }

  /**
   * PyTorch's two forms: start + w·(end - start) for |w| &lt; ½, end - (end - start)·(1 - w)
   * otherwise (equal functions, so the switch costs no smoothness; the second is exact at w = 1).
   */
  static Tensor lerp(Tensor start, Tensor end, Tensor weight) {
    Checks.nonNull("lerp", "end", end);
    Checks.nonNull("lerp", "weight", weight);
    DType t = TypePromotion.resultType(start, end, true);
    t = DType.promote(t, weight.dtype().isFloating() ? weight.dtype() : t);
    Tensor s = start.to(t);
    Tensor e = end.to(t);
    Tensor w = weight.to(t);
    Tensor diff = e.sub(s);
    Tensor small = w.detach().abs().lt(0.5);
    return Tensor.where(small, s.add(w.mul(diff)), e.sub(diff.mul(w.neg().add(1))));
  }

  /** {@link #lerp(Tensor, Tensor, Tensor)} with a constant weight: the form is chosen here. */
  static Tensor lerp(Tensor start, Tensor end, double weight) {
    Checks.nonNull("lerp", "end", end);
    DType t = TypePromotion.resultType(start, end, true);
    Tensor s = start.to(t);
    Tensor e = end.to(t);
    Tensor diff = e.sub(s);
    return Math.abs(weight) < 0.5 ? s.add(diff.mul(weight)) : e.sub(diff.mul(1 - weight));
  }
}
