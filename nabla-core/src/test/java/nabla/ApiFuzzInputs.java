package nabla;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import nabla.ApiFuzzTest.Target;
import nabla.storage.Storage;

/**
 * The inputs of {@link ApiFuzzTest}: one generator per parameter type, a pool of tensors (fresh
 * ones and results of earlier calls), small recorded graphs for the backward family, user functions
 * for the transforms (named ones, and chains of random Tensor methods), and the inputs excluded
 * because they hit a defect the lead engineer is fixing.
 *
 * <p>Generated values lean towards trouble but keep every legitimate allocation small: pool tensors
 * have at most {@value #MAX_POOL_NUMEL} elements and no dimension above {@value #MAX_POOL_DIM}, a
 * size is either small or large enough to overflow an int element count, and a receiver is large
 * (tens of thousands of elements, for the multi-threaded kernels) only now and then, with arguments
 * shaped after it.
 */
final class ApiFuzzInputs {
  static final int MAX_POOL_NUMEL = 512;
  static final int MAX_POOL_DIM = 64;
  private static final int POOL_SIZE = 48;

  /** Nulls per thousand reference arguments ({@code -Dnabla.fuzz.nulls}). */
  private static final int NULL_PER_MILLE = Integer.getInteger("nabla.fuzz.nulls", 20);

  final SplittableRandom rnd;
  final List<Target> targets = ApiFuzzTest.targets();
  private final Tensor[] pool = new Tensor[POOL_SIZE];

  /** Seeds the generators, including this thread's {@link Generator} (randn, rand, ...). */
  ApiFuzzInputs(long seed) {
    rnd = new SplittableRandom(seed);
    Generator.manualSeed(seed);
    for (int i = 0; i < pool.length; i++) {
      pool[i] = freshTensor(randomShape(), randomDType());
    }
  }

  /** Replaces a random pool entry with a fresh tensor. */
  void refreshPool() {
    pool[rnd.nextInt(pool.length)] = freshTensor(randomShape(), randomDType());
  }

  // ------------------------------------------------------------------ the pool

  /** Puts small results back into the pool, so later calls see graphs and views of graphs. */
  void keep(Object result) {
    if (result instanceof Tensor t) {
      if (fitsPool(t) && rnd.nextInt(3) == 0) {
        pool[rnd.nextInt(pool.length)] = t;
      }
    } else if (result instanceof Tensor[] ts && ts.length > 0) {
      keep(ts[rnd.nextInt(ts.length)]);
    } else if (result instanceof Autograd.ValueAndGrad vg) {
      keep(rnd.nextBoolean() ? vg.value() : vg.grad());
    }
  }

  /**
   * At most {@code max} elements and no dimension above {@code max}: a reduction over a 0-sized
   * dimension of [2^31-1, 0] would otherwise legitimately allocate 2^31-1 elements.
   */
  private static boolean isSmall(Tensor t, int max) {
    for (int s : t.shape()) {
      if (s > max) {
        return false;
      }
    }
    return t.numel() <= max;
  }

  private static boolean fitsPool(Tensor t) {
    if (t == null) {
      return false;
    }
    long n = 1;
    for (int s : t.shape()) {
      if (s > MAX_POOL_DIM) {
        return false;
      }
      n *= s;
    }
    return n <= MAX_POOL_NUMEL && t.dim() <= 6;
  }

  // ---------------------------------------------------------------- exclusions

  /**
   * Inputs that are legal but would allocate too much for a fuzz run: an {@code arange} of more
   * than a million elements (the overflowing and non-finite ones are still fuzzed: they must be
   * rejected before anything is allocated).
   */
  boolean excluded(Target t, Tensor receiver, Object[] a) {
    double size = resultSize(t.name(), receiver, a);
    if (size > 1e6 && size <= Integer.MAX_VALUE) {
      return true; // a legal result too large for a fuzz run (larger ones must be rejected)
    }
    if (!t.name().equals("arange") || a.length == 0 || !(a[0] instanceof Number)) {
      return false;
    }
    double start = a.length == 1 ? 0 : ((Number) a[0]).doubleValue();
    double end = ((Number) a[a.length == 1 ? 0 : 1]).doubleValue();
    double step = a.length == 3 ? ((Number) a[2]).doubleValue() : 1;
    double n = (end - start) / step;
    return Double.isFinite(n) && n > 1e6 && n <= Integer.MAX_VALUE;
  }

