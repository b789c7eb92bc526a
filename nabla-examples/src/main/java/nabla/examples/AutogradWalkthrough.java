package nabla.examples;

import java.io.PrintStream;
import nabla.Autograd;
import nabla.Generator;
import nabla.GradientTape;
import nabla.Tensor;

/**
 * The D2L §2.5 automatic differentiation walkthrough, step by step, printing each value as the book
 * does. Run it with {@code ./nabla demo}.
 */
public final class AutogradWalkthrough {
  private AutogradWalkthrough() {}

  /** Prints the walkthrough to {@code out}. */
  public static void run(PrintStream out) {
    out.println("== 2.5.1 A simple function: y = 2 x^T x");
    Tensor x = Tensor.arange(4.0);
    out.println("x = Tensor.arange(4.0)                  -> " + x);
    x.requiresGrad(true);
    out.println("x.requiresGrad(true); x.grad()          -> " + x.grad());
    Tensor y = x.dot(x).mul(2);
    out.println("y = x.dot(x).mul(2)                     -> " + y);
    y.backward();
    out.println("y.backward(); x.grad()                  -> " + x.grad());
    out.println("x.grad() equals 4x                      -> " + x.grad().eq(x.mul(4)));

    out.println();
    out.println("== Gradients accumulate; reset them with zeroGrad()");
    x.zeroGrad();
    y = x.sum();
    y.backward();
    out.println("x.zeroGrad(); x.sum().backward(); grad  -> " + x.grad());

    out.println();
    out.println("== 2.5.2 Backward for non-scalar variables");
    x.zeroGrad();
    y = x.mul(x);
    y.backward(Tensor.ones(4));
    out.println("y = x * x; y.backward(ones(4)); grad    -> " + x.grad());

    out.println();
    out.println("== 2.5.3 Detaching computation");
    x.zeroGrad();
    y = x.mul(x);
    Tensor u = y.detach();
    Tensor z = u.mul(x);
    z.sum().backward();
    out.println("u = (x * x).detach(); z = u * x");
    out.println("z.sum().backward(); x.grad() == u       -> " + x.grad().eq(u));
    x.zeroGrad();
    y.sum().backward();
    out.println("y.sum().backward(); x.grad() == 2x      -> " + x.grad().eq(x.mul(2)));

    out.println();
    out.println("== 2.5.4 Gradients through Java control flow");
    Generator.manualSeed(2024);
    Tensor a = Tensor.randn().requiresGrad(true);
    Tensor d = f(a);
    d.backward();
    out.println("a = Tensor.randn() (0-d)                -> " + a);
    out.println("d = f(a)                                -> " + d);
    out.println("a.grad() == d / a                       -> " + a.grad().eq(d.div(a)));
    out.println("  (a.grad() = " + a.grad().item() + ", d / a = " + d.div(a).item() + ")");

    out.println();
    out.println("== The same gradient of y = 2 x^T x in the four idioms of D2L 2.5");
    Tensor x1 = Tensor.arange(4.0).requiresGrad(true);
    x1.dot(x1).mul(2).backward();
    out.println("PyTorch style: y.backward(); x.grad()   -> " + x1.grad());
    Tensor g2 = Autograd.grad(t -> t.dot(t).mul(2)).apply(Tensor.arange(4.0));
    out.println("JAX style: Autograd.grad(f).apply(x)    -> " + g2);
    Tensor x3 = Tensor.arange(4.0);
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(x3);
      Tensor y3 = x3.dot(x3).mul(2);
      out.println("TensorFlow style: tape.gradient(y, x)   -> " + tape.gradient(y3, x3));
    }
    Tensor x4 = Tensor.arange(4.0).requiresGrad(true).overwriteGrad(true);
    Tensor y4;
    try (var r = Autograd.record()) {
      y4 = x4.dot(x4).mul(2);
    }
    y4.backward();
    out.println("MXNet style: record(); y.backward()     -> " + x4.grad());
  }

  /**
   * D2L's f: doubles b until its norm reaches 1000, then picks a branch on its sign. f is piecewise
   * linear in a, so its derivative is f(a) / a.
   */
  public static Tensor f(Tensor a) {
    Tensor b = a.mul(2);
    while (b.norm().item() < 1000) {
      b = b.mul(2);
    }
    Tensor c;
    if (b.sum().item() > 0) {
      c = b;
    } else {
      c = b.mul(100);
    }
    return c;
  }
}
