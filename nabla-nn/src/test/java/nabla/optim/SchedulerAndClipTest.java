package nabla.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import nabla.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Learning-rate schedules against PyTorch's (the "schedules" of {@code optim.json}, from {@code
 * tools/reference/generate_optim.py}) and gradient clipping against its formula.
 */
class SchedulerAndClipTest {

  @Test
  void schedulesMatchPyTorch() throws IOException {
    JsonNode root;
    try (InputStream in = getClass().getResourceAsStream("/nabla/reference/optim.json")) {
      root = new ObjectMapper().readTree(in);
    }
    int checked = 0;
    for (JsonNode s : root.get("schedules")) {
      SGD opt = new SGD(List.of(Tensor.zeros(1).requiresGrad(true)), s.get("lr").asDouble());
      JsonNode o = s.get("options");
      LRScheduler sched =
          switch (s.get("name").asText()) {
            case "step" ->
                LRScheduler.step(opt, o.get("step_size").asInt(), o.get("gamma").asDouble());
            case "cosine" ->
                LRScheduler.cosine(opt, o.get("T_max").asInt(), o.get("eta_min").asDouble());
            case "linear" ->
                LRScheduler.linear(
                    opt,
                    o.get("start_factor").asDouble(),
                    o.get("end_factor").asDouble(),
                    o.get("total_iters").asInt());
            default -> throw new AssertionError(s.get("name").asText());
          };
      JsonNode lrs = s.get("lrs");
      for (int epoch = 0; epoch < lrs.size(); epoch++) {
        assertEquals(lrs.get(epoch).asDouble(), opt.lr(), 1e-12, s.get("name") + " epoch " + epoch);
        sched.step();
      }
      checked++;
    }
    assertEquals(3, checked);
  }

  @Test
  void warmupStartsLowAndReachesTheBaseRate() {
    SGD opt = new SGD(List.of(Tensor.zeros(1).requiresGrad(true)), 0.4);
    LRScheduler w = LRScheduler.linearWarmup(opt, 4);
    assertEquals(0.1, opt.lr(), 1e-12);
    for (int i = 0; i < 4; i++) {
      w.step();
    }
    assertEquals(0.4, w.lr(), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> LRScheduler.step(opt, 0, 0.5));
    assertThrows(IllegalArgumentException.class, () -> LRScheduler.linear(opt, 0, 1, 3));
  }

  @Test
  void clipGradNormScalesAllGradientsTogether() {
    Tensor a = Tensor.zeros(2).requiresGrad(true);
    Tensor b = Tensor.zeros(1).requiresGrad(true);
    Tensor c = Tensor.zeros(3).requiresGrad(true); // no gradient: ignored
    a.setGrad(Tensor.of(3, 0));
    b.setGrad(Tensor.of(4));
    double norm = GradClip.clipGradNorm(List.of(a, b, c), 1.0);
    assertEquals(5, norm, 1e-6);
    double coef = 1.0 / (5 + 1e-6);
    assertArrayEquals(new float[] {(float) (3 * coef), 0}, a.grad().toFloatArray(), 1e-6f);
    assertArrayEquals(new float[] {(float) (4 * coef)}, b.grad().toFloatArray(), 1e-6f);
    // under the limit: untouched
    assertEquals(1, GradClip.clipGradNorm(List.of(a, b), 10), 1e-5);
    assertArrayEquals(new float[] {(float) (4 * coef)}, b.grad().toFloatArray(), 1e-6f);
    assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradNorm(List.of(a), 0));
  }

  @Test
  void schedulesScaleGroupsWithTheirOwnRateFromTheirOwnBase() {
    Tensor a = Tensor.zeros(1).requiresGrad(true);
    Tensor b = Tensor.zeros(1).requiresGrad(true);
    SGD opt = new SGD(List.of(a, b), 0.1);
    Optimizer.ParamGroup g = opt.paramGroup(List.of(b)).lr(1.0);
    LRScheduler s = LRScheduler.step(opt, 1, 0.5);
    s.step();
    s.step();
    assertEquals(0.025, opt.lr(), 1e-12);
    assertEquals(0.25, g.lr(), 1e-12);
  }

  @Test
  void paramGroupErrors() {
    Tensor a = Tensor.zeros(1).requiresGrad(true);
    SGD opt = new SGD(List.of(a), 0.1);
    IllegalArgumentException stranger =
        assertThrows(
            IllegalArgumentException.class,
            () -> opt.paramGroup(List.of(Tensor.zeros(3).requiresGrad(true))));
    assertEquals(true, stranger.getMessage().contains("[3]"), stranger.getMessage());
    opt.paramGroup(List.of(a));
    assertThrows(IllegalArgumentException.class, () -> opt.paramGroup(List.of(a)));
    assertThrows(IllegalArgumentException.class, () -> opt.paramGroup(List.of()));
    assertEquals(1, opt.paramGroups().size());
  }
}
