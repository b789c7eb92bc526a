package nabla.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import nabla.Generator;
import nabla.Tensor;
import org.junit.jupiter.api.Test;

class LayersTest {

  @Test
  void activationsAreElementwise() {
    double[] x = {-2, -0.5, 0, 0.5, 3};
    float[] relu = new ReLU().forward(Tensor.of(x)).toFloatArray();
    float[] sig = new Sigmoid().forward(Tensor.of(x)).toFloatArray();
    float[] tanh = new Tanh().forward(Tensor.of(x)).toFloatArray();
    for (int i = 0; i < x.length; i++) {
      assertEquals(Math.max(x[i], 0), relu[i], 1e-7);
      assertEquals(1 / (1 + Math.exp(-x[i])), sig[i], 1e-6);
      assertEquals(Math.tanh(x[i]), tanh[i], 1e-6);
    }
  }

  @Test
  void softmaxRowsSumToOne() {
    Tensor x = Tensor.of(new double[] {1, 2, 3, 1000, 1000, 1000}, 2, 3);
    float[] p = new Softmax(1).forward(x).toFloatArray();
    double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
    assertEquals(Math.exp(3) / z, p[2], 1e-6);
    assertEquals(1.0 / 3, p[4], 1e-6);
    assertEquals("Softmax(dim=1)", new Softmax(1).toString());
  }

  @Test
  void flattenMergesTheGivenDimensions() {
    Tensor x = Tensor.arange(24.0).reshape(2, 3, 4);
    assertArrayEquals(new int[] {2, 12}, new Flatten().forward(x).shape());
    assertArrayEquals(new int[] {6, 4}, new Flatten(0, 1).forward(x).shape());
    assertArrayEquals(x.toFloatArray(), new Flatten().forward(x).toFloatArray());
    assertThrows(IllegalArgumentException.class, () -> new Flatten(2, 1).forward(x));
    assertThrows(IllegalArgumentException.class, () -> new Flatten(1, 5).forward(x));
  }

  @Test
  void dropoutScalesSurvivorsAndIsTheIdentityInEval() {
    Dropout d = new Dropout(0.25, new Generator(7));
    Tensor x = Tensor.full(2, 10000);
    float[] y = d.forward(x).toFloatArray();
    int zeros = 0;
    for (float v : y) {
      if (v == 0) {
        zeros++;
      } else {
        assertEquals(2 / 0.75, v, 1e-5);
      }
    }
    assertEquals(0.25, zeros / 10000.0, 0.02);
    // the same seed gives the same mask
    float[] again = new Dropout(0.25, new Generator(7)).forward(x).toFloatArray();
    assertArrayEquals(y, again);
    d.eval();
    assertSame(x, d.forward(x));
    assertEquals(0.0, new Dropout(1).forward(x).abs().sum().item());
    assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5));
    assertThrows(IllegalArgumentException.class, () -> new Dropout(Double.NaN));
  }

  @Test
  void dropoutGradientFollowsTheMask() {
    Tensor x = Tensor.ones(50).requiresGrad(true);
    Tensor y = new Dropout(0.5, new Generator(1)).forward(x);
    y.sum().backward();
    assertArrayEquals(y.toFloatArray(), x.grad().toFloatArray());
  }

  @Test
  void sequentialRejectsNullAndBadIndex() {
    assertThrows(IllegalArgumentException.class, () -> new Sequential(new ReLU(), null));
    Sequential s = new Sequential(new ReLU());
    assertEquals(1, s.size());
    assertThrows(IllegalArgumentException.class, () -> s.get(1));
    assertTrue(s.parameters().isEmpty());
  }
}
