package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.Supplier;
import nabla.storage.Shapes;
import org.junit.jupiter.api.Test;

/**
 * Advanced indexing and index assignment (issue #11), after PyTorch's test_autograd ({@code
 * test_setitem}, {@code test_setitem_mask}, {@code test_index_put_accumulate*}) and test_indexing
 * ({@code test_advanced_indexing}, {@code test_index_put_accumulate_duplicate_indices}): every
 * differentiable path through GradCheck in float64 (first- and second-order VJPs and JVPs against
 * finite differences), gradients of in-place assignments in a graph against closed forms, the
 * deterministic last-write-wins rule, and the errors. Forward values and gradients against PyTorch
 * are in {@link IndexingReferenceTest}.
 */
class AdvancedIndexingTest {

  private static Tensor f64(double... v) {
    return Tensor.ofDoubles(v, v.length);
  }

  private static Tensor longs(long... v) {
    return Tensor.ofLongs(v, v.length);
  }

  private static Tensor bools(boolean... v) {
    return Tensor.ofBooleans(v, v.length);
  }

  private static Tensor random(SplittableRandom r, int... shape) {
    double[] d = new double[Shapes.numel(shape)];
    for (int i = 0; i < d.length; i++) {
      d[i] = r.nextDouble(-2, 2);
    }
    return Tensor.ofDoubles(d, d.length).reshape(shape);
  }

  /** GradCheck's every check (first and second order, forward mode), none of them skipped. */
  private static void check(Autograd.MultiFunction f, Tensor... inputs) {
    GradCheck.Report r = GradCheck.check(f, inputs);
    assertTrue(r.passed() && r.notes().isEmpty() && r.comparisons() > 0, r.toString());
  }

  private static Tensor leaf(SplittableRandom r, int... shape) {
    return random(r, shape).requiresGrad(true);
  }

  // ---------------------------------------------------------------- reads

  @Test
  void gradCheckOfReadsWithDuplicatesBroadcastingAndMasks() {
    SplittableRandom r = new SplittableRandom(1);
    Tensor rows = longs(0, 2, 0, -1).reshape(4, 1);
    Tensor cols = longs(3, 3, 0);
    Tensor mask = Tensor.ofBooleans(new boolean[] {true, false, true, true, false, true}, 2, 3);
    check(
        a -> {
          Tensor m = a[0].reshape(3, 4);
          Tensor pairs = m.index(rows, cols); // [4, 3], elements picked several times
          Tensor columns = m.index(null, longs(1, 1, -4)); // [3, 3]
          Tensor c = a[0].reshape(2, 3, 2);
          Tensor masked = c.index(mask); // [4, 2]
          Tensor separated = c.index(longs(1, 0, 1), null, longs(0, 1, 1)); // [3, 3]
          return pairs
              .sin()
              .sum()
              .add(columns.mul(columns).sum())
              .add(masked.exp().sum())
              .add(separated.pow(3).sum());
        },
        leaf(r, 12));
  }

  @Test
  void readGradientAccumulatesDuplicates() {
    Tensor x = f64(1, 2, 3).requiresGrad(true);
    x.index(longs(0, 2, 0, 0, -1)).mul(f64(1, 10, 100, 1000, 10000)).sum().backward();
    assertArrayEquals(new double[] {1101, 0, 10010}, x.grad().toDoubleArray());
  }

  /** NumPy's placement rule: adjacent indexed dimensions stay in place, separated ones go first. */
  @Test
  void resultShapesFollowThePlacementRule() {
    Tensor x = Tensor.zeros(2, 3, 4, 5);
    Tensor i = longs(0, 1, 1, 0, 1, 0).reshape(2, 3);
    assertArrayEquals(new int[] {2, 2, 3, 5}, x.index(null, i, i).shape());
    assertArrayEquals(new int[] {2, 3, 3, 5}, x.index(i, null, i).shape());
    assertArrayEquals(new int[] {2, 3, 3, 4}, x.index(i, null, null, i).shape());
    assertArrayEquals(new int[] {2, 3, 3, 4, 5}, x.index(i).shape());
    assertArrayEquals(new int[] {2, 3, 4, 5}, x.index().shape());
    assertArrayEquals(
        new int[] {3, 4, 5}, x.index(Tensor.ofLongs(new long[] {1}, 1).reshape()).shape());
    // a mask covers as many dimensions as it has, and counts as one index per dimension
    Tensor m = Tensor.ofBooleans(new boolean[] {true, false, true, true, false, false}, 2, 3);
    assertArrayEquals(new int[] {3, 4, 5}, x.index(m).shape());
    assertArrayEquals(new int[] {3, 5}, x.index(m, longs(0, 1, 3)).shape());
  }

