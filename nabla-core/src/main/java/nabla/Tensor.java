package nabla;

import java.util.Arrays;
import nabla.ops.Primitives;
import nabla.storage.Shapes;
import nabla.storage.Storage;

/**
 * An n-dimensional array that records how it was computed, so that gradients can flow back to it:
 * the central type of Nabla. A tensor is a view (shape, strides, offset) over a shared {@link
 * Storage}, and the view never changes: operations return new tensors. Two things can change: the
 * elements, through the in-place methods ({@link #addInPlace}, {@link #copyFrom}, ...; each bumps
 * the storage's version, so a backward that saved the old values fails instead of using them), and
 * the autograd state ({@link #requiresGrad(boolean)}, {@link #grad()}, {@link #retainGrad()},
 * {@link #overwriteGrad}), which only tensors taking part in autograd carry.
 *
 * <p>The D2L §2.5 example:
 *
 * <pre>{@code
 * Tensor x = Tensor.arange(4.0).requiresGrad(true);  // tensor([0., 1., 2., 3.], requiresGrad=true)
 * Tensor y = x.dot(x).mul(2);                         // tensor(28., gradFn=<MulBackward>)
 * y.backward();
 * x.grad();                                           // tensor([0., 4., 8., 12.])
 * }</pre>
 *
 * <p>Elementwise operations broadcast as NumPy does. Mixing dtypes promotes to the wider one
 * ({@link DType#promote}); a Java {@code double} keeps a floating tensor's dtype.
 */
public final class Tensor extends TensorInPlace {
  // The mathematical half of the API (elementwise, comparisons, reductions, losses, products) is
  // inherited from the package-private TensorMath, so that each file holds one idea.

  static {
    // First in the class: the primitives read layouts through this, and may run during the rest of
    // this class's initialisation.
    nabla.ops.TensorInternals.install(new InternalAccess());
  }

  // The view: final, and the arrays are never written after construction (handed out only to the
  // primitives, through TensorInternals, which never write them either).
  final Storage storage;
  final int[] shape;
  final int[] strides;
  final int offset;

  /**
   * Autograd state (requires grad, gradFn, grad, tangents), null on a plain tensor: the one mutable
   * field. Written by the engine and by the setters in {@link AutogradMeta}.
   */
  AutogradMeta autograd;

  /** The tensor a view made by an operation views ({@link InPlaceRecorded}); else null. */
  Tensor viewBase;

  /** The base's {@link AutogradMeta#rebases} when this view's graph was made (stale if other). */
  int viewRebases;

  /** A view of the same data as a new graph node (so a tangent can be attached to it). */
  Tensor alias() {
    return Engine.apply(Primitives.reshape(shape), this);
  }

  Tensor(Storage storage, int[] shape, int[] strides, int offset) {
    this.storage = storage;
    this.shape = shape;
    this.strides = strides;
    this.offset = offset;
  }

  // ---------------------------------------------------------------- low-level construction

  /**
   * A view of a storage with the given layout (PyTorch's {@code as_strided}); a new leaf that does
   * not require grad. Checks that every element of the view lies inside the storage.
   */
  public static Tensor asStrided(Storage storage, int[] shape, int[] strides, int offset) {
    return Creation.asStrided(storage, shape, strides, offset);
  }

  /** A contiguous tensor over a whole storage (which must have exactly numel(shape) elements). */
  public static Tensor fromStorage(Storage storage, int... shape) {
    return Creation.fromStorage(storage, shape);
  }

  /** A new zero-filled contiguous tensor. */
  public static Tensor empty(DType dtype, int... shape) {
    return Creation.empty(dtype, shape);
  }

  /** A new tensor object over the same view, with no autograd state (for the engine). */
  Tensor shallowCopy() {
    return new Tensor(storage, shape, strides, offset);
  }

  /** The shared buffer under this view. */
  public Storage storage() {
    return storage;
  }

  /** Index in {@link #storage()} of the first element. */
  public int offset() {
    return offset;
  }

  /** Step in storage elements per index along each dimension (a copy). */
  public int[] strides() {
    return strides.clone();
  }

  /** Whether the view is row-major without gaps (so kernels can use one flat loop). */
  public boolean isContiguous() {
    return Shapes.isContiguous(shape, strides);
  }

  // ---------------------------------------------------------------- creation

