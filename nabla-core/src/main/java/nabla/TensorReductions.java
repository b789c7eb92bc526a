package nabla;

import java.util.function.IntFunction;
import nabla.ops.Primitive;
import nabla.ops.Primitives;
import nabla.storage.Shapes;

/**
 * Reductions beyond sum, mean and max, scans, sorting and selection, with PyTorch's names: the
 * package-private superclass of {@link TensorMath} (so of {@code Tensor}), whose callers see these
 * as public methods of {@code Tensor}. Statistics are composed in {@link Statistics}, scans are
 * primitives ({@code nabla.ops.Scans}), and selections ({@link Sorting}) compute positions in plain
 * Java and gather the values, so that the values are differentiable.
 */
abstract sealed class TensorReductions permits TensorFunctions {
  TensorReductions() {}

  /** This object as the tensor it is (the only concrete subclass); for the whole chain. */
  final Tensor self() {
    return (Tensor) this;
  }

  /** A binary primitive applied after promoting both operands to their common dtype. */
  final Tensor binary(String op, Primitive p, Tensor other, boolean floatResult) {
    Tensor x = self();
    DType t = TypePromotion.resultType(x, Checks.nonNull(op, "other", other), floatResult);
    return Engine.apply(p, x.to(t), other.to(t));
  }

  /** This tensor, converted to float32 when it is not floating (as exp and log do). */
  final Tensor floating() {
    Tensor x = self();
    return x.dtype().isFloating() ? x : x.to(DType.FLOAT32);
  }

  /**
   * Product of all elements (0-d); integers and bools give int64. The gradient at an element is the
   * product of the others, exact where one element is 0 (and 0 everywhere when two are).
   *
   * <pre>{@code Tensor.of(2, 0, 4).prod()   // tensor(0.), gradient [0, 8, 0]}</pre>
   */
  public Tensor prod() {
    return Statistics.prod(self(), null, false);
  }

  /** Product along one dimension, see {@link #prod()}. */
  public Tensor prod(int dim, boolean keepDim) {
    return Statistics.prod(self(), new int[] {dim}, keepDim);
  }

  /** Product along one dimension, not kept. */
  public Tensor prod(int dim) {
    return prod(dim, false);
  }

  /**
   * Unbiased variance over the given axes (none: all): Σ(x - mean)² / (N - 1), PyTorch's default.
   *
   * <pre>{@code Tensor.of(1, 2, 3, 4).var()   // tensor(1.6667)}</pre>
   */
  public Tensor var(int... dims) {
    return Statistics.var("var", self(), dims, 1, false);
  }

  /**
   * Σ(x - mean)² / max(0, N - correction) over axes (null or empty: all); correction 0 is the
   * population variance, 1 the unbiased one. A divisor of 0 gives inf or NaN, as in PyTorch.
   */
  public Tensor var(int[] dims, int correction, boolean keepDim) {
    return Statistics.var("var", self(), dims, correction, keepDim);
  }

  /** Standard deviation, sqrt of {@link #var(int...)} (its gradient at 0 is NaN, as PyTorch's). */
  public Tensor std(int... dims) {
    return Statistics.var("std", self(), dims, 1, false).sqrt();
  }

  /** Standard deviation with a correction, sqrt of {@link #var(int[], int, boolean)}. */
  public Tensor std(int[] dims, int correction, boolean keepDim) {
    return Statistics.var("std", self(), dims, correction, keepDim).sqrt();
  }

  /**
   * Largest values over the given axes (none: all), not kept; the gradient is shared evenly among
   * tied maxima (PyTorch's {@code amax}; {@link #max(int)} instead sends it to one index).
   */
  public Tensor amax(int... dims) {
    return amax(dims, false);
  }

  /** {@link #amax(int...)} with keepDim. */
  public Tensor amax(int[] dims, boolean keepDim) {
    return Engine.apply(Primitives.max(Statistics.axes("amax", self(), dims), keepDim), self());
  }

  /** Smallest values over the given axes (none: all); the gradient is shared among ties. */
  public Tensor amin(int... dims) {
    return amin(dims, false);
  }

  /** {@link #amin(int...)} with keepDim. */
  public Tensor amin(int[] dims, boolean keepDim) {
    return Engine.apply(Primitives.min(Statistics.axes("amin", self(), dims), keepDim), self());
  }

