package nabla.spark;

import java.io.Serializable;

/**
 * The examples one partition holds: the contiguous global indices {@code [start, start + size)},
 * their features row-major ({@code size × exampleSize} floats) and their int64 labels.
 */
record Block(long start, int size, int exampleSize, float[] features, long[] labels)
    implements Serializable {

  /** Whether global example {@code index} is in this block. */
  boolean contains(long index) {
    return index >= start && index < start + size;
  }
}