  /** A 1-d float32 tensor: {@code Tensor.of(1, 2, 3)} is {@code tensor([1., 2., 3.])}. */
  public static Tensor of(double... data) {
    return of(data, Checks.nonNull("of", "data", data).length);
  }

  /**
   * A float32 tensor of the given shape from row-major data.
   *
   * <pre>{@code Tensor.of(new double[] {1, 2, 3, 4}, 2, 2)   // tensor([[1., 2.], [3., 4.]])}</pre>
   *
   * @throws IllegalArgumentException when the data length is not the shape's element count
   */
  public static Tensor of(double[] data, int... shape) {
    return Creation.ofFloats(data, shape);
  }

  /** A float32 tensor of the given shape from row-major data (copied). */
  public static Tensor of(float[] data, int... shape) {
    return Creation.ofFloats(data, shape);
  }

  /** A float64 tensor of the given shape from row-major data (copied). */
  public static Tensor ofDoubles(double[] data, int... shape) {
    return Creation.ofDoubles(data, shape);
  }

  /** An int64 tensor (indices) of the given shape; with no shape, 1-d. */
  public static Tensor ofLongs(long[] data, int... shape) {
    return Creation.ofLongs(data, shape);
  }

  /** A bool tensor (mask) of the given shape; with no shape, 1-d. */
  public static Tensor ofBooleans(boolean[] data, int... shape) {
    return Creation.ofBooleans(data, shape);
  }

  /** A float32 matrix from its rows: {@code Tensor.of(new double[][] {{1, 2}, {3, 4}})}. */
  public static Tensor of(double[][] rows) {
    return Creation.ofNested(rows, 2);
  }

  /** A 3-d float32 tensor from nested arrays: {@code Tensor.of(new double[][][] {{{1, 2}}})}. */
  public static Tensor of(double[][][] blocks) {
    return Creation.ofNested(blocks, 3);
  }

  /** A 0-d float32 tensor: {@code Tensor.scalar(28)} is {@code tensor(28.)}. */
  public static Tensor scalar(double value) {
    return full(value, DType.FLOAT32);
  }

  /** A 0-d tensor of the given dtype. */
  public static Tensor scalar(double value, DType dtype) {
    return full(value, dtype);
  }

  /**
   * [0, 1, ..., end) as float32: {@code arange(4.0)} is D2L's {@code torch.arange(4.0)}.
   *
   * <p>Dtype rule (PyTorch's): double arguments give float32, long (or int) arguments give int64 —
   * {@code Tensor.arange(4)} is {@code tensor([0, 1, 2, 3])}, an int64 index range that cannot
   * require grad; write {@code arange(4.0)} for floats.
   *
   * <pre>{@code Tensor.arange(4.0)  // tensor([0., 1., 2., 3.])}</pre>
   *
   * @throws IllegalArgumentException for a non-finite bound or a range of more than 2³¹−1 elements
   */
  public static Tensor arange(double end) {
    return Ranges.arange(0, end, 1);
  }

  /** [start, end) with step 1, as float32. */
  public static Tensor arange(double start, double end) {
    return Ranges.arange(start, end, 1);
  }

  /**
   * [start, start+step, ...) up to but excluding end, as float32 (values computed in double, then
   * rounded once). An empty tensor when the step points away from end.
   */
  public static Tensor arange(double start, double end, double step) {
    return Ranges.arange(start, end, step);
  }

  /**
   * [0, 1, ..., end) as int64, exact for every long (PyTorch's {@code torch.arange(n)} with an
   * integer argument).
   *
   * <pre>{@code Tensor.arange(4)  // tensor([0, 1, 2, 3])}</pre>
   */
  public static Tensor arange(long end) {
    return Ranges.arange(0, end, 1);
  }

  /** [start, end) with step 1, as int64. */
  public static Tensor arange(long start, long end) {
    return Ranges.arange(start, end, 1);
  }

  /** [start, start+step, ...) up to but excluding end, as int64. */
  public static Tensor arange(long start, long end, long step) {
    return Ranges.arange(start, end, step);
  }

  /** {@code steps} evenly spaced float32 values from start to end inclusive. */
  public static Tensor linspace(double start, double end, int steps) {
    return Ranges.linspace(start, end, steps);
  }

