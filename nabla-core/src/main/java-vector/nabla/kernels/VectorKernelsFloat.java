// GENERATED from VectorKernelsDouble.java by tools/codegen/GenerateFloatKernels.java: do not edit.
// Edit VectorKernelsDouble.java and run `java tools/codegen/GenerateFloatKernels.java` (from the repository root).
package nabla.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API provider's {@link ElementwiseKernelsFloat}: flat float32 ranges in vectors of the
 * preferred species. Ranges shorter than {@link #MIN_LENGTH} (vector setup does not pay) and the
 * ops without a vector path ({@code POW}, {@code SIGN}) run the plain-Java loops of {@link
 * ScalarKernelsFloat}, and so does every range's tail, so any length is fine.
 */
final class VectorKernelsFloat implements ElementwiseKernelsFloat {
  /** The one instance (the class has no state). */
  static final VectorKernelsFloat INSTANCE = new VectorKernelsFloat();

  private VectorKernelsFloat() {}

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

  /** Below this many elements a range runs the scalar loop. */
  static final int MIN_LENGTH = 32;

  private static final ScalarKernelsFloat SCALAR = ScalarKernelsFloat.INSTANCE;

  @Override
  public void binary(
      BinaryOp op,
      float[] a,
      int ai,
      int as,
      float[] b,
      int bi,
      int bs,
      float[] o,
      int oi,
      int n) {
    if (n < MIN_LENGTH || !hasVectorPath(op) || (as == 0 && bs == 0)) {
      SCALAR.binary(op, a, ai, as, b, bi, bs, o, oi, n);
      return;
    }
    int upper = SPECIES.loopBound(n);
    int j = upper;
    // One loop per op, as for the unary ops (a loop calling a switch over the ops, or a shared
    // loop given the operator, is not compiled to plain vector code once several ops have run),
    // and per operand kind (a vector chosen between a broadcast and a load at each step, a phi,
    // defeats box elimination).
    switch (op) {
      case ADD -> addLoop(a, ai, as, b, bi, bs, o, oi, upper);
      case SUB -> subLoop(a, ai, as, b, bi, bs, o, oi, upper);
      case MUL -> mulLoop(a, ai, as, b, bi, bs, o, oi, upper);
      case DIV -> divLoop(a, ai, as, b, bi, bs, o, oi, upper);
      case MAX -> maxLoop(a, ai, as, b, bi, bs, o, oi, upper);
      case MIN -> minLoop(a, ai, as, b, bi, bs, o, oi, upper);
      default -> throw new AssertionError(op);
    }
    if (j < n) {
      SCALAR.binary(op, a, ai + j * as, as, b, bi + j * bs, bs, o, oi + j, n - j);
    }
  }

  private static boolean hasVectorPath(BinaryOp op) {
    return switch (op) {
      case ADD, SUB, MUL, DIV, MAX, MIN -> true;
      default -> false;
    };
  }

  /**
   * {@code o[oi+j] = add(a[ai+j*as], b[bi+j*bs])} over whole vectors; as, bs 1 or 0, not both 0.
   */
  private static void addLoop(
      float[] a, int ai, int as, float[] b, int bi, int bs, float[] o, int oi, int upper) {
    int step = SPECIES.length();
    if (as == 1 && bs == 1) {
      for (int j = 0; j < upper; j += step) {
        FloatVector x = FloatVector.fromArray(SPECIES, a, ai + j);
        FloatVector y = FloatVector.fromArray(SPECIES, b, bi + j);
        x.add(y).intoArray(o, oi + j);
      }
    } else if (as == 1) {
      FloatVector y = FloatVector.broadcast(SPECIES, b[bi]);
      for (int j = 0; j < upper; j += step) {
        FloatVector x = FloatVector.fromArray(SPECIES, a, ai + j);
        x.add(y).intoArray(o, oi + j);
      }
    } else {
      FloatVector x = FloatVector.broadcast(SPECIES, a[ai]);
      for (int j = 0; j < upper; j += step) {
        FloatVector y = FloatVector.fromArray(SPECIES, b, bi + j);
        x.add(y).intoArray(o, oi + j);
      }
    }
  }

  /**
   * {@code o[oi+j] = sub(a[ai+j*as], b[bi+j*bs])} over whole vectors; as, bs 1 or 0, not both 0.
   */
  private static void subLoop(
      float[] a, int ai, int as, float[] b, int bi, int bs, float[] o, int oi, int upper) {
    int step = SPECIES.length();
    if (as == 1 && bs == 1) {
      for (int j = 0; j < upper; j += step) {
        FloatVector x = FloatVector.fromArray(SPECIES, a, ai + j);
        FloatVector y = FloatVector.fromArray(SPECIES, b, bi + j);
        x.sub(y).intoArray(o, oi + j);
      }
    } else if (as == 1) {
      FloatVector y = FloatVector.broadcast(SPECIES, b[bi]);
      for (int j = 0; j < upper; j += step) {
        FloatVector x = FloatVector.fromArray(SPECIES, a, ai + j);
        x.sub(y).intoArray(o, oi + j);
      }
    } else {
      FloatVector x = FloatVector.broadcast(SPECIES, a[ai]);
      for (int j = 0; j < upper; j += step) {
        FloatVector y = FloatVector.fromArray(SPECIES, b, bi + j);
        x.sub(y).intoArray(o, oi + j);
      }
    }
  }

  /**
   * {@code o[oi+j] = mul(a[ai+j*as], b[bi+j*bs])} over whole vectors; as, bs 1 or 0, not both 0.
   */
  private static void mulLoop(
      float[] a, int ai, int as, float[] b, int bi, int bs, float[] o, int oi, int upper) {
    int step = SPECIES.length();
    if (as == 1 && bs == 1) {
      for (int j = 0; j < upper; j += step) {
        FloatVector x = FloatVector.fromArray(SPECIES, a, ai + j);
        FloatVector y = FloatVector.fromArray(SPECIES, b, bi + j);
        x.mul(y).intoArray(o, oi + j);
      }
    } else if (as == 1) {
      FloatVector y = FloatVector.broadcast(SPECIES, b[bi]);
      for (int j = 0; j < upper; j += step) {
        FloatVector x = FloatVector.fromArray(SPECIES, a, ai + j);
        x.mul(y).intoArray(o, oi + j);
      }
    } else {
      FloatVector x = FloatVector.broadcast(SPECIES, a[ai]);
      for (int j = 0; j < upper; j += step) {
        FloatVector y = FloatVector.fromArray(SPECIES, b, bi + j);
        x.mul(y).intoArray(o, oi + j);
      }
    }
  }

  /**
   * {@code o[oi+j] = div(a[ai+j*as], b[bi+j*bs])} over whole vectors; as, bs 1 or 0, not both 0.
   */
  private static void divLoop(
      float[] a, int ai, int as, float[] b, int bi, int bs, float[] o, int oi, int upper) {
    int step = SPECIES.length();
    if (as == 1 && bs == 1) {
      for (int j = 0; j < upper; j += step) {
        FloatVector x = FloatVector.fromArray(SPECIES, a, ai + j);
        FloatVector y = FloatVector.fromArray(SPECIES, b, bi + j);
        x.div(y).intoArray(o, oi + j);
      }
    } else if (as == 1) {
      FloatVector y = FloatVector.broadcast(SPECIES, b[bi]);
      for (int j = 0; j < upper; j += step) {
        FloatVector x = FloatVector.fromArray(SPECIES, a, ai + j);
        x.div(y).intoArray(o, oi + j);
      }
    } else {
      FloatVector x = FloatVector.broadcast(SPECIES, a[ai]);
      for (int j = 0; j < upper; j += step) {
        FloatVector y = FloatVector.fromArray(SPECIES, b, bi + j);
        x.div(y).intoArray(o, oi + j);
      }
    }
  }

  /**
   * {@code o[oi+j] = max(a[ai+j*as], b[bi+j*bs])} over whole vectors; as, bs 1 or 0, not both 0.
   */
  private static void maxLoop(
      float[] a, int ai, int as, float[] b, int bi, int bs, float[] o, int oi, int upper) {
    int step = SPECIES.length();
    if (as == 1 && bs == 1) {
      for (int j = 0; j < upper; j += step) {
        FloatVector x = FloatVector.fromArray(SPECIES, a, ai + j);
        FloatVector y = FloatVector.fromArray(SPECIES, b, bi + j);
        x.lanewise(VectorOperators.MAX, y).intoArray(o, oi + j);
      }
    } else if (as == 1) {
      FloatVector y = FloatVector.broadcast(SPECIES, b[bi]);
      for (int j = 0; j < upper; j += step) {
        FloatVector x = FloatVector.fromArray(SPECIES, a, ai + j);
        x.lanewise(VectorOperators.MAX, y).intoArray(o, oi + j);
      }
    } else {
      FloatVector x = FloatVector.broadcast(SPECIES, a[ai]);
      for (int j = 0; j < upper; j += step) {
        FloatVector y = FloatVector.fromArray(SPECIES, b, bi + j);
        x.lanewise(VectorOperators.MAX, y).intoArray(o, oi + j);
      }
    }
  }

  /**
   * {@code o[oi+j] = min(a[ai+j*as], b[bi+j*bs])} over whole vectors; as, bs 1 or 0, not both 0.
   */
  private static void minLoop(
      float[] a, int ai, int as, float[] b, int bi, int bs, float[] o, int oi, int upper) {
    int step = SPECIES.length();
    if (as == 1 && bs == 1) {
      for (int j = 0; j < upper; j += step) {
        FloatVector x = FloatVector.fromArray(SPECIES, a, ai + j);
        FloatVector y = FloatVector.fromArray(SPECIES, b, bi + j);
        x.lanewise(VectorOperators.MIN, y).intoArray(o, oi + j);
      }
    } else if (as == 1) {
      FloatVector y = FloatVector.broadcast(SPECIES, b[bi]);
      for (int j = 0; j < upper; j += step) {
        FloatVector x = FloatVector.fromArray(SPECIES, a, ai + j);
        x.lanewise(VectorOperators.MIN, y).intoArray(o, oi + j);
      }
    } else {
      FloatVector x = FloatVector.broadcast(SPECIES, a[ai]);
      for (int j = 0; j < upper; j += step) {
        FloatVector y = FloatVector.fromArray(SPECIES, b, bi + j);
        x.lanewise(VectorOperators.MIN, y).intoArray(o, oi + j);
      }
    }
  }

  /**
   * The unary ops with a vector loop here. sin and cos take the scalar loop: the Vector API's
   * lanewise versions round differently before and after C2 compiles them, and results must not
   * depend on the JIT (see {@link VectorExp}); the scalar {@code Math} functions give the same bits
   * in every tier. exp, expm1, log, log1p, tanh and the functions built on them use {@link
   * VectorExp}, which does.
   */
  private static boolean vectorised(UnaryOp op) {
    return switch (op) {
      case NEG, ABS, SQRT, EXP, EXPM1, LOG, LOG1P, RELU, SIGMOID, ERF, ERFC, SILU, TANH -> true;
      default -> false;
    };
  }

  @Override
  public void unary(UnaryOp op, float[] a, int ai, float[] o, int oi, int n) {
    boolean exact = exactInScalar(op);
    if (!vectorised(op) || (n < MIN_LENGTH && exact)) {
      SCALAR.unary(op, a, ai, o, oi, n);
      return;
    }
    if (op == UnaryOp.ERF || op == UnaryOp.ERFC) {
      errorFunctionLoop(a, ai, o, oi, n, op == UnaryOp.ERFC);
      return;
    }
    int upper = SPECIES.loopBound(n);
    int j = upper;
    // One loop per op, each around a small body that C2 inlines whole: a loop around a switch over
    // every op is too big to inline once several ops have run, and then every vector
    // crossing the call is boxed (measured: neg 1.1f ns and sigmoid 3.5f ns per float32 element
    // instead of 0.1f and 0.4f).
    switch (op) {
      case NEG -> {
        for (int i = 0; i < upper; i += SPECIES.length()) {
          FloatVector.fromArray(SPECIES, a, ai + i).neg().intoArray(o, oi + i);
        }
      }
      case ABS -> {
        for (int i = 0; i < upper; i += SPECIES.length()) {
          FloatVector.fromArray(SPECIES, a, ai + i).abs().intoArray(o, oi + i);
        }
      }
      case SQRT -> {
        for (int i = 0; i < upper; i += SPECIES.length()) {
          FloatVector.fromArray(SPECIES, a, ai + i).sqrt().intoArray(o, oi + i);
        }
      }
      case RELU -> { // max(x, 0) keeps NaN, like the scalar kernel
        for (int i = 0; i < upper; i += SPECIES.length()) {
          FloatVector.fromArray(SPECIES, a, ai + i)
              .lanewise(VectorOperators.MAX, 0f)
              .intoArray(o, oi + i);
        }
      }
      case EXP -> expLoop(a, ai, o, oi, upper);
      case SIGMOID -> sigmoidLoop(a, ai, o, oi, upper);
      case SILU -> siluLoop(a, ai, o, oi, upper);
      case TANH -> tanhLoop(a, ai, o, oi, upper);
      case LOG -> logLoop(a, ai, o, oi, upper);
      case LOG1P -> log1pLoop(a, ai, o, oi, upper);
      case EXPM1 -> expm1Loop(a, ai, o, oi, upper);
      default -> throw new AssertionError(op); // ERF and ERFC returned above
    }
    if (j < n) {
      if (exact) {
        SCALAR.unary(op, a, ai + j, o, oi + j, n - j);
      } else {
        // The last elements through the same vector code, masked: an element's value must not
        // depend on whether it falls in a full vector or in the tail, or results would change
        // with the length of the call (the rows per thread of a log-softmax, the chunks of a
        // parallel loop), and with them with the thread count.
        VectorMask<Float> m = SPECIES.indexInRange(j, n);
        inexact(op, FloatVector.fromArray(SPECIES, a, ai + j, m)).intoArray(o, oi + j, m);
      }
    }
  }

  // The loops of the ops built on VectorExp, each in a method of its own. Inside unary they shared
  // one compilation's node budget: once two of them had run (exp and sigmoid, say), C2 stopped
  // inlining VectorExp.exp there (NodeCountInliningCutoff), and exp took 2.2f-2.8f ns per float32
  // element through the Vector API's Java fallbacks instead of about 1. A method of its own is
  // compiled early (its loop is hot) into code too big for unary to inline, so it keeps a budget
  // of its own.

  private static void expLoop(float[] a, int ai, float[] o, int oi, int upper) {
    for (int i = 0; i < upper; i += SPECIES.length()) {
      VectorExp.exp(FloatVector.fromArray(SPECIES, a, ai + i)).intoArray(o, oi + i);
    }
  }

  private static void sigmoidLoop(float[] a, int ai, float[] o, int oi, int upper) {
    for (int i = 0; i < upper; i += SPECIES.length()) {
      sigmoid(FloatVector.fromArray(SPECIES, a, ai + i)).intoArray(o, oi + i);
    }
  }

  private static void siluLoop(float[] a, int ai, float[] o, int oi, int upper) {
    for (int i = 0; i < upper; i += SPECIES.length()) {
      silu(FloatVector.fromArray(SPECIES, a, ai + i)).intoArray(o, oi + i);
    }
  }

  private static void tanhLoop(float[] a, int ai, float[] o, int oi, int upper) {
    for (int i = 0; i < upper; i += SPECIES.length()) {
      VectorExp.tanh(FloatVector.fromArray(SPECIES, a, ai + i)).intoArray(o, oi + i);
    }
  }

  private static void logLoop(float[] a, int ai, float[] o, int oi, int upper) {
    for (int i = 0; i < upper; i += SPECIES.length()) {
      VectorExp.log(FloatVector.fromArray(SPECIES, a, ai + i)).intoArray(o, oi + i);
    }
  }

  private static void log1pLoop(float[] a, int ai, float[] o, int oi, int upper) {
    for (int i = 0; i < upper; i += SPECIES.length()) {
      VectorExp.log1p(FloatVector.fromArray(SPECIES, a, ai + i)).intoArray(o, oi + i);
    }
  }

  private static void expm1Loop(float[] a, int ai, float[] o, int oi, int upper) {
    for (int i = 0; i < upper; i += SPECIES.length()) {
      VectorExp.expm1(FloatVector.fromArray(SPECIES, a, ai + i)).intoArray(o, oi + i);
    }
  }

  /**
   * Whether the scalar kernel gives exactly the vector code's bits for op (so it may take short
   * ranges and tails): true for the correctly rounded NEG, ABS, SQRT and RELU; false for the
   * functions built on {@link VectorExp} and the vector erf, which differ from the scalar {@code
   * Math}-based ones in the last bit.
   */
  private static boolean exactInScalar(UnaryOp op) {
    return switch (op) {
      case NEG, ABS, SQRT, RELU -> true;
      default -> false;
    };
  }

  /**
   * op applied to every lane of x, for the ops with a loop of their own above whose results the
   * scalar kernel does not reproduce ({@link #exactInScalar} false): their last elements.
   */
  private static FloatVector inexact(UnaryOp op, FloatVector x) {
    return switch (op) {
      case EXP -> VectorExp.exp(x);
      case SIGMOID -> sigmoid(x);
      case SILU -> silu(x);
      case TANH -> VectorExp.tanh(x);
      case LOG -> VectorExp.log(x);
      case LOG1P -> VectorExp.log1p(x);
      case EXPM1 -> VectorExp.expm1(x);
      default -> throw new AssertionError(op);
    };
  }

  /** 1/(1+e^-x): e = exp(-|x|) never overflows; 1/(1+e) for x >= 0, e/(1+e) otherwise. */
  private static FloatVector sigmoid(FloatVector x) {
    FloatVector e = VectorExp.exp(x.abs().neg());
    FloatVector inv = FloatVector.broadcast(SPECIES, 1f).div(e.add(1f));
    VectorMask<Float> neg = x.compare(VectorOperators.LT, 0f);
    return inv.blend(e.mul(inv), neg);
  }

  /**
   * x · sigmoid(x), the sigmoid as above; for x < 0, x·e computed as (x·e·2^64)·2^-64 so that an
   * e^-|x| in the subnormals does not cost the product its precision.
   */
  private static FloatVector silu(FloatVector x) {
    FloatVector e = VectorExp.exp(x.abs().neg());
    FloatVector inv = FloatVector.broadcast(SPECIES, 1f).div(e.add(1f));
    VectorMask<Float> neg = x.compare(VectorOperators.LT, 0f);
    FloatVector scaled = x.mul(VectorExp.exp(x, 64)).mul(inv).mul(VectorExp.F_TWO_M64);
    return x.mul(inv).blend(scaled, neg);
  }

  /** c[0] + c[1]·t + ... by Horner's rule, with the scalar kernel's operations. */
  private static FloatVector poly(float[] c, FloatVector t) {
    FloatVector r = FloatVector.broadcast(SPECIES, c[c.length - 1]);
    for (int i = c.length - 2; i >= 0; i--) {
      r = r.mul(t).add(c[i]);
    }
    return r;
  }

  /** Elements per block of the passes of {@link #errorFunctionLoop} (a block stays in L1). */
  private static final int ERF_BLOCK = 2048;

  /**
   * erf(x), or erfc(x) when {@code complement}, of a[ai..ai+n) into o: {@link MathFunctions#erf}'s
   * method in every lane, each range computed for all lanes and the lane's own picked by masks.
   *
   * <p>In four passes per block of {@link #ERF_BLOCK} elements, each a loop of its own with its
   * part of the function written inside it and every vector masked (all lanes but in the last), on
   * purpose. As one method taking a vector (478 bytes of bytecode, over C2's 325-byte limit for
   * inlining a hot callee) it was never inlined, so its vectors were boxed and ran the Vector API's
   * Java fallbacks (BENCHMARKS.md has the times); split into smaller methods, the pieces were
   * compiled on their own first and then refused for inlining (InlineSmallCode); as one loop, its
   * ten polynomials left no node budget for inlining the two exps (NodeCountInliningCutoff), nor
   * did four polynomials and the exps, nor the two exps alone. Each pass is a compilation of its
   * own: {@link #erfRatio} computes the far range's R/S into o (or a scratch block when o overlaps
   * a), {@link #erfScale} and {@link #erfTail} turn it into e^-x²·e^(R/S − 9/16)/|x| with one
   * exponential each, and {@link #erfFinish} computes the near ranges and the result. The three far
   * passes skip a vector with no lane at or above 1.25f (about a quarter of float32 vectors and half
   * of float32 ones for GELU of normal inputs), whose values in o are then never read.
   */
  private static void errorFunctionLoop(
      float[] a, int ai, float[] o, int oi, int n, boolean complement) {
    boolean overlap = a == o && ai < oi + n && oi < ai + n;
    float[] tail = overlap ? new float[Math.min(n, ERF_BLOCK)] : o;
    for (int b = 0; b < n; b += ERF_BLOCK) {
      int m = Math.min(ERF_BLOCK, n - b);
      int ti = overlap ? 0 : oi + b;
      erfRatio(a, ai + b, tail, ti, m);
      erfScale(a, ai + b, tail, ti, m);
      erfTail(a, ai + b, tail, ti, m);
      erfFinish(a, ai + b, tail, ti, o, oi + b, m, complement);
    }
  }

  /** R/S of the far range, |x| in [1.25f, 28), of a[ai..ai+n) into t[ti..ti+n). */
  private static void erfRatio(float[] a, int ai, float[] t, int ti, int n) {
    for (int i = 0; i < n; i += SPECIES.length()) {
      VectorMask<Float> lanes = SPECIES.indexInRange(i, n);
      FloatVector abs = FloatVector.fromArray(SPECIES, a, ai + i, lanes).abs();
      if (!abs.compare(VectorOperators.GE, 1.25f).anyTrue()) {
        continue; // no lane in the far range: erfFinish does not read this vector's values
      }
      FloatVector u = FloatVector.broadcast(SPECIES, 1f).div(abs.mul(abs));
      FloatVector mid = poly(MathFunctions.F_ERF_MID_R, u).div(poly(MathFunctions.F_ERF_MID_S, u));
      FloatVector far =
          poly(MathFunctions.F_ERF_TAIL_R, u).div(poly(MathFunctions.F_ERF_TAIL_S, u));
      mid.blend(far, abs.compare(VectorOperators.GE, 1 / 0.35f)).intoArray(t, ti + i, lanes);
    }
  }

  /**
   * erfc(|x|) for |x| in [1.25f, 28) is exp(-x² - 0.5625f + R/S)/|x|, with x² split exactly as p + e
   * by a fused multiply-add (the scalar code clears low bits instead), so that exp(-x² - 0.5625f +
   * R/S) = exp(-p) · exp(-e - 0.5625f + R/S) loses nothing. This pass turns R/S in t[ti..ti+n)
   * ({@link #erfRatio}) into exp(-e - 0.5625f + R/S)/|x|; {@link #erfTail} multiplies by exp(-p).
   * One exponential per loop: two left no node budget to inline the second.
   */
  private static void erfScale(float[] a, int ai, float[] t, int ti, int n) {
    for (int i = 0; i < n; i += SPECIES.length()) {
      VectorMask<Float> lanes = SPECIES.indexInRange(i, n);
      FloatVector abs = FloatVector.fromArray(SPECIES, a, ai + i, lanes).abs();
      if (!abs.compare(VectorOperators.GE, 1.25f).anyTrue()) {
        continue; // no lane in the far range: erfFinish does not read this vector's values
      }
      FloatVector ratio = FloatVector.fromArray(SPECIES, t, ti + i, lanes);
      FloatVector e = abs.fma(abs, abs.mul(abs).neg());
      VectorExp.exp(e.neg().sub(0.5625f).add(ratio)).div(abs).intoArray(t, ti + i, lanes);
    }
  }

  /**
   * exp(-p) times {@link #erfScale}'s values in t[ti..ti+n), into t: erfc(|x|) in the far range.
   */
  private static void erfTail(float[] a, int ai, float[] t, int ti, int n) {
    for (int i = 0; i < n; i += SPECIES.length()) {
      VectorMask<Float> lanes = SPECIES.indexInRange(i, n);
      FloatVector abs = FloatVector.fromArray(SPECIES, a, ai + i, lanes).abs();
      if (!abs.compare(VectorOperators.GE, 1.25f).anyTrue()) {
        continue; // no lane in the far range: erfFinish does not read this vector's values
      }
      FloatVector scaled = FloatVector.fromArray(SPECIES, t, ti + i, lanes);
      VectorExp.exp(abs.mul(abs).neg()).mul(scaled).intoArray(t, ti + i, lanes);
    }
  }

  /** erf or erfc of a[ai..ai+n) into o, given {@link #erfTail}'s values in t[ti..ti+n). */
  private static void erfFinish(
      float[] a, int ai, float[] t, int ti, float[] o, int oi, int n, boolean complement) {
    for (int i = 0; i < n; i += SPECIES.length()) {
      VectorMask<Float> lanes = SPECIES.indexInRange(i, n);
      FloatVector x = FloatVector.fromArray(SPECIES, a, ai + i, lanes);
      FloatVector tail = FloatVector.fromArray(SPECIES, t, ti + i, lanes);
      FloatVector abs = x.abs();
      FloatVector one = FloatVector.broadcast(SPECIES, 1f);
      VectorMask<Float> negative = x.compare(VectorOperators.LT, 0f);
      // |x| < 0.84375f: x·P(x²)/Q(x²)
      FloatVector z = x.mul(x);
      FloatVector y =
          x.mul(poly(MathFunctions.F_ERF_SMALL_P, z).div(poly(MathFunctions.F_ERF_SMALL_Q, z)));
      // [0.84375f, 1.25f): P(s)/Q(s), s = |x| - 1
      FloatVector s = abs.sub(1f);
      FloatVector pq =
          poly(MathFunctions.F_ERF_NEAR_ONE_P, s).div(poly(MathFunctions.F_ERF_NEAR_ONE_Q, s));
      FloatVector r;
      if (complement) {
        FloatVector positive = tail.blend(tail.neg().add(2f), negative);
        FloatVector near =
            one.sub(MathFunctions.F_ERX)
                .sub(pq)
                .blend(one.add(pq.add(MathFunctions.F_ERX)), negative);
        FloatVector small =
            one.sub(x.add(y))
                .blend(
                    FloatVector.broadcast(SPECIES, 0.5f).sub(x.sub(0.5f).add(y)),
                    x.compare(VectorOperators.GE, 0.25f));
        r = FloatVector.broadcast(SPECIES, 0f).blend(one.add(1f), negative); // |x| >= 28
        r = r.blend(positive, abs.compare(VectorOperators.LT, 28f));
        r = r.blend(near, abs.compare(VectorOperators.LT, 1.25f));
        r = r.blend(small, abs.compare(VectorOperators.LT, 0.84375f));
      } else {
        FloatVector magnitude = one.sub(tail);
        magnitude =
            magnitude.blend(pq.add(MathFunctions.F_ERX), abs.compare(VectorOperators.LT, 1.25f));
        magnitude = one.blend(magnitude, abs.compare(VectorOperators.LT, 6f));
        r = magnitude.blend(magnitude.neg(), negative);
        r = r.blend(x.add(y), abs.compare(VectorOperators.LT, 0.84375f));
      }
      r.blend(x, x.test(VectorOperators.IS_NAN)).intoArray(o, oi + i, lanes);
    }
  }

  @Override
  public void compare(
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
    if (n < MIN_LENGTH) {
      SCALAR.compare(op, a, ai, as, b, bi, bs, o, oi, n);
      return;
    }
    int step = SPECIES.length();
    int upper = SPECIES.loopBound(n);
    int j = 0;
    if (as == 1 && bs == 1) {
      for (; j < upper; j += step) {
        comparison(
                op,
                FloatVector.fromArray(SPECIES, a, ai + j),
                FloatVector.fromArray(SPECIES, b, bi + j))
            .intoArray(o, oi + j);
      }
    } else if (as == 1) {
      FloatVector y = FloatVector.broadcast(SPECIES, b[bi]);
      for (; j < upper; j += step) {
        comparison(op, FloatVector.fromArray(SPECIES, a, ai + j), y).intoArray(o, oi + j);
      }
    } else if (bs == 1) {
      FloatVector x = FloatVector.broadcast(SPECIES, a[ai]);
      for (; j < upper; j += step) {
        comparison(op, x, FloatVector.fromArray(SPECIES, b, bi + j)).intoArray(o, oi + j);
      }
    }
    if (j < n) {
      SCALAR.compare(op, a, ai + j * as, as, b, bi + j * bs, bs, o, oi + j, n - j);
    }
  }

  /** Constant operators in each branch: a non-constant one is not intrinsified (20x slower). */
  private static VectorMask<Float> comparison(BinaryOp op, FloatVector x, FloatVector y) {
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
   * A broadcast condition (cs = 0) selects one operand for the whole range: a copy or a fill, at
   * any length.
   */
  @Override
  public void where(
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
        Arrays.fill(o, oi, oi + n, src[si]);
      }
      return;
    }
    if (n < MIN_LENGTH) {
      SCALAR.where(c, ci, cs, a, ai, as, b, bi, bs, o, oi, n);
      return;
    }
    int step = SPECIES.length();
    int upper = SPECIES.loopBound(n);
    int j = 0;
    {
      // Separate loops per operand kind, as in binary: no vector phis inside a loop.
      if (as == 1 && bs == 1) {
        for (; j < upper; j += step) {
          FloatVector x = FloatVector.fromArray(SPECIES, a, ai + j);
          FloatVector.fromArray(SPECIES, b, bi + j)
              .blend(x, VectorMask.fromArray(SPECIES, c, ci + j))
              .intoArray(o, oi + j);
        }
      } else if (as == 1) {
        FloatVector y = FloatVector.broadcast(SPECIES, b[bi]);
        for (; j < upper; j += step) {
          y.blend(
                  FloatVector.fromArray(SPECIES, a, ai + j),
                  VectorMask.fromArray(SPECIES, c, ci + j))
              .intoArray(o, oi + j);
        }
      } else if (bs == 1) {
        FloatVector x = FloatVector.broadcast(SPECIES, a[ai]);
        for (; j < upper; j += step) {
          FloatVector.fromArray(SPECIES, b, bi + j)
              .blend(x, VectorMask.fromArray(SPECIES, c, ci + j))
              .intoArray(o, oi + j);
        }
      }
    }
    if (j < n) {
      SCALAR.where(c, ci + j * cs, cs, a, ai + j * as, as, b, bi + j * bs, bs, o, oi + j, n - j);
    }
  }
}
