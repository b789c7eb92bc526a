package nabla.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import nabla.Tensor;
import org.junit.jupiter.api.Test;

/** Newton's method with Autograd.hessian and Linalg.solve reaches Rosenbrock's minimum. */
class NewtonRosenbrockTest {
  @Test
  void convergesToOneOne() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    Tensor p =
        NewtonRosenbrock.minimise(Tensor.ofDoubles(new double[] {-1.2, 1.0}, 2), 50, 1e-12, out);
    double[] xy = p.toDoubleArray();
    assertEquals(1, xy[0], 1e-12);
    assertEquals(1, xy[1], 1e-12);
    long steps = buffer.toString(StandardCharsets.UTF_8).lines().count();
    // pure Newton from (-1.2, 1) needs 7 steps to a gradient below 1e-12 (the textbook count);
    // gradient descent would need thousands
    assertTrue(steps >= 3 && steps <= 12, "steps printed: " + steps);
  }

  @Test
  void oneStepMatchesTheHandWrittenNewtonStep() {
    double x = -1.2;
    double y = 1.0;
    double gx = -2 * (1 - x) - 400 * x * (y - x * x);
    double gy = 200 * (y - x * x);
    double hxx = 2 - 400 * (y - x * x) + 800 * x * x;
    double hxy = -400 * x;
    double hyy = 200;
    double det = hxx * hyy - hxy * hxy;
    double dx = (hyy * gx - hxy * gy) / det;
    double dy = (hxx * gy - hxy * gx) / det;
    double[] p =
        NewtonRosenbrock.minimise(Tensor.ofDoubles(new double[] {x, y}, 2), 1, 0, null)
            .toDoubleArray();
    assertEquals(x - dx, p[0], 1e-12);
    assertEquals(y - dy, p[1], 1e-12);
  }
}
