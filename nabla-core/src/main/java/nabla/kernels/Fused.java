package nabla.kernels;

import java.util.Arrays;
import nabla.DType;
import nabla.storage.Shapes;
import nabla.storage.Storage;

/**
 * One pass over memory for a chain of elementwise operations (numexpr's and XLA's loop fusion): a
 * small register program runs block by block over the elements of one shape, so that the values
 * between the operations live in cache-sized scratch blocks instead of full-size arrays. Knows
 * nothing of graphs: the caller (the compiler in {@code nabla}) hands it operands, instructions and
 * where results go.
 *
 * <p>Slots name the values of the program: slots {@code 0 .. operands-1} are the operands (strided
 * views broadcast to the shape), the others are instruction results. An instruction's result is
 * written straight into its output storage when it has one (a value needed after the pass), else
 * into a scratch block of the running thread. Each instruction applies the same flat range kernel
 * that the eager operation uses, so every stored element has exactly the bits the eager operation
 * gives; the requested full sums are accumulated per block with the eager sum kernel and added in
 * block order, so they do not depend on the thread count (but may differ from the eager sum in the
 * last bits, which groups the additions differently).
 *
 * <pre>{@code
 * // out = exp(a * b), total = sum(out), over n float32 elements
 * Fused.Program p = new Fused.Program(DType.FLOAT32, new int[] {n}, 2,
 *     new Fused.Instr[] {Fused.Instr.binary(BinaryOp.MUL, 0, 1), Fused.Instr.unary(UnaryOp.EXP, 2)});
 * double[] sums = Fused.run(p, new Fused.Operand[] {a, b}, new Storage[] {null, out}, new int[] {3});
 * }</pre>
 */
public final class Fused {
  private Fused() {}

  /**
   * Working set of one block's scratch values, in bytes: a fraction of any L2 cache (W5's pass
   * measured the same from 48 KiB to 1 MiB on a Zen 5). {@code -Dnabla.fused.scratchBytes=N}
   * overrides it, for experiments.
   */
  private static final int SCRATCH_BYTES =
      Integer.getInteger("nabla.fused.scratchBytes", 96 * 1024);

  /** Block bounds in elements (multiples of 64, so vector loops see whole vectors). */
  private static final int MIN_BLOCK = 512;

  private static final int MAX_BLOCK = 8192;

  /** Blocks per parallel chunk at least, so that a chunk amortises waking a thread. */
  private static final int MIN_BLOCKS_PER_CHUNK = 8;

  /** What an instruction does. */
  public enum Kind {
    /** {@code unary(a)}. */
    UNARY,
    /** {@code binary(a, b)}, arithmetic. */
    BINARY,
    /** {@code a op b}, a comparison: a bool result. */
    COMPARE,
    /** {@code a ? b : c}, {@code a} bool. */
    WHERE
  }

  /**
   * One instruction, its result in the next slot.
   *
   * @param kind what it does
   * @param unary the one-input op (UNARY), else null
   * @param binary the two-input op (BINARY, COMPARE), else null
   * @param a the slot of the first input
   * @param b the slot of the second input, or -1
   * @param c the slot of the third input (WHERE), or -1
   */
  public record Instr(Kind kind, UnaryOp unary, BinaryOp binary, int a, int b, int c) {
    /** A one-input instruction. */
    public static Instr unary(UnaryOp op, int a) {
      return new Instr(Kind.UNARY, op, null, a, -1, -1);
    }

    /** A two-input instruction (arithmetic, not a comparison). */
    public static Instr binary(BinaryOp op, int a, int b) {
      if (op.isComparison()) {
        throw new IllegalArgumentException("Fused: " + op + " is a comparison; use compare");
      }
      return new Instr(Kind.BINARY, null, op, a, b, -1);
    }

    /** A comparison of two values of the program's dtype, with a bool result. */
    public static Instr compare(BinaryOp op, int a, int b) {
      if (!op.isComparison()) {
        throw new IllegalArgumentException("Fused: " + op + " is not a comparison");
      }
      return new Instr(Kind.COMPARE, null, op, a, b, -1);
    }