  /**
   * float32 zeros.
   *
   * <pre>{@code Tensor.zeros(2, 3)}</pre>
   */
  public static Tensor zeros(int... shape) {
    return Creation.filled("zeros", 0, DType.FLOAT32, shape);
  }

  /** float32 ones. */
  public static Tensor ones(int... shape) {
    return Creation.filled("ones", 1, DType.FLOAT32, shape);
  }

  /** A float32 tensor filled with a value. */
  public static Tensor full(double value, int... shape) {
    return Creation.filled("full", value, DType.FLOAT32, shape);
  }

  /** A tensor of the given dtype filled with a value. */
  public static Tensor full(double value, DType dtype, int... shape) {
    return Creation.filled("full", value, dtype, shape);
  }

  /** Zeros of the given dtype and shape. */
  public static Tensor zeros(DType dtype, int... shape) {
    return Creation.filled("zeros", 0, dtype, shape);
  }

  /** Ones of the given dtype and shape. */
  public static Tensor ones(DType dtype, int... shape) {
    return Creation.filled("ones", 1, dtype, shape);
  }

  /** Zeros with this tensor's shape and dtype. */
  public Tensor zerosLike() {
    return full(0, dtype(), shape);
  }

  /** Ones with this tensor's shape and dtype. */
  public Tensor onesLike() {
    return full(1, dtype(), shape);
  }

  /** A tensor with this tensor's shape and dtype filled with a value. */
  public Tensor fullLike(double value) {
    return full(value, dtype(), shape);
  }

  /** The n×n float32 identity matrix. */
  public static Tensor eye(int n) {
    return Creation.eye(n);
  }

  /** A random permutation of 0..n-1, int64, from this thread's generator (PyTorch's randperm). */
  public static Tensor randperm(int n) {
    return Generator.current().randperm(n);
  }

  /** Standard normal float32 samples from the thread's default {@link Generator}. */
  public static Tensor randn(int... shape) {
    return Generator.current().randn(shape);
  }

  /** Uniform [0, 1) float32 samples from the thread's default {@link Generator}. */
  public static Tensor rand(int... shape) {
    return Generator.current().rand(shape);
  }

  /** Normal(mean, std) float32 samples from the thread's default {@link Generator}. */
  public static Tensor normal(double mean, double std, int... shape) {
    return Generator.current().normal(mean, std, shape);
  }

  /** Uniform [low, high) float32 samples from the thread's default {@link Generator}. */
  public static Tensor uniform(double low, double high, int... shape) {
    return Generator.current().uniform(low, high, shape);
  }

  /** Uniform int64 samples in [low, high) from the thread's default {@link Generator}. */
  public static Tensor randint(long low, long high, int... shape) {
    return Generator.current().randint(low, high, shape);
  }

  // ---------------------------------------------------------------- reading out

  /** The shape as a new array; {@code []} for a 0-d tensor. */
  public int[] shape() {
    return shape.clone();
  }

  /** Size along one dimension (negative counts from the end). */
  public int size(int dim) {
    if (shape.length == 0) {
      throw new IllegalArgumentException(
          "size: a 0-d tensor has no dimensions (asked for dimension " + dim + "); use numel()");
    }
    return shape[Shapes.axis("size", dim, shape.length)];
  }

  /** Number of dimensions. */
  public int dim() {
    return shape.length;
  }

  /** Number of elements. */
  public int numel() {
    return Shapes.numel(shape);
  }

  /** The element type. */
  public DType dtype() {
    return storage.dtype();
  }

  /**
   * The value of a one-element tensor.
   *
   * @throws IllegalStateException if the tensor has more or fewer than one element
   */
  public double item() {
    if (numel() != 1) {
      throw new IllegalStateException(
          "item: only a tensor with exactly one element can be converted to a number; this one"
              + " has shape "
              + Shapes.str(shape)
              + " ("
              + numel()
              + " elements). Reduce it"
              + " first (sum(), mean(), max()) or select one element");
    }
    Trace.valueRead(this, "item()");
    return storage.getDouble(offset);
  }

