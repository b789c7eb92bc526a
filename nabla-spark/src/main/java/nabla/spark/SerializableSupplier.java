package nabla.spark;

import java.io.Serializable;
import java.util.function.Supplier;

/**
 * A {@link Supplier} that Spark can ship to its executors: the model and loss factories of a {@link
 * SparkTrainer} are called once per executor thread to build a replica. A lambda assigned to this
 * type is serialisable as long as what it captures is.
 *
 * <pre>{@code
 * SerializableSupplier<Module> model = () -> Models.mlp(0);
 * SerializableSupplier<Loss> loss = CrossEntropyLoss::new;
 * }</pre>
 *
 * @param <T> what it supplies
 */
@FunctionalInterface
public interface SerializableSupplier<T> extends Supplier<T>, Serializable {}
