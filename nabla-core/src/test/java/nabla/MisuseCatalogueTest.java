package nabla;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps {@code docs/MISUSE.md} true: every entry's snippet is compiled and run, and must throw
 * exactly the exception the entry names, with a message that matches the entry's message line and
 * contains the key parts listed in {@link #CASES}. An entry without a row, or a row without an
 * entry, fails the build.
 *
 * <p>Adding an entry: write its section in the catalogue and add one row here.
 */
class MisuseCatalogueTest {
  private static final Class<IllegalArgumentException> ARG = IllegalArgumentException.class;
  private static final Class<IllegalStateException> STATE = IllegalStateException.class;
  private static final Class<TracingException> TRACING = TracingException.class;
  private static final Class<IndexOutOfBoundsException> INDEX = IndexOutOfBoundsException.class;
  private static final Class<UnsupportedOperationException> UNSUPPORTED =
      UnsupportedOperationException.class;

  /** Per entry id: the exception its snippet throws and key parts of the message. */
  static final Map<String, Case> CASES =
      table(
          row("M01", ARG, "of: data length 5", "[2, 3]", "6 elements"),
          row("M02", ARG, "zeros", "[2, -1]"),
          row("M03", ARG, "arange", "step"),
          row("M04", ARG, "linspace", "-1"),
          row("M05", ARG, "randint", "low 3", "high 3"),
          row("M06", ARG, "uniform", "low 3.0", "high 1.0"),
          row("M07", ARG, "add", "[2, 3]", "[4]"),
          row("M08", ARG, "reshape", "[2, 3]", "[4]"),
          row("M09", ARG, "reshape", "[-1, -1]"),
          row("M10", ARG, "expand", "[2, 3]", "[4, 3]"),
          row("M11", ARG, "permute", "[0, 0]", "[2, 3]"),
          row("M12", ARG, "sum", "dimension 2", "rank 2"),
          row("M13", ARG, "sum", "twice"),
          row("M14", ARG, "unsqueeze", "position 4", "rank 2", "[-3, 2]"),
          row("M15", ARG, "slice", "step", "0"),
          row("M16", ARG, "slice", "0-d"),
          row("M17", ARG, "cat", "[2, 4]", "[2, 3]"),
          row("M18", ARG, "cat", "at least one"),
          row("M19", ARG, "cat", "0-d", "stack"),
          row("M20", ARG, "stack", "[3]", "[4]"),
          row("M21", ARG, "requiresGrad", "int64", "[3]"),
          row("M22", ARG, "neg", "bool", "[2]"),
          row("M23", ARG, "sub", "bool", "[2]", "to(DType.FLOAT32)"),
          row("M24", ARG, "maskedSelect", "bool", "float32"),
          row("M25", ARG, "gather", "int64", "float32"),
          row("M26", ARG, "crossEntropy", "int64", "float32"),
          row("M27", INDEX, "get", "index 3", "size 3", "-3 to 2"),
          row("M28", ARG, "get", "0-d", "item()"),
          row("M29", INDEX, "gather", "index 5", "size 3"),
          row("M30", ARG, "gather", "[3]", "[2, 3]", "dimension 1"),
          row("M31", ARG, "indexSelect", "1-d", "[1, 2]"),
          row("M32", ARG, "scatterAdd", "[2]", "[1]"),
          row("M33", STATE, "item", "[2, 3]", "6 elements"),
          row("M34", ARG, "max", "[0]", "empty"),
          row("M35", ARG, "norm", "NaN", "POSITIVE_INFINITY"),
          row("M36", ARG, "clamp", "min 2.0", "max 1.0"),
          row("M37", ARG, "matmul", "[2, 3]", "[4, 5]"),
          row("M38", ARG, "matmul", "[]", "[3]", "mul"),
          row("M39", ARG, "matmul", "[2, 2, 3]", "[3, 3, 4]"),
          row("M40", ARG, "dot", "[3]", "[4]"),
          row("M41", ARG, "crossEntropy", "[2, 3]", "[3]"),
          row("M42", INDEX, "crossEntropy", "index 3", "size 3"),
          row("M43", ARG, "mseLoss", "[3, 1]", "[3]"),
          row("M44", STATE, "backward", "second time", "MulBackward", "retainGraph"),
          row("M45", STATE, "backward", "[3]", "Tensor.ones(3)", "sum()"),
          row("M46", ARG, "backward", "[3]", "[2, 2]"),
          row("M47", STATE, "backward", "does not require grad", "requiresGrad(true)", "noGrad"),
          row("M48", STATE, "backward", "does not require grad", "createGraph"),
          row("M49", NullPointerException.class, "nabla.Tensor.grad()", "null"),
          row("M50", STATE, "requiresGrad(false)", "MulBackward", "detach()"),
          row("M51", STATE, "retainGrad", "does not require grad"),
          row("M52", ARG, "setGrad", "[2]", "[3]"),
          row("M53", STATE, "subInPlace", "requires grad", "Autograd.noGrad()"),
          row("M54", STATE, "MulBackward", "mulInPlace", "[3]"),
          row("M55", ARG, "copyFrom", "[2, 3]", "expanded"),
          row("M56", ARG, "addInPlace", "[2, 3]", "[3]"),
          row("M57", STATE, "grad", "output 0", "[2]", "onesLike()"),
          row("M58", ARG, "grad", "[2]", "does not require grad"),
          row("M59", ARG, "grad", "2 outputs", "1 head gradients"),
          row("M60", ARG, "grad", "one-element", "[2]"),
          row("M61", ARG, "grad", "int64", "[2]"),
          row("M62", ARG, "gradWrt", "2", "2 arguments"),
          row("M63", STATE, "grad", "returned null"),
          row("M64", ARG, "vjp", "[3]", "[2]"),
          row("M65", ARG, "jvp", "[1]", "[2]"),
          row("M66", STATE, "Square", "2 gradients", "1 inputs"),
          row("M67", STATE, "Broken", "forward returned null"),
          row("M68", UNSUPPORTED, "Square", "no JVP rule", "CustomFunction.of"),
          row("M69", STATE, "Total", "JVP", "[2]", "[]"),
          row("M70", STATE, "gradient", "GradientTape.persistent()"),
          row("M71", ARG, "gradient", "[2]", "tape.watch"),
          row("M72", STATE, "checkpoint", "mulInPlace", "[2]"),
          row("M73", ARG, "GradCheck", "requiresGrad(true)"),
          row("M74", AssertionError.class, "gradient check FAILED", "VJP: input 0, element 0"),
          row("M75", AssertionError.class, "gradient check FAILED", "does not depend"),
          row("M76", ARG, "setThreads", "0"),
          row("M77", ARG, "render", "graph.txt", ".svg"),
          row("M78", ARG, "zeros", "18446744073709551616", "2^31-1"),
          row("M79", ARG, "arange", "1.000e+10", "2^31-1"),
          row("M80", ARG, "normal", "std -1.0"),
          row("M81", ARG, "mulInPlace", "float32", "int64", "[2]"),
          row("M82", ARG, "setGrad", "int64", "float32"),
          row("M83", ARG, "setGrad", "expanded", "g.contiguous()"),
          row("M84", ARG, "pow", "int64", "negative"),
          row("M85", ARG, "where", "bool", "float32"),
          row("M86", STATE, "longItem", "float32"),
          row("M87", STATE, "TBackward", "input 0", "[3, 2]", "[2, 3]"),
          row("M88", ARG, "crossEntropy", "[2, 0]", "no classes"),
          row("M89", STATE, "addInPlace", "view of a leaf", "[2]", "[3]", "noGrad"),
          row("M90", STATE, "detachInPlace", "[1]", "[2]", "detach()"),
          row("M91", STATE, "registerHook", "[2]", "requiresGrad(true)"),
          row("M92", STATE, "hook", "shape []", "shape [2]", "null"),
          row("M93", STATE, "registerPostAccumulateGradHook", "MulBackward", "registerHook"),
          row("M94", ARG, "jvp", "float32", "float64", "to(DType.FLOAT64)"),
          row("M95", STATE, "Pair", "2 gradients", "1 inputs"),
          row("M96", UNSUPPORTED, "asStrided", "[2, 2]", "contiguous()"),
          row("M97", INDEX, "index: index 4", "dimension 1 of size 4", "-4 to 3"),
          row("M98", ARG, "index", "indices[0]", "float32", "DType.INT64"),
          row("M99", ARG, "index", "[4]", "dimensions 0..0", "[3, 4]"),
          row("M100", ARG, "index", "dimension 1", "[3]", "[2]"),
          row("M101", ARG, "indexPut", "[2]", "[2, 4]", "[3, 4]"),
          row("M102", ARG, "solve", "[2, 2]", "singular", "lstsq"),
          row("M103", ARG, "cholesky", "positive-definite", "order 2"),
          row("M104", ARG, "inv", "square", "[2, 3]"),
          row("M105", ARG, "addInPlace", "alpha", "finite", "NaN"),
          row("M106", ARG, "repeatInterleave", "3 counts", "2 slices"),
          row("M107", TRACING, "compile: item()", "shape []", "Tensor.where"),
          row("M108", TRACING, "compile: normal", "random", "argument"),
          row("M109", TRACING, "compile: addInPlace", "in place", "pure"));
  ;

  @TempDir static Path compiled;

  record Case(String id, Class<? extends Throwable> type, List<String> fragments) {}

  private static Case row(String id, Class<? extends Throwable> type, String... fragments) {
    return new Case(id, type, List.of(fragments));
  }

  private static Map<String, Case> table(Case... rows) {
    Map<String, Case> m = new LinkedHashMap<>();
    for (Case c : rows) {
      if (m.put(c.id(), c) != null) {
        throw new IllegalStateException("two rows for " + c.id());
      }
    }
    return m;
  }

  @TestFactory
  Stream<DynamicTest> everySnippetThrowsWhatItsEntrySays() throws Exception {
    MisuseCatalogue doc = MisuseCatalogue.load();
    Map<String, MethodHandle> snippets = doc.compile(compiled);
    return doc.unique().stream()
        .map(
            e ->
                DynamicTest.dynamicTest(
                    e.id() + " " + e.title(), () -> check(e, snippets.get(e.id()))));
  }

  private static void check(MisuseCatalogue.Entry entry, MethodHandle snippet) {
    String id = entry.id();
    Case c = CASES.get(id);
    if (c == null) {
      fail(id + " has no row in MisuseCatalogueTest.CASES");
    }
    Throwable e = null;
    try {
      snippet.invoke();
    } catch (Throwable t) {
      e = t;
    }
    GradMode.State mode = GradMode.state();
    assertTrue(mode.enabled, id + ": the failure left gradient recording off");
    assertEquals(0, mode.activeCount, id + ": the failure left a forward-mode level open");
    if (e == null) {
      fail(id + ": the snippet threw nothing, the entry expects " + c.type().getSimpleName());
    }
    if (e.getClass() != c.type()) {
      throw new AssertionError(id + ": expected " + c.type().getName() + " but got " + e, e);
    }
    assertEquals(
        e.getClass().getSimpleName(),
        entry.type(),
        id + ": the entry names another exception type than the snippet throws");
    String message = e.getMessage();
    assertNotNull(message, id + ": an exception without a message: " + e);
    for (String f : c.fragments()) {
      assertTrue(
          message.contains(f), id + ": the message should contain '" + f + "' but was: " + message);
    }
    assertTrue(
        entry.matches(message),
        id
            + ": the message does not match the entry's message line\n  entry:  "
            + entry.template()
            + "\n  actual: "
            + message);
  }

  @Test
  void everyEntryHasARowAndEveryRowAnEntry() {
    MisuseCatalogue doc = MisuseCatalogue.load();
    TreeSet<String> documented = new TreeSet<>();
    doc.entries.forEach(e -> documented.add(e.id()));
    TreeSet<String> noRow = new TreeSet<>(documented);
    noRow.removeAll(CASES.keySet());
    TreeSet<String> noEntry = new TreeSet<>(CASES.keySet());
    noEntry.removeAll(documented);
    assertTrue(noRow.isEmpty(), "entries of docs/MISUSE.md without a row in CASES: " + noRow);
    assertTrue(noEntry.isEmpty(), "rows of CASES without an entry in docs/MISUSE.md: " + noEntry);
  }

  @Test
  void everyEntryIsComplete() {
    MisuseCatalogue doc = MisuseCatalogue.load();
    assertTrue(doc.problems.isEmpty(), String.join("\n", doc.problems));
    assertTrue(doc.entries.size() >= 40, "only " + doc.entries.size() + " entries");
  }

  @Test
  void templatesMatchOnlyTheirMessages() {
    // The message check is only as strong as this matcher: literal text must match exactly (regex
    // characters included) and a marked part may stand for any text, line breaks included.
    String template = "add: shapes ‹a› and ‹b› cannot be broadcast (dimension ‹i›).";
    assertTrue(matches(template, "add: shapes [2] and [3] cannot be broadcast (dimension 0)."));
    assertTrue(matches("FAILED (‹counts›)‹report›", "FAILED (2 comparisons)\n  VJP: input 0"));
    for (String wrong :
        List.of(
            "sub: shapes [2] and [3] cannot be broadcast (dimension 0).",
            "add: shapes [2] and [3] cannot be broadcast (dimension 0). Extra",
            "add: shapes [2] or [3] cannot be broadcast (dimension 0).",
            "add: shapes [2] and [3] cannot be broadcast dimension 0)x")) {
      assertFalse(matches(template, wrong), wrong);
    }
  }

  private static boolean matches(String template, String message) {
    return MisuseCatalogue.templatePattern(template).matcher(message).matches();
  }
}