  /**
   * The exact value of a one-element integer (or bool) tensor: {@link #item()} returns a double,
   * which rounds int64 values above 2⁵³.
   *
   * <pre>{@code Tensor.ofLongs(new long[] {(1L << 53) + 1}).longItem()   // 9007199254740993}</pre>
   *
   * @throws IllegalStateException if the tensor has more or fewer than one element or is floating
   */
  public long longItem() {
    if (dtype().isFloating()) {
      throw new IllegalStateException(
          "longItem: this tensor is "
              + dtype()
              + "; use item() for floating-point values, or convert with to(DType.INT64)");
    }
    item(); // the one-element check and its message (and the trace's value-read hook)
    return storage.getLong(offset);
  }

  /** The elements in row-major order as doubles. */
  public double[] toDoubleArray() {
    return to(DType.FLOAT64).contiguousCopy().storage.d.clone();
  }

  /** The elements in row-major order as floats. */
  public float[] toFloatArray() {
    return to(DType.FLOAT32).contiguousCopy().storage.f.clone();
  }

  /** The elements in row-major order as longs (floats truncate toward zero). */
  public long[] toLongArray() {
    return to(DType.INT64).contiguousCopy().storage.l.clone();
  }

  /** The elements in row-major order as booleans (non-zero is true). */
  public boolean[] toBooleanArray() {
    return to(DType.BOOL).contiguousCopy().storage.b.clone();
  }

  /** A contiguous copy detached from the graph, with storage owned by the result. */
  Tensor contiguousCopy() {
    Trace.valueRead(this, "a copy to Java arrays (toDoubleArray, ...)");
    return Creation.contiguousCopy(this);
  }

  /**
   * This tensor converted to another dtype (itself if already of that dtype). Differentiable
   * between floating types. Conversions round as PyTorch's: to float16 and bfloat16 to nearest even
   * (overflowing to infinity), to int32 and uint8 by truncation with wrap-around ({@code -1.0} and
   * {@code 255L} both give uint8 255).
   *
   * <pre>{@code
   * Tensor.of(0.1, 70000).to(DType.FLOAT16)       // tensor([0.1000,    inf], dtype=float16)
   * Tensor.ofLongs(new long[] {-1, 300}).to(DType.UINT8)   // tensor([255,  44], dtype=uint8)
   * }</pre>
   */
  public Tensor to(DType dtype) {
    if (Checks.nonNull("to", "dtype", dtype) == dtype()) {
      return this;
    }
    return Engine.apply(Primitives.cast(dtype), this);
  }

  /** Same values in a row-major layout (itself if already contiguous). */
  public Tensor contiguous() {
    return isContiguous() ? this : Engine.apply(Primitives.contiguous(), this);
  }

  /** A copy with its own storage, still connected to the graph. */
  public Tensor copy() {
    return Engine.apply(Primitives.contiguous(), this);
  }

  // ---------------------------------------------------------------- autograd

  /**
   * Marks a leaf tensor as needing gradients (D2L's {@code x.requires_grad_(True)}) and returns it.
   *
   * <pre>{@code Tensor x = Tensor.arange(4.0).requiresGrad(true);}</pre>
   *
   * @throws IllegalArgumentException for integer or bool tensors, which cannot have gradients
   * @throws IllegalStateException when switching off on a non-leaf (use {@link #detach()})
   */
  public Tensor requiresGrad(boolean requiresGrad) {
    AutogradMeta.setRequiresGrad(this, requiresGrad);
    return this;
  }

  /** Whether gradients flow to this tensor. */
  public boolean requiresGrad() {
    AutogradMeta m = autograd; // the engine's test on every input of every op: keep it this cheap
    return m != null && m.requiresGrad;
  }

  /** Whether this tensor was created by the user rather than computed from tensors needing grad. */
  public boolean isLeaf() {
    return gradFn() == null;
  }

  /**
   * The accumulated gradient, or null before the first backward that reaches this tensor. Only
   * leaves get one, unless {@link #retainGrad()} was called. Reading it on a non-leaf that does not
   * retain its gradient logs a warning once per JVM (PyTorch's warning): that usually means a
   * parameter was rebound ({@code w = w.sub(lr * g)}) instead of updated in place.
   */
  public Tensor grad() {
    return AutogradMeta.grad(this);
  }

  /** The node that computed this tensor (PyTorch's {@code grad_fn}), or null for a leaf. */
  public Node gradFn() {
    AutogradMeta m = autograd;
    return m == null ? null : m.gradFn;
  }

  /** Keeps this non-leaf tensor's gradient in {@link #grad()} during backward. Returns this. */
  public Tensor retainGrad() {
    AutogradMeta.retainGrad(this);
    return this;
  }

