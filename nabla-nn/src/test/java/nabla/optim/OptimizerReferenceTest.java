package nabla.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import nabla.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Five optimiser steps on fixed gradients in float64 against PyTorch 1.13. The reference data,
 * {@code /nabla/reference/optim.json}, comes from {@code tools/reference/generate_optim.py}
 * (regenerate with {@code /usr/bin/python3 tools/reference/generate_optim.py}).
 */
class OptimizerReferenceTest {
  private static final double TOLERANCE = 1e-6;

  static Stream<JsonNode> cases() throws IOException {
    try (InputStream in =
        OptimizerReferenceTest.class.getResourceAsStream("/nabla/reference/optim.json")) {
      if (in == null) {
        fail("optim.json is missing; run tools/reference/generate_optim.py");
      }
      JsonNode root = new ObjectMapper().readTree(in);
      List<JsonNode> list = new ArrayList<>();
      root.get("cases").forEach(list::add);
      assertTrue(list.size() >= 15, "expected the 15 reference cases");
      return list.stream();
    }
  }

  private static Tensor tensor(JsonNode t) {
    int[] shape = new int[t.get("shape").size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = t.get("shape").get(i).asInt();
    }
    double[] data = new double[t.get("data").size()];
    for (int i = 0; i < data.length; i++) {
      data[i] = t.get("data").get(i).asDouble();
    }
    return Tensor.ofDoubles(data, shape);
  }

  private static Optimizer build(JsonNode c, List<Tensor> params) {
    double lr = c.get("lr").asDouble();
    JsonNode o = c.get("options");
    switch (c.get("optimizer").asText()) {
      case "SGD" -> {
        SGD sgd = new SGD(params, lr);
        if (o.has("momentum")) {
          sgd.momentum(o.get("momentum").asDouble());
        }
        if (o.has("dampening")) {
          sgd.dampening(o.get("dampening").asDouble());
        }
        if (o.has("nesterov")) {
          sgd.nesterov(o.get("nesterov").asBoolean());
        }
        if (o.has("weight_decay")) {
          sgd.weightDecay(o.get("weight_decay").asDouble());
        }
        return sgd;
      }
      case "Adam", "AdamW" -> {
        Adam adam =
            c.get("optimizer").asText().equals("Adam")
                ? new Adam(params, lr)
                : new AdamW(params, lr);
        if (o.has("betas")) {
          adam.betas(o.get("betas").get(0).asDouble(), o.get("betas").get(1).asDouble());
        }
        if (o.has("eps")) {
          adam.eps(o.get("eps").asDouble());
        }
        if (o.has("weight_decay")) {
          adam.weightDecay(o.get("weight_decay").asDouble());
        }
        if (o.has("amsgrad")) {
          adam.amsgrad(o.get("amsgrad").asBoolean());
        }
        return adam;
      }
      default -> throw new AssertionError("unknown optimizer " + c.get("optimizer"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void fiveStepsMatchPyTorch(JsonNode c) {
    List<Tensor> params = new ArrayList<>();
    for (JsonNode p : c.get("params")) {
      params.add(tensor(p).requiresGrad(true));
    }
    Optimizer opt = build(c, params);
    JsonNode group = c.get("group");
    if (group != null && !group.isNull()) {
      List<Tensor> members = new ArrayList<>();
      for (JsonNode i : group.get("params")) {
        members.add(params.get(i.asInt()));
      }
      Optimizer.ParamGroup g = opt.paramGroup(members);
      if (group.has("lr")) {
        g.lr(group.get("lr").asDouble());
      }
      if (group.has("weight_decay")) {
        g.weightDecay(group.get("weight_decay").asDouble());
      }
    }
    for (int step = 0; step < c.get("grads").size(); step++) {
      for (int i = 0; i < params.size(); i++) {
        params.get(i).setGrad(tensor(c.get("grads").get(step).get(i)));
      }
      opt.step();
      for (int i = 0; i < params.size(); i++) {
        double[] expected = tensor(c.get("expected").get(step).get(i)).toDoubleArray();
        double[] got = params.get(i).toDoubleArray();
        for (int k = 0; k < expected.length; k++) {
          assertEquals(
              expected[k],
              got[k],
              TOLERANCE,
              c.get("name").asText() + " step " + (step + 1) + " param " + i + " element " + k);
        }
      }
    }
    assertEquals(c.get("grads").size(), opt.steps());
  }
}
