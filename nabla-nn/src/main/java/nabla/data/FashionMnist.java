package nabla.data;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nabla.Tensor;
import nabla.storage.Storage;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017), the dataset of D2L chapters 3–5: 60 000 training
 * and 10 000 test images of 28×28 grey pixels in ten classes, read from the original IDX files
 * (gzipped or not). MNIST uses the same file names and format, so it loads the same way.
 *
 * <p>Images become float32 {@code [N, 1, 28, 28]} scaled to [0, 1] (torchvision's {@code
 * ToTensor}); labels int64 {@code [N]}.
 *
 * <p>{@link #find(String)} looks for the files, in this order: the folder given (a command's {@code
 * --data}), the {@code NABLA_DATA} environment variable, the folder where Debian's {@code
 * dataset-fashion-mnist} package installs them ({@value #DEBIAN_DIR}), then {@code
 * ~/.nabla/datasets/fashion-mnist}; a folder also counts when it holds the files in a {@code
 * fashion-mnist} subfolder. When none has them, it downloads the four files into the last of these
 * (unless {@code NABLA_DOWNLOAD=0}) and checks them against their published MD5 sums; {@link
 * #download(Path)} does that on request.
 *
 * <pre>{@code
 * FashionMnist data = FashionMnist.load(FashionMnist.find(null));
 * DataLoader train = new DataLoader(data.train(), 256).shuffle(0);
 * FashionMnist.textLabels(data.test().tensor(1).slice(0, 0, 3));   // [ankle boot, pullover, trouser]
 * }</pre>
 */
public final class FashionMnist {
  /** Where Debian's {@code dataset-fashion-mnist} package puts the files. */
  public static final String DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";

  /** The ten class names, by label. */
  public static final List<String> LABELS =
      List.of(
          "t-shirt",
          "trouser",
          "pullover",
          "dress",
          "coat",
          "sandal",
          "shirt",
          "sneaker",
          "bag",
          "ankle boot");

  /** The four files, without the optional {@code .gz}. */
  static final List<String> FILES =
      List.of(
          "train-images-idx3-ubyte",
          "train-labels-idx1-ubyte",
          "t10k-images-idx3-ubyte",
          "t10k-labels-idx1-ubyte");

  private final TensorDataset train;
  private final TensorDataset test;
  private final Path dir;

  private FashionMnist(Path dir, TensorDataset train, TensorDataset test) {
    this.dir = dir;
    this.train = train;
    this.test = test;
  }

  /** The training set: images {@code [60000, 1, 28, 28]}, labels {@code [60000]}. */
  public TensorDataset train() {
    return train;
  }

  /** The test set: images {@code [10000, 1, 28, 28]}, labels {@code [10000]}. */
  public TensorDataset test() {
    return test;
  }

  /** The folder the files were read from. */
  public Path dir() {
    return dir;
  }

  /** The class names of int64 labels. */
  public static List<String> textLabels(Tensor labels) {
    List<String> out = new ArrayList<>();
    for (long l : labels.toLongArray()) {
      if (l < 0 || l >= LABELS.size()) {
        throw new IllegalArgumentException("textLabels: label " + l + " is not in 0..9");
      }
      out.add(LABELS.get((int) l));
    }
    return out;
  }

  /** Finds the folder (see the class description) and reads it. */
  public static FashionMnist load(String dataOption) throws IOException {
    return load(find(dataOption));
  }

  /** Reads the four files from {@code dir}. */
  public static FashionMnist load(Path dir) throws IOException {
    Path found = filesIn(dir);
    if (found == null) {
      throw new FileNotFoundException(
          "Fashion-MNIST: "
              + dir
              + " does not hold the four files "
              + FILES
              + " (each may end in .gz); "
              + howToFix());
    }
    TensorDataset train = read(found, "train");
    TensorDataset test = read(found, "t10k");
    return new FashionMnist(found, train, test);
  }

  private static TensorDataset read(Path dir, String split) throws IOException {
    Path imagesFile = file(dir, split + "-images-idx3-ubyte");
    Path labelsFile = file(dir, split + "-labels-idx1-ubyte");
    Idx.Array images = Idx.read(imagesFile);
    Idx.Array labels = Idx.read(labelsFile);
    if (images.dims().length != 3) {
      throw new IOException(
          "IDX file "
              + imagesFile
              + ": images must have 3 dimensions [N, rows, cols], got "
              + Arrays.toString(images.dims()));
    }
    if (labels.dims().length != 1 || labels.dims()[0] != images.dims()[0]) {
      throw new IOException(
          "IDX files "
              + imagesFile
              + " and "
              + labelsFile
              + ": "
              + images.dims()[0]
              + " images but labels of shape "
              + Arrays.toString(labels.dims()));
    }
    int n = images.dims()[0];
    float[] pixels = new float[images.numel()];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = images.unsigned(i) / 255f;
    }
    long[] y = new long[n];
    for (int i = 0; i < n; i++) {
      y[i] = labels.unsigned(i);
      if (y[i] >= LABELS.size()) {
        throw new IOException(
            "IDX file " + labelsFile + ": label " + y[i] + " at position " + i + " is not in 0..9");
      }
    }
    Tensor x = Tensor.fromStorage(Storage.wrap(pixels), n, 1, images.dims()[1], images.dims()[2]);
    return new TensorDataset(x, Tensor.fromStorage(Storage.wrap(y), n));
  }

  private static Path file(Path dir, String name) {
    Path plain = dir.resolve(name);
    return Files.isRegularFile(plain) ? plain : dir.resolve(name + ".gz");
  }

  /** {@code dir} or its {@code fashion-mnist} subfolder when it holds all four files, else null. */
  static Path filesIn(Path dir) {
    if (dir == null) {
      return null;
    }
    for (Path d : List.of(dir, dir.resolve("fashion-mnist"))) {
      boolean all = true;
      for (String f : FILES) {
        all &= Files.isRegularFile(d.resolve(f)) || Files.isRegularFile(d.resolve(f + ".gz"));
      }
      if (all) {
        return d;
      }
    }
    return null;
  }

  /**
   * The folder holding the files: {@code dataOption} (may be null), then {@code NABLA_DATA}, then
   * {@value #DEBIAN_DIR}, then {@code ~/.nabla/datasets/fashion-mnist}.
   *
   * @throws FileNotFoundException listing every place looked at and the commands that fix it
   */
  public static Path find(String dataOption) throws FileNotFoundException {
    Path home = Path.of(System.getProperty("user.home"), ".nabla", "datasets", "fashion-mnist");
    try {
      return find(dataOption, System.getenv("NABLA_DATA"), Path.of(DEBIAN_DIR), home);
    } catch (FileNotFoundException notFound) {
      if ("0".equals(System.getenv("NABLA_DOWNLOAD"))) {
        throw notFound;
      }
      try {
        return download(home);
      } catch (IOException | RuntimeException e) {
        FileNotFoundException f =
            new FileNotFoundException(
                notFound.getMessage()
                    + "\nDownloading them into "
                    + home
                    + " failed too: "
                    + e.getMessage());
        f.initCause(e);
        throw f;
      }
    }
  }

  /** Where {@link #download} fetches the files from (torchvision's mirror of the originals). */
  public static final String DOWNLOAD_URL =
      "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

  /** The published MD5 sums of the four {@code .gz} files (the dataset's README, torchvision). */
  static final Map<String, String> MD5 =
      Map.of(
          "train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
          "train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe",
          "t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79",
          "t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310");

  /**
   * Downloads the four {@code .gz} files into {@code dir} from {@link #DOWNLOAD_URL} (or the {@code
   * nabla.download.url} system property, for a mirror), checking each against its published MD5 sum
   * before it takes its final name: a failed or corrupt download leaves nothing behind. Files
   * already there are kept. Returns {@code dir}.
   *
   * @throws IOException naming the file and the URL when the network fails or a sum differs
   */
  public static Path download(Path dir) throws IOException {
    return download(dir, System.getProperty("nabla.download.url", DOWNLOAD_URL), MD5);
  }

  static Path download(Path dir, String baseUrl, Map<String, String> md5) throws IOException {
    Files.createDirectories(dir);
    java.net.http.HttpClient client =
        java.net.http.HttpClient.newBuilder()
            .connectTimeout(java.time.Duration.ofSeconds(10))
            .followRedirects(java.net.http.HttpClient.Redirect.NORMAL)
            .build();
    for (String f : FILES) {
      String name = f + ".gz";
      Path target = dir.resolve(name);
      if (Files.isRegularFile(target) || Files.isRegularFile(dir.resolve(f))) {
        continue;
      }
      java.net.URI uri = java.net.URI.create(baseUrl + name);
      Path part = Files.createTempFile(dir, name, ".part");
      try {
        java.net.http.HttpResponse<Path> r;
        try {
          r =
              client.send(
                  java.net.http.HttpRequest.newBuilder(uri)
                      .timeout(java.time.Duration.ofMinutes(5))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofFile(
                      part,
                      java.nio.file.StandardOpenOption.WRITE,
                      java.nio.file.StandardOpenOption.TRUNCATE_EXISTING));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("Fashion-MNIST: download of " + uri + " interrupted", e);
        }
        if (r.statusCode() != 200) {
          throw new IOException(
              "Fashion-MNIST: downloading " + uri + " gave HTTP status " + r.statusCode());
        }
        String sum = md5(part);
        String expected = md5.get(name);
        if (!sum.equals(expected)) {
          throw new IOException(
              "Fashion-MNIST: "
                  + uri
                  + " has MD5 "
                  + sum
                  + " but the published sum is "
                  + expected
                  + "; the download is corrupt or the mirror changed (nothing was kept)");
        }
        Files.move(part, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(part);
      }
    }
    return dir;
  }

  private static String md5(Path file) throws IOException {
    try {
      java.security.MessageDigest d = java.security.MessageDigest.getInstance("MD5");
      try (var in = Files.newInputStream(file)) {
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) > 0; ) {
          d.update(buf, 0, n);
        }
      }
      return java.util.HexFormat.of().formatHex(d.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IOException("Fashion-MNIST: no MD5 in this JVM", e);
    }
  }

  static Path find(String dataOption, String env, Path debian, Path home)
      throws FileNotFoundException {
    Map<String, Path> places = new LinkedHashMap<>();
    if (dataOption != null && !dataOption.isBlank()) {
      places.put("--data", Path.of(dataOption));
    }
    if (env != null && !env.isBlank()) {
      places.put("NABLA_DATA", Path.of(env));
    }
    places.put("Debian package dataset-fashion-mnist", debian);
    places.put("home", home);
    StringBuilder looked = new StringBuilder();
    for (Map.Entry<String, Path> p : places.entrySet()) {
      Path found = filesIn(p.getValue());
      if (found != null) {
        return found;
      }
      looked
          .append("\n  ")
          .append(p.getValue())
          .append(" (")
          .append(p.getKey())
          .append(Files.isDirectory(p.getValue()) ? ": incomplete" : ": no such folder")
          .append(")");
    }
    throw new FileNotFoundException(
        "Fashion-MNIST not found; looked for "
            + FILES
            + " (or .gz) in:"
            + looked
            + "\n"
            + howToFix());
  }

  private static String howToFix() {
    return "To get the files: sudo apt-get install dataset-fashion-mnist (Debian/Ubuntu, installs"
        + " them in "
        + DEBIAN_DIR
        + "), or download the four .gz files from"
        + " https://github.com/zalandoresearch/fashion-mnist (data/fashion) into"
        + " ~/.nabla/datasets/fashion-mnist, or point --data or NABLA_DATA at a folder holding"
        + " them.";
  }
}
