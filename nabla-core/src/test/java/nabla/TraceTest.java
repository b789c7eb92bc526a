package nabla;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link Trace}: what it records, what it leaves out, and what makes it unusable. */
class TraceTest {
  final Tensor x = Tensor.ofDoubles(new double[] {0.5, -1, 2}, 3);
  final Tensor w = Tensor.ofDoubles(new double[] {1, 2, 3}, 3);

  @Test
  void recordsEachPrimitiveWithWhereItsInputsComeFrom() {
    Trace t =
        Trace.run(
            new Tensor[] {x}, new boolean[] {true}, () -> new Tensor[] {x.mul(w).exp().sum()});
    assertNull(t.unusable());
    assertEquals(
        "v0 : [3] float64 (argument)\n"
            + "v1 = Mul(v0, const[3]) : [3] float64\n"
            + "v2 = Exp(v1) : [3] float64\n"
            + "v3 = Sum(v2) : [] float64\n"
            + "out v3\n",
        t.toString());
  }

  @Test
  void aCustomFunctionIsOneStepAndOuterTangentsAreNotRecorded() {
    CustomFunction cube =
        CustomFunction.of(
            "Cube",
            in -> in[0].mul(in[0]).mul(in[0]),
            (g, out, in) -> new Tensor[] {g.mul(in[0].mul(in[0]).mul(3))},
            (tg, out, in) -> tg[0].mul(in[0].mul(in[0]).mul(3)));
    Trace[] inner = new Trace[1];
    // the jvp's level is open before the trace starts: its tangent rules are not steps
    Autograd.jvp(
        v -> {
          inner[0] =
              Trace.run(
                  new Tensor[] {v}, new boolean[] {true}, () -> new Tensor[] {cube.apply(v).sin()});
          return inner[0].outputs()[0];
        },
        x,
        w);
    assertEquals(2, inner[0].steps().size(), inner[0].toString());
    assertEquals("Cube", inner[0].steps().get(0).primitive().gradFnName().replace("Backward", ""));
  }

  @Test
  void valueReadsRandomDrawsAndInPlaceWritesMakeItUnusable() {
    Trace read =
        Trace.run(
            new Tensor[] {x}, new boolean[] {true}, () -> new Tensor[] {x.mul(x.sum().item())});
    assertTrue(read.unusable().contains("item()"), read.unusable());
    Trace harmless =
        Trace.run(
            new Tensor[] {x}, new boolean[] {true}, () -> new Tensor[] {x.mul(w.sum().item())});
    assertNull(harmless.unusable(), "reading a constant's value is fine");
    Trace random =
        Trace.run(
            new Tensor[] {x}, new boolean[] {true}, () -> new Tensor[] {x.add(Tensor.rand(3))});
    assertTrue(random.unusable().contains("random"), random.unusable());
    Trace written =
        Trace.run(
            new Tensor[] {x}, new boolean[] {true}, () -> new Tensor[] {x.mul(2).addInPlace(w)});
    assertTrue(written.unusable().contains("in place"), written.unusable());
  }
}
