package nabla.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import nabla.DType;
import nabla.Tensor;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
  /** Features row i = [i, 10 i], label i. */
  private static TensorDataset numbered(int n) {
    double[] x = new double[2 * n];
    long[] y = new long[n];
    for (int i = 0; i < n; i++) {
      x[2 * i] = i;
      x[2 * i + 1] = 10 * i;
      y[i] = i;
    }
    return new TensorDataset(Tensor.of(x, n, 2), Tensor.ofLongs(y, n));
  }

  private static List<Long> labelsOf(DataLoader loader) {
    List<Long> out = new ArrayList<>();
    for (Batch b : loader) {
      float[] x = b.x().toFloatArray();
      long[] y = b.y().toLongArray();
      for (int i = 0; i < y.length; i++) {
        assertEquals(y[i], x[2 * i], "features travel with their label");
        assertEquals(10 * y[i], x[2 * i + 1]);
        out.add(y[i]);
      }
    }
    return out;
  }

  @Test
  void inOrderWithASmallerLastBatch() {
    DataLoader loader = new DataLoader(numbered(10), 4);
    assertEquals(3, loader.numBatches());
    List<Integer> sizes = new ArrayList<>();
    for (Batch b : loader) {
      sizes.add(b.size());
      assertArrayEquals(new int[] {b.size(), 2}, b.x().shape());
      assertEquals(DType.INT64, b.y().dtype());
    }
    assertEquals(List.of(4, 4, 2), sizes);
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), labelsOf(loader));
    var it = loader.iterator();
    it.next();
    it.next();
    it.next();
    assertFalse(it.hasNext());
    assertThrows(NoSuchElementException.class, it::next);
  }

  @Test
  void batchesOfStorageTypesKeepTheirDtypeAndValues() {
    // uint8 images and float16 features, as a file of such tensors would load
    Tensor images = Tensor.arange(12L).mul(20).reshape(6, 2).to(DType.UINT8);
    Tensor features = Tensor.arange(6.0).div(3).reshape(6, 1).to(DType.FLOAT16);
    List<Tensor> b = new TensorDataset(images, features).batch(new int[] {5, 0, 3});
    assertEquals(DType.UINT8, b.get(0).dtype());
    assertEquals(DType.FLOAT16, b.get(1).dtype());
    assertArrayEquals(new long[] {200, 220, 0, 20, 120, 140}, b.get(0).toLongArray());
    assertArrayEquals(
        new double[] {
          Float.float16ToFloat(Float.floatToFloat16(5f / 3)),
          0,
          Float.float16ToFloat(Float.floatToFloat16(1f))
        },
        b.get(1).toDoubleArray());
  }

  @Test
  void dropLastDropsTheShortBatch() {
    DataLoader loader = new DataLoader(numbered(10), 4).dropLast(true);
    assertEquals(2, loader.numBatches());
    assertEquals(8, labelsOf(loader).size());
    assertEquals(2, new DataLoader(numbered(8), 4).dropLast(true).numBatches());
  }

  @Test
  void shufflingIsSeededAPermutationAndDiffersPerEpoch() {
    DataLoader a = new DataLoader(numbered(100), 7).shuffle(3);
    DataLoader b = new DataLoader(numbered(100), 7).shuffle(3);
    List<Long> a1 = labelsOf(a);
    List<Long> a2 = labelsOf(a);
    assertEquals(a1, labelsOf(b), "the same seed gives the same order");
    assertEquals(a2, labelsOf(b), "and the same second epoch");
    assertNotEquals(a1, a2, "each epoch has its own order");
    List<Long> sorted = new ArrayList<>(a1);
    sorted.sort(null);
    List<Long> all = new ArrayList<>();
    for (long i = 0; i < 100; i++) {
      all.add(i);
    }
    assertEquals(all, sorted, "every example exactly once");
    assertNotEquals(all, a1);
    assertNotEquals(a1, labelsOf(new DataLoader(numbered(100), 7).shuffle(4)));
  }

  @Test
  void defaultBatchStacksExamples() {
    Dataset squares =
        new Dataset() {
          @Override
          public int size() {
            return 5;
          }

          @Override
          public List<Tensor> get(int i) {
            return List.of(Tensor.of(i, i * i));
          }
        };
    List<Batch> batches = new ArrayList<>();
    new DataLoader(squares, 3).forEach(batches::add);
    assertEquals(2, batches.size());
    assertArrayEquals(new float[] {0, 0, 1, 1, 2, 4}, batches.get(0).x().toFloatArray());
    assertThrows(IllegalStateException.class, () -> batches.get(0).y());
  }

  @Test
  void badArguments() {
    assertThrows(IllegalArgumentException.class, () -> new DataLoader(numbered(3), 0));
    assertThrows(IllegalArgumentException.class, () -> new DataLoader(null, 1));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new TensorDataset(Tensor.zeros(3, 2), Tensor.zeros(4)));
    assertTrue(e.getMessage().contains("[3, 2]") && e.getMessage().contains("[4]"));
    assertThrows(IllegalArgumentException.class, () -> numbered(3).get(3));
    assertThrows(IllegalArgumentException.class, () -> numbered(3).batch(new int[] {-1}));
  }

  @Test
  void d2lSyntheticRegressionData() {
    TensorDataset data = LinearRegressionData.d2l(1000, 42);
    assertEquals(1000, data.size());
    Tensor x = data.tensor(0);
    Tensor y = data.tensor(1);
    assertArrayEquals(new int[] {1000, 2}, x.shape());
    assertArrayEquals(new int[] {1000, 1}, y.shape());
    float[] xs = x.toFloatArray();
    float[] ys = y.toFloatArray();
    double noiseSq = 0;
    for (int i = 0; i < 1000; i++) {
      double r = ys[i] - (2 * xs[2 * i] - 3.4 * xs[2 * i + 1] + 4.2);
      noiseSq += r * r;
    }
    assertEquals(0.01, Math.sqrt(noiseSq / 1000), 0.002, "residual = the noise σ 0.01");
    assertEquals(0, x.mean().item(), 0.1);
    assertEquals(1, x.square().mean().item(), 0.1);
    assertArrayEquals(xs, LinearRegressionData.d2l(1000, 42).tensor(0).toFloatArray());
    assertFalse(Arrays.equals(xs, LinearRegressionData.d2l(1000, 43).tensor(0).toFloatArray()));
  }

  @Test
  void prefetchGivesTheSameBatchesFromAnotherThread() {
    DataLoader plain = new DataLoader(numbered(50), 8).shuffle(9);
    DataLoader ahead = new DataLoader(numbered(50), 8).shuffle(9).prefetch(true);
    assertEquals(labelsOf(plain), labelsOf(ahead));
    List<String> threads = java.util.Collections.synchronizedList(new ArrayList<>());
    TensorDataset base = numbered(20);
    Dataset recording =
        new Dataset() {
          @Override
          public int size() {
            return base.size();
          }

          @Override
          public List<Tensor> get(int i) {
            return base.get(i);
          }

          @Override
          public List<Tensor> batch(int[] indices) {
            threads.add(Thread.currentThread().isVirtual() ? "background" : "caller");
            if (indices[0] == 15) {
              throw new IllegalStateException("broken example 15");
            }
            return base.batch(indices);
          }
        };
    var it = new DataLoader(recording, 5).prefetch(true).iterator();
    it.next();
    it.next();
    it.next();
    // batch 3 (examples 15..19) fails in the background; the caller gets the dataset's exception
    IllegalStateException e = assertThrows(IllegalStateException.class, it::next);
    assertEquals(List.of("caller", "background", "background", "background"), threads);
    assertEquals("broken example 15", e.getMessage());
  }

  /** The row-copy batching gives exactly what indexSelect gives, for every dtype and layout. */
  @Test
  void batchesEqualIndexSelectForEveryDtypeAndLayout() {
    Tensor f32 = Tensor.arange(5L * 3 * 2).reshape(5, 3, 2).to(DType.FLOAT32);
    Tensor f64 = f32.to(DType.FLOAT64).mul(0.5);
    Tensor i64 = f32.to(DType.INT64);
    boolean[] bits = new boolean[5 * 2];
    for (int i = 0; i < bits.length; i++) {
      bits[i] = i % 3 == 0;
    }
    Tensor bool = Tensor.ofBooleans(bits, 5, 2);
    Tensor offset = Tensor.arange(8L * 3).reshape(8, 3).slice(0, 3, 8); // contiguous, offset 9
    Tensor transposed = Tensor.arange(3L * 5).reshape(3, 5).transpose(); // not contiguous
    int[] picks = {4, 0, 4, 2};
    Tensor index = Tensor.ofLongs(new long[] {4, 0, 4, 2});
    for (Tensor t : List.of(f32, f64, i64, bool, offset, transposed)) {
      Tensor got = new TensorDataset(t).batch(picks).get(0);
      Tensor want = t.indexSelect(0, index);
      assertEquals(t.dtype(), got.dtype());
      assertArrayEquals(want.shape(), got.shape());
      if (t.dtype() == DType.BOOL) {
        assertArrayEquals(want.toBooleanArray(), got.toBooleanArray());
      } else {
        assertArrayEquals(want.toDoubleArray(), got.toDoubleArray(), 0.0, t.toString());
      }
    }
    // the batch is a copy: writing into it leaves the dataset alone
    new TensorDataset(f32).batch(new int[] {1}).get(0).zero();
    assertEquals(6f, f32.toFloatArray()[6]);
    // a tensor that requires grad keeps its graph (goes through indexSelect)
    Tensor w = Tensor.ones(4, 2).requiresGrad(true);
    Tensor rows = new TensorDataset(w).batch(new int[] {3, 3}).get(0);
    rows.sum().backward();
    assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0, 2, 2}, w.grad().toFloatArray());
  }

  @Test
  void reusedBuffersGiveTheSameBatchesWithoutNewTensors() {
    DataLoader plain = new DataLoader(numbered(50), 8).shuffle(3);
    DataLoader reused = new DataLoader(numbered(50), 8).shuffle(3).reuseBuffers(true);
    // same seed, same pass number: the same orders
    assertEquals(labelsOf(plain), labelsOf(reused));
    List<Tensor> xs = new ArrayList<>();
    List<float[]> values = new ArrayList<>();
    for (Batch b : reused) {
      xs.add(b.x());
      values.add(b.x().toFloatArray());
    }
    assertEquals(7, xs.size());
    for (int k = 1; k < 6; k++) {
      assertTrue(xs.get(k) == xs.get(0), "batch " + k + " was gathered into the first batch's");
    }
    assertFalse(xs.get(6) == xs.get(0)); // the smaller last batch has tensors of its own
    // the first batch's tensor now holds the sixth batch (the last of its size)
    assertArrayEquals(values.get(5), xs.get(0).toFloatArray());
    assertNotEquals(Arrays.toString(values.get(0)), Arrays.toString(values.get(5)));
  }

  @Test
  void aGraphThatSavedAReusedBatchFailsLoudlyInsteadOfUsingTheNextOne() {
    DataLoader loader = new DataLoader(numbered(16), 4).reuseBuffers(true);
    Tensor w = Tensor.of(new double[] {1, 2}, 2, 1).requiresGrad(true);
    var it = loader.iterator();
    Tensor loss = it.next().x().matmul(w).sum(); // matmul saves the batch for w's gradient
    it.next(); // gathered into the same buffer
    IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
    assertTrue(e.getMessage().contains("DataLoader.reuseBuffers"), e.getMessage());
  }

  @Test
  void prefetchingIgnoresReuse() {
    DataLoader loader = new DataLoader(numbered(12), 4).prefetch(true).reuseBuffers(true);
    List<Tensor> xs = new ArrayList<>();
    for (Batch b : loader) {
      xs.add(b.x());
    }
    assertFalse(xs.get(1) == xs.get(0));
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L), labelsOf(loader));
  }
}
