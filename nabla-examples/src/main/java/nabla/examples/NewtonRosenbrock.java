package nabla.examples;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Function;
import nabla.Autograd;
import nabla.DType;
import nabla.Tensor;
import nabla.linalg.Linalg;

/**
 * Newton's method on the Rosenbrock function {@code f(x, y) = (1 − x)² + 100 (y − x²)²}: each step
 * solves {@code H(p) Δ = ∇f(p)} with the exact Hessian from {@link Autograd#hessian} and {@link
 * Linalg#solve}, and moves to {@code p − Δ}. From the classic start (−1.2, 1) it reaches the
 * minimum (1, 1) in a handful of steps, where gradient descent needs thousands.
 *
 * <pre>{@code
 * Tensor start = Tensor.ofDoubles(new double[] {-1.2, 1.0}, 2);
 * Tensor p = NewtonRosenbrock.minimise(start, 20, 1e-12, System.out);
 * // p = [1, 1]
 * }</pre>
 */
public final class NewtonRosenbrock {
  private NewtonRosenbrock() {}

  /** The Rosenbrock function of a 2-vector p = (x, y). */
  public static Tensor rosenbrock(Tensor p) {
    Tensor x = p.get(0);
    Tensor y = p.get(1);
    return x.neg().add(1).square().add(y.sub(x.square()).square().mul(100));
  }

  /**
   * Runs at most {@code maxSteps} Newton steps from {@code start}, stopping when the gradient norm
   * falls below {@code tolerance}; prints each step to {@code out} (null prints nothing) and
   * returns the last point.
   */
  public static Tensor minimise(Tensor start, int maxSteps, double tolerance, PrintStream out) {
    Function<Tensor, Tensor> f = NewtonRosenbrock::rosenbrock;
    Tensor p = start.to(DType.FLOAT64);
    for (int step = 0; step < maxSteps; step++) {
      Tensor g = Autograd.grad(f).apply(p);
      double gradNorm = g.norm().item();
      if (out != null) {
        out.printf(
            Locale.ROOT,
            "step %2d  p = (%.12f, %.12f)  f = %.3e  |grad| = %.3e%n",
            step,
            p.get(0).item(),
            p.get(1).item(),
            f.apply(p).item(),
            gradNorm);
      }
      if (gradNorm < tolerance) {
        break;
      }
      Tensor h = Autograd.hessian(f, p);
      p = p.sub(Linalg.solve(h, g)).detach();
    }
    return p;
  }

  /** Prints the iterations from (−1.2, 1). */
  public static void main(String[] args) {
    minimise(Tensor.ofDoubles(new double[] {-1.2, 1.0}, 2), 50, 1e-12, System.out);
  }
}
