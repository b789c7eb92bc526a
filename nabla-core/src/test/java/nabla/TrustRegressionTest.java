package nabla;

import static nabla.MisuseTest.assertFails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for the silent wrong results of issue #8 ("Trust"): each failed before its fix.
 * Expected values come from running the same computation without the feature under test (or from
 * PyTorch 1.13, where quoted).
 */
class TrustRegressionTest {

  private static Tensor f64(double... v) {
    return Tensor.ofDoubles(v, v.length);
  }

  /** Item 1: checkpoint reaches every leaf its segment uses. */
  @Nested
  class Checkpointing {
    @Test
    void capturedWeightGetsItsGradient() {
      Tensor w = f64(.5, -.3, .8).requiresGrad(true);
      Tensor x = f64(.1, .2, .3);
      Autograd.checkpoint(t -> t.mul(w).tanh(), x).sum().backward();
      assertNotNull(w.grad(), "the captured weight must get a gradient");
      // PyTorch 1.13: torch.utils.checkpoint gives [0.0998, 0.1993, 0.2834].
      assertArrayEquals(new double[] {0.0998, 0.1993, 0.2834}, w.grad().toDoubleArray(), 1e-4);

      Tensor w2 = f64(.5, -.3, .8).requiresGrad(true);
      x.mul(w2).tanh().sum().backward();
      assertArrayEquals(w2.grad().toDoubleArray(), w.grad().toDoubleArray(), 1e-15);
    }

    @Test
    void outputRequiresGradWhenOnlyACapturedTensorDoes() {
      Tensor w = f64(.5, -.3, .8).requiresGrad(true);
      Tensor y = Autograd.checkpoint(t -> t.mul(w), f64(1, 2, 3));
      assertTrue(y.requiresGrad(), "the segment uses w, which requires grad");
      assertEquals("CheckpointBackward", y.gradFn().name());
    }

    private final Function<Tensor[], Tensor> plain =
        p -> p[0].tanh().mul(p[1]).sin().matmul(p[2]).tanh();

    private Tensor[] params() {
      return new Tensor[] {
        Tensor.ofDoubles(new double[] {.3, -.7, .2, .9, -.1, .4}, 2, 3).requiresGrad(true),
        f64(.5, -.3, .8).requiresGrad(true),
        Tensor.ofDoubles(new double[] {.1, .2, -.3, .4, .5, -.6}, 3, 2).requiresGrad(true)
      };
    }

    @Test
    void gradientsOfInputAndAllCapturedTensorsMatchNoCheckpoint() {
      Tensor[] a = params();
      plain.apply(a).sum().backward();
      Tensor[] b = params();
      Autograd.checkpoint(t -> plain.apply(new Tensor[] {t, b[1], b[2]}), b[0]).sum().backward();
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(a[i].grad().toDoubleArray(), b[i].grad().toDoubleArray(), 1e-14);
      }
    }

