package nabla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Tensor#index}, {@link Tensor#indexPut} and {@link Tensor#maskedFill} against PyTorch: the
 * forward value of each case and, for floating inputs, the gradients of {@code sum(out * g)} with
 * respect to the tensor and the values, computed by {@code tools/reference/generate_indexing.py}
 * with PyTorch 1.13 into {@code /nabla/reference/indexing.json} (PyTorch is not needed here).
 */
class IndexingReferenceTest {
  private static final String RESOURCE = "/nabla/reference/indexing.json";

  static Stream<Arguments> cases() {
    JsonNode root;
    try (InputStream s = IndexingReferenceTest.class.getResourceAsStream(RESOURCE)) {
      assertNotNull(s, "missing test resource " + RESOURCE);
      root = new ObjectMapper().readTree(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Arguments> out = new ArrayList<>();
    for (JsonNode c : root.get("cases")) {
      out.add(Arguments.of(c.get("name").asText(), c));
    }
    return out.stream();
  }

  @Test
  void everyOperationHasCases() {
    List<String> ops = cases().map(a -> ((JsonNode) a.get()[1]).get("op").asText()).toList();
    assertTrue(ops.contains("index") && ops.contains("index_put") && ops.contains("masked_fill"));
    assertTrue(ops.size() >= 40, "only " + ops.size() + " cases");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesPyTorch(String name, JsonNode c) {
    Tensor x = tensor(c.get("x"));
    boolean floating = x.dtype().isFloating();
    x.requiresGrad(floating);
    Tensor values = c.has("values") ? tensor(c.get("values")).requiresGrad(floating) : null;
    Tensor out =
        switch (c.get("op").asText()) {
          case "index" -> x.index(indices(c));
          case "index_put" -> x.indexPut(indices(c), values, c.get("accumulate").asBoolean());
          case "masked_fill" -> x.maskedFill(tensor(c.get("mask")), c.get("value").asDouble());
          default -> throw new AssertionError("unknown op in " + name);
        };
    assertMatches(name + " output", c.get("output"), out);
    if (floating) {
      out.mul(tensor(c.get("grad_output"))).sum().backward();
      assertMatches(name + " grad of x", c.get("grad_x"), x.grad());
      if (values != null) {
        assertMatches(name + " grad of values", c.get("grad_values"), values.grad());
      }
    }
  }

  private static Tensor[] indices(JsonNode c) {
    List<Tensor> out = new ArrayList<>();
    for (JsonNode i : c.get("indices")) {
      out.add(i.isNull() ? null : tensor(i));
    }
    return out.toArray(Tensor[]::new);
  }

  static Tensor tensor(JsonNode t) {
    JsonNode shapeNode = t.get("shape");
    int[] shape = new int[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = shapeNode.get(i).asInt();
    }
    JsonNode data = t.get("data");
    int n = data.size();
    Tensor flat =
        switch (t.get("dtype").asText()) {
          case "float32", "float64" -> {
            double[] d = new double[n];
            for (int i = 0; i < n; i++) {
              d[i] = data.get(i).asDouble();
            }
            Tensor f = Tensor.ofDoubles(d, n);
            yield t.get("dtype").asText().equals("float32") ? f.to(DType.FLOAT32) : f;
          }
          case "int64" -> {
            long[] l = new long[n];
            for (int i = 0; i < n; i++) {
              l[i] = data.get(i).asLong();
            }
            yield Tensor.ofLongs(l, n);
          }
          case "bool" -> {
            boolean[] b = new boolean[n];
            for (int i = 0; i < n; i++) {
              b[i] = data.get(i).asBoolean();
            }
            yield Tensor.ofBooleans(b, n);
          }
          default -> throw new AssertionError("unknown dtype " + t.get("dtype"));
        };
    return flat.reshape(shape).detach();
  }

  private static void assertMatches(String what, JsonNode expected, Tensor actual) {
    assertNotNull(actual, what + ": null");
    Tensor e = tensor(expected);
    assertEquals(e.dtype(), actual.dtype(), what + ": dtype");
    assertArrayEquals(e.shape(), actual.shape(), what + ": shape");
    // Sums of several gradients or accumulated values may be added in another order.
    double tol = e.dtype() == DType.FLOAT32 ? 1e-6 : 1e-14;
    double[] want = e.toDoubleArray();
    double[] got = actual.toDoubleArray();
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], tol * (1 + Math.abs(want[i])), what + ": element " + i);
    }
  }
}