    /** {@code cond ? a : b}, cond a bool slot. */
    public static Instr where(int cond, int a, int b) {
      return new Instr(Kind.WHERE, null, null, cond, a, b);
    }

    int inputs() {
      return kind == Kind.UNARY ? 1 : kind == Kind.WHERE ? 3 : 2;
    }

    int input(int i) {
      return i == 0 ? a : i == 1 ? b : c;
    }
  }

  /**
   * An operand: a view of {@code storage} whose {@code strides} are already broadcast to the
   * program's shape (0 along broadcast dimensions).
   */
  public record Operand(Storage storage, int offset, int[] strides) {}

  /**
   * A program: its dtype (float32 or float64: every value but the bool results of comparisons and
   * the bool conditions of {@code where} has it), the shape it runs over, its operand count and its
   * instructions. Instruction {@code k}'s result is slot {@code operands + k}.
   */
  public record Program(DType dtype, int[] shape, int operands, Instr[] instrs) {
    public Program {
      if (dtype != DType.FLOAT32 && dtype != DType.FLOAT64) {
        throw new IllegalArgumentException("Fused: " + dtype + " is not float32 or float64");
      }
      for (int k = 0; k < instrs.length; k++) {
        Instr in = instrs[k];
        int limit = operands + k;
        for (int i = 0; i < in.inputs(); i++) {
          if (in.input(i) < 0 || in.input(i) >= limit) {
            throw new IllegalArgumentException("Fused: instruction " + k + " reads a later slot");
          }
        }
      }
    }

    /** Number of slots: operands and instruction results. */
    int slots() {
      return operands + instrs.length;
    }
  }

  /**
   * Runs {@code p}: instruction results with a storage in {@code outputs} (indexed by instruction)
   * are stored there contiguously from offset 0; returns the full sum of each slot in {@code sums},
   * in double.
   *
   * @param p the program
   * @param operands one view per operand slot, of the program's dtype
   * @param outputs per instruction, a contiguous storage of the shape's size for its result, or
   *     null when the result is only needed inside the pass
   * @param sums slots whose full sums are wanted
   * @return the sums, in the order of {@code sums}
   */
  public static double[] run(Program p, Operand[] operands, Storage[] outputs, int[] sums) {
    int n = Shapes.numel(p.shape());
    DType[] types = slotTypes(p, operands, outputs, sums);
    boolean[] gathered = gathered(p, operands);
    int block = block(p, outputs, gathered, n);
    int blocks = (int) (((long) n + block - 1) / block);
    double[][] partial = new double[sums.length][Math.max(1, blocks)];
    int fblock = block;
    Parallel.forRange(
        0,
        blocks,
        MIN_BLOCKS_PER_CHUNK,
        (s, e) -> {
          Runner r = new Runner(p, types, operands, outputs, gathered, fblock);
          for (int b = s; b < e; b++) {
            int start = b * fblock;
            r.block(start, Math.min(fblock, n - start), sums, partial, b);
          }
        });
    double[] total = new double[sums.length];
    for (int j = 0; j < sums.length; j++) {
      double t = 0;
      for (int b = 0; b < blocks; b++) {
        t += partial[j][b];
      }
      total[j] = t;
    }
    return total;
  }

  /**
   * Runs {@code p} over the elements {@code [start, end)} only, on the calling thread, without
   * sums: for an epilogue that works on the rows of a matrix product as they become final ({@link
   * Gemm.RowEpilogue}). Stored values are the same bits as {@link #run} gives.
   */
  public static void runRange(
      Program p, Operand[] operands, Storage[] outputs, int start, int end) {
    int[] noSums = new int[0];
    DType[] types = slotTypes(p, operands, outputs, noSums);
    boolean[] gathered = gathered(p, operands);
    int len = Math.max(0, end - start);
    int block = block(p, outputs, gathered, len);
    if (len == 0) {
      return;
    }
    Runner r = new Runner(p, types, operands, outputs, gathered, block);
    double[][] none = new double[0][];
    for (int s = start; s < end; s += block) {
      r.block(s, Math.min(block, end - s), noSums, none, 0);
    }
  }

