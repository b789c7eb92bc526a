package nabla.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import nabla.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The IDX reader and the Fashion-MNIST loader on small files the test writes itself. */
class FashionMnistTest {
  @TempDir Path dir;

  /** An IDX file of unsigned bytes with the given dimensions; value i is (seed + i) mod 256. */
  static byte[] idx(int seed, int... dims) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeShort(0);
    out.writeByte(0x08);
    out.writeByte(dims.length);
    int n = 1;
    for (int d : dims) {
      out.writeInt(d);
      n *= d;
    }
    for (int i = 0; i < n; i++) {
      out.writeByte((seed + i) % 256);
    }
    return bytes.toByteArray();
  }

  static byte[] labels(int... values) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(0x00000801);
    out.writeInt(values.length);
    for (int v : values) {
      out.writeByte(v);
    }
    return bytes.toByteArray();
  }

  static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream g = new GZIPOutputStream(bytes)) {
      g.write(raw);
    }
    return bytes.toByteArray();
  }

  private void writeDataset(Path folder, boolean gz) throws IOException {
    Files.createDirectories(folder);
    String ext = gz ? ".gz" : "";
    Files.write(folder.resolve("train-images-idx3-ubyte" + ext), maybe(gz, idx(250, 3, 2, 2)));
    Files.write(folder.resolve("train-labels-idx1-ubyte" + ext), maybe(gz, labels(9, 0, 3)));
    Files.write(folder.resolve("t10k-images-idx3-ubyte" + ext), maybe(gz, idx(0, 2, 2, 2)));
    Files.write(folder.resolve("t10k-labels-idx1-ubyte" + ext), maybe(gz, labels(1, 8)));
  }

  private static byte[] maybe(boolean gz, byte[] raw) throws IOException {
    return gz ? gzip(raw) : raw;
  }

  @Test
  void readsPlainAndGzippedIdx() throws IOException {
    byte[] raw = idx(7, 2, 3);
    Path plain = dir.resolve("a");
    Path packed = dir.resolve("b");
    Files.write(plain, raw);
    Files.write(packed, gzip(raw));
    for (Path p : List.of(plain, packed)) {
      Idx.Array a = Idx.read(p);
      assertArrayEquals(new int[] {2, 3}, a.dims());
      assertEquals(6, a.numel());
      for (int i = 0; i < 6; i++) {
        assertEquals(7 + i, a.unsigned(i));
      }
    }
  }

  @Test
  void loadsBothSplitsScaledToUnitInterval() throws IOException {
    for (boolean gz : new boolean[] {false, true}) {
      Path folder = dir.resolve(gz ? "gz" : "plain");
      writeDataset(folder, gz);
      FashionMnist data = FashionMnist.load(folder);
      assertEquals(3, data.train().size());
      assertEquals(2, data.test().size());
      assertArrayEquals(new int[] {3, 1, 2, 2}, data.train().tensor(0).shape());
      assertEquals(DType.FLOAT32, data.train().tensor(0).dtype());
      float[] px = data.train().tensor(0).toFloatArray();
      assertEquals(250 / 255f, px[0], 1e-7);
      assertEquals(255 / 255f, px[5], 1e-7);
      assertEquals(0f, px[6], 1e-7); // 256 wraps to 0
      assertArrayEquals(new long[] {9, 0, 3}, data.train().tensor(1).toLongArray());
      assertEquals(
          List.of("ankle boot", "t-shirt", "dress"),
          FashionMnist.textLabels(data.train().tensor(1)));
      assertArrayEquals(new long[] {1, 8}, data.test().tensor(1).toLongArray());
    }
  }

  @Test
  void searchOrderAndTheErrorWhenNothingIsFound() throws IOException {
    Path opt = dir.resolve("opt");
    Path env = dir.resolve("env");
    Path debian = dir.resolve("debian");
    Path home = dir.resolve("home");
    FileNotFoundException e =
        assertThrows(
            FileNotFoundException.class,
            () -> FashionMnist.find(opt.toString(), env.toString(), debian, home));
    String m = e.getMessage();
    for (Path p : List.of(opt, env, debian, home)) {
      assertTrue(m.contains(p.toString()), m);
    }
    assertTrue(m.contains("apt-get install dataset-fashion-mnist"), m);
    assertTrue(m.contains("NABLA_DATA") && m.contains("--data"), m);
    writeDataset(home, true);
    assertEquals(home, FashionMnist.find(null, null, debian, home));
    writeDataset(debian, false);
    assertEquals(debian, FashionMnist.find(null, null, debian, home));
    writeDataset(env.resolve("fashion-mnist"), true); // a parent folder also counts
    assertEquals(
        env.resolve("fashion-mnist"), FashionMnist.find(null, env.toString(), debian, home));
    writeDataset(opt, true);
    assertEquals(opt, FashionMnist.find(opt.toString(), env.toString(), debian, home));
    // an incomplete folder is skipped
    Files.delete(opt.resolve("t10k-labels-idx1-ubyte.gz"));
    assertEquals(
        env.resolve("fashion-mnist"),
        FashionMnist.find(opt.toString(), env.toString(), debian, home));
    FileNotFoundException incomplete =
        assertThrows(FileNotFoundException.class, () -> FashionMnist.load(opt));
    assertTrue(incomplete.getMessage().contains(opt.toString()));
  }

  private void assertBadIdx(String name, byte[] content, String... fragments) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, content);
    IOException e = assertThrows(IOException.class, () -> Idx.read(p), name);
    assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), name + ": " + e.getMessage());
    }
  }

  @Test
  void corruptOrTruncatedFilesGiveClearErrors() throws IOException {
    byte[] good = idx(0, 4, 3);
    assertBadIdx("truncated", Arrays.copyOf(good, good.length - 1), "truncated");
    assertBadIdx("trailing", Arrays.copyOf(good, good.length + 2), "trailing");
    assertBadIdx("header-only", Arrays.copyOf(good, 6), "truncated");
    assertBadIdx("empty", new byte[0], "truncated");
    byte[] magic = good.clone();
    magic[0] = 1;
    assertBadIdx("magic", magic, "magic");
    byte[] type = good.clone();
    type[2] = 0x0D;
    assertBadIdx("type", type, "0x0D");
    byte[] negative = good.clone();
    negative[4] = (byte) 0x80;
    assertBadIdx("negative", negative, "negative");
    byte[] huge = good.clone();
    huge[4] = 0x7F;
    assertBadIdx("huge", huge, "too large");
    byte[] big = good.clone();
    big[5] = 0x10; // 2^20 + 4 rows: more than the file holds
    assertBadIdx("big", big, "need", "truncated");
    byte[] zipped = gzip(good);
    assertBadIdx("gz-truncated", Arrays.copyOf(zipped, zipped.length - 6), "IDX file");
    byte[] corrupt = zipped.clone();
    corrupt[12] ^= 0x55;
    assertBadIdx("gz-corrupt", corrupt, "IDX file");
    assertBadIdx("gz-huge", gzip(Arrays.copyOf(good, 12)), "need", "uncompressed");
  }

  @Test
  void mismatchedImagesAndLabelsAreReported() throws IOException {
    Path folder = dir.resolve("mismatch");
    writeDataset(folder, false);
    Files.write(folder.resolve("t10k-labels-idx1-ubyte"), labels(1, 2, 3));
    IOException e = assertThrows(IOException.class, () -> FashionMnist.load(folder));
    assertTrue(e.getMessage().contains("2 images"), e.getMessage());
    Files.write(folder.resolve("t10k-labels-idx1-ubyte"), labels(1, 12));
    e = assertThrows(IOException.class, () -> FashionMnist.load(folder));
    assertTrue(e.getMessage().contains("label 12"), e.getMessage());
  }
}
