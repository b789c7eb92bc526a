package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DOT text and rendered pictures of computation graphs. */
class GraphExportTest {

  /** D2L §2.5 exercise 5: f(x) = log(x²)·sin x + 1/x. */
  private static Tensor f(Tensor x) {
    return x.pow(2).log().mul(x.sin()).add(x.reciprocal());
  }

  /** A parsed DOT graph: label of every node id, and edges as "label -> label". */
  private record Graph(Map<String, String> labels, List<String> edges) {
    static Graph parse(String dot) {
      Map<String, String> labels = new HashMap<>();
      Matcher m = Pattern.compile("(?m)^  (\\w+) \\[label=\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(dot);
      while (m.find()) {
        labels.put(m.group(1), m.group(2));
      }
      List<String> edges = new ArrayList<>();
      Matcher e = Pattern.compile("(?m)^  (\\w+) -> (\\w+);$").matcher(dot);
      while (e.find()) {
        edges.add(firstLine(labels.get(e.group(1))) + " -> " + firstLine(labels.get(e.group(2))));
      }
      return new Graph(labels, edges);
    }

    private static String firstLine(String label) {
      int i = label.indexOf("\\n");
      return i < 0 ? label : label.substring(0, i);
    }
  }

  @Test
  void exerciseFiveGraphHasOneNodePerOperationAndDataFlowEdges() {
    Tensor x = Tensor.of(1, 2, 3).requiresGrad(true);
    String dot = GraphExport.toDot(Map.of(x, "x"), f(x));
    Graph g = Graph.parse(dot);

    assertTrue(dot.startsWith("digraph nabla {"), dot);
    List<String> firstLines = g.labels().values().stream().map(Graph::firstLine).sorted().toList();
    assertEquals(
        List.of(
            "AddBackward",
            "DivBackward",
            "LogBackward",
            "MulBackward",
            "PowBackward",
            "SinBackward",
            "const 1",
            "const 2",
            "output",
            "x"),
        firstLines);
    assertEquals(
        List.of(
            "AddBackward -> output",
            "DivBackward -> AddBackward",
            "LogBackward -> MulBackward",
            "MulBackward -> AddBackward",
            "PowBackward -> LogBackward",
            "SinBackward -> MulBackward",
            "const 1 -> DivBackward",
            "const 2 -> PowBackward",
            "x -> DivBackward",
            "x -> PowBackward",
            "x -> SinBackward"),
        g.edges().stream().sorted().toList());
    assertTrue(dot.contains("label=\"x\\n[3] float32\\nrequiresGrad\""), dot);
    assertTrue(dot.contains("label=\"output\\n[3] float32\""), dot);
    assertTrue(dot.contains("style=dashed"), "constants are drawn dashed:\n" + dot);
  }

  @Test
  void sameComputationGivesSameText() {
    Tensor x1 = Tensor.of(1, 2, 3).requiresGrad(true);
    Tensor x2 = Tensor.of(4, 5, 6).requiresGrad(true);
    assertEquals(GraphExport.toDot(f(x1)), GraphExport.toDot(f(x2)));
  }

  @Test
  void repeatedInputGivesTwoEdgesAndSharedNodesAppearOnce() {
    Tensor x = Tensor.of(1, 2).requiresGrad(true);
    Tensor s = x.sin();
    Tensor y = s.mul(s);
    Tensor z = s.exp();
    Graph g = Graph.parse(GraphExport.toDot(y, z));
    assertEquals(
        List.of(
            "ExpBackward -> output 1",
            "MulBackward -> output 0",
            "SinBackward -> ExpBackward",
            "SinBackward -> MulBackward",
            "SinBackward -> MulBackward",
            "[2] float32 -> SinBackward"),
        g.edges().stream().sorted().toList());
    assertEquals(1, g.labels().values().stream().filter(l -> l.equals("SinBackward")).count());
  }

  @Test
  void leafOutputAndFreedGraph() {
    Tensor x = Tensor.scalar(2).requiresGrad(true);
    Graph leaf = Graph.parse(GraphExport.toDot(x));
    assertEquals(List.of("[] float32 -> output"), leaf.edges());

    Tensor y = x.mul(x);
    y.backward();
    String dot = GraphExport.toDot(y);
    assertTrue(dot.contains("MulBackward\\n(freed by backward)"), dot);
  }

  @Test
  void boolMasksAreDrawnAsConstants() {
    Tensor x = Tensor.of(-1, 2).requiresGrad(true);
    Tensor y = Tensor.where(x.gt(0), x, 0.0);
    String dot = GraphExport.toDot(y);
    assertTrue(dot.contains("WhereBackward"), dot);
    assertTrue(dot.contains("[2] bool"), dot);
  }

  @Test
  void labelsAreEscaped() {
    Tensor x = Tensor.of(1).requiresGrad(true);
    String dot = GraphExport.toDot(Map.of(x, "say \"hi\"\\ now\nnext"), x.exp());
    assertTrue(dot.contains("label=\"say \\\"hi\\\"\\\\ now\\nnext\\n"), dot);
  }

  @Test
  void writesDotFilesWithoutGraphviz(@TempDir Path dir) throws Exception {
    Tensor x = Tensor.of(1, 2).requiresGrad(true);
    Tensor y = f(x);
    Path p = GraphExport.render(dir.resolve("sub/graph.dot"), y);
    assertEquals(GraphExport.toDot(y), Files.readString(p));
    assertThrows(
        IllegalArgumentException.class, () -> GraphExport.render(dir.resolve("graph.jpeg2"), y));
  }

  @Test
  void rendersSvgAndPngWhenGraphvizIsInstalled(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(GraphExport.isGraphvizAvailable(), "Graphviz 'dot' is not installed");
    Tensor x = Tensor.of(1, 2).requiresGrad(true);
    Tensor y = f(x);
    Path svg = GraphExport.render(dir.resolve("graph.svg"), Map.of(x, "x"), y);
    String text = Files.readString(svg);
    assertTrue(text.contains("<svg"), text);
    assertTrue(text.contains("MulBackward"), text);
    Path png = GraphExport.render(dir.resolve("graph.png"), y);
    byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(png), 8);
    assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, head);
  }

  @Test
  void missingGraphvizGivesAnErrorThatSaysHowToInstallIt(@TempDir Path dir) {
    Tensor x = Tensor.of(1, 2).requiresGrad(true);
    Tensor y = f(x);
    String missing = "nabla-no-such-graphviz-program";
    assertTrue(!GraphExport.isAvailable(missing));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                GraphExport.render(
                    dir.resolve("graph.svg"), missing, Duration.ofSeconds(5), Map.of(), y));
    assertTrue(
        e.getMessage().contains("install Graphviz: apt-get install graphviz"), e.getMessage());
    assertTrue(e.getMessage().contains(missing), e.getMessage());
  }
}
