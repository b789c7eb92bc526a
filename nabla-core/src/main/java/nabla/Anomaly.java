package nabla;

import java.security.CodeSource;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;
import nabla.kernels.Reduce;
import nabla.ops.Primitive;
import nabla.storage.Storage;

/**
 * Anomaly mode's work (see {@link Autograd#detectAnomaly()}): finding the user's line that called
 * into Nabla, scanning values for NaN/∞ and writing the messages. Only called when the per-thread
 * flag {@code GradMode.State.anomaly} is on, so none of this costs anything outside the mode.
 *
 * <p><b>Which frame is the call site.</b> The first frame, walking out from the current one, whose
 * class is neither part of nabla-core nor of the JDK. A class belongs to nabla-core when
 *
 * <ul>
 *   <li>nabla-core is a named module: it is in that module;
 *   <li>otherwise (class path): its package is one of nabla-core's ({@link #LIBRARY_PACKAGES})
 *       <em>and</em> it was loaded by the same class loader from the same code source (jar or
 *       classes directory) as the engine.
 * </ul>
 *
 * The code-source test is what tells the library from user code that shares its package names
 * (Nabla's own tests live in package {@code nabla}, in {@code test-classes}); the exact package
 * list keeps user code in other packages, even {@code nabla.bench}, recognised when everything is
 * repackaged into one fat jar (as the benchmarks jar is). A test checks the list against the source
 * tree. A class is part of the JDK when the boot or platform class loader loaded it (a {@code
 * forEach} between the library and a user lambda, say). When no frame qualifies, the first JDK
 * frame outside the library is used, else none. Frames are walked lazily with {@link StackWalker}
 * (no {@code Throwable} is filled in) and formatted only when a message needs them.
 */
final class Anomaly {
  private Anomaly() {}

  private enum Origin {
    LIBRARY,
    JDK,
    USER
  }

  /** nabla-core's packages (a test compares this with the source tree). */
  static final Set<String> LIBRARY_PACKAGES =
      Set.of("nabla", "nabla.ops", "nabla.kernels", "nabla.storage", "nabla.linalg");

  private static final Class<?> ANCHOR = Engine.class;
  private static final String LIBRARY_LOCATION = location(ANCHOR);

  private static final ClassValue<Origin> ORIGIN =
      new ClassValue<>() {
        @Override
        protected Origin computeValue(Class<?> c) {
          return origin(c);
        }
      };

  private static final StackWalker WALKER =
      StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

  private static String location(Class<?> c) {
    CodeSource source = c.getProtectionDomain().getCodeSource();
    return source == null || source.getLocation() == null
        ? null
        : source.getLocation().toExternalForm();
  }

  private static Origin origin(Class<?> c) {
    ClassLoader loader = c.getClassLoader();
    if (loader == null || loader == ClassLoader.getPlatformClassLoader()) {
      return Origin.JDK;
    }
    Module library = ANCHOR.getModule();
    if (library.isNamed()) {
      return c.getModule() == library ? Origin.LIBRARY : Origin.USER;
    }
    return LIBRARY_PACKAGES.contains(c.getPackageName())
            && loader == ANCHOR.getClassLoader()
            && Objects.equals(location(c), LIBRARY_LOCATION)
        ? Origin.LIBRARY
        : Origin.USER;
  }

  /** Whether {@code c} is one of nabla-core's own classes (see the class comment). */
  static boolean isLibraryClass(Class<?> c) {
    return ORIGIN.get(c) == Origin.LIBRARY;
  }

  /** The first frame of the current thread's stack outside nabla-core and the JDK (or null). */
  static StackWalker.StackFrame callSite() {
    return WALKER.walk(
        frames -> {
          StackWalker.StackFrame fallback = null;
          for (Iterator<StackWalker.StackFrame> it = frames.iterator(); it.hasNext(); ) {
            StackWalker.StackFrame f = it.next();
            Origin o = ORIGIN.get(f.getDeclaringClass());
            if (o == Origin.USER) {
              return f;
            }
            if (o == Origin.JDK && fallback == null) {
              fallback = f;
            }
          }
          return fallback;
        });
  }

