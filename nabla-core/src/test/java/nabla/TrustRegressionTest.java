package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

  private static <T extends Throwable> T assertFails(
      Class<T> type, org.junit.jupiter.api.function.Executable call, String... fragments) {
    T e = assertThrows(type, call);
    for (String f : fragments) {
      assertTrue(
          e.getMessage() != null && e.getMessage().contains(f),
          "message should mention '" + f + "': " + e.getMessage());
    }
    return e;
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
}
