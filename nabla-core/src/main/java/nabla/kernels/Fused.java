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

  /** Working set of one block's scratch values, in bytes: a fraction of any L2 cache. */
  private static final int SCRATCH_BYTES =
      Integer.getInteger("nabla.fused.scratchBytes", 96 * 1024);

  /** Block bounds in elements (multiples of 64, so vector loops see whole vectors). */
  private static final int MIN_BLOCK = 512;

  private static final int MAX_BLOCK = 8192;

  /** Blocks per parallel chunk at least, so that a chunk amortises waking a thread. */
  private static final int MIN_BLOCKS_PER_CHUNK = 8;

  /**
   * One instruction: {@code unary(a)} or {@code binary(a, b)}, its result in the next slot.
   *
   * @param unary the one-input op, or null
   * @param binary the two-input arithmetic op, or null
   * @param a the slot of the first input
   * @param b the slot of the second input (binary only)
   */
  public record Instr(UnaryOp unary, BinaryOp binary, int a, int b) {
    /** A one-input instruction. */
    public static Instr unary(UnaryOp op, int a) {
      return new Instr(op, null, a, -1);
    }

    /** A two-input instruction (arithmetic, not a comparison). */
    public static Instr binary(BinaryOp op, int a, int b) {
      if (op.isComparison()) {
        throw new IllegalArgumentException("Fused: " + op + " is a comparison; not fusible");
      }
      return new Instr(null, op, a, b);
    }
  }

  /**
   * An operand: a view of {@code storage} whose {@code strides} are already broadcast to the
   * program's shape (0 along broadcast dimensions).
   */
  public record Operand(Storage storage, int offset, int[] strides) {}

  /**
   * A program: its dtype (float32 or float64; every operand and result has it), the shape it runs
   * over, its operand count and its instructions. Instruction {@code k}'s result is slot {@code
   * operands + k}.
   */
  public record Program(DType dtype, int[] shape, int operands, Instr[] instrs) {
    public Program {
      if (dtype != DType.FLOAT32 && dtype != DType.FLOAT64) {
        throw new IllegalArgumentException("Fused: " + dtype + " is not float32 or float64");
      }
      for (int k = 0; k < instrs.length; k++) {
        Instr in = instrs[k];
        int limit = operands + k;
        if (in.a() < 0
            || in.a() >= limit
            || (in.binary() != null && (in.b() < 0 || in.b() >= limit))) {
          throw new IllegalArgumentException("Fused: instruction " + k + " reads a later slot");
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
    int esize = p.dtype() == DType.FLOAT32 ? 4 : 8;
    // scratch values: instruction results without output, and operands that must be gathered
    int scratch = 0;
    for (int k = 0; k < p.instrs().length; k++) {
      scratch += outputs[k] == null ? 1 : 0;
    }
    boolean[] gathered = new boolean[p.operands()];
    for (int i = 0; i < p.operands(); i++) {
      Operand o = operands[i];
      if (o.storage().dtype() != p.dtype()) {
        throw new IllegalArgumentException(
            "Fused: operand " + i + " is " + o.storage().dtype() + ", the program " + p.dtype());
      }
      gathered[i] = stride(p.shape(), o.strides()) < 0;
      scratch += gathered[i] ? 1 : 0;
    }
    int block = blockSize(Math.max(1, scratch), esize);
    int blocks = (int) (((long) n + block - 1) / block);
    double[][] partial = new double[sums.length][Math.max(1, blocks)];
    int fblock = block;
    Parallel.forRange(
        0,
        blocks,
        MIN_BLOCKS_PER_CHUNK,
        (s, e) -> {
          Runner r = new Runner(p, operands, outputs, gathered, fblock);
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

    Runner(Program p, Operand[] operands, Storage[] outputs, boolean[] gathered, int block) {
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
          scratch[i] = Storage.allocate(p.dtype(), block);
        }
      }
      for (int k = 0; k < p.instrs().length; k++) {
        if (outputs[k] == null) {
          scratch[p.operands() + k] = Storage.allocate(p.dtype(), block);
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
        if (in.binary() != null) {
          int c = in.b();
          Flat.binaryRange(
              in.binary(), at[a], off[a], step[a], at[c], off[c], step[c], dst, dOff, len);
        } else if (step[a] == 1) {
          Flat.unaryRange(in.unary(), at[a], off[a], dst, dOff, len);
        } else {
          // a broadcast value: the op once, then spread (the same bits as elementwise)
          Flat.unaryRange(in.unary(), at[a], off[a], dst, dOff, 1);
          spread(dst, dOff, len);
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
      } else {
        Arrays.fill(s.d, o + 1, o + len, s.d[o]);
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