  /** Which operands are neither contiguous nor one value, so each block gathers them. */
  private static boolean[] gathered(Program p, Operand[] operands) {
    boolean[] gathered = new boolean[p.operands()];
    for (int i = 0; i < p.operands(); i++) {
      gathered[i] = stride(p.shape(), operands[i].strides()) < 0;
    }
    return gathered;
  }

  /**
   * The block length for {@code len} elements: the scratch values (results without an output and
   * gathered operands) of one block fit {@link #SCRATCH_BYTES}, and a block is no longer than the
   * data.
   */
  private static int block(Program p, Storage[] outputs, boolean[] gathered, int len) {
    int scratch = 0;
    for (Storage o : outputs) {
      scratch += o == null ? 1 : 0;
    }
    for (boolean g : gathered) {
      scratch += g ? 1 : 0;
    }
    int esize = p.dtype() == DType.FLOAT32 ? 4 : 8;
    return Math.min(blockSize(Math.max(1, scratch), esize), (len + 63) & ~63);
  }

  /** The dtype of every slot, checked against what each instruction needs. */
  private static DType[] slotTypes(Program p, Operand[] operands, Storage[] outputs, int[] sums) {
    DType f = p.dtype();
    if (operands.length != p.operands() || outputs.length != p.instrs().length) {
      throw new IllegalArgumentException(
          "Fused: "
              + operands.length
              + " operands and "
              + outputs.length
              + " outputs for a program of "
              + p.operands()
              + " and "
              + p.instrs().length);
    }
    DType[] t = new DType[p.slots()];
    for (int i = 0; i < p.operands(); i++) {
      t[i] = operands[i].storage().dtype();
      if (t[i] != f && t[i] != DType.BOOL) {
        throw new IllegalArgumentException(
            "Fused: operand " + i + " is " + t[i] + "; the program computes in " + f);
      }
    }
    for (int k = 0; k < p.instrs().length; k++) {
      Instr in = p.instrs()[k];
      for (int i = 0; i < in.inputs(); i++) {
        DType want = in.kind() == Kind.WHERE && i == 0 ? DType.BOOL : f;
        if (t[in.input(i)] != want) {
          throw new IllegalArgumentException(
              "Fused: instruction "
                  + k
                  + " ("
                  + in.kind()
                  + ") input "
                  + i
                  + " is "
                  + t[in.input(i)]
                  + ", not "
                  + want);
        }
      }
      t[p.operands() + k] = in.kind() == Kind.COMPARE ? DType.BOOL : f;
      Storage o = outputs[k];
      if (o != null && (o.dtype() != t[p.operands() + k] || o.size() < Shapes.numel(p.shape()))) {
        throw new IllegalArgumentException(
            "Fused: the output of instruction " + k + " is " + o.dtype() + "[" + o.size() + "]");
      }
    }
    for (int s : sums) {
      if (t[s] != f) {
        throw new IllegalArgumentException("Fused: a sum of slot " + s + ", which is " + t[s]);
      }
    }
    return t;
  }

  /** Block length for {@code values} scratch values of {@code esize} bytes. */
  static int blockSize(int values, int esize) {
    int b = SCRATCH_BYTES / (values * esize);
    b = Math.max(MIN_BLOCK, Math.min(MAX_BLOCK, b));
    return b & ~63;
  }

  /** 1 when the view is contiguous over the shape, 0 when it is one value, -1 otherwise. */
  private static int stride(int[] shape, int[] strides) {
    if (Binary.isFlat(shape, strides)) {
      return 1;
    }
    for (int i = 0; i < shape.length; i++) {
      if (strides[i] != 0 && shape[i] != 1) {
        return -1;
      }
    }
    return 0;
  }

  /** One thread's scratch blocks and the per-block views of every slot. */
  private static final class Runner {
    private final Program p;
    private final Operand[] operands;
    private final Storage[] outputs;
    private final boolean[] gathered;
    private final Storage[] scratch;
    // where each slot's block lies, for the current block
    private final Storage[] at;
    private final int[] off;
    private final int[] step;
    private final int[] flat;