  /**
   * The element count of the result of the shape operations that multiply sizes (repeat, tile,
   * repeatInterleave, kron, outer, tensordot, diag, diagEmbed, meshgrid), 0 for other calls or null
   * inputs.
   */
  private static double resultSize(String name, Tensor x, Object[] a) {
    if (x == null && !name.equals("meshgrid")) {
      return 0;
    }
    double n = x == null ? 0 : x.numel();
    switch (name) {
      case "repeat", "tile" -> {
        double p = n;
        if (a.length == 1 && a[0] instanceof int[] r) {
          for (int v : r) {
            p *= Math.abs((double) v);
          }
        }
        return p;
      }
      case "repeatInterleave" -> {
        return a.length > 0 && a[0] instanceof Integer r ? n * Math.abs((double) r) : 0;
      }
      case "kron", "outer" -> {
        return a.length > 0 && a[0] instanceof Tensor o ? n * o.numel() : 0;
      }
      case "tensordot" -> {
        // the contracted dims divide both sizes; with none (or unknown) it is an outer product
        if (!(a.length > 0 && a[0] instanceof Tensor o)) {
          return 0;
        }
        double contracted = 1;
        if (a.length > 1 && a[1] instanceof Integer d && d > 0 && d <= x.dim()) {
          for (int i = x.dim() - d; i < x.dim(); i++) {
            contracted *= Math.max(1, x.shape()[i]);
          }
        }
        return n * o.numel() / (contracted * contracted);
      }
      case "diag", "diagEmbed" -> {
        double k = a.length > 0 && a[0] instanceof Integer o ? Math.abs((double) o) : 0;
        double last = x.dim() > 0 ? x.shape()[x.dim() - 1] : 1;
        return n / Math.max(last, 1) * (last + k) * (last + k);
      }
      case "meshgrid" -> {
        double p = 1;
        if (a.length == 1 && a[0] instanceof Tensor[] ts) {
          for (Tensor t : ts) {
            p *= t == null ? 1 : t.numel();
          }
        }
        return p;
      }
      default -> {
        return 0;
      }
    }
  }

  // ---------------------------------------------------------------- argument generators

  /**
   * The state of one argument list being generated: the tensor the other arguments are shaped after
   * (the receiver, or the first tensor argument of a static method), and, for the backward family,
   * a small graph whose output and leaves the arguments use.
   */
  private static final class Context {
    Tensor like;
    Graph graph;
    int tensorsSeen;
    int arraysSeen;
    int[] lastIntArray;
  }

  /** A recorded computation: its output and the leaves it depends on. */
  record Graph(Tensor output, Tensor[] leaves) {}

  /** Equations for {@code einsum}: valid ones of several arities, and malformed ones. */
  private static final String[] EQUATIONS = {
    "ij,jk->ik",
    "i,i->",
    "ii",
    "ii->i",
    "...ij->...ji",
    "ij",
    "i,j",
    "bij,bjk->bik",
    "...,...",
    "ij,jk,kl",
    "i",
    "",
    "->",
    "ij->k",
    "ij->ii",
    "i..j",
    "i......",
    "ij->->j",
    "i#j",
    "a,b,c->abc",
    "...i,...i->...",
    "iij->j",
    " i j -> j i "
  };

  /** Methods whose first tensor parameter is an int64 index. */
  private static final Set<String> INDEX_METHODS =
      Set.of("gather", "scatterAdd", "indexSelect", "crossEntropy");

  /** Methods whose Tensor[] parameter is a list of index tensors (advanced indexing). */
  private static final Set<String> INDEX_LIST_METHODS =
      Set.of("index", "indexPut", "indexPutInPlace");

  /** Methods whose first tensor parameter is a bool mask. */
  private static final Set<String> MASK_METHODS = Set.of("maskedFill", "maskedFillInPlace");

  private static final Set<String> GRAPH_METHODS =
      Set.of("backward", "grad", "retainGrad", "gradFn", "isLeaf", "zeroGrad", "gradient");

  Object[] arguments(Target t, Tensor receiver) {
    Class<?>[] types = t.method().getParameterTypes();
    Object[] a = new Object[types.length];
    Context c = new Context();
    c.like = receiver;
    if (GRAPH_METHODS.contains(t.name()) && rnd.nextInt(3) != 0) {
      c.graph = graph();
    }
    // Tensors first (ints are shaped after them), then int arrays, numbers, and data arrays
    // last (so that their length can match a shape).
    for (int pass = 0; pass < 4; pass++) {
      for (int i = 0; i < types.length; i++) {
        if (generationPass(types[i]) == pass) {
          a[i] = pass == 3 ? data(types[i], dataLength(a)) : argument(t, i, types[i], c);
        }
      }
    }
    return a;
  }

