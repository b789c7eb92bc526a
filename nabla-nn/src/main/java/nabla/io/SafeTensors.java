package nabla.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nabla.DType;
import nabla.Tensor;
import nabla.storage.Storage;

/**
 * Reads and writes tensors in the safetensors format, the one PyTorch and Hugging Face use for
 * model files (never Java serialisation).
 *
 * <p>Layout: an unsigned 64-bit little-endian header length n, then n bytes of UTF-8 JSON mapping
 * each tensor name to {@code {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}} (plus
 * an optional {@code "__metadata__"} object of strings), then the data: every tensor's elements
 * row-major and little-endian, the offsets relative to the start of the data and covering it
 * without gap or overlap.
 *
 * <p>Reading and writing support F32, F64, I64, I32, U8, BOOL, F16 and BF16, each kept in its own
 * dtype ({@code DType.FLOAT16} and {@code DType.BFLOAT16} hold the file's 16-bit patterns, so a
 * round trip is bit-exact; {@code loadStateDict} converts them into a float32 model). The whole
 * header is validated (JSON, known dtypes, non-negative shapes, sizes equal to numel × dtype size,
 * contiguous offsets covering the data exactly) before any tensor is allocated; a bad file throws
 * an {@link IOException} naming the file and what is wrong, and nothing is half-loaded.
 *
 * <pre>{@code
 * SafeTensors.save(model.stateDict(), Path.of("model.safetensors"));
 * model.loadStateDict(SafeTensors.load(Path.of("model.safetensors")));
 * }</pre>
 */
public final class SafeTensors {
  private SafeTensors() {}

  /** The largest header read (the reference implementation's limit). */
  static final long MAX_HEADER_BYTES = 100_000_000L;

  private static final String METADATA = "__metadata__";
  private static final int CHUNK = 1 << 16;
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** The element types of the format that Nabla reads. */
  enum Kind {
    F64(8, DType.FLOAT64),
    F32(4, DType.FLOAT32),
    F16(2, DType.FLOAT16),
    BF16(2, DType.BFLOAT16),
    I64(8, DType.INT64),
    I32(4, DType.INT32),
    U8(1, DType.UINT8),
    BOOL(1, DType.BOOL);

    final int bytes;
    final DType dtype;

    Kind(int bytes, DType dtype) {
      this.bytes = bytes;
      this.dtype = dtype;
    }

    static Kind of(DType t) {
      return switch (t) {
        case FLOAT64 -> F64;
        case FLOAT32 -> F32;
        case INT64 -> I64;
        case BOOL -> BOOL;
        case INT32 -> I32;
        case UINT8 -> U8;
        case FLOAT16 -> F16;
        case BFLOAT16 -> BF16;
      };
    }
  }

  private record Entry(String name, Kind kind, int[] shape, int numel, long begin, long end) {}

  /** Writes {@code tensors} (in map order) to {@code file}, replacing it. */
  public static void save(Map<String, Tensor> tensors, Path file) throws IOException {
    save(tensors, Map.of(), file);
  }

