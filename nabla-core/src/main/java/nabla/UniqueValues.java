package nabla;

/**
 * The result of {@link Tensor#uniqueWithCounts()}: the distinct values in ascending order, for each
 * input element the position of its value among them, and how often each value occurs (PyTorch's
 * {@code torch.unique(x, return_inverse=True, return_counts=True)}).
 *
 * <pre>{@code
 * UniqueValues u = Tensor.of(3, 1, 3, 2).uniqueWithCounts();
 * u.values();    // tensor([1., 2., 3.])
 * u.inverse();   // tensor([2, 0, 2, 1])
 * u.counts();    // tensor([1, 1, 2])
 * }</pre>
 *
 * @param values the distinct values, sorted, 1-d (dtype of the input)
 * @param inverse int64 of the input's shape: {@code values.gather(0, inverse.flatten())} is the
 *     flattened input
 * @param counts int64, one count per value
 */
public record UniqueValues(Tensor values, Tensor inverse, Tensor counts) {}
