package nabla.bench;

import java.lang.reflect.Method;
import java.util.function.Function;
import nabla.Autograd;
import nabla.Compiled;
import nabla.Generator;
import nabla.Tensor;

/**
 * The six benchmark workloads W1–W6, shared by the JMH benchmarks ({@link NablaBenchmarks}) and the
 * comparison harness ({@link Compare}) so that both measure exactly the same code.
 *
 * <p>Each workload is a small object: the constructor builds the inputs (not timed), {@code run()}
 * is one timed operation (one GEMM, one training step, one Hessian, ...) and returns something
 * derived from its result so the JIT cannot drop the work. tools/bench/compare.py mirrors every
 * workload in PyTorch; keep the two in sync when changing one.
 */
public final class Workloads {

  private Workloads() {}

  /** Default kernel thread count for all workloads (the PyTorch side pins the same). */
  public static final int DEFAULT_THREADS = 2;

  /**
   * Sets the kernel thread count through {@code nabla.kernels.Parallel.setThreads(int)} if that
   * class exists in this build (looked up reflectively so the bench module compiles against any
   * core). Returns a short description of what happened.
   */
  public static String setThreads(int threads) {
    try {
      Class<?> c = Class.forName("nabla.kernels.Parallel");
      Method m = c.getMethod("setThreads", int.class);
      m.invoke(null, threads);
      return "nabla.kernels.Parallel.setThreads(" + threads + ")";
    } catch (ClassNotFoundException | NoSuchMethodException e) {
      return "not set (nabla.kernels.Parallel.setThreads not found: kernels use their default)";
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Parallel.setThreads(" + threads + ") failed", e);
    }
  }

  /**
   * Calls a static no-argument method of a core class reflectively (e.g. {@code
   * nabla.kernels.Simd.enabled()}); returns "n/a" if this build does not have it.
   */
  public static String probe(String className, String method) {
    try {
      return String.valueOf(Class.forName(className).getMethod(method).invoke(null));
    } catch (ReflectiveOperationException | LinkageError e) {
      return "n/a";
    }
  }