  /** A frame as Java prints it in stack traces, {@code pkg.Class.method(File.java:42)}. */
  static String format(StackWalker.StackFrame f) {
    if (f == null) {
      return null;
    }
    StackTraceElement e = f.toStackTraceElement();
    String where =
        e.getFileName() == null
            ? "Unknown Source"
            : e.getLineNumber() >= 0 ? e.getFileName() + ":" + e.getLineNumber() : e.getFileName();
    return e.getClassName() + "." + e.getMethodName() + "(" + where + ")";
  }

  // ---------------------------------------------------------------- value checks

  /**
   * Row-major position of the first element of {@code t} that is NaN (or, when {@code infinities},
   * NaN or ±∞); -1 if there is none or {@code t} is not floating point.
   */
  static long firstAnomaly(Tensor t, boolean infinities) {
    if (!t.dtype().isFloating() || t.numel() == 0) {
      return -1;
    }
    // The common answer is "none": ask the vectorised kernel over the storage range the view
    // covers, and look for the position only when it says yes.
    int[] range = denseRange(t);
    if (range != null
        && !t.dtype().isStorageOnly()
        && !Reduce.anyNaN(t.storage(), range[0], range[1], infinities)) {
      return -1;
    }
    Storage s = t.storage();
    int[] shape = t.shape();
    int[] strides = t.strides();
    int rank = shape.length;
    int[] index = new int[rank];
    int pos = t.offset();
    long n = t.numel();
    for (long k = 0; k < n; k++) {
      double v = s.f != null ? s.f[pos] : s.d != null ? s.d[pos] : s.getDouble(pos);
      if (Double.isNaN(v) || (infinities && Double.isInfinite(v))) {
        return k;
      }
      for (int d = rank - 1; d >= 0; d--) {
        pos += strides[d];
        if (++index[d] < shape[d]) {
          break;
        }
        pos -= strides[d] * shape[d];
        index[d] = 0;
      }
    }
    return -1;
  }

  /**
   * {offset, length} of the storage range that holds exactly the distinct elements of {@code t},
   * when there is one: contiguous, transposed or permuted views, and expanded ones (a dimension of
   * stride 0 repeats elements without adding any). Null for views with gaps.
   */
  private static int[] denseRange(Tensor t) {
    int[] shape = t.shape();
    int[] strides = t.strides();
    long[] dims = new long[shape.length]; // stride << 32 | size, for the dimensions that matter
    int m = 0;
    for (int d = 0; d < shape.length; d++) {
      if (strides[d] < 0) {
        return null;
      }
      if (shape[d] > 1 && strides[d] > 0) {
        dims[m++] = ((long) strides[d] << 32) | shape[d];
      }
    }
    java.util.Arrays.sort(dims, 0, m);
    long expected = 1;
    for (int i = 0; i < m; i++) {
      if ((dims[i] >>> 32) != expected) {
        return null;
      }
      expected *= (int) dims[i];
    }
    return new int[] {t.offset(), (int) expected};
  }

  /** Anomaly mode's forward check: a NaN in {@code out} when no input had one. */
  static void checkForward(Primitive p, Tensor[] inputs, Tensor out) {
    long at = firstAnomaly(out, false);
    if (at < 0) {
      return;
    }
    for (Tensor in : inputs) {
      if (firstAnomaly(in, false) >= 0) {
        return; // the NaN came in; the op that made it was checked (or ran outside the mode)
      }
    }
    String op = opName(p);
    StackWalker.StackFrame site = callSite();
    throw new AnomalyException(
        "anomaly mode: "
            + op
            + " produced NaN from inputs without NaN (first at "
            + position(out.shape(), at)
            + " of its output); inputs: "
            + describe(inputs)
            + "; output: "
            + describe(out)
            + "; called at "
            + (site == null ? "an unknown place" : format(site))
            + ". Look at the values passed to "
            + op
            + " (log or sqrt of a negative number, 0/0, ∞ - ∞, 0·∞). Infinities alone are"
            + " allowed in the forward pass. If a later where() masks this NaN out on purpose,"
            + " give the operation safe values instead (e.g. where(x > 0, x, 1).log()), which also"
            + " keeps NaN out of its gradient, or use Autograd.detectAnomaly(false) to keep only"
            + " the call sites without checking values",
        p.gradFnName(),
        -1,
        site);
  }