    @Test
    void functionalGradAndSecondOrderMatchNoCheckpoint() {
      Tensor[] a = params();
      Tensor[] ga =
          Autograd.grad(new Tensor[] {plain.apply(a).sum()}, new Tensor[1], true, true, a);
      Tensor[] gga = Autograd.grad(ga[1].sum(), a);
      Tensor[] b = params();
      Tensor yb = Autograd.checkpoint(t -> plain.apply(new Tensor[] {t, b[1], b[2]}), b[0]).sum();
      Tensor[] gb = Autograd.grad(new Tensor[] {yb}, new Tensor[1], true, true, b);
      Tensor[] ggb = Autograd.grad(gb[1].sum(), b);
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(ga[i].toDoubleArray(), gb[i].toDoubleArray(), 1e-14);
        assertArrayEquals(gga[i].toDoubleArray(), ggb[i].toDoubleArray(), 1e-13);
      }
      assertNotNull(gb[2]);
    }

    @Test
    void capturedNonLeafIsNotCountedTwice() {
      Tensor w = f64(.5, -.3, .8).requiresGrad(true);
      Tensor w2 = w.mul(2); // computed outside the segment
      Tensor x = f64(.1, .2, .3);
      Autograd.checkpoint(t -> t.mul(w2).mul(w).tanh(), x).sum().backward();
      Tensor v = f64(.5, -.3, .8).requiresGrad(true);
      x.mul(v.mul(2)).mul(v).tanh().sum().backward();
      assertArrayEquals(v.grad().toDoubleArray(), w.grad().toDoubleArray(), 1e-15);
    }

    @Test
    void forwardModeSeesCapturedTangentsAndNestedCheckpointsWork() {
      Tensor w = f64(.5, -.3, .8);
      Function<Tensor, Tensor> seg = t -> t.mul(w).tanh();
      Tensor x = f64(.1, .2, .3);
      Tensor v = f64(1, -2, .5);
      Tensor expected = Autograd.jvp(t -> seg.apply(seg.apply(t)), x, v);
      Tensor got =
          Autograd.jvp(
              t -> Autograd.checkpoint(u -> Autograd.checkpoint(seg, seg.apply(u)), t), x, v);
      assertArrayEquals(expected.toDoubleArray(), got.toDoubleArray(), 1e-15);

      Tensor p = x.detach().requiresGrad(true);
      Autograd.checkpoint(u -> Autograd.checkpoint(seg, seg.apply(u)), p).sum().backward();
      Tensor q = x.detach().requiresGrad(true);
      seg.apply(seg.apply(q)).sum().backward();
      assertArrayEquals(q.grad().toDoubleArray(), p.grad().toDoubleArray(), 1e-15);
    }

    @Test
    void inPlaceChangeOfAReadTensorBeforeBackwardIsAnError() {
      Tensor w = f64(.5, -.3, .8).requiresGrad(true);
      Tensor c = f64(1, 2, 3); // a constant the segment reads
      Tensor y = Autograd.checkpoint(t -> t.mul(w).mul(c), f64(.1, .2, .3)).sum();
      c.mulInPlace(2);
      assertFails(IllegalStateException.class, y::backward, "checkpoint", "mulInPlace");
    }
  }

  /** Autograd.grad with respect to an intermediate leaves the graph below it intact. */
  @Test
  void gradWithRespectToAnIntermediateDoesNotFreeTheGraphBelowIt() {
    Tensor x = f64(1, 2).requiresGrad(true);
    Tensor y = x.mul(x);
    Tensor z = y.mul(3).sum();
    assertArrayEquals(new double[] {3, 3}, Autograd.grad(z, y)[0].toDoubleArray());
    y.mul(4).sum().backward(); // PyTorch allows this: grad(z, y) did not run y's node
    assertArrayEquals(new double[] {8, 16}, x.grad().toDoubleArray());
  }

  /** Item 3: element counts never overflow silently. */
  @Nested
  class Overflow {
    private static final int BIG = 65536;

    @Test
    void creationOfAHugeShapeIsRejected() {
      assertFails(
          IllegalArgumentException.class,
          () -> Tensor.zeros(BIG, BIG, BIG, BIG),
          "18446744073709551616",
          "2^31-1");
      assertFails(IllegalArgumentException.class, () -> Tensor.zeros(BIG, BIG), "4294967296");
      assertEquals(0, Tensor.zeros(BIG, BIG, BIG, 0).numel(), "an empty shape stays legal");
    }

    @Test
    void expandToAHugeShapeIsRejected() {
      assertFails(
          IllegalArgumentException.class,
          () -> Tensor.ones(1, 1).expand(BIG, BIG, BIG, BIG),
          "expand");
      assertFails(
          IllegalArgumentException.class,
          () -> Tensor.ones(1, 1).expand(2 * BIG, BIG, BIG, BIG),
          "expand");
    }

    @Test
    void arangeChecksItsLengthBeforeAllocating() {
      assertFails(
          IllegalArgumentException.class,
          () -> Tensor.arange(Double.POSITIVE_INFINITY),
          "arange",
          "finite");
      assertFails(IllegalArgumentException.class, () -> Tensor.arange(1e10), "arange", "2^31-1");
      assertFails(
          IllegalArgumentException.class,
          () -> Tensor.arange(Long.MIN_VALUE, Long.MAX_VALUE),
          "arange");
      assertFails(
          IllegalArgumentException.class, () -> Tensor.linspace(0, Double.NaN, 3), "linspace");
    }

    @Test
    void sliceWithAHugeStep() {
      Tensor s = Tensor.ones(2, 3).slice(1, 0, 3, Integer.MAX_VALUE);
      assertArrayEquals(new int[] {2, 1}, s.shape());
      Tensor t = Tensor.arange(10.0).slice(0, 3, Integer.MAX_VALUE, Integer.MAX_VALUE - 1);
      assertArrayEquals(new double[] {3}, t.toDoubleArray());
    }

    @Test
    void reshapeAndCatToHugeSizes() {
      assertFails(
          IllegalArgumentException.class, () -> Tensor.ones(4).reshape(BIG, BIG, -1), "reshape");
      Tensor e = Tensor.ones(1).expand(1 << 30);
      assertFails(IllegalArgumentException.class, () -> Tensor.cat(0, e, e, e), "cat", "2^31-1");
    }
  }

  /** Copies within one storage read everything before writing, whatever the dtype and layout. */
  @Test
  void overlappingStridedCopyWithinOneStorage() {
    Tensor x = Tensor.arange(9.0).reshape(3, 3);
    Tensor xt = x.transpose();
    xt.slice(0, 1, 3).copyFrom(xt.slice(0, 0, 2));
    assertArrayEquals(new double[] {0, 0, 1, 3, 3, 4, 6, 6, 7}, x.toDoubleArray());
    Tensor l = Tensor.arange(10);
    l.slice(0, 1, 10).copyFrom(l.slice(0, 0, 9));
    assertArrayEquals(new long[] {0, 0, 1, 2, 3, 4, 5, 6, 7, 8}, l.toLongArray());
  }

  /** Item 4: a VJP result is broadcast-reduced, never reshaped. */
  @Test
  void wrongShapedCustomGradientIsAnErrorNotAReshape() {
    CustomFunction t =
        CustomFunction.of(
            "MyTranspose", in -> in[0].transpose(), (g, out, in) -> new Tensor[] {g}); // wrong
    Tensor x = Tensor.ofDoubles(new double[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
    Tensor y = t.apply(x);
    Tensor head = Tensor.ofDoubles(new double[] {1, 2, 3, 4, 5, 6}, 3, 2);
    assertFails(
        IllegalStateException.class,
        () -> y.backward(head),
        "MyTransposeBackward",
        "input 0",
        "[3, 2]",
        "[2, 3]");
    // A gradient that broadcasts to the input is still summed down.
    CustomFunction bcast =
        CustomFunction.of(
            "Bcast", in -> in[0].expand(2, 3), (g, out, in) -> new Tensor[] {g}); // [2,3] for [3]
    Tensor v = f64(1, 2, 3).requiresGrad(true);
    bcast.apply(v).sum().backward();
    assertArrayEquals(new double[] {2, 2, 2}, v.grad().toDoubleArray());
  }

  /** Item 5: in-place updates and setGrad never narrow a dtype silently. */
  @Nested
  class Dtypes {
    @Test
    void inPlaceUpdatesRejectNarrowingResults() {
      Tensor l = Tensor.ofLongs(new long[] {3, 5}, 2);
      assertFails(IllegalArgumentException.class, () -> l.mulInPlace(2.5), "mulInPlace", "int64");
      assertFails(
          IllegalArgumentException.class,
          () -> l.addInPlace(Tensor.of(0.5, 0.5)),
          "addInPlace",
          "float32",
          "int64");
      assertArrayEquals(new long[] {3, 5}, l.toLongArray(), "a rejected update writes nothing");
      l.mulInPlace(2); // an integral factor keeps int64
      assertArrayEquals(new long[] {6, 10}, l.toLongArray());
      Tensor b = Tensor.ofBooleans(new boolean[] {true, false});
      assertFails(IllegalArgumentException.class, () -> b.mulInPlace(2), "bool");
      Tensor f = Tensor.of(1, 2);
      f.addInPlace(Tensor.ofDoubles(new double[] {0.5, 0.25}, 2)); // float64 into float32: allowed
      assertArrayEquals(new double[] {1.5, 2.25}, f.toDoubleArray());
      f.copyFrom(Tensor.ofLongs(new long[] {7, 8})); // copyFrom converts, as PyTorch's copy_
      assertArrayEquals(new double[] {7, 8}, f.toDoubleArray());
    }

    @Test
    void setGradChecksDtype() {
      Tensor w = Tensor.of(1, 2, 3).requiresGrad(true);
      assertFails(
          IllegalArgumentException.class,
          () -> w.setGrad(Tensor.ofLongs(new long[] {1, 1, 1})),
          "setGrad",
          "int64",
          "float32");
      assertFails(
          IllegalArgumentException.class,
          () -> w.setGrad(Tensor.ofDoubles(new double[] {1, 1, 1}, 3)),
          "float64");
      w.setGrad(Tensor.of(1, 1, 1));
      w.mul(Tensor.of(1, 2, 3)).sum().backward();
      assertArrayEquals(new double[] {2, 3, 4}, w.grad().toDoubleArray());
      assertEquals(DType.FLOAT32, w.grad().dtype());
    }

    /** Item 6. */
    @Test
    void setGradRejectsAnExpandedView() {
      Tensor w = Tensor.of(1, 2, 3).requiresGrad(true);
      assertFails(
          IllegalArgumentException.class,
          () -> w.setGrad(Tensor.zeros(1).expand(3)),
          "setGrad",
          "expanded",
          "contiguous()");
      w.setGrad(Tensor.zeros(1).expand(3).contiguous());
      w.mul(Tensor.of(1, 2, 3)).sum().backward();
      assertArrayEquals(new double[] {1, 2, 3}, w.grad().toDoubleArray());
    }
  }

  /** Item 7: integer corner cases. */
  @Nested
  class Integers {
    @Test
    void integerToNegativeIntegerPowerIsAnError() {
      Tensor two = Tensor.ofLongs(new long[] {2}, 1);
      assertFails(IllegalArgumentException.class, () -> two.pow(-1), "pow", "negative");
      assertFails(
          IllegalArgumentException.class, () -> two.pow(Tensor.ofLongs(new long[] {1, -2})));
      assertArrayEquals(new long[] {8}, two.pow(3).toLongArray());
      assertArrayEquals(new double[] {0.5}, two.to(DType.FLOAT32).pow(-1).toDoubleArray());
    }

    @Test
    void longItemIsExact() {
      long big = (1L << 53) + 1;
      Tensor t = Tensor.ofLongs(new long[] {big});
      assertEquals(big, t.longItem());
      assertTrue(
          (long) t.item() != big, "item() is a double and rounds: that is why longItem exists");
      assertEquals(1, Tensor.ofBooleans(new boolean[] {true}).longItem());
      assertFails(IllegalStateException.class, () -> Tensor.of(1.5).longItem(), "item()");
      assertFails(IllegalStateException.class, () -> Tensor.ofLongs(new long[] {1, 2}).longItem());
    }

    @Test
    void integerArangeIsInt64AndExactAbove2To24() {
      Tensor r = Tensor.arange(16_777_216L, 16_777_220L);
      assertEquals(DType.INT64, r.dtype());
      assertArrayEquals(
          new long[] {16_777_216, 16_777_217, 16_777_218, 16_777_219}, r.toLongArray());
      assertEquals(DType.INT64, Tensor.arange(4).dtype());
      assertEquals(DType.FLOAT32, Tensor.arange(4.0).dtype());
      assertArrayEquals(new long[] {10, 7, 4, 1}, Tensor.arange(10, 0, -3).toLongArray());
      assertEquals(0, Tensor.arange(3, 1, 1).numel());
      long near = Long.MAX_VALUE - 2;
      assertArrayEquals(
          new long[] {near, near + 1}, Tensor.arange(near, Long.MAX_VALUE).toLongArray());
    }
  }

  /** Crashes and confusing behaviour of issue #8. */
  @Nested
  class Surprises {
    @Test
    void transposeOfAZeroDimensionalTensor() {
      Tensor s = Tensor.scalar(1);
      assertEquals(0, s.transpose(0, 0).dim());
      assertEquals(0, s.transpose(-1, -1).dim());
      assertEquals(1.0, s.transpose(0, 0).item());
      assertFails(IllegalArgumentException.class, () -> s.transpose(0, 1), "transpose");
    }

    @Test
    void whereNeedsABoolCondition() {
      Tensor x = Tensor.of(1, 2);
      assertFails(
          IllegalArgumentException.class,
          () -> Tensor.where(Tensor.of(1, 0), x, x.neg()),
          "where",
          "bool",
          "float32");
      assertArrayEquals(
          new double[] {1, -2}, Tensor.where(Tensor.of(1, 0).ne(0), x, x.neg()).toDoubleArray());
    }

    @Test
    void badDistributionParametersAreRejected() {
      assertFails(IllegalArgumentException.class, () -> Tensor.normal(0, -1, 3), "normal", "std");
      assertFails(IllegalArgumentException.class, () -> Tensor.normal(Double.NaN, 1, 3), "normal");
      assertFails(
          IllegalArgumentException.class,
          () -> Tensor.uniform(0, Double.POSITIVE_INFINITY, 3),
          "uniform");
    }

    @Test
    void crossEntropyWithZeroClasses() {
      assertFails(
          IllegalArgumentException.class,
          () -> Tensor.zeros(2, 0).crossEntropy(Tensor.ofLongs(new long[] {0, 0})),
          "crossEntropy",
          "no classes");
    }

    @Test
    void gradCheckOnFloat32ChecksInFloat64AndSaysSo() {
      Tensor x = Tensor.of(0.5, 1.5, -0.7).requiresGrad(true);
      GradCheck.Report r = GradCheck.check(a -> a[0].sin().mul(a[0]).exp(), x);
      assertTrue(r.passed(), r.toString());
      assertTrue(r.toString().contains("float64"), r.toString());
    }

    @Test
    void gradCheckSkipsForwardModeOfACustomFunctionWithoutJvpAndSaysSo() {
      CustomFunction cube =
          CustomFunction.of(
              "Cube",
              in -> in[0].mul(in[0]).mul(in[0]),
              (g, out, in) -> new Tensor[] {g.mul(in[0].mul(in[0]).mul(3))});
      Tensor x = Tensor.ofDoubles(new double[] {0.5, -1.5}, 2).requiresGrad(true);
      GradCheck.Report r = GradCheck.check(a -> cube.apply(a[0]), x);
      assertTrue(r.passed(), r.toString());
      assertTrue(r.toString().contains("forward mode not checked"), r.toString());
      // A wrong VJP is still caught.
      CustomFunction wrong =
          CustomFunction.of(
              "Wrong",
              in -> in[0].mul(in[0]).mul(in[0]),
              (g, out, in) -> new Tensor[] {g.mul(in[0].mul(in[0]).mul(2))});
      assertTrue(!GradCheck.check(a -> wrong.apply(a[0]), x).passed());
    }

    @Test
    void readingGradOfANonLeafWarnsOnceNamingTheFix() {
      java.util.logging.Logger log = java.util.logging.Logger.getLogger(NonLeafGradWarning.LOGGER);
      java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
      java.util.logging.Handler h =
          new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
              seen.add(r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
          };
      log.addHandler(h);
      try {
        NonLeafGradWarning.reset();
        Tensor w = Tensor.of(1, 2).requiresGrad(true);
        w.mul(w).sum().backward();
        Tensor rebound = w.sub(w.grad().mul(0.1)); // the D2L mistake: w = w - lr * grad
        assertTrue(seen.isEmpty(), "reading a leaf's grad does not warn");
        assertEquals(null, rebound.grad());
        assertEquals(null, rebound.grad());
        assertEquals(1, seen.size(), "warned once: " + seen);
        assertTrue(seen.get(0).contains("subInPlace") && seen.get(0).contains("retainGrad"));
      } finally {
        log.removeHandler(h);
      }
    }
  }

  /** Printing reads only the elements shown. */
  @Nested
  class Printing {
    @Test
    void aHugeTensorPrintsWithoutCopyingIt() {
      // 2^30 float elements viewed through stride 0: the old printer copied them to float64 (8
      // GiB).
      Tensor huge = Tensor.of(1.5).expand(1 << 30);
      assertEquals(
          "tensor([1.5000, 1.5000, 1.5000,  ..., 1.5000, 1.5000, 1.5000])", huge.toString());
    }

    @Test
    void viewsPrintLikeTheirContiguousCopies() {
      Tensor x = Tensor.randn(40, 50);
      Tensor[] views = {x.transpose(), x.slice(0, 1, 40, 3), x.slice(1, 2, 50, 2).transpose()};
      for (Tensor v : views) {
        assertEquals(v.contiguous().copy().toString(), v.toString());
      }
    }

    @Test
    void int64AboveTwoTo53PrintsExactly() {
      long big = (1L << 53) + 1;
      assertEquals(
          "tensor([9007199254740993,                1])",
          Tensor.ofLongs(new long[] {big, 1}).toString());
    }
  }
}