  /**
   * Largest values along a dimension and their positions (the first one on ties), PyTorch's {@code
   * x.max(dim)}; the gradient goes to that position only. {@link #max(int, boolean)} (kept for
   * existing code) returns the values alone with the gradient shared among ties, like {@link
   * #amax(int[], boolean)}.
   *
   * <pre>{@code Tensor.of(new double[] {1, 5, 3, 2}, 2, 2).max(1).indices()   // tensor([1, 0])}
   * </pre>
   */
  public ValuesAndIndices max(int dim) {
    Tensor i = self().argmax(dim, true);
    return Sorting.selected(self(), Shapes.axis("max", dim, self().dim()), i, false);
  }

  /** Smallest values along a dimension and their positions; see {@link #max(int)}. */
  public ValuesAndIndices min(int dim) {
    Tensor i = self().argmin(dim, true);
    return Sorting.selected(self(), Shapes.axis("min", dim, self().dim()), i, false);
  }

  /** Whether every element is non-zero (0-d bool). */
  public Tensor all() {
    return Statistics.all(self(), null, false);
  }

  /** Whether every element along a dimension is non-zero (bool). */
  public Tensor all(int dim) {
    return Statistics.all(self(), new int[] {dim}, false);
  }

  /** Whether some element is non-zero (0-d bool). */
  public Tensor any() {
    return Statistics.any(self(), null, false);
  }

  /** Whether some element along a dimension is non-zero (bool). */
  public Tensor any(int dim) {
    return Statistics.any(self(), new int[] {dim}, false);
  }

  /** Number of non-zero elements over the given axes (none: all), int64. */
  public Tensor countNonzero(int... dims) {
    return Statistics.countNonzero(self(), dims);
  }

  /**
   * Cumulative sum along a dimension; integers and bools sum to int64.
   *
   * <pre>{@code Tensor.of(1, 2, 3).cumsum(0)   // tensor([1., 3., 6.])}</pre>
   */
  public Tensor cumsum(int dim) {
    return scan("cumsum", Primitives::cumsum, dim, false);
  }

  /** Cumulative product along a dimension; its gradient is exact where elements are 0. */
  public Tensor cumprod(int dim) {
    return scan("cumprod", Primitives::cumprod, dim, false);
  }

  /** log(cumsum(exp(x))) along a dimension, computed without overflow or underflow. */
  public Tensor logcumsumexp(int dim) {
    return scan("logcumsumexp", Primitives::logcumsumexp, dim, true);
  }

  private Tensor scan(String op, IntFunction<Primitive> p, int dim, boolean floatOnly) {
    Tensor x = self();
    x = floatOnly && !x.dtype().isFloating() ? x.to(DType.FLOAT32) : x;
    int d = Shapes.axis(op, dim, x.dim());
    x = x.dtype().isFloating() || x.dtype() == DType.INT64 ? x : x.to(DType.INT64);
    return x.dim() == 0
        ? Engine.apply(p.apply(0), x.reshape(1)).reshape()
        : Engine.apply(p.apply(d), x);
  }

  /**
   * Running maximum along a dimension and where it was reached (a later equal value takes over;
   * NaN, once met, stays). The gradient goes to those positions.
   *
   * <pre>{@code Tensor.of(1, 3, 2).cummax(0).values()   // tensor([1., 3., 3.])}</pre>
   */
  public ValuesAndIndices cummax(int dim) {
    return Sorting.cumulativeExtreme("cummax", self(), dim, true);
  }

  /** Running minimum along a dimension and where it was reached; see {@link #cummax(int)}. */
  public ValuesAndIndices cummin(int dim) {
    return Sorting.cumulativeExtreme("cummin", self(), dim, false);
  }

  /** {@code sort(-1, false)}: ascending along the last dimension. */
  public ValuesAndIndices sort() {
    return sort(-1, false);
  }

  /**
   * Sorted values along a dimension and their original positions; stable (equal elements keep their
   * order), NaN above every number. The gradient goes back to the original positions.
   *
   * <pre>{@code Tensor.of(3, 1, 2).sort(0, true).indices()   // tensor([0, 2, 1])}</pre>
   */
  public ValuesAndIndices sort(int dim, boolean descending) {
    return Sorting.sort(self(), dim, descending);
  }

  /** {@code argsort(-1, false)}. */
  public Tensor argsort() {
    return argsort(-1, false);
  }

  /** The positions that sort along a dimension (int64), as {@link #sort(int, boolean)} gives. */
  public Tensor argsort(int dim, boolean descending) {
    return Sorting.argsort("argsort", self(), dim, descending);
  }

  /** {@code topk(k, -1, true)}: the k largest along the last dimension. */
  public ValuesAndIndices topk(int k) {
    return topk(k, -1, true);
  }

