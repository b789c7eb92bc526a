package nabla;

import java.util.Arrays;

/**
 * One step of a {@link RandomProgram}: an operation and two small parameters (an axis, a variant)
 * it interprets, applied to the running tensor t and possibly to the leaves x and y.
 *
 * <p>Every operation is smooth on the values it can receive, or reports how close its argument is
 * to its kink (or pole) so that the generator can reject it there: log and sqrt only see {@code
 * t*t+1}, exp only {@code tanh(t)}, pow bases are {@code t*t+1} (or the exponent an integer) with
 * exponents that keep growth at most linear, divisions are by {@code w*w+1} or by {@code |w| >=
 * 0.25}.
 */
record ProgramStep(ProgramStep.Op op, int a, int b) {

  @Override
  public String toString() {
    return "new ProgramStep(Op." + op + ", " + a + ", " + b + ")";
  }

  /** The operations a step can perform; see {@link #apply}. */
  enum Op {
    // smooth unary
    SIN,
    COS,
    TANH,
    SIGMOID,
    NEG,
    EXP_OF_TANH,
    LOG_SQ1,
    SQRT_SQ1,
    SQUARE_OF_TANH,
    RECIPROCAL_SQ1,
    POW_SQ1,
    POW_INT,
    AFFINE,
    CAST_TO_FLOAT64,
    // kinked unary, kept away from the kink
    ABS,
    RELU,
    SIGN_TIMES_SIN,
    CLAMP,
    // binary with an operand broadcast from y (or x, for diamonds)
    ADD_Y,
    SUB_Y,
    MUL_Y,
    DIV_Y,
    DIV_BY_Y,
    POW_Y,
    MUL_SIN_X,
    MAXIMUM_Y,
    MINIMUM_Y,
    WHERE_Y,
    MSE_Y,
    MATMUL_Y,
    DOT_Y,
    CAT_Y,
    MIXED_DTYPES_Y,
    // reductions
    SUM_AXIS,
    SUM_TWO_AXES,
    SUM_ALL_KEEP,
    MEAN_AXIS,
    SUM_ALL,
    MAX_AXIS,
    MIN_AXIS,
    MAX_ALL,
    LOGSUMEXP_AXIS,
    SOFTMAX,
    LOG_SOFTMAX,
    CROSS_ENTROPY,
    NORM_SQ1,
    // shape and indexing
    RESHAPE_FLAT,
    RESHAPE_SPLIT,
    TRANSPOSE,
    PERMUTE_REVERSE,
    PERMUTE_CYCLE,
    SQUEEZE,
    UNSQUEEZE,
    SLICE_STEP,
    SLICE_NARROW,
    GET,
    EMBED,
    EXPAND_NEW,
    EXPAND_ONE,
    CONTIGUOUS,
    TRANSPOSED_COPY,
    CAT_SELF,
    STACK_SELF,
    GATHER,
    INDEX_SELECT,
    MASKED_SELECT,
    SCATTER_ADD,
    MATMUL_SELF,
    // user-defined functions
    CUSTOM_Y,
    CHECKPOINT,
    // the elementwise functions of issue #12 (smooth, or kept away from their kinks and jumps)
    ERF_OR_ERFC,
    GELU,
    SILU_OR_SOFTPLUS,
    LOG_SIGMOID,
    ELU_OR_LEAKY_RELU,
    HARDTANH,
    INVERSE_TRIG_OF_TANH,
    INVERSE_HYPERBOLIC,
    HYPERBOLIC_OF_TANH,
    LOG2_LOG10_RSQRT_SQ1,
    ROUNDING_PLUS_T,
    FRAC,
    NAN_TO_NUM,
    REMAINDER_OR_FMOD_Y,
    ATAN2_Y,
    LERP_Y,
    // the shape operations of issue #12
    FLIP_OR_ROLL,
    REPEAT_TILE_OR_INTERLEAVE,
    SPLIT_CHUNK_OR_UNBIND,
    TRIANGLE_OR_DIAGONAL,
    MOVEDIM_OR_NARROW,
    OUTER_OR_KRON_Y,
    EINSUM_Y,
    // the reductions and scans of issue #12 (prod and cumprod of positive values: no zeros)
    CUMSUM_OR_CUMPROD,
    VAR_AXIS,
    PROD_OF_SIGMOID,
    LOGCUMSUMEXP,
    // recorded in-place updates (issue #11): the same values as the out-of-place forms, through
    // copies, views and the base's new gradient function
    INPLACE_ADD_MUL_Y,
    INPLACE_THROUGH_VIEW,
    INPLACE_UNARY,
    // linear algebra of issue #12, on small well-conditioned matrices built from t's elements
    // (2I + 0.3·tanh(..): every eigenvalue of the 0.3 part is below 0.9 in size), so that
    // solve, inv, det, Cholesky and QR stay smooth; eigen- and singular values are kept apart
    LINALG_SOLVE_Y,
    LINALG_DET_OR_SLOGDET,
    LINALG_INV_OR_POWER,
    LINALG_CHOLESKY,
    LINALG_EIGVALS_OR_SVALS,
    LINALG_QR_R_OR_PINV
  }

