package nabla;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import nabla.ProgramStep.Op;

/**
 * A generated test program: two leaves {@code x} and {@code y} (shape, memory layout, values) and a
 * list of {@link ProgramStep}s, each a small composition of primitives applied to the running
 * tensor {@code t} (which starts as {@code x}), some of them also reading {@code x} or {@code y}.
 *
 * <p>Programs are built by running them: {@link #generate} draws a step, applies it in float64 to
 * the value so far and keeps it only if the result stays small (at most {@link #MAX_NUMEL}
 * elements), bounded ({@code |v| <= }{@link #MAX_ABS}) and, for a step with a kink, at least {@link
 * #KINK_MARGIN} away from it; every step is smooth elsewhere. So central finite differences are a
 * valid reference for every program, and a float32 run stays close to the float64 run of the same
 * program.
 *
 * <p>{@link #toString()} prints Java source that rebuilds the program, so a failing program can be
 * pasted into a regression test as it is.
 */
record RandomProgram(Leaf x, Leaf y, List<ProgramStep> steps) {

  /** Largest element count of any intermediate value. */
  static final int MAX_NUMEL = 64;

  /** Largest magnitude of any intermediate value. */
  static final double MAX_ABS = 8;

  /**
   * Smallest distance of a kinked step's argument from its kink (or between the two largest entries
   * of a max reduction). Much larger than what a finite-difference step of 1e-6 or float32 rounding
   * can move a value by, so no reference evaluation crosses a kink.
   */
  static final double KINK_MARGIN = 1e-3;

  /** How a leaf's elements are laid out in memory. */
  enum Layout {
    /** Row-major, no gaps. */
    CONTIGUOUS,
    /** Stored with its dimensions reversed and permuted back (a transposed view). */
    PERMUTED,
    /**
     * Every other element along {@code dim}, starting at offset 1, the gaps holding NaN (a 0-d
     * leaf: one element at offset 1 between two NaN).
     */
    STRIDED,
    /** STRIDED over a storage with its dimensions reversed. */
    PERMUTED_STRIDED,
    /** Dimension {@code dim} expanded from size 1 (stride 0); values equal along it. */
    EXPANDED
  }

  /** A leaf: its logical shape and row-major values, and the layout it is built with. */
  record Leaf(int[] shape, Layout layout, int dim, double[] values) {

    /** The leaf in the given dtype with its layout (a view of a differently shaped storage). */
    Tensor tensor(DType dtype) {
      int rank = shape.length;
      return switch (layout) {
        case CONTIGUOUS -> make(values, shape, dtype);
        case PERMUTED -> permuted(make(values, shape, dtype));
        case STRIDED, PERMUTED_STRIDED -> {
          if (rank == 0) {
            yield make(new double[] {Double.NaN, values[0], Double.NaN}, new int[] {3}, dtype)
                .get(1);
          }
          int[] wide = shape.clone();
          wide[dim] = 2 * shape[dim] + 1;
          double[] stored = new double[RandomProgram.numel(wide)];
          int[] at = new int[rank];
          for (int i = 0; i < stored.length; i++) {
            unravel(i, wide, at);
            boolean gap = at[dim] % 2 == 0;
            at[dim] = (at[dim] - 1) / 2;
            stored[i] = gap ? Double.NaN : values[ravel(at, shape)];
          }
          Tensor base = make(stored, wide, dtype);
          yield (layout == Layout.STRIDED ? base : permuted(base)).slice(dim, 1, wide[dim], 2);
        }
        case EXPANDED -> {
          int[] narrow = shape.clone();
          narrow[dim] = 1;
          double[] stored = new double[RandomProgram.numel(narrow)];
          int[] at = new int[rank];
          for (int i = 0; i < stored.length; i++) {
            unravel(i, narrow, at);
            stored[i] = values[ravel(at, shape)];
          }
          yield make(stored, narrow, dtype).expand(shape);
        }
      };
    }

