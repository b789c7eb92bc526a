package nabla.kernels;

import nabla.storage.Storage;

/**
 * Gather and scatter-add along one dimension. The index is an int64 view; every index value is
 * checked against the size of the indexed dimension before anything is read or written.
 */
public final class Index {
  private Index() {}

  /**
   * out[p] = in[p with coordinate {@code dim} replaced by index[p]] for every position p of the
   * index shape; out is contiguous from 0 and has the index's shape.
   *
   * @param inStrides input strides; {@code inStrides[dim]} is the step per index value
   */
  public static void gather(
      int[] indexShape,
      int dim,
      int dimSize,
      Storage in,
      int inOff,
      int[] inStrides,
      Storage index,
      int idxOff,
      int[] idxStrides,
      Storage out,
      String op) {
    checkRange(indexShape, index, idxOff, idxStrides, dimSize, dim, op);
    int step = inStrides[dim];
    int[] src = inStrides.clone();
    src[dim] = 0;
    long[] ix = index.l;
    Loops.forEachRow(
        indexShape,
        new int[][] {nabla.storage.Shapes.contiguousStrides(indexShape), idxStrides, src},
        new int[] {0, idxOff, inOff},
        (o, s, n) -> {
          for (int j = 0; j < n; j++) {
            int from = o[2] + j * s[2] + (int) ix[o[1] + j * s[1]] * step;
            switch (in.dtype()) {
              case FLOAT32 -> out.f[o[0] + j] = in.f[from];
              case FLOAT64 -> out.d[o[0] + j] = in.d[from];
              case INT64 -> out.l[o[0] + j] = in.l[from];
              case BOOL -> out.b[o[0] + j] = in.b[from];
            }
          }
        });
  }

  /**
   * target[p with coordinate {@code dim} replaced by index[p]] += src[p] for every position p of
   * the index shape. Modifies {@code target} (a contiguous tensor of the given strides).
   */
  public static void scatterAdd(
      int[] indexShape,
      int dim,
      int dimSize,
      Storage target,
      int[] targetStrides,
      Storage index,
      int idxOff,
      int[] idxStrides,
      Storage src,
      int srcOff,
      int[] srcStrides,
      String op) {
    checkRange(indexShape, index, idxOff, idxStrides, dimSize, dim, op);
    int step = targetStrides[dim];
    int[] dst = targetStrides.clone();
    dst[dim] = 0;
    long[] ix = index.l;
    Loops.forEachRow(
        indexShape,
        new int[][] {dst, idxStrides, srcStrides},
        new int[] {0, idxOff, srcOff},
        (o, s, n) -> {
          for (int j = 0; j < n; j++) {
            int to = o[0] + j * s[0] + (int) ix[o[1] + j * s[1]] * step;
            int from = o[2] + j * s[2];
            switch (target.dtype()) {
              case FLOAT32 -> target.f[to] += src.f[from];
              case FLOAT64 -> target.d[to] += src.d[from];
              case INT64 -> target.l[to] += src.l[from];
              case BOOL -> target.b[to] |= src.b[from];
            }
          }
        });
  }

  /**
   * Throws IndexOutOfBoundsException naming {@code op} for the first int64 index value of the view
   * (shape, off, strides) outside [0, size) along dimension {@code dim}: the one index-range check,
   * also used before an operation that gathers under another name (indexSelect, crossEntropy).
   */
  public static void checkRange(
      int[] shape, Storage index, int off, int[] strides, int size, int dim, String op) {
    long[] ix = index.l;
    Loops.forEachRow(
        shape,
        new int[][] {strides},
        new int[] {off},
        (o, s, n) -> {
          for (int j = 0; j < n; j++) {
            long v = ix[o[0] + j * s[0]];
            if (v < 0 || v >= size) {
              throw new IndexOutOfBoundsException(
                  op
                      + ": index "
                      + v
                      + " is out of range for dimension "
                      + dim
                      + " of size "
                      + size
                      + " (valid: 0 to "
                      + (size - 1)
                      + ")");
            }
          }
        });
  }
}
