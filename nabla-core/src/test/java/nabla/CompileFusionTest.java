package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * That {@link Autograd#compile} actually fuses where it should, and that its printouts name the
 * primitives; the values of later (fused) calls against eager.
 */
@org.junit.jupiter.api.extension.ExtendWith(FuseSmallTensors.class)
class CompileFusionTest {

  static final Tensor X = Tensor.ofDoubles(new double[] {0.1, -0.4, 0.3, 0.8, -1.1, 0.5}, 2, 3);
  static final Tensor Y = Tensor.ofDoubles(new double[] {0.7, 0.2, -0.6, 0.05, 0.9, -0.3}, 2, 3);
  static final Tensor X2 = Tensor.ofDoubles(new double[] {1.2, 0.4, -0.3, 0.2, 0.6, -0.5}, 2, 3);
  static final Tensor Y2 = Tensor.ofDoubles(new double[] {-0.2, 0.3, 0.6, 1.05, -0.9, 0.1}, 2, 3);

  static Tensor chain(Tensor[] a) {
    return a[0].mul(a[1]).add(a[0]).exp().sum();
  }

  @Test
  void anElementwiseChainWithItsSumIsOneFusedPass() {
    Compiled<Tensor[], Tensor> f = Autograd.compileMulti(CompileFusionTest::chain);
    assertTrue(f.plan().contains("not traced yet"), f.plan());
    assertEquals(0, f.fusedPasses());
    f.apply(new Tensor[] {X, Y});
    Tensor later = f.apply(new Tensor[] {X2, Y2});
    assertEquals(1, f.fusedPasses(), f.plan());
    String plan = f.plan();
    for (String p : new String[] {"Mul(", "Add(", "Exp(", "Sum(", "fused pass over [2, 3]"}) {
      assertTrue(plan.contains(p), p + " missing from\n" + plan);
    }
    assertTrue(plan.contains("(sum in the pass)"), plan);
    assertTrue(plan.contains("(in cache only)"), "nothing but the sum is stored:\n" + plan);
    String program = f.program();
    for (String p : new String[] {"Mul(v0, v1)", "Add(", "Exp(", "Sum(", "(argument)"}) {
      assertTrue(program.contains(p), p + " missing from\n" + program);
    }
    Tensor eager = chain(new Tensor[] {X2, Y2});
    assertArrayEquals(eager.shape(), later.shape());
    assertEquals(eager.item(), later.item(), 1e-12 * Math.abs(eager.item()));
    assertEquals(1, f.traceCount());
  }

  @Test
  void theValueAndGradientOfTheChainFuse() {
    Function<Tensor[], Autograd.ValueAndGrads> vg =
        Autograd.valueAndGrad(CompileFusionTest::chain, 0, 1);
    Compiled<Tensor[], Autograd.ValueAndGrads> f = Autograd.compileMulti(vg);
    f.apply(new Tensor[] {X, Y});
    Autograd.ValueAndGrads later = f.apply(new Tensor[] {X2, Y2});
    assertTrue(f.fusedPasses() >= 1, f.plan());
    String plan = f.plan();
    for (String p : new String[] {"Mul(", "Add(", "Exp(", "Sum(", "fused pass"}) {
      assertTrue(plan.contains(p), p + " missing from\n" + plan);
    }
    Autograd.ValueAndGrads eager = vg.apply(new Tensor[] {X2, Y2});
    CompileSpecTableTest.same("value", eager.value(), later.value(), 1e-12);
    CompileSpecTableTest.same("d/dx", eager.grads()[0], later.grads()[0], 1e-12);
    CompileSpecTableTest.same("d/dy", eager.grads()[1], later.grads()[1], 1e-12);
    // and by hand: d/dx = exp(xy + x)·(y + 1), d/dy = exp(xy + x)·x
    double[] x = X2.toDoubleArray();
    double[] y = Y2.toDoubleArray();
    double[] gx = later.grads()[0].toDoubleArray();
    double[] gy = later.grads()[1].toDoubleArray();
    for (int i = 0; i < x.length; i++) {
      double e = Math.exp(x[i] * y[i] + x[i]);
      assertEquals(e * (y[i] + 1), gx[i], 1e-12 * e);
      assertEquals(e * x[i], gy[i], 1e-12 * e);
    }
  }

  @Test
  void aSingleArgumentChainFusesAndIsBitIdenticalToEager() {
    Function<Tensor, Tensor> g = x -> x.mul(x).add(x).tanh().sub(x.sin());
    Compiled<Tensor, Tensor> f = Autograd.compile(g);
    f.apply(X);
    Tensor later = f.apply(X2);
    assertEquals(1, f.fusedPasses(), f.plan());
    assertTrue(f.plan().contains("Tanh(") && f.plan().contains("Sin("), f.plan());
    CompileSpecTableTest.same("elementwise chain", g.apply(X2), later, 0);
  }

  @Test
  void aFloat32ChainFusesAndIsBitIdenticalToEager() {
    Function<Tensor, Tensor> g = x -> x.mul(x).add(x).exp().neg();
    Compiled<Tensor, Tensor> f = Autograd.compile(g);
    f.apply(X.to(DType.FLOAT32));
    Tensor later = f.apply(X2.to(DType.FLOAT32));
    assertEquals(1, f.fusedPasses(), f.plan());
    assertTrue(f.plan().contains("float32"), f.plan());
    CompileSpecTableTest.same("float32 chain", g.apply(X2.to(DType.FLOAT32)), later, 0);
  }
}
