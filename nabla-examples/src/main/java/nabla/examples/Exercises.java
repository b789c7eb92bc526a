package nabla.examples;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import nabla.Autograd;
import nabla.DType;
import nabla.Generator;
import nabla.GraphExport;
import nabla.Node;
import nabla.Tensor;

/**
 * The exercises of D2L §2.5 (automatic differentiation), solved with Nabla. Each exercise is a
 * static method that prints its working to a stream and returns its numbers, so tests can check
 * them; {@link #runAll} runs them in order ({@code ./nabla exercises --out DIR}).
 *
 * <pre>{@code
 * Exercises.runAll(System.out, Path.of("out"));   // prints, writes out/exercise4-sin.png, ...
 * }</pre>
 */
public final class Exercises {
  private Exercises() {}

  /** The points where exercises 1 and 5–7 evaluate their derivatives. */
  static final double[] POINTS = {-1.5, 0.5, 1.0, 2.0, 3.0};

  /** Runs every exercise, printing to {@code out} and writing pictures into {@code outputDir}. */
  public static void runAll(PrintStream out, Path outputDir) {
    secondDerivatives(out);
    out.println();
    backwardTwice(out);
    out.println();
    vectorControlFlow(out, 2024);
    out.println();
    sinAndItsDerivative(out, outputDir);
    out.println();
    chainRule(out, outputDir);
    out.println();
    forwardOrBackward(out);
  }

  // ------------------------------------------------------------------------- exercise 1

  /**
   * Second derivatives at {@link #POINTS}, by the two routes, with the sizes of the graphs
   * involved.
   */
  public record SecondDerivatives(
      double[] x,
      double[] cubeByGradOfGrad,
      double[] cubeByCreateGraph,
      double[] sinByGradOfGrad,
      double[] sinByCreateGraph,
      int firstOrderGraphNodes,
      int secondOrderGraphNodes) {}

  /**
   * Exercise 1: why is the second derivative more expensive than the first? Computes f'' for f(x) =
   * x³ (f'' = 6x) and f(x) = sin x (f'' = −sin x) in float64, once as {@code
   * Autograd.grad(Autograd.grad(f))} and once by a backward with {@code createGraph} (which records
   * the backward pass as a graph) followed by a backward through that graph.
   */
  public static SecondDerivatives secondDerivatives(PrintStream out) {
    out.println("== Exercise 1: second derivatives, and why they cost more");
    Function<Tensor, Tensor> cube = x -> x.pow(3);
    Function<Tensor, Tensor> sin = Tensor::sin;
    double[] cubeGG = gradOfGrad(cube);
    double[] sinGG = gradOfGrad(sin);
    int[] nodes = new int[2];
    double[] cubeCG = byCreateGraph(cube, nodes);
    double[] sinCG = byCreateGraph(sin, new int[2]);
    row(out, "x", fmt(POINTS));
    row(out, "(x^3)'' by Autograd.grad(Autograd.grad(f))", fmt(cubeGG) + "  (6x)");
    row(out, "(x^3)'' by backward(createGraph), backward", fmt(cubeCG));
    row(out, "(sin x)'' by Autograd.grad(Autograd.grad(f))", fmt(sinGG) + "  (-sin x)");
    row(out, "(sin x)'' by backward(createGraph), backward", fmt(sinCG));
    out.println(
        "Why it costs more: the first backward must itself be recorded (createGraph): for x^3");
    out.println(
        "  the graph of f' has "
            + nodes[1]
            + " nodes where f's had "
            + nodes[0]
            + ", and the second backward runs through both,");
    out.println("  keeping the intermediate values of the forward and the first backward alive.");
    return new SecondDerivatives(POINTS.clone(), cubeGG, cubeCG, sinGG, sinCG, nodes[0], nodes[1]);
  }

  private static double[] gradOfGrad(Function<Tensor, Tensor> f) {
    Function<Tensor, Tensor> second = Autograd.grad(Autograd.grad(f));
    double[] r = new double[POINTS.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = second.apply(Tensor.scalar(POINTS[i], DType.FLOAT64)).item();
    }
    return r;
  }

