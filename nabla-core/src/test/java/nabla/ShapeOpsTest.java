package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Targeted checks of the shape and indexing operations of issue 12 beyond the spec table (which
 * runs their gradient checks and PyTorch forward references): the pieces of split and chunk, roll
 * with negative shifts, triangles with offsets, einsum against equivalent compositions, and the
 * errors for bad arguments and equations.
 */
class ShapeOpsTest {

  private static Tensor range(int n) {
    return Tensor.arange(0.0, n);
  }

  private static void assertValues(double[] expected, Tensor t) {
    assertArrayEquals(expected, t.toDoubleArray(), 1e-12);
  }

  private static void assertSameTensor(Tensor expected, Tensor actual) {
    assertArrayEquals(expected.shape(), actual.shape());
    assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), 1e-12);
  }

  private static String message(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }

  @Test
  void theSpecTableRunsTheNewOps() {
    var ops = nabla.ops.PrimitiveSpecs.ops();
    for (String op : new String[] {"flip", "roll", "split", "diag_embed", "triu", "kron"}) {
      assertFalse(ops.get(op).specs().isEmpty(), op);
    }
    assertEquals(5, ops.get("einsum").specs().size());
    assertTrue(
        nabla.ops.PrimitiveSpecs.problems().isEmpty(),
        nabla.ops.PrimitiveSpecs.problems()::toString);
  }

  @Test
  void splitGivesPiecesOfTheSizeAndASmallerLastOne() {
    Tensor[] p = range(5).split(2, 0);
    assertEquals(3, p.length);
    assertValues(new double[] {0, 1}, p[0]);
    assertValues(new double[] {2, 3}, p[1]);
    assertValues(new double[] {4}, p[2]);
    Tensor[] q = range(6).reshape(2, 3).split(new int[] {1, 0, 2}, 1);
    assertArrayEquals(new int[] {2, 0}, q[1].shape());
    assertValues(new double[] {1, 2, 4, 5}, q[2]);
  }

  @Test
  void chunkFollowsPyTorchAndMayGiveFewerPieces() {
    Tensor[] a = range(5).chunk(4, 0); // pieces of ceil(5 / 4) = 2
    assertEquals(3, a.length);
    assertValues(new double[] {4}, a[2]);
    assertEquals(3, range(6).chunk(4, 0).length);
    assertEquals(3, range(3).chunk(5, 0).length);
    assertEquals(2, range(6).chunk(2, 0).length);
  }

  @Test
  void splitAndChunkRejectBadSizesNamingTheShape() {
    String m = message(() -> range(5).split(new int[] {2, 2}, 0));
    assertTrue(m.contains("split") && m.contains("[2, 2]") && m.contains("[5]"), m);
    m = message(() -> range(5).split(0, 0));
    assertTrue(m.contains("split") && m.contains(">= 1"), m);
    m = message(() -> range(5).chunk(0, 0));
    assertTrue(m.contains("chunk"), m);
  }

  @Test
  void unbindRemovesTheDimension() {
    Tensor[] rows = range(6).reshape(2, 3).unbind(1);
    assertEquals(3, rows.length);
    assertArrayEquals(new int[] {2}, rows[1].shape());
    assertValues(new double[] {1, 4}, rows[1]);
  }

  @Test
  void rollWithNegativeAndLargeShifts() {
    assertValues(new double[] {2, 3, 4, 0, 1}, range(5).roll(-2, 0));
    assertValues(new double[] {3, 4, 0, 1, 2}, range(5).roll(7, 0));
    assertValues(
        new double[] {5, 0, 1, 2, 3, 4}, range(6).reshape(2, 3).roll(new int[] {1}, new int[0]));
    assertValues(
        new double[] {5, 3, 4, 2, 0, 1},
        range(6).reshape(2, 3).roll(new int[] {1, 1}, new int[] {0, 1}));
    String m = message(() -> range(4).roll(new int[] {1, 2}, new int[] {0}));
    assertTrue(m.contains("roll") && m.contains("same length"), m);
  }

  @Test
  void triangularPartsWithOffsets() {
    Tensor x = range(9).reshape(3, 3).add(1);
    assertValues(new double[] {1, 2, 3, 0, 5, 6, 0, 0, 9}, x.triu());
    assertValues(new double[] {0, 2, 3, 0, 0, 6, 0, 0, 0}, x.triu(1));
    assertValues(new double[] {1, 2, 3, 4, 5, 6, 0, 8, 9}, x.triu(-1));
    assertValues(new double[] {0, 0, 0, 4, 0, 0, 7, 8, 0}, x.tril(-1));
    assertValues(new double[] {1, 2, 0, 4, 5, 6, 7, 8, 9}, x.tril(1));
    assertValues(new double[9], x.tril(-5));
    String m = message(() -> range(3).triu());
    assertTrue(m.contains("triu") && m.contains("[3]"), m);
  }

  @Test
  void diagBuildsAndReadsDiagonals() {
    Tensor m = Tensor.of(1, 2).diag(1);
    assertArrayEquals(new int[] {3, 3}, m.shape());
    assertValues(new double[] {0, 1, 0, 0, 0, 2, 0, 0, 0}, m);
    assertValues(new double[] {1, 2}, m.diag(1));
    assertValues(new double[] {0, 0}, m.diag(-1));
    assertValues(new double[] {1, 5}, range(6).reshape(2, 3).add(1).diag(0).add(Tensor.of(0, 0)));
    String e = message(() -> range(8).reshape(2, 2, 2).diag());
    assertTrue(e.contains("diag") && e.contains("[2, 2, 2]"), e);
    e = message(() -> range(4).reshape(2, 2).diagonal(0, 1, -1));
    assertTrue(e.contains("diagonal") && e.contains("differ"), e);
  }

  @Test
  void flipGradientIsTheFlippedHead() {
    Tensor x = range(6).reshape(2, 3).to(DType.FLOAT64).requiresGrad(true);
    Tensor w = Tensor.ofDoubles(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
    x.flip(1).mul(w).sum().backward();
    assertValues(new double[] {3, 2, 1, 6, 5, 4}, x.grad());
  }

  @Test
  void repeatTileAndInterleave() {
    assertValues(new double[] {0, 1, 0, 1, 0, 1, 0, 1}, range(2).repeat(2, 2));
    assertArrayEquals(new int[] {2, 4}, range(2).repeat(2, 2).shape());
    assertArrayEquals(new int[] {2, 6}, range(6).reshape(2, 3).tile(2).shape());
    assertValues(new double[] {0, 0, 1, 1, 2, 2}, range(3).repeatInterleave(2));
    String m = message(() -> range(6).reshape(2, 3).repeat(2));
    assertTrue(m.contains("repeat") && m.contains("[2, 3]"), m);
  }

  @Test
  void takeCountsNegativeIndicesFromTheEndAndRejectsOutOfRange() {
    Tensor x = range(6).reshape(2, 3);
    assertValues(new double[] {5, 0, 4}, x.take(Tensor.ofLongs(new long[] {-1, 0, 4}, 3)));
    assertThrows(IndexOutOfBoundsException.class, () -> x.take(Tensor.ofLongs(new long[] {6}, 1)));
  }

  @Test
  void nonzeroIsInt64WithoutGradient() {
    Tensor x = Tensor.ofDoubles(new double[] {0, 1, 0, Double.NaN}, 2, 2).requiresGrad(true);
    Tensor nz = x.nonzero();
    assertEquals(DType.INT64, nz.dtype());
    assertFalse(nz.requiresGrad());
    assertArrayEquals(new long[] {0, 1, 1, 1}, nz.toLongArray());
    assertArrayEquals(new int[] {0, 1}, Tensor.zeros(3).nonzero().shape());
  }

  @Test
  void meshgridExpandsToTheGrid() {
    Tensor[] g = Tensor.meshgrid(Tensor.of(1, 2, 3), Tensor.of(4, 5));
    assertArrayEquals(new int[] {3, 2}, g[0].shape());
    assertValues(new double[] {1, 1, 2, 2, 3, 3}, g[0]);
    assertValues(new double[] {4, 5, 4, 5, 4, 5}, g[1]);
  }

  @Test
  void tensordotMatchesMatmul() {
    Tensor a = Tensor.randn(2, 3, 4);
    Tensor b = Tensor.randn(4, 5);
    assertSameTensor(a.matmul(b), a.tensordot(b, 1));
    String m = message(() -> a.tensordot(b, 2));
    assertTrue(m.contains("tensordot"), m);
  }

  // ---------------------------------------------------------------- einsum

  @Test
  void einsumMatchesTheCompositionsItStandsFor() {
    Tensor a = Tensor.randn(2, 3, 4).to(DType.FLOAT64);
    Tensor b = Tensor.randn(2, 4, 5).to(DType.FLOAT64);
    Tensor m = Tensor.randn(3, 3).to(DType.FLOAT64);
    Tensor v = Tensor.randn(3).to(DType.FLOAT64);
    assertSameTensor(a.matmul(b), Tensor.einsum("bij,bjk->bik", a, b));
    // implicit output: the indices seen once (b and j appear twice, so "ik": b is summed)
    assertSameTensor(a.matmul(b).sum(0, false), Tensor.einsum("bij,bjk", a, b));
    assertSameTensor(m.transpose(), Tensor.einsum("ij->ji", m));
    assertSameTensor(m.diagonal().sum(), Tensor.einsum("ii", m));
    assertSameTensor(m.diagonal(), Tensor.einsum("ii->i", m));
    assertSameTensor(v.outer(v), Tensor.einsum("i,j", v, v));
    assertSameTensor(m.matmul(v), Tensor.einsum("ij,j->i", m, v));
    assertSameTensor(a.sum(new int[] {0, 2}, false), Tensor.einsum("bij->i", a));
    // implicit output in alphabetical order: "ij" (out[i][j] = sum_k m[k][j] m[i][k])
    Tensor w = Tensor.randn(3, 3).to(DType.FLOAT64);
    assertSameTensor(w.matmul(m), Tensor.einsum("kj,ik", m, w));
    assertSameTensor(w.matmul(m).transpose(), Tensor.einsum("kj,ik->ji", m, w));
    // ellipsis broadcasts like matmul's batch dimensions
    Tensor c = Tensor.randn(4, 2).to(DType.FLOAT64);
    assertSameTensor(a.matmul(c), Tensor.einsum("...ij,...jk->...ik", a, c));
    assertSameTensor(m.matmul(m).matmul(m), Tensor.einsum("ij,jk,kl->il", m, m, m));
  }

  @Test
  void einsumGradientsMatchMatmulsToSecondOrder() {
    Tensor a = Tensor.randn(2, 3).to(DType.FLOAT64).requiresGrad(true);
    Tensor b = Tensor.randn(3, 2).to(DType.FLOAT64).requiresGrad(true);
    Tensor[] g1 =
        Autograd.grad(Tensor.einsum("ij,jk->ik", a, b).sin().sum(), null, true, true, a, b);
    Tensor[] g2 = Autograd.grad(a.matmul(b).sin().sum(), null, true, true, a, b);
    assertSameTensor(g2[0], g1[0]);
    assertSameTensor(g2[1], g1[1]);
    Tensor h1 = Autograd.grad(g1[0].sum(), null, false, false, b)[0];
    Tensor h2 = Autograd.grad(g2[0].sum(), null, false, false, b)[0];
    assertSameTensor(h2, h1);
  }

  @Test
  void badEquationsAreRejectedNamingTheEquationOperandAndProblem() {
    Tensor m = Tensor.zeros(2, 3);
    Tensor n = Tensor.zeros(4, 2);
    String e = message(() -> Tensor.einsum("ij,jk->ik", m));
    assertTrue(e.contains("einsum(\"ij,jk->ik\")") && e.contains("2 operand term"), e);
    e = message(() -> Tensor.einsum("ijk", m));
    assertTrue(e.contains("operand 0") && e.contains("[2, 3]") && e.contains("3 index"), e);
    e = message(() -> Tensor.einsum("ij->k", m));
    assertTrue(e.contains("'k'") && e.contains("no operand"), e);
    e = message(() -> Tensor.einsum("ij->ii", m));
    assertTrue(e.contains("repeats index 'i'"), e);
    e = message(() -> Tensor.einsum("i#j", m));
    assertTrue(e.contains("invalid character '#'"), e);
    e = message(() -> Tensor.einsum("ij,jk", m, n));
    assertTrue(
        e.contains("index 'j'")
            && e.contains("size 3")
            && e.contains("size 4")
            && e.contains("operand 1"),
        e);
    e = message(() -> Tensor.einsum("ii", m));
    assertTrue(e.contains("operand 0") && e.contains("diagonal"), e);
    e = message(() -> Tensor.einsum("i..j", m));
    assertTrue(e.contains("ellipsis"), e);
    e = message(() -> Tensor.einsum("ij->->j", m));
    assertTrue(e.contains("more than one '->'"), e);
    e = message(() -> Tensor.einsum("i...j...", Tensor.zeros(2, 2, 2)));
    assertTrue(e.contains("more than one ellipsis"), e);
    e = message(() -> Tensor.einsum("ij", (Tensor) null));
    assertTrue(e.contains("einsum") && e.contains("operands"), e);
  }

  /** int64 operands give an int64 result, as in PyTorch. */
  @Test
  void einsumOfIntegersStaysInt64() {
    Tensor a = Tensor.ofLongs(new long[] {1, 2, 3, 4}, 2, 2);
    Tensor b = Tensor.ofLongs(new long[] {5, 6, 7, 8}, 2, 2);
    Tensor c = Tensor.einsum("ij,jk->ik", a, b);
    org.junit.jupiter.api.Assertions.assertEquals(DType.INT64, c.dtype());
    org.junit.jupiter.api.Assertions.assertArrayEquals(
        new long[] {19, 22, 43, 50}, c.toLongArray());
    org.junit.jupiter.api.Assertions.assertArrayEquals(
        new long[] {5},
        Tensor.einsum("ii", a).toLongArray().length == 1
            ? Tensor.einsum("ii", a).reshape(1).toLongArray()
            : new long[] {-1});
  }

  @Test
  void repeatInterleaveWithATensorOfCountsChecksItsCounts() {
    Tensor x = Tensor.of(new double[][] {{1, 2}, {3, 4}});
    assertArrayEquals(
        new double[] {1, 2, 3, 4, 3, 4},
        x.repeatInterleave(Tensor.ofLongs(new long[] {1, 2}), 0).toDoubleArray());
    String wrongDtype =
        assertThrows(
                IllegalArgumentException.class, () -> x.repeatInterleave(Tensor.of(1.0, 2.0), 0))
            .getMessage();
    assertTrue(wrongDtype.contains("repeatInterleave") && wrongDtype.contains("int64"), wrongDtype);
    String wrongCount =
        assertThrows(
                IllegalArgumentException.class,
                () -> x.repeatInterleave(Tensor.ofLongs(new long[] {1, 2, 3}), 1))
            .getMessage();
    assertTrue(wrongCount.contains("3 counts") && wrongCount.contains("2 slices"), wrongCount);
    String negative =
        assertThrows(
                IllegalArgumentException.class,
                () -> x.repeatInterleave(Tensor.ofLongs(new long[] {1, -1}), 0))
            .getMessage();
    assertTrue(negative.contains(">= 0") && negative.contains("slice 1"), negative);
  }
}