  /**
   * Chooses MXNet-style gradients for this leaf: each backward overwrites {@link #grad()} instead
   * of adding to it (PyTorch's accumulate is the default). Returns this.
   */
  public Tensor overwriteGrad(boolean overwrite) {
    AutogradMeta.setOverwriteGrad(this, overwrite);
    return this;
  }

  /** Sets the gradient to zero in place (keeps the buffer for reuse), or leaves it null. */
  public void zeroGrad() {
    AutogradMeta.zeroGrad(this);
  }

  /**
   * Replaces the gradient (for optimisers and tests); null clears it. Later backward passes add to
   * it in place, so it must have this tensor's shape and dtype and one memory location per element.
   *
   * @throws IllegalArgumentException for a gradient of another shape or dtype, or an expanded view
   */
  public void setGrad(Tensor g) {
    AutogradMeta.setGrad(this, g);
  }

  /**
   * Backpropagates from this 0-d (or one-element) tensor: adds d(this)/d(leaf) to every leaf's
   * {@link #grad()}. Frees the graph afterwards.
   *
   * <pre>{@code
   * Tensor x = Tensor.arange(4.0).requiresGrad(true);
   * x.dot(x).mul(2).backward();
   * x.grad();   // tensor([0., 4., 8., 12.])
   * }</pre>
   *
   * @throws IllegalStateException when the tensor has more than one element (pass a head gradient),
   *     does not require grad, or its graph was already freed
   */
  public void backward() {
    backward(Checks.oneElement("backward", this).onesLike(), false, false);
  }

  /**
   * Backpropagates a head gradient of this tensor's shape (vector-Jacobian product), as PyTorch's
   * {@code y.backward(gradient)}; null means ones, for a one-element tensor.
   */
  public void backward(Tensor gradient) {
    backward(gradient, false, false);
  }

  /** Backward with a head gradient, optionally keeping the graph for another backward. */
  public void backward(Tensor gradient, boolean retainGraph) {
    backward(gradient, retainGraph, false);
  }

  /**
   * Backward with all options.
   *
   * @param retainGraph keep the graph so backward can run through it again
   * @param createGraph record the backward computation itself, so gradients can be differentiated
   *     again (higher-order derivatives); implies retaining the graph
   */
  public void backward(Tensor gradient, boolean retainGraph, boolean createGraph) {
    Autograd.backward(this, gradient, retainGraph, createGraph);
  }

  /**
   * Registers a hook called with this tensor's gradient during each backward pass (once per pass,
   * with the whole gradient); it may return a replacement of the same shape and dtype, or null to
   * keep it (PyTorch's {@code register_hook}). On a leaf it runs before the gradient is added to
   * {@link #grad()}.
   *
   * <pre>{@code
   * RemovableHandle h = w.registerHook(g -> g.clamp(-1, 1));   // clip this gradient
   * loss.backward();
   * h.remove();
   * }</pre>
   *
   * @throws IllegalStateException when this tensor does not require grad
   */
  public RemovableHandle registerHook(java.util.function.Function<Tensor, Tensor> hook) {
    return Hooks.register(this, hook);
  }

  /**
   * Registers a hook called with this leaf after backward has updated its {@link #grad()}
   * (PyTorch's {@code register_post_accumulate_grad_hook}), e.g. to step an optimiser during
   * backward.
   *
   * @throws IllegalStateException when this tensor is not a leaf that requires grad
   */
  public RemovableHandle registerPostAccumulateGradHook(java.util.function.Consumer<Tensor> hook) {
    return Hooks.registerPostAccumulate(this, hook);
  }

  /**
   * A stand-in for {@code t} in a graph freed by backward ({@link Node}): the same shape, dtype and
   * autograd state (its node, hooks, retained gradient), and no data of its own: one NaN broadcast
   * (a rule that read values would see NaN).
   */
  static Tensor shellOf(Tensor t) {
    DType d = t.dtype();
    Storage one = Storage.allocate(d, 1);
    if (d.isFloating()) {
      one.setDouble(0, Double.NaN);
    }
    Tensor shell = new Tensor(one, t.shape, new int[t.shape.length], 0);
    shell.autograd = t.autograd;
    return shell;
  }

