import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Minimal repro, without Nabla, of why two trainings with the same seed differ in their last bits
 * (issue #10): two Vector API operations give different bits before and after C2 compiles them.
 *
 * <ul>
 *   <li>{@code lanewise(EXP)}: the Java fallback (interpreter, C1) computes each lane with {@code
 *       Math.exp}; C2 calls a vector stub (SVML-based on x86) that differs by 1 ulp on ~1% of
 *       inputs.
 *   <li>{@code reduceLanes(ADD)}: the fallback adds the lanes in order, C2 in a tree; the order of
 *       float additions is unspecified, so the sum changes.
 * </ul>
 *
 * <p>Nabla uses both: {@code VectorKernelsFloat.unary} (EXP, also in softmax/logSoftmax) and
 * {@code VectorGemmFloat.smallN} (its {@code store4} and {@code dot} end with reduceLanes(ADD)), the
 * GEMM path of the MLP's [256,256] x [256,10] output layer. When a JVM compiles them differs from
 * run to run, so results drift apart after the first few hundred steps.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector tools/bench/VectorApiDeterminism.java
 * </pre>
 */
public class VectorApiDeterminism {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

  static float[] exp(float[] x) {
    float[] o = new float[x.length];
    for (int i = 0; i < x.length; i += S.length()) {
      FloatVector.fromArray(S, x, i).lanewise(VectorOperators.EXP).intoArray(o, i);
    }
    return o;
  }

  static float sum(float[] x) {
    float s = 0;
    for (int i = 0; i < x.length; i += S.length()) {
      s += FloatVector.fromArray(S, x, i).reduceLanes(VectorOperators.ADD);
    }
    return s;
  }

  public static void main(String[] args) {
    java.util.Random r = new java.util.Random(1);
    float[] x = new float[4096];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (r.nextGaussian() * 3);
    }
    float[] cold = exp(x);
    float coldSum = sum(x);
    for (int i = 0; i < 20_000; i++) { // let C2 compile both
      exp(x);
      sum(x);
    }
    float[] hot = exp(x);
    float hotSum = sum(x);
    int coldVsMath = 0, hotVsMath = 0, coldVsHot = 0;
    for (int i = 0; i < x.length; i++) {
      int m = Float.floatToIntBits((float) Math.exp(x[i]));
      coldVsMath += Float.floatToIntBits(cold[i]) != m ? 1 : 0;
      hotVsMath += Float.floatToIntBits(hot[i]) != m ? 1 : 0;
      coldVsHot += Float.floatToIntBits(cold[i]) != Float.floatToIntBits(hot[i]) ? 1 : 0;
    }
    System.out.printf(
        "%s: EXP differs from Math.exp in %d (cold) and %d (compiled) of %d lanes;"
            + " cold vs compiled: %d lanes differ%n",
        S, coldVsMath, hotVsMath, x.length, coldVsHot);
    System.out.printf(
        "reduceLanes(ADD) sum: cold %s, compiled %s (%s)%n",
        coldSum, hotSum, coldSum == hotSum ? "same bits" : "DIFFERENT bits");
  }
}
