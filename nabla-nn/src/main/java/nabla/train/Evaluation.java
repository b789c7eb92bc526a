package nabla.train;

/**
 * A model's mean loss and accuracy on a dataset, from {@link Trainer#evaluate}.
 *
 * <pre>{@code
 * Evaluation e = Trainer.evaluate(net, new CrossEntropyLoss(), testLoader);
 * System.out.printf("test accuracy: %.4f%n", e.accuracy());
 * }</pre>
 *
 * @param loss mean loss per example
 * @param accuracy fraction classified correctly, NaN when the labels are not int64 classes
 * @param examples how many examples were evaluated
 */
public record Evaluation(double loss, double accuracy, long examples) {}
