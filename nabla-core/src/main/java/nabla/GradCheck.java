package nabla;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Checks a function's derivatives against central finite differences: reverse mode (first and
 * second order) and forward mode, for every input that requires grad. Finite differences need
 * float64: float32 inputs are converted to float64 for the check (the report says so), as PyTorch's
 * gradcheck asks for double inputs. Forward mode is checked only when every rule on the way has a
 * JVP; otherwise the report notes that it was skipped and why.
 *
 * <pre>{@code
 * Tensor x = Tensor.ofDoubles(new double[] {0.5, 1.5}, 2).requiresGrad(true);
 * GradCheck.assertGradients(a -> a[0].sin().mul(a[0]), x);   // throws AssertionError on mismatch
 * }</pre>
 */
public final class GradCheck {
  private GradCheck() {}

  /**
   * Settings: finite-difference step, tolerance {@code |numeric - analytic| <= tolerance * (1 +
   * |numeric|)}, and which checks to run.
   */
  public record Options(
      double step, double tolerance, boolean secondOrder, boolean forwardMode, long seed) {
    /** Step 1e-6, tolerance 1e-5, all checks, seed 0. */
    public static Options defaults() {
      return new Options(1e-6, 1e-5, true, true, 0);
    }

    public Options withStep(double step) {
      return new Options(step, tolerance, secondOrder, forwardMode, seed);
    }

    public Options withTolerance(double tolerance) {
      return new Options(step, tolerance, secondOrder, forwardMode, seed);
    }

    public Options withSecondOrder(boolean on) {
      return new Options(step, tolerance, on, forwardMode, seed);
    }

    public Options withForwardMode(boolean on) {
      return new Options(step, tolerance, secondOrder, on, seed);
    }
  }

