package nabla.kernels;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

/**
 * The cache blocking of the packed GEMM for the CPU this JVM runs on: the columns of a packed B
 * block ({@code nc}, float32; float64 takes half, the same bytes), the rows of a packed A block
 * ({@code mc}), and how a product is split among threads ({@code shared}: one tile of C per thread,
 * or one packed B shared by all threads with row blocks handed out one at a time). The register
 * tile needs no choice: it is two vectors of the machine's preferred width by 8 rows. Chosen once,
 * at the first GEMM, from the first of these that gives a value:
 *
 * <ol>
 *   <li>the system properties {@code nabla.gemm.nc}, {@code nabla.gemm.mc} and {@code
 *       nabla.gemm.shared} (for experiments, and for the tuner's probes);
 *   <li>the blocking measured on this CPU model by {@code ./nabla tune-gemm}, kept in {@code
 *       ~/.nabla/gemm/<cpu>.properties} ({@link #tunedFile()}; {@code NABLA_HOME} replaces {@code
 *       ~/.nabla}), as FFTW keeps its wisdom;
 *   <li>the level-2 cache size the operating system reports ({@code /sys/devices/system/cpu/cpu0/
 *       cache}): a packed B block fills half of one core's L2, as BLIS's analytical model sizes it
 *       ({@link #fromCaches}), with tiles;
 *   <li>{@link #DEFAULT}, for a 1 MiB L2.
 * </ol>
 *
 * <p>These change speed, never results: cutting C's rows and columns into blocks leaves every
 * element's sums as they are, so every choice gives the same bits (a forked-JVM test checks it).
 * The depth of a packed block is not chosen here: {@link GemmTuning#KC} (256) is part of the
 * arithmetic, since each depth block is summed apart and then added to C, and it is the same on
 * every machine so that a product has the same bits on every machine that runs the same kernels. A
 * bad value (not a positive multiple, a file that cannot be read) is skipped with a warning on the
 * {@code nabla.kernels} logger, never an error.
 *
 * <pre>{@code
 * GemmBlocking.current();          // e.g. nc=512 mc=1024 tiles (caches: L2 1024 KiB)
 * GemmBlocking.current().source(); // where the values came from
 * }</pre>
 *
 * @param nc float32 columns of a packed B block, a multiple of 64
 * @param mc rows of a packed A block, a multiple of 8
 * @param shared whether threads share one packed B (else each computes its own tile of C)
 * @param source where the values came from (a property, the tuned file, the caches, the default)
 */
public record GemmBlocking(int nc, int mc, boolean shared, String source) {

  /** The blocking when nothing else is known: 512 KiB B blocks, half of a 1 MiB L2. */
  public static final GemmBlocking DEFAULT = new GemmBlocking(512, 1024, false, "default");

  private static final System.Logger LOG = System.getLogger("nabla.kernels");

  /** Validates the sizes (see the record's parameters). */
  public GemmBlocking {
    if (nc < 64 || nc % 64 != 0 || mc < 8 || mc % 8 != 0 || source == null) {
      throw new IllegalArgumentException(
          "GemmBlocking: nc must be a positive multiple of 64 and mc a positive multiple of 8; got"
              + " nc="
              + nc
              + " mc="
              + mc);
    }
  }

  /** Columns of a packed float64 B block: half of {@link #nc}, the same bytes. */
  public int ncDouble() {
    return nc / 2;
  }

  /**
   * The blocking of this JVM's GEMM (chosen at the first call, then fixed).
   *
   * @return the blocking in use
   */
  public static GemmBlocking current() {
    return Chosen.VALUE;
  }

  private static final class Chosen {
    static final GemmBlocking VALUE = choose();
  }

  private static GemmBlocking choose() {
    Path file = tunedFile();
    GemmBlocking tuned = file == null ? null : read(file);
    return withProperties(tuned != null ? tuned : untuned());
  }

  /**
   * The blocking a JVM chooses with neither properties nor a tuned file: sized from the L2 cache
   * when the system reports it ({@link #fromCaches}), else {@link #DEFAULT}. The tuner's baseline.
   *
   * @return the untuned blocking of this machine
   */
  public static GemmBlocking untuned() {
    long l2 = l2Bytes();
    return l2 > 0 ? fromCaches(l2) : DEFAULT;
  }

  /**
   * The blocking for a core with {@code l2Bytes} of level-2 cache: a float32 B block of {@link
   * GemmTuning#KC} rows filling half of it ({@code nc} rounded down to a multiple of 64, between
   * 128 and 4096); mc stays 1024.
   *
   * @param l2Bytes level-2 cache of one core, in bytes (positive)
   * @return the blocking, with source {@code "caches: L2 <n> KiB"}
   */
  public static GemmBlocking fromCaches(long l2Bytes) {
    long nc = l2Bytes / 2 / (GemmTuning.KC * (long) Float.BYTES) / 64 * 64;
    nc = Math.max(128, Math.min(4096, nc));
    return new GemmBlocking((int) nc, DEFAULT.mc(), false, "caches: L2 " + l2Bytes / 1024 + " KiB");
  }

