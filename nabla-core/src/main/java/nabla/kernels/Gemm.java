package nabla.kernels;

/** Temporary naive GEMM (replaced by the blocked SIMD kernel). */
public final class Gemm {
  private Gemm() {}

  public static void matmulBatched(int batch, int m, int n, int k, float[] a, int[] aOffsets,
      int aRowStride, int aColStride, float[] b, int[] bOffsets, int bRowStride, int bColStride,
      float[] c, int cOff) {
    for (int t = 0; t < batch; t++) {
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double s = 0;
          for (int p = 0; p < k; p++) {
            s += a[aOffsets[t] + i * aRowStride + p * aColStride]
                * b[bOffsets[t] + p * bRowStride + j * bColStride];
          }
          c[cOff + t * m * n + i * n + j] = (float) s;
        }
      }
    }
  }

  public static void matmulBatched(int batch, int m, int n, int k, double[] a, int[] aOffsets,
      int aRowStride, int aColStride, double[] b, int[] bOffsets, int bRowStride, int bColStride,
      double[] c, int cOff) {
    for (int t = 0; t < batch; t++) {
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double s = 0;
          for (int p = 0; p < k; p++) {
            s += a[aOffsets[t] + i * aRowStride + p * aColStride]
                * b[bOffsets[t] + p * bRowStride + j * bColStride];
          }
          c[cOff + t * m * n + i * n + j] = s;
        }
      }
    }
  }
}
