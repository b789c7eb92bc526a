package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Creation, dtypes, views, readout and printing. Expected strings in {@link Printing} are what
 * PyTorch 1.13 prints for the same tensor, with Nabla's three documented renamings ({@code
 * gradFn=<XBackward>}, {@code requiresGrad=true}, {@code dtype=float64}).
 */
class TensorBasicsTest {

  private static final double[] D0 = {};

  private static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  private static double std(double[] v) {
    double m = mean(v);
    double s = 0;
    for (double x : v) {
      s += (x - m) * (x - m);
    }
    return Math.sqrt(s / (v.length - 1));
  }

  @Nested
  class Creation {
    @Test
    void ofMakesFloat32WithTheGivenShape() {
      Tensor t = Tensor.of(1, 2, 3);
      assertEquals(DType.FLOAT32, t.dtype());
      assertArrayEquals(new int[] {3}, t.shape());
      assertArrayEquals(new double[] {1, 2, 3}, t.toDoubleArray());
      Tensor m = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
      assertArrayEquals(new int[] {2, 3}, m.shape());
      assertEquals(2, m.dim());
      assertEquals(6, m.numel());
      assertEquals(3, m.size(1));
      assertEquals(2, m.size(-2));
      assertArrayEquals(new double[] {4, 5, 6}, m.get(1).toDoubleArray());
      // float32 rounding of the data
      assertEquals((double) (float) 0.1, Tensor.of(0.1).item());
    }

    @Test
    void creationCopiesTheCallersArray() {
      float[] f = {1, 2};
      double[] d = {1, 2};
      long[] l = {1, 2};
      boolean[] b = {true, false};
      Tensor tf = Tensor.of(f, 2);
      Tensor td = Tensor.ofDoubles(d, 2);
      Tensor tl = Tensor.ofLongs(l);
      Tensor tb = Tensor.ofBooleans(b);
      f[0] = 9;
      d[0] = 9;
      l[0] = 9;
      b[0] = false;
      assertArrayEquals(new double[] {1, 2}, tf.toDoubleArray());
      assertArrayEquals(new double[] {1, 2}, td.toDoubleArray());
      assertArrayEquals(new long[] {1, 2}, tl.toLongArray());
      assertArrayEquals(new boolean[] {true, false}, tb.toBooleanArray());
    }

    @Test
    void ofDoublesLongsBooleans() {
      Tensor d = Tensor.ofDoubles(new double[] {0.1, 0.2, 0.3, 0.4}, 2, 2);
      assertEquals(DType.FLOAT64, d.dtype());
      assertArrayEquals(new double[] {0.1, 0.2, 0.3, 0.4}, d.toDoubleArray());
      Tensor l = Tensor.ofLongs(new long[] {1, -2, 3});
      assertEquals(DType.INT64, l.dtype());
      assertArrayEquals(new int[] {3}, l.shape());
      assertArrayEquals(new long[] {1, -2, 3}, l.toLongArray());
      Tensor l2 = Tensor.ofLongs(new long[] {1, 2, 3, 4}, 2, 2);
      assertArrayEquals(new int[] {2, 2}, l2.shape());
      Tensor b = Tensor.ofBooleans(new boolean[] {true, false, true});
      assertEquals(DType.BOOL, b.dtype());
      assertArrayEquals(new boolean[] {true, false, true}, b.toBooleanArray());
      assertArrayEquals(new double[] {1, 0, 1}, b.toDoubleArray());
    }

    @Test
    void scalars() {
      Tensor s = Tensor.scalar(28);
      assertArrayEquals(new int[0], s.shape());
      assertEquals(0, s.dim());
      assertEquals(1, s.numel());
      assertEquals(28.0, s.item());
      assertEquals(DType.FLOAT32, s.dtype());
      Tensor s64 = Tensor.scalar(0.1, DType.FLOAT64);
      assertEquals(DType.FLOAT64, s64.dtype());
      assertEquals(0.1, s64.item());
      Tensor si = Tensor.scalar(7, DType.INT64);
      assertEquals(DType.INT64, si.dtype());
      assertEquals(7.0, si.item());
      assertArrayEquals(new int[0], Tensor.zeros().shape());
      assertArrayEquals(new int[0], Tensor.randn().shape());
    }

    @Test
    void arange() {
      assertArrayEquals(new double[] {0, 1, 2, 3}, Tensor.arange(4.0).toDoubleArray());
      assertEquals(DType.FLOAT32, Tensor.arange(4.0).dtype());
      assertArrayEquals(
          new double[] {1, 1.25, 1.5, 1.75}, Tensor.arange(1, 2, 0.25).toDoubleArray());
      assertArrayEquals(new double[] {5, 4, 3, 2}, Tensor.arange(5, 1, -1).toDoubleArray());
      assertArrayEquals(new double[] {2, 5, 8}, Tensor.arange(2, 10, 3).toDoubleArray());
      assertEquals(10, Tensor.arange(0, 1, 0.1).numel(), "PyTorch gives 10 elements");
      assertArrayEquals(new int[] {0}, Tensor.arange(3, 3, 1).shape());
      assertArrayEquals(new int[] {0}, Tensor.arange(3, 1, 1).shape());
      assertArrayEquals(new int[] {0}, Tensor.arange(0.0).shape());
    }

