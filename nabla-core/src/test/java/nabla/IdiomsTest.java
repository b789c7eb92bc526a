package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The D2L §2.5.1 example in the four idioms the book shows, with the book's numbers. */
class IdiomsTest {
  static final double[] EXPECTED = {0, 4, 8, 12};

  @Test
  void imperativePyTorchStyle() {
    Tensor x = Tensor.arange(4.0).requiresGrad(true);
    Tensor y = x.dot(x).mul(2);
    assertEquals(28, y.item());
    y.backward();
    assertArrayEquals(EXPECTED, x.grad().toDoubleArray());
    x.sum().backward();
    assertArrayEquals(new double[] {1, 5, 9, 13}, x.grad().toDoubleArray(), "accumulates");
  }

  @Test
  void functionalJaxStyle() {
    var grad = Autograd.grad(x -> x.dot(x).mul(2));
    assertArrayEquals(EXPECTED, grad.apply(Tensor.arange(4.0)).toDoubleArray());
    assertArrayEquals(
        new double[] {1, 1, 1, 1},
        Autograd.grad(Tensor::sum).apply(Tensor.arange(4.0)).toDoubleArray());
  }

  @Test
  void tapeTensorFlowStyle() {
    Tensor x = Tensor.arange(4.0);
    try (GradientTape tape = GradientTape.open()) {
      tape.watch(x);
      Tensor y = x.dot(x).mul(2);
      assertArrayEquals(EXPECTED, tape.gradient(y, x).toDoubleArray());
    }
  }

  @Test
  void recordScopeMxnetStyleOverwrites() {
    Tensor x = Tensor.arange(4.0).requiresGrad(true).overwriteGrad(true);
    Tensor y;
    try (var r = Autograd.record()) {
      y = x.dot(x).mul(2);
    }
    y.backward();
    assertArrayEquals(EXPECTED, x.grad().toDoubleArray());
    try (var r = Autograd.record()) {
      y = x.sum();
    }
    y.backward();
    assertArrayEquals(new double[] {1, 1, 1, 1}, x.grad().toDoubleArray(), "overwritten");
  }
}
