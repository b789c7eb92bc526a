package nabla;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Draws the computation graph recorded by autograd, as Graphviz DOT text or as an SVG/PNG picture
 * made by the Graphviz {@code dot} program (the idea of PyTorch's torchviz).
 *
 * <p>Every gradient function ({@link Node}) is a box labelled with its name, e.g. {@code
 * MulBackward}; every leaf tensor is an ellipse labelled with its shape and dtype, blue and marked
 * {@code requiresGrad} when gradients flow to it, grey and dashed when it is a constant (with its
 * value when all its elements are equal). Edges point the way the data flows, from inputs to the
 * node that used them; each output gets a green node of its own. A node whose saved tensors
 * backward has freed is drawn dashed with no inputs: draw the graph before backward, or run
 * backward with {@code retainGraph = true}.
 *
 * <pre>{@code
 * Tensor x = Tensor.of(1, 2, 3).requiresGrad(true);
 * Tensor y = x.mul(x).log().mul(x.sin()).add(x.reciprocal());   // log(x²)·sin x + 1/x
 * String dot = GraphExport.toDot(Map.of(x, "x"), y);              // DOT text, node "x" named
 * GraphExport.render(Path.of("out/graph.svg"), y);                 // needs Graphviz installed
 * }</pre>
 */
public final class GraphExport {
  private GraphExport() {}

  /** The Graphviz program that lays graphs out. */
  static final String DOT_PROGRAM = "dot";

  /** How long {@code dot} may run before it is stopped. */
  static final Duration DOT_TIMEOUT = Duration.ofSeconds(30);

  /**
   * The computation graph that produced {@code outputs}, in the Graphviz DOT language. Node ids
   * ({@code n0}, {@code n1}, …) follow a depth-first walk from the outputs, inputs in order, so the
   * same computation always gives the same text.
   */
  public static String toDot(Tensor... outputs) {
    return toDot(Map.of(), outputs);
  }

  /**
   * Like {@link #toDot(Tensor...)}, with a name shown on the given tensors (leaves or intermediate
   * results), e.g. {@code Map.of(x, "x")}. Tensors are matched by identity.
   */
  public static String toDot(Map<Tensor, String> names, Tensor... outputs) {
    if (outputs.length == 0) {
      throw new IllegalArgumentException("toDot: pass at least one output tensor");
    }
    Map<Tensor, String> byIdentity = new IdentityHashMap<>(names);
    Map<Object, String> ids = new IdentityHashMap<>();
    List<String> nodes = new ArrayList<>();
    List<String> edges = new ArrayList<>();
    Map<Node, Boolean> expanded = new IdentityHashMap<>();
    for (Tensor out : outputs) {
      visit(out, byIdentity, ids, expanded, nodes, edges);
    }
    StringBuilder b = new StringBuilder();
    b.append("digraph nabla {\n");
    b.append("  rankdir=TB;\n");
    b.append("  node [fontname=\"Helvetica\", fontsize=11];\n");
    b.append("  edge [color=\"#555555\"];\n");
    for (String n : nodes) {
      b.append("  ").append(n).append(";\n");
    }
    for (int i = 0; i < outputs.length; i++) {
      Tensor out = outputs[i];
      String label = (outputs.length == 1 ? "output" : "output " + i) + "\\n" + describe(out);
      String named = byIdentity.get(out);
      if (named != null) {
        label = escape(named) + "\\n" + label;
      }
      b.append("  out")
          .append(i)
          .append(" [label=\"")
          .append(label)
          .append("\", shape=ellipse, style=\"filled,bold\", fillcolor=\"#c8f0c8\"];\n");
    }
    for (String e : edges) {
      b.append("  ").append(e).append(";\n");
    }
    for (int i = 0; i < outputs.length; i++) {
      b.append("  ").append(ids.get(key(outputs[i]))).append(" -> out").append(i).append(";\n");
    }
    b.append("}\n");
    return b.toString();
  }

  /**
   * Writes the graph of {@code outputs} to {@code target}, in the format its extension names:
   * {@code .dot} (or {@code .gv}) is the DOT text; {@code .svg}, {@code .png} and {@code .pdf} are
   * drawn by the Graphviz {@code dot} program, which must be installed. Creates missing parent
   * folders.
   *
   * <pre>{@code GraphExport.render(Path.of("out/graph.png"), y);}</pre>
   *
   * @return {@code target}
   * @throws IllegalArgumentException for an unknown extension
   * @throws IllegalStateException when {@code dot} is not installed, fails, or takes longer than 30
   *     seconds
   * @throws java.io.UncheckedIOException when the file cannot be written
   */
  public static Path render(Path target, Tensor... outputs) {
    return render(target, Map.of(), outputs);
  }

  /** Like {@link #render(Path, Tensor...)}, with names shown on the given tensors. */
  public static Path render(Path target, Map<Tensor, String> names, Tensor... outputs) {
    return render(target, DOT_PROGRAM, DOT_TIMEOUT, names, outputs);
  }

  /** Whether the Graphviz {@code dot} program can be run (so SVG and PNG output work). */
  public static boolean isGraphvizAvailable() {
    return isAvailable(DOT_PROGRAM);
  }

  static boolean isAvailable(String program) {
    try {
      Process p =
          new ProcessBuilder(program, "-V")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** {@link #render(Path, Map, Tensor...)} with the program and timeout given (for tests). */
  static Path render(
      Path target, String program, Duration timeout, Map<Tensor, String> names, Tensor... outputs) {
    String format = extension(target);
    String dot = toDot(names, outputs);
    try {
      Path parent = target.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      switch (format) {
        case "dot", "gv" -> Files.writeString(target, dot, StandardCharsets.UTF_8);
        case "svg", "png", "pdf" -> runDot(program, timeout, format, dot, target);
        default ->
            throw new IllegalArgumentException(
                "render: cannot tell the format of "
                    + target
                    + "; end the file name in .dot, .gv, .svg, .png or .pdf");
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("render: cannot write " + target, e);
    }
    return target;
  }

  private static void runDot(
      String program, Duration timeout, String format, String dot, Path target) throws IOException {
    Path input = Files.createTempFile("nabla-graph", ".dot");
    Path log = Files.createTempFile("nabla-graph", ".log");
    try {
      Files.writeString(input, dot, StandardCharsets.UTF_8);
      Process p;
      try {
        p =
            new ProcessBuilder(program, "-T" + format, "-o", target.toString(), input.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
      } catch (IOException e) {
        throw new IllegalStateException(
            "render: cannot run the Graphviz program '"
                + program
                + "' ("
                + e.getMessage()
                + "), which draws ."
                + format
                + " files; install Graphviz: apt-get install"
                + " graphviz (macOS: brew install graphviz), or render to a .dot file instead",
            e);
      }
      boolean finished;
      try {
        finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IllegalStateException("render: interrupted while '" + program + "' ran", e);
      }
      if (!finished) {
        p.destroyForcibly();
        throw new IllegalStateException(
            "render: '"
                + program
                + "' did not finish within "
                + timeout.toSeconds()
                + " s drawing "
                + target
                + "; the graph may be too large, render it to .dot"
                + " instead");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            "render: '"
                + program
                + "' failed with exit code "
                + p.exitValue()
                + " drawing "
                + target
                + ": "
                + Files.readString(log, StandardCharsets.UTF_8).strip());
      }
    } finally {
      Files.deleteIfExists(input);
      Files.deleteIfExists(log);
    }
  }

  private static String extension(Path target) {
    Path file = target.getFileName();
    String name = file == null ? "" : file.toString();
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  // ------------------------------------------------------------------------------ graph walk

  /** A graph vertex: the tensor's gradient function, or the tensor itself for a leaf. */
  private static Object key(Tensor t) {
    return t.gradFn() != null ? t.gradFn() : t;
  }

  /**
   * Iterative depth-first walk (deep graphs from long loops must not overflow the stack). Ids are
   * given when a vertex is first reached, so they follow the walk from the first output, inputs in
   * order; a node's incoming edges are emitted once, when it is expanded.
   */
  private static void visit(
      Tensor root,
      Map<Tensor, String> names,
      Map<Object, String> ids,
      Map<Node, Boolean> expanded,
      List<String> nodes,
      List<String> edges) {
    if (!ids.containsKey(key(root))) {
      assign(root, names, ids, nodes);
    }
    Deque<Tensor> stack = new ArrayDeque<>();
    stack.push(root);
    while (!stack.isEmpty()) {
      Node node = stack.pop().gradFn();
      if (node == null || expanded.put(node, Boolean.TRUE) != null) {
        continue;
      }
      Tensor[] now = node.inputsNow(); // shells where backward let go of a tensor
      List<Tensor> inputs = now == null ? List.of() : List.of(now);
      for (Tensor in : inputs) {
        if (!ids.containsKey(key(in))) {
          assign(in, names, ids, nodes);
        }
        edges.add(ids.get(key(in)) + " -> " + ids.get(node));
      }
      // Push in reverse so the first input is walked first.
      for (int i = inputs.size() - 1; i >= 0; i--) {
        stack.push(inputs.get(i));
      }
    }
  }

  private static void assign(
      Tensor t, Map<Tensor, String> names, Map<Object, String> ids, List<String> nodes) {
    String id = "n" + ids.size();
    ids.put(key(t), id);
    String name = names.get(t);
    String prefix = name == null ? "" : escape(name) + "\\n";
    Node node = t.gradFn();
    if (node != null) {
      if (node.isReleased()) {
        nodes.add(
            id
                + " [label=\""
                + prefix
                + escape(node.name())
                + "\\n(freed by backward)\", shape=box, style=\"rounded,dashed\"]");
      } else {
        nodes.add(
            id
                + " [label=\""
                + prefix
                + escape(node.name())
                + "\", shape=box, style=\"rounded,filled\", fillcolor=\"#e8e8e8\"]");
      }
    } else if (t.requiresGrad()) {
      nodes.add(
          id
              + " [label=\""
              + prefix
              + escape(describe(t))
              + "\\nrequiresGrad\", shape=ellipse, style=filled, fillcolor=\"#cfe2ff\"]");
    } else {
      String value = constantValue(t);
      value = value == null ? "const\\n" : "const " + value + "\\n";
      nodes.add(
          id
              + " [label=\""
              + prefix
              + value
              + escape(describe(t))
              + "\", shape=ellipse, style=dashed, color=\"#888888\", fontcolor=\"#666666\"]");
    }
  }

  /** Shape and dtype, e.g. {@code [4] float32}; a 0-d tensor shows {@code []}. */
  private static String describe(Tensor t) {
    return java.util.Arrays.toString(t.shape()) + " " + t.dtype();
  }

  /** The value of a constant whose elements are all equal (and not too many to check), or null. */
  private static String constantValue(Tensor t) {
    if (t.numel() == 0 || t.numel() > 4096) {
      return null;
    }
    double[] values = t.toDoubleArray();
    for (double v : values) {
      if (Double.compare(v, values[0]) != 0) {
        return null;
      }
    }
    return scalarText(values[0], t.dtype());
  }

  private static String scalarText(double v, DType dtype) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return dtype == DType.FLOAT64 ? Double.toString(v) : Float.toString((float) v);
  }

  /** Escapes text for a double-quoted DOT string (line breaks become centred DOT breaks). */
  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> {}
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