    @Test
    void linspace() {
      assertArrayEquals(
          new double[] {0, 0.25, 0.5, 0.75, 1}, Tensor.linspace(0, 1, 5).toDoubleArray());
      assertArrayEquals(new double[] {-1, 1}, Tensor.linspace(-1, 1, 2).toDoubleArray());
      assertArrayEquals(new double[] {2}, Tensor.linspace(2, 3, 1).toDoubleArray());
      assertArrayEquals(D0, Tensor.linspace(0, 1, 0).toDoubleArray());
      assertArrayEquals(new double[] {3, 2, 1}, Tensor.linspace(3, 1, 3).toDoubleArray());
      assertEquals(DType.FLOAT32, Tensor.linspace(0, 1, 3).dtype());
    }

    @Test
    void zerosOnesFullAndLike() {
      Tensor z = Tensor.zeros(2, 3);
      assertEquals(DType.FLOAT32, z.dtype());
      assertArrayEquals(new int[] {2, 3}, z.shape());
      assertArrayEquals(new double[6], z.toDoubleArray());
      double[] ones = new double[6];
      Arrays.fill(ones, 1);
      assertArrayEquals(ones, Tensor.ones(2, 3).toDoubleArray());
      assertArrayEquals(new double[] {7, 7}, Tensor.full(7, 2).toDoubleArray());
      Tensor f64 = Tensor.full(1.5, DType.FLOAT64, 2, 2);
      assertEquals(DType.FLOAT64, f64.dtype());
      assertArrayEquals(new double[] {1.5, 1.5, 1.5, 1.5}, f64.toDoubleArray());
      assertEquals(DType.INT64, Tensor.zeros(DType.INT64, 3).dtype());
      assertArrayEquals(new long[] {1, 1}, Tensor.ones(DType.INT64, 2).toLongArray());
      assertArrayEquals(new boolean[] {true}, Tensor.ones(DType.BOOL, 1).toBooleanArray());

      for (Tensor like :
          new Tensor[] {f64, Tensor.ofLongs(new long[] {5, 6, 7}), Tensor.zeros(2, 1, 2)}) {
        for (Tensor t : new Tensor[] {like.zerosLike(), like.onesLike(), like.fullLike(3)}) {
          assertEquals(like.dtype(), t.dtype());
          assertArrayEquals(like.shape(), t.shape());
          assertNotSame(like.storage(), t.storage());
        }
        assertEquals(0.0, like.zerosLike().sum().item());
        assertEquals(like.numel(), like.onesLike().sum().item());
        assertEquals(3.0 * like.numel(), like.fullLike(3).sum().item());
      }
    }

    @Test
    void likeOfATensorThatRequiresGradIsAPlainLeaf() {
      Tensor x = Tensor.of(1, 2).requiresGrad(true);
      Tensor z = x.mul(2).zerosLike();
      assertFalse(z.requiresGrad());
      assertTrue(z.isLeaf());
    }

    @Test
    void eye() {
      Tensor e = Tensor.eye(3);
      assertEquals(DType.FLOAT32, e.dtype());
      assertArrayEquals(new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, e.toDoubleArray());
      assertArrayEquals(new int[] {0, 0}, Tensor.eye(0).shape());
      Tensor a = Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 3, 3);
      assertArrayEquals(a.toDoubleArray(), e.matmul(a).toDoubleArray());
    }

