package nabla.kernels;

/** Reductions computed by {@link Reduce}. */
public enum ReduceOp {
  SUM,
  /** Largest value; NaN if the row holds a NaN. */
  MAX,
  /** Smallest value; NaN if the row holds a NaN. */
  MIN,
  /** Index (int64) of the first largest value (or of the first NaN). */
  ARGMAX,
  /** Index (int64) of the first smallest value (or of the first NaN). */
  ARGMIN
}