  /** f is elementwise, so a head gradient of ones gives f' (then f'') at every point at once. */
  private static double[] byCreateGraph(Function<Tensor, Tensor> f, int[] graphSizes) {
    Tensor x = Tensor.ofDoubles(POINTS, POINTS.length).requiresGrad(true);
    Tensor y = f.apply(x);
    graphSizes[0] = countNodes(y);
    y.backward(y.onesLike(), false, true);
    Tensor dy = x.grad(); // f'(x), itself recorded in a graph
    graphSizes[1] = countNodes(dy);
    x.setGrad(null);
    dy.backward(dy.onesLike());
    return x.grad().toDoubleArray();
  }

  /** The number of distinct gradient functions reachable from {@code t}. */
  static int countNodes(Tensor t) {
    Map<Node, Boolean> seen = new IdentityHashMap<>();
    Deque<Tensor> stack = new ArrayDeque<>();
    stack.push(t);
    while (!stack.isEmpty()) {
      Node n = stack.pop().gradFn();
      if (n != null && seen.put(n, Boolean.TRUE) == null) {
        n.inputs().forEach(stack::push);
      }
    }
    return seen.size();
  }

  // ------------------------------------------------------------------------- exercise 2

  /** The gradient after one backward, the error of a second one, and the retained result. */
  public record BackwardTwice(double[] firstGrad, String error, double[] retainedTwice) {}

  /**
   * Exercise 2: run backward twice. Without {@code retainGraph} the first backward frees the graph
   * and the second one throws; with it, both run and the gradients add up to twice the gradient
   * (they accumulate into {@code grad()}).
   */
  public static BackwardTwice backwardTwice(PrintStream out) {
    out.println("== Exercise 2: calling backward twice");
    Tensor x = Tensor.arange(4.0).requiresGrad(true);
    Tensor y = x.dot(x).mul(2);
    y.backward();
    double[] first = x.grad().toDoubleArray();
    out.println("y = 2 x.x; y.backward(); x.grad()        -> " + x.grad());
    String error = null;
    try {
      y.backward();
    } catch (IllegalStateException e) {
      error = e.getMessage();
    }
    out.println("y.backward() again throws:");
    out.println("  " + error);
    x.zeroGrad();
    Tensor z = x.dot(x).mul(2);
    z.backward(z.onesLike(), true); // retainGraph = true keeps the saved values
    z.backward();
    out.println("x.zeroGrad(); z = 2 x.x;");
    out.println("z.backward(ones, true); z.backward(); x.grad() -> " + x.grad() + "   (2 x 4x)");
    return new BackwardTwice(first, error, x.grad().toDoubleArray());
  }

  // ------------------------------------------------------------------------- exercise 3

  /** The vector control-flow example: a, d = f(a), the gradient of d.sum(), d/a and k. */
  public record VectorControlFlow(
      double[] a, double[] d, double[] grad, double[] dOverA, double k, String nonScalarError) {}

  /**
   * Exercise 3: the control-flow function {@link AutogradWalkthrough#f} with a random vector {@code
   * a}. Now d = f(a) is a vector, so {@code d.backward()} needs a head gradient. The answer stays
   * simple: whatever path the loop and the branch take, f(a) = k·a for one scalar k (a power of
   * two, times 100 on the negative-sum branch), and k is constant near a. So the Jacobian is k·I,
   * the gradient of d.sum() is k·ones, and that is d / a elementwise again.
   *
   * @param seed seed of the random vector
   */
  public static VectorControlFlow vectorControlFlow(PrintStream out, long seed) {
    out.println("== Exercise 3: control flow with a random vector a");
    Tensor a = new Generator(seed).randn(4).requiresGrad(true);
    Tensor d = AutogradWalkthrough.f(a);
    out.println("a = randn(4)                             -> " + a);
    out.println("d = f(a)                                 -> " + d);
    String error = null;
    try {
      d.backward();
    } catch (IllegalStateException e) {
      error = e.getMessage();
    }
    out.println("d.backward() on a vector throws:");
    out.println("  " + error);
    d.sum().backward();
    double[] dOverA = d.detach().div(a.detach()).toDoubleArray();
    double k = a.grad().toDoubleArray()[0];
    out.println("d.sum().backward(); a.grad()             -> " + a.grad());
    out.println("d / a                                    -> " + d.detach().div(a.detach()));
    out.println(
        "f(a) = k a with k = "
            + fmtNumber(k)
            + " chosen by the control flow, so the Jacobian is"
            + " k I and a.grad() = k ones = d / a");
    return new VectorControlFlow(
        a.detach().toDoubleArray(),
        d.detach().toDoubleArray(),
        a.grad().toDoubleArray(),
        dOverA,
        k,
        error);
  }

