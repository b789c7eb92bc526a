// GENERATED from VectorGemmDouble.java by tools/codegen/GenerateFloatKernels.java: do not edit.
// Edit VectorGemmDouble.java and run `java tools/codegen/GenerateFloatKernels.java` (from the repository root).
package nabla.kernels;

import static nabla.kernels.GemmTuning.F_NC;
import static nabla.kernels.GemmTuning.KC;
import static nabla.kernels.GemmTuning.MC;
import static nabla.kernels.GemmTuning.MR;
import static nabla.kernels.GemmTuning.SMALL_NB;

import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API provider's {@link GemmKernelsFloat}: the packed micro-kernel and the skinny
 * kernels for float32, used by the driver {@link GemmFloat}.
 *
 * <p>Single-threaded; the driver splits the output among threads and calls these methods once per
 * tile. All indices are assumed valid (checked by {@link Gemm}); {@code m, n, k >= 1}. C is
 * addressed as {@code c[cOff + i*crs + j*ccs]} so that the driver can compute a transposed problem.
 *
 * <p>Packed path (BLIS-style, with the roles of A and B chosen for a row-major C): the micro-kernel
 * computes an {@code MR x NR} tile of C with {@code MR} = 8 rows and {@code NR} = two vectors of
 * columns, holding it in 16 vector registers while it streams a packed {@code MR x kc} sliver of A
 * (stays in L1) and a packed {@code kc x NR} sliver of B. The packed {@code kc x nc} block of B
 * ({@code KC x F_NC} elements, 512 KiB: half of a 1 MiB L2; see {@link GemmTuning}) is reused by
 * every row sliver of A; A is packed one {@code mc x kc} block at a time. Measured on Zen 4 / JDK
 * 25 (in float32): the 8 x 2-vector tile reaches about 113 GFLOP/s in isolation versus 102 for 4 x
 * 2 and 108 for 6 x 2; block sizes between 128 and 512 made no measurable difference at n =
 * 1024-2048, the micro-kernel dominates. Partial tiles are computed into a scratch tile and copied
 * out.
 *
 * <p>Skinny products ({@link #smallM}, {@link #smallN}) skip packing, because there the large
 * operand is used only a few times and packing it would cost as much as the arithmetic.
 */
final class VectorGemmFloat implements GemmKernelsFloat {
  /** The one instance (the pack buffers are pooled in static state). */
  static final VectorGemmFloat INSTANCE = new VectorGemmFloat();

  private VectorGemmFloat() {}

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();

  /** Columns of the micro-tile: two vectors. */
  static final int NR = 2 * LANES;

  /** Vectors of 8 lanes, for {@link #packB}'s 8 x 8 transposes. */
  private static final VectorSpecies<Float> T8 =
      VectorSpecies.of(float.class, VectorShape.forBitSize(8 * Float.SIZE));

  /**
   * Whether {@link #packB} transposes 8 x 8 blocks in registers: when 8-lane vectors are no wider
   * than this machine's (not for float32 under AVX2) and a sliver is a whole number of them.
   */
  private static final boolean TRANSPOSE8 =
      T8.vectorBitSize() <= SPECIES.vectorBitSize() && NR % 8 == 0;

  /**
   * The two shuffles of one stage of the 8 x 8 transpose (a perfect shuffle of two vectors: lane o
   * of the result is lane {@code h + o/2} of the first vector for even o, of the second for odd o,
   * with h = 0 for the low half and 4 for the high half).
   */
  private static final VectorShuffle<Float> ZIP_LO = zip(0), ZIP_HI = zip(4);

  private static VectorShuffle<Float> zip(int h) {
    int[] index = new int[8];
    for (int o = 0; o < 8; o++) {
      index[o] = h + o / 2 + (o % 2 == 1 ? 8 : 0); // 8 and up: the second vector's lanes
    }
    return VectorShuffle.fromArray(T8, index, 0);
  }

  @Override
  public int mr() {
    return MR;
  }

  @Override
  public int nr() {
    return NR;
  }

  @Override
  public boolean hasSkinnyKernels() {
    return true;
  }

  @Override
  public void gemm(
      int m,
      int n,
      int k,
      float[] a,
      int aOff,
      int ars,
      int acs,
      float[] b,
      int bOff,
      int brs,
      int bcs,
      float[] c,
      int cOff,
      int crs,
      int ccs) {
    // Equal k-blocks of at most KC (k = 784 gives 4 x 196, not 3 x 256 + a 16-deep sliver
    // that reloads and stores all of C for little work).
    int kcStep = Gemm.balancedDepth(k, KC);
    int kcMax = Math.min(k, kcStep);
    int mcMax = Math.min(m, MC);
    int ncMax = Math.min(n, F_NC);
    Workspace ws = Workspace.acquire();
    try {
      float[] ap = ws.a(Gemm.roundUp(mcMax, MR) * kcMax);
      float[] bp = ws.b(Gemm.roundUp(ncMax, NR) * kcMax);
      float[] tmp = ws.t(MR * NR);
      boolean direct = readsADirectly(ars, acs);
      for (int ic = 0; ic < m; ic += MC) {
        int mc = Math.min(MC, m - ic);
        for (int pc = 0; pc < k; pc += kcStep) {
          int kc = Math.min(kcStep, k - pc);
          int aBase = aOff + ic * ars + pc * acs;
          if (!direct) {
            packA(mc, kc, a, aBase, ars, acs, ap);
          }
          for (int jc = 0; jc < n; jc += F_NC) {
            int nc = Math.min(F_NC, n - jc);
            packB(kc, nc, b, bOff + pc * brs + jc * bcs, brs, bcs, bp, 0);
            int cBase = cOff + ic * crs + jc * ccs;
            if (direct) {
              macroDirect(mc, nc, kc, a, aBase, ars, acs, ap, bp, c, cBase, crs, ccs, pc > 0, tmp);
            } else {
              macro(mc, nc, kc, ap, bp, c, cBase, crs, ccs, pc > 0, tmp);
            }
          }
        }
      }
    } finally {
      ws.release();
    }
  }

  @Override
  public boolean gemmShared(
      int m,
      int n,
      int k,
      float[] a,
      int aOff,
      int ars,
      int acs,
      float[] b,
      int bOff,
      int brs,
      int bcs,
      float[] c,
      int cOff,
      int crs,
      int ccs) {
    // The same blocking as gemm (so every element of C sees the same sums in the same order),
    // with the loops reordered so that one packed block of B serves all threads: for each
    // (column block, depth block) the threads first pack the NR-wide slivers of B together, then
    // take row blocks of A one at a time, each packing its own rows and running the micro-kernel
    // against the shared block. Compared with one tile of C per thread, B is packed once instead
    // of once per row band, and a thread that is descheduled delays one row block, not half of C.
    int kcStep = Gemm.balancedDepth(k, KC);
    int kcMax = Math.min(k, kcStep);
    int ncMax = Math.min(n, F_NC);
    int mb = Gemm.rowBlock(m, MR, Parallel.threads(), MC);
    boolean direct = readsADirectly(ars, acs);
    int blocks = (m + mb - 1) / mb;
    Workspace shared = Workspace.acquire();
    try {
      float[] bp = shared.b(Gemm.roundUp(ncMax, NR) * kcMax);
      for (int jc = 0; jc < n; jc += F_NC) {
        int nc = Math.min(F_NC, n - jc);
        int slivers = (nc + NR - 1) / NR;
        for (int pc = 0; pc < k; pc += kcStep) {
          int kc = Math.min(kcStep, k - pc);
          int bBase = bOff + pc * brs + jc * bcs;
          Parallel.forEachPiece(
              slivers,
              (s0, s1) -> {
                int j0 = s0 * NR;
                int j1 = Math.min(nc, s1 * NR);
                packB(kc, j1 - j0, b, bBase + j0 * bcs, brs, bcs, bp, j0 * kc);
              });
          int aBase = aOff + pc * acs;
          int cBase = cOff + jc * ccs;
          boolean acc = pc > 0;
          Parallel.forEachPiece(
              blocks,
              (r0, r1) -> {
                Workspace ws = Workspace.acquire();
                try {
                  float[] ap = ws.a(Gemm.roundUp(mb, MR) * kcMax);
                  float[] tmp = ws.t(MR * NR);
                  for (int r = r0; r < r1; r++) {
                    int i0 = r * mb;
                    int mc = Math.min(mb, m - i0);
                    int ai = aBase + i0 * ars;
                    int ci = cBase + i0 * crs;
                    if (direct) {
                      macroDirect(mc, nc, kc, a, ai, ars, acs, ap, bp, c, ci, crs, ccs, acc, tmp);
                    } else {
                      packA(mc, kc, a, ai, ars, acs, ap);
                      macro(mc, nc, kc, ap, bp, c, ci, crs, ccs, acc, tmp);
                    }
                  }
                } finally {
                  ws.release();
                }
              });
        }
      }
    } finally {
      shared.release();
    }
    return true;
  }

  /**
   * Whether the micro-kernel reads A where it lies instead of from a packed copy: when A's rows are
   * contiguous, the eight rows of a sliver are eight sequential streams that stay in L1 while every
   * column sliver of B passes, so packing A (10 % of a 256x256x784 product) buys nothing. Measured
   * on one thread (AMD EPYC family 26, thread CPU time): 256x256x784 with A row-major 204 -> 227
   * GFLOP/s, with B transposed as well 184 -> 201. Not for a transposed A: there each step of p
   * jumps a whole column, 8 useful floats per cache line, and 256x784x256 fell from 224 to 196.
   * Each element of C is computed exactly as from the packed copy.
   */
  @Override
  public boolean packsA(int ars, int acs) {
    return !readsADirectly(ars, acs);
  }

  private static boolean readsADirectly(int ars, int acs) {
    // Rows a multiple of 4 KiB apart fall into one L1 set (1024x1024 float32 lost 5 % read in
    // place), so those are packed as before.
    return Gemm.DIRECT_A && acs == 1 && ((long) ars * Float.BYTES) % 4096 != 0;
  }

  /** {@link #macro} reading A in place ({@link #kernelDirect}); a partial sliver is packed. */
  private static void macroDirect(
      int mc,
      int nc,
      int kc,
      float[] a,
      int aBase,
      int ars,
      int acs,
      float[] ap,
      float[] bp,
      float[] c,
      int cBase,
      int crs,
      int ccs,
      boolean acc,
      float[] tmp) {
    for (int ir = 0; ir < mc; ir += MR) {
      int mr = Math.min(MR, mc - ir);
      int ai = aBase + ir * ars;
      if (mr < MR) { // the last rows: a zero-padded packed sliver, as macro uses
        packA(mr, kc, a, ai, ars, acs, ap);
      }
      for (int jr = 0; jr < nc; jr += NR) {
        int nr = Math.min(NR, nc - jr);
        int cIdx = cBase + ir * crs + jr * ccs;
        boolean full = nr == NR && ccs == 1;
        if (mr < MR) {
          kernel(kc, ap, 0, bp, jr * kc, tmp, 0, NR, false);
          scatter(mr, nr, tmp, NR, c, cIdx, crs, ccs, acc);
        } else if (full) {
          kernelDirect(kc, a, ai, ars, acs, bp, jr * kc, c, cIdx, crs, acc);
        } else {
          kernelDirect(kc, a, ai, ars, acs, bp, jr * kc, tmp, 0, NR, false);
          scatter(mr, nr, tmp, NR, c, cIdx, crs, ccs, acc);
        }
      }
    }
  }

  private static void macro(
      int mc,
      int nc,
      int kc,
      float[] ap,
      float[] bp,
      float[] c,
      int cBase,
      int crs,
      int ccs,
      boolean acc,
      float[] tmp) {
    for (int ir = 0; ir < mc; ir += MR) {
      int mr = Math.min(MR, mc - ir);
      int aIdx = ir * kc;
      for (int jr = 0; jr < nc; jr += NR) {
        int nr = Math.min(NR, nc - jr);
        int cIdx = cBase + ir * crs + jr * ccs;
        if (mr == MR && nr == NR && ccs == 1) {
          kernel(kc, ap, aIdx, bp, jr * kc, c, cIdx, crs, acc);
        } else {
          kernel(kc, ap, aIdx, bp, jr * kc, tmp, 0, NR, false);
          scatter(mr, nr, tmp, NR, c, cIdx, crs, ccs, acc);
        }
      }
    }
  }

  private static void scatter(
      int mr, int nr, float[] t, int ldt, float[] c, int cIdx, int crs, int ccs, boolean acc) {
    for (int i = 0; i < mr; i++) {
      int ci = cIdx + i * crs;
      int ti = i * ldt;
      if (acc) {
        for (int j = 0; j < nr; j++) {
          c[ci + j * ccs] += t[ti + j];
        }
      } else {
        for (int j = 0; j < nr; j++) {
          c[ci + j * ccs] = t[ti + j];
        }
      }
    }
  }

  /**
   * Packs the {@code mc x kc} block of A whose element (i, p) is {@code a[base + i*rs + p*cs]} into
   * row slivers of {@code MR} rows: {@code ap[ir*kc + p*MR + r] = A(ir + r, p)}, zero-padded.
   */
  private static void packA(int mc, int kc, float[] a, int base, int rs, int cs, float[] ap) {
    for (int ir = 0; ir < mc; ir += MR) {
      int mr = Math.min(MR, mc - ir);
      int dst = ir * kc;
      int src = base + ir * rs;
      if (mr == MR && rs == 1) {
        for (int p = 0; p < kc; p++) {
          int s = src + p * cs;
          int d = dst + p * MR;
          for (int r = 0; r < MR; r++) {
            ap[d + r] = a[s + r];
          }
        }
      } else if (mr == MR) {
        int s0 = src, s1 = s0 + rs, s2 = s1 + rs, s3 = s2 + rs;
        int s4 = s3 + rs, s5 = s4 + rs, s6 = s5 + rs, s7 = s6 + rs;
        for (int p = 0; p < kc; p++) {
          int o = p * cs;
          int d = dst + p * MR;
          ap[d] = a[s0 + o];
          ap[d + 1] = a[s1 + o];
          ap[d + 2] = a[s2 + o];
          ap[d + 3] = a[s3 + o];
          ap[d + 4] = a[s4 + o];
          ap[d + 5] = a[s5 + o];
          ap[d + 6] = a[s6 + o];
          ap[d + 7] = a[s7 + o];
        }
      } else {
        for (int p = 0; p < kc; p++) {
          int d = dst + p * MR;
          int s = src + p * cs;
          for (int r = 0; r < mr; r++) {
            ap[d + r] = a[s + r * rs];
          }
          for (int r = mr; r < MR; r++) {
            ap[d + r] = 0.0f;
          }
        }
      }
    }
  }

  /**
   * Packs the {@code kc x nc} block of B whose element (p, j) is {@code b[base + p*rs + j*cs]} into
   * column slivers of {@code NR} columns: {@code bp[bpOff + jr*kc + p*NR + j] = B(p, jr + j)},
   * zero-padded.
   */
  private static void packB(
      int kc, int nc, float[] b, int base, int rs, int cs, float[] bp, int bpOff) {
    int full = nc / NR * NR;
    if (cs == 1) {
      // Row-major B: walk 8 rows at a time across all slivers, so that the source is read as a
      // few sequential streams (rows far apart in memory defeat the prefetchers otherwise).
      for (int p0 = 0; p0 < kc; p0 += 8) {
        int pe = Math.min(kc, p0 + 8);
        for (int jr = 0; jr < full; jr += NR) {
          int dst = bpOff + jr * kc;
          for (int p = p0; p < pe; p++) {
            int s = base + p * rs + jr;
            int d = dst + p * NR;
            FloatVector.fromArray(SPECIES, b, s).intoArray(bp, d);
            FloatVector.fromArray(SPECIES, b, s + LANES).intoArray(bp, d + LANES);
          }
        }
      }
    } else if (rs == 1 && TRANSPOSE8 && kc >= 8) {
      // Contiguous columns (a transposed B: the W^T of x W^T): 8 x 8 blocks, each read as 8
      // column vectors and transposed in registers into 8 rows of the sliver. Measured on one
      // thread (AMD EPYC family 26, float32, the 784 x 256 W^T of a 256x784x256 product): 29 us
      // for the whole pack against 74 us for the element-by-element gather below.
      int kv = kc & ~7;
      for (int jr = 0; jr < full; jr += NR) {
        int dst = bpOff + jr * kc;
        int src = base + jr * cs;
        for (int g = 0; g < NR; g += 8) {
          int s = src + g * cs;
          int d = dst + g;
          for (int p = 0; p < kv; p += 8) {
            transpose8(b, s + p, cs, bp, d + p * NR);
          }
          for (int p = kv; p < kc; p++) {
            for (int j = 0; j < 8; j++) {
              bp[d + p * NR + j] = b[s + j * cs + p];
            }
          }
        }
      }
    } else if (NR % 8 == 0) {
      // Strided rows (e.g. a transposed B, whose columns are contiguous): gather 8 columns at a
      // time, in runs of 64 rows, so that the source streams and the destination rows stay in L1
      // (reading all columns of a sliver at once thrashes L1 when the column stride is a
      // multiple of 4 KiB).
      for (int jr = 0; jr < full; jr += NR) {
        int dst = bpOff + jr * kc;
        int src = base + jr * cs;
        for (int p0 = 0; p0 < kc; p0 += 64) {
          int pe = Math.min(kc, p0 + 64);
          for (int g = 0; g < NR; g += 8) {
            int s0 = src + g * cs, s1 = s0 + cs, s2 = s1 + cs, s3 = s2 + cs;
            int s4 = s3 + cs, s5 = s4 + cs, s6 = s5 + cs, s7 = s6 + cs;
            for (int p = p0; p < pe; p++) {
              int o = p * rs;
              int d = dst + p * NR + g;
              bp[d] = b[s0 + o];
              bp[d + 1] = b[s1 + o];
              bp[d + 2] = b[s2 + o];
              bp[d + 3] = b[s3 + o];
              bp[d + 4] = b[s4 + o];
              bp[d + 5] = b[s5 + o];
              bp[d + 6] = b[s6 + o];
              bp[d + 7] = b[s7 + o];
            }
          }
        }
      }
    } else {
      // Slivers narrower than 8 columns (vectors of 128 bits): one column at a time.
      for (int jr = 0; jr < full; jr += NR) {
        int dst = bpOff + jr * kc;
        int src = base + jr * cs;
        for (int j = 0; j < NR; j++) {
          for (int p = 0; p < kc; p++) {
            bp[dst + p * NR + j] = b[src + j * cs + p * rs];
          }
        }
      }
    }
    if (full < nc) {
      int nr = nc - full;
      int dst = bpOff + full * kc;
      int src = base + full * cs;
      for (int p = 0; p < kc; p++) {
        int s = src + p * rs;
        int d = dst + p * NR;
        for (int j = 0; j < nr; j++) {
          bp[d + j] = b[s + j * cs];
        }
        for (int j = nr; j < NR; j++) {
          bp[d + j] = 0.0f;
        }
      }
    }
  }

  /**
   * Writes the 8 x 8 block whose column j is {@code b[s + j*cs .. s + j*cs + 7]} as 8 rows {@code
   * bp[d + r*NR .. d + r*NR + 7]} (row r = element r of every column): three stages of perfect
   * shuffles of vector pairs, written out so that the vectors stay in registers.
   */
  private static void transpose8(float[] b, int s, int cs, float[] bp, int d) {
    FloatVector v0 = FloatVector.fromArray(T8, b, s + 0 * cs);
    FloatVector v1 = FloatVector.fromArray(T8, b, s + 1 * cs);
    FloatVector v2 = FloatVector.fromArray(T8, b, s + 2 * cs);
    FloatVector v3 = FloatVector.fromArray(T8, b, s + 3 * cs);
    FloatVector v4 = FloatVector.fromArray(T8, b, s + 4 * cs);
    FloatVector v5 = FloatVector.fromArray(T8, b, s + 5 * cs);
    FloatVector v6 = FloatVector.fromArray(T8, b, s + 6 * cs);
    FloatVector v7 = FloatVector.fromArray(T8, b, s + 7 * cs);
    FloatVector a0 = v0.rearrange(ZIP_LO, v4);
    FloatVector a1 = v0.rearrange(ZIP_HI, v4);
    FloatVector a2 = v1.rearrange(ZIP_LO, v5);
    FloatVector a3 = v1.rearrange(ZIP_HI, v5);
    FloatVector a4 = v2.rearrange(ZIP_LO, v6);
    FloatVector a5 = v2.rearrange(ZIP_HI, v6);
    FloatVector a6 = v3.rearrange(ZIP_LO, v7);
    FloatVector a7 = v3.rearrange(ZIP_HI, v7);
    FloatVector c0 = a0.rearrange(ZIP_LO, a4);
    FloatVector c1 = a0.rearrange(ZIP_HI, a4);
    FloatVector c2 = a1.rearrange(ZIP_LO, a5);
    FloatVector c3 = a1.rearrange(ZIP_HI, a5);
    FloatVector c4 = a2.rearrange(ZIP_LO, a6);
    FloatVector c5 = a2.rearrange(ZIP_HI, a6);
    FloatVector c6 = a3.rearrange(ZIP_LO, a7);
    FloatVector c7 = a3.rearrange(ZIP_HI, a7);
    FloatVector e0 = c0.rearrange(ZIP_LO, c4);
    FloatVector e1 = c0.rearrange(ZIP_HI, c4);
    FloatVector e2 = c1.rearrange(ZIP_LO, c5);
    FloatVector e3 = c1.rearrange(ZIP_HI, c5);
    FloatVector e4 = c2.rearrange(ZIP_LO, c6);
    FloatVector e5 = c2.rearrange(ZIP_HI, c6);
    FloatVector e6 = c3.rearrange(ZIP_LO, c7);
    FloatVector e7 = c3.rearrange(ZIP_HI, c7);
    e0.intoArray(bp, d + 0 * NR);
    e1.intoArray(bp, d + 1 * NR);
    e2.intoArray(bp, d + 2 * NR);
    e3.intoArray(bp, d + 3 * NR);
    e4.intoArray(bp, d + 4 * NR);
    e5.intoArray(bp, d + 5 * NR);
    e6.intoArray(bp, d + 6 * NR);
    e7.intoArray(bp, d + 7 * NR);
  }

  /**
   * The 8 x (2 vectors) micro-kernel: {@code C[0:8, 0:NR] (+)= Asliver * Bsliver} where C rows
   * start at {@code c[cIdx + i*ldc]}.
   */
  private static void kernel(
      int kc,
      float[] a,
      int aIdx,
      float[] b,
      int bIdx,
      float[] c,
      int cIdx,
      int ldc,
      boolean acc) {
    FloatVector c00 = FloatVector.zero(SPECIES), c01 = FloatVector.zero(SPECIES);
    FloatVector c10 = FloatVector.zero(SPECIES), c11 = FloatVector.zero(SPECIES);
    FloatVector c20 = FloatVector.zero(SPECIES), c21 = FloatVector.zero(SPECIES);
    FloatVector c30 = FloatVector.zero(SPECIES), c31 = FloatVector.zero(SPECIES);
    FloatVector c40 = FloatVector.zero(SPECIES), c41 = FloatVector.zero(SPECIES);
    FloatVector c50 = FloatVector.zero(SPECIES), c51 = FloatVector.zero(SPECIES);
    FloatVector c60 = FloatVector.zero(SPECIES), c61 = FloatVector.zero(SPECIES);
    FloatVector c70 = FloatVector.zero(SPECIES), c71 = FloatVector.zero(SPECIES);
    for (int p = 0; p < kc; p++) {
      int bi = bIdx + p * NR;
      int ai = aIdx + p * MR;
      FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
      FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + LANES);
      FloatVector x = FloatVector.broadcast(SPECIES, a[ai]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = FloatVector.broadcast(SPECIES, a[ai + 1]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = FloatVector.broadcast(SPECIES, a[ai + 2]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = FloatVector.broadcast(SPECIES, a[ai + 3]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
      x = FloatVector.broadcast(SPECIES, a[ai + 4]);
      c40 = x.fma(b0, c40);
      c41 = x.fma(b1, c41);
      x = FloatVector.broadcast(SPECIES, a[ai + 5]);
      c50 = x.fma(b0, c50);
      c51 = x.fma(b1, c51);
      x = FloatVector.broadcast(SPECIES, a[ai + 6]);
      c60 = x.fma(b0, c60);
      c61 = x.fma(b1, c61);
      x = FloatVector.broadcast(SPECIES, a[ai + 7]);
      c70 = x.fma(b0, c70);
      c71 = x.fma(b1, c71);
    }
    if (acc) {
      int o = cIdx;
      c00 = c00.add(FloatVector.fromArray(SPECIES, c, o));
      c01 = c01.add(FloatVector.fromArray(SPECIES, c, o + LANES));
      o += ldc;
      c10 = c10.add(FloatVector.fromArray(SPECIES, c, o));
      c11 = c11.add(FloatVector.fromArray(SPECIES, c, o + LANES));
      o += ldc;
      c20 = c20.add(FloatVector.fromArray(SPECIES, c, o));
      c21 = c21.add(FloatVector.fromArray(SPECIES, c, o + LANES));
      o += ldc;
      c30 = c30.add(FloatVector.fromArray(SPECIES, c, o));
      c31 = c31.add(FloatVector.fromArray(SPECIES, c, o + LANES));
      o += ldc;
      c40 = c40.add(FloatVector.fromArray(SPECIES, c, o));
      c41 = c41.add(FloatVector.fromArray(SPECIES, c, o + LANES));
      o += ldc;
      c50 = c50.add(FloatVector.fromArray(SPECIES, c, o));
      c51 = c51.add(FloatVector.fromArray(SPECIES, c, o + LANES));
      o += ldc;
      c60 = c60.add(FloatVector.fromArray(SPECIES, c, o));
      c61 = c61.add(FloatVector.fromArray(SPECIES, c, o + LANES));
      o += ldc;
      c70 = c70.add(FloatVector.fromArray(SPECIES, c, o));
      c71 = c71.add(FloatVector.fromArray(SPECIES, c, o + LANES));
    }
    int o = cIdx;
    c00.intoArray(c, o);
    c01.intoArray(c, o + LANES);
    o += ldc;
    c10.intoArray(c, o);
    c11.intoArray(c, o + LANES);
    o += ldc;
    c20.intoArray(c, o);
    c21.intoArray(c, o + LANES);
    o += ldc;
    c30.intoArray(c, o);
    c31.intoArray(c, o + LANES);
    o += ldc;
    c40.intoArray(c, o);
    c41.intoArray(c, o + LANES);
    o += ldc;
    c50.intoArray(c, o);
    c51.intoArray(c, o + LANES);
    o += ldc;
    c60.intoArray(c, o);
    c61.intoArray(c, o + LANES);
    o += ldc;
    c70.intoArray(c, o);
    c71.intoArray(c, o + LANES);
  }

  /**
   * {@link #kernel} with A read in place: element (r, p) of the sliver at {@code a[aIdx + r*ars +
   * p*acs]}. The same fused multiply-adds in the same order, so the same bits. A twin rather than
   * one kernel with strides: passing the packed layout's strides (1, MR) as parameters cost the
   * packed path 4-5 % (256x784x256 222-228 -> 213-214 GFLOP/s), its offsets no longer constants.
   */
  private static void kernelDirect(
      int kc,
      float[] a,
      int aIdx,
      int ars,
      int acs,
      float[] b,
      int bIdx,
      float[] c,
      int cIdx,
      int ldc,
      boolean acc) {
    FloatVector c00 = FloatVector.zero(SPECIES), c01 = FloatVector.zero(SPECIES);
    FloatVector c10 = FloatVector.zero(SPECIES), c11 = FloatVector.zero(SPECIES);
    FloatVector c20 = FloatVector.zero(SPECIES), c21 = FloatVector.zero(SPECIES);
    FloatVector c30 = FloatVector.zero(SPECIES), c31 = FloatVector.zero(SPECIES);
    FloatVector c40 = FloatVector.zero(SPECIES), c41 = FloatVector.zero(SPECIES);
    FloatVector c50 = FloatVector.zero(SPECIES), c51 = FloatVector.zero(SPECIES);
    FloatVector c60 = FloatVector.zero(SPECIES), c61 = FloatVector.zero(SPECIES);
    FloatVector c70 = FloatVector.zero(SPECIES), c71 = FloatVector.zero(SPECIES);
    int o1 = ars, o2 = 2 * ars, o3 = 3 * ars, o4 = 4 * ars, o5 = 5 * ars, o6 = 6 * ars;
    int o7 = 7 * ars;
    for (int p = 0; p < kc; p++) {
      int bi = bIdx + p * NR;
      int ai = aIdx + p * acs;
      FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
      FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + LANES);
      FloatVector x = FloatVector.broadcast(SPECIES, a[ai]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = FloatVector.broadcast(SPECIES, a[ai + o1]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = FloatVector.broadcast(SPECIES, a[ai + o2]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = FloatVector.broadcast(SPECIES, a[ai + o3]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
      x = FloatVector.broadcast(SPECIES, a[ai + o4]);
      c40 = x.fma(b0, c40);
      c41 = x.fma(b1, c41);
      x = FloatVector.broadcast(SPECIES, a[ai + o5]);
      c50 = x.fma(b0, c50);
      c51 = x.fma(b1, c51);
      x = FloatVector.broadcast(SPECIES, a[ai + o6]);
      c60 = x.fma(b0, c60);
      c61 = x.fma(b1, c61);
      x = FloatVector.broadcast(SPECIES, a[ai + o7]);
      c70 = x.fma(b0, c70);
      c71 = x.fma(b1, c71);
    }
    if (acc) {
      int o = cIdx;
      c00 = c00.add(FloatVector.fromArray(SPECIES, c, o));
      c01 = c01.add(FloatVector.fromArray(SPECIES, c, o + LANES));
      o += ldc;
      c10 = c10.add(FloatVector.fromArray(SPECIES, c, o));
      c11 = c11.add(FloatVector.fromArray(SPECIES, c, o + LANES));
      o += ldc;
      c20 = c20.add(FloatVector.fromArray(SPECIES, c, o));
      c21 = c21.add(FloatVector.fromArray(SPECIES, c, o + LANES));
      o += ldc;
      c30 = c30.add(FloatVector.fromArray(SPECIES, c, o));
      c31 = c31.add(FloatVector.fromArray(SPECIES, c, o + LANES));
      o += ldc;
      c40 = c40.add(FloatVector.fromArray(SPECIES, c, o));
      c41 = c41.add(FloatVector.fromArray(SPECIES, c, o + LANES));
      o += ldc;
      c50 = c50.add(FloatVector.fromArray(SPECIES, c, o));
      c51 = c51.add(FloatVector.fromArray(SPECIES, c, o + LANES));
      o += ldc;
      c60 = c60.add(FloatVector.fromArray(SPECIES, c, o));
      c61 = c61.add(FloatVector.fromArray(SPECIES, c, o + LANES));
      o += ldc;
      c70 = c70.add(FloatVector.fromArray(SPECIES, c, o));
      c71 = c71.add(FloatVector.fromArray(SPECIES, c, o + LANES));
    }
    int o = cIdx;
    c00.intoArray(c, o);
    c01.intoArray(c, o + LANES);
    o += ldc;
    c10.intoArray(c, o);
    c11.intoArray(c, o + LANES);
    o += ldc;
    c20.intoArray(c, o);
    c21.intoArray(c, o + LANES);
    o += ldc;
    c30.intoArray(c, o);
    c31.intoArray(c, o + LANES);
    o += ldc;
    c40.intoArray(c, o);
    c41.intoArray(c, o + LANES);
    o += ldc;
    c50.intoArray(c, o);
    c51.intoArray(c, o + LANES);
    o += ldc;
    c60.intoArray(c, o);
    c61.intoArray(c, o + LANES);
    o += ldc;
    c70.intoArray(c, o);
    c71.intoArray(c, o + LANES);
  }

  // ---------------------------------------------------------------------------------------------
  // skinny shapes (no packing)
  // ---------------------------------------------------------------------------------------------

  /**
   * {@code C = A * B} for few rows of A (small m) when the rows of B are contiguous ({@code bcs ==
   * 1}): every element of B is used only m times, so packing it would cost more than the
   * arithmetic. B is streamed row by row (sequential, prefetch-friendly) into an L1-resident block
   * of C rows, {@code SMALL_NB} columns at a time, fusing two k-steps per accumulator load/store.
   */
  @Override
  public void smallM(
      int m,
      int n,
      int k,
      float[] a,
      int aOff,
      int ars,
      int acs,
      float[] b,
      int bOff,
      int brs,
      float[] c,
      int cOff,
      int crs,
      int ccs) {
    int nbMax = Math.min(n, SMALL_NB);
    int ld = Gemm.roundUp(nbMax, LANES);
    float[] acc = new float[m * ld];
    for (int j0 = 0; j0 < n; j0 += SMALL_NB) {
      int nb = Math.min(SMALL_NB, n - j0);
      int nv = nb / LANES * LANES;
      VectorMask<Float> tail = SPECIES.indexInRange(nv, nb);
      Arrays.fill(acc, 0.0f);
      int p = 0;
      for (; p + 1 < k; p += 2) {
        int b0 = bOff + p * brs + j0, b1 = b0 + brs;
        for (int r = 0; r < m; r++) {
          int ai = aOff + r * ars + p * acs;
          FloatVector x0 = FloatVector.broadcast(SPECIES, a[ai]);
          FloatVector x1 = FloatVector.broadcast(SPECIES, a[ai + acs]);
          int o = r * ld;
          for (int j = 0; j < nv; j += LANES) {
            FloatVector s = FloatVector.fromArray(SPECIES, acc, o + j);
            s = x0.fma(FloatVector.fromArray(SPECIES, b, b0 + j), s);
            s = x1.fma(FloatVector.fromArray(SPECIES, b, b1 + j), s);
            s.intoArray(acc, o + j);
          }
          if (nv < nb) {
            FloatVector s = FloatVector.fromArray(SPECIES, acc, o + nv);
            s = x0.fma(FloatVector.fromArray(SPECIES, b, b0 + nv, tail), s);
            s = x1.fma(FloatVector.fromArray(SPECIES, b, b1 + nv, tail), s);
            s.intoArray(acc, o + nv);
          }
        }
      }
      if (p < k) {
        int b0 = bOff + p * brs + j0;
        for (int r = 0; r < m; r++) {
          FloatVector x0 = FloatVector.broadcast(SPECIES, a[aOff + r * ars + p * acs]);
          int o = r * ld;
          for (int j = 0; j < nv; j += LANES) {
            x0.fma(
                    FloatVector.fromArray(SPECIES, b, b0 + j),
                    FloatVector.fromArray(SPECIES, acc, o + j))
                .intoArray(acc, o + j);
          }
          if (nv < nb) {
            x0.fma(
                    FloatVector.fromArray(SPECIES, b, b0 + nv, tail),
                    FloatVector.fromArray(SPECIES, acc, o + nv))
                .intoArray(acc, o + nv);
          }
        }
      }
      for (int r = 0; r < m; r++) {
        int ci = cOff + r * crs + j0 * ccs;
        int o = r * ld;
        if (ccs == 1) {
          System.arraycopy(acc, o, c, ci, nb);
        } else {
          for (int j = 0; j < nb; j++) {
            c[ci + j * ccs] = acc[o + j];
          }
        }
      }
    }
  }

  /**
   * {@code C = A * B} for few columns of B (small n) when the rows of A are contiguous ({@code acs
   * == 1}): each C element is a dot product along a row of A, vectorised along k, in 4 x 4 register
   * tiles. B is first copied transposed (n x k, small) so its columns are contiguous.
   */
  @Override
  public void smallN(
      int m,
      int n,
      int k,
      float[] a,
      int aOff,
      int ars,
      float[] b,
      int bOff,
      int brs,
      int bcs,
      float[] c,
      int cOff,
      int crs,
      int ccs) {
    // LANES spare elements: a masked load of the last column's tail that reaches past the end of
    // its array takes the Vector API's per-lane bounds check, not the intrinsic (3 % of vmap's
    // per-example input gradients went there)
    float[] bt = new float[n * k + LANES];
    for (int j = 0; j < n; j++) {
      int s = bOff + j * bcs;
      for (int p = 0; p < k; p++) {
        bt[j * k + p] = b[s + p * brs];
      }
    }
    int kv = k / LANES * LANES;
    float[] lanes = new float[LANES];
    int i0 = 0;
    for (; i0 + 4 <= m; i0 += 4) {
      int r0 = aOff + i0 * ars, r1 = r0 + ars, r2 = r1 + ars, r3 = r2 + ars;
      int j0 = 0;
      for (; j0 + 4 <= n; j0 += 4) {
        int ci = cOff + i0 * crs + j0 * ccs;
        block2x4(a, r0, ars, bt, j0 * k, k, kv, c, ci, crs, ccs, lanes);
        block2x4(a, r2, ars, bt, j0 * k, k, kv, c, ci + 2 * crs, crs, ccs, lanes);
      }
      for (; j0 < n; j0++) {
        int q = j0 * k;
        int ci = cOff + i0 * crs + j0 * ccs;
        c[ci] = dot(a, r0, bt, q, k, kv, lanes);
        c[ci + crs] = dot(a, r1, bt, q, k, kv, lanes);
        c[ci + 2 * crs] = dot(a, r2, bt, q, k, kv, lanes);
        c[ci + 3 * crs] = dot(a, r3, bt, q, k, kv, lanes);
      }
    }
    for (; i0 < m; i0++) {
      int r = aOff + i0 * ars;
      for (int j = 0; j < n; j++) {
        c[cOff + i0 * crs + j * ccs] = dot(a, r, bt, j * k, k, kv, lanes);
      }
    }
  }

  /**
   * Two rows of a 4-column block of C for {@link #smallN}: rows {@code r0} and {@code r0 + ars} of
   * A against the four transposed columns of B starting at {@code bt[q0]}. Small enough (eight
   * accumulators) for C1 to compile: smallN as one method ran out of C1's virtual registers and
   * stayed interpreted until C2 took it, seconds into a training run. Each element of C is summed
   * exactly as before, so the results did not change.
   */
  private static void block2x4(
      float[] a,
      int r0,
      int ars,
      float[] bt,
      int q0,
      int k,
      int kv,
      float[] c,
      int ci,
      int crs,
      int ccs,
      float[] lanes) {
    int r1 = r0 + ars;
    int q1 = q0 + k, q2 = q1 + k, q3 = q2 + k;
    FloatVector s00 = FloatVector.zero(SPECIES), s01 = FloatVector.zero(SPECIES);
    FloatVector s02 = FloatVector.zero(SPECIES), s03 = FloatVector.zero(SPECIES);
    FloatVector s10 = FloatVector.zero(SPECIES), s11 = FloatVector.zero(SPECIES);
    FloatVector s12 = FloatVector.zero(SPECIES), s13 = FloatVector.zero(SPECIES);
    for (int p = 0; p < kv; p += LANES) {
      FloatVector b0 = FloatVector.fromArray(SPECIES, bt, q0 + p);
      FloatVector b1 = FloatVector.fromArray(SPECIES, bt, q1 + p);
      FloatVector b2 = FloatVector.fromArray(SPECIES, bt, q2 + p);
      FloatVector b3 = FloatVector.fromArray(SPECIES, bt, q3 + p);
      FloatVector x = FloatVector.fromArray(SPECIES, a, r0 + p);
      s00 = x.fma(b0, s00);
      s01 = x.fma(b1, s01);
      s02 = x.fma(b2, s02);
      s03 = x.fma(b3, s03);
      x = FloatVector.fromArray(SPECIES, a, r1 + p);
      s10 = x.fma(b0, s10);
      s11 = x.fma(b1, s11);
      s12 = x.fma(b2, s12);
      s13 = x.fma(b3, s13);
    }
    if (kv < k) {
      int p = kv;
      VectorMask<Float> tail = SPECIES.indexInRange(kv, k);
      FloatVector b0 = FloatVector.fromArray(SPECIES, bt, q0 + p, tail);
      FloatVector b1 = FloatVector.fromArray(SPECIES, bt, q1 + p, tail);
      FloatVector b2 = FloatVector.fromArray(SPECIES, bt, q2 + p, tail);
      FloatVector b3 = FloatVector.fromArray(SPECIES, bt, q3 + p, tail);
      FloatVector x = tailOf(a, r0 + p, k - kv);
      s00 = x.fma(b0, s00);
      s01 = x.fma(b1, s01);
      s02 = x.fma(b2, s02);
      s03 = x.fma(b3, s03);
      x = tailOf(a, r1 + p, k - kv);
      s10 = x.fma(b0, s10);
      s11 = x.fma(b1, s11);
      s12 = x.fma(b2, s12);
      s13 = x.fma(b3, s13);
    }
    store4(c, ci, ccs, s00, s01, s02, s03, lanes);
    store4(c, ci + crs, ccs, s10, s11, s12, s13, lanes);
  }

  private static void store4(
      float[] c,
      int ci,
      int ccs,
      FloatVector s0,
      FloatVector s1,
      FloatVector s2,
      FloatVector s3,
      float[] lanes) {
    c[ci] = sumLanes(s0, lanes);
    c[ci + ccs] = sumLanes(s1, lanes);
    c[ci + 2 * ccs] = sumLanes(s2, lanes);
    c[ci + 3 * ccs] = sumLanes(s3, lanes);
  }

  /**
   * The lanes of v added in a fixed pairwise order, through {@code lanes} (a scratch array of LANES
   * elements): not {@code reduceLanes(ADD)}, whose order differs between the C2 intrinsic and the
   * interpreter's fallback, so that a product has the same bits before and after the JIT compiles
   * this kernel (training runs are then reproducible). A store and scalar adds cost about what the
   * intrinsic's shuffle tree does; shuffles and {@code lane(i)} with a variable i are not
   * intrinsified in this large method and made it several times slower.
   */
  private static float sumLanes(FloatVector v, float[] t) {
    v.intoArray(t, 0);
    // a fixed pairwise tree written out for the usual widths (LANES is a constant: the other
    // branches fold away), so the adds run in parallel instead of in one long chain
    if (LANES == 16) {
      return (((t[0] + t[8]) + (t[4] + t[12])) + ((t[2] + t[10]) + (t[6] + t[14])))
          + (((t[1] + t[9]) + (t[5] + t[13])) + ((t[3] + t[11]) + (t[7] + t[15])));
    }
    if (LANES == 8) {
      return ((t[0] + t[4]) + (t[2] + t[6])) + ((t[1] + t[5]) + (t[3] + t[7]));
    }
    if (LANES == 4) {
      return (t[0] + t[2]) + (t[1] + t[3]);
    }
    float s = t[0];
    for (int i = 1; i < LANES; i++) {
      s += t[i];
    }
    return s;
  }

  /**
   * One element of C for {@link #smallN}: the dot product of a row of A and a transposed column of
   * B, summed exactly as {@link #block2x4} sums each of its elements (one vector accumulator over
   * the full vectors in order, then the masked tail, then the lanes in {@link #sumLanes}'s order).
   * A row that falls outside the 4-row groups must give the bits it would have inside one: the
   * threads split the rows at places that depend on their number (two accumulators here made the
   * D2L MLP's logits differ between 2 and 3 threads).
   */
  private static float dot(float[] x, int xo, float[] y, int yo, int k, int kv, float[] lanes) {
    FloatVector s = FloatVector.zero(SPECIES);
    for (int p = 0; p < kv; p += LANES) {
      s =
          FloatVector.fromArray(SPECIES, x, xo + p)
              .fma(FloatVector.fromArray(SPECIES, y, yo + p), s);
    }
    if (kv < k) {
      VectorMask<Float> tail = SPECIES.indexInRange(kv, k);
      s = tailOf(x, xo + kv, k - kv).fma(FloatVector.fromArray(SPECIES, y, yo + kv, tail), s);
    }
    return sumLanes(s, lanes);
  }

  /**
   * The {@code count < LANES} elements of {@code x} from {@code off}, zeros in the other lanes: the
   * masked load, or, where a whole vector from {@code off} would reach past the end of {@code x}
   * (the last row of A), the same lanes through a copy. A masked load that reaches past the end
   * takes the Vector API's per-lane bounds check instead of the intrinsic: in vmap's batched
   * matrix-vector products (jacrev of a [300, 200] layer) that check was half of the time.
   */
  private static FloatVector tailOf(float[] x, int off, int count) {
    if (off + LANES <= x.length) {
      return FloatVector.fromArray(SPECIES, x, off, SPECIES.indexInRange(0, count));
    }
    float[] t = new float[LANES];
    System.arraycopy(x, off, t, 0, count);
    return FloatVector.fromArray(SPECIES, t, 0);
  }

  // ---------------------------------------------------------------------------------------------
  // pack buffers
  // ---------------------------------------------------------------------------------------------

  /**
   * Reusable pack buffers. A small pool (about one per thread) avoids allocating and zeroing up to
   * a few MiB per call, which costs more than the arithmetic for medium sizes. Buffers only grow,
   * and are bounded by the block sizes in {@link GemmTuning}.
   */
  private static final class Workspace {
    private static final ConcurrentLinkedQueue<Workspace> POOL = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger POOLED = new AtomicInteger();

    private float[] a = new float[0], b = new float[0], t = new float[0];

    static Workspace acquire() {
      Workspace ws = POOL.poll();
      if (ws == null) {
        return new Workspace();
      }
      POOLED.decrementAndGet();
      return ws;
    }

    void release() {
      if (POOLED.incrementAndGet() <= Parallel.threads() + 1) {
        POOL.offer(this);
      } else {
        POOLED.decrementAndGet();
      }
    }

    /** Packed block of A. */
    float[] a(int size) {
      return a.length >= size ? a : (a = new float[size]);
    }

    /** Packed block of B. */
    float[] b(int size) {
      return b.length >= size ? b : (b = new float[size]);
    }

    /** Scratch tile for partial tiles of C. */
    float[] t(int size) {
      return t.length >= size ? t : (t = new float[size]);
    }
  }
}
