package nabla.cli;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import nabla.data.FashionMnist;
import nabla.examples.AutogradWalkthrough;
import nabla.examples.CompileDemo;
import nabla.examples.Exercises;
import nabla.examples.Training;
import nabla.nn.Linear;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code nabla} command-line tool: runs the worked examples and reports on the runtime.
 *
 * <p>Normally started through the {@code ./nabla} launcher script at the repository root, which
 * finds a JDK 25+, builds the project when needed and runs this class with {@code --add-modules
 * jdk.incubator.vector}. The process exit code is the one returned by {@link
 * CommandLine#execute(String...)}.
 */
@Command(
    name = "nabla",
    mixinStandardHelpOptions = true,
    versionProvider = NablaCli.VersionProvider.class,
    description = "Nabla: automatic differentiation and tensors for Java.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {
      NablaCli.Demo.class,
      NablaCli.ExercisesCommand.class,
      TrainCommand.class,
      PredictCommand.class,
      D2lCommand.class,
      ShellCommand.class,
      TuneGemmCommand.class,
      NablaCli.Version.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Examples:",
      "  nabla demo            the D2L 2.5 walkthrough and exercises, then linear",
      "                        regression and the MLP on Fashion-MNIST (plots in out/)",
      "  nabla exercises       solve the D2L 2.5 exercises (charts, graphs in out/)",
      "  nabla d2l 2.3         the code cells of a D2L chapter 2 section (2.1 to 2.6)",
      "  nabla train mlp       train the D2L MLP on Fashion-MNIST (or linreg, softmax)",
      "  nabla predict --model out/mlp.safetensors",
      "                        accuracy and confusion matrix of a saved model",
      "  nabla shell           JShell with Nabla and its imports loaded",
      "  nabla tune-gemm       measure the GEMM's cache blocking on this CPU and keep it",
      "  nabla version         show the Nabla version, SIMD availability and JVM",
      "  nabla help demo       show help for a command",
      "",
      "The ./nabla launcher also accepts 'test [--no-simd] [maven args]' to run the test suite."
    })
public final class NablaCli implements Runnable {

  /** Name of the incubating module that backs Nabla's SIMD kernels. */
  public static final String VECTOR_MODULE = "jdk.incubator.vector";

  @Spec CommandSpec spec;

  /** Creates the top-level command; used by picocli. */
  public NablaCli() {}

  /** With no subcommand, prints the usage help. */
  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * Entry point.
   *
   * @param args command-line arguments
   */
  public static void main(String[] args) {
    System.exit(newCommandLine().execute(args));
  }

  /**
   * Builds the configured picocli command line (exposed for tests).
   *
   * @return a new command line for {@code nabla}
   */
  public static CommandLine newCommandLine() {
    return new CommandLine(new NablaCli());
  }

  /**
   * The Nabla version, taken from the jar manifest or from Maven's {@code pom.properties}.
   *
   * @return the version, or {@code "unknown"} when running from unpackaged classes
   */
  public static String nablaVersion() {
    String v = NablaCli.class.getPackage().getImplementationVersion();
    if (v != null && !v.isBlank()) {
      return v;
    }
    try (InputStream in =
        NablaCli.class.getResourceAsStream(
            "/META-INF/maven/dev.nabla/nabla-examples/pom.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String pv = p.getProperty("version");
        if (pv != null && !pv.isBlank()) {
          return pv;
        }
      }
    } catch (IOException ignored) {
      // fall through
    }
    return "unknown";
  }

  /**
   * Whether the incubating Vector API module is in the boot layer (the JVM was started with {@code
   * --add-modules jdk.incubator.vector}).
   *
   * @return true when {@code jdk.incubator.vector} is resolved
   */
  public static boolean vectorModulePresent() {
    return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
  }

  /** Supplies {@code nabla --version}. */
  public static final class VersionProvider implements CommandLine.IVersionProvider {
    /** Creates the provider; used by picocli. */
    public VersionProvider() {}

    @Override
    public String[] getVersion() {
      return new String[] {"nabla " + nablaVersion()};
    }
  }

  /** {@code nabla demo}: the D2L section 2.5 automatic-differentiation walkthrough. */
  @Command(
      name = "demo",
      mixinStandardHelpOptions = true,
      versionProvider = NablaCli.VersionProvider.class,
      description = {
        "Run the D2L 2.5 autograd walkthrough, then train two models.",
        "",
        "Follows Dive into Deep Learning, section 2.5, step by step: the gradient of",
        "y = 2 x.x, non-scalar backward, detaching computation, and gradients through",
        "Java control flow. Prints each step and its result, then solves the",
        "section's exercises, writing their chart and graph files to out/. Then",
        "trains linear regression on synthetic data (D2L 3.5) and, when the",
        "Fashion-MNIST files are installed, the D2L 5.2 MLP for 10 epochs, writing",
        "its training curves and predictions to out/ and ending with its test",
        "accuracy."
      })
  public static final class Demo implements Callable<Integer> {
    @Option(
        names = "--data",
        paramLabel = "DIR",
        description = "Folder with the four Fashion-MNIST IDX files (.gz or not).")
    String data;