  /**
   * A tensor with the same values outside the graph: gradients do not flow through it. Shares
   * storage with this tensor.
   */
  public Tensor detach() {
    return new Tensor(storage, shape, strides, offset);
  }

  // In-place updates (addInPlace, copyFrom, zero, ...) are inherited from TensorInPlace.

  // ---------------------------------------------------------------- shape

  /** Swaps the last two dimensions (a 1-d or 0-d tensor is returned as is). */
  public Tensor transpose() {
    return dim() < 2 ? this : transpose(-2, -1);
  }

  /** Swaps two dimensions (a view). */
  public Tensor transpose(int dim0, int dim1) {
    int a = Shapes.axis("transpose", dim0, dim());
    int b = Shapes.axis("transpose", dim1, dim());
    if (dim() == 0) {
      return this; // PyTorch: transpose(0, 0) and (-1, -1) of a 0-d tensor return it unchanged
    }
    int[] perm = new int[dim()];
    for (int i = 0; i < perm.length; i++) {
      perm[i] = i;
    }
    perm[a] = b;
    perm[b] = a;
    return permute(perm);
  }

  /**
   * Same elements with another shape; one size may be -1 (inferred). A view when the layout allows,
   * a copy otherwise.
   *
   * @throws IllegalArgumentException when the element counts differ
   */
  public Tensor reshape(int... newShape) {
    int[] s = ViewChecks.reshapeTarget(shape, newShape);
    if (Shapes.same(s, shape)) {
      return this;
    }
    return Engine.apply(Primitives.reshape(s), this);
  }

  /** Flattens to 1-d. */
  public Tensor flatten() {
    return reshape(-1);
  }

  /** Removes every dimension of size 1. */
  public Tensor squeeze() {
    return reshape(Arrays.stream(shape).filter(s -> s != 1).toArray());
  }

  /** Removes one dimension if it has size 1 (otherwise returns this tensor, as PyTorch). */
  public Tensor squeeze(int dim) {
    int d = Shapes.axis("squeeze", dim, dim());
    if (dim() == 0 || shape[d] != 1) {
      return this;
    }
    int[] s = new int[shape.length - 1];
    for (int i = 0, j = 0; i < shape.length; i++) {
      if (i != d) {
        s[j++] = shape[i];
      }
    }
    return reshape(s);
  }

  /** Inserts a dimension of size 1 at {@code dim} (in [-rank-1, rank]). */
  public Tensor unsqueeze(int dim) {
    int d = Shapes.newAxis("unsqueeze", dim, dim());
    int[] s = new int[shape.length + 1];
    for (int i = 0, j = 0; i < s.length; i++) {
      s[i] = i == d ? 1 : shape[j++];
    }
    return reshape(s);
  }

  /** Broadcasts to a larger shape without copying (a view with stride 0); -1 keeps a size. */
  public Tensor expand(int... newShape) {
    int[] s = Checks.nonNull("expand", "shape", newShape).clone();
    int lead = s.length - shape.length;
    for (int i = 0; i < s.length; i++) {
      if (s[i] == -1 && i >= lead) {
        s[i] = shape[i - lead];
      }
    }
    if (Shapes.same(s, shape)) {
      return this;
    }
    return Engine.apply(Primitives.expand(s), this);
  }

  /**
   * Reorders dimensions (a view).
   *
   * <pre>{@code x.permute(1, 0)   // transpose}</pre>
   */
  public Tensor permute(int... dims) {
    return Engine.apply(Primitives.permute(Checks.nonNull("permute", "dims", dims)), this);
  }

  /**
   * Python-style slice {@code [start:end:step]} along one dimension (a view). Negative start and
   * end count from the end; out-of-range bounds are clamped; step ≥ 1.
   */
  public Tensor slice(int dim, int start, int end, int step) {
    return Engine.apply(Primitives.slice(shape, dim, start, end, step), this);
  }

  /**
   * A view of this tensor's storage with any layout (PyTorch's {@code as_strided}; the offset
   * counts in storage elements), differentiable: gradients reach this tensor's elements, adding up
   * where the view repeats one. To differentiate, this tensor must be contiguous and the view must
   * stay within its elements.
   *
   * <pre>{@code Tensor.arange(4.0).asStrided(new int[] {3, 2}, new int[] {1, 1}, 0)   // windows}
   * </pre>
   */
  public Tensor asStrided(int[] shape, int[] strides, int offset) {
    return ViewWrites.asStrided(this, shape, strides, offset);
  }