  /** Collects the smallest distance to a kink seen while applying a step (under noGrad only). */
  static final class Kinks {
    double distance = Double.POSITIVE_INFINITY;

    /** The argument of a kink at 0. */
    void at(Tensor argument) {
      for (double v : argument.toDoubleArray()) {
        distance = Math.min(distance, Math.abs(v));
      }
    }

    /** Values that must stay above min (below it counts as a negative distance). */
    void atLeast(Tensor t, double min) {
      for (double v : t.toDoubleArray()) {
        distance = Math.min(distance, v - min);
      }
    }

    /** The gap between the largest and second largest value along axis (or over all if -1). */
    void maxGap(Tensor t, int axis) {
      Tensor rows = axis < 0 ? t.reshape(1, -1) : t.transpose(axis, -1).contiguous();
      int n = rows.dim() == 0 ? 1 : rows.shape()[rows.dim() - 1];
      double[] v = rows.toDoubleArray();
      for (int start = 0; n > 1 && start < v.length; start += n) {
        double first = Double.NEGATIVE_INFINITY;
        double second = Double.NEGATIVE_INFINITY;
        for (int i = start; i < start + n; i++) {
          if (v[i] > first) {
            second = first;
            first = v[i];
          } else if (v[i] > second) {
            second = v[i];
          }
        }
        distance = Math.min(distance, first - second);
      }
    }
  }

  private static void noteKink(Kinks k, Tensor argument) {
    if (k != null) {
      k.at(argument);
    }
  }

  private static void noteMaxGap(Kinks k, Tensor t, int axis) {
    if (k != null) {
      k.maxGap(t, axis);
    }
  }

  /**
   * A 2x2 or 3x3 matrix 2I + 0.3·tanh(u) of t's dtype whose entries u are t's elements
   * (cyclically): its eigenvalues and singular values lie in [1.1, 2.9], so it is comfortably
   * invertible.
   */
  static Tensor wellConditioned(Tensor t, ProgramStep s) {
    int n = 2 + s.a() % 2;
    Tensor u = cyclic(t, new int[] {n, n}, s.b()).tanh().mul(0.3);
    return u.add(Tensor.eye(n).to(t.dtype()).mul(2));
  }