  // ------------------------------------------------------------------------- exercise 4

  /** sin x and its derivative by autograd on a grid, and the chart of both. */
  public record SinDerivative(double[] x, double[] sin, double[] derivative, Path png) {}

  /**
   * Exercise 4: plots f(x) = sin x and f'(x) on 200 points of [−2π, 2π], the derivative computed by
   * autograd (backward with a head gradient of ones; cos is never called), into {@code
   * outputDir/exercise4-sin.png}.
   */
  public static SinDerivative sinAndItsDerivative(PrintStream out, Path outputDir) {
    out.println("== Exercise 4: plot sin x and its derivative by autograd");
    Tensor x = Tensor.linspace(-2 * Math.PI, 2 * Math.PI, 200).requiresGrad(true);
    Tensor y = x.sin();
    y.backward(y.onesLike()); // sin is elementwise: a head of ones gives f'(x_i) for each i
    double[] xs = x.detach().toDoubleArray();
    double[] ys = y.detach().toDoubleArray();
    double[] dy = x.grad().toDoubleArray();
    Map<String, double[]> series = new LinkedHashMap<>();
    series.put("f(x) = sin x", ys);
    series.put("df/dx by autograd", dy);
    Path png =
        LinePlot.savePng(
            outputDir.resolve("exercise4-sin.png"), "sin x and its derivative", "x", xs, series);
    double maxError = 0;
    for (int i = 0; i < xs.length; i++) {
      maxError = Math.max(maxError, Math.abs(dy[i] - Math.cos(xs[i])));
    }
    out.println("x = linspace(-2pi, 2pi, 200); y = x.sin(); y.backward(ones)");
    out.println(
        "df/dx at x = -2pi, 0 (nearest), 2pi     -> " + fmt(new double[] {dy[0], dy[99], dy[199]}));
    out.println(
        "max |df/dx - cos x| (check only)         -> "
            + String.format(Locale.ROOT, "%.1e", maxError));
    out.println("wrote " + png);
    return new SinDerivative(xs, ys, dy, png);
  }

  // ---------------------------------------------------------------------- exercises 5-7

  /** f's derivative at {@link #POINTS} by both modes and in closed form, and its graph files. */
  public record ChainRule(
      double[] x,
      double[] reverse,
      double[] forward,
      double[] closedForm,
      String dot,
      Path dotFile,
      Path svgFile) {}

  /** D2L's exercise function f(x) = log(x²)·sin x + 1/x. */
  public static Tensor exerciseFunction(Tensor x) {
    return x.pow(2).log().mul(x.sin()).add(x.reciprocal());
  }

  /**
   * The closed-form derivative of {@link #exerciseFunction}: 2 sin x / x + log(x²) cos x − 1/x².
   */
  public static double exerciseDerivative(double x) {
    return 2 * Math.sin(x) / x + Math.log(x * x) * Math.cos(x) - 1 / (x * x);
  }