  /** The receiver for a call: a pool tensor, or a graph's output for the backward family. */
  Tensor receiver(Target t) {
    if (GRAPH_METHODS.contains(t.name()) && rnd.nextBoolean()) {
      return graph().output();
    }
    if (rnd.nextInt(100) == 0) {
      // Large enough for the multi-threaded and blocked kernel paths (about 20k to 70k elements).
      int[] shape =
          rnd.nextBoolean()
              ? new int[] {rnd.nextInt(100, 260), rnd.nextInt(200, 270)}
              : new int[] {rnd.nextInt(2, 5), rnd.nextInt(60, 120), rnd.nextInt(60, 130)};
      return freshTensor(shape, randomDType());
    }
    return pick();
  }

  private static int generationPass(Class<?> c) {
    return isData(c) ? 3 : c == int[].class ? 1 : c.isPrimitive() ? 2 : 0;
  }

  private static boolean isData(Class<?> c) {
    return c == double[].class || c == float[].class || c == long[].class || c == boolean[].class;
  }

  private Object argument(Target t, int index, Class<?> type, Context c) {
    String name = t.name();
    if (!type.isPrimitive() && rnd.nextInt(1000) < NULL_PER_MILLE) {
      return null;
    }
    if (type == int.class) {
      return name.equals("linspace") ? smallOrNegative() : anInt(c.like);
    }
    if (type == long.class) {
      return aLong();
    }
    if (type == double.class) {
      return aDouble();
    }
    if (type == boolean.class) {
      return rnd.nextBoolean();
    }
    if (type == String.class && name.equals("einsum")) { // valid, broadcasting and bad equations
      return EQUATIONS[rnd.nextInt(EQUATIONS.length)];
    }
    if (type == String.class) { // gelu's approximate: the valid names, and one that is not
      return new String[] {"none", "tanh", "Tanh", ""}[rnd.nextInt(4)];
    }
    if (type == int[].class) {
      int[] a =
          c.lastIntArray != null && rnd.nextBoolean()
              ? sameLength(c.lastIntArray)
              : intArray(c.like);
      c.lastIntArray = a;
      return a;
    }
    if (type == Tensor.class) {
      Tensor x;
      if (c.graph != null && t.owner() == GradientTape.class) {
        // gradient(target, source): the output, then a leaf
        Tensor[] leaves = someOf(c.graph.leaves());
        x = c.tensorsSeen == 0 ? c.graph.output() : leaves.length > 0 ? leaves[0] : pick();
      } else if (c.graph != null) {
        x = c.tensorsSeen == 0 && t.isStatic() ? c.graph.output() : head(c.graph.output());
      } else if (c.tensorsSeen == 0 && INDEX_METHODS.contains(name) && rnd.nextInt(4) != 0) {
        x = index(c.like);
      } else if (c.tensorsSeen == 0 && MASK_METHODS.contains(name) && rnd.nextInt(4) != 0) {
        x = mask(c.like);
      } else {
        x = tensor(c.like);
      }
      c.tensorsSeen++;
      if (c.like == null) {
        c.like = x;
      }
      return x;
    }
    if (type == Tensor[].class) {
      Tensor[] a;
      boolean last = index == t.method().getParameterCount() - 1;
      if (c.graph != null) {
        Tensor y = c.graph.output();
        a = last ? someOf(c.graph.leaves()) : c.arraysSeen == 0 ? new Tensor[] {y} : heads(y);
      } else if (INDEX_LIST_METHODS.contains(name) && c.like != null && rnd.nextInt(4) != 0) {
        a = indexList(c.like);
      } else {
        a = tensors(c.like);
      }
      c.arraysSeen++;
      if (c.like == null && a != null && a.length > 0) {
        c.like = a[0];
      }
      return a;
    }
    if (type == DType.class) {
      return randomDType();
    }
    if (type == Storage.class) {
      return rnd.nextBoolean()
          ? pick().storage()
          : Storage.allocate(randomDType(), rnd.nextInt(0, 13));
    }
    if (type == Integer[].class) {
      // vmap's input axes: one per argument, some null (not mapped), some out of range
      Integer[] axes = new Integer[rnd.nextInt(0, 4)];
      for (int i = 0; i < axes.length; i++) {
        axes[i] = rnd.nextInt(4) == 0 ? null : rnd.nextInt(-3, 4);
      }
      return axes;
    }
    if (type == double[][].class || type == double[][][].class) {
      // nested arrays, sometimes ragged or with a null row
      int rows = rnd.nextInt(0, 4);
      double[][] m = new double[rows][];
      int len = rnd.nextInt(0, 4);
      for (int i = 0; i < rows; i++) {
        m[i] = rnd.nextInt(8) == 0 ? null : new double[rnd.nextInt(6) == 0 ? len + 1 : len];
      }
      return type == double[][].class ? m : new double[][][] {m, m};
    }
    if (type == java.util.function.Supplier.class) {
      return (java.util.function.Supplier<Object>) () -> tensor(null).mul(2);
    }
    if (type == Function.class) {
      Function<Tensor, Tensor> f =
          rnd.nextBoolean()
              ? new Chain()
              : ApiFuzzFunctions.FUNCTIONS.get(rnd.nextInt(ApiFuzzFunctions.FUNCTIONS.size()));
      if (name.equals("gradWithAux")) {
        return new ApiFuzzFunctions.AuxFn(rnd.nextInt(8) == 0 ? "aux of null" : "aux of " + f, f);
      }
      return f;
    }
    if (type == java.util.function.Consumer.class) {
      // a post-accumulate hook: reads the gradient, sometimes clears it
      boolean clear = rnd.nextBoolean();
      return (java.util.function.Consumer<Tensor>)
          leaf -> {
            if (clear) {
              leaf.zeroGrad();
            } else if (leaf.grad() != null) {
              leaf.grad().sum();
            }
          };
    }
    if (type == Autograd.MultiOutputFunction.class) {
      return ApiFuzzFunctions.MULTI_OUTPUT_FUNCTIONS.get(
          rnd.nextInt(ApiFuzzFunctions.MULTI_OUTPUT_FUNCTIONS.size()));
    }
    if (type == Autograd.Unused.class) {
      return Autograd.Unused.values()[rnd.nextInt(Autograd.Unused.values().length)];
    }
    if (type == Autograd.MultiFunction.class) {
      return ApiFuzzFunctions.MULTI_FUNCTIONS.get(
          rnd.nextInt(ApiFuzzFunctions.MULTI_FUNCTIONS.size()));
    }
    throw new AssertionError(
        "no argument generator for parameter "
            + index
            + " ("
            + type.getName()
            + ") of "
            + t
            + "; add one to ApiFuzzInputs");
  }