  /** b with any of the {@code nabla.gemm.*} properties that are set and valid applied. */
  private static GemmBlocking withProperties(GemmBlocking b) {
    String nc = System.getProperty("nabla.gemm.nc");
    String mc = System.getProperty("nabla.gemm.mc");
    String shared = System.getProperty("nabla.gemm.shared");
    if (nc == null && mc == null && shared == null) {
      return b;
    }
    try {
      return new GemmBlocking(
          nc == null ? b.nc() : Integer.parseInt(nc.trim()),
          mc == null ? b.mc() : Integer.parseInt(mc.trim()),
          shared == null ? b.shared() : Boolean.parseBoolean(shared.trim()),
          "properties");
    } catch (IllegalArgumentException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "nabla.gemm.* properties ignored (" + e.getMessage() + "); using " + b);
      return b;
    }
  }

  /**
   * Reads a blocking written by {@link #write}; null (with a warning) when the file cannot be read
   * or holds bad values, null silently when it does not exist.
   *
   * @param file the properties file
   * @return the blocking, with source {@code "tuned: <file>"}, or null
   */
  public static GemmBlocking read(Path file) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
      return new GemmBlocking(
          Integer.parseInt(p.getProperty("nc", "").trim()),
          Integer.parseInt(p.getProperty("mc", "").trim()),
          Boolean.parseBoolean(p.getProperty("shared", "false").trim()),
          "tuned: " + file);
    } catch (IOException | IllegalArgumentException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "GEMM tuning file "
              + file
              + " ignored ("
              + e
              + "); run ./nabla tune-gemm again to rewrite it");
      return null;
    }
  }

  /**
   * Writes this blocking as a properties file (nc, mc, shared), with {@code comment} (the
   * measurements) at the top; creates the parent folders.
   *
   * @param file where to write
   * @param comment lines to put first, as {@code #} comments
   * @throws IOException if the file cannot be written
   */
  public void write(Path file, String comment) throws IOException {
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    StringBuilder b = new StringBuilder();
    for (String line : comment.split("\n", -1)) {
      b.append("# ").append(line).append('\n');
    }
    b.append("nc=").append(nc).append('\n');
    b.append("mc=").append(mc).append('\n');
    b.append("shared=").append(shared).append('\n');
    Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
  }

  /**
   * Where {@code ./nabla tune-gemm} keeps the blocking measured on this CPU model: {@code
   * <home>/gemm/<cpu>.properties}, home being {@code $NABLA_HOME} or {@code ~/.nabla}; null when
   * neither is known.
   *
   * @return the file (which may not exist), or null
   */
  public static Path tunedFile() {
    String home = System.getenv("NABLA_HOME");
    Path base;
    if (home != null && !home.isBlank()) {
      base = Path.of(home);
    } else {
      String user = System.getProperty("user.home");
      if (user == null || user.isBlank()) {
        return null;
      }
      base = Path.of(user, ".nabla");
    }
    return base.resolve("gemm").resolve(cpuKey() + ".properties");
  }

  /**
   * This CPU model as a file name: vendor, family, model and model name from {@code /proc/cpuinfo}
   * (e.g. {@code AuthenticAMD-26-2-AMD_EPYC}), and the preferred vector width; {@code os.arch}
   * alone where there is no such file.
   *
   * @return the key
   */
  public static String cpuKey() {
    String vendor = "";
    String family = "";
    String model = "";
    String name = "";
    // Read up to the end of the first processor's block (the file has one per CPU)
    try (var lines = Files.newBufferedReader(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        int colon = line.indexOf(':');
        if (colon < 0) {
          if (!name.isEmpty()) {
            break;
          }
          continue;
        }
        String key = line.substring(0, colon).trim();
        String value = line.substring(colon + 1).trim();
        switch (key) {
          case "vendor_id" -> vendor = value;
          case "cpu family" -> family = value;
          case "model" -> model = value;
          case "model name" -> name = value;
          default -> {}
        }
      }
    } catch (IOException | RuntimeException e) {
      // no /proc/cpuinfo (not Linux): the architecture alone
    }
    String key =
        vendor.isEmpty() && name.isEmpty()
            ? System.getProperty("os.arch", "cpu")
            : vendor + "-" + family + "-" + model + "-" + name;
    key += "-" + KernelProvider.chosen().name();
    return key.replaceAll("[^A-Za-z0-9._-]+", "_").toLowerCase(Locale.ROOT);
  }

  /** One core's level-2 cache in bytes from sysfs; 0 when unknown. */
  static long l2Bytes() {
    Path dir = Path.of("/sys/devices/system/cpu/cpu0/cache");
    for (int i = 0; i < 8; i++) {
      Path index = dir.resolve("index" + i);
      try {
        if (!Files.isDirectory(index)) {
          continue;
        }
        if (!Files.readString(index.resolve("level")).trim().equals("2")) {
          continue;
        }
        String type = Files.readString(index.resolve("type")).trim();
        if (!type.equals("Unified") && !type.equals("Data")) {
          continue;
        }
        return parseSize(Files.readString(index.resolve("size")).trim());
      } catch (IOException | RuntimeException e) {
        return 0;
      }
    }
    return 0;
  }

  /** "1024K", "2M", "512" (bytes) as bytes; 0 for anything else. */
  static long parseSize(String s) {
    if (s.isEmpty()) {
      return 0;
    }
    long unit =
        switch (Character.toUpperCase(s.charAt(s.length() - 1))) {
          case 'K' -> 1024;
          case 'M' -> 1024 * 1024;
          case 'G' -> 1024L * 1024 * 1024;
          default -> 1;
        };
    String digits = unit == 1 ? s : s.substring(0, s.length() - 1);
    try {
      return Long.parseLong(digits.trim()) * unit;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  @Override
  public String toString() {
    return "nc=" + nc + " mc=" + mc + (shared ? " shared" : " tiles") + " (" + source + ")";
  }
}
