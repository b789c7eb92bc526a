package nabla;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import nabla.storage.Storage;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the public API (issue #8): calls random public methods of {@link Tensor}, {@link Autograd}
 * and {@link GradientTape} with random, often hostile, arguments and checks that every call either
 * returns or fails with a clear exception.
 *
 * <p>Methods are found by reflection, so a new public method is fuzzed without touching this file;
 * a parameter type without a generator fails the test, naming the method. Arguments come from one
 * generator per parameter type, biased towards trouble: empty tensors (a 0 dimension), 0-d tensors,
 * shapes whose element count overflows an int, negative or out-of-range sizes, axes and indices,
 * non-contiguous inputs (transposed, sliced with a step, expanded with stride 0), every dtype where
 * another is expected, NaN and infinities, shapes that do not broadcast, tensors that require grad
 * (leaves and views of leaves), results of earlier calls (so backward and the transforms meet real
 * graphs), open {@code noGrad} scopes and tapes, and null. Legitimate allocations stay small (see
 * {@link ApiFuzzInputs}).
 *
 * <p>Accepted outcomes of a call:
 *
 * <ul>
 *   <li>it returns;
 *   <li>it throws {@link IllegalArgumentException}, {@link IllegalStateException} or {@link
 *       UnsupportedOperationException} with a non-blank message;
 *   <li>it throws exactly {@link IndexOutOfBoundsException} (not a subclass such as {@link
 *       ArrayIndexOutOfBoundsException}) with a non-blank message: the project's deliberate error
 *       for an index out of range (PyTorch's {@code IndexError}), asserted by {@code MisuseTest}.
 * </ul>
 *
 * Anything else is a defect: another exception type (NullPointerException, ClassCastException,
 * ArithmeticException, NegativeArraySizeException, ArrayIndexOutOfBoundsException,
 * OutOfMemoryError, StackOverflowError, ...), a call that takes more than 1 s of CPU time on the
 * calling thread (or 10 s of wall time: a hang), or a call that leaves the thread's autograd state
 * (grad mode, forward-mode levels) different from before.
 *
 * <p>Null arguments: a null tensor, array, dtype, storage or function where one is required must
 * give an {@link IllegalArgumentException} that names the operation and the parameter, as PyTorch
 * raises a {@code TypeError} for {@code None}; a null the API documents as meaningful ({@code
 * sum(null, keepDim)} = all axes, {@code setGrad(null)} clears the gradient) must work.
 *
 * <p>The run is deterministic: seed {@value #DEFAULT_SEED} unless {@code -Dnabla.fuzz.seed=N};
 * {@code -Dnabla.fuzz.calls=N} changes the number of calls ({@value #DEFAULT_CALLS} by default). It
 * prints the seed, the count and the outcome histogram; a failure lists the first defects with the
 * method and a description of every argument. Counter-examples found so far are named regression
 * tests in {@link FuzzRegressionTest}.
 */
class ApiFuzzTest {
  static final long DEFAULT_SEED = 20_260_508L;
  static final int DEFAULT_CALLS = 100_000;
  private static final long CPU_LIMIT_NANOS = 1_000_000_000L;
  private static final long WALL_LIMIT_NANOS = 10_000_000_000L;
  private static final int MAX_REPORTED = Integer.getInteger("nabla.fuzz.report", 25);

  @Test
  void everyPublicCallReturnsOrFailsWithAClearException() throws InterruptedException {
    long seed = Long.getLong("nabla.fuzz.seed", DEFAULT_SEED);
    int calls = Integer.getInteger("nabla.fuzz.calls", DEFAULT_CALLS);
    Fuzzer fuzzer = new Fuzzer(seed);
    Thread worker = new Thread(() -> fuzzer.run(calls), "api-fuzz");
    worker.setDaemon(true);
    long t0 = System.nanoTime();
    worker.start();
    while (worker.isAlive()) {
      worker.join(50);
      long started = fuzzer.callStart;
      long running = System.nanoTime() - started;
      if (worker.isAlive() && started != 0 && running > CPU_LIMIT_NANOS / 2) {
        // Where a slow call spends its time, for the report.
        fuzzer.slowStack = stackOf(worker);
        fuzzer.slowCall = fuzzer.callNumber;
      }
      if (worker.isAlive() && started != 0 && running > WALL_LIMIT_NANOS) {
        String stack = stackOf(worker);
        fail(
            "API fuzz (seed "
                + seed
                + "): call #"
                + fuzzer.callNumber
                + " has not returned after "
                + WALL_LIMIT_NANOS / 1_000_000_000L
                + " s: "
                + fuzzer.describeCurrent()
                + stack);
      }
    }
    if (fuzzer.crash != null) {
      throw new AssertionError(
          "API fuzz (seed " + seed + "): the fuzzer itself failed at call #" + fuzzer.callNumber,
          fuzzer.crash);
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.println(fuzzer.summary(seed, ms));
    if (Boolean.getBoolean("nabla.fuzz.verbose")) {
      fuzzer.perMethod.forEach(
          (m, c) -> {
            System.out.printf(
                "  %-60s ok %5d  rejected %5d  bad %3d  cpu %6d ms%n",
                m, c[0], c[1], c[2], c[3] / 1000);
            fuzzer.reasons.getOrDefault(m, Map.of()).entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(4)
                .forEach(e -> System.out.printf("      %5d %s%n", e.getValue(), e.getKey()));
          });
    }
    if (fuzzer.bad > 0) {
      fail(fuzzer.badReport(seed));
    }
  }

  @Test
  void onlyClearExceptionsAreAcceptedOutcomes() {
    assertNull(Fuzzer.classify(null));
    assertNull(Fuzzer.classify(new IllegalArgumentException("add: shapes differ")));
    assertNull(Fuzzer.classify(new IllegalStateException("backward: graph freed")));
    assertNull(Fuzzer.classify(new UnsupportedOperationException("Custom has no JVP rule")));
    assertNull(Fuzzer.classify(new IndexOutOfBoundsException("get: index 3, size 3")));
    assertNotNull(Fuzzer.classify(new ArrayIndexOutOfBoundsException("Index 3")));
    assertNotNull(Fuzzer.classify(new NullPointerException("other is null")));
    assertNotNull(Fuzzer.classify(new ClassCastException("x")));
    assertNotNull(Fuzzer.classify(new ArithmeticException("/ by zero")));
    assertNotNull(Fuzzer.classify(new OutOfMemoryError("Java heap space")));
    assertNotNull(Fuzzer.classify(new IllegalArgumentException()));
    assertNotNull(Fuzzer.classify(new IllegalStateException(" ")));
  }

  private static String stackOf(Thread t) {
    StringBuilder stack = new StringBuilder();
    StackTraceElement[] st = t.getStackTrace();
    for (int i = 0; i < Math.min(st.length, 30); i++) {
      stack.append("\n      at ").append(st[i]);
    }
    return stack.toString();
  }

  /** The method and a description of every argument, for reports. */
  static String describe(Target t, Object receiver, Object[] args) {
    StringBuilder b = new StringBuilder(t.toString());
    if (receiver != null) {
      b.append("\n      this = ").append(describe(receiver));
    }
    for (int i = 0; args != null && i < args.length; i++) {
      b.append("\n      arg").append(i).append(" = ").append(describe(args[i]));
    }
    return b.toString();
  }

  static String describe(Object o) {
    if (o == null) {
      return "null";
    }
    if (o instanceof Tensor t) {
      StringBuilder b =
          new StringBuilder(t.dtype().toString())
              .append(Arrays.toString(t.shape()))
              .append(" strides=")
              .append(Arrays.toString(t.strides()))
              .append(" offset=")
              .append(t.offset());
      if (t.requiresGrad()) {
        b.append(t.isLeaf() ? " requiresGrad leaf" : " gradFn=" + t.gradFn().name());
      }
      try {
        double[] v = t.detach().toDoubleArray();
        b.append(" values=")
            .append(Arrays.toString(Arrays.copyOf(v, Math.min(v.length, 12))))
            .append(v.length > 12 ? "..." : "");
      } catch (RuntimeException e) {
        b.append(" values unreadable: ").append(e);
      }
      return b.toString();
    }
    if (o instanceof Tensor[] ts) {
      StringBuilder b = new StringBuilder("Tensor[" + ts.length + "] {");
      for (Tensor x : ts) {
        b.append("\n        ").append(describe(x));
      }
      return b.append(" }").toString();
    }
    if (o instanceof int[] a) {
      return Arrays.toString(a);
    }
    if (o instanceof double[] a) {
      return "double" + Arrays.toString(a);
    }
    if (o instanceof float[] a) {
      return "float" + Arrays.toString(a);
    }
    if (o instanceof long[] a) {
      return "long" + Arrays.toString(a);
    }
    if (o instanceof boolean[] a) {
      return "boolean" + Arrays.toString(a);
    }
    if (o instanceof GradientTape tape) {
      return "GradientTape watching " + tape.watched().size() + " tensors";
    }
    if (o instanceof Storage s) {
      return "Storage(" + s.dtype() + ", " + s.size() + " elements)";
    }
    return o.toString();
  }

  // ------------------------------------------------------------------ the methods under test

  /** A public method of the API: static, or an instance method of Tensor or GradientTape. */
  record Target(Method method) {
    /**
     * The class callers see the method on: Tensor for those it inherits from TensorMath and
     * TensorInPlace.
     */
    Class<?> owner() {
      Class<?> c = method.getDeclaringClass();
      return c == TensorMath.class || c == TensorInPlace.class ? Tensor.class : c;
    }

    boolean isStatic() {
      return Modifier.isStatic(method.getModifiers());
    }

    String name() {
      return method.getName();
    }

    @Override
    public String toString() {
      StringBuilder b = new StringBuilder(owner().getSimpleName());
      b.append(isStatic() ? "." : "#").append(method.getName()).append('(');
      Class<?>[] p = method.getParameterTypes();
      for (int i = 0; i < p.length; i++) {
        b.append(i == 0 ? "" : ", ").append(p[i].getSimpleName());
      }
      return b.append(')').toString();
    }
  }

  /**
   * Every public method of Tensor (its own and those it inherits from TensorMath and
   * TensorInPlace), Autograd and GradientTape, in a stable order (GradientTape.close is the
   * fuzzer's own business: it closes tapes innermost first).
   */
  static List<Target> targets() {
    List<Target> out = new ArrayList<>();
    for (Class<?> c :
        List.of(
            Tensor.class,
            TensorMath.class,
            TensorInPlace.class,
            Autograd.class,
            GradientTape.class)) {
      for (Method m : c.getDeclaredMethods()) {
        if (Modifier.isPublic(m.getModifiers())
            && !m.isSynthetic()
            && !(c == GradientTape.class && m.getName().equals("close"))) {
          out.add(new Target(m));
        }
      }
    }
    out.sort(Comparator.comparing(Target::toString));
    return out;
  }

  /**
   * Calls the method, rethrowing what it threw; a bad call by the fuzzer is a {@link FuzzerBug}.
   */
  static Object invoke(Target t, Object receiver, Object[] args) throws Throwable {
    try {
      return t.method().invoke(receiver, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    } catch (IllegalAccessException | IllegalArgumentException e) {
      throw new FuzzerBug("the fuzzer called " + t + " wrongly", e);
    }
  }

  /** A mistake of the fuzzer itself, not an outcome of the API. */
  static final class FuzzerBug extends Error {
    FuzzerBug(String message, Throwable cause) {
      super(message, cause);
    }
  }

  // ------------------------------------------------------------------ the fuzzer

  static final class Fuzzer {
    private final long seed;
    private ApiFuzzInputs in;
    private SplittableRandom rnd;

    /** Open noGrad/enableGrad scopes and gradient tapes, innermost first. */
    private final Deque<AutoCloseable> scopes = new ArrayDeque<>();

    private final Deque<Boolean> scopeModes = new ArrayDeque<>();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    volatile long callStart;
    volatile String slowStack;
    volatile int slowCall = -1;
    volatile int callNumber;
    private volatile Target current;
    private volatile Object currentReceiver;
    private volatile Object[] currentArgs;

    /** Calls made (steps whose every argument list was excluded make none). */
    int made;

    int ok;
    int bad;
    int skipped;
    final Map<String, Integer> rejected = new TreeMap<>();
    final List<String> badExamples = new ArrayList<>();

    /**
     * Per method: calls that returned, calls rejected, bad calls, CPU microseconds (for {@code
     * -Dnabla.fuzz.verbose=true}).
     */
    final Map<String, int[]> perMethod = new TreeMap<>();

    /** Per method: rejection messages (numbers removed) and how often they came. */
    final Map<String, Map<String, Integer>> reasons = new TreeMap<>();

    Throwable crash;

    Fuzzer(long seed) {
      this.seed = seed;
    }

    void run(int calls) {
      try {
        in = new ApiFuzzInputs(seed); // on this thread: random tensors are seeded per thread
        rnd = in.rnd;
        for (int i = 0; made < calls; i++) {
          callNumber = i;
          step();
        }
        while (!scopes.isEmpty()) {
          closeScope();
        }
      } catch (Throwable t) {
        crash = t;
      } finally {
        callStart = 0;
      }
    }

    private void step() {
      if (!scopes.isEmpty() && rnd.nextInt(25) == 0) {
        closeScope();
      }
      if (rnd.nextInt(20) == 0) {
        in.refreshPool();
      }
      Target t = in.targets.get(rnd.nextInt(in.targets.size()));
      Object receiver = t.isStatic() ? null : t.owner() == Tensor.class ? in.receiver(t) : tape();
      Tensor like = receiver instanceof Tensor x ? x : null;
      Object[] args = null;
      for (int attempt = 0; attempt < 20 && args == null; attempt++) {
        Object[] a = in.arguments(t, like);
        if (!in.excluded(t, like, a)) {
          args = a;
        }
      }
      if (args == null) {
        skipped++;
        return;
      }
      call(t, receiver, args);
    }

    /** The innermost open tape, or a new one (kept open like a scope). */
    private GradientTape tape() {
      for (AutoCloseable c : scopes) {
        if (c instanceof GradientTape tape && rnd.nextInt(4) != 0) {
          return tape;
        }
      }
      GradientTape tape = rnd.nextBoolean() ? GradientTape.open() : GradientTape.persistent();
      scopes.push(tape);
      scopeModes.push(true);
      return tape;
    }

    private void call(Target t, Object receiver, Object[] args) {
      made++;
      boolean expectedMode = scopeModes.isEmpty() || scopeModes.peek();
      current = t;
      currentReceiver = receiver;
      currentArgs = args;
      long cpu0 = threads.getCurrentThreadCpuTime();
      callStart = System.nanoTime();
      Throwable thrown = null;
      Object result = null;
      try {
        result = invoke(t, receiver, args);
        result = applyReturnedFunction(t, result);
      } catch (Throwable e) {
        thrown = e;
      }
      long cpu = threads.getCurrentThreadCpuTime() - cpu0;
      if (thrown instanceof FuzzerBug b) {
        throw b;
      }
      callStart = 0;
      String problem = classify(thrown);
      if (problem == null && cpu > CPU_LIMIT_NANOS) {
        problem = "took " + cpu / 1_000_000 + " ms of CPU time (limit 1000 ms)";
        if (slowCall == callNumber) {
          problem += ", sampled in:" + slowStack;
        }
      }
      if (problem == null) {
        problem = checkState(t, result, expectedMode);
      }
      int[] counts = perMethod.computeIfAbsent(t.toString(), k -> new int[4]);
      counts[3] += (int) (cpu / 1000);
      counts[problem != null ? 2 : thrown != null ? 1 : 0]++;
      if (problem != null) {
        bad++;
        if (badExamples.size() < MAX_REPORTED) {
          badExamples.add(
              "call #"
                  + callNumber
                  + ": "
                  + describe(t, receiver, currentArgs)
                  + "\n    "
                  + problem);
        }
      } else if (thrown != null) {
        rejected.merge(thrown.getClass().getSimpleName(), 1, Integer::sum);
        String m = thrown.getMessage().replaceAll("[-0-9.\\[\\], ]+", " ");
        reasons
            .computeIfAbsent(t.toString(), k -> new TreeMap<>())
            .merge(m.substring(0, Math.min(70, m.length())), 1, Integer::sum);
      } else {
        ok++;
        in.keep(result);
      }
    }

    /** Null when the outcome is acceptable, otherwise what is wrong with it. */
    static String classify(Throwable e) {
      if (e == null) {
        return null;
      }
      boolean typeOk =
          e instanceof IllegalArgumentException
              || e instanceof IllegalStateException
              || e instanceof UnsupportedOperationException
              || e.getClass() == IndexOutOfBoundsException.class;
      if (!typeOk) {
        return "threw " + stackSummary(e);
      }
      if (e.getMessage() == null || e.getMessage().isBlank()) {
        return "threw " + e.getClass().getSimpleName() + " without a message: " + stackSummary(e);
      }
      return null;
    }

    private static String stackSummary(Throwable e) {
      StringBuilder b = new StringBuilder(e.toString());
      StackTraceElement[] st = e.getStackTrace();
      for (int i = 0; i < Math.min(6, st.length); i++) {
        b.append("\n      at ").append(st[i]);
      }
      return b.toString();
    }

    /** Tracks scopes, and checks that a call left grad mode and forward-mode levels as found. */
    private String checkState(Target t, Object result, boolean expectedMode) {
      if (result instanceof Autograd.Scope || result instanceof GradientTape) {
        scopes.push((AutoCloseable) result);
        scopeModes.push(Autograd.isGradEnabled());
        return null;
      }
      GradMode.State s = GradMode.state();
      if (Autograd.isGradEnabled() != expectedMode) {
        GradMode.set(expectedMode);
        return "left grad mode " + (expectedMode ? "off" : "on") + " after " + t.name();
      }
      if (s.activeCount != 0 || s.excludedCount != 0 || s.suspended != 0) {
        s.activeCount = 0;
        s.excludedCount = 0;
        s.suspended = 0;
        return "left forward-mode state behind (open levels, excluded levels or suspension)";
      }
      if (s.collector != null) {
        s.collector = null;
        return "left a checkpoint's node collector open";
      }
      return null;
    }

    private void closeScope() {
      switch (scopes.pop()) {
        case Autograd.Scope s -> s.close();
        case GradientTape tape -> tape.close();
        default -> throw new AssertionError();
      }
      scopeModes.pop();
    }

    /** grad(f), valueAndGrad(f), gradWrt(f), gradWithAux(f) return functions: apply them too. */
    private Object applyReturnedFunction(Target t, Object result) {
      if (result instanceof RemovableHandle h && rnd.nextInt(4) != 0) {
        h.remove(); // most hooks go again, so pooled tensors do not pile them up
      }
      if (!(result instanceof Function<?, ?> f)) {
        return result;
      }
      @SuppressWarnings("unchecked")
      Function<Object, Object> g = (Function<Object, Object>) f;
      boolean several = t.method().getParameterTypes()[0] == Autograd.MultiFunction.class;
      Object arg = several ? in.tensors(null) : in.tensor(null);
      currentArgs = append(currentArgs, arg);
      return g.apply(arg);
    }

    private static Object[] append(Object[] a, Object x) {
      Object[] r = Arrays.copyOf(a, a.length + 1);
      r[a.length] = x;
      return r;
    }

    // ---------------------------------------------------------------- reports

    String describeCurrent() {
      Target t = current;
      return t == null ? "?" : describe(t, currentReceiver, currentArgs);
    }

    String summary(long seed, long ms) {
      int rej = rejected.values().stream().mapToInt(Integer::intValue).sum();
      return String.format(
          "API fuzz (seed %d, %d methods): %d calls, %d ok, %d rejected with"
              + " IAE/ISE/UOE/IOOBE %s, %d bad, %d skipped (excluded inputs); %d ms",
          seed, in.targets.size(), ok + rej + bad, ok, rej, rejected, bad, skipped, ms);
    }

    String badReport(long seed) {
      StringBuilder b =
          new StringBuilder(
              "API fuzz (seed "
                  + seed
                  + "): "
                  + bad
                  + " bad outcomes; the first (argument values as after the call):");
      for (String e : badExamples) {
        b.append("\n  ").append(e);
      }
      return b.toString();
    }
  }
}
