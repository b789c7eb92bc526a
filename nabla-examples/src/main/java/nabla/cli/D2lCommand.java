package nabla.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import nabla.examples.D2lChapter2;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nabla d2l 2.1} ... {@code 2.6}: the code cells of D2L chapter 2, printed as the book. */
@Command(
    name = "d2l",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the code cells of a D2L chapter 2 section and prints what the book prints:",
      "2.1 data manipulation, 2.2 preprocessing (writes and reads a CSV), 2.3 linear",
      "algebra, 2.4 calculus (plot), 2.5 the autograd walkthrough, 2.6 probability (plot)."
    })
public final class D2lCommand implements Callable<Integer> {
  @Parameters(paramLabel = "SECTION", description = "2.1, 2.2, 2.3, 2.4, 2.5 or 2.6")
  String section;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Folder for files and plots (default: out).")
  Path out = Path.of("out");

  /** Creates the command; used by picocli. */
  public D2lCommand() {}

  @Override
  public Integer call() throws IOException {
    if (section.equals("2.5")) {
      nabla.examples.AutogradWalkthrough.run(System.out);
      return 0;
    }
    try {
      D2lChapter2.run(section, System.out, out);
      return 0;
    } catch (IllegalArgumentException e) {
      System.err.println("nabla d2l: " + e.getMessage());
      return 2;
    }
  }
}
