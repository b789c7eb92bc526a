package nabla.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import nabla.examples.Training;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nabla predict --model FILE}: accuracy and confusion matrix of a saved model. */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    versionProvider = NablaCli.VersionProvider.class,
    description = {
      "Accuracy and confusion matrix of a saved Fashion-MNIST model.",
      "",
      "Classifies the Fashion-MNIST test set with a model saved by",
      "'nabla train softmax|mlp --save FILE'. The architecture (softmax regression",
      "or MLP, and its hidden size) is read from the names and shapes of the",
      "tensors in the safetensors file."
    },
    footer = {
      "",
      "Example:",
      "  nabla train mlp --save out/mlp.safetensors",
      "  nabla predict --model out/mlp.safetensors"
    })
public final class PredictCommand implements Callable<Integer> {
  @Option(
      names = "--model",
      paramLabel = "FILE",
      required = true,
      description = "A safetensors file written by 'nabla train ... --save FILE'.")
  Path model;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "Folder with the four Fashion-MNIST IDX files (.gz or not).")
  String data;

  /** Creates the command; used by picocli. */
  public PredictCommand() {}

  @Override
  public Integer call() {
    if (!Files.isRegularFile(model)) {
      System.err.println(
          "nabla predict: no model file "
              + model
              + "; write one with: ./nabla train mlp --save "
              + model);
      return 1;
    }
    try {
      Training.predict(model, data, System.out);
    } catch (IOException | IllegalArgumentException | IllegalStateException e) {
      System.out.flush();
      System.err.println("nabla predict: " + e.getMessage());
      return 1;
    }
    System.out.flush();
    return 0;
  }
}
