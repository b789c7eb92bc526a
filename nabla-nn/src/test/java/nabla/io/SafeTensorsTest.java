package nabla.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nabla.DType;
import nabla.Tensor;
import nabla.nn.Linear;
import nabla.nn.ReLU;
import nabla.nn.Sequential;
import nabla.storage.Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
  @TempDir Path dir;

  /** A file: 8-byte little-endian header length, the header, the data. */
  private static byte[] file(String header, byte[] data) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    return b.putLong(h.length).put(h).put(data).array();
  }

  private static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  private Path write(String name, byte[] content) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, content);
    return p;
  }

  @Test
  void readsAFileLaidOutByteForBytePerTheFormat() throws IOException {
    String header =
        "{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[16,20]},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,1],\"data_offsets\":[0,8]},"
            + "\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]},"
            + "\"bf\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[20,22]},"
            + "\"m\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[22,24]},"
            + "\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[24,32]},"
            + "\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[32,32]}}   ";
    byte[] data =
        bytes(
            0x00, 0x00, 0xC0, 0x3F, // 1.5f
            0x00, 0x00, 0x00, 0xC0, // -2f
            0x02, 0x01, 0, 0, 0, 0, 0, 0x80, // 0x8000000000000102
            0x00, 0x3C, // f16 1.0
            0x00, 0xB8, // f16 -0.5
            0x40, 0x40, // bf16 3.0
            0x01, 0x00, // true, false
            0, 0, 0, 0, 0, 0, 0xD0, 0x3F); // 0.25
    Path p = write("handmade.safetensors", file(header, data));
    Map<String, Tensor> t = SafeTensors.load(p);
    assertEquals(List.of("h", "a", "n", "bf", "m", "d", "e"), List.copyOf(t.keySet()));
    assertArrayEquals(new int[] {2, 1}, t.get("a").shape());
    assertArrayEquals(new float[] {1.5f, -2f}, t.get("a").toFloatArray());
    assertEquals(DType.INT64, t.get("n").dtype());
    assertEquals(0, t.get("n").dim());
    assertEquals(0x8000000000000102L, t.get("n").toLongArray()[0]);
    assertEquals(DType.FLOAT16, t.get("h").dtype());
    assertEquals(DType.BFLOAT16, t.get("bf").dtype());
    assertArrayEquals(new float[] {1f, -0.5f}, t.get("h").toFloatArray());
    assertArrayEquals(new float[] {3f}, t.get("bf").toFloatArray());
    assertArrayEquals(new boolean[] {true, false}, t.get("m").toBooleanArray());
    assertEquals(DType.FLOAT64, t.get("d").dtype());
    assertArrayEquals(new double[] {0.25}, t.get("d").toDoubleArray());
    assertArrayEquals(new int[] {0, 3}, t.get("e").shape());
    assertEquals(Map.of("format", "pt"), SafeTensors.metadata(p));
  }

  @Test
  void roundTripKeepsEveryBit() throws IOException {
    float[] f = {
      0f,
      -0f,
      1e-45f,
      Float.MIN_NORMAL,
      Float.MAX_VALUE,
      Float.POSITIVE_INFINITY,
      Float.NEGATIVE_INFINITY,
      Float.intBitsToFloat(0x7FC12345),
      Float.intBitsToFloat(0xFF800001),
      -3.25f
    };
    double[] d = {
      -0.0,
      Double.MIN_VALUE,
      Math.PI,
      Double.longBitsToDouble(0x7FF8000000ABCDEFL),
      Double.NaN,
      1e308
    };
    long[] l = {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE};
    Map<String, Tensor> in = new LinkedHashMap<>();
    in.put("f", Tensor.of(f, 2, 5));
    in.put("d", Tensor.ofDoubles(d, 3, 2));
    in.put("l", Tensor.ofLongs(l, 2, 2));
    in.put("b", Tensor.ofBooleans(new boolean[] {true, false, true}));
    in.put("s", Tensor.scalar(7.5, DType.FLOAT64));
    in.put("empty", Tensor.zeros(0, 4));
    in.put("view", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).transpose());
    Path p = dir.resolve("round.safetensors");
    SafeTensors.save(in, Map.of("producer", "nabla"), p);
    Map<String, Tensor> out = SafeTensors.load(p);
    assertEquals(List.copyOf(in.keySet()), List.copyOf(out.keySet()));
    for (String k : in.keySet()) {
      assertEquals(in.get(k).dtype(), out.get(k).dtype(), k);
      assertArrayEquals(in.get(k).shape(), out.get(k).shape(), k);
    }
    float[] fo = out.get("f").toFloatArray();
    for (int i = 0; i < f.length; i++) {
      assertEquals(Float.floatToRawIntBits(f[i]), Float.floatToRawIntBits(fo[i]), "f[" + i + "]");
    }
    double[] dout = out.get("d").toDoubleArray();
    for (int i = 0; i < d.length; i++) {
      assertEquals(Double.doubleToRawLongBits(d[i]), Double.doubleToRawLongBits(dout[i]));
    }
    assertArrayEquals(l, out.get("l").toLongArray());
    assertArrayEquals(new boolean[] {true, false, true}, out.get("b").toBooleanArray());
    assertEquals(7.5, out.get("s").item());
    assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, out.get("view").toFloatArray());
    assertEquals(Map.of("producer", "nabla"), SafeTensors.metadata(p));
  }

  /** The 16-bit patterns of a float16 or bfloat16 tensor, row-major. */
  private static short[] halfBits(Tensor t) {
    Tensor c = t.contiguous();
    short[] out = new short[t.numel()];
    for (int i = 0; i < out.length; i++) {
      out[i] = c.storage().h[c.offset() + i];
    }
    return out;
  }

  @Test
  void storageTypesRoundTripBitForBit() throws IOException {
    // every float16 pattern class: zeros, subnormals, normals, max, infinities, NaN with payload
    short[] h = {
      0, (short) 0x8000, 1, 0x03FF, 0x0400, 0x3C00, 0x7BFF, 0x7C00, (short) 0xFC00, 0x7E01
    };
    short[] bf = {0, (short) 0x8000, 1, 0x3F80, 0x7F7F, 0x7F80, (short) 0xFFFF, 0x7FC1, 0x4049};
    int[] i32 = {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE};
    byte[] u8 = {0, 1, 127, (byte) 128, (byte) 255};
    Map<String, Tensor> in = new LinkedHashMap<>();
    in.put("h", Tensor.fromStorage(Storage.wrapHalf(DType.FLOAT16, h), 2, 5));
    in.put("bf", Tensor.fromStorage(Storage.wrapHalf(DType.BFLOAT16, bf), 9));
    in.put("i", Tensor.fromStorage(Storage.wrap(i32), 5));
    in.put("u", Tensor.fromStorage(Storage.wrapUint8(u8), 5, 1));
    in.put("hview", Tensor.fromStorage(Storage.wrapHalf(DType.FLOAT16, h), 2, 5).transpose(0, 1));
    Path p = dir.resolve("storage-types.safetensors");
    SafeTensors.save(in, p);
    String header = new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    for (String kind : new String[] {"\"F16\"", "\"BF16\"", "\"I32\"", "\"U8\""}) {
      assertTrue(header.contains(kind), "header names " + kind);
    }
    Map<String, Tensor> out = SafeTensors.load(p);
    for (String k : in.keySet()) {
      assertEquals(in.get(k).dtype(), out.get(k).dtype(), k);
      assertArrayEquals(in.get(k).shape(), out.get(k).shape(), k);
    }
    assertArrayEquals(h, halfBits(out.get("h")));
    assertArrayEquals(bf, halfBits(out.get("bf")));
    assertArrayEquals(halfBits(in.get("hview")), halfBits(out.get("hview")));
    assertArrayEquals(
        new long[] {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE}, out.get("i").toLongArray());
    assertArrayEquals(new long[] {0, 1, 127, 128, 255}, out.get("u").toLongArray());
    // a float32 model loads float16 weights, converted by copyFrom
    Linear layer = new Linear(2, 1);
    Map<String, Tensor> half = new LinkedHashMap<>();
    half.put("weight", Tensor.of(0.5, -1.5).reshape(1, 2).to(DType.FLOAT16));
    half.put("bias", Tensor.of(0.25).to(DType.BFLOAT16));
    SafeTensors.save(half, dir.resolve("half.safetensors"));
    layer.loadStateDict(SafeTensors.load(dir.resolve("half.safetensors")));
    assertEquals(DType.FLOAT32, layer.stateDict().get("weight").dtype());
    assertArrayEquals(new float[] {0.5f, -1.5f}, layer.stateDict().get("weight").toFloatArray());
    assertArrayEquals(new float[] {0.25f}, layer.stateDict().get("bias").toFloatArray());
  }

  @Test
  void savedFileFollowsTheLayout() throws IOException {
    Path p = dir.resolve("layout.safetensors");
    Map<String, Tensor> in = new LinkedHashMap<>();
    in.put("w", Tensor.of(new float[] {1, 2, 3}, 3));
    in.put("i", Tensor.ofLongs(new long[] {5}, 1));
    SafeTensors.save(in, p);
    byte[] raw = Files.readAllBytes(p);
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    long n = b.getLong();
    assertEquals(0, n % 8, "data aligned to 8 bytes");
    assertEquals(8 + n + 12 + 8, raw.length);
    String header = new String(raw, 8, (int) n, StandardCharsets.UTF_8).strip();
    assertEquals(
        "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
            + "\"i\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[12,20]}}",
        header);
    b.position((int) (8 + n));
    assertEquals(1f, b.getFloat());
    assertEquals(2f, b.getFloat());
    assertEquals(3f, b.getFloat());
    assertEquals(5L, b.getLong());
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temporary file left behind");
    }
    if (Files.getFileStore(p).supportsFileAttributeView("posix")) {
      // the permissions of any new file (umask), not the private 0600 of a temporary file
      Path plain = Files.createFile(dir.resolve("plain"));
      assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(p));
    }
  }

  @Test
  void modelStateDictRoundTrip() throws IOException {
    Sequential a = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
    Sequential b = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
    Path p = dir.resolve("model.safetensors");
    SafeTensors.save(a.stateDict(), p);
    b.loadStateDict(SafeTensors.load(p));
    Tensor x = Tensor.randn(5, 3);
    assertArrayEquals(a.forward(x).toFloatArray(), b.forward(x).toFloatArray());
  }

  private static final String GOOD_ENTRY =
      "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

  private void assertBad(String name, byte[] content, String... fragments) throws IOException {
    Path p = write(name, content);
    IOException e = assertThrows(IOException.class, () -> SafeTensors.load(p), name);
    String m = e.getMessage();
    assertTrue(m.contains(p.toString()), m);
    for (String f : fragments) {
      assertTrue(m.contains(f), name + ": " + m);
    }
  }

  @Test
  void corruptFilesGiveClearErrors() throws IOException {
    byte[] eight = new byte[8];
    assertBad("empty", new byte[0], "too short");
    assertBad("short", new byte[5], "too short");
    byte[] good = file("{" + GOOD_ENTRY + "}", eight);
    assertEquals(2, SafeTensors.load(write("good", good)).get("a").numel());
    assertBad("truncated", java.util.Arrays.copyOf(good, good.length - 1), "truncated");
    assertBad("trailing", file("{" + GOOD_ENTRY + "}", new byte[9]), "trailing");
    byte[] hugeLength = good.clone();
    hugeLength[7] = 0x10;
    assertBad("huge-header-length", hugeLength, "header length");
    byte[] negative = good.clone();
    negative[7] = (byte) 0xFF;
    assertBad("negative-header-length", negative, "header length");
    assertBad("not-json", file("{\"a\":", eight), "not valid JSON");
    assertBad("not-object", file("[1, 2]", eight), "JSON object");
    assertBad("duplicate", file("{" + GOOD_ENTRY + "," + GOOD_ENTRY + "}", eight), "JSON");
    assertBad(
        "dtype",
        file("{\"a\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}", eight),
        "C64",
        "'a'");
    assertBad(
        "negative-shape",
        file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", eight),
        "non-negative");
    assertBad(
        "size-mismatch",
        file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", eight),
        "needs 12 bytes");
    assertBad(
        "gap",
        file(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[6,8]}}",
            eight),
        "contiguous");
    assertBad(
        "overlap",
        file(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
            eight),
        "contiguous");
    assertBad(
        "huge-shape",
        file(
            "{\"a\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],"
                + "\"data_offsets\":[0,8]}}",
            eight),
        "too large");
    assertBad(
        "missing-offsets",
        file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", eight),
        "data_offsets");
    assertBad(
        "bool-byte",
        file("{\"m\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[0,1]}}", bytes(2)),
        "not 0 or 1");
    assertBad(
        "metadata", file("{\"__metadata__\":{\"k\":3}," + GOOD_ENTRY + "}", eight), "__metadata__");
    ByteArrayOutputStream badUtf8 = new ByteArrayOutputStream();
    badUtf8.write(file("{\"\u00e9\":1}", new byte[0]));
    byte[] u = badUtf8.toByteArray();
    u[10] = (byte) 0xFF;
    assertBad("utf8", u, "UTF-8");
    assertThrows(IOException.class, () -> SafeTensors.load(dir.resolve("absent")));
  }

  @Test
  void saveRejectsBadNames() {
    Path p = dir.resolve("x.safetensors");
    assertThrows(
        IllegalArgumentException.class,
        () -> SafeTensors.save(Map.of("__metadata__", Tensor.zeros(1)), p));
    assertThrows(
        IllegalArgumentException.class, () -> SafeTensors.save(Map.of("", Tensor.zeros(1)), p));
    assertFalse(Files.exists(p));
  }
}
