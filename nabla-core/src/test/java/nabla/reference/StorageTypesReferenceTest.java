package nabla.reference;

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
import nabla.DType;
import nabla.Tensor;
import nabla.storage.Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conversions to and from the storage dtypes (int32, uint8, float16, bfloat16) and arithmetic on
 * them, against PyTorch 1.13 (tools/reference/generate_dtypes.py writes the reference file).
 * float16 and bfloat16 conversions are compared bit for bit.
 */
class StorageTypesReferenceTest {
  private static final String RESOURCE = "/nabla/reference/dtypes.json";
  private static JsonNode root;

  private static synchronized JsonNode root() {
    if (root == null) {
      try (InputStream s = StorageTypesReferenceTest.class.getResourceAsStream(RESOURCE)) {
        assertNotNull(s, "missing test resource " + RESOURCE);
        root = new ObjectMapper().readTree(s);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return root;
  }

  static Stream<Arguments> conversions() {
    List<Arguments> out = new ArrayList<>();
    root().get("conversions").forEach(c -> out.add(Arguments.of(c.get("name").asText(), c)));
    return out.stream();
  }

  static Stream<Arguments> ops() {
    List<Arguments> out = new ArrayList<>();
    root().get("ops").forEach(c -> out.add(Arguments.of(c.get("name").asText(), c)));
    return out.stream();
  }

  /** A tensor of the JSON's dtype, built from its exact elements (16-bit floats from bits). */
  static Tensor input(JsonNode t) {
    int[] shape = ForwardReferenceTest.shape(t);
    DType dt = ForwardReferenceTest.dtype(t.get("dtype").asText());
    JsonNode data = t.get("data");
    int n = data.size();
    return switch (dt) {
      case FLOAT16, BFLOAT16 -> {
        short[] bits = new short[n];
        for (int i = 0; i < n; i++) {
          bits[i] = (short) t.get("bits").get(i).asInt();
        }
        yield Tensor.fromStorage(Storage.wrapHalf(dt, bits), shape);
      }
      case INT32 -> {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
          v[i] = data.get(i).asInt();
        }
        yield Tensor.fromStorage(Storage.wrap(v), shape);
      }
      case UINT8 -> {
        byte[] v = new byte[n];
        for (int i = 0; i < n; i++) {
          v[i] = (byte) data.get(i).asInt();
        }
        yield Tensor.fromStorage(Storage.wrapUint8(v), shape);
      }
      default -> ForwardReferenceTest.tensor(t);
    };
  }

  /** The 16-bit patterns of a float16 or bfloat16 tensor, as unsigned ints. */
  static int[] bits(Tensor t) {
    Tensor c = t.contiguous();
    int[] out = new int[t.numel()];
    for (int i = 0; i < out.length; i++) {
      out[i] = c.storage().h[c.offset() + i] & 0xFFFF;
    }
    return out;
  }

  static int[] expectedBits(JsonNode t) {
    int[] out = new int[t.get("bits").size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = t.get("bits").get(i).asInt();
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("conversions")
  void conversionMatchesPyTorch(String name, JsonNode c) {
    Tensor x = input(c.get("x"));
    DType to = ForwardReferenceTest.dtype(c.get("to").asText());
    Tensor y = x.to(to);
    JsonNode expected = c.get("output");
    assertEquals(to, y.dtype(), name + ": dtype");
    if (to == DType.FLOAT16 || to == DType.BFLOAT16) {
      int[] want = expectedBits(expected);
      int[] got = bits(y);
      for (int i = 0; i < want.length; i++) {
        if (isNaN(want[i], to) && isNaN(got[i], to)) {
          want[i] = got[i]; // a NaN's payload is not specified (PyTorch gives 0x7FC0 or 0xFFFF)
        }
      }
      assertArrayEquals(want, got, name + ": bits");
    }
    ForwardReferenceTest.assertMatches(name, expected, y);
  }

  private static boolean isNaN(int bits, DType t) {
    return t == DType.FLOAT16
        ? Float.isNaN(Float.float16ToFloat((short) bits))
        : Float.isNaN(Float.intBitsToFloat(bits << 16));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ops")
  void operationMatchesPyTorch(String name, JsonNode c) {
    Tensor a = input(c.get("a"));
    Tensor b = c.get("b").isNull() ? null : input(c.get("b"));
    Tensor y =
        switch (c.get("op").asText()) {
          case "add" -> a.add(b);
          case "sub" -> a.sub(b);
          case "mul" -> a.mul(b);
          case "div" -> a.div(b);
          case "maximum" -> a.maximum(b);
          case "lt" -> a.lt(b);
          case "eq" -> a.eq(b);
          case "neg" -> a.neg();
          case "abs" -> a.abs();
          case "exp" -> a.exp();
          case "tanh" -> a.tanh();
          case "sqrt" -> a.sqrt();
          case "sum" -> a.sum();
          case "mean" -> a.mean();
          case "max" -> a.max();
          case "cumsum" -> a.cumsum(0);
          case "softmax" -> a.softmax(0);
          case "argmax" -> a.argmax();
          case "prod" -> a.prod();
          default -> throw new IllegalArgumentException("no Java op for " + c.get("op"));
        };
    JsonNode expected = c.get("output");
    if (c.get("op").asText().equals("softmax")) {
      // a composite of rounded operations in Nabla, one float32 kernel in PyTorch: a few ulps
      assertEquals(a.dtype(), y.dtype(), name + ": dtype");
      double rel = a.dtype() == DType.FLOAT16 ? 4e-3 : 3e-2;
      ForwardReferenceTest.assertClose(
          name, ForwardReferenceTest.doubles(expected), y.toDoubleArray(), rel, 0);
    } else {
      ForwardReferenceTest.assertMatches(name, expected, y);
    }
  }

  @Test
  void referenceFileCoversEveryStorageType() {
    assertTrue(root().get("torch_version").asText().startsWith("1.13"), "torch_version");
    List<String> seen = new ArrayList<>();
    root().get("ops").forEach(c -> seen.add(c.get("a").get("dtype").asText()));
    for (DType t : DType.values()) {
      if (t.isStorageOnly()) {
        assertTrue(seen.contains(t.toString()), "no op reference for " + t);
      }
    }
  }
}
