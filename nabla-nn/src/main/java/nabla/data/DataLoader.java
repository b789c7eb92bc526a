package nabla.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * Minibatches over a {@link Dataset} (PyTorch's {@code DataLoader}): in order, or shuffled anew for
 * each pass (each call to {@link #iterator()}) from a seed, so a run is reproducible while every
 * epoch sees a different order. The last, smaller batch is kept unless {@link #dropLast(boolean)}.
 * With {@link #prefetch(boolean)} the next batch is gathered in the background.
 *
 * <pre>{@code
 * TensorDataset train = LinearRegressionData.d2l(1000, 0);
 * DataLoader loader = new DataLoader(train, 256).shuffle(42).prefetch(true);
 * for (int epoch = 0; epoch < 10; epoch++) {
 *   for (Batch b : loader) {
 *     b.x();   // [256, 2] (the last batch [232, 2])
 *   }
 * }
 * }</pre>
 */
public class DataLoader implements Iterable<Batch> {
  private final Dataset dataset;
  private final int batchSize;
  private boolean dropLast;
  private boolean prefetch;
  private boolean reuseBuffers;
  private SplittableRandom shuffle;

  /** Batches of {@code batchSize} examples in dataset order. */
  public DataLoader(Dataset dataset, int batchSize) {
    if (dataset == null) {
      throw new IllegalArgumentException("DataLoader: the dataset is null");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("DataLoader: batch size must be >= 1, got " + batchSize);
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
  }

  /** Shuffles each pass, the orders drawn from {@code seed}; returns this. */
  public DataLoader shuffle(long seed) {
    this.shuffle = new SplittableRandom(seed);
    return this;
  }

  /** Drops the last batch when it is smaller than the batch size; returns this. */
  public DataLoader dropLast(boolean dropLast) {
    this.dropLast = dropLast;
    return this;
  }

  /**
   * Prepares the next batch on a background (virtual) thread while the caller works on the current
   * one; the batches are the same as without. Returns this.
   */
  public DataLoader prefetch(boolean prefetch) {
    this.prefetch = prefetch;
    return this;
  }

  /**
   * Gathers each batch into the tensors of the batch before it (same size, same pass), instead of
   * new ones: no allocation and no zero fill per batch, and the buffers stay in cache (what
   * PyTorch's caching allocator gives a loop that drops each batch). A batch's tensors then hold
   * its values only until the next batch is made: copy what you keep ({@code b.x().copy()}); a
   * graph that saved a batch and is run backward after the next one was made throws the in-place
   * error naming {@code DataLoader.reuseBuffers}. Ignored with {@link #prefetch(boolean)} (the next
   * batch is made while the current one is in use). Returns this.
   *
   * <pre>{@code
   * DataLoader loader = new DataLoader(train, 256).shuffle(42).reuseBuffers(true);
   * for (Batch b : loader) {
   *   Tensor loss = lossFn.forward(net.forward(b.x()), b.y());
   *   ...
   * }
   * }</pre>
   */
  public DataLoader reuseBuffers(boolean reuse) {
    this.reuseBuffers = reuse;
    return this;
  }

  /** The dataset. */
  public Dataset dataset() {
    return dataset;
  }

  /** The batch size. */
  public int batchSize() {
    return batchSize;
  }

  /** The number of batches per pass. */
  public int numBatches() {
    int n = dataset.size();
    return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
  }

  @Override
  public Iterator<Batch> iterator() {
    int n = dataset.size();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    if (shuffle != null) {
      SplittableRandom r = shuffle.split();
      for (int i = n - 1; i > 0; i--) { // Fisher-Yates
        int j = r.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    int batches = numBatches();
    boolean reuse = reuseBuffers && !prefetch;
    java.util.function.IntFunction<int[]> indicesOf =
        k ->
            java.util.Arrays.copyOfRange(
                order, k * batchSize, Math.min(k * batchSize + batchSize, n));
    java.util.function.IntFunction<Batch> make = k -> new Batch(dataset.batch(indicesOf.apply(k)));
    return new Iterator<>() {
      private int next;

      /** The batch before, whose tensors the next one is gathered into (with reuse). */
      private Batch previous;

      private java.util.concurrent.CompletableFuture<Batch> pending;

      @Override
      public boolean hasNext() {
        return next < batches;
      }

      @Override
      public Batch next() {
        if (!hasNext()) {
          throw new NoSuchElementException("DataLoader: no more batches in this pass");
        }
        Batch b;
        if (reuse) {
          b =
              new Batch(
                  dataset.batchInto(
                      indicesOf.apply(next), previous == null ? null : previous.tensors()));
          previous = b;
        } else if (!prefetch) {
          b = make.apply(next);
        } else {
          b = pending != null ? join(pending) : make.apply(next);
          pending = next + 1 < batches ? submit(next + 1) : null;
        }
        next++;
        return b;
      }

      private java.util.concurrent.CompletableFuture<Batch> submit(int k) {
        java.util.concurrent.CompletableFuture<Batch> f =
            new java.util.concurrent.CompletableFuture<>();
        Thread.ofVirtual()
            .name("nabla-dataloader-prefetch")
            .start(
                () -> {
                  try {
                    f.complete(make.apply(k));
                  } catch (Throwable t) {
                    f.completeExceptionally(t);
                  }
                });
        return f;
      }

      private Batch join(java.util.concurrent.CompletableFuture<Batch> f) {
        try {
          return f.join();
        } catch (java.util.concurrent.CompletionException e) {
          // the dataset's own exception, as without prefetching
          if (e.getCause() instanceof RuntimeException r) {
            throw r;
          }
          if (e.getCause() instanceof Error err) {
            throw err;
          }
          throw e;
        }
      }
    };
  }
}
