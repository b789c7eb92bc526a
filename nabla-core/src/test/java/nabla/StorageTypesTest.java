package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The storage dtypes (int32, uint8, float16, bfloat16) through the whole API: every operation of a
 * list gives what the same operation gives in the compute type, rounded once to the storage type
 * (or within a few units in the last place for composites), views share storage, gradients come in
 * the storage type, printing names the dtype. Conversions and arithmetic against PyTorch are in
 * {@code nabla.reference.StorageTypesReferenceTest}.
 */
class StorageTypesTest {
  /** A 3×4 float32 matrix of varied values in (-2, 2). */
  private static Tensor sample() {
    return Tensor.arange(12.0).mul(0.7).add(0.3).sin().mul(2).reshape(3, 4);
  }

  /** Float operations: each must give (about) the float32 answer, in the storage dtype. */
  private static Map<String, UnaryOperator<Tensor>> floatOps() {
    Map<String, UnaryOperator<Tensor>> m = new LinkedHashMap<>();
    m.put("exp", Tensor::exp);
    m.put("sin", Tensor::sin);
    m.put("tanh", Tensor::tanh);
    m.put("sigmoid", Tensor::sigmoid);
    m.put("relu", Tensor::relu);
    m.put("abs", Tensor::abs);
    m.put("square", x -> x.mul(x));
    m.put("add 1", x -> x.add(1));
    m.put("div 3", x -> x.div(3));
    m.put("pow 2", x -> x.pow(2));
    m.put("sum", Tensor::sum);
    m.put("sum(1)", x -> x.sum(1));
    m.put("mean(0)", x -> x.mean(0));
    m.put("max", Tensor::max);
    m.put("min(1)", x -> x.min(1, false));
    m.put("norm", Tensor::norm);
    m.put("var", Tensor::var);
    m.put("softmax", x -> x.softmax(1));
    m.put("logSoftmax", x -> x.logSoftmax(1));
    m.put("cumsum", x -> x.cumsum(1));
    m.put("matmul", x -> x.matmul(x.transpose(0, 1)));
    m.put("transpose contiguous", x -> x.transpose(0, 1).contiguous());
    m.put("reshape", x -> x.reshape(4, 3));
    m.put("slice", x -> x.slice(1, 1, 4, 2));
    m.put("flip", x -> x.flip(0));
    m.put("cat", x -> Tensor.cat(0, x, x.neg()));
    m.put("stack", x -> Tensor.stack(1, x, x));
    m.put("gather", x -> x.gather(1, Tensor.ofLongs(new long[] {3, 0, 1}, 3, 1)));
    m.put("indexSelect", x -> x.indexSelect(0, Tensor.ofLongs(new long[] {2, 0})));
    m.put("where", x -> Tensor.where(x.gt(0), x, x.mul(-0.5)));
    m.put("sort values", x -> x.sort().values());
    m.put("clamp", x -> x.clamp(-1, 1));
    m.put("expand", x -> x.slice(0, 0, 1).expand(2, 4));
    return m;
  }