  /** One disagreeing element. */
  public record Mismatch(String check, int input, int element, double analytic, double numeric) {
    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%s: input %d, element %d: autograd %.10g, finite differences %.10g (difference %.3g)",
          check,
          input,
          element,
          analytic,
          numeric,
          Math.abs(analytic - numeric));
    }
  }

  /**
   * The outcome of a check: every mismatch, every error raised by a derivative rule, and notes on
   * what was adapted or skipped (float32 inputs checked in float64, forward mode without a JVP).
   */
  public record Report(
      List<Mismatch> mismatches, List<String> errors, int comparisons, List<String> notes) {
    /** A report without notes. */
    public Report(List<Mismatch> mismatches, List<String> errors, int comparisons) {
      this(mismatches, errors, comparisons, List.of());
    }

    public boolean passed() {
      return mismatches.isEmpty() && errors.isEmpty();
    }

    @Override
    public String toString() {
      StringBuilder b = new StringBuilder();
      b.append(passed() ? "gradient check passed" : "gradient check FAILED")
          .append(" (")
          .append(comparisons)
          .append(" comparisons");
      if (!passed()) {
        b.append(", ")
            .append(mismatches.size())
            .append(" mismatches, ")
            .append(errors.size())
            .append(" errors");
      }
      b.append(')');
      for (String n : notes) {
        b.append("\n  note: ").append(n);
      }
      for (String e : errors) {
        b.append("\n  error: ").append(e);
      }
      int shown = 0;
      for (Mismatch m : mismatches) {
        if (shown++ == 20) {
          b.append("\n  ... ").append(mismatches.size() - 20).append(" more");
          break;
        }
        b.append("\n  ").append(m);
      }
      return b.toString();
    }
  }

  /** Runs every check with default options and throws an AssertionError with the report. */
  public static void assertGradients(Autograd.MultiFunction f, Tensor... inputs) {
    assertGradients(f, Options.defaults(), inputs);
  }

  /** Runs the checks and throws an AssertionError with the report if any fails. */
  public static void assertGradients(Autograd.MultiFunction f, Options options, Tensor... inputs) {
    Report r = check(f, options, inputs);
    if (!r.passed()) {
      throw new AssertionError(r.toString());
    }
  }

  /** Runs the checks with default options. */
  public static Report check(Autograd.MultiFunction f, Tensor... inputs) {
    return check(f, Options.defaults(), inputs);
  }

  /**
   * Compares derivatives with finite differences for every input that requires grad: the VJP along
   * a random cotangent, the second-order VJP (gradient of ⟨v, ∇⟨c, f⟩⟩), and the JVP along a random
   * tangent.
   */
  public static Report check(Autograd.MultiFunction f, Options options, Tensor... inputs) {
    List<Integer> diff = new ArrayList<>();
    for (int i = 0; i < inputs.length; i++) {
      if (inputs[i].requiresGrad()) {
        diff.add(i);
      }
    }
    if (diff.isEmpty()) {
      throw new IllegalArgumentException(
          "GradCheck: no input requires grad; call requiresGrad(true) on the inputs to check");
    }
    SplittableRandom random = new SplittableRandom(options.seed());
    List<String> notes = new ArrayList<>();
    List<Integer> widened = new ArrayList<>();
    Tensor[] x = new Tensor[inputs.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = inputs[i].detach();
      if (diff.contains(i) && x[i].dtype() == DType.FLOAT32) {
        // A step of 1e-6 is below float32's resolution near 1 (6e-8 relative): differences of
        // float32 values would be mostly rounding noise.
        x[i] = x[i].to(DType.FLOAT64);
        widened.add(i);
      }
    }
    if (!widened.isEmpty()) {
      notes.add(
          "input(s) "
              + widened
              + " are float32 and were checked in float64: finite differences need double"
              + " precision (pass x.to(DType.FLOAT64) to silence this note)");
    }
    List<Mismatch> mismatches = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    int[] count = {0};
    Tensor out;
    try (var g = Autograd.noGrad()) {
      out = f.apply(x);
    }
    Tensor c = randomLike(out, random);
    try {
      firstOrder(f, x, diff, c, options, mismatches, count);
    } catch (RuntimeException e) {
      errors.add("first order: " + e);
    }
    if (options.secondOrder()) {
      try {
        secondOrder(f, x, diff, c, options, random, mismatches, count);
      } catch (RuntimeException e) {
        errors.add("second order: " + e);
      }
    }
    if (options.forwardMode()) {
      try {
        forward(f, x, diff, options, random, mismatches, count);
      } catch (UnsupportedOperationException e) {
        notes.add(
            "forward mode not checked: "
                + e.getMessage()
                + " (Options.withForwardMode(false) skips it without this note)");
      } catch (RuntimeException e) {
        errors.add("forward mode: " + e);
      }
    }
    return new Report(List.copyOf(mismatches), List.copyOf(errors), count[0], List.copyOf(notes));
  }

  private static Tensor randomLike(Tensor t, SplittableRandom r) {
    double[] d = new double[t.numel()];
    for (int i = 0; i < d.length; i++) {
      d[i] = 2 * r.nextDouble() - 1;
    }
    return Tensor.ofDoubles(d, t.shape()).to(t.dtype().isFloating() ? t.dtype() : DType.FLOAT64);
  }

  /** Fresh copies of the inputs, element j of input i shifted by delta, marked as requested. */
  private static Tensor[] shifted(
      Tensor[] x, List<Integer> diff, int i, int j, double delta, boolean markDiff) {
    Tensor[] in = new Tensor[x.length];
    for (int k = 0; k < x.length; k++) {
      if (k == i) {
        double[] d = x[k].toDoubleArray();
        d[j] += delta;
        in[k] = Tensor.ofDoubles(d, x[k].shape()).to(x[k].dtype());
      } else {
        in[k] = x[k].detach();
      }
      if (markDiff && diff.contains(k)) {
        in[k].requiresGrad(true);
      }
    }
    return in;
  }

  private static double inner(Tensor a, Tensor b) {
    return a.to(DType.FLOAT64).mul(b.to(DType.FLOAT64)).sum().item();
  }

  private static Tensor[] marked(Tensor[] x, List<Integer> diff) {
    Tensor[] in = new Tensor[x.length];
    for (int k = 0; k < x.length; k++) {
      in[k] = x[k].detach();
      if (diff.contains(k)) {
        in[k].requiresGrad(true);
      }
    }
    return in;
  }

  private static Tensor[] pick(Tensor[] x, List<Integer> diff) {
    Tensor[] r = new Tensor[diff.size()];
    for (int a = 0; a < r.length; a++) {
      r[a] = x[diff.get(a)];
    }
    return r;
  }

  private static void compare(
      String check,
      int input,
      int element,
      double analytic,
      double numeric,
      Options o,
      List<Mismatch> out,
      int[] count) {
    count[0]++;
    double err = Math.abs(analytic - numeric);
    if (!(err <= o.tolerance() * (1 + Math.abs(numeric)))) {
      out.add(new Mismatch(check, input, element, analytic, numeric));
    }
  }

  private static void firstOrder(
      Autograd.MultiFunction f,
      Tensor[] x,
      List<Integer> diff,
      Tensor c,
      Options o,
      List<Mismatch> out,
      int[] count) {
    Tensor[] in = marked(x, diff);
    Tensor y = f.apply(in);
    if (!y.requiresGrad()) {
      throw new IllegalStateException(
          "GradCheck: the function's output does not depend on any input that requires grad, so"
              + " there is no derivative to check; compute the output from the inputs passed in");
    }
    Tensor[] grads = Autograd.grad(y, c.to(y.dtype()), false, false, pick(in, diff));
    double h = o.step();
    for (int a = 0; a < diff.size(); a++) {
      int i = diff.get(a);
      double[] analytic = grads[a].toDoubleArray();
      for (int j = 0; j < analytic.length; j++) {
        double plus;
        double minus;
        try (var g = Autograd.noGrad()) {
          plus = inner(f.apply(shifted(x, diff, i, j, h, false)), c);
          minus = inner(f.apply(shifted(x, diff, i, j, -h, false)), c);
        }
        compare("VJP", i, j, analytic[j], (plus - minus) / (2 * h), o, out, count);
      }
    }
  }

  /** s(x) = Σ ⟨v_a, ∂⟨c, f(x)⟩/∂x_a⟩, with a graph when asked. */
  private static Tensor directional(
      Autograd.MultiFunction f,
      Tensor[] in,
      List<Integer> diff,
      Tensor c,
      Tensor[] v,
      boolean createGraph) {
    Tensor y = f.apply(in);
    Tensor[] g = Autograd.grad(y, c.to(y.dtype()), createGraph, createGraph, pick(in, diff));
    Tensor s = null;
    for (int a = 0; a < g.length; a++) {
      Tensor term = g[a].to(DType.FLOAT64).mul(v[a]).sum();
      s = s == null ? term : s.add(term);
    }
    return s;
  }

  private static void secondOrder(
      Autograd.MultiFunction f,
      Tensor[] x,
      List<Integer> diff,
      Tensor c,
      Options o,
      SplittableRandom r,
      List<Mismatch> out,
      int[] count) {
    Tensor[] v = new Tensor[diff.size()];
    for (int a = 0; a < v.length; a++) {
      v[a] = randomLike(x[diff.get(a)], r).to(DType.FLOAT64);
    }
    Tensor[] in = marked(x, diff);
    Tensor s = directional(f, in, diff, c, v, true);
    Tensor[] analytic;
    if (s.requiresGrad()) {
      analytic = Autograd.grad(s, null, false, false, pick(in, diff));
    } else {
      analytic = new Tensor[diff.size()];
      for (int a = 0; a < analytic.length; a++) {
        analytic[a] = x[diff.get(a)].zerosLike();
      }
    }
    double h = o.step();
    for (int a = 0; a < diff.size(); a++) {
      int i = diff.get(a);
      double[] an = analytic[a].toDoubleArray();
      for (int j = 0; j < an.length; j++) {
        double plus = directional(f, shifted(x, diff, i, j, h, true), diff, c, v, false).item();
        double minus = directional(f, shifted(x, diff, i, j, -h, true), diff, c, v, false).item();
        compare("second-order VJP", i, j, an[j], (plus - minus) / (2 * h), o, out, count);
      }
    }
  }

  private static void forward(
      Autograd.MultiFunction f,
      Tensor[] x,
      List<Integer> diff,
      Options o,
      SplittableRandom r,
      List<Mismatch> out,
      int[] count) {
    double h = o.step();
    for (int i : diff) {
      Tensor v = randomLike(x[i], r);
      final int at = i;
      java.util.function.Function<Tensor, Tensor> along =
          xi -> {
            Tensor[] in = new Tensor[x.length];
            for (int k = 0; k < x.length; k++) {
              in[k] = k == at ? xi : x[k].detach();
            }
            return f.apply(in);
          };
      double[] jv = Autograd.jvp(along, x[i].detach(), v).toDoubleArray();
      double[] plus;
      double[] minus;
      try (var g = Autograd.noGrad()) {
        plus = along.apply(x[i].add(v.mul(h))).toDoubleArray();
        minus = along.apply(x[i].sub(v.mul(h))).toDoubleArray();
      }
      for (int j = 0; j < jv.length; j++) {
        compare("JVP (output element)", i, j, jv[j], (plus[j] - minus[j]) / (2 * h), o, out, count);
      }
    }
  }
}