  /**
   * Exercises 5–7 for f(x) = log(x²)·sin x + 1/x: its dependency graph (written as {@code
   * exercise5-graph.dot}, and drawn as {@code .svg} and {@code .png} when Graphviz is installed),
   * the chain rule placed on that graph, and the derivative evaluated from f back to x (reverse
   * mode, backward) and from x to f (forward mode, {@link Autograd#jvp}), in float64.
   */
  public static ChainRule chainRule(PrintStream out, Path outputDir) {
    out.println("== Exercise 5: the dependency graph of f(x) = log(x^2) sin x + 1/x");
    Tensor x = Tensor.ofDoubles(POINTS, POINTS.length).requiresGrad(true);
    Tensor y = exerciseFunction(x);
    Map<Tensor, String> names = Map.of(x, "x");
    String dot = GraphExport.toDot(names, y); // before backward, which frees the graph
    Path dotFile = GraphExport.render(outputDir.resolve("exercise5-graph.dot"), names, y);
    Path svgFile = null;
    if (GraphExport.isGraphvizAvailable()) {
      svgFile = GraphExport.render(outputDir.resolve("exercise5-graph.svg"), names, y);
      GraphExport.render(outputDir.resolve("exercise5-graph.png"), names, y);
      out.println("wrote " + dotFile + ", " + svgFile + " and .png");
    } else {
      out.println(
          "wrote " + dotFile + " (install Graphviz for .svg/.png: apt-get install graphviz)");
    }
    out.println("  x --> u = x^2 (PowBackward) --> v = log u (LogBackward) --+");
    out.println(
        "  x --> w = sin x (SinBackward) ----------------------------+--> p = v w (MulBackward)"
            + " --+");
    out.println(
        "  x --> q = 1/x (DivBackward)"
            + " -----------------------------------------------------------+--> f = p + q"
            + " (AddBackward)");
    out.println();
    out.println("== Exercise 6: the chain rule on that graph");
    out.println(
        "  du/dx = 2x   dv/du = 1/u   dw/dx = cos x   dp/dv = w   dp/dw = v   dq/dx = -1/x^2");
    out.println("  df/dp = df/dq = 1");
    out.println("  df/dx = (dp/dv dv/du du/dx) + (dp/dw dw/dx) + dq/dx");
    out.println("        = 2 sin x / x + log(x^2) cos x - 1/x^2");

    out.println();
    out.println("== Exercise 7: from f back to x (reverse) and from x to f (forward)");
    y.backward(y.onesLike()); // f is elementwise: the head of ones gives f'(x_i) for each i
    double[] reverse = x.grad().toDoubleArray();
    Tensor x0 = Tensor.ofDoubles(POINTS, POINTS.length);
    double[] forward = Autograd.jvp(Exercises::exerciseFunction, x0, x0.onesLike()).toDoubleArray();
    double[] closed = new double[POINTS.length];
    for (int i = 0; i < closed.length; i++) {
      closed[i] = exerciseDerivative(POINTS[i]);
    }
    row(out, "x", fmt(POINTS));
    row(out, "reverse mode: y.backward(ones); x.grad()", fmt(reverse));
    row(out, "forward mode: Autograd.jvp(f, x, ones)", fmt(forward));
    row(out, "2 sin x / x + log(x^2) cos x - 1/x^2", fmt(closed));
    return new ChainRule(POINTS.clone(), reverse, forward, closed, dot, dotFile, svgFile);
  }

  // ------------------------------------------------------------------------- exercise 8

  /** Exercise 8: when to prefer forward or reverse mode (printed only). */
  public static void forwardOrBackward(PrintStream out) {
    out.println("== Exercise 8: forward or backward?");
    out.println(
        "  Reverse mode gives the whole gradient of one output in one backward pass, but keeps");
    out.println(
        "  every intermediate value until then: the choice for a scalar loss of many parameters.");
    out.println(
        "  Forward mode carries a tangent along with the values, storing nothing, one pass per");
    out.println("  input direction: the choice for few inputs and many outputs, or tight memory.");
  }

  // -------------------------------------------------------------------------------- printing

  private static void row(PrintStream out, String label, String value) {
    out.println(String.format(Locale.ROOT, "%-45s = %s", label, value));
  }

  private static String fmt(double[] v) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%8.4f", v[i]));
    }
    return b.append(']').toString();
  }

  private static String fmtNumber(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
