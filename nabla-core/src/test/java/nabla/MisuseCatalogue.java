package nabla;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Reads {@code docs/MISUSE.md} (the catalogue of error messages) and compiles its snippets, for
 * {@link MisuseCatalogueTest}.
 *
 * <p>An entry is a heading {@code ### M07 · title} followed by one message line {@code
 * `IllegalArgumentException: add: shapes ‹a› and ‹b› ...`} (‹…› marks a part that depends on the
 * call and may span lines), one {@code ```java} block and a paragraph starting with {@code
 * **Fix:**}. Snippets are compiled as method bodies of one class that imports {@code nabla.*}.
 */
final class MisuseCatalogue {
  static final String FILE = "docs/MISUSE.md";

  private static final Pattern HEADING = Pattern.compile("^### (M\\d{2,}) · (\\S.*)$");
  private static final Pattern MESSAGE =
      Pattern.compile("^`([A-Za-z]+(?:Exception|Error)): (.+)`$");
  private static final Pattern VARIABLE = Pattern.compile("‹[^›]*›");

  /** One catalogue entry; {@code line} is the 1-based line of its heading. */
  record Entry(
      String id, String title, String type, String template, String snippet, String fix, int line) {

    /** Whether {@code message} is this entry's template with its ‹…› parts filled in. */
    boolean matches(String message) {
      return templatePattern(template).matcher(message).matches();
    }
  }

  final List<Entry> entries;

  /** Problems in the file's layout (an entry without a message, snippet or fix, ...). */
  final List<String> problems;

  private MisuseCatalogue(List<Entry> entries, List<String> problems) {
    this.entries = List.copyOf(entries);
    this.problems = List.copyOf(problems);
  }

  /** Reads the catalogue from the repository root (found by walking up from the working dir). */
  static MisuseCatalogue load() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve(FILE))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException(FILE + " not found above " + Path.of("").toAbsolutePath());
    }
    try {
      return parse(Files.readAllLines(dir.resolve(FILE), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static MisuseCatalogue parse(List<String> lines) {
    List<Entry> entries = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    int i = 0;
    while (i < lines.size()) {
      String line = lines.get(i);
      if (line.startsWith("### M") && !HEADING.matcher(line).matches()) {
        problems.add("line " + (i + 1) + ": entry heading not of the form '### M07 · title'");
      }
      Matcher h = HEADING.matcher(line);
      if (!h.matches()) {
        i++;
        continue;
      }
      int start = i;
      int end = i + 1;
      boolean inFence = false;
      while (end < lines.size() && (inFence || !lines.get(end).startsWith("#"))) {
        if (lines.get(end).startsWith("```")) {
          inFence = !inFence;
        }
        end++;
      }
      entries.add(
          entry(h.group(1), h.group(2), lines.subList(start + 1, end), start + 1, problems));
      i = end;
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (Entry e : entries) {
      if (!seen.add(e.id())) {
        problems.add(e.id() + " (line " + e.line() + "): this id is used by an earlier entry");
      }
    }
    return new MisuseCatalogue(entries, problems);
  }

  private static Entry entry(
      String id, String title, List<String> body, int line, List<String> problems) {
    String where = id + " (line " + line + ")";
    List<Matcher> messages = new ArrayList<>();
    StringBuilder snippet = null;
    int snippets = 0;
    StringBuilder fix = null;
    boolean inSnippet = false;
    for (String l : body) {
      if (inSnippet) {
        if (l.equals("```")) {
          inSnippet = false;
        } else {
          snippet.append(l).append('\n');
        }
      } else if (l.equals("```java")) {
        inSnippet = true;
        snippets++;
        snippet = new StringBuilder();
      } else if (MESSAGE.matcher(l).matches()) {
        Matcher m = MESSAGE.matcher(l);
        m.matches();
        messages.add(m);
      } else if (l.startsWith("**Fix:**")) {
        fix = new StringBuilder(l.substring("**Fix:**".length()).strip());
      } else if (fix != null && !l.isBlank()) {
        fix.append(' ').append(l.strip());
      }
    }
    if (messages.size() != 1) {
      problems.add(where + ": expected one message line `Type: message`, found " + messages.size());
    }
    if (snippets != 1 || inSnippet) {
      problems.add(where + ": expected one closed ```java snippet, found " + snippets);
    }
    if (fix == null || fix.isEmpty()) {
      problems.add(where + ": no '**Fix:**' paragraph");
    }
    return new Entry(
        id,
        title,
        messages.isEmpty() ? "" : messages.get(0).group(1),
        messages.isEmpty() ? "" : messages.get(0).group(2),
        snippet == null ? "" : snippet.toString(),
        fix == null ? "" : fix.toString(),
        line);
  }

  /** The template as a regex: literal text, each ‹…› any text (line breaks included). */
  static Pattern templatePattern(String template) {
    StringBuilder re = new StringBuilder();
    Matcher m = VARIABLE.matcher(template);
    int last = 0;
    while (m.find()) {
      re.append(Pattern.quote(template.substring(last, m.start()))).append("(?s:.*?)");
      last = m.end();
    }
    re.append(Pattern.quote(template.substring(last)));
    return Pattern.compile(re.toString());
  }

  /**
   * Compiles every snippet as a static method named after its entry's id into {@code dir} and
   * returns the methods by id. Compilation errors fail with the entry ids and lines concerned.
   */
  Map<String, MethodHandle> compile(Path dir) throws Exception {
    StringBuilder src =
        new StringBuilder("import nabla.*;\n\npublic final class MisuseSnippets {\n");
    List<Integer> firstLines = new ArrayList<>();
    int lineNo = 3;
    for (Entry e : unique()) {
      src.append("  public static void ").append(e.id()).append("() throws Throwable {\n");
      lineNo++;
      firstLines.add(lineNo + 1);
      src.append(e.snippet().indent(4));
      lineNo += (int) e.snippet().lines().count();
      src.append("  }\n");
      lineNo++;
    }
    src.append("}\n");
    Path file = dir.resolve("MisuseSnippets.java");
    Files.writeString(file, src, StandardCharsets.UTF_8);

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IllegalStateException("no Java compiler in this runtime; run the tests on a JDK");
    }
    String classes =
        Path.of(Tensor.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    boolean ok;
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
      ok =
          javac
              .getTask(
                  null,
                  files,
                  diagnostics,
                  List.of("-d", dir.toString(), "-cp", classes, "-proc:none", "-g"),
                  null,
                  files.getJavaFileObjects(file))
              .call();
    }
    if (!ok) {
      StringBuilder b = new StringBuilder("snippets of " + FILE + " do not compile:");
      for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
        if (d.getKind() == Diagnostic.Kind.ERROR) {
          b.append("\n  ")
              .append(entryAt((int) d.getLineNumber(), firstLines))
              .append(": ")
              .append(d.getMessage(null));
        }
      }
      throw new AssertionError(b.toString());
    }
    URLClassLoader loader =
        new URLClassLoader(new URL[] {dir.toUri().toURL()}, Tensor.class.getClassLoader());
    Class<?> c = loader.loadClass("MisuseSnippets");
    Map<String, MethodHandle> methods = new LinkedHashMap<>();
    for (Entry e : unique()) {
      methods.put(
          e.id(), MethodHandles.lookup().findStatic(c, e.id(), MethodType.methodType(void.class)));
    }
    return methods;
  }

  /** The entries, the first of each id only (a repeated id is one of {@link #problems}). */
  List<Entry> unique() {
    Map<String, Entry> byId = new LinkedHashMap<>();
    for (Entry e : entries) {
      byId.putIfAbsent(e.id(), e);
    }
    return List.copyOf(byId.values());
  }

  private String entryAt(int generatedLine, List<Integer> firstLines) {
    List<Entry> compiled = unique();
    for (int k = compiled.size() - 1; k >= 0; k--) {
      if (generatedLine >= firstLines.get(k)) {
        Entry e = compiled.get(k);
        return e.id() + " (snippet line " + (generatedLine - firstLines.get(k) + 1) + ")";
      }
    }
    return "line " + generatedLine;
  }
}
