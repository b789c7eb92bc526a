package nabla;

import java.util.List;
import java.util.function.Function;

/**
 * Named user functions that {@link ApiFuzzTest} hands to the transforms of {@link Autograd}
 * (besides chains of random Tensor methods, {@link ApiFuzzInputs.Chain}): ordinary ones, ones that
 * detach or ignore their input, and ones that return null. None grows its input by more than a
 * constant factor, so Jacobians stay small.
 */
final class ApiFuzzFunctions {
  private ApiFuzzFunctions() {}

  /** A function with a readable name, for reports. */
  record Fn(String name, Function<Tensor, Tensor> body) implements Function<Tensor, Tensor> {
    @Override
    public Tensor apply(Tensor x) {
      return body.apply(x);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** A several-argument function with a readable name. */
  record MultiFn(String name, Autograd.MultiFunction body) implements Autograd.MultiFunction {
    @Override
    public Tensor apply(Tensor... args) {
      return body.apply(args);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** A function of several tensors with several results, with a readable name. */
  record MultiOutFn(String name, Autograd.MultiOutputFunction body)
      implements Autograd.MultiOutputFunction {
    @Override
    public Tensor[] apply(Tensor... args) {
      return body.apply(args);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** A function returning a value with auxiliary data, for gradWithAux. */
  record AuxFn(String name, Function<Tensor, Tensor> inner)
      implements Function<Tensor, Autograd.WithAux<String>> {
    @Override
    public Autograd.WithAux<String> apply(Tensor x) {
      Tensor v = inner.apply(x);
      return name.endsWith("null") ? null : new Autograd.WithAux<>(v, "aux");
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** Functions of one tensor. */
  static final List<Fn> FUNCTIONS =
      List.of(
          new Fn("x -> x", x -> x),
          new Fn("x -> x.sin().sum()", x -> x.sin().sum()),
          new Fn("x -> x.mul(x)", x -> x.mul(x)),
          new Fn("x -> x.tanh().mean()", x -> x.tanh().mean()),
          new Fn("x -> x.exp().add(x.square()).sum()", x -> x.exp().add(x.square()).sum()),
          new Fn("x -> x.detach().sum()", x -> x.detach().sum()),
          new Fn("x -> x.reshape(-1).get(0)", x -> x.reshape(-1).get(0)),
          new Fn("x -> x.sum(0, false)", x -> x.sum(0, false)),
          new Fn("x -> x.to(FLOAT64).pow(3).sum()", x -> x.to(DType.FLOAT64).pow(3).sum()),
          new Fn("x -> x.transpose().relu()", x -> x.transpose().relu()),
          new Fn("x -> Tensor.scalar(1)", x -> Tensor.scalar(1)),
          new Fn("x -> null", x -> null));

  /** Functions of several tensors, for gradWrt. */
  static final List<MultiFn> MULTI_FUNCTIONS =
      List.of(
          new MultiFn(
              "a -> a[0].mul(a[a.length - 1]).sum()",
              a -> a.length == 0 ? Tensor.scalar(0) : a[0].mul(a[a.length - 1]).sum()),
          new MultiFn("a -> a[0].sum()", a -> a.length == 0 ? Tensor.scalar(0) : a[0].sum()),
          new MultiFn("a -> a[0]", a -> a.length == 0 ? Tensor.scalar(0) : a[0]),
          new MultiFn("a -> null", a -> null));

  /** Functions of several tensors with several results, for vjp, jvp and the Jacobians. */
  static final List<MultiOutFn> MULTI_OUTPUT_FUNCTIONS =
      List.of(
          new MultiOutFn(
              "a -> {a[0].sin(), a[a.length - 1].mul(2)}",
              a ->
                  a.length == 0
                      ? new Tensor[0]
                      : new Tensor[] {a[0].sin(), a[a.length - 1].mul(2)}),
          new MultiOutFn(
              "a -> {a[0].sum()}",
              a -> a.length == 0 ? new Tensor[] {Tensor.scalar(0)} : new Tensor[] {a[0].sum()}),
          new MultiOutFn("a -> a", a -> a),
          new MultiOutFn(
              "a -> {a[0].detach()}",
              a -> a.length == 0 ? new Tensor[0] : new Tensor[] {a[0].detach()}),
          new MultiOutFn("a -> {null}", a -> new Tensor[] {null}),
          new MultiOutFn("a -> null", a -> null));
}