  /**
   * The k largest (or smallest) values along a dimension in sorted order, with their positions.
   *
   * <pre>{@code Tensor.of(1, 4, 2, 3).topk(2).values()   // tensor([4., 3.])}</pre>
   *
   * @throws IllegalArgumentException unless 0 ≤ k ≤ the dimension's size
   */
  public ValuesAndIndices topk(int k, int dim, boolean largest) {
    return Sorting.topk(self(), k, dim, largest);
  }

  /** {@code kthvalue(k, -1, false)}. */
  public ValuesAndIndices kthvalue(int k) {
    return kthvalue(k, -1, false);
  }

  /**
   * The k-th smallest value (k from 1) along a dimension and its position.
   *
   * <pre>{@code Tensor.of(5, 1, 4).kthvalue(2).values()   // tensor(4.)}</pre>
   *
   * @throws IllegalArgumentException unless 1 ≤ k ≤ the dimension's size
   */
  public ValuesAndIndices kthvalue(int k, int dim, boolean keepDim) {
    return Sorting.kthvalue(self(), k, dim, keepDim);
  }

  /** Lower median of all elements (0-d): the smaller middle value for an even count; NaN wins. */
  public Tensor median() {
    return Sorting.median(self());
  }

  /** Lower median along a dimension and its position; see {@link #median()}. */
  public ValuesAndIndices median(int dim) {
    return median(dim, false);
  }

  /**
   * Lower median along a dimension and its position.
   *
   * <pre>{@code Tensor.of(3, 1, 2, 4).median(0).values()   // tensor(2.)}</pre>
   */
  public ValuesAndIndices median(int dim, boolean keepDim) {
    return Sorting.median(self(), dim, keepDim);
  }

  /** The q-quantile (q in [0, 1]) of all elements, interpolating linearly; NaN if one is NaN. */
  public Tensor quantile(double q) {
    return Sorting.quantile(self().reshape(-1), q, 0, false);
  }

  /**
   * The q-quantile along a dimension: sorted values at floor and ceil of q·(n-1), linearly
   * interpolated (PyTorch's default). Differentiable through the two values.
   *
   * <pre>{@code Tensor.of(1, 2, 3, 4).quantile(0.5, 0, false)   // tensor(2.5)}</pre>
   */
  public Tensor quantile(double q, int dim, boolean keepDim) {
    return Sorting.quantile(self(), q, dim, keepDim);
  }

  /** {@code mode(-1, false)}. */
  public ValuesAndIndices mode() {
    return mode(-1, false);
  }

  /**
   * The most frequent value along a dimension (the smallest among equally frequent ones) and its
   * last position.
   *
   * <pre>{@code Tensor.of(2, 1, 2, 1, 3).mode().values()   // tensor(1.)}</pre>
   */
  public ValuesAndIndices mode(int dim, boolean keepDim) {
    return Sorting.mode(self(), dim, keepDim);
  }

  /**
   * The distinct values in ascending order (1-d, no gradient).
   *
   * <pre>{@code Tensor.of(3, 1, 3).unique()   // tensor([1., 3.])}</pre>
   */
  public Tensor unique() {
    return Sorting.unique(self()).values();
  }

  /** {@link #unique()} with, for each element, its value's position, and each value's count. */
  public UniqueValues uniqueWithCounts() {
    return Sorting.unique(self());
  }

  /** {@code searchsorted(values, false)}. */
  public Tensor searchsorted(Tensor values) {
    return searchsorted(values, false);
  }

  /**
   * Insertion positions of {@code values} in this sorted sequence (along its last dimension): the
   * count of elements below each value, or at most it with {@code right} (int64, no gradient).
   *
   * <pre>{@code Tensor.of(1, 3, 5).searchsorted(Tensor.of(3, 6))   // tensor([1, 3])}</pre>
   */
  public Tensor searchsorted(Tensor values, boolean right) {
    return Sorting.searchsorted(self(), values, right);
  }

  /** Occurrences of each value 0..max of a 1-d int64 tensor of non-negative values (int64). */
  public Tensor bincount() {
    return Statistics.bincount(self(), null, 0);
  }

  /**
   * Sum of {@code weights} (null: 1) at each value 0..max of this 1-d int64 tensor, at least {@code
   * minlength} bins; differentiable in the weights.
   *
   * <pre>{@code Tensor.ofLongs(new long[] {0, 2, 2}, 3).bincount()   // tensor([1, 0, 2])}</pre>
   */
  public Tensor bincount(Tensor weights, int minlength) {
    return Statistics.bincount(self(), weights, minlength);
  }

  /**
   * Histogram: counts in {@code bins} equal bins over [min, max] (min = max = 0: the data's range);
   * elements outside are ignored. No gradient.
   */
  public Tensor histc(int bins, double min, double max) {
    return Statistics.histc(self(), bins, min, max);
  }
}
