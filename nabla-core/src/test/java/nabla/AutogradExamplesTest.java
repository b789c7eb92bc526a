package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The Javadoc examples of Autograd's several-argument methods, run as written (float32, as in the
 * examples) with the results their comments state.
 */
class AutogradExamplesTest {
  private static final double F32 = 1e-5;

  @Test
  void multiRootBackward() {
    Tensor x = Tensor.of(1, 2).requiresGrad(true);
    Autograd.backward(
        new Tensor[] {x.mul(x).sum(), x.sin()}, new Tensor[] {null, Tensor.of(1, 10)});
    assertArrayEquals(
        new double[] {2 + Math.cos(1), 4 + 10 * Math.cos(2)}, x.grad().toDoubleArray(), F32);
  }

  @Test
  void gradWithUnusedInputs() {
    Tensor x = Tensor.of(1, 2).requiresGrad(true);
    Tensor w = Tensor.of(3, 4).requiresGrad(true);
    Tensor y = x.mul(x).sum();
    Tensor[] g =
        Autograd.grad(
            new Tensor[] {y}, new Tensor[] {null}, true, false, Autograd.Unused.NULL, x, w);
    assertArrayEquals(new double[] {2, 4}, g[0].toDoubleArray(), F32);
    assertNull(g[1]);
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Autograd.grad(
                    new Tensor[] {y},
                    new Tensor[] {null},
                    false,
                    false,
                    Autograd.Unused.ERROR,
                    x,
                    w));
    assertTrue(
        e.getMessage().startsWith("grad: input 1 (shape [2], float32) was not used"),
        e.getMessage());
  }

  @Test
  void valueAndGradWithArgnums() {
    var vg = Autograd.valueAndGrad(a -> a[0].mul(a[1]).sum(), 1, 0);
    var r = vg.apply(new Tensor[] {Tensor.of(1, 2), Tensor.of(3, 4)});
    assertEquals(11, r.value().item(), F32);
    assertArrayEquals(new double[] {1, 2}, r.grads()[0].toDoubleArray(), F32);
    assertArrayEquals(new double[] {3, 4}, r.grads()[1].toDoubleArray(), F32);
  }

  @Test
  void vjpAndJvpOfSeveralArguments() {
    Tensor x = Tensor.of(1, 2);
    Tensor y = Tensor.of(3, 5);
    Tensor v = Tensor.of(0.5, -1);
    Tensor[] g =
        Autograd.vjp(
            a -> new Tensor[] {a[0].mul(a[1]), a[0].sum()},
            new Tensor[] {x, y},
            new Tensor[] {v, Tensor.scalar(1)});
    assertArrayEquals(v.mul(y).add(1).toDoubleArray(), g[0].toDoubleArray(), F32);
    assertArrayEquals(v.mul(x).toDoubleArray(), g[1].toDoubleArray(), F32);
    Tensor u = Tensor.of(2, 3);
    Tensor[] t =
        Autograd.jvp(a -> new Tensor[] {a[0].mul(a[1])}, new Tensor[] {x, y}, new Tensor[] {u, v});
    assertArrayEquals(u.mul(y).add(x.mul(v)).toDoubleArray(), t[0].toDoubleArray(), F32);
    var r =
        Autograd.valueAndJvp(
            a -> new Tensor[] {a[0].sin()}, new Tensor[] {x}, new Tensor[] {v}, false);
    assertArrayEquals(x.sin().toDoubleArray(), r.values()[0].toDoubleArray(), F32);
    assertArrayEquals(x.cos().mul(v).toDoubleArray(), r.tangents()[0].toDoubleArray(), F32);
  }

  @Test
  void jacobianBlocks() {
    Tensor x = Tensor.of(1, 2);
    Tensor y = Tensor.of(3, 5);
    Tensor[][] j = Autograd.jacobian(a -> new Tensor[] {a[0].mul(a[1]), a[0].sum()}, x, y);
    assertArrayEquals(new double[] {3, 0, 0, 5}, j[0][0].toDoubleArray(), F32);
    assertArrayEquals(new double[] {1, 0, 0, 2}, j[0][1].toDoubleArray(), F32);
    assertArrayEquals(new double[] {1, 1}, j[1][0].toDoubleArray(), F32);
    assertArrayEquals(new double[] {0, 0}, j[1][1].toDoubleArray(), 0);
    assertArrayEquals(
        new double[] {1, 0, 0, 2},
        Autograd.jacrev(a -> new Tensor[] {a[0].mul(a[1])}, x, y)[0][1].toDoubleArray(),
        F32);
    assertArrayEquals(
        new double[] {3, 0, 0, 5},
        Autograd.jacfwd(a -> new Tensor[] {a[0].mul(a[1])}, x, y)[0][0].toDoubleArray(),
        F32);
  }

  @Test
  void hessianHvpAndVhp() {
    Tensor x = Tensor.of(1, 2);
    Tensor y = Tensor.of(3, 5);
    Tensor[][] h = Autograd.hessian(a -> a[0].mul(a[1]).sum(), x, y);
    assertArrayEquals(new double[4], h[0][0].toDoubleArray(), 0);
    assertArrayEquals(new double[4], h[1][1].toDoubleArray(), 0);
    assertArrayEquals(new double[] {1, 0, 0, 1}, h[0][1].toDoubleArray(), F32);
    assertArrayEquals(new double[] {1, 0, 0, 1}, h[1][0].toDoubleArray(), F32);
    Tensor u = Tensor.of(2, 3);
    Tensor v = Tensor.of(0.5, -1);
    Tensor[] hv = Autograd.hvp(a -> a[0].mul(a[1]).sum(), new Tensor[] {x, y}, new Tensor[] {u, v});
    Tensor[] vh = Autograd.vhp(a -> a[0].mul(a[1]).sum(), new Tensor[] {x, y}, new Tensor[] {u, v});
    assertArrayEquals(v.toDoubleArray(), hv[0].toDoubleArray(), F32);
    assertArrayEquals(u.toDoubleArray(), hv[1].toDoubleArray(), F32);
    assertArrayEquals(v.toDoubleArray(), vh[0].toDoubleArray(), F32);
    assertArrayEquals(u.toDoubleArray(), vh[1].toDoubleArray(), F32);
    assertArrayEquals(
        new double[] {6, 12},
        Autograd.vhp(t -> t.pow(3).sum(), Tensor.of(1, 2), Tensor.of(1, 1)).toDoubleArray(),
        F32);
  }
}