    /** The same values stored with the dimensions reversed, viewed in the original order. */
    private static Tensor permuted(Tensor t) {
      int rank = t.dim();
      int[] reverse = new int[rank];
      for (int i = 0; i < rank; i++) {
        reverse[i] = rank - 1 - i;
      }
      return t.permute(reverse).contiguous().permute(reverse);
    }

    /** The same logical values with other numbers, contiguous (the finite-difference input). */
    Leaf withValues(double[] v) {
      return new Leaf(shape, Layout.CONTIGUOUS, 0, v);
    }

    int numel() {
      return values.length;
    }

    @Override
    public String toString() {
      return "new Leaf("
          + intArray(shape)
          + ", Layout."
          + layout
          + ", "
          + dim
          + ", new double[] {"
          + String.join(", ", Arrays.stream(values).mapToObj(Double::toString).toList())
          + "})";
    }
  }

  static Tensor make(double[] values, int[] shape, DType dtype) {
    return dtype == DType.FLOAT64 ? Tensor.ofDoubles(values, shape) : Tensor.of(values, shape);
  }

  // ------------------------------------------------------------------ running

  /** Runs the program on the given leaves (recording if they require grad and grad mode is on). */
  Tensor run(Tensor xLeaf, Tensor yLeaf) {
    Tensor t = xLeaf;
    for (ProgramStep s : steps) {
      t = s.apply(t, xLeaf, yLeaf, null);
      if (t == null) {
        throw new IllegalStateException(s + " does not apply at this point of " + this);
      }
    }
    return t;
  }

  /** Leaf k: x for 0, y for 1. */
  Leaf leaf(int k) {
    return k == 0 ? x : y;
  }

  /** Runs the program on leaves with leaf k replaced by z. */
  Tensor runWith(Tensor[] leaves, int k, Tensor z) {
    Tensor[] a = leaves.clone();
    a[k] = z;
    return run(a[0], a[1]);
  }

  /** The leaves in a dtype, with their layouts, optionally requiring grad. */
  Tensor[] leaves(DType dtype, boolean requiresGrad) {
    return leaves(dtype, dtype, requiresGrad);
  }

  /** The leaves, x in one dtype and y in another. */
  Tensor[] leaves(DType xType, DType yType, boolean requiresGrad) {
    return new Tensor[] {
      x.tensor(xType).requiresGrad(requiresGrad), y.tensor(yType).requiresGrad(requiresGrad)
    };
  }

  /**
   * Whether every step applies and keeps its value small, bounded and away from kinks, evaluated in
   * float64 with the program's layouts (what {@link #generate} guarantees; shrinking uses it).
   */
  boolean valid() {
    if (steps.isEmpty()) {
      return false;
    }
    try (var g = Autograd.noGrad()) {
      Tensor[] in = leaves(DType.FLOAT64, false);
      Tensor t = in[0];
      for (ProgramStep s : steps) {
        t = acceptable(s, t, in[0], in[1]);
        if (t == null) {
          return false;
        }
      }
      return true;
    }
  }

  /** t after step s if that result is acceptable, else null (must run under noGrad). */
  static Tensor acceptable(ProgramStep s, Tensor t, Tensor x, Tensor y) {
    ProgramStep.Kinks k = new ProgramStep.Kinks();
    Tensor u = s.apply(t, x, y, k);
    if (u == null || u.numel() > MAX_NUMEL || u.numel() == 0 || k.distance < KINK_MARGIN) {
      return null;
    }
    for (double v : u.toDoubleArray()) {
      if (!(Math.abs(v) <= MAX_ABS)) {
        return null;
      }
    }
    return u;
  }

  /** The shapes of t after each step (for failure messages). */
  String trace() {
    StringBuilder b = new StringBuilder("x" + Arrays.toString(x.shape()));
    try (var g = Autograd.noGrad()) {
      Tensor[] in = leaves(DType.FLOAT64, false);
      Tensor t = in[0];
      for (ProgramStep s : steps) {
        t = s.apply(t, in[0], in[1], null);
        b.append(" -").append(s.op()).append("-> ");
        if (t == null) {
          return b.append("(does not apply)").toString();
        }
        b.append(Arrays.toString(t.shape()));
      }
    }
    return b.toString();
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("new RandomProgram(\n    " + x + ",\n    " + y + ",\n");
    b.append("    List.of(");
    for (int i = 0; i < steps.size(); i++) {
      b.append(i == 0 ? "" : ", ").append(steps.get(i));
    }
    return b.append("))").toString();
  }

