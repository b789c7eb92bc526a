package nabla.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FashionMnist#download}: from a local HTTP server, with the checksums checked. */
class FashionMnistDownloadTest {
  @TempDir Path dir;
  HttpServer server;
  final Map<String, byte[]> served = new HashMap<>();

  @BeforeEach
  void serve() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        ex -> {
          byte[] body = served.get(ex.getRequestURI().getPath().substring(1));
          if (body == null) {
            ex.sendResponseHeaders(404, -1);
          } else {
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
          }
          ex.close();
        });
    server.start();
    for (String f : FashionMnist.FILES) {
      served.put(f + ".gz", ("content of " + f).getBytes(StandardCharsets.UTF_8));
    }
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  Map<String, String> sums() throws Exception {
    Map<String, String> m = new HashMap<>();
    for (var e : served.entrySet()) {
      m.put(
          e.getKey(),
          HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(e.getValue())));
    }
    return m;
  }

  @Test
  void downloadsTheFourFilesAndChecksThem() throws Exception {
    Path target = dir.resolve("fm");
    assertEquals(target, FashionMnist.download(target, url(), sums()));
    for (String f : FashionMnist.FILES) {
      assertArrayEquals(served.get(f + ".gz"), Files.readAllBytes(target.resolve(f + ".gz")));
    }
    assertEquals(target, FashionMnist.filesIn(target));
    try (var files = Files.list(target)) {
      assertEquals(4, files.count(), "no .part file left");
    }
  }

  @Test
  void aCorruptFileIsRefusedAndNotKept() throws Exception {
    Map<String, String> sums = sums();
    served.put("t10k-images-idx3-ubyte.gz", "tampered".getBytes(StandardCharsets.UTF_8));
    Path target = dir.resolve("fm");
    IOException e =
        assertThrows(IOException.class, () -> FashionMnist.download(target, url(), sums));
    assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte.gz"), e.getMessage());
    assertTrue(e.getMessage().contains("published sum"), e.getMessage());
    assertFalse(Files.exists(target.resolve("t10k-images-idx3-ubyte.gz")));
    try (var files = Files.list(target)) {
      assertTrue(files.noneMatch(p -> p.toString().endsWith(".part")), "temporary file removed");
    }
  }

  @Test
  void httpErrorsNameTheUrlAndTheStatus() throws Exception {
    Map<String, String> sums = sums();
    served.remove("train-labels-idx1-ubyte.gz");
    IOException e =
        assertThrows(IOException.class, () -> FashionMnist.download(dir.resolve("x"), url(), sums));
    assertTrue(e.getMessage().contains("train-labels-idx1-ubyte.gz"), e.getMessage());
    assertTrue(e.getMessage().contains("404"), e.getMessage());
  }

  @Test
  void thePublishedSumsAreThoseOfTheOriginalFiles() {
    assertEquals(4, FashionMnist.MD5.size());
    assertEquals(
        "8d4fb7e6c68d591d4c3dfef9ec88bf0d", FashionMnist.MD5.get("train-images-idx3-ubyte.gz"));
  }
}
