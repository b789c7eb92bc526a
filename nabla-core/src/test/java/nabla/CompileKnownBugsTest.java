package nabla;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Bugs of {@link Autograd#compile} found by {@link CompileSpecTableTest}, each as the smallest
 * program that showed it (traced on one input, called on another, compared with eager), kept as
 * regression tests. All are fixed.
 *
 * <p>Root cause of all but the last two (fixed by resolving such aliases when the step is recorded,
 * and counting them as dependent): {@code Trace.add} decided whether a step depends on the
 * arguments from its inputs' value numbers only; an input that is a {@code detach()} of a traced
 * value has no number (its storage is a traced value's, so {@code CompiledPlan.ref} later finds the
 * alias), so the step counted as constant and was folded to its trace-time value. The checkpoint (a
 * result with a graph made outside the primitives) now runs uncompiled.
 */
@org.junit.jupiter.api.extension.ExtendWith(FuseSmallTensors.class)
class CompileKnownBugsTest {

  static Tensor d(double... v) {
    return Tensor.ofDoubles(v, v.length);
  }

  @Test
  void logsumexpOfLargeValuesAfterTracingOnSmallOnes() {
    var f = Autograd.compile(x -> x.logsumexp(0, false));
    f.apply(d(0, 0));
    Tensor big = d(1000, 1000);
    // eager: 1000 + log 2; compiled: exp(1000 - 0) overflows to inf
    assertEquals(big.logsumexp(0, false).item(), f.apply(big).item(), 1e-9);
  }

  @Test
  void gradientOfMaxAfterTracingOnOtherValues() {
    var f = Autograd.compile(Autograd.valueAndGrad(x -> x.max()));
    f.apply(d(1, 5, 2));
    // eager: [1, 0, 0]; compiled: [NaN, NaN, NaN] (no element equals the traced max 5: 0/0)
    assertEquals(
        java.util.List.of(1.0, 0.0, 0.0),
        java.util.Arrays.stream(f.apply(d(7, 1, 2)).grad().toDoubleArray()).boxed().toList());
  }

  @Test
  void lerpChoosesItsFormFromTheTracedWeight() {
    var f = Autograd.compileMulti((Tensor[] a) -> a[0].lerp(a[1], a[2]));
    Tensor start = d(1e17);
    Tensor end = d(0.1);
    f.apply(new Tensor[] {start, end, d(0)});
    // eager at w = 1 uses end - (end - start)·0 = 0.1; compiled keeps start + w·(end - start) = 0
    Tensor w = d(1);
    assertEquals(start.lerp(end, w).item(), f.apply(new Tensor[] {start, end, w}).item());
  }

  @Test
  void nanToNumReplacementsComeFromTheTracedSigns() {
    var f = Autograd.compile(x -> x.nanToNum(1, 2, 3));
    f.apply(d(1, -1));
    Tensor inf = d(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    // eager: [3, 2]; compiled: [-inf, inf], nothing replaced (isfinite folded too)
    assertEquals(
        java.util.Arrays.toString(inf.nanToNum(1, 2, 3).toDoubleArray()),
        java.util.Arrays.toString(f.apply(inf).toDoubleArray()));
  }

  @Test
  void isnanIsinfIsfiniteOfAnArgument() {
    var nan = Autograd.compile(x -> x.isnan());
    var inf = Autograd.compile(x -> x.isinf());
    var finite = Autograd.compile(x -> x.isfinite());
    Tensor traced = d(1, 2, 3);
    nan.apply(traced);
    inf.apply(traced);
    finite.apply(traced);
    Tensor x = d(Double.NaN, Double.POSITIVE_INFINITY, 3);
    // eager: [true, false, false] and so on; compiled: the traced [false, false, false]
    assertEquals(x.isnan().toString(), nan.apply(x).toString());
    assertEquals(x.isinf().toString(), inf.apply(x).toString());
    assertEquals(x.isfinite().toString(), finite.apply(x).toString());
  }

  /**
   * Checkpoint builds its result as {@code y.detach()} with a hand-made node, outside {@code
   * Engine.apply}: the trace sees a detached alias of the segment's output, so a step reading it is
   * folded (above) and a replay returns it detached.
   */
  @Test
  void valueOfACompiledGradientThroughCheckpoint() {
    Autograd.MultiFunction loss = x -> Autograd.checkpoint(t -> t.tanh().mul(t.sin()), x[0]).sum();
    var vg = Autograd.valueAndGrad(loss, 0);
    var f = Autograd.compileMulti(vg);
    f.apply(new Tensor[] {d(0.1, 0.2, 0.3, 0.4)});
    Tensor[] b = {d(1.1, 1.2, 1.3, 1.4)};
    // eager: 3.1932...; compiled: 0.2832..., the traced call's value (the gradient is right)
    assertEquals(vg.apply(b).value().item(), f.apply(b).value().item(), 1e-12);
  }

  @Test
  void replayedCheckpointCarriesAGraph() {
    var f = Autograd.compile(x -> Autograd.checkpoint(t -> t.tanh().mul(t.sin()), x));
    Tensor a = d(0.1, 0.2).requiresGrad(true);
    Tensor b = d(1.1, 1.2).requiresGrad(true);
    assertTrue(f.apply(a).requiresGrad(), "the traced call is eager's");
    Tensor y = f.apply(b);
    assertTrue(y.requiresGrad(), "eager's result requires grad; the replayed one does not");
    Tensor g = Autograd.grad(y.sum(), b)[0];
    Tensor e = Autograd.grad(b.tanh().mul(b.sin()).sum(), b)[0];
    CompileSpecTableTest.same("checkpoint gradient", e, g, 1e-12);
  }
}