  /** {@code slice(dim, start, end, 1)}. */
  public Tensor slice(int dim, int start, int end) {
    return slice(dim, start, end, 1);
  }

  /**
   * Zeros of {@code shape} with this tensor written at {@code [start::step]} along {@code dim}: the
   * adjoint of {@link #slice}.
   *
   * <pre>{@code Tensor.of(1, 2).embed(new int[] {5}, 0, 1, 2)   // tensor([0., 1., 0., 2., 0.])}
   * </pre>
   *
   * @throws IllegalArgumentException when start &lt; 0, step &lt; 1, or the elements do not fit
   */
  public Tensor embed(int[] shape, int dim, int start, int step) {
    int[] target = Shapes.checkSizes("embed", shape);
    int d = ViewChecks.embedDim(this.shape, target, dim, start, step);
    return Engine.apply(Primitives.pad(target, d, start, step), this);
  }

  /** The sub-tensor at {@code index} along dimension 0 (rank decreases by one). */
  public Tensor get(int index) {
    int i = ViewChecks.position(this, index);
    return slice(0, i, i + 1, 1).squeeze(0);
  }

  /** Concatenates tensors of equal shape except along {@code dim}. */
  public static Tensor cat(int dim, Tensor... tensors) {
    return Selection.cat(dim, tensors);
  }

  /** Stacks tensors of equal shape along a new dimension. */
  public static Tensor stack(int dim, Tensor... tensors) {
    return Selection.stack(dim, tensors);
  }

  /**
   * Picks values along {@code dim} by an int64 index of the same rank: out[i][j] =
   * this[i][index[i][j]] for dim 1. Its gradient is a scatter-add. As in PyTorch, a 0-d tensor or
   * index counts as 1-d of size 1 (the result has the index's shape).
   */
  public Tensor gather(int dim, Tensor index) {
    return Selection.gather(this, dim, index);
  }

  /**
   * Out-of-place scatter-add: a copy of this tensor with {@code src} values added at the positions
   * {@code index} names along {@code dim}.
   */
  public Tensor scatterAdd(int dim, Tensor index, Tensor src) {
    Checks.nonNull("scatterAdd", "index", index);
    Checks.nonNull("scatterAdd", "src", src);
    return Engine.apply(
        Primitives.scatterAdd(Shapes.axis("scatterAdd", dim, dim())), this, index, src.to(dtype()));
  }

  /** Selects whole slices along {@code dim} by a 1-d int64 index. */
  public Tensor indexSelect(int dim, Tensor index) {
    return Selection.indexSelect(this, dim, index);
  }

  /** The elements where a bool mask (broadcast together with this tensor) is true, as 1-d. */
  public Tensor maskedSelect(Tensor mask) {
    return Selection.maskedSelect(this, mask);
  }

  /**
   * Einstein summation, e.g. {@code einsum("bij,bjk->bik", a, b)}, as PyTorch's ({@link Einsum}).
   */
  public static Tensor einsum(String equation, Tensor... operands) {
    return Einsum.einsum(equation, operands);
  }

  /** PyTorch's {@code meshgrid(..., indexing="ij")}: 1-d tensors expanded to their grid. */
  public static Tensor[] meshgrid(Tensor... tensors) {
    return ShapeOps.meshgrid(tensors);
  }

  // ---------------------------------------------------------------- selection by condition

  /**
   * Picks {@code x} where {@code condition} is true and {@code y} elsewhere, broadcasting all
   * three. No gradient (not even NaN) reaches the branch not taken.
   */
  public static Tensor where(Tensor condition, Tensor x, Tensor y) {
    return Selection.where(condition, x, y);
  }

  /** {@code where(condition, x, y)} with a constant {@code y}. */
  public static Tensor where(Tensor condition, Tensor x, double y) {
    return where(condition, x, TypePromotion.scalarLike(Checks.nonNull("where", "x", x), y));
  }

  // ---------------------------------------------------------------- printing

  /**
   * PyTorch's look, so D2L readers recognise it: {@code tensor([0., 4., 8., 12.])}, {@code
   * tensor(28., gradFn=<MulBackward>)}; large tensors are summarised with {@code ...}.
   */
  @Override
  public String toString() {
    return TensorFormat.format(this);
  }
}