    /** Creates the command; used by picocli. */
    public Demo() {}

    @Override
    public Integer call() throws IOException {
      PrintStream out = System.out;
      Path dir = Path.of("out");
      AutogradWalkthrough.run(out);
      out.println();
      out.println("==================== D2L 2.5 exercises ====================");
      out.println();
      Exercises.runAll(out, dir);
      out.println();
      out.println("==================== compile: trace once, fuse, plan ====================");
      out.println();
      CompileDemo.run(out);
      out.println();
      out.println("==================== D2L 3.5: linear regression ====================");
      out.println();
      Training.Options defaults = Training.Options.defaults();
      Training.Result linreg =
          Training.linearRegression(defaults.withPlot(dir.resolve("linreg-training.png")), out);
      out.println();
      out.println("==================== D2L 5.2: an MLP on Fashion-MNIST ====================");
      out.println();
      List<Path> plots = new ArrayList<>();
      plots.add(dir.resolve("exercise4-sin.png"));
      plots.add(linreg.curves());
      Path found = null;
      try {
        found = FashionMnist.find(data);
      } catch (FileNotFoundException e) {
        out.println("Skipping the MLP: " + e.getMessage());
      }
      Training.Result mlp = null;
      if (found != null) {
        Training.Options o =
            new Training.Options(
                null,
                null,
                null,
                "sgd",
                found.toString(),
                dir.resolve("mlp-training.png"),
                null,
                0,
                false);
        mlp = Training.fashionMnist("mlp", o, out);
        plots.add(mlp.curves());
        plots.add(mlp.predictions());
      }
      Linear line = (Linear) linreg.net().get(0);
      out.println();
      out.println("==================== summary ====================");
      out.printf(
          Locale.ROOT,
          "linear regression: w = [%.4f, %.4f], b = %.4f (true [2.0, -3.4] and 4.2)%n",
          line.weight().toFloatArray()[0],
          line.weight().toFloatArray()[1],
          line.bias().item());
      out.println("plots:");
      for (Path p : plots) {
        out.println("  " + p);
      }
      if (mlp != null) {
        out.printf(
            Locale.ROOT,
            "MLP on Fashion-MNIST, %d epochs in %.1f s: test accuracy: %.4f%n",
            mlp.history().size(),
            mlp.seconds(),
            mlp.testAccuracy());
      } else {
        out.println(
            "MLP on Fashion-MNIST: skipped, the dataset is not installed (how to get it: above)");
      }
      out.flush();
      return 0;
    }
  }

  /** {@code nabla exercises}: the exercises of D2L section 2.5. */
  @Command(
      name = "exercises",
      mixinStandardHelpOptions = true,
      versionProvider = NablaCli.VersionProvider.class,
      description = {
        "Solve the D2L 2.5 automatic-differentiation exercises.",
        "",
        "Second derivatives, backward twice, control flow with a vector, sin x and its",
        "derivative by autograd (a PNG chart), and the graph and derivative of",
        "f(x) = log(x^2) sin x + 1/x by reverse and forward mode (a DOT file, and SVG/PNG",
        "when Graphviz is installed)."
      })
  public static final class ExercisesCommand implements Callable<Integer> {
    @Option(
        names = "--out",
        paramLabel = "DIR",
        defaultValue = "out",
        description = "Folder for the chart and graph files (default: ${DEFAULT-VALUE}).")
    Path out;

    /** Creates the command; used by picocli. */
    public ExercisesCommand() {}

    @Override
    public Integer call() {
      Exercises.runAll(System.out, out);
      System.out.flush();
      return 0;
    }
  }

  /** {@code nabla version}: version, SIMD availability and JVM details. */
  @Command(
      name = "version",
      mixinStandardHelpOptions = true,
      versionProvider = NablaCli.VersionProvider.class,
      description = {
        "Show the Nabla version, SIMD availability and the JVM.",
        "",
        "SIMD kernels need the incubating module " + VECTOR_MODULE + ", which is present",
        "only when the JVM runs with --add-modules " + VECTOR_MODULE + " (./nabla passes it)."
      })
  public static final class Version implements Callable<Integer> {
    @Spec CommandSpec spec;

    /** Creates the command; used by picocli. */
    public Version() {}

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      boolean simd = vectorModulePresent();
      out.println("Nabla " + nablaVersion());
      out.println("SIMD (" + VECTOR_MODULE + "): " + (simd ? "present" : "absent"));
      String simdProp = System.getProperty("nabla.simd");
      if (simdProp != null) {
        out.println("nabla.simd property: " + simdProp);
      }
      out.println(
          "JVM: "
              + Runtime.version()
              + " ("
              + System.getProperty("java.vm.name", "?")
              + ", "
              + System.getProperty("java.vendor", "?")
              + ")");
      out.println("Java home: " + System.getProperty("java.home", "?"));
      out.println("GEMM blocking: " + nabla.kernels.GemmBlocking.current());
      out.flush();
      return 0;
    }
  }
}