    Runner(
        Program p,
        DType[] types,
        Operand[] operands,
        Storage[] outputs,
        boolean[] gathered,
        int block) {
      this.p = p;
      this.operands = operands;
      this.outputs = outputs;
      this.gathered = gathered;
      int slots = p.slots();
      scratch = new Storage[slots];
      at = new Storage[slots];
      off = new int[slots];
      step = new int[slots];
      flat = new int[p.operands()];
      for (int i = 0; i < p.operands(); i++) {
        flat[i] = stride(p.shape(), operands[i].strides());
        if (gathered[i]) {
          scratch[i] = Storage.allocate(types[i], block);
        }
      }
      for (int k = 0; k < p.instrs().length; k++) {
        if (outputs[k] == null) {
          scratch[p.operands() + k] = Storage.allocate(types[p.operands() + k], block);
        }
      }
    }

    void block(int start, int len, int[] sums, double[][] partial, int b) {
      for (int i = 0; i < p.operands(); i++) {
        Operand o = operands[i];
        if (gathered[i]) {
          gather(o, start, len, scratch[i]);
          set(i, scratch[i], 0, 1);
        } else if (flat[i] == 1) {
          set(i, o.storage(), o.offset() + start, 1);
        } else {
          set(i, o.storage(), o.offset(), 0);
        }
      }
      Instr[] instrs = p.instrs();
      for (int k = 0; k < instrs.length; k++) {
        int slot = p.operands() + k;
        Instr in = instrs[k];
        Storage dst = outputs[k] != null ? outputs[k] : scratch[slot];
        int dOff = outputs[k] != null ? start : 0;
        int a = in.a();
        int c = in.b();
        switch (in.kind()) {
          case BINARY ->
              Flat.binaryRange(
                  in.binary(), at[a], off[a], step[a], at[c], off[c], step[c], dst, dOff, len);
          case COMPARE ->
              Flat.compareRange(
                  in.binary(), at[a], off[a], step[a], at[c], off[c], step[c], dst, dOff, len);
          case WHERE -> {
            int e = in.c();
            Flat.whereRange(
                at[a], off[a], step[a], at[c], off[c], step[c], at[e], off[e], step[e], dst, dOff,
                len);
          }
          case UNARY -> {
            if (step[a] == 1) {
              Flat.unaryRange(in.unary(), at[a], off[a], dst, dOff, len);
            } else {
              // a broadcast value: the op once, then spread (the same bits as elementwise)
              Flat.unaryRange(in.unary(), at[a], off[a], dst, dOff, 1);
              spread(dst, dOff, len);
            }
          }
        }
        set(slot, dst, dOff, 1);
      }
      for (int j = 0; j < sums.length; j++) {
        int s = sums[j];
        partial[j][b] = step[s] == 0 ? at[s].getDouble(off[s]) * len : Flat.sum(at[s], off[s], len);
      }
    }

    private void set(int slot, Storage s, int o, int st) {
      at[slot] = s;
      off[slot] = o;
      step[slot] = st;
    }

    private static void spread(Storage s, int o, int len) {
      if (s.f != null) {
        Arrays.fill(s.f, o + 1, o + len, s.f[o]);
      } else if (s.d != null) {
        Arrays.fill(s.d, o + 1, o + len, s.d[o]);
      } else {
        Arrays.fill(s.b, o + 1, o + len, s.b[o]);
      }
    }

    /** Copies elements {@code start .. start+len} (in the shape's row-major order) of a view. */
    private void gather(Operand o, int start, int len, Storage dst) {
      int[] shape = p.shape();
      int rank = shape.length;
      int[] idx = new int[rank];
      long rest = start;
      for (int d = rank - 1; d >= 0; d--) {
        idx[d] = (int) (rest % shape[d]);
        rest /= shape[d];
      }
      int[] st = o.strides();
      int inner = rank - 1;
      int done = 0;
      while (done < len) {
        int src = o.offset();
        for (int d = 0; d < rank; d++) {
          src += idx[d] * st[d];
        }
        int run = Math.min(len - done, shape[inner] - idx[inner]);
        Storage.convert(o.storage(), src, st[inner], dst, done, 1, run);
        done += run;
        idx[inner] += run;
        for (int d = inner; d > 0 && idx[d] == shape[d]; d--) {
          idx[d] = 0;
          idx[d - 1]++;
        }
      }
    }
  }
}
