package nabla.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import nabla.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** D2L chapter 2 in Java: every section runs, and the values the book prints come out. */
class D2lChapter2Test {
  @TempDir Path dir;

  Map<String, Object> run(String section) throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    Map<String, Object> r = D2lChapter2.run(section, new PrintStream(buf, true), dir);
    assertTrue(buf.size() > 100, "prints the cells");
    return r;
  }

  static double[] v(Map<String, Object> r, String name) {
    return ((Tensor) r.get(name)).toDoubleArray();
  }

  @Test
  void dataManipulation() throws Exception {
    Map<String, Object> r = run("2.1");
    assertEquals(12, r.get("x.numel()"));
    assertArrayEquals(new double[] {8, 9, 10, 11}, v(r, "X[-1]"));
    assertArrayEquals(new int[] {2, 4}, ((Tensor) r.get("X[1:3]")).shape());
    assertEquals(17.0, v(r, "X after X[1, 2] = 17")[6]);
    assertArrayEquals(new double[] {1, 4, 16, 64}, v(r, "x ** y"));
    assertArrayEquals(new double[] {3, 4, 6, 10}, v(r, "x + y"));
    assertArrayEquals(new int[] {6, 4}, ((Tensor) r.get("cat((X, Y), dim=0)")).shape());
    assertArrayEquals(new int[] {3, 8}, ((Tensor) r.get("cat((X, Y), dim=1)")).shape());
    assertArrayEquals(
        new boolean[] {
          false, true, false, true, false, false, false, false, false, false, false, false
        },
        ((Tensor) r.get("X == Y")).toBooleanArray());
    assertEquals(66.0, ((Tensor) r.get("X.sum()")).item());
    assertArrayEquals(new double[] {0, 1, 1, 2, 2, 3}, v(r, "a + b"));
    assertEquals(true, r.get("X += Y keeps X's storage"));
    assertEquals(3.5, r.get("a.item()"));
  }

  @Test
  void preprocessing() throws Exception {
    Map<String, Object> r = run("2.2");
    assertEquals("[NumRooms, RoofType_Slate, RoofType_nan]", r.get("columns"));
    assertArrayEquals(new double[] {3, 0, 1, 2, 0, 1, 4, 1, 0, 3, 0, 1}, v(r, "X"));
    assertArrayEquals(new double[] {127500, 106000, 178100, 140000}, v(r, "y"));
  }

  @Test
  void linearAlgebra() throws Exception {
    Map<String, Object> r = run("2.3");
    assertEquals(9.0, ((Tensor) r.get("x ** y")).item());
    for (boolean b : ((Tensor) r.get("A == A.T")).toBooleanArray()) {
      assertTrue(b);
    }
    assertEquals(15.0, ((Tensor) r.get("A.sum()")).item());
    assertArrayEquals(new double[] {3, 5, 7}, v(r, "A.sum(axis=0)"));
    assertArrayEquals(new double[] {3, 12}, v(r, "A.sum(axis=1)"));
    assertEquals(2.5, ((Tensor) r.get("A.mean()")).item());
    assertArrayEquals(new double[] {1.5, 2.5, 3.5}, v(r, "A.mean(axis=0)"));
    assertArrayEquals(new double[] {3, 12}, v(r, "sum_A = A.sum(axis=1, keepdims=True)"));
    assertArrayEquals(new double[] {0, 1, 2, 3, 5, 7}, v(r, "A.cumsum(axis=0)"));
    assertEquals(3.0, ((Tensor) r.get("dot(x, y)")).item());
    assertArrayEquals(new double[] {5, 14}, v(r, "A @ x"));
    assertArrayEquals(new double[] {3, 3, 3, 3, 12, 12, 12, 12}, v(r, "A @ B"));
    assertEquals(5.0, ((Tensor) r.get("norm(u)")).item(), 1e-6);
    assertEquals(7.0, ((Tensor) r.get("abs(u).sum()")).item());
    assertEquals(6.0, ((Tensor) r.get("norm(ones(4, 9))")).item(), 1e-6);
  }

  @Test
  void calculus() throws Exception {
    Map<String, Object> r = run("2.4");
    assertArrayEquals(
        new double[] {2.3, 2.03, 2.003, 2.0003, 2.00003}, (double[]) r.get("limits"), 1e-6);
    BufferedImage png = ImageIO.read(Path.of((String) r.get("plot")).toFile());
    assertEquals(800, png.getWidth());
  }

  @Test
  void probability() throws Exception {
    Map<String, Object> r = run("2.6");
    for (double f : (double[]) r.get("frequencies")) {
      assertEquals(0.5, f, 0.02); // 10,000 tosses: 4 standard deviations
    }
    for (double f : (double[]) r.get("final estimates")) {
      assertEquals(0.5, f, 0.02);
    }
    assertEquals(800, ImageIO.read(Path.of((String) r.get("plot")).toFile()).getWidth());
  }

  @Test
  void unknownSection() {
    var e = assertThrows(IllegalArgumentException.class, () -> run("2.9"));
    assertTrue(e.getMessage().contains("2.1, 2.2, 2.3, 2.4, 2.6"), e.getMessage());
  }
}
