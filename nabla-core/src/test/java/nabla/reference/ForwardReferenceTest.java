package nabla.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import nabla.DType;
import nabla.Tensor;
import nabla.ops.PrimitiveSpecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Forward values of every tensor operation against PyTorch.
 *
 * <p>The reference data, {@code /nabla/reference/forward.json}, was computed with PyTorch by {@code
 * tools/reference/generate_forward.py} (regenerate with {@code python3
 * tools/reference/generate_forward.py}) for the ops listed in {@code /nabla/ops.json}; PyTorch is
 * not needed to run this test. Each case names an op; the spec table ({@link PrimitiveSpecs}, which
 * reads the same list) gives the Nabla call.
 */
class ForwardReferenceTest {

  private static final String RESOURCE = "/nabla/reference/forward.json";

  private static JsonNode root;

  static synchronized JsonNode root() {
    if (root == null) {
      try (InputStream s = ForwardReferenceTest.class.getResourceAsStream(RESOURCE)) {
        assertNotNull(s, "missing test resource " + RESOURCE);
        root = new ObjectMapper().readTree(s);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return root;
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (JsonNode c : root().get("cases")) {
      out.add(Arguments.of(c.get("name").asText(), c));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesPyTorch(String name, JsonNode c) {
    String opName = c.get("op").asText();
    PrimitiveSpecs.Op op = PrimitiveSpecs.ops().get(opName);
    if (op == null || op.call() == null) {
      fail("no Nabla call for op '" + opName + "' (list it in " + PrimitiveSpecs.RESOURCE + ")");
    }
    List<Tensor> inputs = new ArrayList<>();
    for (JsonNode t : c.get("inputs")) {
      inputs.add(tensor(t));
    }
    Tensor actual;
    try {
      actual = op.call().apply(inputs, c.get("params"));
    } catch (RuntimeException e) {
      // surefire reports parameterized cases by index, so put the case name in the message
      throw new AssertionError(name + ": " + e, e);
    }
    assertMatches(name, c.get("output"), actual);
  }

  /** The data and the op list agree: every case has a listed op, every reference op has cases. */
  @Test
  void everyOpIsCovered() {
    Set<String> inData = new LinkedHashSet<>();
    for (JsonNode c : root().get("cases")) {
      inData.add(c.get("op").asText());
    }
    Set<String> referenceOps = new TreeSet<>();
    for (PrimitiveSpecs.Op op : PrimitiveSpecs.ops().values()) {
      if (op.hasReference()) {
        referenceOps.add(op.name());
      }
    }
    Set<String> unlisted = new TreeSet<>(inData);
    unlisted.removeAll(referenceOps);
    Set<String> withoutData = new TreeSet<>(referenceOps);
    withoutData.removeAll(inData);
    List<String> problems = new ArrayList<>(PrimitiveSpecs.problems());
    if (!unlisted.isEmpty()) {
      problems.add(
          "ops in " + RESOURCE + " that the op list does not give a generator: " + unlisted);
    }
    if (!withoutData.isEmpty()) {
      problems.add(
          "ops without reference cases (run tools/reference/generate_forward.py): " + withoutData);
    }
    assertTrue(problems.isEmpty(), String.join("; ", problems));
  }

  @Test
  void referenceDataIsWellFormed() {
    JsonNode r = root();
    assertFalse(r.get("torch_version").asText().isEmpty(), "torch_version");
    Set<String> names = new LinkedHashSet<>();
    for (JsonNode c : r.get("cases")) {
      assertTrue(names.add(c.get("name").asText()), "duplicate case " + c.get("name"));
    }
    assertTrue(names.size() > 0, "no cases");
  }

  // ---------------------------------------------------------------- decoding

  static DType dtype(String name) {
    return PrimitiveSpecs.dtype(name);
  }

  static double number(JsonNode v) {
    return PrimitiveSpecs.number(v);
  }

  static int[] shape(JsonNode t) {
    JsonNode s = t.get("shape");
    int[] out = new int[s.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = s.get(i).asInt();
    }
    return out;
  }

  static double[] doubles(JsonNode t) {
    JsonNode d = t.get("data");
    double[] out = new double[d.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = number(d.get(i));
    }
    return out;
  }

  static long[] longs(JsonNode t) {
    JsonNode d = t.get("data");
    long[] out = new long[d.size()];
    for (int i = 0; i < out.length; i++) {
      assertTrue(d.get(i).isIntegralNumber(), "int64 datum " + d.get(i));
      out[i] = d.get(i).asLong();
    }
    return out;
  }

  static boolean[] booleans(JsonNode t) {
    JsonNode d = t.get("data");
    boolean[] out = new boolean[d.size()];
    for (int i = 0; i < out.length; i++) {
      assertTrue(d.get(i).isBoolean(), "bool datum " + d.get(i));
      out[i] = d.get(i).asBoolean();
    }
    return out;
  }

  static Tensor tensor(JsonNode t) {
    int[] shape = shape(t);
    DType dt = dtype(t.get("dtype").asText());
    return switch (dt) {
      case FLOAT32 -> Tensor.of(doubles(t), shape);
      case FLOAT64 -> Tensor.ofDoubles(doubles(t), shape);
      // ofLongs/ofBooleans read an empty shape as "1-d", so 0-d tensors are made by a reshape
      case INT64 ->
          shape.length == 0
              ? Tensor.ofLongs(longs(t), 1).reshape()
              : Tensor.ofLongs(longs(t), shape);
      case BOOL ->
          shape.length == 0
              ? Tensor.ofBooleans(booleans(t), 1).reshape()
              : Tensor.ofBooleans(booleans(t), shape);
      // the storage types: their values are exact as doubles and as int64
      case FLOAT16, BFLOAT16 -> Tensor.ofDoubles(doubles(t), shape).to(dt);
      case INT32, UINT8 ->
          (shape.length == 0
                  ? Tensor.ofLongs(longs(t), 1).reshape()
                  : Tensor.ofLongs(longs(t), shape))
              .to(dt);
    };
  }

  // ---------------------------------------------------------------- comparison

  static void assertMatches(String name, JsonNode expected, Tensor actual) {
    assertNotNull(actual, name + ": null result");
    DType dt = dtype(expected.get("dtype").asText());
    assertEquals(dt, actual.dtype(), name + ": dtype");
    int[] shape = shape(expected);
    assertArrayEquals(
        shape,
        actual.shape(),
        () ->
            name
                + ": shape expected "
                + Arrays.toString(shape)
                + " but was "
                + Arrays.toString(actual.shape()));
    switch (dt) {
      case FLOAT32 -> assertClose(name, doubles(expected), actual.toDoubleArray(), 1e-6, 1e-6);
      case FLOAT64 -> assertClose(name, doubles(expected), actual.toDoubleArray(), 1e-12, 1e-12);
      case INT64 -> assertArrayEquals(longs(expected), actual.toLongArray(), name + ": values");
      case BOOL ->
          assertArrayEquals(booleans(expected), actual.toBooleanArray(), name + ": values");
      // one unit in the last place: PyTorch and Nabla compute in float32 and round once, but a
      // float32 result one ulp apart can round to neighbouring 16-bit values
      case FLOAT16 -> assertClose(name, doubles(expected), actual.toDoubleArray(), 1e-3, 1e-7);
      case BFLOAT16 -> assertClose(name, doubles(expected), actual.toDoubleArray(), 8e-3, 1e-38);
      case INT32, UINT8 ->
          assertArrayEquals(longs(expected), actual.toLongArray(), name + ": values");
    }
  }

  static void assertClose(String name, double[] expected, double[] actual, double rel, double abs) {
    assertEquals(expected.length, actual.length, name + ": element count");
    List<String> bad = new ArrayList<>();
    int count = 0;
    for (int i = 0; i < expected.length; i++) {
      if (!close(expected[i], actual[i], rel, abs)) {
        count++;
        if (bad.size() < 8) {
          bad.add("[" + i + "] expected " + expected[i] + " but was " + actual[i]);
        }
      }
    }
    if (count > 0) {
      fail(
          name
              + ": "
              + count
              + " of "
              + expected.length
              + " values differ (tolerance "
              + rel
              + " relative + "
              + abs
              + " absolute): "
              + String.join(", ", bad));
    }
  }

  static boolean close(double expected, double actual, double rel, double abs) {
    if (Double.isNaN(expected)) {
      return Double.isNaN(actual);
    }
    if (Double.isInfinite(expected)) {
      return expected == actual;
    }
    if (Double.isNaN(actual) || Double.isInfinite(actual)) {
      return false;
    }
    return Math.abs(expected - actual) <= abs + rel * Math.abs(expected);
  }
}