  /**
   * A user function made of random public Tensor methods (with generated arguments) applied in turn
   * to x, so the transforms differentiate every operation, to first and second order. A step that
   * rejects its arguments is skipped; any other exception propagates. Arguments are generated once
   * per step and input shape, so the function is the same on every application (jacfwd applies it
   * once per column). Its string is the log of its last application.
   */
  final class Chain implements Function<Tensor, Tensor> {
    private final List<Target> steps = new ArrayList<>();
    private final Map<String, StepCall> calls = new HashMap<>();
    private final StringBuilder log = new StringBuilder();

    /** A step's arguments (null: excluded) and their description when they were generated. */
    private record StepCall(Object[] args, String description) {}

    Chain() {
      int n = rnd.nextInt(1, 5);
      while (steps.size() < n) {
        Target t = targets.get(rnd.nextInt(targets.size()));
        if (!t.isStatic()
            && t.owner() == Tensor.class
            && t.method().getReturnType() == Tensor.class) {
          steps.add(t);
        }
      }
    }

    private StepCall call(int i, Tensor y) {
      String key = i + " " + y.dtype() + Arrays.toString(y.shape());
      StepCall c = calls.get(key);
      if (c == null) {
        Target t = steps.get(i);
        Object[] args = arguments(t, y);
        c =
            excluded(t, y, args)
                ? new StepCall(null, "")
                : new StepCall(args, ApiFuzzTest.describe(t, y, args));
        calls.put(key, c);
      }
      return c;
    }

    @Override
    public Tensor apply(Tensor x) {
      log.setLength(0);
      log.append("x -> chain of ").append(steps.size()).append(" steps:");
      Tensor y = x;
      for (int i = 0; i < steps.size(); i++) {
        StepCall c = call(i, y);
        if (c.args() == null) {
          continue;
        }
        log.append("\n          ").append(c.description().replace("\n", "\n          "));
        Object r;
        try {
          r = ApiFuzzTest.invoke(steps.get(i), y, c.args());
        } catch (IllegalArgumentException
            | IllegalStateException
            | UnsupportedOperationException e) {
          log.append(" -> rejected: ").append(e.getMessage());
          continue;
        } catch (IndexOutOfBoundsException e) {
          if (e.getClass() != IndexOutOfBoundsException.class) {
            throw e;
          }
          log.append(" -> rejected: ").append(e.getMessage());
          continue;
        } catch (RuntimeException | Error e) {
          throw e;
        } catch (Throwable e) {
          throw new AssertionError(e);
        }
        if (r instanceof Tensor next && isSmall(next, 2 * MAX_POOL_NUMEL)) {
          y = next;
        }
      }
      return y;
    }

    @Override
    public String toString() {
      return log.length() == 0 ? "x -> chain (not applied)" : log.toString();
    }
  }

  /** Another int array of the same length (strides for a shape, say). */
  private int[] sameLength(int[] a) {
    int[] r = new int[a.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = rnd.nextInt(8) == 0 ? anInt(null) : rnd.nextInt(-2, 6);
    }
    return r;
  }

