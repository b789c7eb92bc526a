package nabla.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API versions of the flat elementwise and sum kernels. Only loaded after {@link
 * Simd#enabled()} returned true (the class links against {@code jdk.incubator.vector}). Every
 * method handles its own tail with scalar code, so any length is fine.
 */
final class VectorKernels {
  private VectorKernels() {}

  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

  /** Whether {@link #unaryF}/{@link #unaryD} have a vector path for this op. */
  static boolean hasUnary(UnaryOp op) {
    return op != UnaryOp.SIGN;
  }

  /** Whether {@link #binaryF}/{@link #binaryD} have a vector path for this op. */
  static boolean hasBinary(BinaryOp op) {
    return switch (op) {
      case ADD, SUB, MUL, DIV, MAX, MIN -> true;
      default -> false;
    };
  }

  /** o[oi+j] = op(a[ai+j*as], b[bi+j*bs]) for j < n, with as, bs 1 or 0 (a broadcast scalar). */
  static void binaryF(
      BinaryOp op, float[] a, int ai, int as, float[] b, int bi, int bs, float[] o, int oi, int n) {
    int step = F.length();
    int upper = F.loopBound(n);
    int j = 0;
    // One loop per operand kind: a vector chosen between a broadcast and a load at each step
    // (a phi) defeats box elimination and allocated a vector object per step.
    if (as == 1 && bs == 1) {
      for (; j < upper; j += step) {
        opF(op, FloatVector.fromArray(F, a, ai + j), FloatVector.fromArray(F, b, bi + j))
            .intoArray(o, oi + j);
      }
    } else if (as == 1) {
      FloatVector y = FloatVector.broadcast(F, b[bi]);
      for (; j < upper; j += step) {
        opF(op, FloatVector.fromArray(F, a, ai + j), y).intoArray(o, oi + j);
      }
    } else if (bs == 1) {
      FloatVector x = FloatVector.broadcast(F, a[ai]);
      for (; j < upper; j += step) {
        opF(op, x, FloatVector.fromArray(F, b, bi + j)).intoArray(o, oi + j);
      }
    }
    for (; j < n; j++) {
      float x = a[ai + j * as];
      float y = b[bi + j * bs];
      o[oi + j] =
          switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case MAX -> Math.max(x, y);
            case MIN -> Math.min(x, y);
            default -> throw new AssertionError(op);
          };
    }
  }

  private static FloatVector opF(BinaryOp op, FloatVector x, FloatVector y) {
    return switch (op) {
      case ADD -> x.add(y);
      case SUB -> x.sub(y);
      case MUL -> x.mul(y);
      case DIV -> x.div(y);
      case MAX -> x.lanewise(VectorOperators.MAX, y);
      case MIN -> x.lanewise(VectorOperators.MIN, y);
      default -> throw new AssertionError(op);
    };
  }

  /** The float64 twin of {@link #binaryF}. */
  static void binaryD(
      BinaryOp op,
      double[] a,
      int ai,
      int as,
      double[] b,
      int bi,
      int bs,
      double[] o,
      int oi,
      int n) {
    int step = D.length();
    int upper = D.loopBound(n);
    int j = 0;
    // One loop per operand kind: a vector chosen between a broadcast and a load at each step
    // (a phi) defeats box elimination and allocated a vector object per step.
    if (as == 1 && bs == 1) {
      for (; j < upper; j += step) {
        opD(op, DoubleVector.fromArray(D, a, ai + j), DoubleVector.fromArray(D, b, bi + j))
            .intoArray(o, oi + j);
      }
    } else if (as == 1) {
      DoubleVector y = DoubleVector.broadcast(D, b[bi]);
      for (; j < upper; j += step) {
        opD(op, DoubleVector.fromArray(D, a, ai + j), y).intoArray(o, oi + j);
      }
    } else if (bs == 1) {
      DoubleVector x = DoubleVector.broadcast(D, a[ai]);
      for (; j < upper; j += step) {
        opD(op, x, DoubleVector.fromArray(D, b, bi + j)).intoArray(o, oi + j);
      }
    }
    for (; j < n; j++) {
      double x = a[ai + j * as];
      double y = b[bi + j * bs];
      o[oi + j] =
          switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case MAX -> Math.max(x, y);
            case MIN -> Math.min(x, y);
            default -> throw new AssertionError(op);
          };
    }
  }

  private static DoubleVector opD(BinaryOp op, DoubleVector x, DoubleVector y) {
    return switch (op) {
      case ADD -> x.add(y);
      case SUB -> x.sub(y);
      case MUL -> x.mul(y);
      case DIV -> x.div(y);
      case MAX -> x.lanewise(VectorOperators.MAX, y);
      case MIN -> x.lanewise(VectorOperators.MIN, y);
      default -> throw new AssertionError(op);
    };
  }

  /** o[oi+j] = op(a[ai+j]) for j < n. */
  static void unaryF(UnaryOp op, float[] a, int ai, float[] o, int oi, int n) {
    int step = F.length();
    int upper = F.loopBound(n);
    int j = 0;
    for (; j < upper; j += step) {
      FloatVector x = FloatVector.fromArray(F, a, ai + j);
      FloatVector r =
          switch (op) {
            case NEG -> x.neg();
            case ABS -> x.abs();
            case SQRT -> x.sqrt();
            case EXP -> x.lanewise(VectorOperators.EXP);
            case LOG -> x.lanewise(VectorOperators.LOG);
            case SIN -> x.lanewise(VectorOperators.SIN);
            case COS -> x.lanewise(VectorOperators.COS);
            case TANH -> x.lanewise(VectorOperators.TANH);
            // max(x, 0) keeps NaN, like the scalar kernel
            case RELU -> x.lanewise(VectorOperators.MAX, 0f);
            case SIGMOID -> {
              // e = exp(-|x|) never overflows; sigmoid = 1/(1+e) for x >= 0, e/(1+e) otherwise
              FloatVector e = x.abs().neg().lanewise(VectorOperators.EXP);
              FloatVector inv = FloatVector.broadcast(F, 1f).div(e.add(1f));
              VectorMask<Float> neg = x.compare(VectorOperators.LT, 0f);
              yield inv.blend(e.mul(inv), neg);
            }
            default -> throw new AssertionError(op);
          };
      r.intoArray(o, oi + j);
    }
    if (j < n) {
      Unary.rowScalarF(op, a, ai + j, o, oi + j, n - j);
    }
  }

  /** The float64 twin of {@link #unaryF}. */
  static void unaryD(UnaryOp op, double[] a, int ai, double[] o, int oi, int n) {
    int step = D.length();
    int upper = D.loopBound(n);
    int j = 0;
    for (; j < upper; j += step) {
      DoubleVector x = DoubleVector.fromArray(D, a, ai + j);
      DoubleVector r =
          switch (op) {
            case NEG -> x.neg();
            case ABS -> x.abs();
            case SQRT -> x.sqrt();
            case EXP -> x.lanewise(VectorOperators.EXP);
            case LOG -> x.lanewise(VectorOperators.LOG);
            case SIN -> x.lanewise(VectorOperators.SIN);
            case COS -> x.lanewise(VectorOperators.COS);
            case TANH -> x.lanewise(VectorOperators.TANH);
            case RELU -> x.lanewise(VectorOperators.MAX, 0d);
            case SIGMOID -> {
              DoubleVector e = x.abs().neg().lanewise(VectorOperators.EXP);
              DoubleVector inv = DoubleVector.broadcast(D, 1d).div(e.add(1d));
              VectorMask<Double> neg = x.compare(VectorOperators.LT, 0d);
              yield inv.blend(e.mul(inv), neg);
            }
            default -> throw new AssertionError(op);
          };
      r.intoArray(o, oi + j);
    }
    if (j < n) {
      Unary.rowScalarD(op, a, ai + j, o, oi + j, n - j);
    }
  }

  /** o[oi+j] = a[ai+j*as] op b[bi+j*bs] for a comparison op; as, bs 1 or 0. */
  static void compareF(
      BinaryOp op,
      float[] a,
      int ai,
      int as,
      float[] b,
      int bi,
      int bs,
      boolean[] o,
      int oi,
      int n) {
    int step = F.length();
    int upper = F.loopBound(n);
    int j = 0;
    if (as == 1 && bs == 1) {
      for (; j < upper; j += step) {
        cmpF(op, FloatVector.fromArray(F, a, ai + j), FloatVector.fromArray(F, b, bi + j))
            .intoArray(o, oi + j);
      }
    } else if (as == 1) {
      FloatVector y = FloatVector.broadcast(F, b[bi]);
      for (; j < upper; j += step) {
        cmpF(op, FloatVector.fromArray(F, a, ai + j), y).intoArray(o, oi + j);
      }
    } else if (bs == 1) {
      FloatVector x = FloatVector.broadcast(F, a[ai]);
      for (; j < upper; j += step) {
        cmpF(op, x, FloatVector.fromArray(F, b, bi + j)).intoArray(o, oi + j);
      }
    }
    if (j < n) {
      Binary.compareTail(op, a, ai + j * as, as, b, bi + j * bs, bs, o, oi + j, n - j);
    }
  }

  /** Constant operators in each branch: a non-constant one is not intrinsified (20x slower). */
  private static VectorMask<Float> cmpF(BinaryOp op, FloatVector x, FloatVector y) {
    return switch (op) {
      case EQ -> x.compare(VectorOperators.EQ, y);
      case NE -> x.compare(VectorOperators.NE, y);
      case LT -> x.compare(VectorOperators.LT, y);
      case LE -> x.compare(VectorOperators.LE, y);
      case GT -> x.compare(VectorOperators.GT, y);
      case GE -> x.compare(VectorOperators.GE, y);
      default -> throw new AssertionError(op);
    };
  }

  /** The float64 twin of {@link #compareF}. */
  static void compareD(
      BinaryOp op,
      double[] a,
      int ai,
      int as,
      double[] b,
      int bi,
      int bs,
      boolean[] o,
      int oi,
      int n) {
    int step = D.length();
    int upper = D.loopBound(n);
    int j = 0;
    if (as == 1 && bs == 1) {
      for (; j < upper; j += step) {
        cmpD(op, DoubleVector.fromArray(D, a, ai + j), DoubleVector.fromArray(D, b, bi + j))
            .intoArray(o, oi + j);
      }
    } else if (as == 1) {
      DoubleVector y = DoubleVector.broadcast(D, b[bi]);
      for (; j < upper; j += step) {
        cmpD(op, DoubleVector.fromArray(D, a, ai + j), y).intoArray(o, oi + j);
      }
    } else if (bs == 1) {
      DoubleVector x = DoubleVector.broadcast(D, a[ai]);
      for (; j < upper; j += step) {
        cmpD(op, x, DoubleVector.fromArray(D, b, bi + j)).intoArray(o, oi + j);
      }
    }
    if (j < n) {
      Binary.compareTail(op, a, ai + j * as, as, b, bi + j * bs, bs, o, oi + j, n - j);
    }
  }

  /** Constant operators in each branch: a non-constant one is not intrinsified (20x slower). */
  private static VectorMask<Double> cmpD(BinaryOp op, DoubleVector x, DoubleVector y) {
    return switch (op) {
      case EQ -> x.compare(VectorOperators.EQ, y);
      case NE -> x.compare(VectorOperators.NE, y);
      case LT -> x.compare(VectorOperators.LT, y);
      case LE -> x.compare(VectorOperators.LE, y);
      case GT -> x.compare(VectorOperators.GT, y);
      case GE -> x.compare(VectorOperators.GE, y);
      default -> throw new AssertionError(op);
    };
  }

  /**
   * o[oi+j] = c[ci+j*cs] ? a[ai+j*as] : b[bi+j*bs]; every stride 1 or 0. A broadcast condition (cs
   * = 0) selects one operand for the whole range: a copy or a fill.
   */
  static void whereF(
      boolean[] c,
      int ci,
      int cs,
      float[] a,
      int ai,
      int as,
      float[] b,
      int bi,
      int bs,
      float[] o,
      int oi,
      int n) {
    if (cs == 0) {
      boolean pickA = c[ci];
      float[] src = pickA ? a : b;
      int si = pickA ? ai : bi;
      if ((pickA ? as : bs) == 1) {
        System.arraycopy(src, si, o, oi, n);
      } else {
        java.util.Arrays.fill(o, oi, oi + n, src[si]);
      }
      return;
    }
    int step = F.length();
    int upper = F.loopBound(n);
    int j = 0;
    {
      // Separate loops per operand kind, as in binaryF: no vector phis inside a loop.
      if (as == 1 && bs == 1) {
        for (; j < upper; j += step) {
          FloatVector x = FloatVector.fromArray(F, a, ai + j);
          FloatVector.fromArray(F, b, bi + j)
              .blend(x, VectorMask.fromArray(F, c, ci + j))
              .intoArray(o, oi + j);
        }
      } else if (as == 1) {
        FloatVector y = FloatVector.broadcast(F, b[bi]);
        for (; j < upper; j += step) {
          y.blend(FloatVector.fromArray(F, a, ai + j), VectorMask.fromArray(F, c, ci + j))
              .intoArray(o, oi + j);
        }
      } else if (bs == 1) {
        FloatVector x = FloatVector.broadcast(F, a[ai]);
        for (; j < upper; j += step) {
          FloatVector.fromArray(F, b, bi + j)
              .blend(x, VectorMask.fromArray(F, c, ci + j))
              .intoArray(o, oi + j);
        }
      }
    }
    for (; j < n; j++) {
      o[oi + j] = c[ci + j * cs] ? a[ai + j * as] : b[bi + j * bs];
    }
  }

  /** The float64 twin of {@link #whereF}. */
  static void whereD(
      boolean[] c,
      int ci,
      int cs,
      double[] a,
      int ai,
      int as,
      double[] b,
      int bi,
      int bs,
      double[] o,
      int oi,
      int n) {
    if (cs == 0) {
      boolean pickA = c[ci];
      double[] src = pickA ? a : b;
      int si = pickA ? ai : bi;
      if ((pickA ? as : bs) == 1) {
        System.arraycopy(src, si, o, oi, n);
      } else {
        java.util.Arrays.fill(o, oi, oi + n, src[si]);
      }
      return;
    }
    int step = D.length();
    int upper = D.loopBound(n);
    int j = 0;
    {
      // Separate loops per operand kind, as in binaryD: no vector phis inside a loop.
      if (as == 1 && bs == 1) {
        for (; j < upper; j += step) {
          DoubleVector x = DoubleVector.fromArray(D, a, ai + j);
          DoubleVector.fromArray(D, b, bi + j)
              .blend(x, VectorMask.fromArray(D, c, ci + j))
              .intoArray(o, oi + j);
        }
      } else if (as == 1) {
        DoubleVector y = DoubleVector.broadcast(D, b[bi]);
        for (; j < upper; j += step) {
          y.blend(DoubleVector.fromArray(D, a, ai + j), VectorMask.fromArray(D, c, ci + j))
              .intoArray(o, oi + j);
        }
      } else if (bs == 1) {
        DoubleVector x = DoubleVector.broadcast(D, a[ai]);
        for (; j < upper; j += step) {
          DoubleVector.fromArray(D, b, bi + j)
              .blend(x, VectorMask.fromArray(D, c, ci + j))
              .intoArray(o, oi + j);
        }
      }
    }
    for (; j < n; j++) {
      o[oi + j] = c[ci + j * cs] ? a[ai + j * as] : b[bi + j * bs];
    }
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

  /**
   * Whether a[off .. off+n) holds a NaN (or, when {@code orInfinite}, a NaN or ±∞). One pass with
   * no branch per vector: x - x is 0 for finite x and NaN otherwise, and NaN survives addition; for
   * NaN alone, min(acc, x) is NaN as soon as one x is (Math.min semantics).
   */
  static boolean anyNaNF(float[] a, int off, int n, boolean orInfinite) {
    int step = F.length();
    int upper = F.loopBound(n);
    FloatVector acc0 = FloatVector.zero(F);
    FloatVector acc1 = FloatVector.zero(F);
    int upper2 = n - n % (2 * step);
    int j = 0;
    if (orInfinite) {
      for (; j < upper2; j += 2 * step) {
        FloatVector x = FloatVector.fromArray(F, a, off + j);
        FloatVector y = FloatVector.fromArray(F, a, off + j + step);
        acc0 = acc0.add(x.sub(x));
        acc1 = acc1.add(y.sub(y));
      }
      for (; j < upper; j += step) {
        FloatVector x = FloatVector.fromArray(F, a, off + j);
        acc0 = acc0.add(x.sub(x));
      }
    } else {
      for (; j < upper2; j += 2 * step) {
        acc0 = acc0.min(FloatVector.fromArray(F, a, off + j));
        acc1 = acc1.min(FloatVector.fromArray(F, a, off + j + step));
      }
      for (; j < upper; j += step) {
        acc0 = acc0.min(FloatVector.fromArray(F, a, off + j));
      }
    }
    // min, not add, for NaN alone: -∞ + ∞ would make a NaN that is not there.
    FloatVector acc = orInfinite ? acc0.add(acc1) : acc0.min(acc1);
    if (acc.compare(VectorOperators.NE, acc).anyTrue()) {
      return true;
    }
    for (; j < n; j++) {
      float v = a[off + j];
      if (orInfinite ? v - v != 0 : v != v) {
        return true;
      }
    }
    return false;
  }

  /** {@link #anyNaNF} for doubles. */
  static boolean anyNaND(double[] a, int off, int n, boolean orInfinite) {
    int step = D.length();
    int upper = D.loopBound(n);
    DoubleVector acc0 = DoubleVector.zero(D);
    DoubleVector acc1 = DoubleVector.zero(D);
    int upper2 = n - n % (2 * step);
    int j = 0;
    if (orInfinite) {
      for (; j < upper2; j += 2 * step) {
        DoubleVector x = DoubleVector.fromArray(D, a, off + j);
        DoubleVector y = DoubleVector.fromArray(D, a, off + j + step);
        acc0 = acc0.add(x.sub(x));
        acc1 = acc1.add(y.sub(y));
      }
      for (; j < upper; j += step) {
        DoubleVector x = DoubleVector.fromArray(D, a, off + j);
        acc0 = acc0.add(x.sub(x));
      }
    } else {
      for (; j < upper2; j += 2 * step) {
        acc0 = acc0.min(DoubleVector.fromArray(D, a, off + j));
        acc1 = acc1.min(DoubleVector.fromArray(D, a, off + j + step));
      }
      for (; j < upper; j += step) {
        acc0 = acc0.min(DoubleVector.fromArray(D, a, off + j));
      }
    }
    DoubleVector acc = orInfinite ? acc0.add(acc1) : acc0.min(acc1);
    if (acc.compare(VectorOperators.NE, acc).anyTrue()) {
      return true;
    }
    for (; j < n; j++) {
      double v = a[off + j];
      if (orInfinite ? v - v != 0 : v != v) {
        return true;
      }
    }
    return false;
  }
}
