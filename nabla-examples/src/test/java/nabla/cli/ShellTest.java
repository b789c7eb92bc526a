package nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code ./nabla shell}: JShell started as the launcher starts it (same flags, same startup file),
 * with this test's class path standing in for the launcher's jars, fed D2L-style cells on its
 * standard input as in {@code echo 'Tensor.arange(4.0).sum()' | ./nabla shell}.
 */
class ShellTest {
  private static final Path STARTUP = Path.of("src/main/jshell/nabla-startup.jsh");

  @Test
  void theLauncherStartsJShellWithTheStartupFileAndTheVectorModule() throws IOException {
    String launcher = Files.readString(Path.of("..", "nabla"));
    assertTrue(launcher.contains("src/main/jshell/nabla-startup.jsh"), "launcher's startup file");
    assertTrue(launcher.contains("-R--add-modules -R\"$VECTOR_MODULE\""), "remote JVM flags");
    assertTrue(launcher.contains("--startup DEFAULT"), "JShell's own imports kept");
  }

  @Test
  void pipedCellsRunWithNablaImported() throws Exception {
    Path jshell = Path.of(System.getProperty("java.home"), "bin", "jshell");
    assumeTrue(Files.isExecutable(jshell), "no jshell in " + jshell + " (a JRE?)");
    assertTrue(Files.isRegularFile(STARTUP), STARTUP.toAbsolutePath() + " missing");
    String cells =
        String.join(
            "\n",
            "Tensor.arange(4.0).sum()",
            "Module m = new Sequential(new Linear(2, 1));",
            "m.parameters().size()",
            "ModuleLayer.boot().findModule(\"jdk.incubator.vector\").isPresent()",
            "new SGD(m.parameters(), 0.1).lr()",
            "/exit",
            "");
    Process p =
        new ProcessBuilder(
                List.of(
                    jshell.toString(),
                    "--class-path",
                    System.getProperty("java.class.path"),
                    "--add-modules",
                    "jdk.incubator.vector",
                    "-R--add-modules",
                    "-Rjdk.incubator.vector",
                    "--startup",
                    "DEFAULT",
                    "--startup",
                    STARTUP.toString()))
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().write(cells.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    byte[] output = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "jshell did not finish");
    String text = new String(output, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), text);
    assertTrue(text.contains("==> tensor(6.)"), text);
    assertTrue(text.contains("==> 2"), "nabla.nn.Module, not java.lang.Module: " + text);
    assertTrue(text.contains("==> true"), "the Vector API module in the snippets' JVM: " + text);
    assertTrue(text.contains("==> 0.1"), text);
    assertTrue(!text.contains("Error"), text);
  }
}
