package nabla;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BiFunction;
import java.util.function.Function;
import nabla.RandomProgram.Layout;
import org.junit.jupiter.api.Test;

/**
 * Generated gradient checks: {@value #DEFAULT_PROGRAMS} random programs ({@link RandomProgram}: 3
 * to 8 steps of unary, binary, reduction, shape, indexing and user-defined operations; leaves that
 * are transposed, strided or expanded views; operands that broadcast against each other), each run
 * in float64 and in float32. Per program:
 *
 * <ul>
 *   <li>reverse mode: the float64 gradient against central finite differences of the float64
 *       program, element by element; the float32 gradient against the float64 one and the finite
 *       differences (float32 tolerance), with the leaves' dtype and shape; {@link Autograd#grad}
 *       against {@code backward()} with a head gradient; a second backward through the retained
 *       graph doubles the accumulated gradient;
 *   <li>recording: the value without recording, and from leaves that do not require grad, is the
 *       same to the bit; the value with non-contiguous leaves is that with contiguous ones;
 *   <li>forward mode, along a direction in x and in y: the tangent against central differences,
 *       float32 against float64;
 *   <li>batched reverse mode: the Jacobians from {@link Autograd#jacrev}, contracted with the
 *       cotangent and the direction, against the gradient and the tangent;
 *   <li>every {@value #HVP_EVERY}th program, second order: Hessian-vector products by double
 *       backward against finite differences of the gradient and against forward-over-reverse.
 * </ul>
 *
 * <p>The run prints one line with the number of programs checked. Programs come from a fixed seed,
 * so CI checks the same programs every run; {@code -Dnabla.props.seed=N} (a number or {@code
 * random}), {@code -Dnabla.props.programs=N} and {@code -Dnabla.props.threads=N} change that, and
 * {@code -Dnabla.props.verbose=true} also prints each check's closest approach to its tolerance and
 * how often each operation was used. A failure prints the first failing program and a shrunk one as
 * Java source (to paste into a regression test) and the option {@code -Dnabla.props.program=I} that
 * reruns just that program.
 */
class RandomCompositionProperties {

  static final long DEFAULT_SEED = 20260805L;
  static final int DEFAULT_PROGRAMS = 10240;
  static final int HVP_EVERY = 8;

  // ------------------------------------------------------------------ tolerances

  /**
   * Finite differences: central, step {@value #H} in float64. Their truncation error is about
   * h²·|f'''|/6 ≈ 2e-13·|f'''| and their rounding error about ε·Σ|c·f|/h ≈ 2e-10·scale (ε = 2^-52,
   * scale = 1 + Σ|cᵢ·fᵢ| over the weighted outputs); the tolerance {@code 1e-5·|g| + 1e-8·scale}
   * leaves a factor of about 50 over both for the bounded programs generated here.
   */
  static final double H = 1e-6;

  static final double FD_RELATIVE = 1e-5;
  static final double FD_ABSOLUTE = 1e-8;

  /**
   * float32 against float64 (values, gradients, tangents): {@code |a - b| <= 2e-4·(max(|a|, |b|) +
   * max|b| + 1)}. float32 rounds each result to u = 2^-24 ≈ 6e-8; a program has a few dozen
   * roundings forward and as many backward, and its intermediate values are bounded (|v| <= 8) and
   * pass through steps of bounded gain (the largest: division by |w| >= 0.25), so errors are a
   * modest multiple of u relative to the largest entry or to 1, not to each (possibly tiny,
   * cancelled) entry. Measured worst case over 307,200 programs (seeds 4, 6, 8): 1.9e-5, a log
   * softmax divided by 0.3 and fed to a saturated tanh; 2e-4 (about 3400 u) leaves a factor of 10,
   * while a wrong rule is off by O(1).
   */
  static final double FLOAT32_RELATIVE = 2e-4;

  // ------------------------------------------------------------------ the run

