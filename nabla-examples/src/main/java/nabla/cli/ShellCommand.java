package nabla.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code nabla shell}: JShell with Nabla. The {@code ./nabla} launcher runs it before the JVM of
 * this CLI starts (JShell is its own program); this command only explains that when the CLI is
 * started some other way.
 */
@Command(
    name = "shell",
    mixinStandardHelpOptions = true,
    versionProvider = NablaCli.VersionProvider.class,
    description = {
      "JShell with Nabla on the class path and its imports loaded.",
      "",
      "The Vector API module is added and nabla.*, nabla.nn.*, nabla.optim.*,",
      "nabla.data.*, nabla.train.* and nabla.io.* are imported, so D2L cells can be",
      "typed interactively. Started by the ./nabla launcher; other arguments go",
      "to jshell."
    },
    footer = {
      "",
      "Examples:",
      "  ./nabla shell",
      "  echo 'Tensor.arange(4.0).sum()' | ./nabla shell"
    })
public final class ShellCommand implements Callable<Integer> {
  /** Creates the command; used by picocli. */
  public ShellCommand() {}

  @Override
  public Integer call() {
    System.err.println(
        "nabla shell: JShell is started by the ./nabla launcher script (it puts the Nabla jars on"
            + " JShell's class path); run ./nabla shell from the repository root");
    return 1;
  }
}
