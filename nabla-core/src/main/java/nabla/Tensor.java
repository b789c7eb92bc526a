package nabla;

import java.util.Arrays;
import nabla.kernels.Binary;
import nabla.kernels.BinaryOp;
import nabla.kernels.Copy;
import nabla.kernels.UnaryOp;
import nabla.ops.Primitives;
import nabla.storage.Shapes;
import nabla.storage.Storage;

/**
 * An n-dimensional array that records how it was computed, so that gradients can flow back to it:
 * the central type of Nabla. Tensors are immutable views (shape, strides, offset) over a shared
 * {@link Storage}; operations return new tensors.
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
public final class Tensor {
  private final Storage storage;
  private final int[] shape;
  private final int[] strides;
  private final int offset;

  // Autograd state, managed by Engine.
  boolean requiresGrad;
  Node gradFn;
  Tensor grad;
  boolean retainsGrad;
  boolean overwriteGrad;

  /** Forward-mode tangents, one per level (a short linked list; usually empty). */
  record Tangent(int level, Tensor value, Tangent next) {}

  Tangent tangents;

  /** This tensor's tangent at a forward-mode level, or null (zero). */
  Tensor tangent(int level) {
    GradMode.State s = GradMode.state();
    if (s.isExcluded(level)) {
      return null;
    }
    for (Tangent t = tangents; t != null; t = t.next) {
      if (t.level == level) {
        return t.value;
      }
    }
    return null;
  }

  /** A view of the same data as a new graph node (so a tangent can be attached to it). */
  Tensor alias() {
    return Engine.apply(Primitives.reshape(shape), this);
  }

  private Tensor(Storage storage, int[] shape, int[] strides, int offset) {
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
    Checks.nonNull("asStrided", "storage", storage);
    Shapes.checkSizes("asStrided", shape);
    Shapes.numel("asStrided", shape);
    Checks.nonNull("asStrided", "strides", strides);
    if (shape.length != strides.length) {
      throw new IllegalArgumentException(
          "asStrided: shape "
              + Shapes.str(shape)
              + " and strides "
              + Arrays.toString(strides)
              + " have different lengths");
    }
    long lo = offset;
    long hi = offset;
    boolean empty = false;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] == 0) {
        empty = true;
      }
      long span = (long) (shape[i] - 1) * strides[i];
      if (span < 0) {
        lo += span;
      } else {
        hi += span;
      }
    }
    if (!empty && (lo < 0 || hi >= storage.size())) {
      throw new IllegalArgumentException(
          "asStrided: a view of shape "
              + Shapes.str(shape)
              + ", strides "
              + Arrays.toString(strides)
              + " and offset "
              + offset
              + " reaches outside a storage of "
              + storage.size()
              + " elements");
    }
    return new Tensor(storage, shape.clone(), strides.clone(), offset);
  }

  /** A contiguous tensor over a whole storage (which must have exactly numel(shape) elements). */
  public static Tensor fromStorage(Storage storage, int... shape) {
    Checks.nonNull("fromStorage", "storage", storage);
    Shapes.checkSizes("fromStorage", shape);
    int n = Shapes.numel(shape);
    if (storage.size() != n) {
      throw new IllegalArgumentException(
          "data length "
              + storage.size()
              + " does not match shape "
              + Shapes.str(shape)
              + ", which has "
              + n
              + " elements");
    }
    return new Tensor(storage, shape.clone(), Shapes.contiguousStrides(shape), 0);
  }

  /** A new zero-filled contiguous tensor. */
  public static Tensor empty(DType dtype, int... shape) {
    Checks.nonNull("empty", "dtype", dtype);
    int[] s = Shapes.checkSizes("empty", shape);
    return new Tensor(
        Storage.allocate(dtype, Shapes.numel("empty", s)), s, Shapes.contiguousStrides(s), 0);
  }

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

  /**
   * A 1-d float32 tensor.
   *
   * <pre>{@code Tensor.of(1, 2, 3)   // tensor([1., 2., 3.])}</pre>
   */
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
    checkLength("of", Checks.nonNull("of", "data", data).length, shape);
    float[] f = new float[data.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) data[i];
    }
    return fromStorage(Storage.wrap(f), shape);
  }

  /** A float32 tensor of the given shape from row-major data (copied). */
  public static Tensor of(float[] data, int... shape) {
    checkLength("of", Checks.nonNull("of", "data", data).length, shape);
    return fromStorage(Storage.wrap(data.clone()), shape);
  }

  /** A float64 tensor of the given shape from row-major data (copied). */
  public static Tensor ofDoubles(double[] data, int... shape) {
    checkLength("ofDoubles", Checks.nonNull("ofDoubles", "data", data).length, shape);
    return fromStorage(Storage.wrap(data.clone()), shape);
  }

  /** An int64 tensor (indices) of the given shape; with no shape, 1-d. */
  public static Tensor ofLongs(long[] data, int... shape) {
    Checks.nonNull("ofLongs", "data", data);
    int[] s =
        Checks.nonNull("ofLongs", "shape", shape).length == 0 ? new int[] {data.length} : shape;
    checkLength("ofLongs", data.length, s);
    return fromStorage(Storage.wrap(data.clone()), s);
  }

  /** A bool tensor (mask) of the given shape; with no shape, 1-d. */
  public static Tensor ofBooleans(boolean[] data, int... shape) {
    Checks.nonNull("ofBooleans", "data", data);
    int[] s =
        Checks.nonNull("ofBooleans", "shape", shape).length == 0 ? new int[] {data.length} : shape;
    checkLength("ofBooleans", data.length, s);
    return fromStorage(Storage.wrap(data.clone()), s);
  }

  private static void checkLength(String op, int length, int[] shape) {
    Shapes.checkSizes(op, shape);
    int n = Shapes.numel(shape);
    if (length != n) {
      throw new IllegalArgumentException(
          op
              + ": data length "
              + length
              + " does not match shape "
              + Shapes.str(shape)
              + ", which has "
              + n
              + " elements");
    }
  }

  /**
   * A 0-d float32 tensor.
   *
   * <pre>{@code Tensor.scalar(28)   // tensor(28.)}</pre>
   */
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
    return filled("zeros", 0, DType.FLOAT32, shape);
  }

  /** float32 ones. */
  public static Tensor ones(int... shape) {
    return filled("ones", 1, DType.FLOAT32, shape);
  }

  /** A float32 tensor filled with a value. */
  public static Tensor full(double value, int... shape) {
    return filled("full", value, DType.FLOAT32, shape);
  }

  /** A tensor of the given dtype filled with a value. */
  public static Tensor full(double value, DType dtype, int... shape) {
    return filled("full", value, dtype, shape);
  }

  /** Zeros of the given dtype and shape. */
  public static Tensor zeros(DType dtype, int... shape) {
    return filled("zeros", 0, dtype, shape);
  }

  /** Ones of the given dtype and shape. */
  public static Tensor ones(DType dtype, int... shape) {
    return filled("ones", 1, dtype, shape);
  }

  /** A new tensor filled with a value; a negative size is reported under the caller's name. */
  private static Tensor filled(String op, double value, DType dtype, int[] shape) {
    int[] s = Shapes.checkSizes(op, shape);
    Shapes.numel(op, s);
    Tensor t = empty(dtype, s);
    if (value != 0) {
      Copy.fill(t.storage, 0, t.numel(), value);
    }
    return t;
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
    if (n < 0) {
      throw new IllegalArgumentException("eye: the size n must be >= 0, got " + n);
    }
    Tensor t = zeros(n, n);
    for (int i = 0; i < n; i++) {
      t.storage.f[i * n + i] = 1;
    }
    return t;
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
    item(); // the one-element check and its message
    return dtype() == DType.BOOL ? (storage.b[offset] ? 1 : 0) : storage.l[offset];
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
    Tensor out = empty(dtype(), shape);
    Copy.copy(shape, storage, offset, strides, out.storage, 0, out.strides);
    return out;
  }

  /**
   * This tensor converted to another dtype (itself if already of that dtype). Differentiable
   * between floating types.
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
    if (requiresGrad && !dtype().isFloating()) {
      throw new IllegalArgumentException(
          "requiresGrad: only floating-point tensors can require gradients, this one is "
              + dtype()
              + " with shape "
              + Shapes.str(shape)
              + "; convert it first with to(DType.FLOAT32)"
              + (dtype() == DType.INT64
                  ? " (Tensor.arange(4) is int64 as in PyTorch; arange(4.0) is float32)"
                  : ""));
    }
    if (!requiresGrad && gradFn != null) {
      throw new IllegalStateException(
          "requiresGrad(false): this tensor was computed by "
              + gradFn.name()
              + " and is part of a graph; use detach() to get a tensor outside the graph");
    }
    this.requiresGrad = requiresGrad;
    return this;
  }

  /** Whether gradients flow to this tensor. */
  public boolean requiresGrad() {
    return requiresGrad;
  }

  /** Whether this tensor was created by the user rather than computed from tensors needing grad. */
  public boolean isLeaf() {
    return gradFn == null;
  }

  /**
   * The accumulated gradient, or null before the first backward that reaches this tensor. Only
   * leaves get one, unless {@link #retainGrad()} was called. Reading it on a non-leaf that does not
   * retain its gradient logs a warning once per JVM (PyTorch's warning): that usually means a
   * parameter was rebound ({@code w = w.sub(lr * g)}) instead of updated in place.
   */
  public Tensor grad() {
    if (gradFn != null && !retainsGrad && grad == null) {
      NonLeafGradWarning.warnOnce(this);
    }
    return grad;
  }

  /** The node that computed this tensor (PyTorch's {@code grad_fn}), or null for a leaf. */
  public Node gradFn() {
    return gradFn;
  }

  /** Keeps this non-leaf tensor's gradient in {@link #grad()} during backward. Returns this. */
  public Tensor retainGrad() {
    if (!requiresGrad) {
      throw new IllegalStateException(
          "retainGrad: this tensor does not require grad, so it will never receive a gradient");
    }
    retainsGrad = true;
    return this;
  }

  /**
   * Chooses MXNet-style gradients for this leaf: each backward overwrites {@link #grad()} instead
   * of adding to it (PyTorch's accumulate is the default). Returns this.
   */
  public Tensor overwriteGrad(boolean overwrite) {
    this.overwriteGrad = overwrite;
    return this;
  }

  /** Sets the gradient to zero in place (keeps the buffer for reuse), or leaves it null. */
  public void zeroGrad() {
    synchronized (this) { // the lock backward takes to accumulate into this tensor
      if (grad == null) {
        return;
      }
      if (grad.requiresGrad) {
        grad = grad.detach().zerosLike();
      } else if (grad.isContiguous()) {
        // Only the gradient's own elements: a setGrad view may share a larger storage.
        Copy.fill(grad.storage, grad.offset, grad.numel(), 0);
        grad.storage.bumpVersion("zeroGrad");
      } else {
        grad.zero();
      }
    }
  }

  /**
   * Replaces the gradient (for optimisers and tests); null clears it. Later backward passes add to
   * it in place, so it must have this tensor's shape and dtype and one memory location per element.
   *
   * @throws IllegalArgumentException for a gradient of another shape or dtype, or an expanded view
   */
  public void setGrad(Tensor g) {
    if (g != null) {
      if (!Arrays.equals(g.shape, shape)) {
        throw new IllegalArgumentException(
            "setGrad: gradient shape "
                + Shapes.str(g.shape)
                + " differs from tensor shape "
                + Shapes.str(shape));
      }
      if (g.dtype() != dtype()) {
        throw new IllegalArgumentException(
            "setGrad: gradient dtype "
                + g.dtype()
                + " differs from this tensor's "
                + dtype()
                + " (shape "
                + Shapes.str(shape)
                + "); convert it first: setGrad(g.to(x.dtype()))");
      }
      for (int i = 0; i < shape.length; i++) {
        if (g.strides[i] == 0 && shape[i] > 1) {
          throw new IllegalArgumentException(
              "setGrad: the gradient of shape "
                  + Shapes.str(shape)
                  + " is an expanded view (dimension "
                  + i
                  + " repeats one memory location), so accumulating into it would add every"
                  + " element into one cell; pass g.contiguous() or g.copy()");
        }
      }
    }
    synchronized (this) {
      this.grad = g;
    }
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
    if (numel() != 1) {
      throw new IllegalStateException(
          "backward: gradient can be implicitly created only for a tensor with one element, but"
              + " this one has shape "
              + Shapes.str(shape)
              + ". Pass a head gradient of that"
              + " shape, e.g. y.backward(Tensor.ones("
              + shapeArgs()
              + ")), or reduce first,"
              + " e.g. y.sum().backward()");
    }
    backward(onesLike(), false, false);
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

  private String shapeArgs() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < shape.length; i++) {
      b.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    return b.toString();
  }

  /**
   * A tensor with the same values outside the graph: gradients do not flow through it. Shares
   * storage with this tensor.
   */
  public Tensor detach() {
    return new Tensor(storage, shape, strides, offset);
  }

  // ---------------------------------------------------------------- in-place updates

  private void checkInPlace(String op) {
    if (requiresGrad && GradMode.isEnabled()) {
      throw new IllegalStateException(
          op
              + ": a tensor that requires grad cannot be modified in place while gradients are"
              + " recorded; do the update inside try (var g = Autograd.noGrad()) { ... }");
    }
  }

  private Tensor inPlace(String op, Tensor result) {
    checkInPlace(op);
    for (int i = 0; i < shape.length; i++) {
      if (strides[i] == 0 && shape[i] > 1) {
        throw new IllegalArgumentException(
            op
                + ": this view of shape "
                + Shapes.str(shape)
                + " has several elements sharing"
                + " one memory location (dimension "
                + i
                + " was expanded), so an in-place"
                + " write is ambiguous; write to the original tensor or to a copy()");
      }
    }
    if (result.dtype() != dtype()) {
      if (!op.equals("copyFrom")) {
        checkCanCast(op, result.dtype());
      }
      result = result.to(dtype());
    }
    if (!Arrays.equals(result.shape, shape)) {
      throw new IllegalArgumentException(
          op
              + ": the result has shape "
              + Shapes.str(result.shape)
              + " but an in-place update cannot change this tensor's shape "
              + Shapes.str(shape));
    }
    Copy.copy(shape, result.storage, result.offset, result.strides, storage, offset, strides);
    storage.bumpVersion(op);
    return this;
  }

  /**
   * PyTorch's in-place casting rule: the result of an in-place update may change precision within
   * its category (float64 into float32) but never narrow to a lower one (a float result into an
   * int64 tensor, an integer into a bool one), which would silently truncate.
   */
  private void checkCanCast(String op, DType result) {
    if (category(result) > category(dtype())) {
      throw new IllegalArgumentException(
          op
              + ": the result type "
              + result
              + " cannot be written into this "
              + dtype()
              + " tensor of shape "
              + Shapes.str(shape)
              + " without truncating; convert first (x = x.to(DType."
              + (result.isFloating() ? "FLOAT32" : result.name())
              + ")) and update the converted tensor, or use an operand of dtype "
              + dtype());
    }
  }

  /** this += other, in place (for optimiser steps under no-grad). Returns this. */
  public Tensor addInPlace(Tensor other) {
    if (directInPlace("addInPlace", BinaryOp.ADD, other)) {
      return this;
    }
    return inPlace("addInPlace", detach().add(other.detach()));
  }

  /** this -= other, in place. Returns this. */
  public Tensor subInPlace(Tensor other) {
    if (directInPlace("subInPlace", BinaryOp.SUB, other)) {
      return this;
    }
    return inPlace("subInPlace", detach().sub(other.detach()));
  }

  /** this *= value, in place. Returns this. */
  public Tensor mulInPlace(double value) {
    if (dtype().isFloating() && directInPlace("mulInPlace", BinaryOp.MUL, scalarLike(value))) {
      return this;
    }
    return inPlace("mulInPlace", detach().mul(value));
  }

  /**
   * The common case of an in-place update (an optimiser step): this contiguous, other of the same
   * dtype in another storage and broadcasting to this shape. The kernel then writes straight into
   * this storage, with no temporary result and no copy back. Returns false (nothing done) for every
   * other case, which takes the general path.
   */
  private boolean directInPlace(String op, BinaryOp kind, Tensor other) {
    Checks.nonNull(op, "other", other);
    if (!isContiguous()
        || dtype() == DType.BOOL
        || other.dtype() != dtype()
        || other.storage == storage
        || other.shape.length > shape.length
        || !Arrays.equals(Shapes.broadcast(op, shape, other.shape), shape)) {
      return false;
    }
    checkInPlace(op);
    Binary.applyInPlace(
        kind,
        shape,
        storage,
        offset,
        other.storage,
        other.offset,
        Shapes.broadcastStrides(other.shape, other.strides, shape));
    storage.bumpVersion(op);
    return true;
  }

  /** Copies the values of {@code src} (broadcast to this shape) into this tensor. Returns this. */
  public Tensor copyFrom(Tensor src) {
    Checks.nonNull("copyFrom", "src", src);
    int[] b = Shapes.broadcast("copyFrom", shape, src.shape);
    if (!Arrays.equals(b, shape)) {
      throw new IllegalArgumentException(
          "copyFrom: the source of shape "
              + Shapes.str(src.shape)
              + " does not broadcast to this tensor's shape "
              + Shapes.str(shape)
              + "; the source must have this shape, or sizes of 1 where this has more");
    }
    return inPlace("copyFrom", src.detach().expand(shape));
  }

  /** Sets every element to zero, in place. Returns this. */
  public Tensor zero() {
    return inPlace("zero", zerosLike());
  }

  void addInPlaceUnchecked(Tensor g) {
    inPlaceAdd(g);
  }

  /** this += g without recording; reuses this buffer (gradient accumulation). */
  private void inPlaceAdd(Tensor g) {
    Tensor src = g.dtype() == dtype() ? g : g.detach().to(dtype());
    if (isContiguous() && Arrays.equals(src.shape, shape)) {
      nabla.kernels.Binary.accumulate(shape, storage, offset, src.storage, src.offset, src.strides);
    } else {
      boolean prev = GradMode.set(false);
      try {
        Tensor sum = detach().add(src.detach());
        Copy.copy(shape, sum.storage, sum.offset, sum.strides, storage, offset, strides);
      } finally {
        GradMode.set(prev);
      }
    }
    storage.bumpVersion("gradient accumulation");
  }

  // ---------------------------------------------------------------- elementwise

  private Tensor scalarLike(double value) {
    DType t = dtype();
    if (!t.isFloating() && value != Math.rint(value)) {
      t = DType.FLOAT32;
    } else if (t == DType.BOOL) {
      t = DType.INT64;
    }
    return full(value, t);
  }

  /**
   * PyTorch's result type: the wider dtype, except that a 0-d tensor does not widen a tensor with
   * dimensions of the same category (bool, integer, floating); a higher category still wins, at the
   * default float32 for floats.
   */
  static DType resultType(Tensor a, Tensor b) {
    boolean za = a.dim() == 0;
    boolean zb = b.dim() == 0;
    if (za == zb) {
      return DType.promote(a.dtype(), b.dtype());
    }
    DType dimensioned = za ? b.dtype() : a.dtype();
    DType zeroD = za ? a.dtype() : b.dtype();
    if (category(zeroD) <= category(dimensioned)) {
      return dimensioned;
    }
    return zeroD.isFloating() ? DType.FLOAT32 : zeroD;
  }

  private static int category(DType t) {
    return t.isFloating() ? 2 : t == DType.INT64 ? 1 : 0;
  }

  private Tensor binary(String op, nabla.ops.Primitive p, Tensor other, boolean floatResult) {
    DType t = resultType(this, Checks.nonNull(op, "other", other));
    if (floatResult && !t.isFloating()) {
      t = DType.FLOAT32;
    }
    return Engine.apply(p, to(t), other.to(t));
  }

  private Tensor floating() {
    return dtype().isFloating() ? this : to(DType.FLOAT32);
  }

  /**
   * this + other, broadcasting.
   *
   * <pre>{@code Tensor.of(1, 2).add(Tensor.of(3, 4))  // [4., 6.]}</pre>
   */
  public Tensor add(Tensor other) {
    return binary("add", Primitives.add(), other, false);
  }

  /** this + value. */
  public Tensor add(double value) {
    return add(scalarLike(value));
  }

  /** this - other, broadcasting. */
  public Tensor sub(Tensor other) {
    return binary("sub", Primitives.sub(), other, false);
  }

  /** this - value. */
  public Tensor sub(double value) {
    return sub(scalarLike(value));
  }

  /** this * other, broadcasting. */
  public Tensor mul(Tensor other) {
    return binary("mul", Primitives.mul(), other, false);
  }

  /** this * value. */
  public Tensor mul(double value) {
    return mul(scalarLike(value));
  }

  /** this / other, broadcasting (true division: integers give float32). */
  public Tensor div(Tensor other) {
    return binary("div", Primitives.div(), other, true);
  }

  /** this / value. */
  public Tensor div(double value) {
    return div(scalarLike(value));
  }

  /** this raised to a tensor exponent, broadcasting. */
  public Tensor pow(Tensor exponent) {
    Checks.nonNull("pow", "exponent", exponent);
    if (!resultType(this, exponent).isFloating() && exponent.numel() > 0) {
      Tensor e = exponent.dtype() == DType.BOOL ? exponent.to(DType.INT64) : exponent;
      if (e.detach().min().item() < 0) {
        throw new IllegalArgumentException(
            "pow: integers to negative integer powers are not allowed (a "
                + dtype()
                + " tensor of shape "
                + Shapes.str(shape)
                + " to a "
                + exponent.dtype()
                + " exponent with a negative value); convert to floating point first:"
                + " x.to(DType.FLOAT32).pow(e)");
      }
    }
    return binary("pow", Primitives.pow(), exponent, false);
  }

  /**
   * this raised to a constant power.
   *
   * <pre>{@code x.pow(2)   // x²}</pre>
   */
  public Tensor pow(double exponent) {
    return pow(scalarLike(exponent));
  }

  /** Elementwise maximum; at ties the gradient is split evenly. */
  public Tensor maximum(Tensor other) {
    return binary("maximum", Primitives.maximum(), other, false);
  }

  /** Elementwise minimum; at ties the gradient is split evenly. */
  public Tensor minimum(Tensor other) {
    return binary("minimum", Primitives.minimum(), other, false);
  }

  /** -this. */
  public Tensor neg() {
    return Engine.apply(Primitives.unary(UnaryOp.NEG), this);
  }

  /** 1 / this. */
  public Tensor reciprocal() {
    Tensor x = floating();
    return x.fullLike(1).div(x);
  }

  /** e^this. */
  public Tensor exp() {
    return Engine.apply(Primitives.unary(UnaryOp.EXP), floating());
  }

  /** Natural logarithm. */
  public Tensor log() {
    return Engine.apply(Primitives.unary(UnaryOp.LOG), floating());
  }

  /**
   * log(1 + this), accurate where this is small (where {@code add(1).log()} loses the digits of x).
   *
   * <pre>{@code Tensor.of(1e-10f).log1p()  // tensor([1.0000e-10])}</pre>
   */
  public Tensor log1p() {
    return Engine.apply(Primitives.unary(UnaryOp.LOG1P), floating());
  }

  /**
   * e^this - 1, accurate where this is small (where {@code exp().sub(1)} loses the digits of x).
   *
   * <pre>{@code Tensor.of(1e-10f).expm1()  // tensor([1.0000e-10])}</pre>
   */
  public Tensor expm1() {
    return Engine.apply(Primitives.unary(UnaryOp.EXPM1), floating());
  }

  /** Sine. */
  public Tensor sin() {
    return Engine.apply(Primitives.unary(UnaryOp.SIN), floating());
  }

  /** Cosine. */
  public Tensor cos() {
    return Engine.apply(Primitives.unary(UnaryOp.COS), floating());
  }

  /** Hyperbolic tangent. */
  public Tensor tanh() {
    return Engine.apply(Primitives.unary(UnaryOp.TANH), floating());
  }

  /** Logistic sigmoid 1 / (1 + e^-x), computed stably for large |x|. */
  public Tensor sigmoid() {
    return Engine.apply(Primitives.unary(UnaryOp.SIGMOID), floating());
  }

  /** max(x, 0); its derivative at 0 is 0. */
  public Tensor relu() {
    return Engine.apply(Primitives.unary(UnaryOp.RELU), this);
  }

  /** Square root. */
  public Tensor sqrt() {
    return Engine.apply(Primitives.unary(UnaryOp.SQRT), floating());
  }

  /** Absolute value; its derivative at 0 is 0. */
  public Tensor abs() {
    return Engine.apply(Primitives.unary(UnaryOp.ABS), this);
  }

  /** -1, 0 or 1 by sign; gradient zero everywhere. */
  public Tensor sign() {
    return Engine.apply(Primitives.unary(UnaryOp.SIGN), this);
  }

  /** x², the same as {@code mul(this)}. */
  public Tensor square() {
    return mul(this);
  }

  /** Limits values to [min, max]; the gradient passes where min ≤ x ≤ max (as PyTorch's clamp). */
  public Tensor clamp(double min, double max) {
    if (min > max) {
      throw new IllegalArgumentException("clamp: min " + min + " is greater than max " + max);
    }
    Tensor lo = scalarLike(min);
    Tensor hi = scalarLike(max);
    return where(lt(lo), lo, where(gt(hi), hi, this));
  }

  /** Elementwise ==, giving bool. */
  public Tensor eq(Tensor other) {
    return binary("eq", Primitives.compare(BinaryOp.EQ), other, false);
  }

  /** Elementwise == value. */
  public Tensor eq(double value) {
    return eq(scalarLike(value));
  }

  /** Elementwise !=, giving bool. */
  public Tensor ne(Tensor other) {
    return binary("ne", Primitives.compare(BinaryOp.NE), other, false);
  }

  /** Elementwise != value. */
  public Tensor ne(double value) {
    return ne(scalarLike(value));
  }

  /** Elementwise &lt;, giving bool. */
  public Tensor lt(Tensor other) {
    return binary("lt", Primitives.compare(BinaryOp.LT), other, false);
  }

  /** Elementwise &lt; value. */
  public Tensor lt(double value) {
    return lt(scalarLike(value));
  }

  /** Elementwise &lt;=, giving bool. */
  public Tensor le(Tensor other) {
    return binary("le", Primitives.compare(BinaryOp.LE), other, false);
  }

  /** Elementwise &lt;= value. */
  public Tensor le(double value) {
    return le(scalarLike(value));
  }

  /** Elementwise &gt;, giving bool. */
  public Tensor gt(Tensor other) {
    return binary("gt", Primitives.compare(BinaryOp.GT), other, false);
  }

  /** Elementwise &gt; value. */
  public Tensor gt(double value) {
    return gt(scalarLike(value));
  }

  /** Elementwise &gt;=, giving bool. */
  public Tensor ge(Tensor other) {
    return binary("ge", Primitives.compare(BinaryOp.GE), other, false);
  }

  /** Elementwise &gt;= value. */
  public Tensor ge(double value) {
    return ge(scalarLike(value));
  }

  /** Elementwise logical and of two bool tensors. */
  public Tensor logicalAnd(Tensor other) {
    return to(DType.BOOL).mul(Checks.nonNull("logicalAnd", "other", other).to(DType.BOOL));
  }

  /** Elementwise logical or of two bool tensors. */
  public Tensor logicalOr(Tensor other) {
    return to(DType.BOOL).add(Checks.nonNull("logicalOr", "other", other).to(DType.BOOL));
  }

  /** Elementwise logical not. */
  public Tensor logicalNot() {
    return to(DType.BOOL).eq(full(0, DType.BOOL));
  }

  /**
   * Picks {@code x} where {@code condition} is true and {@code y} elsewhere, broadcasting all
   * three. No gradient (not even NaN) reaches the branch not taken.
   */
  public static Tensor where(Tensor condition, Tensor x, Tensor y) {
    Checks.nonNull("where", "condition", condition);
    Checks.nonNull("where", "x", x);
    Checks.nonNull("where", "y", y);
    if (condition.dtype() != DType.BOOL) {
      throw new IllegalArgumentException(
          "where: the condition must be a bool tensor, got "
              + condition.dtype()
              + " of shape "
              + Shapes.str(condition.shape)
              + "; build it with a comparison, e.g. x.gt(0), or c.ne(0) for a numeric mask");
    }
    DType t = resultType(x, y);
    return Engine.apply(Primitives.where(), condition.to(DType.BOOL), x.to(t), y.to(t));
  }

  /** {@code where(condition, x, y)} with a constant {@code y}. */
  public static Tensor where(Tensor condition, Tensor x, double y) {
    return where(condition, x, Checks.nonNull("where", "x", x).scalarLike(y));
  }

  // ---------------------------------------------------------------- reductions

  /** Sum of all elements (0-d). */
  public Tensor sum() {
    return sum(null, false);
  }

  /** Sum along one axis. */
  public Tensor sum(int axis, boolean keepDim) {
    return sum(new int[] {axis}, keepDim);
  }

  /** Sum along several axes (null: all). Integers and bools sum to int64. */
  public Tensor sum(int[] axes, boolean keepDim) {
    Tensor x = dtype() == DType.BOOL ? to(DType.INT64) : this;
    return Engine.apply(Primitives.sum(Shapes.axes("sum", axes, dim()), keepDim), x);
  }

  /** Mean of all elements. */
  public Tensor mean() {
    return mean(null, false);
  }

  /** Mean along one axis. */
  public Tensor mean(int axis, boolean keepDim) {
    return mean(new int[] {axis}, keepDim);
  }

  /** Mean along several axes (null: all). */
  public Tensor mean(int[] axes, boolean keepDim) {
    int[] ax = Shapes.axes("mean", axes, dim());
    long count = 1;
    for (int a : ax) {
      count *= shape[a];
    }
    return floating().sum(ax, keepDim).div((double) count);
  }

  /** Largest element (0-d); the gradient is shared evenly among ties. */
  public Tensor max() {
    return Engine.apply(Primitives.max(Shapes.axes("max", null, dim()), false), this);
  }

  /** Largest values along an axis. */
  public Tensor max(int axis, boolean keepDim) {
    return Engine.apply(Primitives.max(Shapes.axes("max", new int[] {axis}, dim()), keepDim), this);
  }

  /** Smallest element (0-d). */
  public Tensor min() {
    return Engine.apply(Primitives.min(Shapes.axes("min", null, dim()), false), this);
  }

  /** Smallest values along an axis. */
  public Tensor min(int axis, boolean keepDim) {
    return Engine.apply(Primitives.min(Shapes.axes("min", new int[] {axis}, dim()), keepDim), this);
  }

  /** Index of the largest element in row-major order (0-d int64). */
  public Tensor argmax() {
    return reshape(-1).argmax(0, false);
  }

  /** Indices of the largest values along an axis (int64). */
  public Tensor argmax(int axis, boolean keepDim) {
    return Engine.apply(Primitives.argmax(Shapes.axis("argmax", axis, dim()), keepDim, true), this);
  }

  /** Index of the smallest element in row-major order (0-d int64). */
  public Tensor argmin() {
    return reshape(-1).argmin(0, false);
  }

  /** Indices of the smallest values along an axis (int64). */
  public Tensor argmin(int axis, boolean keepDim) {
    return Engine.apply(
        Primitives.argmax(Shapes.axis("argmin", axis, dim()), keepDim, false), this);
  }

  /** Euclidean (L2) norm of all elements; its gradient at 0 is 0. */
  public Tensor norm() {
    return norm(2, null, false);
  }

  /** p-norm of all elements. */
  public Tensor norm(double p) {
    return norm(p, null, false);
  }

  /** p-norm along axes (null: all), p ≥ 1; the gradient at a zero norm is 0. */
  public Tensor norm(double p, int[] axes, boolean keepDim) {
    return Engine.apply(Primitives.norm(p, Shapes.axes("norm", axes, dim()), keepDim), floating());
  }

  /** log(sum(exp(x))) along axes, computed without overflow. */
  public Tensor logsumexp(int[] axes, boolean keepDim) {
    Tensor x = floating();
    int[] ax = Shapes.axes("logsumexp", axes, dim());
    Tensor m = x.stableShift(ax);
    Tensor r = x.sub(m).exp().sum(ax, true).log().add(m);
    return keepDim ? r : r.squeezeAxes(ax);
  }

  /**
   * The detached max over axes (keepDim), replaced by 0 where it is infinite or where the axes are
   * empty: subtracting it keeps exp from overflowing and changes no derivative.
   */
  private Tensor stableShift(int[] ax) {
    int[] kept = Shapes.reduced(shape, ax, true);
    if (ax.length == 0 || numel() == 0) {
      return zeros(dtype(), kept);
    }
    Tensor m = Engine.apply(Primitives.max(ax, true), detach());
    return where(m.abs().eq(Double.POSITIVE_INFINITY), m.zerosLike(), m);
  }

  /** log(sum(exp(x))) along one axis. */
  public Tensor logsumexp(int axis, boolean keepDim) {
    return logsumexp(new int[] {axis}, keepDim);
  }

  private Tensor squeezeAxes(int[] axes) {
    return reshape(Shapes.reduced(shape, axes, false));
  }

  /** Softmax along a dimension: exp(x) / sum(exp(x)), computed stably. */
  public Tensor softmax(int dim) {
    Tensor x = floating();
    return Engine.apply(Primitives.logSoftmax(Shapes.axis("softmax", dim, dim())), x).exp();
  }

  /**
   * log(softmax(x)) along a dimension: (x - m) - log(sum(exp(x - m))) with m the row maximum,
   * computed stably by one fused primitive (its VJP and JVP are tensor expressions, so it
   * differentiates to any order).
   */
  public Tensor logSoftmax(int dim) {
    Tensor x = floating();
    return Engine.apply(Primitives.logSoftmax(Shapes.axis("logSoftmax", dim, dim())), x);
  }

  /**
   * Mean cross-entropy between logits [N, C] and int64 class targets [N] (PyTorch's {@code
   * F.cross_entropy}).
   */
  public Tensor crossEntropy(Tensor target) {
    Checks.nonNull("crossEntropy", "target", target);
    if (dim() != 2 || target.dim() != 1 || target.shape[0] != shape[0]) {
      throw new IllegalArgumentException(
          "crossEntropy: expected logits of shape [N, C] and targets of shape [N], got "
              + Shapes.str(shape)
              + " and "
              + Shapes.str(target.shape));
    }
    if (target.dtype() != DType.INT64) {
      throw new IllegalArgumentException(
          "crossEntropy: targets must be int64 class indices, got " + target.dtype());
    }
    if (shape[1] == 0 && shape[0] > 0) {
      throw new IllegalArgumentException(
          "crossEntropy: the logits of shape "
              + Shapes.str(shape)
              + " have no classes (C = 0); they need one score per class, shape [N, C] with C >= 1");
    }
    checkIndexRange("crossEntropy (class targets)", target, shape[1], 1);
    return logSoftmax(1).gather(1, target.unsqueeze(1)).mean().neg();
  }

  /** Mean squared error between this and {@code target}. */
  public Tensor mseLoss(Tensor target) {
    if (!Arrays.equals(shape, Checks.nonNull("mseLoss", "target", target).shape)) {
      throw new IllegalArgumentException(
          "mseLoss: input shape "
              + Shapes.str(shape)
              + " and target shape "
              + Shapes.str(target.shape)
              + " differ; reshape one so they match");
    }
    Tensor d = sub(target);
    return d.mul(d).mean();
  }

  // ---------------------------------------------------------------- linear algebra

  /**
   * Inner product of two 1-d tensors of equal length (0-d result).
   *
   * <pre>{@code Tensor.of(1, 2).dot(Tensor.of(3, 4))   // tensor(11.)}</pre>
   */
  public Tensor dot(Tensor other) {
    Checks.nonNull("dot", "other", other);
    if (dim() != 1 || other.dim() != 1 || shape[0] != other.shape[0]) {
      throw new IllegalArgumentException(
          "dot: expected two 1-d tensors of the same length, got shapes "
              + Shapes.str(shape)
              + " and "
              + Shapes.str(other.shape));
    }
    return mul(other).sum();
  }

  /**
   * Matrix product with NumPy semantics: 1-d operands are promoted to a row (left) or column
   * (right) and the added dimension removed; leading (batch) dimensions broadcast.
   *
   * <pre>{@code Tensor.ones(2, 3).matmul(Tensor.ones(3, 4))   // shape [2, 4], all 3}</pre>
   */
  public Tensor matmul(Tensor other) {
    Checks.nonNull("matmul", "other", other);
    if (dim() == 0 || other.dim() == 0) {
      throw new IllegalArgumentException(
          "matmul: both operands need at least one dimension, got shapes "
              + Shapes.str(shape)
              + " and "
              + Shapes.str(other.shape)
              + "; use mul for scalars");
    }
    Tensor a = dim() == 1 ? unsqueeze(0) : this;
    Tensor b = other.dim() == 1 ? other.unsqueeze(1) : other;
    if (a.shape[a.dim() - 1] != b.shape[b.dim() - 2]) {
      throw new IllegalArgumentException(
          "matmul: shapes "
              + Shapes.str(shape)
              + " and "
              + Shapes.str(other.shape)
              + " cannot be multiplied ("
              + a.shape[a.dim() - 1]
              + " columns vs "
              + b.shape[b.dim() - 2]
              + " rows)");
    }
    DType t = DType.promote(dtype(), other.dtype());
    if (!t.isFloating()) {
      t = DType.FLOAT32;
    }
    Tensor r = Engine.apply(Primitives.matmul(), a.to(t), b.to(t));
    if (other.dim() == 1) {
      r = r.squeeze(-1);
    }
    if (dim() == 1) {
      r = r.squeeze(r.dim() == 1 ? 0 : -2);
    }
    return r;
  }

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

  // ---------------------------------------------------------------- shape

  /**
   * Same elements with another shape; one size may be -1 (inferred). A view when the layout allows,
   * a copy otherwise.
   *
   * @throws IllegalArgumentException when the element counts differ
   */
  public Tensor reshape(int... newShape) {
    int[] s = inferShape(newShape);
    if (Arrays.equals(s, shape)) {
      return this;
    }
    return Engine.apply(Primitives.reshape(s), this);
  }

  private int[] inferShape(int[] newShape) {
    Checks.nonNull("reshape", "shape", newShape);
    long known = 1;
    int infer = -1;
    for (int i = 0; i < newShape.length; i++) {
      if (newShape[i] == -1) {
        if (infer >= 0) {
          throw new IllegalArgumentException(
              "reshape: only one dimension can be -1, got " + Arrays.toString(newShape));
        }
        infer = i;
      } else if (newShape[i] < 0) {
        throw new IllegalArgumentException(
            "reshape: invalid size " + newShape[i] + " in " + Arrays.toString(newShape));
      } else {
        known *= newShape[i];
        if (known > Integer.MAX_VALUE && Arrays.stream(newShape).noneMatch(d -> d == 0)) {
          throw Shapes.tooLarge("reshape", newShape);
        }
      }
    }
    int n = numel();
    int[] s = newShape.clone();
    if (infer >= 0) {
      if (known == 0 || n % known != 0) {
        throw new IllegalArgumentException(
            "reshape: cannot reshape a tensor of shape "
                + Shapes.str(shape)
                + " ("
                + n
                + " elements) into "
                + Arrays.toString(newShape));
      }
      s[infer] = (int) (n / known);
    } else if (known != n) {
      throw new IllegalArgumentException(
          "reshape: cannot reshape a tensor of shape "
              + Shapes.str(shape)
              + " ("
              + n
              + " elements) into "
              + Arrays.toString(newShape)
              + " ("
              + known
              + " elements)");
    }
    return s;
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
    if (Arrays.equals(s, shape)) {
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
    if (target.length == 0) {
      throw new IllegalArgumentException("embed: the target shape is 0-d, it has no dimension");
    }
    int d = Shapes.axis("embed", dim, target.length);
    if (start < 0 || step < 1) {
      throw new IllegalArgumentException(
          "embed: start must be >= 0 and step >= 1, got start " + start + " and step " + step);
    }
    int len = d < this.shape.length ? this.shape[d] : 0;
    if (target.length == this.shape.length && len > 0 && start + (len - 1L) * step >= target[d]) {
      throw new IllegalArgumentException(
          "embed: "
              + len
              + " elements at "
              + start
              + "::"
              + step
              + " do not fit into size "
              + target[d]
              + " of dimension "
              + d
              + " of "
              + Shapes.str(target));
    }
    return Engine.apply(Primitives.pad(target, d, start, step), this);
  }

  /** The sub-tensor at {@code index} along dimension 0 (rank decreases by one). */
  public Tensor get(int index) {
    if (dim() == 0) {
      throw new IllegalArgumentException(
          "get: cannot index a 0-d tensor; read its value with item(), or reshape(1) it first");
    }
    int i = index < 0 ? index + shape[0] : index;
    if (i < 0 || i >= shape[0]) {
      throw new IndexOutOfBoundsException(
          "get: index "
              + index
              + " is out of range for dimension 0 of size "
              + shape[0]
              + " (valid: "
              + -shape[0]
              + " to "
              + (shape[0] - 1)
              + ")");
    }
    return slice(0, i, i + 1, 1).squeeze(0);
  }

  /** Concatenates tensors of equal shape except along {@code dim}. */
  public static Tensor cat(int dim, Tensor... tensors) {
    if (Checks.noNulls("cat", "tensors", tensors).length == 0) {
      throw new IllegalArgumentException("cat: needs at least one tensor");
    }
    DType t = tensors[0].dtype();
    for (Tensor x : tensors) {
      t = DType.promote(t, x.dtype());
    }
    Tensor[] in = new Tensor[tensors.length];
    for (int i = 0; i < in.length; i++) {
      in[i] = tensors[i].to(t);
    }
    return Engine.apply(Primitives.cat(Shapes.axis("cat", dim, tensors[0].dim()), in), in);
  }

  /** Stacks tensors of equal shape along a new dimension. */
  public static Tensor stack(int dim, Tensor... tensors) {
    if (Checks.noNulls("stack", "tensors", tensors).length == 0) {
      throw new IllegalArgumentException("stack: needs at least one tensor");
    }
    int d = Shapes.newAxis("stack", dim, tensors[0].dim());
    Tensor[] u = new Tensor[tensors.length];
    for (int i = 0; i < u.length; i++) {
      if (!Arrays.equals(tensors[i].shape, tensors[0].shape)) {
        throw new IllegalArgumentException(
            "stack: all tensors must have the same shape, got "
                + Shapes.str(tensors[0].shape)
                + " and "
                + Shapes.str(tensors[i].shape)
                + " (tensor "
                + i
                + ")");
      }
      u[i] = tensors[i].unsqueeze(d);
    }
    return cat(d, u);
  }

  /**
   * Picks values along {@code dim} by an int64 index of the same rank: out[i][j] =
   * this[i][index[i][j]] for dim 1. Its gradient is a scatter-add.
   */
  public Tensor gather(int dim, Tensor index) {
    Checks.nonNull("gather", "index", index);
    return Engine.apply(Primitives.gather(Shapes.axis("gather", dim, dim())), this, index);
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
    if (dim() == 0) {
      throw new IllegalArgumentException(
          "indexSelect: cannot index a 0-d tensor; reshape(1) it first");
    }
    int d = Shapes.axis("indexSelect", dim, dim());
    if (Checks.nonNull("indexSelect", "index", index).dim() != 1 || index.dtype() != DType.INT64) {
      throw new IllegalArgumentException(
          "indexSelect: the index must be a 1-d int64 tensor, got "
              + index.dtype()
              + " of shape "
              + Shapes.str(index.shape));
    }
    checkIndexRange("indexSelect", index, shape[d], d);
    int[] view = new int[Math.max(dim(), 1)];
    Arrays.fill(view, 1);
    view[d] = index.shape[0];
    int[] target = shape.clone();
    target[d] = index.shape[0];
    return gather(d, index.reshape(view).expand(target));
  }

  private static void checkIndexRange(String op, Tensor index, int size, int dim) {
    for (long v : index.toLongArray()) {
      if (v < 0 || v >= size) {
        throw new IndexOutOfBoundsException(
            op
                + ": index "
                + v
                + " is out of range for dimension "
                + dim
                + " of size "
                + size
                + " (valid: 0 to "
                + (size - 1)
                + ")");
      }
    }
  }

  /** The elements where a bool mask (broadcast together with this tensor) is true, as 1-d. */
  public Tensor maskedSelect(Tensor mask) {
    if (Checks.nonNull("maskedSelect", "mask", mask).dtype() != DType.BOOL) {
      throw new IllegalArgumentException(
          "maskedSelect: the mask must be a bool tensor, got " + mask.dtype());
    }
    int[] common = Shapes.broadcast("maskedSelect", shape, mask.shape);
    boolean[] m = mask.expand(common).toBooleanArray();
    int count = 0;
    for (boolean b : m) {
      count += b ? 1 : 0;
    }
    long[] idx = new long[count];
    for (int i = 0, j = 0; i < m.length; i++) {
      if (m[i]) {
        idx[j++] = i;
      }
    }
    return expand(common).reshape(-1).gather(0, ofLongs(idx, count));
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
