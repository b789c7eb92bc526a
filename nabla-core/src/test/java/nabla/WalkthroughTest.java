package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The D2L §2.5 walkthrough with the book's numbers. */
class WalkthroughTest {

  @Test
  void simpleFunction() {
    Tensor x = Tensor.arange(4.0);
    assertArrayEquals(new double[] {0, 1, 2, 3}, x.toDoubleArray());
    x.requiresGrad(true);
    assertNull(x.grad(), "the gradient is null before the first backward");
    Tensor y = x.dot(x).mul(2);
    assertEquals(28.0, y.item());
    assertEquals("tensor(28., gradFn=<MulBackward>)", y.toString());
    y.backward();
    assertArrayEquals(new double[] {0, 4, 8, 12}, x.grad().toDoubleArray());
    assertArrayEquals(x.mul(4).toDoubleArray(), x.grad().toDoubleArray());
    assertEquals("tensor([ 0.,  4.,  8., 12.])", x.grad().toString());
  }

  @Test
  void gradientsAccumulateUntilZeroed() {
    Tensor x = Tensor.arange(4.0).requiresGrad(true);
    x.dot(x).mul(2).backward();
    x.sum().backward();
    assertArrayEquals(new double[] {1, 5, 9, 13}, x.grad().toDoubleArray());
    x.zeroGrad();
    x.sum().backward();
    assertArrayEquals(new double[] {1, 1, 1, 1}, x.grad().toDoubleArray());
  }

  @Test
  void nonScalarBackwardWithHeadGradient() {
    Tensor x = Tensor.arange(4.0).requiresGrad(true);
    Tensor y = x.mul(x);
    y.backward(Tensor.ones(4));
    assertArrayEquals(new double[] {0, 2, 4, 6}, x.grad().toDoubleArray());
  }

  @Test
  void detachingComputation() {
    Tensor x = Tensor.arange(4.0).requiresGrad(true);
    Tensor y = x.mul(x);
    Tensor u = y.detach();
    Tensor z = u.mul(x);
    z.sum().backward();
    assertArrayEquals(u.toDoubleArray(), x.grad().toDoubleArray());
    x.zeroGrad();
    y.sum().backward();
    assertArrayEquals(x.mul(2).toDoubleArray(), x.grad().toDoubleArray());
  }

  static Tensor f(Tensor a) {
    Tensor b = a.mul(2);
    while (b.norm().item() < 1000) {
      b = b.mul(2);
    }
    Tensor c;
    if (b.sum().item() > 0) {
      c = b;
    } else {
      c = b.mul(100);
    }
    return c;
  }

  @RepeatedTest(5)
  void controlFlow() {
    Tensor a = Tensor.randn().requiresGrad(true);
    assertEquals(0, a.dim());
    Tensor d = f(a);
    d.backward();
    assertEquals(d.item() / a.item(), a.grad().item(), 1e-6 * Math.abs(d.item() / a.item()));
  }
}