  /** diag(0, 1.5, 3, ...): pulls the eigen- and singular values of a matrix apart. */
  static Tensor spread(int n, DType dtype) {
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = 1.5 * i;
    }
    return Tensor.ofDoubles(d, n).to(dtype).diag();
  }

  static Tensor sq1(Tensor t) {
    return t.mul(t).add(1);
  }

  static Tensor atLeast1d(Tensor t) {
    return t.dim() == 0 ? t.reshape(1) : t;
  }

  /**
   * An operand for a binary step: y itself when it broadcasts against t (when {@code twoSided},
   * both may grow; otherwise the result must have t's shape), else a tensor built from y's elements
   * (cyclically, through indexSelect) whose shape has t's sizes or 1 in each dimension, chosen by
   * the bits of b.
   */
  static Tensor operand(Tensor y, Tensor t, int b, boolean twoSided) {
    int[] both = RandomProgram.broadcast(y.shape(), t.shape());
    boolean direct =
        both != null
            && b % 3 != 2
            && (twoSided
                ? RandomProgram.numel(both) <= RandomProgram.MAX_NUMEL
                : Arrays.equals(both, t.shape()));
    if (direct) {
      return y;
    }
    int[] ts = t.shape();
    int[] target = new int[ts.length];
    for (int i = 0; i < ts.length; i++) {
      boolean bit = ((b >> i) & 1) == 1;
      target[i] = bit ? (twoSided && ts[i] == 1 ? 2 : 1) : ts[i];
    }
    return cyclic(y, target, b);
  }

  /** A tensor of the given shape filled from y's elements in a cyclic order that depends on b. */
  static Tensor cyclic(Tensor y, int[] shape, int b) {
    int n = RandomProgram.numel(shape);
    int ny = y.numel();
    long[] index = new long[n];
    for (int i = 0; i < n; i++) {
      index[i] = ((long) i * (1 + b % 2) + b) % ny;
    }
    return y.reshape(-1).indexSelect(0, Tensor.ofLongs(index)).reshape(shape);
  }

  static Tensor mask(int[] shape, int parity) {
    boolean[] m = new boolean[RandomProgram.numel(shape)];
    for (int i = 0; i < m.length; i++) {
      m[i] = (i + parity) % 2 == 0;
    }
    return shape.length == 0
        ? Tensor.scalar(m[0] ? 1 : 0, DType.BOOL)
        : Tensor.ofBooleans(m, shape);
  }

  /** int64 index of the given shape with the last dimension resized to m, values in [0, n). */
  static Tensor lastAxisIndex(int[] shape, int m, int seed) {
    int n = shape[shape.length - 1];
    int[] is = shape.clone();
    is[is.length - 1] = m;
    long[] v = new long[RandomProgram.numel(is)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (i * (seed + 1) + seed) % n;
    }
    return Tensor.ofLongs(v, is);
  }

  /**
   * Applies one step to t; null when the step does not apply to t's shape. When k is not null
   * (under noGrad), kinked steps report how close their arguments are to the kink.
   */
  Tensor apply(Tensor t, Tensor x, Tensor y, Kinks k) {
    ProgramStep s = this;
    int rank = t.dim();
    int[] shape = t.shape();
    int axis = rank == 0 ? 0 : s.a() % rank;
    boolean keep = s.b() % 2 == 0;
    return switch (s.op()) {
      case SIN -> t.sin();
      case COS -> t.cos();
      case TANH -> t.tanh();
      case SIGMOID -> t.sigmoid();
      case NEG -> t.neg();
      case EXP_OF_TANH -> t.tanh().exp();
      case LOG_SQ1 -> sq1(t).log();
      case SQRT_SQ1 -> sq1(t).sqrt();
      case SQUARE_OF_TANH -> t.tanh().square().add(t);
      case RECIPROCAL_SQ1 -> sq1(t).reciprocal();
      case POW_SQ1 -> sq1(t).pow(new double[] {0.5, -0.5, -1.5}[s.b() % 3]);
      case POW_INT -> t.pow(2 + s.b() % 2); // negative bases too
      case AFFINE -> t.mul(0.7).sub(0.2);
      case CAST_TO_FLOAT64 -> t.to(DType.FLOAT64).sin().to(t.dtype());
      case ABS -> {
        noteKink(k, t);
        yield t.abs();
      }
      case RELU -> {
        noteKink(k, t);
        yield t.relu();
      }
      case SIGN_TIMES_SIN -> {
        noteKink(k, t);
        yield t.sign().mul(t.sin());
      }
      case CLAMP -> {
        noteKink(k, t.add(0.5));
        noteKink(k, t.sub(0.8));
        yield t.clamp(-0.5, 0.8);
      }
      case ADD_Y -> t.add(operand(y, t, s.b(), true));
      case SUB_Y -> operand(y, t, s.b(), true).sub(t);
      case MUL_Y -> t.mul(operand(y, t, s.b(), true));
      case DIV_Y -> t.div(sq1(operand(y, t, s.b(), true)));
      case DIV_BY_Y -> {
        Tensor w = operand(y, t, s.b(), true);
        if (k != null) { // a pole at 0: keep |w| >= 0.25 (a negative distance rejects the step)
          k.atLeast(w.abs(), 0.25);
        }
        yield t.div(w);
      }
      // The exponent stays in (0.1, 0.5): away from 0, where the base rule's 0^0 convention
      // (shared with PyTorch) zeroes the mixed second derivative, and growth stays sub-linear.
      case POW_Y -> sq1(t).pow(operand(y, t, s.b(), true).tanh().mul(0.2).add(0.3));
      case MUL_SIN_X -> t.mul(operand(x, t, s.b(), true).sin());
      case MAXIMUM_Y -> {
        Tensor w = operand(y, t, s.b(), true);
        noteKink(k, t.sub(w));
        yield t.maximum(w);
      }
      case MINIMUM_Y -> {
        Tensor w = operand(y, t, s.b(), true);
        noteKink(k, t.sub(w));
        yield t.minimum(w);
      }
      case WHERE_Y -> Tensor.where(mask(shape, s.a()), t, operand(y, t, s.b(), true).cos());
      case MSE_Y -> t.tanh().mseLoss(operand(y, t, s.b(), false).expand(shape).copy());
      case MATMUL_Y -> matmulY(s, t, y);
      case DOT_Y -> {
        Tensor f = t.reshape(-1);
        yield f.dot(cyclic(y, f.shape(), s.b()).tanh());
      }
      case CAT_Y -> {
        if (rank == 0) {
          yield null;
        }
        int[] piece = shape.clone();
        piece[axis] = 1 + s.b() % 2;
        yield Tensor.cat(axis, t, cyclic(y, piece, s.b()));
      }
      case MIXED_DTYPES_Y -> {
        // t (float32 or float64) times a float64 operand plus an int64 tensor, cast back
        long[] counts = new long[t.numel()];
        for (int i = 0; i < counts.length; i++) {
          counts[i] = (i + s.a()) % 3 - 1;
        }
        Tensor w = operand(y, t, s.b(), true).to(DType.FLOAT64);
        Tensor c =
            rank == 0 ? Tensor.scalar(counts[0], DType.INT64) : Tensor.ofLongs(counts, shape);
        yield t.mul(w).add(c).to(t.dtype());
      }
      case SUM_AXIS -> rank == 0 ? t.sum() : t.sum(axis, keep);
      case SUM_TWO_AXES -> rank < 2 ? null : t.sum(new int[] {0, rank - 1}, keep);
      case SUM_ALL_KEEP -> {
        int[] all = new int[rank];
        for (int i = 0; i < rank; i++) {
          all[i] = i;
        }
        yield keep ? t.sum(all, true) : t.mean(all, true);
      }
      case MEAN_AXIS -> rank == 0 ? t.mean() : t.mean(axis, keep);
      case SUM_ALL -> t.sum();
      case MAX_AXIS -> {
        noteMaxGap(k, t, rank == 0 ? -1 : axis);
        yield rank == 0 ? t.max() : t.max(axis, keep);
      }
      case MIN_AXIS -> {
        noteMaxGap(k, rank == 0 ? t : t.neg(), rank == 0 ? -1 : axis);
        yield rank == 0 ? t.min() : t.min(axis, keep);
      }
      case MAX_ALL -> {
        noteMaxGap(k, t, -1);
        yield t.max();
      }
      case LOGSUMEXP_AXIS -> atLeast1d(t).logsumexp(axis, keep);
      case SOFTMAX -> atLeast1d(t).softmax(axis);
      case LOG_SOFTMAX -> atLeast1d(t).logSoftmax(axis);
      case CROSS_ENTROPY -> {
        if (rank != 2) {
          yield null;
        }
        long[] labels = new long[shape[0]];
        for (int i = 0; i < labels.length; i++) {
          labels[i] = (i * (s.a() + 1) + s.b()) % shape[1];
        }
        yield t.crossEntropy(Tensor.ofLongs(labels));
      }
      case NORM_SQ1 ->
          rank == 0 ? sq1(t).norm() : sq1(t).norm(s.b() % 3 == 0 ? 3 : 2, new int[] {axis}, keep);
      case RESHAPE_FLAT -> t.reshape(-1);
      case RESHAPE_SPLIT -> t.numel() % 2 != 0 ? null : keep ? t.reshape(2, -1) : t.reshape(-1, 2);
      case TRANSPOSE -> t.transpose();
      case PERMUTE_REVERSE -> {
        int[] p = new int[rank];
        for (int i = 0; i < rank; i++) {
          p[i] = rank - 1 - i;
        }
        yield t.permute(p);
      }
      case PERMUTE_CYCLE -> {
        // not its own inverse (unlike transposes), so a VJP that forgets to invert shows
        if (rank < 3) {
          yield null;
        }
        int[] p = new int[rank];
        for (int i = 0; i < rank; i++) {
          p[i] = (i + 1 + s.a() % (rank - 1)) % rank;
        }
        yield t.permute(p);
      }
      case SQUEEZE -> Arrays.stream(shape).anyMatch(n -> n == 1) ? t.squeeze() : null;
      case UNSQUEEZE -> t.unsqueeze(s.a() % (rank + 1));
      case SLICE_STEP -> {
        Tensor u = atLeast1d(t);
        int n = u.shape()[axis];
        yield n < 2 ? null : u.slice(axis, s.b() % 2, n, 2);
      }
      case SLICE_NARROW -> {
        Tensor u = atLeast1d(t);
        int n = u.shape()[axis];
        yield n < 2 ? null : u.slice(axis, s.b() % 2, n - 1 + s.b() % 2);
      }
      case GET -> rank == 0 ? null : t.get(s.a() % shape[0]);
      case EMBED -> {
        Tensor u = atLeast1d(t);
        int[] wide = u.shape().clone();
        int start = s.b() % 2;
        int step = 1 + s.b() % 3;
        // with step 1, one more trailing zero would change which elements [start::step] names
        wide[axis] = start + (wide[axis] - 1) * step + 1 + (step > 1 ? s.a() % 2 : 0);
        yield u.embed(wide, axis, start, step);
      }
      case EXPAND_NEW -> {
        int[] target = new int[rank + 1];
        target[0] = 2;
        System.arraycopy(shape, 0, target, 1, rank);
        yield t.unsqueeze(0).expand(target);
      }
      case EXPAND_ONE -> {
        int[] target = shape.clone();
        boolean any = false;
        for (int i = 0; i < rank; i++) {
          if (shape[i] == 1) {
            target[i] = 2 + s.b() % 2;
            any = true;
          }
        }
        yield any ? t.expand(target) : null;
      }
      case CONTIGUOUS -> t.contiguous();
      case TRANSPOSED_COPY -> t.transpose().copy();
      case CAT_SELF -> {
        Tensor u = atLeast1d(t);
        yield Tensor.cat(axis, u, u.sin());
      }
      case STACK_SELF -> Tensor.stack(s.a() % (rank + 1), t, t.cos());
      case GATHER -> {
        Tensor u = atLeast1d(t);
        yield u.gather(-1, lastAxisIndex(u.shape(), 2, s.b()));
      }
      case INDEX_SELECT -> {
        Tensor u = atLeast1d(t);
        int n = u.shape()[axis];
        yield u.indexSelect(axis, Tensor.ofLongs(new long[] {n - 1, 0, s.b() % n}));
      }
      case MASKED_SELECT ->
          t.numel() < 2 ? null : atLeast1d(t).maskedSelect(mask(atLeast1d(t).shape(), s.a()));
      case SCATTER_ADD -> {
        Tensor u = atLeast1d(t);
        int n = u.shape()[u.dim() - 1];
        yield u.scatterAdd(-1, lastAxisIndex(u.shape(), Math.min(2, n), s.b()), u.cos());
      }
      case CUSTOM_Y -> TIMES_SIN.apply(t, operand(y, t, s.b(), true));
      case CHECKPOINT -> Autograd.checkpoint(u -> u.tanh().mul(u.cos()).add(u), t);
      case INPLACE_ADD_MUL_Y -> {
        Tensor c = t.mul(1); // a computed tensor: the update is recorded
        Tensor w = operand(y, t, s.b(), false).to(t.dtype());
        yield s.b() % 2 == 0 ? c.addInPlace(w) : c.mulInPlace(w.tanh().add(1.5));
      }
      case INPLACE_THROUGH_VIEW -> {
        if (rank == 0 || shape[axis] < 2) {
          yield null;
        }
        Tensor c = t.mul(1);
        Tensor view = c.slice(axis, 0, shape[axis], 2); // every other entry along axis
        if (s.b() % 2 == 0) {
          // from a copy: sin saves its input, and PyTorch as Nabla refuses to update a tensor
          // that a node saved (v.mul_(v.sin() + 2) fails in backward in both)
          view.mulInPlace(view.copy().sin().add(2));
        } else {
          view.expInPlace();
        }
        yield c.mul(c); // reads the base after the update through the view
      }
      case INPLACE_UNARY -> {
        Tensor c = t.mul(1);
        yield switch (s.b() % 3) {
          case 0 -> c.tanhInPlace();
          case 1 -> c.sigmoidInPlace().mulInPlace(2.0);
          default -> c.clampInPlace(-10, 10).sinInPlace();
        };
      }
      case LINALG_SOLVE_Y -> {
        Tensor a = wellConditioned(t, s);
        Tensor rhs = cyclic(y, new int[] {a.shape()[0], 1 + s.b() % 2}, s.b()).tanh();
        yield nabla.linalg.Linalg.solve(a, rhs.to(a.dtype()));
      }
      case LINALG_DET_OR_SLOGDET ->
          s.b() % 2 == 0
              ? nabla.linalg.Linalg.det(wellConditioned(t, s))
              : nabla.linalg.Linalg.slogdet(wellConditioned(t, s)).logAbsDet();
      case LINALG_INV_OR_POWER ->
          s.b() % 3 == 0
              ? nabla.linalg.Linalg.inv(wellConditioned(t, s))
              : nabla.linalg.Linalg.matrixPower(wellConditioned(t, s), s.b() % 3 == 1 ? 3 : -2);
      case LINALG_CHOLESKY -> {
        Tensor a = wellConditioned(t, s);
        yield nabla.linalg.Linalg.cholesky(a.matmul(a.transpose()));
      }
      case LINALG_EIGVALS_OR_SVALS -> {
        Tensor a = wellConditioned(t, s);
        Tensor values =
            s.b() % 2 == 0
                ? nabla.linalg.Linalg.eigh(
                        a.add(a.transpose()).add(spread(a.shape()[0], a.dtype())))
                    .eigenvalues()
                : nabla.linalg.Linalg.svd(a.add(spread(a.shape()[0], a.dtype()))).s();
        if (k != null) { // repeated values have no derivative each: keep them 0.1 apart
          double[] v = values.toDoubleArray();
          Arrays.sort(v);
          for (int i = 1; i < v.length; i++) {
            k.atLeast(Tensor.scalar(v[i] - v[i - 1]), 0.1);
          }
        }
        yield values;
      }
      case LINALG_QR_R_OR_PINV -> {
        Tensor a = wellConditioned(t, s);
        yield s.b() % 2 == 0
            ? nabla.linalg.Linalg.qr(a).r()
            : nabla.linalg.Linalg.pinv(a.slice(1, 0, a.shape()[1] - 1)); // tall, full rank
      }
      case CUMSUM_OR_CUMPROD ->
          s.b() % 2 == 0 ? atLeast1d(t).cumsum(axis) : atLeast1d(t).sigmoid().cumprod(axis);
      case VAR_AXIS -> rank == 0 ? t.mul(t) : t.var(new int[] {axis}, 0, keep);
      case PROD_OF_SIGMOID -> rank == 0 ? t.sigmoid() : t.sigmoid().add(0.5).prod(axis, keep);
      case LOGCUMSUMEXP -> atLeast1d(t).logcumsumexp(axis);
      case ERF_OR_ERFC -> s.b() % 2 == 0 ? t.erf() : t.erfc();
      case GELU -> t.gelu(s.b() % 2 == 0 ? "none" : "tanh");
      case SILU_OR_SOFTPLUS -> {
        if (s.b() % 2 == 0) {
          yield t.silu();
        }
        noteKink(k, t.sub(1)); // softplus(β = 2, threshold 2) switches to x at x = 1
        yield t.softplus(2, 2);
      }
      case LOG_SIGMOID -> t.logSigmoid();
      case ELU_OR_LEAKY_RELU -> {
        noteKink(k, t);
        yield s.b() % 2 == 0 ? t.elu(0.7) : t.leakyRelu(0.2);
      }
      case HARDTANH -> {
        noteKink(k, t.add(0.5));
        noteKink(k, t.sub(0.8));
        yield t.hardtanh(-0.5, 0.8);
      }
      case INVERSE_TRIG_OF_TANH -> {
        Tensor u = t.tanh().mul(0.9);
        yield switch (s.b() % 4) {
          case 0 -> u.asin();
          case 1 -> u.acos();
          case 2 -> u.atanh();
          default -> u.mul(1.5).tan();
        };
      }
      case INVERSE_HYPERBOLIC ->
          switch (s.b() % 3) {
            case 0 -> t.asinh();
            case 1 -> t.atan();
            default -> sq1(t).add(0.25).acosh();
          };
      case HYPERBOLIC_OF_TANH -> s.b() % 2 == 0 ? t.tanh().sinh() : t.tanh().cosh().add(t);
      case LOG2_LOG10_RSQRT_SQ1 ->
          switch (s.b() % 4) {
            case 0 -> sq1(t).log2();
            case 1 -> sq1(t).log10();
            case 2 -> sq1(t).rsqrt();
            default -> t.tanh().exp2();
          };
      case ROUNDING_PLUS_T -> {
        // jumps at integers (at half-integers for round); the result's gradient is t's alone
        Tensor u = t.mul(2);
        if (k != null) {
          k.at(s.b() % 4 == 2 ? u.sub(u.floor()).sub(0.5) : u.sub(u.round()));
        }
        Tensor r =
            switch (s.b() % 4) {
              case 0 -> u.floor();
              case 1 -> u.ceil();
              case 2 -> u.round();
              default -> u.trunc();
            };
        yield r.mul(0.25).add(t);
      }
      case FRAC -> {
        Tensor u = t.mul(2);
        noteKink(k, u.sub(u.round()));
        yield u.frac();
      }
      case NAN_TO_NUM -> t.nanToNum().mul(t.cos());
      case REMAINDER_OR_FMOD_Y -> {
        Tensor w = operand(y, t, s.b(), true);
        if (k != null) { // |w| >= 0.25, and t/w away from the integers where the result jumps
          k.atLeast(w.abs(), 0.25);
          Tensor q = t.div(w);
          k.at(q.sub(q.round()));
        }
        yield s.b() % 2 == 0 ? t.remainder(w) : t.fmod(w);
      }
      case ATAN2_Y -> {
        noteKink(k, t); // the jump from π to -π where t crosses 0 with w < 0, and the pole at 0
        yield t.atan2(operand(y, t, s.b(), true));
      }
      case LERP_Y -> {
        Tensor w = operand(y, t, s.b(), true);
        // weights on both sides of ½, where lerp switches between its two (equal) forms
        yield s.b() % 2 == 0 ? t.lerp(w.cos(), w.sigmoid().mul(1.5)) : t.lerp(w, 0.75);
      }
      case FLIP_OR_ROLL ->
          s.b() % 2 == 0 ? t.flip(axis) : rank == 0 ? null : t.roll(1 + s.b() % 3, axis);
      case REPEAT_TILE_OR_INTERLEAVE -> {
        if (2 * t.numel() > RandomProgram.MAX_NUMEL) {
          yield null;
        }
        int[] r = new int[Math.max(rank, 1)];
        Arrays.fill(r, 1);
        r[axis] = 2;
        yield switch (s.b() % 3) {
          case 0 -> t.repeat(r);
          case 1 -> t.tile(2);
          default -> t.repeatInterleave(2, axis);
        };
      }
      case SPLIT_CHUNK_OR_UNBIND -> {
        if (rank == 0) {
          yield null;
        }
        Tensor[] p =
            switch (s.b() % 3) {
              case 0 -> t.split(1 + s.a() % 2, axis);
              case 1 -> t.chunk(2, axis);
              default -> t.unbind(axis);
            };
        for (int i = 0; i < p.length; i++) { // reversed and weighted, so a mixed-up piece shows
          p[i] = p[i].mul(i + 1);
        }
        java.util.Collections.reverse(Arrays.asList(p));
        yield s.b() % 3 == 2 ? Tensor.stack(axis, p) : Tensor.cat(axis, p);
      }
      case TRIANGLE_OR_DIAGONAL -> {
        if (rank < 2) {
          yield t.numel() > 8 ? null : atLeast1d(t).diag(s.b() % 3 - 1);
        }
        yield switch (s.b() % 3) {
          case 0 -> t.triu(s.a() % 3 - 1);
          case 1 -> t.tril(s.a() % 3 - 1);
          default -> t.diagonal(s.a() % 2, -1, 0).add(t.sum());
        };
      }
      case MOVEDIM_OR_NARROW -> {
        if (rank == 0) {
          yield null;
        }
        yield s.b() % 2 == 0
            ? t.movedim(axis, rank - 1)
            : t.narrow(axis, shape[axis] > 1 ? 1 : 0, Math.max(1, shape[axis] - 1));
      }
      case OUTER_OR_KRON_Y -> {
        if (2 * t.numel() > RandomProgram.MAX_NUMEL || t.numel() > 16) {
          yield null;
        }
        Tensor w = cyclic(y, new int[] {2}, s.b()).tanh();
        yield s.b() % 2 == 0 ? t.reshape(-1).outer(w) : t.kron(w);
      }
      case EINSUM_Y -> {
        if (rank == 0) {
          yield null;
        }
        int n = shape[rank - 1];
        yield s.b() % 2 == 0
            ? Tensor.einsum("...i,ij->...j", t, cyclic(y, new int[] {n, 2}, s.b()).tanh())
            : Tensor.einsum("...i,...i->...", t, t.sin());
      }
      case MATMUL_SELF -> {
        Tensor m = atLeast1d(t).reshape(-1, atLeast1d(t).shape()[Math.max(rank - 1, 0)]);
        int rows = m.shape()[0];
        int cols = m.shape()[1];
        yield rows <= cols ? m.matmul(m.transpose().tanh()) : m.transpose().tanh().matmul(m);
      }
    };
  }

  /** t·sin(w) with its own rules; the engine undoes broadcasting of its gradients. */
  static final CustomFunction TIMES_SIN =
      CustomFunction.of(
          "TimesSin",
          in -> in[0].mul(in[1].sin()),
          (g, out, in) -> new Tensor[] {g.mul(in[1].sin()), g.mul(in[0]).mul(in[1].cos())},
          (dt, out, in) -> {
            Tensor a = dt[0] == null ? null : dt[0].mul(in[1].sin());
            Tensor b = dt[1] == null ? null : dt[1].mul(in[0]).mul(in[1].cos());
            return a == null ? b : b == null ? a : a.add(b);
          });

  /**
   * t times a matrix (or vector) built from y: on the right ({@code [.., n] @ [n, m]}, {@code [n]}
   * or, batched, {@code [b, n, m]}) or on the left ({@code [m, r] @ [.., r, n]}).
   */
  private static Tensor matmulY(ProgramStep s, Tensor t, Tensor y) {
    int rank = t.dim();
    if (rank == 0) {
      return null;
    }
    int[] shape = t.shape();
    int m = 1 + s.a() % 3;
    int n = shape[rank - 1];
    if (rank >= 2 && s.b() % 2 == 1) {
      return cyclic(y, new int[] {m, shape[rank - 2]}, s.b()).tanh().matmul(t);
    }
    int[] w =
        switch (s.a() % 4) {
          case 0 -> new int[] {n};
          case 1 -> rank == 3 ? new int[] {shape[0], n, m} : new int[] {n, m};
          default -> new int[] {n, m};
        };
    return t.matmul(cyclic(y, w, s.b()).tanh());
  }
}
