package nabla.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The Spark CLI's argument handling (the errors return before any Spark session starts). */
class SparkCliTest {

  static int run(ByteArrayOutputStream out, String... args) throws Exception {
    return SparkCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8));
  }

  @Test
  void helpAndUsageErrors() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(0, run(out, "train", "mlp", "--spark", "--help"));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("--partitions P"));
    assertEquals(2, run(new ByteArrayOutputStream()));
    assertEquals(2, run(new ByteArrayOutputStream(), "train", "cnn", "--spark", "local[1]"));
    assertEquals(2, run(new ByteArrayOutputStream(), "train", "mlp"));
    assertEquals(2, run(new ByteArrayOutputStream(), "train", "mlp", "--spark"));
    assertEquals(
        2, run(new ByteArrayOutputStream(), "train", "mlp", "--spark", "local[1]", "--bogus", "1"));
    assertEquals(
        2,
        run(
            new ByteArrayOutputStream(),
            "train",
            "mlp",
            "--spark",
            "local[1]",
            "--optimizer",
            "x"));
    assertEquals(
        2,
        run(
            new ByteArrayOutputStream(),
            "train",
            "mlp",
            "--spark",
            "local[1]",
            "--aggregation",
            "ring"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                run(
                    new ByteArrayOutputStream(),
                    "train",
                    "mlp",
                    "--spark",
                    "local[1]",
                    "--epochs",
                    "zero"));
    assertTrue(e.getMessage().contains("--epochs"), e.getMessage());
  }
}
