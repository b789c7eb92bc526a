package nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import nabla.kernels.GemmBlocking;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nabla tune-gemm} end to end on short measurements: it runs a probe JVM per candidate (each
 * must report the blocking it was given), prints the table and writes a file the library reads
 * back; bad candidates are refused before anything runs.
 */
class TuneGemmCommandTest {

  @TempDir Path dir;

  @Test
  void measuresEachCandidateAndWritesTheChoice() throws Exception {
    Path file = dir.resolve("gemm.properties");
    TrainCommandTest.Run r =
        TrainCommandTest.run(
            "tune-gemm",
            "--rounds",
            "1",
            "--seconds",
            "0.2",
            "--candidates",
            "512,1024",
            "--file",
            file.toString());
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("round 1 nc=512 tiles "), r.out());
    assertTrue(r.out().contains("round 1 nc=1024 tiles "), r.out());
    assertTrue(r.out().contains(" shared "), r.out()); // the split, at the width kept
    assertTrue(r.out().contains("split: tiles "), r.out());
    assertTrue(r.out().contains("score"), r.out());
    GemmBlocking written = GemmBlocking.read(file);
    assertNotNull(written, r.out());
    long l2Sized = GemmBlocking.untuned().nc();
    assertTrue(
        written.nc() == 512 || written.nc() == 1024 || written.nc() == l2Sized,
        "kept a blocking that was not measured: " + written);
    assertTrue(Files.readString(file).contains("written by ./nabla tune-gemm"));
  }

  @Test
  void aDryRunWritesNothing() {
    Path file = dir.resolve("none.properties");
    TrainCommandTest.Run r =
        TrainCommandTest.run(
            "tune-gemm",
            "--dry-run",
            "--rounds",
            "1",
            "--seconds",
            "0.1",
            "--candidates",
            "512",
            "--file",
            file.toString());
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("dry run: nothing written"), r.out());
    assertFalse(Files.exists(file));
  }

  @Test
  void badCandidatesAreRefused() {
    TrainCommandTest.Run r = TrainCommandTest.run("tune-gemm", "--candidates", "500");
    assertEquals(2, r.exitCode(), r.out() + r.err());
    assertTrue(r.err().contains("candidate 500 is not a positive multiple of 64"), r.err());
  }
}