  /** True if the jdk.incubator.vector module is in the boot layer of this JVM. */
  public static boolean vectorModulePresent() {
    return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  // ------------------------------------------------------------------------------------------

  /** W1: float32 GEMM, n×n times n×n. */
  public static final class Gemm {
    public final int n;
    final Tensor a;
    final Tensor b;

    public Gemm(int n) {
      this.n = n;
      Generator.manualSeed(1);
      a = Tensor.randn(n, n);
      b = Tensor.randn(n, n);
    }

    public Tensor run() {
      return a.matmul(b);
    }

    /** Floating-point operations of one run (2n³). */
    public double flops() {
      return 2.0 * n * n * n;
    }
  }

  /**
   * The GEMM shapes of the W4 / D2L MLP training step (784-256-10, batch 256), as tensor products
   * on transposed views, the way nabla.nn.Linear computes them. {@code T1}: forward of the hidden
   * layer, x [256,784] · Wᵀ with W [256,784] (m=256, k=784, n=256). {@code T2}: its weight gradient
   * gᵀ · x with g [256,256] (m=256, k=256, n=784). {@code T3}: forward of the output layer, h
   * [256,256] · W2ᵀ with W2 [10,256] (m=256, k=256, n=10).
   *
   * <pre>{@code
   * Workloads.GemmShape t1 = new Workloads.GemmShape("T1");
   * Tensor out = t1.run(); // [256, 256]; t1.flops() = 2·256·784·256
   * }</pre>
   */
  public static final class GemmShape {
    /** The shape names, in report order. */
    public static final java.util.List<String> NAMES = java.util.List.of("T1", "T2", "T3");

    public final String name;
    public final int m;
    public final int k;
    public final int n;
    final Tensor a;
    final Tensor b;

    public GemmShape(String name) {
      this.name = name;
      Generator.manualSeed(7);
      switch (name) {
        case "T1" -> {
          a = Tensor.randn(256, 784); // x
          b = Tensor.randn(256, 784).transpose(); // Wᵀ
        }
        case "T2" -> {
          a = Tensor.randn(256, 256).transpose(); // gᵀ
          b = Tensor.randn(256, 784); // x
        }
        case "T3" -> {
          a = Tensor.randn(256, 256); // h
          b = Tensor.randn(10, 256).transpose(); // W2ᵀ
        }
        default ->
            throw new IllegalArgumentException(
                "GemmShape: unknown shape " + name + "; expected one of " + NAMES);
      }
      m = (int) a.shape()[0];
      k = (int) a.shape()[1];
      n = (int) b.shape()[1];
    }

    public Tensor run() {
      return a.matmul(b);
    }

    /** Floating-point operations of one run (2mkn). */
    public double flops() {
      return 2.0 * m * k * n;
    }
  }

  /** W2: the D2L 2.5 toy: y = 2·xᵀx, backward, zero the gradient. x = arange(4.0). */
  public static final class D2lToy {
    final Tensor x = Tensor.arange(4.0).requiresGrad(true);

    public Tensor run() {
      Tensor y = x.dot(x).mul(2);
      y.backward();
      x.zeroGrad();
      return y;
    }

    /** x.grad after one backward: 4x = [0, 4, 8, 12] (sanity check). */
    public float[] gradOnce() {
      Tensor y = x.dot(x).mul(2);
      y.backward();
      float[] g = x.grad().toFloatArray();
      x.zeroGrad();
      return g;
    }
  }

  /**
   * W3: about 100k 0-d ops: a = 0.5 (requires grad), y = 1; repeat 33,334 times y = y·a + sin(y) (3
   * ops each), then y.backward(). One run builds and differentiates the whole chain.
   */
  public static final class ScalarChain {
    public static final int REPEATS = 33_334;

    public Tensor run() {
      Tensor a = Tensor.scalar(0.5).requiresGrad(true);
      Tensor y = Tensor.scalar(1.0);
      for (int i = 0; i < REPEATS; i++) {
        y = y.mul(a).add(y.sin());
      }
      y.backward();
      return a.grad();
    }
  }

  /**
   * W4: one SGD training step of a 784-256-10 MLP (ReLU, softmax cross-entropy on int64 targets),
   * batch 256: forward, backward, p -= lr·p.grad and zero the gradients.
   */
  public static final class MlpStep {
    public static final int BATCH = 256;
    public static final double LR = 0.1;
    final Tensor x;
    final Tensor targets;
    final Tensor w1;
    final Tensor b1;
    final Tensor w2;
    final Tensor b2;
    final Tensor[] params;

    public MlpStep() {
      Generator.manualSeed(4);
      x = Tensor.randn(BATCH, 784);
      targets = Tensor.randint(0, 10, BATCH);
      w1 = Tensor.randn(784, 256).mul(0.01).requiresGrad(true);
      b1 = Tensor.zeros(256).requiresGrad(true);
      w2 = Tensor.randn(256, 10).mul(0.01).requiresGrad(true);
      b2 = Tensor.zeros(10).requiresGrad(true);
      params = new Tensor[] {w1, b1, w2, b2};
    }

    public Tensor run() {
      Tensor logits = x.matmul(w1).add(b1).relu().matmul(w2).add(b2);
      Tensor loss = logits.crossEntropy(targets);
      loss.backward();
      try (Autograd.Scope ignored = Autograd.noGrad()) {
        for (Tensor p : params) {
          p.subInPlace(p.grad().mul(LR));
          p.zeroGrad();
        }
      }
      return loss;
    }
  }

  /**
   * W4 compiled: the same MLP step as {@link MlpStep} (same data, initial weights and SGD update),
   * as one compiled function of the parameters that returns the loss and the new parameters ({@code
   * Autograd.compileMulti} of {@code valueAndGrad} and the update), so the forward pass, the
   * backward pass and the update run as one plan (issue #14).
   */
  public static final class MlpStepCompiled {
    final Tensor x;
    final Tensor targets;
    Tensor[] params;
    final Compiled<Tensor[], Tensor[]> step;

    public MlpStepCompiled() {
      MlpStep eager = new MlpStep();
      x = eager.x;
      targets = eager.targets;
      params = new Tensor[eager.params.length];
      for (int i = 0; i < params.length; i++) {
        params[i] = eager.params[i].detach();
      }
      var vg =
          Autograd.valueAndGrad(
              (Tensor[] p) ->
                  x.matmul(p[0]).add(p[1]).relu().matmul(p[2]).add(p[3]).crossEntropy(targets));
      step =
          Autograd.compileMulti(
              (Tensor[] p) -> {
                Autograd.ValueAndGrads r = vg.apply(p);
                Tensor[] out = new Tensor[p.length + 1];
                out[0] = r.value();
                for (int i = 0; i < p.length; i++) {
                  out[i + 1] = p[i].sub(r.grads()[i].mul(MlpStep.LR));
                }
                return out;
              });
    }

    public Tensor run() {
      Tensor[] r = step.apply(params);
      params = java.util.Arrays.copyOfRange(r, 1, r.length);
      return r[0];
    }
  }

  /**
   * W5: (x·y + x).exp().sum() over n floats (default 10M), x and y requiring grad; forward,
   * backward and zeroGrad of both. Inputs are deterministic: x = linspace(0, 1, n), y = linspace(1,
   * 0, n), so the value is comparable with PyTorch.
   */
  public static final class BigElementwise {
    public static final int DEFAULT_N = 10_000_000;
    final Tensor x;
    final Tensor y;

    public BigElementwise(int n) {
      x = Tensor.linspace(0, 1, n).requiresGrad(true);
      y = Tensor.linspace(1, 0, n).requiresGrad(true);
    }

    public Tensor run() {
      Tensor s = x.mul(y).add(x).exp().sum();
      s.backward();
      x.zeroGrad();
      y.zeroGrad();
      return s;
    }
  }

  /**
   * W5 compiled: the same function and gradients as {@link BigElementwise}, through {@code
   * Autograd.compileMulti(Autograd.valueAndGrad(...))}, so that the forward and the backward run as
   * one fused pass (issue #14). The gradients are written into two tensors allocated once ({@code
   * applyInto}), as PyTorch's W5 accumulates into its {@code .grad} buffers. Returns the value.
   */
  public static final class BigElementwiseCompiled {
    final Tensor x;
    final Tensor y;
    final Compiled<Tensor[], Autograd.ValueAndGrads> step =
        Autograd.compileMulti(
            Autograd.valueAndGrad((Tensor[] a) -> a[0].mul(a[1]).add(a[0]).exp().sum()));

    final Tensor gx;
    final Tensor gy;

    public BigElementwiseCompiled(int n) {
      x = Tensor.linspace(0, 1, n);
      y = Tensor.linspace(1, 0, n);
      gx = Tensor.zeros(n);
      gy = Tensor.zeros(n);
    }

    public Tensor run() {
      return step.applyInto(new Tensor[] {x, y}, null, gx, gy).value();
    }

    /** The traced program and the plan, for the report. */
    public String describe() {
      return step.program() + "\n" + step.plan();
    }
  }

  /**
   * W6: Hessian of f(x) = sum(x³·sin x) for x of size 100 (x = linspace(-2, 2, 100)), with {@link
   * Autograd#hessian}.
   */
  public static final class Hessian {
    public static final int N = 100;
    static final Function<Tensor, Tensor> F = t -> t.pow(3).mul(t.sin()).sum();
    final Tensor x = Tensor.linspace(-2, 2, N);

    public Tensor run() {
      return Autograd.hessian(F, x);
    }

    /** Trace of the Hessian (sanity check; analytic: Σ 6x·sin x + 6x²·cos x − x³·sin x). */
    public double trace(Tensor h) {
      float[] v = h.toFloatArray();
      double t = 0;
      for (int i = 0; i < N; i++) {
        t += v[i * N + i];
      }
      return t;
    }

    /** The analytic trace, computed in double. */
    public static double analyticTrace() {
      double t = 0;
      for (int i = 0; i < N; i++) {
        double xi = (float) (-2 + 4.0 * i / (N - 1));
        t += 6 * xi * Math.sin(xi) + 6 * xi * xi * Math.cos(xi) - xi * xi * xi * Math.sin(xi);
      }
      return t;
    }
  }
}