  /**
   * Anomaly mode's backward check: every gradient {@code node} computed for its inputs must be
   * finite. {@code g} is the gradient that flowed into the node.
   */
  static void checkGradients(Node node, Tensor g, Tensor[] grads, boolean[] needs) {
    for (int i = 0; i < grads.length; i++) {
      if (!needs[i] || grads[i] == null) {
        continue;
      }
      long at = firstAnomaly(grads[i], true);
      if (at < 0) {
        continue;
      }
      Tensor gi = grads[i];
      double v = gi.storage().getDouble(offsetOf(gi, at));
      String bad = Double.isNaN(v) ? "NaN" : v > 0 ? "+inf" : "-inf";
      boolean incoming = firstAnomaly(g, true) >= 0;
      throw new AnomalyException(
          "anomaly mode: "
              + node.name()
              + " returned a gradient containing "
              + bad
              + " for its input "
              + i
              + " (first at "
              + position(gi.shape(), at)
              + "); input "
              + i
              + ": "
              + describe(node.inputs[i])
              + ", its gradient: "
              + describe(gi)
              + "; all inputs: "
              + describe(node.inputs)
              + "; output: "
              + describe(node.output)
              + "; "
              + node.name()
              + " was created at "
              + (node.callSite == null
                  ? "an unknown place (it was recorded outside anomaly mode: run the forward"
                      + " inside Autograd.detectAnomaly() too)"
                  : format(node.callSite))
              + (incoming
                  ? ". The gradient flowing into it was already not finite (a head gradient"
                      + " passed to backward, or a sum of gradients that overflowed)"
                  : ". The gradient flowing into it was finite, so this operation made the"
                      + " anomaly: look at the values it received in the forward pass (log,"
                      + " division or sqrt at 0; behind a where(), a masked-out branch still gets"
                      + " a zero gradient and 0/0 or 0·∞ is NaN: give the masked operation safe"
                      + " values, e.g. where(x > 0, x, 1).log())"),
          node.name(),
          i,
          node.callSite);
    }
  }

  /**
   * The tail of the "modified by an in-place operation" message: where the node that saved the
   * tensor was created and where the tensor was modified, or how to find out.
   */
  static String inPlaceSites(Node node, Storage storage) {
    StackWalker.StackFrame written = storage.lastWriterSite();
    if (node.callSite == null && written == null) {
      return ". Run the forward and the in-place update inside Autograd.detectAnomaly() to see the"
          + " Java lines that saved and modified it";
    }
    return ". "
        + node.name()
        + " was created (and saved the tensor) at "
        + (node.callSite == null
            ? "an unknown place (outside anomaly mode)"
            : format(node.callSite))
        + "; "
        + storage.lastWriter()
        + " modified it at "
        + (written == null ? "an unknown place (outside anomaly mode)" : format(written));
  }

  // ---------------------------------------------------------------- formatting

  private static String opName(Primitive p) {
    String name = p.gradFnName();
    return name.endsWith("Backward") ? name.substring(0, name.length() - 8) : name;
  }

  private static String describe(Tensor t) {
    return t == null ? "(freed)" : java.util.Arrays.toString(t.shape()) + " " + t.dtype();
  }

  private static String describe(Tensor[] ts) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < ts.length; i++) {
      b.append(i == 0 ? "" : ", ").append(describe(ts[i]));
    }
    return b.toString();
  }

  /** Row-major position {@code k} as an index, e.g. {@code index [1, 2]}. */
  private static String position(int[] shape, long k) {
    int[] index = new int[shape.length];
    for (int d = shape.length - 1; d >= 0; d--) {
      index[d] = (int) (k % shape[d]);
      k /= shape[d];
    }
    return "index " + java.util.Arrays.toString(index);
  }

  private static int offsetOf(Tensor t, long k) {
    int[] shape = t.shape();
    int[] strides = t.strides();
    int pos = t.offset();
    for (int d = shape.length - 1; d >= 0; d--) {
      pos += (int) (k % shape[d]) * strides[d];
      k /= shape[d];
    }
    return pos;
  }
}
