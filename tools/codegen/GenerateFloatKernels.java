import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes the float32 twin of every hand-written float64 kernel source (EJML's way: the float code
 * is generated from the double code by token rules, not copied by hand).
 *
 * <p>A source is a file {@code XxxDouble.java} under one of the source folders of {@code
 * nabla-core/src/main} ({@code java}, and {@code java-vector} for the Vector API kernels) whose
 * first line is {@link #SOURCE_MARKER}; its twin {@code XxxFloat.java} is written beside it,
 * starting with a "generated from ... do not edit" header. The twins are committed, and {@code
 * GeneratedKernelsTest} regenerates them into a temporary folder and fails on any difference.
 *
 * <p>Run from the repository root (JDK 25, no build needed):
 *
 * <pre>
 *   java tools/codegen/GenerateFloatKernels.java            # rewrite the twins in place
 *   java tools/codegen/GenerateFloatKernels.java --out DIR  # write them under DIR instead
 * </pre>
 *
 * <p>With {@code --out DIR} a twin keeps its path below {@code nabla-core/src/main}: {@code
 * DIR/java/nabla/kernels/GemmFloat.java}, {@code DIR/java-vector/nabla/kernels/VectorGemmFloat.java}.
 *
 * <p>Rules, applied to every line (code, comments and strings alike) except a line containing
 * {@link #KEEP}, which is copied unchanged:
 *
 * <ul>
 *   <li>the keyword {@code double} becomes {@code float}, {@code doubles} becomes {@code floats};
 *   <li>{@code Double} inside any identifier becomes {@code Float}: {@code DoubleVector}, {@code
 *       VectorMask<Double>}, {@code Double.NEGATIVE_INFINITY}, and the kernel classes themselves
 *       ({@code VectorKernelsDouble} calls {@code ScalarKernelsDouble}, so {@code
 *       VectorKernelsFloat} calls {@code ScalarKernelsFloat});
 *   <li>a constant {@code D_NAME} becomes {@code F_NAME} (the per-type tuning constants), {@code
 *       float64} becomes {@code float32}, {@code FLOAT64} becomes {@code FLOAT32};
 *   <li>the storage array {@code x.d} becomes {@code x.f};
 *   <li>a floating-point literal gets the {@code f} suffix ({@code 0.0} to {@code 0.0f}, {@code 1d}
 *       to {@code 1f});
 *   <li>a call of a {@link Math} function that has no float overload ({@code exp}, {@code log},
 *       {@code sqrt}, {@code pow}, ...) gets a {@code (float)} cast: computed in double, rounded
 *       once. {@code Math.max}, {@code min}, {@code abs}, {@code signum} and {@code fma} have float
 *       overloads and are left alone.
 * </ul>
 *
 * <p>Write {@code // keep-double} at the end of a line that must stay double in the float twin (an
 * accumulator, a value passed to a double-only helper).
 */
public final class GenerateFloatKernels {

  /** First line of every hand-written float64 source that has a generated twin. */
  static final String SOURCE_MARKER =
      "// Source of a generated float32 twin (tools/codegen/GenerateFloatKernels.java).";

  /** A line containing this marker is copied into the float twin unchanged. */
  static final String KEEP = "// keep-double";

  /** The command that rewrites the twins, printed by the check test when they differ. */
  static final String COMMAND = "java tools/codegen/GenerateFloatKernels.java";

  /** The folder that holds the source folders; twins keep their path below it. */
  private static final Path MAIN = Path.of("nabla-core", "src", "main");

  /** The source folders searched for float64 sources. */
  static final List<Path> SOURCE_ROOTS = List.of(MAIN.resolve("java"), MAIN.resolve("java-vector"));

  private static final Set<String> MATH_WITHOUT_FLOAT_OVERLOAD =
      Set.of(
          "exp", "expm1", "log", "log10", "log1p", "sqrt", "cbrt", "pow", "hypot", "sin", "cos",
          "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh");

  private static final Pattern MATH_CALL = Pattern.compile("(?<![\\w.])Math\\.(\\w+)\\(");

  /**
   * 1.5, 0.0, .5, 1e-3, 1.5e3, each with an optional d suffix, and 2d. Digits are required after
   * the point, so that "1 or 0." at the end of a sentence in a comment is left alone.
   */
  private static final Pattern FLOATING_LITERAL =
      Pattern.compile(
          "(?<![\\w.])((?:\\d+\\.\\d+|\\.\\d+)(?:[eE][+-]?\\d+)?|\\d+[eE][+-]?\\d+|\\d+(?=[dD]))"
              + "[dD]?(?![\\w.])");

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_$][\\w$]*");

  /** One example of every rule: {line in the float64 source, line in the float32 twin}. */
  private static final String[][] EXAMPLES = {
    {"double[] acc = new double[n];", "float[] acc = new float[n];"},
    {"DoubleVector x = DoubleVector.zero(SPECIES);", "FloatVector x = FloatVector.zero(SPECIES);"},
    {"VectorMask<Double> m = Double.isNaN(v);", "VectorMask<Float> m = Float.isNaN(v);"},
    {"GemmDouble.run(in.d, D_NC, d);", "GemmFloat.run(in.f, F_NC, d);"},
    {"o[j] = Math.exp(x) * Math.max(x, 0.5);", "o[j] = (float) Math.exp(x) * Math.max(x, 0.5f);"},
    {"y = 1d + 2.0e-3 + 1e5 + .5 + 3 + 4L;", "y = 1f + 2.0e-3f + 1e5f + .5f + 3 + 4L;"},
    {"int k = s00 + c1; // stride 1 or 0.", "int k = s00 + c1; // stride 1 or 0."},
    {" * float64 kernels, case FLOAT64, doubles", " * float32 kernels, case FLOAT32, floats"},
    {"double s = 0; // keep-double", "double s = 0; // keep-double"},
  };

  private GenerateFloatKernels() {}

  public static void main(String[] args) throws IOException {
    Path out = MAIN;
    if (args.length == 2 && args[0].equals("--out")) {
      out = Path.of(args[1]);
    } else if (args.length != 0) {
      System.err.println("usage: " + COMMAND + " [--out DIR]   (run from the repository root)");
      System.exit(2);
    }
    for (Path root : SOURCE_ROOTS) {
      if (!Files.isDirectory(root)) {
        System.err.println(
            "GenerateFloatKernels: " + root + " not found; run from the repository root");
        System.exit(2);
      }
    }
    checkExamples();
    List<Path> sources = sources();
    if (sources.isEmpty()) {
      System.err.println("GenerateFloatKernels: no source starts with " + SOURCE_MARKER);
      System.exit(1);
    }
    for (Path source : sources) {
      Path relative = MAIN.relativize(source);
      Path target = out.resolve(relative.resolveSibling(twinName(source)));
      String text = generate(source);
      boolean same = Files.exists(target) && Files.readString(target).equals(text);
      if (!same) {
        Files.createDirectories(target.getParent());
        Files.writeString(target, text, StandardCharsets.UTF_8);
      }
      System.out.println((same ? "unchanged " : "wrote     ") + target);
    }
  }

  /** The hand-written float64 sources: {@code *Double.java} files that start with the marker. */
  static List<Path> sources() throws IOException {
    List<Path> sources = new ArrayList<>();
    for (Path root : SOURCE_ROOTS) {
      try (Stream<Path> files = Files.walk(root)) {
        files
            .filter(p -> p.getFileName().toString().endsWith("Double.java"))
            .filter(GenerateFloatKernels::startsWithMarker)
            .sorted()
            .forEach(sources::add);
      }
    }
    return sources;
  }

  private static boolean startsWithMarker(Path p) {
    try (Stream<String> lines = Files.lines(p)) {
      return lines.findFirst().orElse("").equals(SOURCE_MARKER);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String twinName(Path source) {
    String name = source.getFileName().toString();
    return name.substring(0, name.length() - "Double.java".length()) + "Float.java";
  }

  /** The float32 twin of one source, header included. */
  static String generate(Path source) throws IOException {
    List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
    List<String> out = new ArrayList<>();
    String name = source.getFileName().toString();
    out.add(
        "// GENERATED from " + name + " by tools/codegen/GenerateFloatKernels.java: do not edit.");
    out.add("// Edit " + name + " and run `" + COMMAND + "` (from the repository root).");
    for (String line : lines.subList(1, lines.size())) {
      out.add(twin(line));
    }
    return String.join("\n", out) + "\n";
  }

  /** The float32 twin of one line of a float64 source. */
  static String twin(String line) {
    return line.contains(KEEP) ? line : translate(line);
  }

  /** Fails when a rule no longer does what its example says. */
  static void checkExamples() {
    for (String[] e : EXAMPLES) {
      String got = twin(e[0]);
      if (!got.equals(e[1])) {
        throw new IllegalStateException(
            "GenerateFloatKernels rule broken: " + e[0] + "\n  gives " + got + "\n  not   " + e[1]);
      }
    }
  }

  /** Applies the token rules to one line. */
  static String translate(String line) {
    String s =
        MATH_CALL
            .matcher(line)
            .replaceAll(
                m ->
                    MATH_WITHOUT_FLOAT_OVERLOAD.contains(m.group(1))
                        ? "(float) Math." + m.group(1) + "("
                        : Matcher.quoteReplacement(m.group()));
    s = FLOATING_LITERAL.matcher(s).replaceAll("$1f");
    StringBuilder sb = new StringBuilder();
    Matcher m = IDENTIFIER.matcher(s);
    int last = 0;
    while (m.find()) {
      // A match that starts inside a number (the 'f' of 0.0f, the 'e' of 1e5) is not a name.
      if (m.start() > 0 && Character.isDigit(s.charAt(m.start() - 1))) {
        continue;
      }
      sb.append(s, last, m.start());
      boolean member = m.start() > 0 && s.charAt(m.start() - 1) == '.';
      sb.append(rename(m.group(), member));
      last = m.end();
    }
    return sb.append(s.substring(last)).toString();
  }

  private static String rename(String id, boolean member) {
    return switch (id) {
      case "double" -> "float";
      case "doubles" -> "floats";
      case "float64" -> "float32";
      case "FLOAT64" -> "FLOAT32";
      case "d" -> member ? "f" : id; // Storage.d, the float64 array, becomes Storage.f
      default -> {
        if (id.startsWith("D_") && id.length() > 2) {
          yield "F_" + id.substring(2);
        }
        yield id.replace("Double", "Float");
      }
    };
  }
}