  static Stream<Arguments> floatCases() {
    List<Arguments> out = new ArrayList<>();
    for (DType t : new DType[] {DType.FLOAT16, DType.BFLOAT16}) {
      floatOps().forEach((name, f) -> out.add(Arguments.of(t, name, f)));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("floatCases")
  void floatOperationsComputeInFloat32AndRound(DType t, String name, UnaryOperator<Tensor> f) {
    Tensor x32 = sample().to(t).to(DType.FLOAT32); // the same values, exactly
    Tensor expected = f.apply(x32);
    Tensor actual = f.apply(sample().to(t));
    assertEquals(t, actual.dtype(), name + ": dtype");
    assertArrayEquals(expected.shape(), actual.shape(), name + ": shape");
    // rounding once costs half an ulp (2^-11 for float16, 2^-8 for bfloat16); composites round at
    // each step, so allow a few ulps
    double rel = t == DType.FLOAT16 ? 4e-3 : 3e-2;
    double[] e = expected.toDoubleArray();
    double[] a = actual.toDoubleArray();
    for (int i = 0; i < e.length; i++) {
      assertTrue(
          Math.abs(e[i] - a[i]) <= rel * Math.abs(e[i]) + 1e-3,
          name + " [" + i + "]: expected about " + e[i] + " but was " + a[i]);
    }
  }

  /** Integer operations: exact, wrapping to the storage width like PyTorch's. */
  private static Map<String, UnaryOperator<Tensor>> integerOps() {
    Map<String, UnaryOperator<Tensor>> m = new LinkedHashMap<>();
    m.put("add", x -> x.add(x));
    m.put("mul", x -> x.mul(x).mul(x));
    m.put("sub 7", x -> x.sub(7));
    m.put("neg", Tensor::neg);
    m.put("abs", Tensor::abs);
    m.put("maximum", x -> x.maximum(x.flip(1)));
    m.put("max(1)", x -> x.max(1, false));
    m.put("min", Tensor::min);
    m.put("remainder", x -> x.remainder(5));
    m.put("transpose contiguous", x -> x.transpose(0, 1).contiguous());
    m.put("slice", x -> x.slice(1, 0, 4, 3));
    m.put("cat", x -> Tensor.cat(1, x, x));
    m.put("gather", x -> x.gather(1, Tensor.ofLongs(new long[] {3, 0, 1}, 3, 1)));
    m.put("sort values", x -> x.sort().values());
    m.put("where", x -> Tensor.where(x.gt(100), x, x.add(1)));
    return m;
  }

  static Stream<Arguments> integerCases() {
    List<Arguments> out = new ArrayList<>();
    for (DType t : new DType[] {DType.INT32, DType.UINT8}) {
      integerOps().forEach((name, f) -> out.add(Arguments.of(t, name, f)));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("integerCases")
  void integerOperationsWrapLikePyTorch(DType t, String name, UnaryOperator<Tensor> f) {
    long[] values = {0, 1, 255, 200, 77, 1 << 20, -3, 1 << 30, 46341, 9, 13, 128};
    Tensor x64 = Tensor.ofLongs(values, 3, 4).to(t).to(DType.INT64); // values as t holds them
    long[] expected = f.apply(x64).toLongArray();
    Tensor actual = f.apply(Tensor.ofLongs(values, 3, 4).to(t));
    assertEquals(t, actual.dtype(), name + ": dtype");
    for (int i = 0; i < expected.length; i++) {
      expected[i] = t == DType.INT32 ? (int) expected[i] : expected[i] & 0xFF;
    }
    assertArrayEquals(expected, actual.toLongArray(), name);
  }

  @Test
  void integerReductionsGiveInt64AsInPyTorch() {
    Tensor x = Tensor.ofLongs(new long[] {2_000_000_000, 2_000_000_000, 7}, 3).to(DType.INT32);
    assertEquals(DType.INT64, x.sum().dtype());
    assertEquals(4_000_000_007L, x.sum().longItem()); // no int32 overflow: summed in int64
    assertEquals(DType.INT64, x.cumsum(0).dtype());
    assertEquals(DType.INT64, x.prod().dtype());
    assertEquals(DType.INT64, x.argmax().dtype());
    assertEquals(DType.INT32, x.max().dtype());
    assertEquals(DType.BOOL, x.gt(5).dtype());
    assertEquals(DType.FLOAT32, x.div(2).dtype());
    assertEquals(DType.FLOAT32, x.mul(2.5).dtype());
    Tensor u = Tensor.ofLongs(new long[] {250, 10}).to(DType.UINT8);
    assertEquals(DType.INT64, u.sum().dtype());
    assertEquals(260, u.sum().longItem());
    assertArrayEquals(new long[] {4, 20}, u.add(10).toLongArray()); // 260 wraps to 4
    assertArrayEquals(new long[] {247, 7}, u.sub(3).toLongArray());
    // Java numbers as PyTorch's Python numbers (values from PyTorch 1.13)
    assertArrayEquals(new double[] {-250, -10}, u.div(-1).toDoubleArray());
    assertArrayEquals(new long[] {6, 246}, u.mul(-1).toLongArray());
    assertArrayEquals(new boolean[] {false, false}, u.gt(-1).toBooleanArray());
    assertArrayEquals(new long[] {38, 54}, u.add(300).toLongArray());
    Tensor small = Tensor.ofLongs(new long[] {2, 7}).to(DType.INT32);
    assertArrayEquals(new long[] {-1294967294, -1294967289}, small.add(3e9).toLongArray());
    assertEquals(DType.INT32, small.add(3e9).dtype());
    assertArrayEquals(new double[] {-1, -3.5}, small.div(-2).toDoubleArray());
    Tensor counts = Tensor.ofLongs(new long[] {1, 3, 3}).to(DType.INT32).bincount();
    assertArrayEquals(new long[] {0, 1, 0, 2}, counts.toLongArray());
    assertArrayEquals(
        new long[] {0, 1}, Tensor.ofLongs(new long[] {1}).to(DType.UINT8).bincount().toLongArray());
  }

  @Test
  void promotionFollowsPyTorch() {
    DType[][] table = {
      {DType.BOOL, DType.UINT8, DType.UINT8},
      {DType.UINT8, DType.INT32, DType.INT32},
      {DType.INT32, DType.INT64, DType.INT64},
      {DType.INT64, DType.FLOAT16, DType.FLOAT16},
      {DType.INT32, DType.BFLOAT16, DType.BFLOAT16},
      {DType.FLOAT16, DType.BFLOAT16, DType.FLOAT32},
      {DType.FLOAT16, DType.FLOAT32, DType.FLOAT32},
      {DType.BFLOAT16, DType.FLOAT64, DType.FLOAT64},
      {DType.UINT8, DType.FLOAT16, DType.FLOAT16},
      {DType.FLOAT32, DType.FLOAT64, DType.FLOAT64},
      {DType.BOOL, DType.INT64, DType.INT64},
    };
    for (DType[] r : table) {
      assertEquals(r[2], DType.promote(r[0], r[1]), r[0] + " with " + r[1]);
      assertEquals(r[2], DType.promote(r[1], r[0]), r[1] + " with " + r[0]);
      Tensor a = Tensor.ones(r[0], 2);
      Tensor b = Tensor.ones(r[1], 2);
      assertEquals(r[2], a.add(b).dtype(), "add " + r[0] + " " + r[1]);
    }
    // a 0-d tensor widens only across categories, to its own dtype (PyTorch 1.13's answers)
    Tensor u = Tensor.ones(DType.UINT8, 2);
    assertEquals(DType.FLOAT16, u.add(Tensor.scalar(1.5, DType.FLOAT16)).dtype());
    assertEquals(DType.FLOAT64, u.add(Tensor.scalar(1.5, DType.FLOAT64)).dtype());
    assertEquals(DType.UINT8, u.add(Tensor.scalar(7, DType.INT64)).dtype());
    assertEquals(
        DType.INT32, Tensor.ones(DType.INT32, 2).add(Tensor.scalar(7, DType.INT64)).dtype());
    Tensor h = Tensor.ones(DType.FLOAT16, 2);
    assertEquals(DType.FLOAT16, h.add(Tensor.scalar(1.5, DType.FLOAT64)).dtype());
    assertEquals(DType.FLOAT16, h.add(Tensor.scalar(1.5, DType.BFLOAT16)).dtype());
    assertEquals(DType.FLOAT32, u.mul(2.5).dtype(), "a Java double is a Python float");
    for (DType t : DType.values()) {
      assertEquals(t, DType.promote(t, t));
      assertEquals(t.isStorageOnly(), t.computeType() != t, t.toString());
    }
  }

  @Test
  void float16GradientsMatchFloat32WithinHalfPrecision() {
    Tensor w32 = sample().requiresGrad(true);
    Tensor v32 = Tensor.of(0.5, -1, 2, 0.25).reshape(4, 1).requiresGrad(true);
    loss(w32, v32).backward();
    for (DType t : new DType[] {DType.FLOAT16, DType.BFLOAT16}) {
      Tensor w = sample().to(t).requiresGrad(true);
      Tensor v = Tensor.of(0.5, -1, 2, 0.25).reshape(4, 1).to(t).requiresGrad(true);
      Tensor l = loss(w, v);
      assertEquals(t, l.dtype());
      l.backward();
      assertNotNull(w.grad(), t + ": no gradient");
      assertEquals(t, w.grad().dtype(), "the gradient has the parameter's dtype, as in PyTorch");
      assertEquals(t, v.grad().dtype());
      double tol = t == DType.FLOAT16 ? 2e-2 : 1e-1;
      assertTrue(
          w.grad().to(DType.FLOAT32).allclose(w32.grad(), tol, tol, false),
          t + " dw " + w.grad() + " vs " + w32.grad());
      assertTrue(
          v.grad().to(DType.FLOAT32).allclose(v32.grad(), tol, tol, false),
          t + " dv " + v.grad() + " vs " + v32.grad());
      // a second backward accumulates into the same-dtype gradient
      Tensor first = w.grad().copy();
      loss(w, v).backward();
      assertTrue(w.grad().allclose(first.mul(2), 1e-2, 1e-2, false), "accumulated gradient");
      assertEquals(t, w.grad().dtype());
    }
  }

  private static Tensor loss(Tensor w, Tensor v) {
    return w.matmul(v).tanh().mul(w.sum(1, true)).mean();
  }

  @Test
  void integerStorageTypesCannotRequireGrad() {
    for (DType t : new DType[] {DType.INT32, DType.UINT8}) {
      RuntimeException e =
          assertThrows(RuntimeException.class, () -> Tensor.zeros(t, 2).requiresGrad(true));
      assertTrue(
          e instanceof IllegalArgumentException || e instanceof IllegalStateException,
          e.toString());
      assertTrue(e.getMessage().contains(t.toString()), e.getMessage());
    }
  }

  @Test
  void printsTheDtypeAsPyTorchDoes() {
    assertEquals("tensor([1., 2.], dtype=float16)", Tensor.of(1, 2).to(DType.FLOAT16).toString());
    assertEquals(
        "tensor([0.1001, 2.5000], dtype=bfloat16)",
        Tensor.of(0.1, 2.5).to(DType.BFLOAT16).toString());
    assertEquals(
        "tensor([   1, -200], dtype=int32)",
        Tensor.ofLongs(new long[] {1, -200}).to(DType.INT32).toString());
    assertEquals(
        "tensor([255,   0], dtype=uint8)",
        Tensor.ofLongs(new long[] {-1, 256}).to(DType.UINT8).toString());
    assertEquals("tensor([], dtype=float16)", Tensor.zeros(DType.FLOAT16, 0).toString());
    assertEquals(
        "tensor([inf, nan], dtype=float16)",
        Tensor.of(1e5, Double.NaN).to(DType.FLOAT16).toString());
    assertEquals(
        "tensor([1.], dtype=float16, requiresGrad=true)",
        Tensor.ones(DType.FLOAT16, 1).requiresGrad(true).toString());
  }

  @Test
  void viewsShareTheStorageAndWritesGoThrough() {
    for (DType t : new DType[] {DType.FLOAT16, DType.BFLOAT16, DType.INT32, DType.UINT8}) {
      Tensor x = Tensor.zeros(t, 2, 3);
      Tensor row = x.slice(0, 1, 2).reshape(3);
      assertSame(x.storage(), row.storage(), t + ": slice is a view");
      assertSame(x.storage(), x.transpose(0, 1).storage(), t + ": transpose is a view");
      row.copyFrom(Tensor.of(1, 2, 3));
      assertArrayEquals(new double[] {0, 0, 0, 1, 2, 3}, x.toDoubleArray(), t.toString());
      x.transpose(0, 1).slice(0, 0, 1).copyFrom(Tensor.ofLongs(new long[] {7, 8}, 1, 2));
      assertArrayEquals(new double[] {7, 0, 0, 8, 2, 3}, x.toDoubleArray(), t.toString());
      assertEquals(t, x.zerosLike().dtype());
      assertEquals(t, x.copy().dtype());
      assertTrue(x.equal(x.copy()), t + ": equal");
      assertFalse(x.equal(x.zerosLike()), t + ": not equal");
      assertTrue(x.allclose(x.to(DType.FLOAT64)), t + ": allclose across dtypes");
    }
  }

  @Test
  void inPlaceUpdatesRoundToTheStorageType() {
    Tensor x = Tensor.of(1, 2, 3).to(DType.FLOAT16);
    x.addInPlace(Tensor.of(0.1, 0.1, 0.1).to(DType.FLOAT16));
    assertArrayEquals(
        new float[] {
          Float.float16ToFloat(Float.floatToFloat16(1 + Float.float16ToFloat((short) 0x2E66))),
          Float.float16ToFloat(Float.floatToFloat16(2 + Float.float16ToFloat((short) 0x2E66))),
          Float.float16ToFloat(Float.floatToFloat16(3 + Float.float16ToFloat((short) 0x2E66)))
        },
        x.toFloatArray());
    x.mulInPlace(2);
    x.addInPlace(Tensor.of(1, 1, 1), -0.5);
    assertEquals(DType.FLOAT16, x.dtype());
    assertArrayEquals(new float[] {1.6992188f, 3.6992188f, 5.6992188f}, x.toFloatArray());
    Tensor u = Tensor.ofLongs(new long[] {250, 3}).to(DType.UINT8);
    u.addInPlace(10);
    assertArrayEquals(new long[] {4, 13}, u.toLongArray());
    Tensor i = Tensor.zeros(DType.INT32, 2);
    assertThrows(IllegalArgumentException.class, () -> i.addInPlace(Tensor.of(0.5, 0.5)));
  }

  @Test
  void creationAndScalarsInEveryStorageType() {
    assertEquals(7.5, Tensor.full(2.5, DType.FLOAT16, 3).sum().item());
    assertEquals(DType.FLOAT16, Tensor.full(2.5, DType.FLOAT16, 3).sum().dtype());
    assertArrayEquals(new long[] {1, 1}, Tensor.ones(DType.INT32, 2).toLongArray());
    assertArrayEquals(new long[] {0, 0}, Tensor.zeros(DType.UINT8, 2).toLongArray());
    assertEquals(200, Tensor.ofLongs(new long[] {200}).to(DType.UINT8).longItem());
    assertEquals(-7, Tensor.ofLongs(new long[] {-7}).to(DType.INT32).longItem());
    assertEquals(0.0999755859375, Tensor.of(0.1).to(DType.FLOAT16).item());
    assertArrayEquals(
        new float[] {0.0999755859375f}, Tensor.of(0.1).to(DType.FLOAT16).toFloatArray());
    assertThrows(IllegalStateException.class, () -> Tensor.of(0.5).to(DType.FLOAT16).longItem());
  }

  @Test
  void transformsRunInTheStorageType() {
    Tensor x = Tensor.of(0.5, 1, 2).to(DType.FLOAT16);
    Tensor t = Autograd.jvp(y -> y.mul(y).sin(), x, Tensor.ones(DType.FLOAT16, 3));
    assertEquals(DType.FLOAT16, t.dtype());
    double[] expected = {Math.cos(0.25), 2 * Math.cos(1), 4 * Math.cos(4)}; // 2x cos(x²)
    assertArrayEquals(expected, t.toDoubleArray(), 1e-2);
    Tensor h = Autograd.hessian(y -> y.pow(3).sum(), Tensor.of(1, 2).to(DType.FLOAT16));
    assertEquals(DType.FLOAT16, h.dtype());
    assertArrayEquals(new double[] {6, 0, 0, 12}, h.toDoubleArray(), 1e-2); // diag(6x)
    Tensor rows = Autograd.vmap(y -> y.mul(2).sum()).apply(Tensor.ones(DType.BFLOAT16, 2, 3));
    assertEquals(DType.BFLOAT16, rows.dtype());
    assertArrayEquals(new double[] {6, 6}, rows.toDoubleArray());
    Tensor a = Tensor.ofLongs(new long[] {1, 2, 3, 4}, 2, 2).to(DType.INT32);
    Tensor p = Tensor.einsum("ij,jk->ik", a, a);
    assertEquals(DType.INT32, p.dtype(), "einsum of int32 is int32, as in PyTorch");
    assertArrayEquals(new long[] {7, 10, 15, 22}, p.toLongArray());
  }

  @Test
  void anomalyModeSeesNaNInFloat16() {
    Tensor x = Tensor.of(-1, 4).to(DType.FLOAT16).requiresGrad(true);
    try (var a = Autograd.detectAnomaly()) {
      RuntimeException e = assertThrows(AnomalyException.class, () -> x.sqrt().sum().backward());
      assertTrue(
          e.getMessage().contains("sqrt") || e.getMessage().contains("Sqrt"), e.getMessage());
    }
    assertArrayEquals(new double[] {Double.NaN, 2}, x.detach().sqrt().toDoubleArray());
  }

  @Test
  void customFunctionsAndCheckpointsSeeTheStorageType() {
    DType[] seen = new DType[1];
    CustomFunction cube =
        CustomFunction.of(
            "Cube",
            in -> {
              seen[0] = in[0].dtype();
              return in[0].mul(in[0]).mul(in[0]);
            },
            (g, out, in) -> new Tensor[] {g.mul(in[0].mul(in[0]).mul(3))});
    Tensor x = Tensor.of(1.5, -2).to(DType.FLOAT16).requiresGrad(true);
    Tensor y = cube.apply(x);
    assertEquals(DType.FLOAT16, seen[0], "the forward gets the float16 input");
    assertEquals(DType.FLOAT16, y.dtype());
    y.sum().backward();
    assertEquals(DType.FLOAT16, x.grad().dtype());
    assertArrayEquals(new double[] {6.75, 12}, x.grad().toDoubleArray());
    // a checkpointed segment computes exactly what the segment computes without it
    Tensor w = sample().to(DType.BFLOAT16).requiresGrad(true);
    Tensor plain = w.sin().mul(w).exp().sum();
    Tensor again = Autograd.checkpoint(v -> v.sin().mul(v).exp(), w).sum();
    assertEquals(plain.item(), again.item());
    plain.backward();
    Tensor g1 = w.grad().copy();
    w.zeroGrad();
    again.backward();
    assertTrue(g1.equal(w.grad()), "checkpointed gradient " + w.grad() + " vs " + g1);
  }

  @Test
  void storageConvertsBetweenEveryPairOfDtypes() {
    nabla.storage.Storage f = nabla.storage.Storage.wrap(new float[] {1, 2, 3, 4});
    nabla.storage.Storage f2 = nabla.storage.Storage.allocate(DType.FLOAT32, 2);
    nabla.storage.Storage.convert(f, 0, 2, f2, 0, 1, 2); // strided, same dtype
    assertArrayEquals(new float[] {1, 3}, f2.f);
    nabla.storage.Storage l = nabla.storage.Storage.wrap(new long[] {(1L << 60) + 1, 5});
    nabla.storage.Storage l2 = nabla.storage.Storage.allocate(DType.INT64, 2);
    nabla.storage.Storage.convert(l, 1, -1, l2, 0, 1, 2); // reversed, exact above 2^53
    assertArrayEquals(new long[] {5, (1L << 60) + 1}, l2.l);
    for (DType from : DType.values()) {
      for (DType to : DType.values()) {
        Tensor x = Tensor.ofLongs(new long[] {0, 1, 3}).to(from).to(to);
        assertEquals(to, x.dtype());
        double three = from == DType.BOOL || to == DType.BOOL ? 1 : 3;
        assertArrayEquals(new double[] {0, 1, three}, x.toDoubleArray(), from + " -> " + to);
      }
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> nabla.storage.Storage.wrapHalf(DType.FLOAT32, new short[1]));
  }

  @Test
  void int32IndicesAreRefusedAsInPyTorch() {
    Tensor x = Tensor.ofLongs(new long[] {10, 20, 30});
    Tensor idx = Tensor.ofLongs(new long[] {2, 0}).to(DType.INT32);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> x.gather(0, idx));
    assertTrue(
        e.getMessage().contains("int64") && e.getMessage().contains("int32"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> x.index(idx));
    // an int32 tensor gathers with an int64 index and stays int32
    Tensor g = x.to(DType.INT32).gather(0, idx.to(DType.INT64));
    assertEquals(DType.INT32, g.dtype());
    assertArrayEquals(new long[] {30, 10}, g.toLongArray());
  }
}