  // ------------------------------------------------------------------ generation

  private static final int[][] SHAPES = {
    {}, {1}, {3}, {5}, {2, 3}, {3, 2}, {1, 4}, {4, 1}, {3, 4}, {2, 2, 2}, {2, 1, 3}, {2, 3, 4}
  };

  /** A program of 3 to 8 steps drawn from {@code seed}; the same seed gives the same program. */
  static RandomProgram generate(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] xs = SHAPES[r.nextInt(SHAPES.length)];
    Leaf x = leaf(r, xs);
    Leaf y = leaf(r, yShape(r, xs));
    int length = 3 + r.nextInt(6);
    Op[] ops = Op.values();
    List<ProgramStep> steps = new ArrayList<>();
    try (var g = Autograd.noGrad()) {
      Tensor xt = x.tensor(DType.FLOAT64);
      Tensor yt = y.tensor(DType.FLOAT64);
      Tensor t = xt;
      boolean readsY = false;
      while (steps.size() < length) {
        boolean last = steps.size() == length - 1;
        Tensor next = null;
        for (int attempt = 0; next == null; attempt++) {
          // The last step reads y if no step has yet, so every program has a gradient for y.
          Op op = last && !readsY ? READS_Y[r.nextInt(READS_Y.length)] : ops[r.nextInt(ops.length)];
          ProgramStep s = new ProgramStep(attempt < 50 ? op : Op.TANH, r.nextInt(8), r.nextInt(8));
          next = acceptable(s, t, xt, yt);
          if (next != null) {
            steps.add(s);
            readsY |= Arrays.asList(READS_Y).contains(s.op());
          }
        }
        t = next;
      }
    }
    return new RandomProgram(x, y, List.copyOf(steps));
  }

  private static final Op[] READS_Y =
      Arrays.stream(Op.values()).filter(o -> o.name().endsWith("_Y")).toArray(Op[]::new);

  /** y's shape: x's, x's with some sizes set to 1, a suffix of x's, a scalar, or any other. */
  private static int[] yShape(SplittableRandom r, int[] xs) {
    return switch (r.nextInt(5)) {
      case 0 -> xs.clone();
      case 1 -> {
        int[] s = xs.clone();
        for (int i = 0; i < s.length; i++) {
          s[i] = r.nextBoolean() ? 1 : s[i];
        }
        yield s;
      }
      case 2 -> Arrays.copyOfRange(xs, r.nextInt(xs.length + 1), xs.length);
      case 3 -> new int[0];
      default -> SHAPES[r.nextInt(SHAPES.length)].clone();
    };
  }

  /** A leaf of that shape with a random layout that the shape allows and float32-exact values. */
  private static Leaf leaf(SplittableRandom r, int[] shape) {
    int rank = shape.length;
    Layout layout = Layout.values()[r.nextInt(Layout.values().length)];
    int dim = rank == 0 ? 0 : r.nextInt(rank);
    if (rank < 2 && (layout == Layout.PERMUTED || layout == Layout.PERMUTED_STRIDED)) {
      layout = Layout.STRIDED;
    }
    if (layout == Layout.EXPANDED && (rank == 0 || shape[dim] == 1)) {
      layout = Layout.CONTIGUOUS;
    }
    double[] v = new double[numel(shape)];
    int[] at = new int[rank];
    for (int i = 0; i < v.length; i++) {
      unravel(i, shape, at);
      if (layout == Layout.EXPANDED && at[dim] > 0) {
        at[dim] = 0;
        v[i] = v[ravel(at, shape)];
      } else {
        v[i] = (float) r.nextDouble(-1.5, 1.5);
      }
    }
    return new Leaf(shape, layout, layout == Layout.CONTIGUOUS ? 0 : dim, v);
  }

  // ------------------------------------------------------------------ shrinking

  /**
   * A smaller program for which {@code stillFails} holds: greedily drops steps, makes y a scalar,
   * makes layouts contiguous, rounds values to quarters and zeroes step parameters, keeping each
   * change that leaves a valid program that still fails.
   */
  RandomProgram shrink(Predicate<RandomProgram> stillFails) {
    RandomProgram p = this;
    boolean progress = true;
    while (progress) {
      progress = false;
      for (RandomProgram c : p.simpler()) {
        if (c.valid() && stillFails.test(c)) {
          p = c;
          progress = true;
          break;
        }
      }
    }
    return p;
  }

  private List<RandomProgram> simpler() {
    RandomProgram p = this;
    List<RandomProgram> out = new ArrayList<>();
    List<ProgramStep> steps = p.steps();
    for (int i = 0; i < steps.size(); i++) {
      List<ProgramStep> fewer = new ArrayList<>(steps);
      fewer.remove(i);
      out.add(new RandomProgram(p.x(), p.y(), fewer));
    }
    Leaf x = p.x();
    Leaf y = p.y();
    if (y.shape().length > 0) {
      out.add(
          new RandomProgram(
              x, new Leaf(new int[0], Layout.CONTIGUOUS, 0, new double[] {y.values()[0]}), steps));
    }
    for (Leaf simple : simpler(x)) {
      out.add(new RandomProgram(simple, y, steps));
    }
    for (Leaf simple : simpler(y)) {
      out.add(new RandomProgram(x, simple, steps));
    }
    for (int i = 0; i < steps.size(); i++) {
      ProgramStep s = steps.get(i);
      for (ProgramStep t :
          List.of(new ProgramStep(s.op(), 0, s.b()), new ProgramStep(s.op(), s.a(), 0))) {
        if (!t.equals(s)) {
          List<ProgramStep> changed = new ArrayList<>(steps);
          changed.set(i, t);
          out.add(new RandomProgram(x, y, changed));
        }
      }
    }
    return out;
  }

  private static List<Leaf> simpler(Leaf l) {
    List<Leaf> out = new ArrayList<>();
    if (l.layout() != Layout.CONTIGUOUS) {
      out.add(new Leaf(l.shape(), Layout.CONTIGUOUS, 0, l.values()));
    }
    double[] rounded = l.values().clone();
    for (int i = 0; i < rounded.length; i++) {
      rounded[i] = Math.round(rounded[i] * 4) / 4.0;
    }
    if (!Arrays.equals(rounded, l.values())) {
      out.add(new Leaf(l.shape(), l.layout(), l.dim(), rounded));
    }
    return out;
  }

  // ------------------------------------------------------------------ shapes

  static int numel(int[] shape) {
    int n = 1;
    for (int s : shape) {
      n *= s;
    }
    return n;
  }

  /** The NumPy broadcast of two shapes, or null if they do not broadcast. */
  static int[] broadcast(int[] a, int[] b) {
    int r = Math.max(a.length, b.length);
    int[] out = new int[r];
    for (int i = 1; i <= r; i++) {
      int p = i <= a.length ? a[a.length - i] : 1;
      int q = i <= b.length ? b[b.length - i] : 1;
      if (p != q && p != 1 && q != 1) {
        return null;
      }
      out[r - i] = Math.max(p, q);
    }
    return out;
  }

  static void unravel(int flat, int[] shape, int[] at) {
    for (int d = shape.length - 1; d >= 0; d--) {
      at[d] = flat % shape[d];
      flat /= shape[d];
    }
  }

  static int ravel(int[] at, int[] shape) {
    int flat = 0;
    for (int d = 0; d < shape.length; d++) {
      flat = flat * shape[d] + at[d];
    }
    return flat;
  }

  static String intArray(int[] a) {
    return "new int[] {"
        + String.join(", ", Arrays.stream(a).mapToObj(Integer::toString).toList())
        + "}";
  }
}
