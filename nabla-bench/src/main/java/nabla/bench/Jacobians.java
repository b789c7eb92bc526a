package nabla.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import nabla.Autograd;
import nabla.DType;
import nabla.Tensor;

/**
 * Jacobians and a Hessian of a small layer-shaped function (issue #14: jacrev and jacfwd as vmap of
 * the VJP and JVP), timed as {@code tools/bench/jacobians_compare.py} times PyTorch's {@code
 * torch.autograd.functional.jacobian} / {@code hessian} with {@code vectorize=True}: {@code f(x) =
 * exp(tanh(W·x) · (W·sin x))}, W of shape [300, 200], float32, and the Hessian of {@code sum f}.
 * The inputs are written out (no random numbers) so that both sides compute the same values; the
 * sums of the results are printed as a check. Prints one JSON line: median seconds per call, timed
 * as {@link TrainStepParts} times its parts.
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp nabla-bench/target/benchmarks.jar \
 *       nabla.bench.Jacobians
 * </pre>
 */
public final class Jacobians {

  private Jacobians() {}

  static final int M = 300;
  static final int N = 200;

  /** W[i, j] = 0.1 · sin(i·N + j), x[j] = cos(j): the same on the PyTorch side. */
  static Tensor weight() {
    double[] w = new double[M * N];
    for (int i = 0; i < w.length; i++) {
      w[i] = 0.1 * Math.sin(i);
    }
    return Tensor.ofDoubles(w, M, N).to(DType.FLOAT32);
  }

  static Tensor input() {
    double[] x = new double[N];
    for (int j = 0; j < N; j++) {
      x[j] = Math.cos(j);
    }
    return Tensor.ofDoubles(x, N).to(DType.FLOAT32);
  }

  public static void main(String[] args) {
    Tensor w = weight();
    Tensor x = input();
    Function<Tensor, Tensor> f = t -> w.matmul(t).tanh().mul(w.matmul(t.sin())).exp();
    Function<Tensor, Tensor> s = t -> f.apply(t).sum();
    Map<String, Supplier<Object>> parts = new LinkedHashMap<>();
    parts.put("jacrev [300, 200]", () -> Autograd.jacrev(f, x));
    parts.put("jacfwd [300, 200]", () -> Autograd.jacfwd(f, x));
    parts.put("hessian [200, 200]", () -> Autograd.hessian(s, x));
    Map<String, Object> results = new LinkedHashMap<>();
    for (var e : parts.entrySet()) {
      results.put(e.getKey(), TrainStepParts.time(e.getValue()));
    }
    Map<String, Object> checks = new LinkedHashMap<>();
    checks.put("jacrev sum", Autograd.jacrev(f, x).sum().item());
    checks.put("jacfwd sum", Autograd.jacfwd(f, x).sum().item());
    checks.put("hessian sum", Autograd.hessian(s, x).sum().item());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("side", "nabla");
    out.put("results", results);
    out.put("checks", checks);
    out.put("threads", nabla.kernels.Parallel.threads());
    System.out.println(TrainEpochs.json(out));
  }
}
