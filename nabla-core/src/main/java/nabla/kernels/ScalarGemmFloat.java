// GENERATED from ScalarGemmDouble.java by tools/codegen/GenerateFloatKernels.java: do not edit.
// Edit ScalarGemmDouble.java and run `java tools/codegen/GenerateFloatKernels.java` (from the repository root).
package nabla.kernels;

import static nabla.kernels.GemmTuning.SCALAR_KC;
import static nabla.kernels.GemmTuning.SCALAR_MR;
import static nabla.kernels.GemmTuning.SCALAR_NC;
import static nabla.kernels.GemmTuning.SCALAR_NR;

import java.util.Arrays;

/**
 * The scalar provider's {@link GemmKernelsFloat}: a plain-Java blocked kernel that the JIT
 * auto-vectorises, and no skinny kernels (the driver packs every product above the tiny size).
 */
final class ScalarGemmFloat implements GemmKernelsFloat {
  /** The one instance (the class has no state). */
  static final ScalarGemmFloat INSTANCE = new ScalarGemmFloat();

  private ScalarGemmFloat() {}

  @Override
  public int mr() {
    return SCALAR_MR;
  }

  @Override
  public int nr() {
    return SCALAR_NR;
  }

  @Override
  public boolean hasSkinnyKernels() {
    return false;
  }

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
    throw new UnsupportedOperationException("the scalar GEMM kernels have no skinny kernels");
  }

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
    throw new UnsupportedOperationException("the scalar GEMM kernels have no skinny kernels");
  }

  /**
   * The blocked kernel. B is packed into a {@code kc x nc} block of separate row arrays and C is
   * accumulated in separate row arrays, so the JIT can prove the inner axpy loops alias-free and
   * auto-vectorise them; two k-steps are fused per pass to halve the accumulator traffic.
   */
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
    final int kcMax = Math.min(k, SCALAR_KC), ncMax = Math.min(n, SCALAR_NC), mr = SCALAR_MR;
    float[][] bp = new float[kcMax][ncMax];
    float[][] ct = new float[mr][ncMax];
    for (int jc = 0; jc < n; jc += ncMax) {
      int nc = Math.min(ncMax, n - jc);
      for (int pc = 0; pc < k; pc += kcMax) {
        int kc = Math.min(kcMax, k - pc);
        for (int p = 0; p < kc; p++) {
          float[] row = bp[p];
          int s = bOff + (pc + p) * brs + jc * bcs;
          if (bcs == 1) {
            System.arraycopy(b, s, row, 0, nc);
          } else {
            for (int j = 0; j < nc; j++) {
              row[j] = b[s + j * bcs];
            }
          }
        }
        for (int i0 = 0; i0 < m; i0 += mr) {
          int rows = Math.min(mr, m - i0);
          for (int r = 0; r < rows; r++) {
            Arrays.fill(ct[r], 0, nc, 0.0f);
          }
          int p = 0;
          for (; p + 1 < kc; p += 2) {
            float[] b0 = bp[p], b1 = bp[p + 1];
            for (int r = 0; r < rows; r++) {
              int ai = aOff + (i0 + r) * ars + (pc + p) * acs;
              axpy2(nc, a[ai], b0, a[ai + acs], b1, ct[r]);
            }
          }
          if (p < kc) {
            float[] b0 = bp[p];
            for (int r = 0; r < rows; r++) {
              axpy(nc, a[aOff + (i0 + r) * ars + (pc + p) * acs], b0, ct[r]);
            }
          }
          for (int r = 0; r < rows; r++) {
            float[] t = ct[r];
            int ci = cOff + (i0 + r) * crs + jc * ccs;
            if (pc == 0) {
              for (int j = 0; j < nc; j++) {
                c[ci + j * ccs] = t[j];
              }
            } else {
              for (int j = 0; j < nc; j++) {
                c[ci + j * ccs] += t[j];
              }
            }
          }
        }
      }
    }
  }

  private static void axpy2(int n, float a0, float[] x0, float a1, float[] x1, float[] y) {
    for (int j = 0; j < n; j++) {
      y[j] += a0 * x0[j] + a1 * x1[j];
    }
  }

  private static void axpy(int n, float a0, float[] x0, float[] y) {
    for (int j = 0; j < n; j++) {
      y[j] += a0 * x0[j];
    }
  }
}
