package nabla.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import nabla.DType;
import nabla.Tensor;
import org.junit.jupiter.api.Test;

/** Losses against the textbook formulas evaluated with plain double loops. */
class LossTest {
  private static final double[] LOGITS = {2.0, -1.0, 0.5, 0.1, 0.2, 0.3, -3, 4, 1, 1000, 0, -1000};
  private static final long[] LABELS = {0, 2, 1, 2};

  private static double[] expectedCrossEntropy(double eps) {
    double[] out = new double[4];
    for (int n = 0; n < 4; n++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < 3; c++) {
        max = Math.max(max, LOGITS[n * 3 + c]);
      }
      double z = 0;
      for (int c = 0; c < 3; c++) {
        z += Math.exp(LOGITS[n * 3 + c] - max);
      }
      double lse = max + Math.log(z);
      double smooth = 0;
      for (int c = 0; c < 3; c++) {
        double target = (c == LABELS[n] ? 1 - eps : 0) + eps / 3;
        smooth += -target * (LOGITS[n * 3 + c] - lse);
      }
      out[n] = smooth;
    }
    return out;
  }

  private static Tensor logits() {
    return Tensor.ofDoubles(LOGITS, 4, 3);
  }

  @Test
  void crossEntropyReductionsAndSmoothing() {
    Tensor labels = Tensor.ofLongs(LABELS, 4);
    for (double eps : new double[] {0, 0.1}) {
      double[] e = expectedCrossEntropy(eps);
      double[] none =
          new CrossEntropyLoss()
              .labelSmoothing(eps)
              .reduction(Reduction.NONE)
              .forward(logits(), labels)
              .toDoubleArray();
      assertArrayEquals(e, none, 1e-9);
      double sum = e[0] + e[1] + e[2] + e[3];
      CrossEntropyLoss s = new CrossEntropyLoss().labelSmoothing(eps).reduction(Reduction.SUM);
      assertEquals(sum, s.forward(logits(), labels).item(), 1e-9);
      assertEquals(
          sum / 4,
          new CrossEntropyLoss().labelSmoothing(eps).forward(logits(), labels).item(),
          1e-9);
    }
  }

  @Test
  void crossEntropyGradientIsSoftmaxMinusOneHot() {
    Tensor x = logits().requiresGrad(true);
    new CrossEntropyLoss().forward(x, Tensor.ofLongs(LABELS, 4)).backward();
    double[] g = x.grad().toDoubleArray();
    for (int n = 0; n < 4; n++) {
      double max = Math.max(LOGITS[n * 3], Math.max(LOGITS[n * 3 + 1], LOGITS[n * 3 + 2]));
      double z = 0;
      for (int c = 0; c < 3; c++) {
        z += Math.exp(LOGITS[n * 3 + c] - max);
      }
      for (int c = 0; c < 3; c++) {
        double p = Math.exp(LOGITS[n * 3 + c] - max) / z;
        assertEquals((p - (c == LABELS[n] ? 1 : 0)) / 4, g[n * 3 + c], 1e-12);
      }
    }
  }

  @Test
  void crossEntropyRejectsBadLabels() {
    CrossEntropyLoss ce = new CrossEntropyLoss();
    IllegalArgumentException range =
        assertThrows(
            IllegalArgumentException.class,
            () -> ce.forward(logits(), Tensor.ofLongs(new long[] {0, 3, 1, 2}, 4)));
    assertTrue(range.getMessage().contains("label 3") && range.getMessage().contains("0..2"));
    assertThrows(
        IllegalArgumentException.class,
        () -> ce.forward(logits(), Tensor.ofLongs(new long[] {0, -1, 1, 2}, 4)));
    IllegalArgumentException dtype =
        assertThrows(
            IllegalArgumentException.class, () -> ce.forward(logits(), Tensor.of(0, 1, 1, 2)));
    assertTrue(dtype.getMessage().contains("int64") && dtype.getMessage().contains("float32"));
    assertThrows(
        IllegalArgumentException.class,
        () -> ce.forward(logits(), Tensor.ofLongs(new long[] {0, 1}, 2)));
    assertThrows(IllegalArgumentException.class, () -> ce.labelSmoothing(-0.1));
  }

  @Test
  void mseLoss() {
    Tensor p = Tensor.of(1, 2, 3);
    Tensor t = Tensor.of(1, 4, 0);
    assertEquals((0 + 4 + 9) / 3.0, new MSELoss().forward(p, t).item(), 1e-6);
    assertEquals(13, new MSELoss().reduction(Reduction.SUM).forward(p, t).item(), 1e-6);
    assertArrayEquals(
        new float[] {0, 4, 9},
        new MSELoss().reduction(Reduction.NONE).forward(p, t).toFloatArray());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new MSELoss().forward(Tensor.zeros(3, 1), Tensor.zeros(3)));
    assertTrue(e.getMessage().contains("[3, 1]"), e.getMessage());
  }

  @Test
  void bceWithLogitsIsStableAndHasGradientSigmoidMinusTarget() {
    double[] x = {0, 2, -3, 50, -50, 800};
    double[] y = {1, 0, 1, 0, 1, 1};
    Tensor xt = Tensor.of(x).to(DType.FLOAT64).requiresGrad(true);
    Tensor per = new BCEWithLogitsLoss().reduction(Reduction.NONE).forward(xt, Tensor.of(y));
    double[] v = per.toDoubleArray();
    for (int i = 0; i < x.length; i++) {
      // -[y log σ(x) + (1-y) log σ(-x)], log σ(x) = -log(1 + e^-x)
      double logSig = -Math.log1p(Math.exp(-Math.abs(x[i]))) + Math.min(x[i], 0);
      double logSigNeg = -Math.log1p(Math.exp(-Math.abs(x[i]))) + Math.min(-x[i], 0);
      assertEquals(-(y[i] * logSig + (1 - y[i]) * logSigNeg), v[i], 1e-9 * (1 + Math.abs(v[i])));
    }
    per.sum().backward();
    double[] g = xt.grad().toDoubleArray();
    for (int i = 0; i < x.length; i++) {
      assertEquals(1 / (1 + Math.exp(-x[i])) - y[i], g[i], 1e-12, "x=" + x[i]);
    }
    assertEquals(
        (v[0] + v[1] + v[2] + v[3] + v[4] + v[5]) / 6,
        new BCEWithLogitsLoss().forward(Tensor.of(x).to(DType.FLOAT64), Tensor.of(y)).item(),
        1e-9);
  }
}