  @Test
  void readsOfNonContiguousTensorsUseTheirLogicalLayout() {
    Tensor m = Tensor.arange(12.0).reshape(3, 4);
    Tensor t = m.transpose(0, 1); // [4, 3]: t[i][j] = 4j + i
    assertArrayEquals(
        new double[] {9, 4, 3}, t.index(longs(1, 0, 3), longs(2, 1, 0)).toDoubleArray());
    Tensor stepped = m.slice(1, 0, 4, 2); // columns 0 and 2
    assertArrayEquals(
        new double[] {10, 2}, stepped.index(longs(2, 0), longs(1, 1)).toDoubleArray());
  }

  @Test
  void readOfAnEmptySelection() {
    Tensor x = Tensor.ofDoubles(new double[] {1, 2, 3, 4}, 2, 2).requiresGrad(true);
    Tensor e = x.index(longs());
    assertArrayEquals(new int[] {0, 2}, e.shape());
    e.sum().backward();
    assertArrayEquals(new double[] {0, 0, 0, 0}, x.grad().toDoubleArray());
    assertArrayEquals(new int[] {0}, x.index(Tensor.zeros(DType.BOOL, 2, 2)).shape());
  }

  // ---------------------------------------------------------------- out-of-place writes

  @Test
  void gradCheckOfIndexPutToTheTensorAndTheValues() {
    SplittableRandom r = new SplittableRandom(2);
    for (boolean accumulate : new boolean[] {false, true}) {
      check(
          a -> {
            Tensor m = a[0].reshape(3, 4);
            Tensor y = m.indexPut(new Tensor[] {longs(0, 2, -1), longs(1, 1, 3)}, a[1], accumulate);
            // a row broadcast to the selection [2, 4] (rows 1 and 0)
            Tensor z = y.indexPut(new Tensor[] {longs(1, 0)}, a[2].reshape(1, 4), accumulate);
            // a whole column, through a null index, with a 0-d value
            Tensor w = z.indexPut(new Tensor[] {null, longs(2)}, a[1].sum(), accumulate);
            return w.mul(w).sum().add(w.sin().sum());
          },
          leaf(r, 12),
          leaf(r, 3),
          leaf(r, 4));
    }
  }

  @Test
  void gradCheckWithDuplicateIndices() {
    SplittableRandom r = new SplittableRandom(3);
    Tensor idx = longs(1, 3, 1, 1, 0, 3);
    for (boolean accumulate : new boolean[] {false, true}) {
      check(
          a -> a[0].indexPut(new Tensor[] {idx}, a[1].exp(), accumulate).pow(2).sum(),
          leaf(r, 5),
          leaf(r, 6));
    }
  }

  /**
   * test_index_put_accumulate_duplicate_indices: indices from a random walk (many duplicates,
   * interleaved, and negative ones wrapping), checked against a plain loop.
   */
  @Test
  void accumulateAddsEveryDuplicate() {
    SplittableRandom r = new SplittableRandom(4);
    for (int n = 1; n < 200; n += 7) {
      long[] walk = new long[n];
      long pos = 0;
      long max = 0;
      for (int i = 0; i < n; i++) {
        pos += r.nextInt(-1, 2);
        walk[i] = pos;
        max = Math.max(max, Math.abs(pos));
      }
      Tensor input = random(r, (int) max + 1);
      Tensor values = random(r, n);
      Tensor out = input.indexPut(new Tensor[] {longs(walk)}, values, true);
      double[] expected = input.toDoubleArray();
      double[] v = values.toDoubleArray();
      for (int i = 0; i < n; i++) {
        int k = (int) (walk[i] < 0 ? walk[i] + expected.length : walk[i]);
        expected[k] += v[i];
      }
      assertArrayEquals(expected, out.toDoubleArray(), 1e-12, "n = " + n);
    }
  }

  /** Nabla's rule where PyTorch leaves it open: the last write (row-major) wins. */
  @Test
  void withoutAccumulateTheLastWriteWinsAndTheOthersGetNoGradient() {
    Tensor x = Tensor.zeros(DType.FLOAT64, 3).requiresGrad(true);
    Tensor v = f64(1, 2, 3, 4).requiresGrad(true);
    Tensor y = x.indexPut(new Tensor[] {longs(2, 0, 2, -1)}, v);
    assertArrayEquals(new double[] {2, 0, 4}, y.toDoubleArray());
    y.mul(f64(10, 20, 30)).sum().backward();
    assertArrayEquals(new double[] {0, 20, 0}, x.grad().toDoubleArray());
    assertArrayEquals(new double[] {0, 10, 0, 30}, v.grad().toDoubleArray());
    // several index tensors: the pairs (0, 1) and (0, 1) collide, the later one wins
    Tensor m =
        Tensor.zeros(2, 2)
            .indexPut(new Tensor[] {longs(0, 1, 0), longs(1, 0, 1)}, Tensor.of(5, 6, 7));
    assertArrayEquals(new double[] {0, 7, 6, 0}, m.toDoubleArray());
  }

