package nabla.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GEMM's cache blocking per CPU ({@link GemmBlocking}): the size derived from the L2 cache, the
 * tuned file's round trip and its rejection of bad contents, and, in forked JVMs, that the chosen
 * blocking reaches the kernels and changes no bit of any product.
 */
class GemmBlockingTest {

  @TempDir Path dir;

  @Test
  void theBBlockFillsHalfOfTheL2() {
    assertEquals(512, GemmBlocking.fromCaches(1024 * 1024).nc()); // 256 x 512 floats = 512 KiB
    assertEquals(1024, GemmBlocking.fromCaches(2 * 1024 * 1024).nc());
    assertEquals(128, GemmBlocking.fromCaches(256 * 1024).nc());
    assertEquals(128, GemmBlocking.fromCaches(1000).nc()); // tiny: the floor
    assertEquals(4096, GemmBlocking.fromCaches(1L << 30).nc()); // huge: the ceiling
    assertEquals(448, GemmBlocking.fromCaches(900 * 1024).nc()); // rounded down to 64
    assertEquals(1024, GemmBlocking.fromCaches(2 * 1024 * 1024).mc());
    assertEquals(256, GemmBlocking.fromCaches(1024 * 1024).ncDouble());
  }

  @Test
  void cacheSizesParseAsSysfsWritesThem() {
    assertEquals(1024 * 1024, GemmBlocking.parseSize("1024K"));
    assertEquals(2 * 1024 * 1024, GemmBlocking.parseSize("2M"));
    assertEquals(512, GemmBlocking.parseSize("512"));
    assertEquals(0, GemmBlocking.parseSize("lots"));
    assertEquals(0, GemmBlocking.parseSize(""));
  }

  @Test
  void aWrittenBlockingReadsBack() throws Exception {
    Path file = dir.resolve("gemm").resolve("cpu.properties");
    new GemmBlocking(1024, 256, true, "test").write(file, "measured\non a test");
    GemmBlocking b = GemmBlocking.read(file);
    assertNotNull(b);
    assertEquals(1024, b.nc());
    assertEquals(256, b.mc());
    assertTrue(b.shared());
    assertTrue(b.source().contains(file.toString()), b.source());
    assertTrue(Files.readString(file).startsWith("# measured\n# on a test\n"));
  }

  @Test
  void aMissingOrBadFileIsSkipped() throws Exception {
    assertNull(GemmBlocking.read(dir.resolve("none.properties")));
    for (String bad : new String[] {"nc=100\nmc=64\n", "nc=512\n", "nc=x\nmc=8\n", "mc=-8\n"}) {
      Path file = dir.resolve("bad.properties");
      Files.writeString(file, bad, StandardCharsets.UTF_8);
      assertNull(GemmBlocking.read(file), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> new GemmBlocking(100, 1024, false, "x"));
    assertThrows(IllegalArgumentException.class, () -> new GemmBlocking(512, 4, false, "x"));
  }

  @Test
  void theCpuKeyIsAFileName() {
    String key = GemmBlocking.cpuKey();
    assertTrue(key.matches("[a-z0-9._-]+"), key);
    Path file = GemmBlocking.tunedFile();
    if (file != null) {
      assertTrue(file.getFileName().toString().equals(key + ".properties"), file.toString());
    }
  }

  /** A program printing the blocking in use and a hash of the bits of a few products. */
  private static final String PROBE =
      """
      public class Probe {
        public static void main(String[] args) {
          nabla.Generator.manualSeed(7);
          long h = 0;
          int[][] shapes = {{300, 784, 200}, {256, 1000, 256}, {64, 3000, 96}, {700, 600, 900}};
          for (int[] s : shapes) {
            for (nabla.DType t : new nabla.DType[] {nabla.DType.FLOAT32, nabla.DType.FLOAT64}) {
              nabla.Tensor x = nabla.Tensor.randn(s[0], s[1]).to(t);
              nabla.Tensor w = nabla.Tensor.randn(s[1], s[2]).to(t);
              for (double v : x.matmul(w).toDoubleArray()) {
                h = h * 31 + Double.doubleToLongBits(v);
              }
              for (double v : x.matmul(w.transpose(0, 1).contiguous().transpose(0, 1))
                  .toDoubleArray()) {
                h = h * 31 + Double.doubleToLongBits(v);
              }
            }
          }
          System.out.println(nabla.kernels.GemmBlocking.current() + " hash " + h);
        }
      }
      """;

  @Test
  void everyBlockingGivesTheSameBits() throws Exception {
    Path src = dir.resolve("Probe.java");
    Files.writeString(src, PROBE, StandardCharsets.UTF_8);
    String cp = System.getProperty("java.class.path");
    String hash = null;
    String[][] settings = {
      {},
      {"-Dnabla.gemm.nc=64", "-Dnabla.gemm.mc=8"},
      {"-Dnabla.gemm.nc=2048", "-Dnabla.gemm.shared=true"},
      {"-Dnabla.threads=1"}
    };
    for (String[] s : settings) {
      Path home = dir.resolve("home" + s.length);
      Files.createDirectories(home);
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("--add-modules=jdk.incubator.vector");
      command.add("-Duser.home=" + home); // no tuned file of this machine's user
      command.addAll(List.of(s));
      command.addAll(List.of("-cp", cp, src.toString()));
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      pb.environment().remove("NABLA_HOME");
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the probe did not finish");
      assertEquals(0, p.exitValue(), out);
      String line = out.lines().filter(l -> l.contains(" hash ")).findFirst().orElse("");
      assertTrue(!line.isEmpty(), out);
      if (s.length > 0 && s[0].startsWith("-Dnabla.gemm")) {
        assertTrue(line.contains("(properties)"), "the properties were not applied: " + line);
        assertTrue(line.startsWith("nc=" + s[0].substring(s[0].indexOf('=') + 1)), line);
      }
      String h = line.substring(line.indexOf(" hash ") + 6);
      if (hash == null) {
        hash = h;
      } else {
        assertEquals(hash, h, "the blocking changed the bits of a product: " + line);
      }
    }
  }
}
