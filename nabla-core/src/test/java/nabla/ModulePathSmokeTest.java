package nabla;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nabla as a named module ({@code nabla.core}, compiled into {@code target/classes}) used by
 * another module, in forked JVMs: with and without {@code --add-modules jdk.incubator.vector} on
 * the module path, and without it on the class path. Each run computes a sum, a packed GEMM, an exp
 * and a gradient and checks them exactly, and reports which kernels the JVM chose. This is the
 * cheap check that the library works without the incubator module (the suite itself runs with it),
 * and that the module exports what users need and hides the internals.
 */
class ModulePathSmokeTest {

  @TempDir static Path dir;

  /** The main class, and the one internal package the program may read (to report SIMD). */
  private static final String[] SMOKE = {
    "--add-exports", "nabla.core/nabla.kernels=smoke", "-m", "smoke/smoke.Main"
  };

  private static Path core;
  private static Path app;

  /** A user's program: only the public API, plus the kernel switch (exported to it by flag). */
  private static final String MAIN =
      """
      package smoke;

      import nabla.DType;
      import nabla.Tensor;

      public final class Main {
        public static void main(String[] args) {
          int n = 100_000;
          double[] ramp = new double[n];
          for (int i = 0; i < n; i++) {
            ramp[i] = i + 1;
          }
          check("sum", (double) n * (n + 1) / 2, Tensor.ofDoubles(ramp, n).sum().item());

          int m = 70, k = 50, p = 40;
          double[] a = new double[m * k], b = new double[k * p];
          for (int i = 0; i < a.length; i++) a[i] = i % 7 - 3;
          for (int i = 0; i < b.length; i++) b[i] = i % 5 - 2;
          double[] c = Tensor.ofDoubles(a, m, k).matmul(Tensor.ofDoubles(b, k, p)).toDoubleArray();
          for (int i = 0; i < m; i++) {
            for (int j = 0; j < p; j++) {
              double s = 0;
              for (int q = 0; q < k; q++) s += a[i * k + q] * b[q * p + j];
              check("matmul C(" + i + "," + j + ")", s, c[i * p + j]);
            }
          }
          float[] e = Tensor.ofDoubles(new double[] {0, 1}, 2).to(DType.FLOAT32).exp().toFloatArray();
          check("exp(0)", 1, e[0]);
          check("exp(1)", (float) Math.E, e[1]);

          Tensor x = Tensor.ofDoubles(ramp, n).requiresGrad(true);
          x.mul(x).sum().backward();
          double[] g = x.grad().toDoubleArray();
          for (int i = 0; i < n; i++) check("grad " + i, 2 * ramp[i], g[i]);

          System.out.println("simd=" + nabla.kernels.Simd.enabled());
          System.out.println("ok");
        }

        static void check(String what, double want, double got) {
          if (want != got) {
            throw new AssertionError(what + ": want " + want + ", got " + got);
          }
        }
      }
      """;

  @BeforeAll
  static void compileTheProgram() throws Exception {
    core = Path.of(Tensor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertTrue(
        Files.exists(core.resolve("module-info.class")),
        core + " has no module-info.class: build nabla-core first (./mvnw compile)");
    Path src = dir.resolve("src");
    app = dir.resolve("app");
    write(src.resolve("module-info.java"), "module smoke { requires nabla.core; }\n");
    write(src.resolve("smoke/Main.java"), MAIN);
    String errors =
        javac(
            "--module-path",
            core.toString(),
            "--add-exports",
            "nabla.core/nabla.kernels=smoke",
            "-d",
            app.toString(),
            src.resolve("module-info.java").toString(),
            src.resolve("smoke/Main.java").toString());
    assertEquals("", errors, "the smoke program does not compile against module nabla.core");
  }

  @Test
  void modulePathWithTheVectorApiUsesSimd() throws Exception {
    assumeTrue(
        ModuleFinder.ofSystem().find("jdk.incubator.vector").isPresent(),
        "this JDK has no jdk.incubator.vector");
    Run r = java("--add-modules", "jdk.incubator.vector", "-p", core + ":" + app, SMOKE);
    r.assertOk();
    assertTrue(r.out.contains("simd=true"), r.toString());
  }

  @Test
  void modulePathWithoutTheVectorApiUsesTheScalarKernels() throws Exception {
    Run r = java("-p", core + ":" + app, SMOKE);
    r.assertOk();
    assertTrue(r.out.contains("simd=false"), r.toString());
    assertTrue(
        r.err.contains("module jdk.incubator.vector is not available; using scalar kernels"),
        "the start-up line says why and what to do: " + r);
  }

  @Test
  void classPathWithoutTheVectorApiUsesTheScalarKernels() throws Exception {
    Run r = java("-cp", core + ":" + app, "smoke.Main");
    r.assertOk();
    assertTrue(r.out.contains("simd=false"), r.toString());
  }

  @Test
  void internalPackagesAreNotExported() throws Exception {
    Path src = dir.resolve("internal");
    write(src.resolve("module-info.java"), "module internal { requires nabla.core; }\n");
    write(
        src.resolve("internal/Uses.java"),
        """
        package internal;

        public final class Uses {
          nabla.storage.Storage storage; // exported: Tensor.storage() returns it
          nabla.kernels.Gemm gemm;
          nabla.ops.Primitives primitives;
        }
        """);
    String errors =
        javac(
            "--module-path",
            core.toString(),
            "-d",
            dir.resolve("internal-out").toString(),
            src.resolve("module-info.java").toString(),
            src.resolve("internal/Uses.java").toString());
    assertTrue(errors.contains("package nabla.kernels is not visible"), errors);
    assertTrue(errors.contains("package nabla.ops is not visible"), errors);
    assertFalse(errors.contains("nabla.storage"), errors);
  }

  // ---------------------------------------------------------------------------------------------

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  /** Runs javac in this JVM; returns its error output (empty when it compiled). */
  private static String javac(String... args) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      fail("no Java compiler in this runtime; run the tests on a JDK");
    }
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    int exit = javac.run(null, errors, errors, args);
    return exit == 0 ? "" : errors.toString(StandardCharsets.UTF_8);
  }

  private record Run(int exit, String out, String err) {
    void assertOk() {
      assertEquals(0, exit, () -> "the smoke program failed: " + this);
      assertTrue(out.contains("ok"), this::toString);
    }

    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
    }
  }

  private static Run java(Object... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (Object a : args) {
      if (a instanceof String[] more) {
        command.addAll(List.of(more));
      } else {
        command.add(String.valueOf(a));
      }
    }
    Path out = Files.createTempFile(dir, "out", ".txt"),
        err = Files.createTempFile(dir, "err", ".txt");
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("the smoke program did not finish within 120 s: " + command);
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }
}
