package nabla.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader of the IDX files of MNIST and Fashion-MNIST, gzipped or not (detected from the content,
 * not the name). Format: two zero bytes, a type byte ({@code 0x08} = unsigned byte, the only type
 * these datasets use), the number of dimensions, each dimension as a big-endian 32-bit integer,
 * then the data row-major.
 *
 * <p>The header is checked against the file before the data is allocated (the size of a plain file,
 * the recorded uncompressed size of a gzipped one); a bad file throws an {@link IOException} naming
 * the file and what is wrong.
 *
 * <pre>{@code
 * Idx.Array images = Idx.read(Path.of("train-images-idx3-ubyte.gz"));
 * images.dims();    // [60000, 28, 28]
 * }</pre>
 */
public final class Idx {
  private Idx() {}

  /** The contents of an unsigned-byte IDX file: its dimensions and its data, row-major. */
  public record Array(int[] dims, byte[] data) {
    /** The number of elements. */
    public int numel() {
      return data.length;
    }

    /** Element {@code i} as an unsigned value 0..255. */
    public int unsigned(int i) {
      return data[i] & 0xFF;
    }
  }

  private static IOException bad(Path file, String problem) {
    return new IOException("IDX file " + file + ": " + problem);
  }

  /** Reads {@code file}. */
  public static Array read(Path file) throws IOException {
    long fileSize = Files.size(file);
    boolean gzip = isGzip(file);
    long expectedRaw = gzip ? gzipSize(file, fileSize) : fileSize;
    try (InputStream raw = Files.newInputStream(file);
        InputStream in =
            gzip
                ? new GZIPInputStream(new BufferedInputStream(raw), 1 << 16)
                : new BufferedInputStream(raw, 1 << 16);
        DataInputStream data = new DataInputStream(in)) {
      int[] dims;
      try {
        int zero = data.readUnsignedShort();
        int type = data.readUnsignedByte();
        int ndim = data.readUnsignedByte();
        if (zero != 0) {
          throw bad(file, "does not start with the IDX magic (two zero bytes); not an IDX file");
        }
        if (type != 0x08) {
          throw bad(
              file,
              String.format(
                  "element type 0x%02X is not supported (only 0x08, unsigned bytes, as in MNIST)",
                  type));
        }
        if (ndim == 0) {
          throw bad(file, "has 0 dimensions");
        }
        dims = new int[ndim];
        long numel = 1;
        for (int i = 0; i < ndim; i++) {
          dims[i] = data.readInt();
          if (dims[i] < 0) {
            throw bad(file, "dimension " + i + " is negative: " + dims[i]);
          }
          numel *= dims[i];
          if (numel > Integer.MAX_VALUE - 8) {
            throw bad(file, "dimensions " + Arrays.toString(dims) + " are too large");
          }
        }
        long expected = 4 + 4L * ndim + numel;
        // a gzip trailer stores the size modulo 2^32
        if (gzip ? (expected & 0xFFFFFFFFL) != expectedRaw : expected != expectedRaw) {
          throw bad(
              file,
              "header dimensions "
                  + Arrays.toString(dims)
                  + " need "
                  + expected
                  + " bytes but the file holds "
                  + expectedRaw
                  + (gzip ? " uncompressed" : "")
                  + (expected > expectedRaw ? " (truncated file?)" : " (trailing bytes)"));
        }
        byte[] values = new byte[(int) numel];
        data.readFully(values);
        if (data.read() != -1) {
          throw bad(file, "trailing bytes after the data");
        }
        return new Array(dims, values);
      } catch (EOFException e) {
        throw bad(file, "ends early (truncated file?)");
      } catch (ZipException e) {
        throw bad(file, "corrupt gzip data (" + e.getMessage() + ")");
      }
    } catch (EOFException e) {
      throw bad(file, "ends early (truncated gzip file?)");
    } catch (ZipException e) {
      throw bad(file, "corrupt gzip data (" + e.getMessage() + ")");
    }
  }

  private static boolean isGzip(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] magic = in.readNBytes(2);
      return magic.length == 2 && (magic[0] & 0xFF) == 0x1F && (magic[1] & 0xFF) == 0x8B;
    }
  }

  /** The uncompressed size modulo 2^32 from the gzip trailer (last 4 bytes, little-endian). */
  private static long gzipSize(Path file, long fileSize) throws IOException {
    if (fileSize < 18) {
      throw bad(file, "is too short (" + fileSize + " bytes) for a gzip file");
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      long pos = fileSize - 4;
      while (b.hasRemaining()) {
        int r = ch.read(b, pos);
        if (r < 0) {
          throw bad(file, "ends early");
        }
        pos += r;
      }
      return b.flip().getInt() & 0xFFFFFFFFL;
    }
  }
}
