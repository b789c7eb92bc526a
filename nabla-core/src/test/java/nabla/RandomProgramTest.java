package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import nabla.ProgramStep.Op;
import nabla.RandomProgram.Layout;
import nabla.RandomProgram.Leaf;
import org.junit.jupiter.api.Test;

/** The generator, layouts, printing and shrinking behind {@link RandomCompositionProperties}. */
class RandomProgramTest {

  @Test
  void generationIsReproducibleAndGivesValidProgramsOfThreeToEightSteps() {
    for (long seed = 0; seed < 200; seed++) {
      RandomProgram p = RandomProgram.generate(seed);
      assertEquals(p.toString(), RandomProgram.generate(seed).toString(), "seed " + seed);
      assertTrue(p.valid(), p::toString);
      assertTrue(p.steps().size() >= 3 && p.steps().size() <= 8, p::toString);
      assertTrue(p.x().numel() <= 24 && p.y().numel() <= 24, p::toString);
    }
  }

  @Test
  void leavesHaveTheirLayoutAndTheirLogicalValues() {
    double[] v = {1, 2, 3, 4, 5, 6};
    int[] shape = {2, 3};
    for (Layout layout : Layout.values()) {
      // expanded along dimension 0: both rows equal
      double[] values = layout == Layout.EXPANDED ? new double[] {1, 2, 3, 1, 2, 3} : v;
      for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
        Tensor t = new Leaf(shape, layout, 0, values).tensor(dtype);
        assertArrayEquals(shape, t.shape());
        assertEquals(dtype, t.dtype());
        assertArrayEquals(values, t.toDoubleArray(), layout + " " + dtype);
        assertEquals(layout == Layout.CONTIGUOUS, t.isContiguous(), layout + " " + dtype);
        assertTrue(t.isLeaf());
      }
    }
    Tensor strided = new Leaf(shape, Layout.STRIDED, 1, v).tensor(DType.FLOAT64);
    double[] storage = strided.storage().d;
    assertEquals(
        Arrays.stream(storage).filter(Double::isNaN).count(),
        storage.length - v.length,
        "the gaps of a strided leaf hold NaN");
    Tensor scalar = new Leaf(new int[0], Layout.STRIDED, 0, new double[] {5}).tensor(DType.FLOAT32);
    assertEquals(0, scalar.dim());
    assertEquals(5, scalar.item());
    assertEquals(1, scalar.offset(), "a 0-d view inside a larger storage");
    Leaf expanded = new Leaf(shape, Layout.EXPANDED, 1, new double[] {1, 1, 1, 4, 4, 4});
    assertEquals(0, expanded.tensor(DType.FLOAT64).strides()[1]);
  }

  /**
   * Program 13 of the default seed, pasted as printed: the way to write a regression test. It also
   * pins the generator, so that a program index in an old CI log still names the same program; if
   * the generator changes on purpose, paste the new print here.
   */
  static final RandomProgram PRINTED =
      new RandomProgram(
          new Leaf(
              new int[] {1, 4},
              Layout.EXPANDED,
              1,
              new double[] {
                1.3379676342010498, 1.3379676342010498, 1.3379676342010498, 1.3379676342010498
              }),
          new Leaf(
              new int[] {3, 2},
              Layout.CONTIGUOUS,
              0,
              new double[] {
                -0.34762027859687805,
                -0.6531491875648499,
                -0.4395447075366974,
                -1.473085641860962,
                0.6583881974220276,
                -0.35963165760040283
              }),
          List.of(
              new ProgramStep(Op.LINALG_SOLVE_Y, 5, 0),
              new ProgramStep(Op.UNSQUEEZE, 1, 3),
              new ProgramStep(Op.SUM_ALL, 2, 7),
              new ProgramStep(Op.MSE_Y, 7, 0),
              new ProgramStep(Op.CAT_SELF, 2, 0)));

  @Test
  void aPrintedProgramIsJavaSourceForTheSameProgram() {
    RandomProgram generated =
        RandomProgram.generate(
            RandomCompositionProperties.programSeed(RandomCompositionProperties.DEFAULT_SEED, 13));
    assertEquals(generated.toString(), PRINTED.toString());
    assertNull(RandomCompositionProperties.failure(PRINTED, true));
  }

  @Test
  void shrinkingKeepsTheFailureAndDropsEverythingElse() {
    RandomProgram p = RandomProgram.generate(RandomCompositionProperties.programSeed(1, 3));
    Op first = p.steps().get(0).op();
    RandomProgram small = p.shrink(c -> c.steps().stream().anyMatch(s -> s.op() == first));
    assertEquals(1, small.steps().size(), small::toString);
    assertEquals(first, small.steps().get(0).op());
    assertEquals(Layout.CONTIGUOUS, small.x().layout());
    assertTrue(small.valid());
  }
}