  @Test
  void indexPutLeavesItsInputUnchanged() {
    Tensor x = f64(1, 2, 3);
    Tensor y = x.indexPut(new Tensor[] {longs(1)}, f64(9));
    assertArrayEquals(new double[] {1, 2, 3}, x.toDoubleArray());
    assertArrayEquals(new double[] {1, 9, 3}, y.toDoubleArray());
  }

  @Test
  void valuesAreConvertedToTheTensorsDtypeWhenThatDoesNotTruncate() {
    Tensor x = Tensor.zeros(DType.FLOAT64, 3).requiresGrad(true);
    Tensor v = Tensor.of(1.5f).requiresGrad(true); // float32
    Tensor y = x.indexPut(new Tensor[] {longs(0, 2)}, v);
    assertEquals(DType.FLOAT64, y.dtype());
    y.sum().backward();
    assertEquals(DType.FLOAT32, v.grad().dtype());
    assertArrayEquals(new double[] {2}, v.grad().toDoubleArray());
    Tensor ints = Tensor.ofLongs(new long[] {1, 2, 3}, 3);
    assertArrayEquals(
        new long[] {1, 7, 3}, ints.indexPut(new Tensor[] {longs(1)}, longs(7)).toLongArray());
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ints.indexPut(new Tensor[] {longs(1)}, Tensor.of(0.5)));
    assertTrue(
        e.getMessage().contains("indexPut") && e.getMessage().contains("float32"), e.getMessage());
  }

  @Test
  void gradCheckOfMaskedFill() {
    SplittableRandom r = new SplittableRandom(5);
    Tensor mask = bools(true, false, false, true);
    check(
        a -> {
          Tensor m = a[0].reshape(3, 4);
          Tensor y = m.maskedFill(m.gt(0.5), -1).maskedFill(mask, a[1]);
          return y.mul(y).sum();
        },
        leaf(r, 12),
        leaf(r));
  }

  @Test
  void maskedFillKeepsTheDtypeAndPassesNoGradientToFilledElements() {
    Tensor x = f64(1, -2, 3).requiresGrad(true);
    Tensor y = x.maskedFill(x.lt(0), Double.NaN);
    assertTrue(Double.isNaN(y.toDoubleArray()[1]));
    y.maskedFill(y.ne(y), 0).sum().backward();
    assertArrayEquals(new double[] {1, 0, 1}, x.grad().toDoubleArray());
    assertEquals(DType.INT64, longs(1, 2).maskedFill(bools(true, false), 7.9).dtype());
  }

  // ---------------------------------------------------------------- in-place assignment

  /** PyTorch's _test_setitem: y[index] = 2 on y = x + 2; the written elements get no gradient. */
  @Test
  void setItemGivesZeroGradientAtTheWrittenElements() {
    Tensor[][] keys = {
      {longs(1)},
      {longs(0, 4, 2)},
      {longs(0, 4), longs(2, 2)},
      {null, null, longs(1, 3)},
      {null, longs(1, 3)},
      {longs(1, 3), null, null},
      {null, longs(2, 4), longs(1, 3)},
      {longs(1, 3), longs(2, 4)},
      {maskOf(new SplittableRandom(6), 5, 5)},
      {null, maskOf(new SplittableRandom(7), 5, 5)},
    };
    for (Tensor[] key : keys) {
      Tensor x = Tensor.ones(DType.FLOAT64, 5, 5, 5).requiresGrad(true);
      Tensor y = x.add(2);
      int before = y.storage().version();
      assertSame(y, y.indexPutInPlace(key, Tensor.full(2, DType.FLOAT64)));
      assertNotEquals(before, y.storage().version());
      y.backward(Tensor.ones(DType.FLOAT64, 5, 5, 5));
      Tensor expected = Tensor.ones(DType.FLOAT64, 5, 5, 5);
      try (var g = Autograd.noGrad()) {
        expected.indexPutInPlace(key, Tensor.zeros(DType.FLOAT64));
      }
      assertArrayEquals(expected.toDoubleArray(), x.grad().toDoubleArray());
    }
  }

  /** PyTorch's _test_setitem_tensor: the values get the gradient of the elements they fill. */
  @Test
  void setItemWithValuesThatRequireGrad() {
    Tensor[] key = {null, longs(1, 3), null};
    Tensor x = Tensor.ones(DType.FLOAT64, 5, 5, 5).requiresGrad(true);
    Tensor y = x.add(2);
    Tensor value = Tensor.full(7, DType.FLOAT64, 5, 2, 5).requiresGrad(true);
    y.indexPutInPlace(key, value);
    Tensor g = Tensor.arange(125.0).reshape(5, 5, 5).to(DType.FLOAT64);
    y.backward(g);
    assertArrayEquals(g.index(key).toDoubleArray(), value.grad().toDoubleArray());
    assertArrayEquals(
        g.indexPut(key, Tensor.zeros(DType.FLOAT64)).toDoubleArray(), x.grad().toDoubleArray());
    // x broadcast into y[1] (a buffer that did not require grad: the write is recorded)
    Tensor row = Tensor.ones(DType.FLOAT64, 4).requiresGrad(true);
    Tensor buffer = Tensor.zeros(DType.FLOAT64, 2, 3, 4);
    buffer.indexPutInPlace(new Tensor[] {longs(1)}, row);
    assertTrue(buffer.requiresGrad());
    buffer.backward(Tensor.arange(24.0).reshape(2, 3, 4).to(DType.FLOAT64));
    assertArrayEquals(new double[] {48, 51, 54, 57}, row.grad().toDoubleArray());
  }

  @Test
  void gradCheckOfInPlaceAssignmentsInAChainAndThroughViews() {
    SplittableRandom r = new SplittableRandom(8);
    check(
        a -> {
          Tensor y = a[0].mul(a[1].sum()).reshape(3, 4);
          y.indexPutInPlace(new Tensor[] {longs(0, 2, 0), longs(1, 1, 1)}, a[1], true);
          y.indexPutInPlace(new Tensor[] {null, longs(3)}, a[1].sin().reshape(3, 1));
          y.maskedFillInPlace(y.gt(1.0), a[1].sum());
          y.slice(0, 1, 3)
              .indexPutInPlace(new Tensor[] {longs(1), longs(0, 2)}, a[1].slice(0, 0, 2));
          y.transpose(0, 1).slice(0, 0, 2).maskedFillInPlace(bools(true, false, true), 0.25);
          return y.tanh().sum().add(a[0].mul(y.reshape(12)).sum());
        },
        leaf(r, 12),
        leaf(r, 3));
  }

  @Test
  void inPlaceAssignmentOutsideAGraphWritesTheStorage() {
    Tensor x = f64(1, 2, 3, 4);
    Tensor view = x.slice(0, 1, 4);
    view.indexPutInPlace(new Tensor[] {longs(0, 0, 2)}, f64(10, 20, 30), true);
    assertArrayEquals(new double[] {1, 32, 3, 34}, x.toDoubleArray());
    x.maskedFillInPlace(x.gt(30), -1);
    assertArrayEquals(new double[] {1, -1, 3, -1}, x.toDoubleArray());
    Tensor flags = Tensor.zeros(DType.BOOL, 3);
    flags.indexPutInPlace(new Tensor[] {longs(2)}, bools(true));
    assertArrayEquals(new boolean[] {false, false, true}, flags.toBooleanArray());
  }

  /** The version counter catches a saved tensor overwritten by an index assignment. */
  @Test
  void assigningIntoASavedTensorFailsInBackward() {
    Tensor x = f64(1, 2, 3).requiresGrad(true);
    Tensor w = f64(4, 5, 6);
    Tensor y = x.mul(w); // saves w
    w.indexPutInPlace(new Tensor[] {longs(0)}, f64(0));
    var e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
    assertTrue(e.getMessage().contains("indexPutInPlace"), e.getMessage());
  }

  @Test
  void aLeafThatRequiresGradCannotBeAssignedWhileRecording() {
    Tensor x = f64(1, 2, 3).requiresGrad(true);
    assertThrows(
        IllegalStateException.class, () -> x.indexPutInPlace(new Tensor[] {longs(0)}, f64(0)));
    assertThrows(IllegalStateException.class, () -> x.maskedFillInPlace(x.gt(1), 0));
    try (var g = Autograd.noGrad()) {
      x.indexPutInPlace(new Tensor[] {longs(0)}, f64(0));
    }
    assertArrayEquals(new double[] {0, 2, 3}, x.toDoubleArray());
  }

  // ---------------------------------------------------------------- errors

  @Test
  void outOfRangeIndicesNameTheDimensionAndTheValidRange() {
    Tensor m = Tensor.zeros(3, 4);
    var e = assertThrows(IndexOutOfBoundsException.class, () -> m.index(null, longs(0, 4)));
    assertEquals(IndexOutOfBoundsException.class, e.getClass());
    assertTrue(
        e.getMessage().contains("index: index 4 is out of range for dimension 1 of size 4")
            && e.getMessage().contains("-4 to 3"),
        e.getMessage());
    var put =
        assertThrows(
            IndexOutOfBoundsException.class,
            () -> m.indexPut(new Tensor[] {longs(-4)}, Tensor.of(1)));
    assertTrue(put.getMessage().startsWith("indexPut: index -4"), put.getMessage());
    var inPlace =
        assertThrows(
            IndexOutOfBoundsException.class,
            () -> m.indexPutInPlace(new Tensor[] {longs(3)}, Tensor.of(1)));
    assertTrue(inPlace.getMessage().startsWith("indexPutInPlace:"), inPlace.getMessage());
    assertArrayEquals(new double[12], m.toDoubleArray()); // nothing written
  }

  @Test
  void badIndicesAndValuesGiveClearErrors() {
    Tensor m = Tensor.zeros(3, 4);
    assertError("indices[0] has dtype float32", () -> m.index(Tensor.of(1)));
    assertError("too many indices", () -> m.index(longs(0), longs(0), longs(0)));
    assertError("too many indices", () -> m.index(null, null, null));
    assertError("must broadcast together", () -> m.index(longs(0, 1), longs(0, 1, 2)));
    assertError("does not match the dimensions 0..0", () -> m.index(bools(true, false)));
    assertError("0-d bool mask", () -> m.index(Tensor.zeros(DType.BOOL)));
    assertError("indices must not be null", () -> m.index((Tensor[]) null));
    assertError(
        "values of shape [3] do not broadcast to the indexed shape [2, 4]",
        () -> m.indexPut(new Tensor[] {longs(0, 1)}, Tensor.of(1, 2, 3)));
    assertError("values must not be null", () -> m.indexPut(new Tensor[] {longs(0)}, null));
    assertError("the mask must be a bool tensor", () -> m.maskedFill(m, 1));
    assertError(
        "does not broadcast to this tensor's shape [3, 4]",
        () -> m.maskedFill(Tensor.zeros(DType.BOOL, 2, 4), 1));
    assertError("must be a 0-d tensor", () -> m.maskedFill(m.gt(0), Tensor.of(1, 2)));
  }

  private static void assertError(String fragment, Supplier<Tensor> call) {
    var e = assertThrows(IllegalArgumentException.class, call::get);
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  private static Tensor maskOf(SplittableRandom r, int... shape) {
    boolean[] b = new boolean[Shapes.numel(shape)];
    for (int i = 0; i < b.length; i++) {
      b[i] = r.nextBoolean();
    }
    return Tensor.ofBooleans(b, shape);
  }

  /** The direct write of an unrecorded indexPutInPlace gives what the composed indexPut does. */
  @Test
  void directWritesMatchTheComposedForm() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(5);
    for (int trial = 0; trial < 40; trial++) {
      boolean accumulate = r.nextBoolean();
      boolean transposed = r.nextBoolean();
      DType dtype = new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT64}[r.nextInt(3)];
      Tensor base = Tensor.randn(4, 5).mul(10).to(dtype);
      Tensor x = transposed ? base.transpose(0, 1) : base; // [5, 4] view or [4, 5]
      int rows = x.shape()[0];
      int cols = x.shape()[1];
      long[] ri = new long[6];
      long[] ci = new long[6];
      for (int k = 0; k < 6; k++) {
        ri[k] = r.nextInt(-rows, rows); // negative ones wrap; duplicates likely
        ci[k] = r.nextInt(cols);
      }
      Tensor[] idx = {Tensor.ofLongs(ri, 6), Tensor.ofLongs(ci, 6)};
      Tensor values = Tensor.randn(6).mul(5).to(dtype);
      Tensor expected = x.indexPut(idx, values, accumulate);
      Tensor target = x.copy();
      Tensor same = target.indexPutInPlace(idx, values, accumulate);
      assertSame(target, same);
      assertArrayEquals(expected.toDoubleArray(), target.toDoubleArray(), 1e-5, "trial " + trial);
      if (transposed) {
        Tensor view = base.copy().transpose(0, 1); // writes through a non-contiguous view
        view.indexPutInPlace(idx, values, accumulate);
        assertArrayEquals(expected.toDoubleArray(), view.toDoubleArray(), 1e-5);
      }
    }
  }
}
