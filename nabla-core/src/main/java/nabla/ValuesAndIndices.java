package nabla;

/**
 * The result of an operation that selects elements along a dimension: the selected values and their
 * int64 positions along that dimension (PyTorch's {@code (values, indices)} named tuple). The
 * values are gathered from the input at the indices, so their gradient goes to exactly those
 * positions.
 *
 * <pre>{@code
 * ValuesAndIndices m = Tensor.of(new double[] {1, 5, 3, 2}, 2, 2).max(1);
 * m.values();    // tensor([5., 3.])
 * m.indices();   // tensor([1, 0])
 * }</pre>
 *
 * @param values the selected values (dtype of the input)
 * @param indices their positions along the dimension (int64, same shape as the values)
 */
public record ValuesAndIndices(Tensor values, Tensor indices) {}