  /**
   * Writes {@code tensors} (in map order) and string {@code metadata} (the header's {@code
   * __metadata__}; may be empty) to {@code file}. The file is written beside the target and moved
   * into place, so a failed save leaves no half-written file.
   */
  public static void save(Map<String, Tensor> tensors, Map<String, String> metadata, Path file)
      throws IOException {
    if (tensors == null || metadata == null || file == null) {
      throw new IllegalArgumentException(
          "SafeTensors.save: the tensors, metadata and path must not be null");
    }
    ObjectNode header = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = header.putObject(METADATA);
      for (Map.Entry<String, String> m : metadata.entrySet()) {
        if (m.getKey() == null || m.getValue() == null) {
          throw new IllegalArgumentException(
              "SafeTensors.save: metadata keys and values must not be null");
        }
        meta.put(m.getKey(), m.getValue());
      }
    }
    List<Tensor> order = new ArrayList<>();
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      String name = e.getKey();
      Tensor t = e.getValue();
      if (name == null || name.isEmpty() || name.equals(METADATA)) {
        throw new IllegalArgumentException(
            "SafeTensors.save: invalid tensor name '" + name + "' (empty or reserved) for " + file);
      }
      if (t == null) {
        throw new IllegalArgumentException("SafeTensors.save: tensor '" + name + "' is null");
      }
      Kind kind = Kind.of(t.dtype());
      long size = (long) t.numel() * kind.bytes;
      ObjectNode info = header.putObject(name);
      info.put("dtype", kind.name());
      ArrayNode shape = info.putArray("shape");
      for (int s : t.shape()) {
        shape.add(s);
      }
      info.putArray("data_offsets").add(offset).add(offset + size);
      offset += size;
      order.add(t);
    }
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8; // data aligned to 8 bytes, padded with spaces
    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(padded).put(json);
    while (head.hasRemaining()) {
      head.put((byte) ' ');
    }
    head.flip();
    Path dir = file.toAbsolutePath().getParent();
    // Not Files.createTempFile: that makes the file private (0600); a model file gets the usual
    // permissions of a new file.
    Path tmp =
        dir.resolve("." + file.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".tmp");
    try {
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        writeFully(ch, head);
        ByteBuffer buf = ByteBuffer.allocate(CHUNK * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor t : order) {
          writeData(ch, buf, t);
        }
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void writeData(FileChannel ch, ByteBuffer buf, Tensor t) throws IOException {
    buf.clear();
    switch (t.dtype()) {
      case FLOAT32 -> {
        for (float v : t.toFloatArray()) {
          if (buf.remaining() < 4) {
            flush(ch, buf);
          }
          buf.putInt(Float.floatToRawIntBits(v));
        }
      }
      case FLOAT64 -> {
        for (double v : t.toDoubleArray()) {
          if (buf.remaining() < 8) {
            flush(ch, buf);
          }
          buf.putLong(Double.doubleToRawLongBits(v));
        }
      }
      case INT64 -> {
        for (long v : t.toLongArray()) {
          if (buf.remaining() < 8) {
            flush(ch, buf);
          }
          buf.putLong(v);
        }
      }
      case BOOL -> {
        for (boolean v : t.toBooleanArray()) {
          if (!buf.hasRemaining()) {
            flush(ch, buf);
          }
          buf.put((byte) (v ? 1 : 0));
        }
      }
      default -> { // the storage types: their raw elements, bit for bit
        Tensor c = t.detach().contiguous();
        Storage s = c.storage();
        int off = c.offset();
        int bytes = t.dtype().byteSize();
        for (int k = 0; k < c.numel(); k++) {
          if (buf.remaining() < bytes) {
            flush(ch, buf);
          }
          switch (t.dtype()) {
            case INT32 -> buf.putInt(s.i[off + k]);
            case UINT8 -> buf.put(s.u[off + k]);
            default -> buf.putShort(s.h[off + k]); // FLOAT16, BFLOAT16
          }
        }
      }
    }
    flush(ch, buf);
  }

  private static void flush(FileChannel ch, ByteBuffer buf) throws IOException {
    buf.flip();
    writeFully(ch, buf);
    buf.clear();
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  /** The header's {@code __metadata__} (empty when absent), after validating the whole header. */
  public static Map<String, String> metadata(Path file) throws IOException {
    try (FileChannel ch = open(file)) {
      Map<String, String> meta = new LinkedHashMap<>();
      readHeader(file, ch, meta);
      return meta;
    }
  }

  /**
   * Reads every tensor of {@code file}, in header order (the order they were saved in by {@link
   * #save}), each in the dtype of its file entry (F16 as {@code DType.FLOAT16}, and so on).
   *
   * @throws IOException when the file cannot be read or is not a valid safetensors file (the
   *     message names the file and the problem)
   */
  public static Map<String, Tensor> load(Path file) throws IOException {
    try (FileChannel ch = open(file)) {
      long[] dataStart = new long[1];
      List<Entry> entries = readHeader(file, ch, new LinkedHashMap<>(), dataStart);
      Map<String, Tensor> out = new LinkedHashMap<>();
      for (Entry e : entries) {
        out.put(e.name, readTensor(file, ch, dataStart[0], e));
      }
      return out;
    }
  }

  private static FileChannel open(Path file) throws IOException {
    if (file == null) {
      throw new IllegalArgumentException("SafeTensors: the path is null");
    }
    return FileChannel.open(file, StandardOpenOption.READ);
  }

  private static IOException bad(Path file, String problem) {
    return new IOException("safetensors file " + file + ": " + problem);
  }

  private static List<Entry> readHeader(Path file, FileChannel ch, Map<String, String> meta)
      throws IOException {
    return readHeader(file, ch, meta, new long[1]);
  }

  private static List<Entry> readHeader(
      Path file, FileChannel ch, Map<String, String> meta, long[] dataStart) throws IOException {
    long size = ch.size();
    if (size < 8) {
      throw bad(file, "only " + size + " bytes, too short for the 8-byte header length");
    }
    ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    readFully(file, ch, lenBuf, 0);
    long n = lenBuf.flip().getLong();
    if (n < 2 || n > MAX_HEADER_BYTES || n > size - 8) {
      throw bad(
          file,
          "header length "
              + Long.toUnsignedString(n)
              + " is invalid (the file has "
              + size
              + " bytes; the header must hold at least '{}' and at most "
              + MAX_HEADER_BYTES
              + " bytes): truncated, or not a safetensors file");
    }
    ByteBuffer headBuf = ByteBuffer.allocate((int) n);
    readFully(file, ch, headBuf, 8);
    byte[] raw = headBuf.array();
    JsonNode root;
    try {
      root =
          JSON.readTree(
              StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(raw)).toString());
    } catch (java.nio.charset.CharacterCodingException e) {
      throw bad(file, "the header is not valid UTF-8");
    } catch (JsonProcessingException e) {
      throw bad(file, "the header is not valid JSON (" + e.getOriginalMessage() + ")");
    }
    if (root == null || !root.isObject()) {
      throw bad(file, "the header must be a JSON object of tensor entries");
    }
    long dataLength = size - 8 - n;
    dataStart[0] = 8 + n;
    List<Entry> entries = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (f.getKey().equals(METADATA)) {
        readMetadata(file, f.getValue(), meta);
      } else {
        entries.add(entry(file, f.getKey(), f.getValue()));
      }
    }
    List<Entry> byOffset = new ArrayList<>(entries);
    byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    long expected = 0;
    for (Entry e : byOffset) {
      if (e.begin != expected) {
        throw bad(
            file,
            "tensor '"
                + e.name
                + "' starts at data offset "
                + e.begin
                + " but the previous data ends at "
                + expected
                + " (the data must be contiguous, without gaps or overlaps)");
      }
      expected = e.end;
    }
    if (expected != dataLength) {
      throw bad(
          file,
          "the tensors cover "
              + expected
              + " bytes of data but the file holds "
              + dataLength
              + " bytes after the header"
              + (expected > dataLength ? " (truncated file?)" : " (trailing bytes)"));
    }
    return entries;
  }

  private static void readMetadata(Path file, JsonNode node, Map<String, String> meta)
      throws IOException {
    if (!node.isObject()) {
      throw bad(file, "__metadata__ must be an object of strings");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> m = it.next();
      if (!m.getValue().isTextual()) {
        throw bad(file, "__metadata__ value of '" + m.getKey() + "' is not a string");
      }
      meta.put(m.getKey(), m.getValue().asText());
    }
  }

  private static Entry entry(Path file, String name, JsonNode info) throws IOException {
    String where = "tensor '" + name + "'";
    if (!info.isObject()) {
      throw bad(file, where + ": the entry must be an object with dtype, shape and data_offsets");
    }
    JsonNode dtype = info.get("dtype");
    JsonNode shape = info.get("shape");
    JsonNode offsets = info.get("data_offsets");
    if (dtype == null || !dtype.isTextual()) {
      throw bad(file, where + ": missing or non-string dtype");
    }
    Kind kind;
    try {
      kind = Kind.valueOf(dtype.asText());
    } catch (IllegalArgumentException e) {
      throw bad(
          file,
          where
              + ": dtype "
              + dtype.asText()
              + " is not supported (Nabla reads "
              + Arrays.toString(Kind.values())
              + ")");
    }
    if (shape == null || !shape.isArray()) {
      throw bad(file, where + ": missing shape array");
    }
    int[] dims = new int[shape.size()];
    long numel = 1;
    for (int i = 0; i < dims.length; i++) {
      JsonNode d = shape.get(i);
      if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
        throw bad(file, where + ": shape " + shape + " must hold non-negative integers");
      }
      if (d.asLong() > Integer.MAX_VALUE) {
        throw bad(file, where + ": dimension " + d + " is too large for Nabla (max 2^31 - 1)");
      }
      dims[i] = d.asInt();
      numel *= dims[i];
      if (numel > Integer.MAX_VALUE) {
        throw bad(
            file,
            where + ": shape " + shape + " has more than 2^31 - 1 elements, too large for Nabla");
      }
    }
    if (offsets == null || !offsets.isArray() || offsets.size() != 2) {
      throw bad(file, where + ": data_offsets must be an array [begin, end]");
    }
    for (JsonNode o : offsets) {
      if (!o.isIntegralNumber() || !o.canConvertToLong() || o.asLong() < 0) {
        throw bad(file, where + ": data_offsets " + offsets + " must be non-negative integers");
      }
    }
    long begin = offsets.get(0).asLong();
    long end = offsets.get(1).asLong();
    if (end < begin) {
      throw bad(file, where + ": data_offsets " + offsets + " end before they begin");
    }
    long bytes = numel * kind.bytes;
    if (end - begin != bytes) {
      throw bad(
          file,
          where
              + ": shape "
              + shape
              + " of "
              + kind
              + " needs "
              + bytes
              + " bytes but data_offsets "
              + offsets
              + " span "
              + (end - begin));
    }
    return new Entry(name, kind, dims, (int) numel, begin, end);
  }

  private static void readFully(Path file, FileChannel ch, ByteBuffer buf, long position)
      throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int r = ch.read(buf, pos);
      if (r < 0) {
        throw bad(file, "unexpected end of file at byte " + pos + " (truncated file?)");
      }
      pos += r;
    }
  }

  private static Tensor readTensor(Path file, FileChannel ch, long dataStart, Entry e)
      throws IOException {
    int n = e.numel;
    ByteBuffer buf = ByteBuffer.allocate(CHUNK * e.kind.bytes).order(ByteOrder.LITTLE_ENDIAN);
    long pos = dataStart + e.begin;
    Storage storage = Storage.allocate(e.kind.dtype, n);
    for (int start = 0; start < n; start += CHUNK) {
      int count = Math.min(CHUNK, n - start);
      buf.clear().limit(count * e.kind.bytes);
      readFully(file, ch, buf, pos);
      pos += (long) count * e.kind.bytes;
      buf.flip();
      for (int i = start; i < start + count; i++) {
        switch (e.kind) {
          case F32 -> storage.f[i] = Float.intBitsToFloat(buf.getInt());
          case F16, BF16 -> storage.h[i] = buf.getShort();
          case I32 -> storage.i[i] = buf.getInt();
          case U8 -> storage.u[i] = buf.get();
          case F64 -> storage.d[i] = Double.longBitsToDouble(buf.getLong());
          case I64 -> storage.l[i] = buf.getLong();
          case BOOL -> {
            byte b = buf.get();
            if (b != 0 && b != 1) {
              throw bad(
                  file,
                  "tensor '"
                      + e.name
                      + "': BOOL element "
                      + i
                      + " has byte value "
                      + b
                      + ", not 0 or 1");
            }
            storage.b[i] = b == 1;
          }
        }
      }
    }
    return Tensor.fromStorage(storage, e.shape);
  }
}