  /**
   * A small graph: one or two leaves that require grad (one of them maybe a view), through one to
   * three operations. Built with recording on whatever scope is open.
   */
  private Graph graph() {
    int[] shape = randomShape();
    DType dt = rnd.nextBoolean() ? DType.FLOAT32 : DType.FLOAT64;
    Tensor a = freshTensor(shape, dt).detach().requiresGrad(true);
    Tensor b = freshTensor(rnd.nextBoolean() ? shape : new int[0], dt);
    if (rnd.nextBoolean()) {
      b = b.detach().requiresGrad(true);
    }
    Tensor y = a;
    try (Autograd.Scope s = Autograd.enableGrad()) {
      int steps = rnd.nextInt(1, 4);
      for (int i = 0; i < steps; i++) {
        y =
            switch (rnd.nextInt(9)) {
              case 0 -> y.sin();
              case 1 -> y.mul(b);
              case 2 -> y.sum();
              case 3 -> y.tanh().mean();
              case 4 -> y.relu().add(b);
              case 5 -> y.pow(2);
              case 6 -> y.dim() > 0 ? y.softmax(-1) : y.exp();
              case 7 -> y.transpose().reshape(-1);
              default -> y.dim() > 0 ? y.slice(0, 0, 2) : y.neg();
            };
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      // An operation did not fit this shape: the graph ends where it got to.
    }
    return new Graph(y, b.requiresGrad() ? new Tensor[] {a, b} : new Tensor[] {a});
  }

  /** A head gradient for y: mostly of y's shape, sometimes another (from the pool). */
  private Tensor head(Tensor y) {
    int r = rnd.nextInt(10);
    if (r < 6) {
      return freshTensor(y.shape(), r < 4 ? y.dtype() : randomDType());
    }
    return r < 8 ? y.onesLike() : tensor(y);
  }

  private Tensor[] heads(Tensor y) {
    return rnd.nextInt(10) == 0 ? new Tensor[] {head(y), head(y)} : new Tensor[] {head(y)};
  }

  /** Some of the leaves, in some order, sometimes with a tensor from the pool added. */
  private Tensor[] someOf(Tensor[] leaves) {
    List<Tensor> l = new ArrayList<>(Arrays.asList(leaves));
    if (rnd.nextInt(4) == 0) {
      l.remove(rnd.nextInt(l.size()));
    }
    if (rnd.nextInt(8) == 0) {
      l.add(pick());
    }
    if (l.size() > 1 && rnd.nextBoolean()) {
      java.util.Collections.reverse(l);
    }
    return l.toArray(new Tensor[0]);
  }

  /** Mostly small ints (valid sizes, axes and indices), sometimes extreme ones. */
  private int anInt(Tensor like) {
    int r = rnd.nextInt(100);
    if (r < 60 && like != null) {
      // a valid axis, or an index along dimension 0
      int rank = Math.max(1, like.dim());
      int size0 = like.dim() > 0 ? Math.max(1, like.shape()[0]) : 1;
      return rnd.nextInt(3) != 0 ? rnd.nextInt(-rank, rank) : rnd.nextInt(-size0, size0);
    }
    if (r < 80) {
      return rnd.nextInt(-3, 7);
    }
    if (r < 90) {
      return rnd.nextInt(7, 20);
    }
    return HOSTILE_INTS[rnd.nextInt(HOSTILE_INTS.length)];
  }

  /**
   * Extremes. A positive one is either ≤ 700 or ≥ 46341 (whose square overflows an int), so that a
   * size argument like eye(n) is either small or an overflow, never a legitimate allocation of
   * gigabytes.
   */
  private static final int[] HOSTILE_INTS = {
    Integer.MIN_VALUE,
    Integer.MIN_VALUE + 1,
    -65_536,
    -100,
    700,
    65_536,
    1 << 20,
    1 << 30,
    Integer.MAX_VALUE - 1,
    Integer.MAX_VALUE
  };

  /** A size that is never large: a length like linspace's steps is a legitimate allocation. */
  private int smallOrNegative() {
    return rnd.nextInt(10) == 0 ? Integer.MIN_VALUE + rnd.nextInt(2) : rnd.nextInt(-3, 20);
  }

  private long aLong() {
    int r = rnd.nextInt(100);
    if (r < 80) {
      return rnd.nextLong(-3, 10);
    }
    long[] extreme = {Long.MIN_VALUE, Long.MAX_VALUE, 1L << 40, -(1L << 40), 0};
    return extreme[rnd.nextInt(extreme.length)];
  }

  private static final double[] SPECIAL_DOUBLES = {
    Double.NaN,
    Double.POSITIVE_INFINITY,
    Double.NEGATIVE_INFINITY,
    0.0,
    -0.0,
    Double.MAX_VALUE,
    -Double.MAX_VALUE,
    Double.MIN_VALUE,
    1e300,
    -1e300,
    1e-300,
    1e30,
    0.5
  };

  private double aDouble() {
    int r = rnd.nextInt(100);
    if (r < 55) {
      return Math.round(nextGaussian() * 300) / 100.0;
    }
    if (r < 80) {
      return rnd.nextInt(-3, 8);
    }
    return SPECIAL_DOUBLES[rnd.nextInt(SPECIAL_DOUBLES.length)];
  }

  private double nextGaussian() {
    double u = rnd.nextDouble(1e-12, 1);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
  }

  /**
   * Shapes, axes and permutations: small ones, variations of the receiver's shape (so that reshape,
   * expand, permute succeed often), and hostile ones.
   */
  private int[] intArray(Tensor receiver) {
    int r = rnd.nextInt(100);
    if (r < 30) {
      int[] a = new int[rnd.nextInt(0, 5)];
      for (int i = 0; i < a.length; i++) {
        a[i] = rnd.nextInt(6) == 0 ? rnd.nextInt(-3, 0) : rnd.nextInt(0, 6);
      }
      return a;
    }
    if (r < 55 && receiver != null) {
      return receiverVariation(receiver);
    }
    if (r < 75) {
      int[] a = new int[rnd.nextInt(0, 4)];
      for (int i = 0; i < a.length; i++) {
        a[i] = rnd.nextInt(-5, 5);
      }
      return a;
    }
    if (r < 90) {
      return HOSTILE_SHAPES[rnd.nextInt(HOSTILE_SHAPES.length)].clone();
    }
    return randomShape();
  }

  /**
   * Shapes whose element count overflows an int (but not a long), or with negative sizes, or a 0
   * beside a huge size.
   */
  private static final int[][] HOSTILE_SHAPES = {
    {65_536, 65_536},
    {Integer.MAX_VALUE, 2},
    {2, Integer.MAX_VALUE},
    {1 << 20, 1 << 12},
    {46_341, 46_341},
    {-1},
    {-1, -1},
    {Integer.MIN_VALUE},
    {3, -2},
    {0, Integer.MAX_VALUE},
    {Integer.MAX_VALUE, 0},
    {-1, Integer.MAX_VALUE},
    {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
  };

  private int[] receiverVariation(Tensor x) {
    int[] s = x.shape();
    switch (rnd.nextInt(6)) {
      case 0: // the shape itself
        return s;
      case 1: // a permutation (reversed or rotated)
        {
          int[] p = new int[s.length];
          int shift = s.length == 0 ? 0 : rnd.nextInt(s.length);
          for (int i = 0; i < p.length; i++) {
            p[i] = (i + shift) % p.length;
          }
          if (p.length > 0 && rnd.nextBoolean()) {
            p[0] = -p.length + p[0]; // a negative axis
          }
          return p;
        }
      case 2: // flattened with -1, or numel
        return rnd.nextBoolean() ? new int[] {-1} : new int[] {x.numel()};
      case 3: // a leading dimension added (expand), or -1 kept
        {
          int[] e = new int[s.length + 1];
          e[0] = rnd.nextInt(0, 4);
          for (int i = 0; i < s.length; i++) {
            e[i + 1] = rnd.nextInt(3) == 0 ? -1 : s[i];
          }
          return e;
        }
      case 4: // one size changed
        {
          if (s.length > 0) {
            s[rnd.nextInt(s.length)] = rnd.nextInt(-1, 5);
          }
          return s;
        }
      default: // axes of the receiver, possibly repeated or negative
        {
          int[] a = new int[rnd.nextInt(0, Math.max(1, s.length) + 1)];
          for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextInt(-s.length - 1, s.length + 1);
          }
          return a;
        }
    }
  }

  private int dataLength(Object[] args) {
    for (Object o : args) {
      if (o instanceof int[] shape && rnd.nextInt(5) != 0) {
        long n = 1;
        for (int s : shape) {
          n *= s;
        }
        if (n >= 0 && n <= 1000) {
          return (int) n;
        }
      }
    }
    return rnd.nextInt(0, 9);
  }

  private Object data(Class<?> type, int n) {
    return rnd.nextInt(1000) < NULL_PER_MILLE ? null : values(type, n);
  }

  private Object values(Class<?> type, int n) {
    if (type == double[].class) {
      double[] d = new double[n];
      for (int i = 0; i < n; i++) {
        d[i] = value();
      }
      return d;
    }
    if (type == float[].class) {
      float[] f = new float[n];
      for (int i = 0; i < n; i++) {
        f[i] = (float) value();
      }
      return f;
    }
    if (type == long[].class) {
      long[] l = new long[n];
      for (int i = 0; i < n; i++) {
        l[i] = rnd.nextInt(10) == 0 ? aLong() : rnd.nextLong(-1, 6);
      }
      return l;
    }
    boolean[] b = new boolean[n];
    for (int i = 0; i < n; i++) {
      b[i] = rnd.nextBoolean();
    }
    return b;
  }

  /** An element value: mostly ordinary, sometimes NaN, an infinity, a zero or a huge number. */
  private double value() {
    return rnd.nextInt(12) == 0
        ? SPECIAL_DOUBLES[rnd.nextInt(SPECIAL_DOUBLES.length)]
        : Math.round(nextGaussian() * 200) / 100.0;
  }

  private DType randomDType() {
    int r = rnd.nextInt(100);
    if (r >= 84) { // the storage types (int32, uint8, float16, bfloat16), 4% each
      return switch (r % 4) {
        case 0 -> DType.INT32;
        case 1 -> DType.UINT8;
        case 2 -> DType.FLOAT16;
        default -> DType.BFLOAT16;
      };
    }
    return r < 34 ? DType.FLOAT32 : r < 56 ? DType.FLOAT64 : r < 72 ? DType.INT64 : DType.BOOL;
  }

  private int[] randomShape() {
    int[] s = new int[rnd.nextInt(0, 5)];
    for (int i = 0; i < s.length; i++) {
      int r = rnd.nextInt(10);
      s[i] = r == 0 ? 0 : r < 4 ? 1 : rnd.nextInt(2, 6);
    }
    return s;
  }

  private Tensor pick() {
    return pool[rnd.nextInt(pool.length)];
  }

  /** A pool tensor, or a fresh one shaped to go with the receiver (same or broadcastable). */
  Tensor tensor(Tensor receiver) {
    int r = rnd.nextInt(100);
    if (receiver != null && receiver.numel() > 4 * MAX_POOL_NUMEL) {
      r = rnd.nextInt(40, 100); // a large receiver broadcast with a pool tensor could be huge
    }
    if (r < 40 || receiver == null) {
      return pick();
    }
    if (r < 45) {
      return receiver;
    }
    if (r < 48) {
      // another view of the receiver's storage: aliasing for in-place updates
      int axis = receiver.dim() == 0 ? 0 : rnd.nextInt(receiver.dim());
      return switch (rnd.nextInt(3)) {
        case 0 -> receiver.detach();
        case 1 -> receiver.dim() == 0 ? receiver : reversed(receiver.detach(), axis);
        default -> receiver.transpose();
      };
    }
    int[] s = receiver.shape();
    if (r < 65 && s.length > 0) {
      // broadcastable: drop leading dimensions, set some to 1
      int drop = rnd.nextInt(s.length + 1);
      s = Arrays.copyOfRange(s, drop, s.length);
      for (int i = 0; i < s.length; i++) {
        if (rnd.nextInt(3) == 0) {
          s[i] = 1;
        }
      }
    } else if (r < 72 && s.length > 0) {
      // the last dimension dropped (class targets for [N, C] logits)
      s = Arrays.copyOf(s, s.length - 1);
    } else if (r < 80) {
      // a short 1-d index
      s = new int[] {rnd.nextInt(0, 4)};
    } else if (r < 85 && s.length > 0) {
      // smaller along one dimension (gather, scatterAdd)
      int d = rnd.nextInt(s.length);
      s[d] = rnd.nextInt(0, s[d] + 1);
    }
    DType t = rnd.nextInt(3) == 0 ? DType.INT64 : randomDType();
    return freshTensor(s, t, receiver);
  }

  /** An int64 tensor shaped to index the receiver (values mostly in range). */
  private Tensor index(Tensor receiver) {
    Tensor t;
    do {
      t = tensor(receiver);
    } while (t == receiver || rnd.nextInt(3) == 0 && t.dtype() != DType.INT64);
    return t.dtype() == DType.INT64 ? t : freshTensor(t.shape(), DType.INT64, receiver);
  }

  /** A bool mask broadcasting to the receiver (some dimensions dropped or set to 1). */
  private Tensor mask(Tensor receiver) {
    int[] s = receiver == null ? new int[0] : receiver.shape();
    s = Arrays.copyOfRange(s, s.length == 0 ? 0 : rnd.nextInt(s.length + 1) / 2, s.length);
    for (int i = 0; i < s.length; i++) {
      s[i] = rnd.nextInt(4) == 0 ? 1 : s[i];
    }
    return freshTensor(s, DType.BOOL, receiver);
  }

  /** Advanced indices for the receiver: int64 tensors mostly in range, masks and nulls. */
  private Tensor[] indexList(Tensor receiver) {
    int[] s = receiver.shape();
    Tensor[] a = new Tensor[rnd.nextInt(0, s.length + 2)];
    int[] common = rnd.nextBoolean() ? new int[] {rnd.nextInt(0, 4)} : new int[] {2, 1};
    for (int i = 0, d = 0; i < a.length; i++, d++) {
      int r = rnd.nextInt(8);
      if (r == 0) {
        a[i] = null;
      } else if (r == 1 && d < s.length) {
        int m = rnd.nextInt(1, s.length - d + 1);
        a[i] = freshTensor(Arrays.copyOfRange(s, d, d + m), DType.BOOL, receiver);
        d += m - 1;
      } else {
        a[i] =
            freshTensor(
                rnd.nextInt(3) == 0 ? common : new int[] {common[0]}, DType.INT64, receiver);
      }
    }
    return a;
  }

  Tensor[] tensors(Tensor receiver) {
    Tensor[] a = new Tensor[rnd.nextInt(0, 5)];
    Tensor first = rnd.nextBoolean() && receiver != null ? receiver : pick();
    for (int i = 0; i < a.length; i++) {
      int r = rnd.nextInt(40);
      a[i] =
          r == 0 ? null : r < 20 ? freshTensor(first.shape(), randomDType(), first) : tensor(first);
    }
    return a;
  }

  private Tensor freshTensor(int[] shape, DType dtype) {
    return freshTensor(shape, dtype, null);
  }

  /**
   * A new tensor of the given shape and dtype with hostile values and a random layout: contiguous,
   * transposed, sliced with a step, or expanded from size 1; floating ones sometimes require grad
   * (as leaves or as views of leaves). Integer values lie mostly in the index range of {@code
   * like}'s sizes.
   */
  private Tensor freshTensor(int[] shape, DType dtype, Tensor like) {
    int layout = rnd.nextInt(6);
    int rank = shape.length;
    int[] base = shape.clone();
    int axis = rank == 0 ? 0 : rnd.nextInt(rank);
    if (layout == 1 && rank >= 2) {
      int tmp = base[rank - 1];
      base[rank - 1] = base[rank - 2];
      base[rank - 2] = tmp;
    } else if (layout == 2 && rank >= 1) {
      base[axis] = 2 * base[axis] + 1;
    } else if (layout == 3 && rank >= 1) {
      base[axis] = Math.min(base[axis], 1);
    } else if (layout == 4 && rank >= 1) {
      // reversed along one axis by a negative stride (asStrided allows it)
    } else {
      layout = 0;
    }
    int n = 1;
    for (int s : base) {
      n *= s;
    }
    int bound = 4;
    if (like != null) {
      for (int s : like.shape()) {
        bound = Math.min(bound, s);
      }
    }
    Tensor t =
        switch (dtype) {
          case FLOAT32 -> Tensor.of((float[]) values(float[].class, n), base);
          case FLOAT64 -> Tensor.ofDoubles((double[]) values(double[].class, n), base);
          case INT64 -> Tensor.ofLongs(indices(n, bound), base);
          case BOOL -> Tensor.ofBooleans((boolean[]) values(boolean[].class, n), base);
          case FLOAT16, BFLOAT16 -> Tensor.of((float[]) values(float[].class, n), base).to(dtype);
          case INT32, UINT8 -> Tensor.ofLongs(indices(n, bound), base).to(dtype);
        };
    if (dtype.isFloating() && rnd.nextInt(3) == 0) {
      t.requiresGrad(true);
    }
    return switch (layout) {
      case 1 -> t.transpose(-2, -1);
      case 2 -> t.slice(axis, 1, base[axis], 2);
      case 3 -> t.expand(shape);
      case 4 -> reversed(t, axis);
      default -> t;
    };
  }

  /** A view of a contiguous tensor reversed along one axis: a negative stride. */
  private static Tensor reversed(Tensor t, int axis) {
    int[] shape = t.shape();
    int[] strides = t.strides();
    if (shape[axis] == 0 || t.numel() == 0) {
      return t;
    }
    int offset = t.offset() + (shape[axis] - 1) * strides[axis];
    strides[axis] = -strides[axis];
    return Tensor.asStrided(t.storage(), shape, strides, offset);
  }

  private long[] indices(int n, int bound) {
    long[] l = new long[n];
    for (int i = 0; i < n; i++) {
      int r = rnd.nextInt(20);
      l[i] = r == 0 ? -1 : r == 1 ? bound : r == 2 ? aLong() : rnd.nextLong(0, Math.max(1, bound));
    }
    return l;
  }
}
