package nabla.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CompileDemoTest {
  @Test
  void compiledGradientsEqualEagerAndThePlanIsShown() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    double diff = CompileDemo.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(0.0, diff, "fused elementwise gradients are the eager bits");
    assertTrue(text.contains("fused pass over [2000000] float32"), text);
    assertTrue(text.contains("(sum in the pass)"), text);
    assertTrue(text.contains("compile: item() read the value"), text);
  }
}