    /** The one matmul shape rule (NumPy's): 1-d operands become a row or a column, then vanish. */
    @Test
    void matmulShapes() {
      int[][][] cases = {
        {{3}, {3}, {}},
        {{3}, {3, 4}, {4}},
        {{2, 3}, {3}, {2}},
        {{2, 3}, {3, 4}, {2, 4}},
        {{5, 2, 3}, {3}, {5, 2}},
        {{3}, {5, 3, 4}, {5, 4}},
        {{5, 1, 2, 3}, {7, 3, 4}, {5, 7, 2, 4}},
        {{0, 3}, {3, 2}, {0, 2}}
      };
      for (int[][] c : cases) {
        Tensor r = Tensor.ones(c[0]).matmul(Tensor.ones(c[1]));
        String what = Arrays.toString(c[0]) + " @ " + Arrays.toString(c[1]);
        assertArrayEquals(c[2], r.shape(), what);
        for (double v : r.toDoubleArray()) {
          assertEquals(3.0, v, what);
        }
      }
      var e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalArgumentException.class, () -> Tensor.ones(3).matmul(Tensor.ones(4, 2)));
      assertEquals(
          "matmul: shapes [3] and [4, 2] cannot be multiplied (3 columns vs 4 rows)",
          e.getMessage());
      e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalArgumentException.class,
              () -> Tensor.ones(2, 2, 3).matmul(Tensor.ones(3, 3, 4)));
      assertTrue(e.getMessage().contains("batch dimensions of shapes [2, 2, 3] and [3, 3, 4]"));
    }
  }

  @Nested
  class Random {
    @Test
    void reproducibleUnderManualSeed() {
      Generator.manualSeed(42);
      double[] a = Tensor.randn(50).toDoubleArray();
      double[] b = Tensor.rand(5).toDoubleArray();
      double[] c = Tensor.randint(0, 100, 5).toDoubleArray();
      double[] d = Tensor.normal(1, 2, 3).toDoubleArray();
      double[] e = Tensor.uniform(-1, 1, 3).toDoubleArray();
      double[] odd = Tensor.randn(3).toDoubleArray(); // leaves a spare Gaussian behind
      Generator.manualSeed(42);
      assertArrayEquals(a, Tensor.randn(50).toDoubleArray());
      assertArrayEquals(b, Tensor.rand(5).toDoubleArray());
      assertArrayEquals(c, Tensor.randint(0, 100, 5).toDoubleArray());
      assertArrayEquals(d, Tensor.normal(1, 2, 3).toDoubleArray());
      assertArrayEquals(e, Tensor.uniform(-1, 1, 3).toDoubleArray());
      assertArrayEquals(odd, Tensor.randn(3).toDoubleArray());
      // Reseeding in the middle forgets a spare Gaussian from before.
      Generator.manualSeed(7);
      double[] first = Tensor.randn(1).toDoubleArray();
      Tensor.randn(1);
      Generator.manualSeed(7);
      assertArrayEquals(first, Tensor.randn(1).toDoubleArray());
      Generator.manualSeed(43);
      assertFalse(Arrays.equals(a, Tensor.randn(50).toDoubleArray()), "another seed differs");
    }

    @Test
    void explicitGeneratorsAreIndependentOfTheDefault() {
      Generator g1 = new Generator(5);
      Generator g2 = new Generator(5);
      Tensor.randn(10); // advancing the thread default must not matter
      assertArrayEquals(g1.randn(4, 4).toDoubleArray(), g2.randn(4, 4).toDoubleArray());
      assertArrayEquals(g1.randint(0, 3, 9).toLongArray(), g2.randint(0, 3, 9).toLongArray());
    }

    @Test
    void randnStatistics() {
      Generator.manualSeed(1);
      Tensor t = Tensor.randn(200, 500);
      assertEquals(DType.FLOAT32, t.dtype());
      assertArrayEquals(new int[] {200, 500}, t.shape());
      double[] v = t.toDoubleArray();
      assertEquals(0, mean(v), 0.01);
      assertEquals(1, std(v), 0.01);
      long within1 = Arrays.stream(v).filter(x -> Math.abs(x) < 1).count();
      assertEquals(0.6827, within1 / (double) v.length, 0.01);
    }

    @Test
    void randStatistics() {
      Generator.manualSeed(2);
      double[] v = Tensor.rand(100_000).toDoubleArray();
      assertTrue(Arrays.stream(v).allMatch(x -> x >= 0 && x < 1));
      assertEquals(0.5, mean(v), 0.01);
      assertEquals(Math.sqrt(1 / 12.0), std(v), 0.01);
    }

    @Test
    void normalAndUniformStatistics() {
      Generator.manualSeed(3);
      double[] n = Tensor.normal(3, 2, 100_000).toDoubleArray();
      assertEquals(3, mean(n), 0.03);
      assertEquals(2, std(n), 0.03);
      double[] u = Tensor.uniform(-2, 4, 100_000).toDoubleArray();
      assertTrue(Arrays.stream(u).allMatch(x -> x >= -2 && x < 4));
      assertEquals(1, mean(u), 0.03);
      assertEquals(6 / Math.sqrt(12), std(u), 0.03);
    }

    @Test
    void randintStatistics() {
      Generator.manualSeed(4);
      Tensor t = Tensor.randint(-3, 7, 100_000);
      assertEquals(DType.INT64, t.dtype());
      long[] v = t.toLongArray();
      int[] counts = new int[10];
      for (long x : v) {
        assertTrue(x >= -3 && x < 7, "out of range: " + x);
        counts[(int) x + 3]++;
      }
      for (int c : counts) {
        assertEquals(0.1, c / 100_000.0, 0.01, Arrays.toString(counts));
      }
    }
  }

  @Nested
  class ZeroDimensional {
    @Test
    void zeroDTensorsBehave() {
      Tensor s = Tensor.scalar(3);
      assertEquals("tensor(3.)", s.toString());
      assertArrayEquals(new int[] {1}, s.reshape(1).shape());
      assertArrayEquals(new int[0], Tensor.of(5).reshape().shape());
      assertArrayEquals(new int[] {1}, s.unsqueeze(0).shape());
      assertArrayEquals(new double[] {4, 5, 6}, s.add(Tensor.of(1, 2, 3)).toDoubleArray());
      assertArrayEquals(new int[] {2, 2}, s.expand(2, 2).shape());
      assertArrayEquals(new int[0], Tensor.of(1, 2, 3).sum().shape());
      assertArrayEquals(new int[0], s.sum().shape());
      assertArrayEquals(new double[] {3}, s.toDoubleArray());
      assertArrayEquals(new int[0], s.transpose().shape());
    }

    @Test
    void zeroDGradient() {
      Tensor x = Tensor.scalar(3).requiresGrad(true);
      x.mul(x).backward();
      assertArrayEquals(new int[0], x.grad().shape());
      assertEquals(6.0, x.grad().item());
    }
  }

  @Nested
  class DTypes {
    @Test
    void float32PlusFloat64IsFloat64() {
      Tensor r = Tensor.of(1, 2).add(Tensor.ofDoubles(new double[] {0.1, 0.2}, 2));
      assertEquals(DType.FLOAT64, r.dtype());
      assertArrayEquals(new double[] {1.1, 2.2}, r.toDoubleArray(), 1e-12);
      assertEquals(DType.FLOAT64, Tensor.ofDoubles(new double[] {1}, 1).mul(Tensor.of(2)).dtype());
    }

    @Test
    void int64PlusFloat32IsFloat32() {
      Tensor r = Tensor.ofLongs(new long[] {1, 2}).add(Tensor.of(0.5, 0.5));
      assertEquals(DType.FLOAT32, r.dtype());
      assertArrayEquals(new double[] {1.5, 2.5}, r.toDoubleArray());
      assertEquals(DType.FLOAT32, Tensor.of(1).sub(Tensor.ofLongs(new long[] {1})).dtype());
    }

    @Test
    void int64DividedByInt64IsFloat32() {
      Tensor r = Tensor.ofLongs(new long[] {7, 2}).div(Tensor.ofLongs(new long[] {2, 4}));
      assertEquals(DType.FLOAT32, r.dtype());
      assertArrayEquals(new double[] {3.5, 0.5}, r.toDoubleArray());
      Tensor h = Tensor.ofLongs(new long[] {7}).div(2);
      assertEquals(DType.FLOAT32, h.dtype());
      assertEquals(3.5, h.item());
    }

    @Test
    void javaScalarsDoNotPromoteFloatingTensors() {
      assertEquals(DType.FLOAT32, Tensor.of(1, 2).mul(2.0).dtype());
      assertEquals(DType.FLOAT32, Tensor.of(1, 2).add(0.1).dtype());
      assertEquals(DType.FLOAT32, Tensor.of(1, 2).div(3).dtype());
      assertEquals(DType.FLOAT32, Tensor.of(1, 2).pow(2).dtype());
      assertEquals(DType.FLOAT64, Tensor.ofDoubles(new double[] {1}, 1).mul(2.0).dtype());
      assertEquals(0.1 + 1, Tensor.ofDoubles(new double[] {1}, 1).add(0.1).item());
      Tensor i = Tensor.ofLongs(new long[] {1, 2}).mul(3);
      assertEquals(DType.INT64, i.dtype());
      assertArrayEquals(new long[] {3, 6}, i.toLongArray());
      Tensor f = Tensor.ofLongs(new long[] {1, 2}).mul(2.5);
      assertEquals(DType.FLOAT32, f.dtype());
      assertArrayEquals(new double[] {2.5, 5}, f.toDoubleArray());
    }

    @Test
    void resultDtypesOfOtherOps() {
      Tensor i = Tensor.ofLongs(new long[] {1, 2, 3});
      Tensor b = Tensor.ofBooleans(new boolean[] {true, false, true});
      assertEquals(DType.BOOL, Tensor.of(1, 2).gt(Tensor.of(2, 1)).dtype());
      assertEquals(DType.BOOL, i.eq(2).dtype());
      assertEquals(DType.INT64, i.sum().dtype());
      assertEquals(6.0, i.sum().item());
      assertEquals(DType.INT64, b.sum().dtype());
      assertEquals(2.0, b.sum().item());
      assertEquals(DType.FLOAT32, i.mean().dtype());
      assertEquals(2.0, i.mean().item());
      assertEquals(DType.FLOAT32, i.exp().dtype());
      assertEquals(DType.INT64, i.matmul(i).dtype()); // exact integer product, as PyTorch
      assertEquals(14L, i.matmul(i).longItem());
      // beyond 2^53 every digit counts: (3e9+1)^2 + 2*3 = 9000000006000000007
      Tensor big = Tensor.ofLongs(new long[] {3_000_000_001L, 2, 3, 4}, 2, 2);
      assertEquals(9_000_000_006_000_000_007L, big.matmul(big).get(0).get(0).longItem());
      assertEquals(
          9_000_000_006_000_000_007L,
          Tensor.einsum("ij,jk->ik", big, big).get(0).get(0).longItem());
      assertEquals(9_000_000_006_000_000_007L, big.tensordot(big, 1).get(0).get(0).longItem());
      // batch dimensions broadcast; bool operands promote to int64
      Tensor batch = Tensor.ofLongs(new long[] {1, 0, 0, 1, 2, 0, 0, 2}, 2, 2, 2);
      Tensor flags = Tensor.ofLongs(new long[] {1, 1, 0, 1}, 2, 2).gt(0);
      assertArrayEquals(
          new double[] {1, 1, 0, 1, 2, 2, 0, 2}, batch.matmul(flags).toDoubleArray(), 0.0);
      assertEquals(DType.INT64, i.argmax().dtype());
      assertEquals(2.0, i.argmax().item());
    }
  }

  @Nested
  class Views {
    @Test
    void reshapeOfAContiguousTensorSharesStorage() {
      Tensor x = Tensor.arange(6.0);
      Tensor r = x.reshape(2, 3);
      assertSame(x.storage(), r.storage());
      try (var g = Autograd.noGrad()) {
        x.addInPlace(Tensor.ones(6));
      }
      assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, r.toDoubleArray());
      assertSame(x, x.reshape(6), "same shape: itself");
    }

    @Test
    void transposePermuteSliceExpandShareStorage() {
      Tensor x = Tensor.arange(6.0).reshape(2, 3);
      Tensor t = x.transpose();
      assertSame(x.storage(), t.storage());
      assertArrayEquals(new int[] {3, 2}, t.shape());
      assertArrayEquals(new int[] {1, 3}, t.strides());
      assertFalse(t.isContiguous());
      assertArrayEquals(new double[] {0, 3, 1, 4, 2, 5}, t.toDoubleArray());

      Tensor p = Tensor.arange(24.0).reshape(2, 3, 4).permute(2, 0, 1);
      assertArrayEquals(new int[] {4, 2, 3}, p.shape());
      assertEquals(13.0, p.get(1).get(1).get(0).item());

      Tensor s = x.slice(1, 0, 3, 2);
      assertSame(x.storage(), s.storage());
      assertArrayEquals(new double[] {0, 2, 3, 5}, s.toDoubleArray());
      Tensor s2 = Tensor.arange(10.0).slice(0, -4, 100);
      assertArrayEquals(new double[] {6, 7, 8, 9}, s2.toDoubleArray());
      assertEquals(6, s2.offset());

      Tensor e = Tensor.of(1, 2, 3).expand(2, 3);
      assertArrayEquals(new int[] {0, 1}, e.strides());
      assertArrayEquals(new double[] {1, 2, 3, 1, 2, 3}, e.toDoubleArray());

      try (var g = Autograd.noGrad()) {
        x.mulInPlace(10);
      }
      assertArrayEquals(new double[] {0, 30, 10, 40, 20, 50}, t.toDoubleArray());
      assertArrayEquals(new double[] {0, 20, 30, 50}, s.toDoubleArray());
    }

    @Test
    void contiguousCopiesOnlyWhenNeeded() {
      Tensor x = Tensor.arange(6.0).reshape(2, 3);
      assertSame(x, x.contiguous());
      Tensor t = x.transpose();
      Tensor c = t.contiguous();
      assertNotSame(t.storage(), c.storage());
      assertTrue(c.isContiguous());
      assertArrayEquals(new int[] {2, 1}, c.strides());
      assertArrayEquals(t.toDoubleArray(), c.toDoubleArray());
      // reshape of a non-contiguous view copies, with the right order
      Tensor f = t.reshape(6);
      assertNotSame(x.storage(), f.storage());
      assertArrayEquals(new double[] {0, 3, 1, 4, 2, 5}, f.toDoubleArray());
      // copy() always has its own storage
      Tensor k = x.copy();
      assertNotSame(x.storage(), k.storage());
      try (var g = Autograd.noGrad()) {
        x.zero();
      }
      assertArrayEquals(new double[] {0, 3, 1, 4, 2, 5}, c.toDoubleArray(), "copy unaffected");
      assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, k.toDoubleArray());
    }

    @Test
    void detachSharesStorage() {
      Tensor x = Tensor.of(1, 2).requiresGrad(true);
      Tensor d = x.detach();
      assertSame(x.storage(), d.storage());
      assertFalse(d.requiresGrad());
      assertTrue(d.isLeaf());
    }
  }

  @Nested
  class Readout {
    @Test
    void arraysShapeAndDtype() {
      Tensor x = Tensor.of(new double[] {1.5, -2.25, 0, 3}, 2, 2);
      assertArrayEquals(new double[] {1.5, -2.25, 0, 3}, x.toDoubleArray());
      assertArrayEquals(new float[] {1.5f, -2.25f, 0, 3}, x.toFloatArray());
      assertArrayEquals(new boolean[] {true, true, false, true}, x.toBooleanArray());
      assertArrayEquals(new long[] {-1, 1, 0}, Tensor.of(-1.7, 1.7, 0.5).toLongArray());
      int[] shape = x.shape();
      shape[0] = 99;
      assertArrayEquals(new int[] {2, 2}, x.shape(), "shape() returns a copy");
      assertEquals(DType.FLOAT32, x.dtype());
      // readout of a strided view is row-major in the view's order
      assertArrayEquals(new double[] {1.5, 0, -2.25, 3}, x.transpose().toDoubleArray());
    }

    @Test
    void toConvertsDtypes() {
      Tensor x = Tensor.of(1.5, -2.5, 0);
      assertSame(x, x.to(DType.FLOAT32));
      Tensor d = x.to(DType.FLOAT64);
      assertEquals(DType.FLOAT64, d.dtype());
      assertArrayEquals(new double[] {1.5, -2.5, 0}, d.toDoubleArray());
      Tensor l = x.to(DType.INT64);
      assertEquals(DType.INT64, l.dtype());
      assertArrayEquals(new long[] {1, -2, 0}, l.toLongArray());
      Tensor b = x.to(DType.BOOL);
      assertArrayEquals(new boolean[] {true, true, false}, b.toBooleanArray());
      assertArrayEquals(
          new double[] {1, 0},
          Tensor.ofBooleans(new boolean[] {true, false}).to(DType.FLOAT32).toDoubleArray());
    }

    @Test
    void toBetweenFloatsIsDifferentiable() {
      Tensor x = Tensor.of(1, 2).requiresGrad(true);
      Tensor d = x.to(DType.FLOAT64);
      assertEquals("ToCopyBackward", d.gradFn().name());
      d.mul(d).sum().backward();
      assertEquals(DType.FLOAT32, x.grad().dtype());
      assertArrayEquals(new double[] {2, 4}, x.grad().toDoubleArray());
      assertFalse(x.to(DType.INT64).requiresGrad(), "integer results leave the graph");
    }
  }

  @Nested
  class Printing {
    @Test
    void basicFormats() {
      assertEquals("tensor([0., 1., 2., 3.])", Tensor.arange(4.0).toString());
      assertEquals("tensor(28.)", Tensor.scalar(28).toString());
      assertEquals(
          "tensor([[1., 2.],\n        [3., 4.]])",
          Tensor.of(new double[] {1, 2, 3, 4}, 2, 2).toString());
      assertEquals("tensor([1.5000, 2.2500])", Tensor.of(1.5, 2.25).toString());
      assertEquals("tensor([1, 2, 3])", Tensor.ofLongs(new long[] {1, 2, 3}).toString());
      assertEquals("tensor([ 0.,  4.,  8., 12.])", Tensor.of(0, 4, 8, 12).toString());
      assertEquals("tensor([-1.,  2., -3.])", Tensor.of(-1, 2, -3).toString());
      assertEquals("tensor([-1.5000,  2.2500])", Tensor.of(-1.5, 2.25).toString());
      assertEquals(
          "tensor([ 0.1235, -2.5000,  3.7500])", Tensor.of(0.1234567, -2.5, 3.75).toString());
      assertEquals(
          "tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])", Tensor.linspace(0, 1, 5).toString());
      assertEquals("tensor([[0., 0., 0.],\n        [0., 0., 0.]])", Tensor.zeros(2, 3).toString());
      assertEquals(
          "tensor([[1., 0., 0.],\n        [0., 1., 0.],\n        [0., 0., 1.]])",
          Tensor.eye(3).toString());
      assertEquals(
          "tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]])",
          Tensor.arange(8.0).reshape(2, 2, 2).toString());
      assertEquals(
          "tensor([[  -1.2500,    2.0000],\n        [   3.0000, -400.5000]])",
          Tensor.of(new double[] {-1.25, 2, 3, -400.5}, 2, 2).toString());
    }

    @Test
    void intAndBool() {
      assertEquals("tensor([-10,   2, 300])", Tensor.ofLongs(new long[] {-10, 2, 300}).toString());
      assertEquals("tensor(5)", Tensor.scalar(5, DType.INT64).toString());
      assertEquals("tensor(True)", Tensor.scalar(1, DType.BOOL).toString());
      // PyTorch pads True to the width of False.
      assertEquals(
          "tensor([ True, False])", Tensor.ofBooleans(new boolean[] {true, false}).toString());
      assertEquals(
          "tensor([True, True])", Tensor.ofBooleans(new boolean[] {true, true}).toString());
    }

    @Test
    void float64AndAutogradSuffixes() {
      assertEquals(
          "tensor([1., 2.], dtype=float64)", Tensor.ofDoubles(new double[] {1, 2}, 2).toString());
      assertEquals("tensor(1.5000, dtype=float64)", Tensor.scalar(1.5, DType.FLOAT64).toString());
      assertEquals(
          "tensor([0.1000, 0.2000], dtype=float64)",
          Tensor.ofDoubles(new double[] {0.1, 0.2}, 2).toString());
      Tensor x = Tensor.arange(3.0).requiresGrad(true);
      assertEquals("tensor([0., 1., 2.], requiresGrad=true)", x.toString());
      assertEquals("tensor([0., 2., 4.], gradFn=<MulBackward>)", x.mul(2).toString());
      assertEquals("tensor([2., 3., 4.], gradFn=<AddBackward>)", x.add(2).toString());
      assertEquals("tensor(2., requiresGrad=true)", Tensor.scalar(2).requiresGrad(true).toString());
      Tensor d = Tensor.ofDoubles(new double[] {1, 2}, 2).requiresGrad(true);
      assertEquals("tensor([1., 2.], dtype=float64, requiresGrad=true)", d.toString());
      assertEquals("tensor([2., 4.], dtype=float64, gradFn=<MulBackward>)", d.mul(2).toString());
      Tensor y = x.dot(x).mul(2);
      assertEquals("tensor(10., gradFn=<MulBackward>)", y.toString());
      assertEquals("tensor([0., 1., 2.])", x.detach().toString());
    }

    @Test
    void lineWrapping() {
      double[] v = new double[30];
      for (int i = 0; i < 30; i++) {
        v[i] = (i * 0.37) % 5 - 2.5;
      }
      assertEquals(
          "tensor([-2.5000, -2.1300, -1.7600, -1.3900, -1.0200, -0.6500, -0.2800,  0.0900,\n"
              + "         0.4600,  0.8300,  1.2000,  1.5700,  1.9400,  2.3100, -2.3200, -1.9500,\n"
              + "        -1.5800, -1.2100, -0.8400, -0.4700, -0.1000,  0.2700,  0.6400,  1.0100,\n"
              + "         1.3800,  1.7500,  2.1200,  2.4900, -2.1400, -1.7700])",
          Tensor.of(v).toString());
      assertEquals(
          "tensor([[-2.5000, -2.1300, -1.7600, -1.3900],\n"
              + "        [-1.0200, -0.6500, -0.2800,  0.0900],\n"
              + "        [ 0.4600,  0.8300,  1.2000,  1.5700]])",
          Tensor.of(Arrays.copyOf(v, 12)).reshape(3, 4).toString());
      assertEquals(
          "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n"
              + "        14., 15., 16., 17., 18., 19.])",
          Tensor.arange(20.0).toString());
      assertEquals(
          "tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17,\n"
              + "        18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,\n"
              + "        36, 37, 38, 39])",
          Tensor.arange(40.0).to(DType.INT64).toString());
      boolean[] b = new boolean[30];
      for (int i = 0; i < 30; i++) {
        b[i] = i % 3 == 0;
      }
      assertEquals(
          "tensor([ True, False, False,  True, False, False,  True, False, False,  True,\n"
              + "        False, False,  True, False, False,  True, False, False,  True, False,\n"
              + "        False,  True, False, False,  True, False, False,  True, False, False])",
          Tensor.ofBooleans(b).toString());
    }

    @Test
    void lineWrappingInsideRows() {
      String expected =
          "tensor([[  0,   1,   2,   3,   4,   5,   6,   7,   8,   9,  10,  11,  12,  13,\n"
              + "          14,  15,  16,  17,  18,  19,  20,  21,  22,  23,  24,  25,  26,  27,\n"
              + "          28,  29,  30,  31,  32,  33,  34,  35,  36,  37,  38,  39,  40,  41,\n"
              + "          42,  43,  44,  45,  46,  47,  48,  49,  50,  51,  52,  53,  54,  55,\n"
              + "          56,  57,  58,  59,  60,  61,  62,  63,  64,  65,  66,  67,  68,  69,\n"
              + "          70,  71,  72,  73,  74,  75,  76,  77,  78,  79,  80,  81,  82,  83,\n"
              + "          84,  85,  86,  87,  88,  89,  90,  91,  92,  93,  94,  95,  96,  97,\n"
              + "          98,  99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,\n"
              + "         112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125,\n"
              + "         126, 127, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139,\n"
              + "         140, 141, 142],\n"
              + "        [143, 144, 145, 146, 147, 148, 149, 150, 151, 152, 153, 154, 155, 156,\n"
              + "         157, 158, 159, 160, 161, 162, 163, 164, 165, 166, 167, 168, 169, 170,\n"
              + "         171, 172, 173, 174, 175, 176, 177, 178, 179, 180, 181, 182, 183, 184,\n"
              + "         185, 186, 187, 188, 189, 190, 191, 192, 193, 194, 195, 196, 197, 198,\n"
              + "         199, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212,\n"
              + "         213, 214, 215, 216, 217, 218, 219, 220, 221, 222, 223, 224, 225, 226,\n"
              + "         227, 228, 229, 230, 231, 232, 233, 234, 235, 236, 237, 238, 239, 240,\n"
              + "         241, 242, 243, 244, 245, 246, 247, 248, 249, 250, 251, 252, 253, 254,\n"
              + "         255, 256, 257, 258, 259, 260, 261, 262, 263, 264, 265, 266, 267, 268,\n"
              + "         269, 270, 271, 272, 273, 274, 275, 276, 277, 278, 279, 280, 281, 282,\n"
              + "         283, 284, 285]])";
      assertEquals(expected, Tensor.arange(286.0).to(DType.INT64).reshape(2, 143).toString());
    }

    @Test
    void summarisedAbove1000Elements() {
      assertEquals(
          "tensor([   0.,    1.,    2.,  ...,  998.,  999., 1000.])",
          Tensor.arange(1001.0).toString());
      assertEquals(
          "tensor([   0,    1,    2,  ...,  998,  999, 1000])",
          Tensor.arange(1001.0).to(DType.INT64).toString());
      assertEquals(
          "tensor([  0.0000,   0.1250,   0.2500,  ..., 124.7500, 124.8750, 125.0000])",
          Tensor.arange(1001.0).div(8).toString());
      assertEquals(
          "tensor([   0.,    1.,    2.,  ...,  998.,  999., 1000.], requiresGrad=true)",
          Tensor.arange(1001.0).requiresGrad(true).toString());
      boolean[] t = new boolean[1001];
      Arrays.fill(t, true);
      assertEquals(
          "tensor([True, True, True,  ..., True, True, True])", Tensor.ofBooleans(t).toString());
      assertEquals("tensor([0., 0., 0.,  ..., 0., 0., 0.])", Tensor.zeros(1001).toString());
      assertEquals(
          84,
          Tensor.arange(1000.0).toString().split("\n").length,
          "1000 elements are not summarised (84 lines, as PyTorch)");
    }

    @Test
    void summarisedMatrices() {
      assertEquals(
          "tensor([[1., 1., 1.,  ..., 1., 1., 1.],\n"
              + "        [1., 1., 1.,  ..., 1., 1., 1.],\n"
              + "        [1., 1., 1.,  ..., 1., 1., 1.],\n"
              + "        ...,\n"
              + "        [1., 1., 1.,  ..., 1., 1., 1.],\n"
              + "        [1., 1., 1.,  ..., 1., 1., 1.],\n"
              + "        [1., 1., 1.,  ..., 1., 1., 1.]])",
          Tensor.ones(40, 30).toString());
    }

    @Test
    void summarised3dHasABlankLineAroundTheEllipsis() {
      String block =
          "[[1., 1., 1.,  ..., 1., 1., 1.],\n"
              + "         [1., 1., 1.,  ..., 1., 1., 1.],\n"
              + "         [1., 1., 1.,  ..., 1., 1., 1.],\n"
              + "         ...,\n"
              + "         [1., 1., 1.,  ..., 1., 1., 1.],\n"
              + "         [1., 1., 1.,  ..., 1., 1., 1.],\n"
              + "         [1., 1., 1.,  ..., 1., 1., 1.]]";
      String sep = ",\n\n        ";
      String expected =
          "tensor([" + String.join(sep, block, block, block, "...", block, block, block) + "])";
      assertEquals(expected, Tensor.ones(12, 10, 10).toString());
    }

    @Test
    void formatIsChosenFromTheShownElementsOnly() {
      // PyTorch picks width and notation from the summarised elements only.
      double[] z = new double[2000];
      z[1000] = 12345.5;
      assertEquals("tensor([0., 0., 0.,  ..., 0., 0., 0.])", Tensor.of(z).toString());
    }

    @Test
    void scientificNotation() {
      assertEquals("tensor([1.0000e-05, 1.0000e+00])", Tensor.of(1e-5, 1).toString());
      assertEquals("tensor([1.0000e+09, 1.0000e+00])", Tensor.of(1e9, 1).toString());
      assertEquals("tensor([1.0000e+08, 1.0000e+00])", Tensor.of(1e8, 1).toString());
      assertEquals("tensor([1.2345e+03, 5.0000e-01])", Tensor.of(1234.5, 0.5).toString());
      assertEquals("tensor([0.0010, 0.5000])", Tensor.of(0.001, 0.5).toString());
      assertEquals(
          "tensor([[1.0000e-05, 2.0000e+00],\n        [3.0000e+00, 4.0000e+00]])",
          Tensor.of(new double[] {1e-5, 2, 3, 4}, 2, 2).toString());
    }

    @Test
    void scientificNotationWhenTheRangeExceeds1000() {
      // PyTorch switches to scientific notation when max/min of the non-zero magnitudes > 1000,
      // for integral values too.
      assertEquals("tensor([1.0000e+00, 2.0000e+03])", Tensor.of(1, 2000).toString());
      assertEquals("tensor([1.0000e-01, 1.0050e+02])", Tensor.of(0.1, 100.5).toString());
    }

    @Test
    void nonFiniteValues() {
      assertEquals("tensor([   nan, 1.5000])", Tensor.of(Double.NaN, 1.5).toString());
      assertEquals(
          "tensor([nan, 1., inf])",
          Tensor.of(Double.NaN, 1, Double.POSITIVE_INFINITY).toString(),
          "PyTorch sizes columns from the finite non-zero values only");
    }

    @Test
    void negativeZero() {
      assertEquals("tensor([-0., 1.])", Tensor.of(-0.0, 1).toString());
    }

    @Test
    void emptyTensors() {
      assertEquals("tensor([])", Tensor.zeros(0).toString());
      assertEquals("tensor([], size=(2, 0))", Tensor.zeros(2, 0).toString());
    }
  }
}