  @Test
  void generatedProgramsMatchFiniteDifferencesInBothDtypes() throws InterruptedException {
    long seed = seed();
    int programs = Integer.getInteger("nabla.props.programs", DEFAULT_PROGRAMS);
    String only = System.getProperty("nabla.props.program");
    int from = only == null ? 0 : Integer.parseInt(only);
    int to = only == null ? programs : from + 1;
    int threads =
        Integer.getInteger(
            "nabla.props.threads", Math.min(2, Runtime.getRuntime().availableProcessors()));
    long start = System.nanoTime();
    AtomicInteger next = new AtomicInteger(from);
    AtomicLong steps = new AtomicLong();
    Map<Integer, Throwable> failures = new ConcurrentSkipListMap<>();
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < threads; w++) {
      workers.add(
          Thread.ofPlatform()
              .name("gradient-properties-" + w)
              .start(
                  () -> {
                    for (int i = next.getAndIncrement(); i < to; i = next.getAndIncrement()) {
                      RandomProgram p;
                      try { // generating runs the steps too: a crash there is a failure
                        p = RandomProgram.generate(programSeed(seed, i));
                      } catch (Throwable t) {
                        failures.put(i, t);
                        continue;
                      }
                      steps.addAndGet(p.steps().size());
                      p.steps().forEach(s -> USES.incrementAndGet(s.op().ordinal()));
                      USES.addAndGet(ProgramStep.Op.values().length + p.x().layout().ordinal(), 1);
                      Throwable t = failure(p, i % HVP_EVERY == 0);
                      if (t != null) {
                        failures.put(i, t);
                      }
                    }
                  }));
    }
    for (Thread t : workers) {
      t.join();
    }
    System.out.printf(
        "gradient properties: %d programs, %d mismatches (%d steps; each program run in float64,"
            + " float32 and mixed; seed %d, %.1f s on %d threads)%n",
        to - from, failures.size(), steps.get(), seed, (System.nanoTime() - start) / 1e9, threads);
    if (Boolean.getBoolean("nabla.props.verbose")) {
      failures.forEach((i, t) -> System.out.println("program " + i + ": " + describe(t)));
      CLOSEST.forEach((k, v) -> System.out.printf("closest to tolerance: %s %.3g%n", k, v));
      StringBuilder b = new StringBuilder("uses:");
      ProgramStep.Op[] ops = ProgramStep.Op.values();
      for (int i = 0; i < ops.length; i++) {
        b.append(' ').append(ops[i]).append('=').append(USES.get(i));
      }
      for (Layout l : Layout.values()) {
        b.append(" x:").append(l).append('=').append(USES.get(ops.length + l.ordinal()));
      }
      System.out.println(b);
    }
    if (!failures.isEmpty()) {
      fail(report(seed, failures));
    }
  }

  /** How often each op and each x layout was used (printed with -Dnabla.props.verbose). */
  static final AtomicLongArray USES =
      new AtomicLongArray(ProgramStep.Op.values().length + Layout.values().length);

  static long seed() {
    String s = System.getProperty("nabla.props.seed");
    if (s == null || s.isEmpty()) {
      return DEFAULT_SEED;
    }
    return s.equals("random") ? System.nanoTime() : Long.parseLong(s);
  }

  static long programSeed(long seed, int index) {
    return seed * 0x9E3779B97F4A7C15L + index;
  }

  /** The first failing program, shrunk, and the indices of the others. */
  static String report(long seed, Map<Integer, Throwable> failures) {
    int index = failures.keySet().iterator().next();
    Throwable first = failures.get(index);
    String rerun =
        " (rerun alone with -Dnabla.props.seed=" + seed + " -Dnabla.props.program=" + index + ")";
    RandomProgram p;
    try {
      p = RandomProgram.generate(programSeed(seed, index));
    } catch (RuntimeException | AssertionError e) {
      return "generating program " + index + rerun + " fails:\n  " + describe(first);
    }
    RandomProgram small =
        p.shrink(
            c -> {
              Throwable t = failure(c, true);
              return t != null && kind(t).equals(kind(first));
            });
    Throwable smallFailure = failure(small, true);
    return failures.size()
        + " of the generated programs fail, indices "
        + failures.keySet().stream().limit(20).toList()
        + (failures.size() > 20 ? " ..." : "")
        + "\nprogram "
        + index
        + rerun
        + ":\n"
        + p
        + "\n  "
        + p.trace()
        + "\n  "
        + describe(first)
        + "\nshrunk to:\n"
        + small
        + "\n  "
        + small.trace()
        + "\n  "
        + describe(smallFailure);
  }

  static String describe(Throwable t) {
    if (t == null) {
      return "(passes)";
    }
    if (t instanceof Mismatch) {
      return t.getMessage();
    }
    StringBuilder b = new StringBuilder(t.toString());
    for (StackTraceElement e : Arrays.copyOf(t.getStackTrace(), 8)) {
      b.append("\n    at ").append(e);
    }
    return b.toString();
  }

  // ------------------------------------------------------------------ shrinking

  /** What kind of failure: shrinking keeps only candidates that fail the same way. */
  static String kind(Throwable t) {
    return t instanceof Mismatch m ? m.kind : t.getClass().getName();
  }

  // ------------------------------------------------------------------ the checks

  /** A failed check: its kind (used by shrinking) and what differs. */
  static final class Mismatch extends AssertionError {
    final String kind;

    Mismatch(String kind, String detail) {
      super(kind + ": " + detail);
      this.kind = kind;
    }
  }

  static void expect(boolean ok, String kind, String detail) {
    if (!ok) {
      throw new Mismatch(kind, detail);
    }
  }

  /** Null if every check passes on p, else what failed first. */
  static Throwable failure(RandomProgram p, boolean withHessian) {
    try {
      check(p, withHessian);
      return null;
    } catch (Throwable t) {
      return t;
    }
  }

  /** Runs every check on one program; throws on the first one that fails. */
  static void check(RandomProgram p, boolean withHessian) {
    Run f64 = Run.of(p, DType.FLOAT64);
    double[] grad64 = f64.flatGrad();
    double scale = 1;
    for (int i = 0; i < f64.value.length; i++) {
      scale += Math.abs(COTANGENT[i] * f64.value[i]);
    }
    Run contiguous = Run.ofValues(p, p.x().values(), p.y().values());
    // A few ulps: strided and contiguous kernels may add in another order, never other elements.
    compareScaled(f64.value, contiguous.value, 1e-13, 0, "float64 value, layouts vs contiguous");
    double[] numeric = finiteDifferences(p);
    compare(grad64, numeric, FD_RELATIVE, FD_ABSOLUTE * scale, "float64 gradient vs finite diff.");

    Run f32 = Run.of(p, DType.FLOAT32);
    compareFloat32(f32.value, f64.value, 0, "float32 value vs float64 value");
    compareFloat32(f32.flatGrad(), grad64, 0, "float32 gradient vs float64 gradient");
    compareFloat32(
        f32.flatGrad(), numeric, FD_ABSOLUTE * scale, "float32 gradient vs finite diff.");
    Run mixed = Run.of(p, DType.FLOAT32, DType.FLOAT64);
    compareFloat32(mixed.value, f64.value, 0, "x float32, y float64: value vs float64 value");
    compareFloat32(mixed.flatGrad(), grad64, 0, "x float32, y float64: gradient vs float64");
    double[][] tangents = checkForwardMode(p, f64.value);
    checkJacobians(p, f64, tangents);
    if (withHessian) {
      checkHessianVectorProduct(p, grad64);
    }
  }

  /** A fixed direction for leaf k (0 for x, 1 for y), float32-exact. */
  static double[] direction(RandomProgram p, int k) {
    double[] v = new double[p.leaf(k).numel()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) Math.cos(0.7 * i + 0.3 + k);
    }
    return v;
  }

  /**
   * Forward mode, along a direction in x and then in y: the value is the program's own (to the
   * bit), the tangent has the output's dtype and shape, the float64 tangent matches central
   * differences of the output along the direction, and the float32 tangent matches the float64 one.
   */
  static double[][] checkForwardMode(RandomProgram p, double[] value64) {
    double[][] result = new double[2][];
    for (int k = 0; k < 2; k++) {
      int which = k;
      double[] v = direction(p, k);
      String along = "jvp along " + (k == 0 ? "x" : "y");
      double[][] tangents = new double[2][];
      for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
        Tensor[] in = p.leaves(dtype, false);
        Autograd.ValueAndTangent r =
            Autograd.valueAndJvp(
                z -> p.runWith(in, which, z),
                in[k],
                RandomProgram.make(v, p.leaf(k).shape(), dtype));
        String what = along + " (" + dtype + ")";
        expectSame(r.value(), p.run(in[0], in[1]), what + " value vs the program's");
        expect(r.tangent().dtype() == dtype, what, "the tangent is " + r.tangent().dtype());
        expect(
            Arrays.equals(r.tangent().shape(), r.value().shape()),
            what,
            "the tangent has shape " + Arrays.toString(r.tangent().shape()));
        tangents[dtype == DType.FLOAT64 ? 0 : 1] = r.tangent().toDoubleArray();
      }
      double[] numeric = centralDifference(p, k, v, H, (xv, yv) -> Run.ofValues(p, xv, yv).value);
      double scale = 1 + sumOfAbs(value64);
      compare(tangents[0], numeric, FD_RELATIVE, FD_ABSOLUTE * scale, along + " vs finite diff.");
      compareFloat32(tangents[1], tangents[0], 0, along + ", float32 vs float64");
      result[k] = tangents[0];
    }
    return result;
  }

  /** (f(leaves + h·v in leaf k) - f(leaves - h·v in leaf k)) / 2h, in float64. */
  static double[] centralDifference(
      RandomProgram p, int k, double[] v, double h, BiFunction<double[], double[], double[]> f) {
    double[][] plus = {p.x().values().clone(), p.y().values().clone()};
    double[][] minus = {p.x().values().clone(), p.y().values().clone()};
    for (int i = 0; i < v.length; i++) {
      plus[k][i] += h * v[i];
      minus[k][i] -= h * v[i];
    }
    double[] fp = f.apply(plus[0], plus[1]);
    double[] fm = f.apply(minus[0], minus[1]);
    double[] out = new double[fp.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (fp[i] - fm[i]) / (2 * h);
    }
    return out;
  }

  static double sumOfAbs(double[] a) {
    double s = 0;
    for (double v : a) {
      s += Math.abs(v);
    }
    return s;
  }

  /**
   * The Jacobians with respect to x and y by one batched backward pass each (every primitive's
   * batched VJP rule), contracted with the cotangent, are the gradient; applied to the direction,
   * the forward-mode tangent. Both were checked against finite differences above.
   */
  static void checkJacobians(RandomProgram p, Run f64, double[][] tangents) {
    Tensor[] in = p.leaves(DType.FLOAT64, false);
    double[][] grads = {f64.gx(), f64.gy()};
    for (int k = 0; k < 2; k++) {
      int which = k;
      Function<Tensor, Tensor> f = z -> p.runWith(in, which, z);
      // user-defined functions have no batched rule: jacrev falls back to one pass per row; nor
      // has linear algebra, which nabla.linalg builds as custom functions
      boolean custom =
          p.steps().stream()
              .anyMatch(
                  s ->
                      s.op() == ProgramStep.Op.CHECKPOINT
                          || s.op() == ProgramStep.Op.CUSTOM_Y
                          || s.op().name().startsWith("LINALG_"));
      Tensor j = custom ? Autograd.jacrev(f, in[k]) : Autograd.jacrevBatched(f, in[k]);
      String what = "Jacobian wrt " + (k == 0 ? "x" : "y");
      if (j == null) {
        expect(
            !p.runWith(in, k, in[k].detach().requiresGrad(true)).requiresGrad(),
            what,
            "the batched backward pass fell back to one pass per row");
        continue; // the output does not depend on this leaf
      }
      int m = f64.value().length;
      int n = in[k].numel();
      expect(j.numel() == m * n, what, "has shape " + Arrays.toString(j.shape()));
      double[] jv = j.toDoubleArray();
      double[] contracted = new double[n];
      double[] applied = new double[m];
      double[] v = direction(p, k);
      for (int r = 0; r < m; r++) {
        for (int c = 0; c < n; c++) {
          contracted[c] += COTANGENT[r] * jv[r * n + c];
          applied[r] += jv[r * n + c] * v[c];
        }
      }
      compareScaled(contracted, grads[k], 1e-12, 0, what + ": cotangent·J vs the gradient");
      compareScaled(applied, tangents[k], 1e-12, 0, what + ": J·v vs the jvp");
    }
  }

  /** A fixed cotangent, float32-exact so both dtypes weigh the outputs the same way. */
  static final double[] COTANGENT = new double[RandomProgram.MAX_NUMEL];

  static {
    for (int i = 0; i < COTANGENT.length; i++) {
      COTANGENT[i] = (float) (0.5 + Math.sin(1.3 * i + 0.2));
    }
  }

  /** sum(c · f) in f's dtype. */
  static Tensor weightedSum(Tensor f) {
    double[] c = Arrays.copyOf(COTANGENT, f.numel());
    return f.mul(RandomProgram.make(c, f.shape(), f.dtype())).sum();
  }

  /** One recorded run of a program in a dtype: its value and the gradients of sum(c · f). */
  record Run(double[] value, double[] gx, double[] gy) {

    double[] flatGrad() {
      double[] out = Arrays.copyOf(gx, gx.length + gy.length);
      System.arraycopy(gy, 0, out, gx.length, gy.length);
      return out;
    }

    /**
     * Runs p in dtype with its layouts, recording, and checks what must hold exactly: the value
     * without recording and from leaves without grad is the same to the bit; Autograd.grad gives
     * what backward() accumulates; gradients have the leaves' dtype and shape.
     */
    static Run of(RandomProgram p, DType dtype) {
      return of(p, dtype, dtype);
    }

    /** {@link #of(RandomProgram, DType)} with x in one dtype and y in another. */
    static Run of(RandomProgram p, DType xType, DType yType) {
      Tensor[] in = p.leaves(xType, yType, true);
      Tensor x = in[0];
      Tensor y = in[1];
      Tensor f = p.run(x, y);
      DType dtype = f.dtype();
      expect(
          xType != yType || dtype == xType,
          "dtype",
          "the program's output is " + dtype + ", not " + xType);
      expect(f.requiresGrad(), "recording", "the graph does not reach the output");
      expect(f == x || f.gradFn() != null, "recording", "a computed output has no gradFn");
      double[] value = f.toDoubleArray();
      expectFinite(value, "value (" + dtype + ")");
      Tensor plain;
      try (var g = Autograd.noGrad()) {
        plain = p.run(x, y);
      }
      expect(plain.gradFn() == null, "noGrad", "a gradFn was recorded under noGrad");
      expect(
          !plain.requiresGrad() || plain == x || plain == y,
          "noGrad",
          "a tensor computed under noGrad requires grad");
      expectSame(f, plain, "value with vs without recording (" + dtype + ")");
      Tensor[] fresh = p.leaves(xType, yType, false);
      Tensor unrecorded = p.run(fresh[0], fresh[1]);
      expect(!unrecorded.requiresGrad(), "noGrad", "no leaf requires grad, the output does");
      expectSame(f, unrecorded, "value from leaves without grad (" + dtype + ")");

      Tensor l = weightedSum(f);
      Tensor[] functional = Autograd.grad(l, null, true, false, x, y);
      expect(x.grad() == null, "Autograd.grad", "Autograd.grad wrote x.grad()");
      f.backward(RandomProgram.make(Arrays.copyOf(COTANGENT, f.numel()), f.shape(), dtype), true);
      double[] gx = checkedGrad(x, functional[0], xType, "x");
      double[] gy = checkedGrad(y, functional[1], yType, "y");
      expectFinite(gx, "d/dx (" + xType + ")");
      expectFinite(gy, "d/dy (" + yType + ")");
      l.backward(); // through the retained graph: the gradients accumulate to twice theirs
      expectTwice(x, gx, xType, "x");
      expectTwice(y, gy, xType == yType ? yType : DType.FLOAT32, "y");
      return new Run(value, gx, gy);
    }

    /** The float64 value of p at other leaf values (contiguous, not recording). */
    static Run ofValues(RandomProgram p, double[] xv, double[] yv) {
      try (var g = Autograd.noGrad()) {
        Tensor x = p.x().withValues(xv).tensor(DType.FLOAT64);
        Tensor y = p.y().withValues(yv).tensor(DType.FLOAT64);
        return new Run(p.run(x, y).toDoubleArray(), null, null);
      }
    }

    double loss() {
      double s = 0;
      for (int i = 0; i < value.length; i++) {
        s += COTANGENT[i] * value[i];
      }
      return s;
    }
  }

  /** No NaN or infinity: every generated program is finite (NaN would also compare equal). */
  static void expectFinite(double[] a, String what) {
    expect(Arrays.stream(a).allMatch(Double::isFinite), "finite", what + " " + Arrays.toString(a));
  }

  static void expectSame(Tensor a, Tensor b, String what) {
    expect(Arrays.equals(a.shape(), b.shape()), what, "shapes differ");
    expect(a.dtype() == b.dtype(), what, "dtypes differ");
    double[] u = a.toDoubleArray();
    double[] v = b.toDoubleArray();
    expect(Arrays.equals(u, v), what, Arrays.toString(u) + " vs " + Arrays.toString(v));
  }

  /**
   * After a second backward the gradient is twice the first, up to rounding: pieces arriving at a
   * leaf by several paths are added into grad() one by one, so the two sums round differently.
   */
  static void expectTwice(Tensor leaf, double[] once, DType dtype, String name) {
    double[] twice = leaf.grad() == null ? new double[once.length] : leaf.grad().toDoubleArray();
    double[] doubled = once.clone();
    for (int i = 0; i < doubled.length; i++) {
      doubled[i] *= 2;
    }
    double ulps = 64 * (dtype == DType.FLOAT64 ? Math.ulp(1.0) : Math.ulp(1.0f));
    compareScaled(
        twice, doubled, ulps, 0, "d/d" + name + " after a second backward (" + dtype + ")");
  }

  /** A leaf's gradient (zeros when backward did not reach it), checked against Autograd.grad. */
  static double[] checkedGrad(Tensor leaf, Tensor functional, DType dtype, String name) {
    Tensor g = leaf.grad();
    if (g == null) {
      expect(
          functional == null || Arrays.stream(functional.toDoubleArray()).allMatch(v -> v == 0),
          "Autograd.grad",
          "backward left d/d" + name + " empty, Autograd.grad did not");
      return new double[leaf.numel()];
    }
    String what = "d/d" + name + " (" + dtype + ")";
    expect(g.dtype() == dtype, "gradient dtype", what + " is " + g.dtype());
    expect(
        Arrays.equals(g.shape(), leaf.shape()),
        "gradient shape",
        what + " has shape " + Arrays.toString(g.shape()));
    expect(
        functional != null && Arrays.equals(functional.toDoubleArray(), g.toDoubleArray()),
        "Autograd.grad",
        what + ": Autograd.grad differs from backward()");
    return g.toDoubleArray();
  }

  /** Central differences of sum(c · f) in float64, one per leaf element ([dx, dy]). */
  static double[] finiteDifferences(RandomProgram p) {
    int nx = p.x().numel();
    double[] out = new double[nx + p.y().numel()];
    for (int i = 0; i < out.length; i++) {
      int k = i < nx ? 0 : 1;
      double[] unit = new double[p.leaf(k).numel()];
      unit[i - k * nx] = 1;
      out[i] =
          centralDifference(
              p, k, unit, H, (xv, yv) -> new double[] {Run.ofValues(p, xv, yv).loss()})[0];
    }
    return out;
  }

  /** The float32 tolerance, {@link #compareScaled} with {@link #FLOAT32_RELATIVE}. */
  static void compareFloat32(double[] a, double[] b, double absolute, String what) {
    compareScaled(a, b, FLOAT32_RELATIVE, absolute, what);
  }

  /** |a - b| <= relative·(max(|a|, |b|) + max|b| + 1) + absolute elementwise. */
  static void compareScaled(double[] a, double[] b, double relative, double absolute, String what) {
    double max = 1;
    for (double v : b) {
      max = Math.max(max, Math.abs(v));
    }
    compare(a, b, relative, relative * max + absolute, what);
  }

  /**
   * For each comparison, the largest |a - b| / tolerance seen (printed with -Dnabla.props.verbose).
   */
  static final Map<String, Double> CLOSEST = new ConcurrentSkipListMap<>();

  /** |a - b| <= relative·max(|a|, |b|) + absolute elementwise. */
  static void compare(double[] a, double[] b, double relative, double absolute, String what) {
    expect(a.length == b.length, what, "lengths " + a.length + " and " + b.length);
    double closest = 0;
    for (int i = 0; i < a.length; i++) {
      double tol = relative * Math.max(Math.abs(a[i]), Math.abs(b[i])) + absolute;
      double err = Math.abs(a[i] - b[i]);
      closest = Math.max(closest, err == 0 ? 0 : err / tol);
      if (!(err <= tol)) {
        throw new Mismatch(
            what,
            "["
                + i
                + "] "
                + a[i]
                + " vs "
                + b[i]
                + " (tolerance "
                + tol
                + ")\n    "
                + Arrays.toString(a)
                + "\n    "
                + Arrays.toString(b));
      }
    }
    CLOSEST.merge(what, closest, Math::max);
  }

  /** Gradient of sum(c · f) at (xv, yv) as [dx, dy], float64, contiguous leaves. */
  static double[] flatGrad(RandomProgram p, double[] xv, double[] yv) {
    Tensor x = p.x().withValues(xv).tensor(DType.FLOAT64).requiresGrad(true);
    Tensor y = p.y().withValues(yv).tensor(DType.FLOAT64).requiresGrad(true);
    Tensor[] g = Autograd.grad(weightedSum(p.run(x, y)), x, y);
    return new Run(null, g[0].toDoubleArray(), g[1].toDoubleArray()).flatGrad();
  }

  /**
   * Second order, along a direction v in x and then in y (zero in the other leaf): H·v by double
   * backward against central differences of the gradient along v (step 1e-5, tolerance {@code
   * 1e-4·|Hv| + 1e-7·(1 + Σ|g|)}), and against forward-over-reverse (a JVP through the gradient's
   * own graph), which is the same number computed another way.
   */
  static void checkHessianVectorProduct(RandomProgram p, double[] grad64) {
    Autograd.MultiFunction loss = a -> weightedSum(p.run(a[0], a[1]));
    for (int k = 0; k < 2; k++) {
      int which = k;
      double[] v = direction(p, k);
      String along = " along " + (k == 0 ? "x" : "y");
      Tensor[] in = p.leaves(DType.FLOAT64, true);
      Tensor[] g = Autograd.grad(loss.apply(in), null, false, true, in);
      Tensor s = g[k].mul(RandomProgram.make(v, in[k].shape(), DType.FLOAT64)).sum();
      double[] hv = new double[p.x().numel() + p.y().numel()];
      if (s.requiresGrad()) { // else the gradient is constant: L is linear
        Tensor[] h = Autograd.grad(s, in);
        hv = new Run(null, h[0].toDoubleArray(), h[1].toDoubleArray()).flatGrad();
      }

      Tensor[] at = p.leaves(DType.FLOAT64, false);
      Tensor forward =
          Autograd.jvp(
              z -> {
                Tensor[] a = at.clone();
                a[which] = z;
                Tensor[] d = Autograd.gradWrt(loss).apply(a);
                return Tensor.cat(0, d[0].reshape(-1), d[1].reshape(-1));
              },
              at[k],
              RandomProgram.make(v, at[k].shape(), DType.FLOAT64));
      compareScaled(
          forward.toDoubleArray(), hv, 1e-12, 0, "forward-over-reverse vs double backward" + along);

      double[] numeric = centralDifference(p, k, v, 1e-5, (xv, yv) -> flatGrad(p, xv, yv));
      double gscale = 1 + sumOfAbs(grad64);
      compare(hv, numeric, 1e-4, 1e-7 * gscale, "Hessian-vector product vs finite diff." + along);
    }
  }
}
