package nabla.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API sum kernels, and which elementwise ops have a vector path in {@link
 * VectorKernelsDouble} and {@link VectorKernelsFloat}. Only loaded after {@link Simd#enabled()}
 * returned true (the class links against {@code jdk.incubator.vector}). Every method handles its
 * own tail with scalar code, so any length is fine. The two sums are written separately on purpose:
 * float32 accumulates in float lanes per block and in double across blocks.
 */
final class VectorKernels {
  private VectorKernels() {}

  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

  /** Whether {@code VectorKernelsDouble.unary} and its float32 twin have a vector path for op. */
  static boolean hasUnary(UnaryOp op) {
    return switch (op) {
      case NEG, EXP, LOG, SIN, COS, TANH, SQRT, ABS, RELU, SIGMOID -> true;
      default -> false;
    };
  }

  /** Whether {@code VectorKernelsDouble.binary} and its float32 twin have a vector path for op. */
  static boolean hasBinary(BinaryOp op) {
    return switch (op) {
      case ADD, SUB, MUL, DIV, MAX, MIN -> true;
      default -> false;
    };
  }

  /**
   * Sum of a[off .. off+n), accumulated in float lanes per block of 4096 and in double across
   * blocks. Two independent accumulators hide the latency of the vector add. Lanes are added in a
   * fixed order (not {@code reduceLanes}, whose order differs between the intrinsic and the
   * interpreter's fallback, so a sum could change in its last bit once the JIT compiled it).
   */
  static double sumF(float[] a, int off, int n) {
    int step = F.length();
    float[] lanes = new float[step];
    double total = 0;
    int block = 1 << 12;
    for (int start = 0; start < n; start += block) {
      int len = Math.min(block, n - start);
      int upper = F.loopBound(len);
      int upper2 = len - len % (2 * step);
      FloatVector acc0 = FloatVector.zero(F);
      FloatVector acc1 = FloatVector.zero(F);
      int base = off + start;
      int j = 0;
      for (; j < upper2; j += 2 * step) {
        acc0 = acc0.add(FloatVector.fromArray(F, a, base + j));
        acc1 = acc1.add(FloatVector.fromArray(F, a, base + j + step));
      }
      for (; j < upper; j += step) {
        acc0 = acc0.add(FloatVector.fromArray(F, a, base + j));
      }
      acc0.add(acc1).intoArray(lanes, 0);
      double s = 0;
      for (float v : lanes) {
        s += v;
      }
      for (; j < len; j++) {
        s += a[base + j];
      }
      total += s;
    }
    return total;
  }

  /** Sum of a[off .. off+n); lanes added in a fixed order, as in {@link #sumF}. */
  static double sumD(double[] a, int off, int n) {
    int step = D.length();
    int upper = D.loopBound(n);
    DoubleVector acc = DoubleVector.zero(D);
    int j = 0;
    for (; j < upper; j += step) {
      acc = acc.add(DoubleVector.fromArray(D, a, off + j));
    }
    double[] lanes = new double[step];
    acc.intoArray(lanes, 0);
    double s = 0;
    for (double v : lanes) {
      s += v;
    }
    for (; j < n; j++) {
      s += a[off + j];
    }
    return s;
  }
}
