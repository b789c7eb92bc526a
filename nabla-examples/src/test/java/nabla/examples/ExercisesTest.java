package nabla.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import nabla.GraphExport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The numbers of the D2L §2.5 exercises. */
class ExercisesTest {
  private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);

  private String printed() {
    return buffer.toString(StandardCharsets.UTF_8);
  }

  private static void assertClose(double[] expected, double[] actual, double tol, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], tol, what + " at index " + i);
    }
  }

  @Test
  void exercise1SecondDerivativesByBothRoutes() {
    Exercises.SecondDerivatives r = Exercises.secondDerivatives(out);
    double[] sixX = Arrays.stream(r.x()).map(x -> 6 * x).toArray();
    double[] minusSin = Arrays.stream(r.x()).map(x -> -Math.sin(x)).toArray();
    assertClose(sixX, r.cubeByGradOfGrad(), 1e-12, "(x^3)'' by grad(grad)");
    assertClose(sixX, r.cubeByCreateGraph(), 1e-12, "(x^3)'' by createGraph");
    assertClose(minusSin, r.sinByGradOfGrad(), 1e-12, "(sin x)'' by grad(grad)");
    assertClose(minusSin, r.sinByCreateGraph(), 1e-12, "(sin x)'' by createGraph");
    assertTrue(
        r.secondOrderGraphNodes() > r.firstOrderGraphNodes(),
        "the recorded backward makes a larger graph: " + r);
    assertTrue(printed().contains("Exercise 1"));
  }

  @Test
  void exercise2BackwardTwiceFailsWithoutRetainGraphAndAccumulatesWithIt() {
    Exercises.BackwardTwice r = Exercises.backwardTwice(out);
    assertArrayEquals(new double[] {0, 4, 8, 12}, r.firstGrad());
    assertNotNull(r.error(), "the second backward must throw");
    assertTrue(r.error().contains("retainGraph"), r.error());
    assertTrue(r.error().contains("second time"), r.error());
    assertArrayEquals(new double[] {0, 8, 16, 24}, r.retainedTwice());
    assertTrue(printed().contains(r.error()));
  }

  @Test
  void exercise3VectorControlFlowGradientIsKOnesEqualToDOverA() {
    for (long seed : new long[] {2024, 1, 7, 42, 12345}) {
      Exercises.VectorControlFlow r = Exercises.vectorControlFlow(out, seed);
      assertEquals(4, r.a().length);
      double k = r.k();
      // k is 2^n, or 100 * 2^n on the branch where the sum is not positive.
      double powerOfTwo = r.d().length > 0 && sum(r.d()) > 0 ? k : k / 100;
      assertEquals(Math.scalb(1.0, Math.getExponent(powerOfTwo)), powerOfTwo, 0, "k = " + k);
      for (int i = 0; i < 4; i++) {
        assertEquals(k, r.grad()[i], 0, "a.grad() is k ones (seed " + seed + ")");
        assertEquals(k * r.a()[i], r.d()[i], Math.abs(r.d()[i]) * 1e-6, "d = k a");
        assertEquals(r.grad()[i], r.dOverA()[i], k * 1e-6, "a.grad() = d / a");
      }
      assertNotNull(r.nonScalarError());
      assertTrue(r.nonScalarError().contains("one element"), r.nonScalarError());
    }
  }

  private static double sum(double[] v) {
    return Arrays.stream(v).sum();
  }

  @Test
  void exercise4DerivativeOfSinByAutogradIsCosAndIsPlotted(@TempDir Path dir) throws Exception {
    Exercises.SinDerivative r = Exercises.sinAndItsDerivative(out, dir);
    assertEquals(200, r.x().length);
    assertEquals(-2 * Math.PI, r.x()[0], 1e-6);
    assertEquals(2 * Math.PI, r.x()[199], 1e-6);
    for (int i = 0; i < r.x().length; i++) {
      assertEquals(Math.cos(r.x()[i]), r.derivative()[i], 1e-5, "d/dx sin at " + r.x()[i]);
      assertEquals(Math.sin(r.x()[i]), r.sin()[i], 1e-5, "sin at " + r.x()[i]);
    }
    assertEquals(dir.resolve("exercise4-sin.png"), r.png());
    byte[] bytes = Files.readAllBytes(r.png());
    assertTrue(bytes.length > 1000, "a real picture, " + bytes.length + " bytes");
    assertArrayEquals(PNG_MAGIC, Arrays.copyOf(bytes, 8));
  }

  @Test
  void exercises5To7GraphAndDerivativeByBothModesMatchTheClosedForm(@TempDir Path dir)
      throws Exception {
    Exercises.ChainRule r = Exercises.chainRule(out, dir);
    double[] expected =
        Arrays.stream(r.x())
            .map(x -> 2 * Math.sin(x) / x + Math.log(x * x) * Math.cos(x) - 1 / (x * x))
            .toArray();
    assertClose(expected, r.closedForm(), 0, "closed form");
    assertClose(expected, r.reverse(), 1e-12, "reverse mode");
    assertClose(expected, r.forward(), 1e-12, "forward mode");

    for (String op :
        new String[] {
          "PowBackward", "LogBackward", "SinBackward", "MulBackward", "DivBackward", "AddBackward"
        }) {
      assertTrue(r.dot().contains("label=\"" + op + "\""), op + " in\n" + r.dot());
    }
    assertTrue(r.dot().contains("label=\"x\\n[5] float64\\nrequiresGrad\""), r.dot());
    assertEquals(r.dot(), Files.readString(r.dotFile()));
    if (GraphExport.isGraphvizAvailable()) {
      assertNotNull(r.svgFile());
      assertTrue(Files.readString(r.svgFile()).contains("<svg"));
      byte[] png = Files.readAllBytes(dir.resolve("exercise5-graph.png"));
      assertArrayEquals(PNG_MAGIC, Arrays.copyOf(png, 8));
    } else {
      assertNull(r.svgFile());
      assertTrue(printed().contains("apt-get install graphviz"));
    }
  }

  @Test
  void runAllPrintsEveryExerciseAndWritesItsFiles(@TempDir Path dir) {
    Exercises.runAll(out, dir);
    String text = printed();
    for (int i = 1; i <= 8; i++) {
      assertTrue(text.contains("== Exercise " + i), "exercise " + i + " in\n" + text);
    }
    assertTrue(Files.exists(dir.resolve("exercise4-sin.png")));
    assertTrue(Files.exists(dir.resolve("exercise5-graph.dot")));
  }
}
