package nabla;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Anomaly mode ({@link Autograd#detectAnomaly()}): call sites of recorded operations and in-place
 * writes, NaN/∞ checks of backward gradients and NaN checks of forward results, per-thread and
 * nested scopes, and nothing recorded outside the mode. Expected lines are taken from this file at
 * run time ({@link #at}), never written down.
 */
class AnomalyModeTest {

  private static final String FILE = "AnomalyModeTest.java:";

  /** Stores the caller's source line in {@code line[0]} and returns {@code value} unchanged. */
  private static <T> T at(int[] line, T value) {
    line[0] =
        StackWalker.getInstance().walk(s -> s.skip(1).findFirst()).orElseThrow().getLineNumber();
    return value;
  }

  /** A 4×3 float64 batch and the weights of a 3 → 5 → 2 → 1 network, as leaves. */
  private static final class Net {
    final Tensor x =
        Tensor.ofDoubles(
            new double[] {0.5, -1, 2, 1.5, 0.25, -0.5, -2, 1, 0.75, 0.1, 0.2, 0.3}, 4, 3);
    final Tensor w1 =
        Tensor.ofDoubles(
                new double[] {
                  0.2, -0.4, 0.1, 0.5, 0.3, -0.2, -0.3, 0.1, 0.4, 0.6, -0.1, 0.2, 0.05, 0.7, -0.6
                },
                5,
                3)
            .requiresGrad(true);
    // z[:, 0] is positive for every sample (0.03 to 0.26); the second unit's weights are zero (as
    // if zero-initialised), so z[:, 1] is exactly 0.
    final Tensor w2 =
        Tensor.ofDoubles(new double[] {0.1, 0.2, 0.5, 0.2, 0.1, 0, 0, 0, 0, 0}, 2, 5)
            .requiresGrad(true);
    final Tensor w3 = Tensor.ofDoubles(new double[] {0.7, -1.2}, 1, 2).requiresGrad(true);
    final int[] logLine = new int[1];

    /**
     * linear → tanh → linear → "safe" log → linear. The forward is finite (log(0) = -∞ is masked
     * out by where), but where passes a zero gradient to the masked branch and LogBackward computes
     * 0 / 0 = NaN there, which then flows into every weight below.
     */
    Tensor loss() {
      Tensor h = x.matmul(w1.transpose()).tanh();
      Tensor z = h.matmul(w2.transpose());
      Tensor l = Tensor.where(z.gt(0), at(logLine, z.log()), 0);
      return l.matmul(w3.transpose()).sum();
    }
  }

  @Test
  void backwardNamesTheOpAndTheTestLineThatCreatedIt() {
    Net plain = new Net();
    Tensor loss = plain.loss();
    assertTrue(Double.isFinite(loss.item()), "the forward pass is finite");
    loss.backward();
    assertTrue(
        hasNaN(plain.w1.grad()), "without anomaly mode the NaN reaches the first layer's weights");

    Net net = new Net();
    AnomalyException e;
    try (var a = Autograd.detectAnomaly()) {
      Tensor l = net.loss();
      e = assertThrows(AnomalyException.class, l::backward);
    }
    assertEquals("LogBackward", e.gradFnName());
    assertEquals(0, e.inputIndex());
    assertTrue(e.inBackward());
    assertEquals(net.logLine[0], e.callSite().orElseThrow().getLineNumber());
    assertEquals("AnomalyModeTest.java", e.callSite().orElseThrow().getFileName());
    String m = e.getMessage();
    assertTrue(m.contains("LogBackward"), m);
    assertTrue(m.contains("for its input 0"), m);
    assertTrue(m.contains("NaN"), m);
    assertTrue(m.contains("[4, 2] float64"), m); // z and its gradient
    assertTrue(m.contains(FILE + net.logLine[0] + ")"), m);
    assertTrue(m.contains("AnomalyModeTest$Net.loss("), m);
    assertTrue(m.contains("flowing into it was finite"), m);
    // Backward stopped there: the layers below LogBackward received nothing.
    assertNull(net.w1.grad());
    assertNull(net.w2.grad());
    assertFalse(Autograd.isAnomalyEnabled());
  }

  @Test
  void theJavadocExampleThrowsAsDocumented() {
    Tensor x = Tensor.of(0, 1).requiresGrad(true);
    int[] line = new int[1];
    AnomalyException e = null;
    try (var a = Autograd.detectAnomaly()) {
      Tensor y = Tensor.where(x.gt(0), at(line, x.log()), 0);
      y.sum().backward();
    } catch (AnomalyException thrown) {
      e = thrown;
    }
    assertTrue(e != null, "backward should have thrown");
    assertEquals("LogBackward", e.gradFnName());
    assertEquals(0, e.inputIndex());
    assertEquals(line[0], e.callSite().orElseThrow().getLineNumber());
    assertTrue(
        e.getMessage().startsWith("anomaly mode: LogBackward returned a gradient containing NaN"),
        e.getMessage());
    assertFalse(Autograd.isAnomalyEnabled(), "the scope was closed by the exception");
  }

  @Test
  void infiniteGradientIsAnAnomalyButAnInfiniteForwardValueIsNot() {
    Tensor x = Tensor.of(0, 1).requiresGrad(true);
    int[] line = new int[1];
    try (var a = Autograd.detectAnomaly()) {
      Tensor y = at(line, x.log());
      assertEquals(Double.NEGATIVE_INFINITY, y.toDoubleArray()[0]);
      AnomalyException e = assertThrows(AnomalyException.class, () -> y.sum().backward());
      assertEquals("LogBackward", e.gradFnName());
      assertTrue(e.getMessage().contains("+inf"), e.getMessage());
      assertTrue(e.getMessage().contains("index [0]"), e.getMessage());
      assertTrue(e.getMessage().contains(FILE + line[0]), e.getMessage());
    }
  }

  @Test
  void aNonFiniteHeadGradientIsReportedAsComingIn() {
    Tensor x = Tensor.of(1, 2).requiresGrad(true);
    try (var a = Autograd.detectAnomaly()) {
      Tensor y = x.mul(3);
      AnomalyException e =
          assertThrows(AnomalyException.class, () -> y.backward(Tensor.of(1, Float.NaN)));
      assertEquals("MulBackward", e.gradFnName());
      assertTrue(e.getMessage().contains("index [1]"), e.getMessage());
      assertTrue(e.getMessage().contains("already not finite"), e.getMessage());
    }
  }

  @Test
  void forwardNaNFromCleanInputsThrowsAtTheOp() {
    Tensor a = Tensor.of(-1, 4);
    Tensor inf = Tensor.of(Float.POSITIVE_INFINITY, 1);
    int[] line = new int[1];
    try (var s = Autograd.detectAnomaly()) {
      AnomalyException e = assertThrows(AnomalyException.class, () -> at(line, a).sqrt());
      assertEquals("SqrtBackward", e.gradFnName());
      assertEquals(-1, e.inputIndex());
      assertFalse(e.inBackward());
      String m = e.getMessage();
      assertTrue(m.contains("Sqrt produced NaN"), m);
      assertTrue(m.contains("index [0]"), m);
      assertTrue(m.contains("[2] float32"), m);
      assertTrue(m.contains(FILE + line[0]), m);
      assertEquals(line[0], e.callSite().orElseThrow().getLineNumber());

      // ∞ - ∞ in a recorded op of a 2-d tensor: the op is named, the index is 2-d.
      Tensor w = Tensor.of(new float[] {1, 2, Float.POSITIVE_INFINITY, 3}, 2, 2).requiresGrad(true);
      AnomalyException sub = assertThrows(AnomalyException.class, () -> w.sub(w.mul(2)));
      assertEquals("SubBackward", sub.gradFnName());
      assertTrue(sub.getMessage().contains("index [1, 0]"), sub.getMessage());

      // Legitimate: infinities alone, and NaN that came in (the op that made it was checked).
      assertEquals(Double.POSITIVE_INFINITY, inf.mul(2).toDoubleArray()[0]);
      assertEquals(Double.NEGATIVE_INFINITY, Tensor.of(0).log().toDoubleArray()[0]);
      assertTrue(Double.isNaN(Tensor.of(Float.NaN, 1).mul(2).toDoubleArray()[0]));
      // Integer results are never scanned.
      assertEquals(3.0, Tensor.ofLongs(new long[] {1, 2}, 2).sum().item());
    }
    // Outside the mode nothing is checked.
    assertTrue(Double.isNaN(a.sqrt().toDoubleArray()[0]));
  }

  @Test
  void inPlaceErrorNamesTheLineThatSavedAndTheLineThatModified() {
    for (boolean direct : new boolean[] {true, false}) {
      Tensor w = Tensor.of(1, 2, 3).requiresGrad(true);
      Tensor b = Tensor.of(4, 5, 6);
      int[] saved = new int[1];
      int[] modified = new int[1];
      try (var a = Autograd.detectAnomaly()) {
        Tensor y = at(saved, w.mul(b)); // MulBackward saves b
        try (var g = Autograd.noGrad()) {
          if (direct) {
            at(modified, b.addInPlace(Tensor.of(1, 1, 1)));
          } else {
            at(modified, b.copyFrom(Tensor.of(7)));
          }
        }
        IllegalStateException e =
            assertThrows(IllegalStateException.class, () -> y.sum().backward());
        String m = e.getMessage();
        assertTrue(m.contains("modified in place by " + (direct ? "addInPlace" : "copyFrom")), m);
        assertTrue(
            m.contains("MulBackward was created (and saved the tensor) at ")
                && m.contains(FILE + saved[0] + ")"),
            m);
        assertTrue(m.contains(" modified it at ") && m.contains(FILE + modified[0] + ")"), m);
        assertTrue(saved[0] != modified[0]);
      }
    }
  }

  @Test
  void inPlaceErrorOutsideTheModeSaysHowToGetTheLines() {
    Tensor w = Tensor.of(1, 2, 3).requiresGrad(true);
    Tensor b = Tensor.of(4, 5, 6);
    Tensor y = w.mul(b);
    try (var g = Autograd.noGrad()) {
      b.mulInPlace(2);
    }
    assertNull(b.storage().lastWriterSite());
    String m = assertThrows(IllegalStateException.class, () -> y.sum().backward()).getMessage();
    assertTrue(m.contains("Autograd.detectAnomaly()"), m);
    assertFalse(m.contains(FILE), m);
  }

  @Test
  void aLaterWriteOutsideTheModeForgetsTheEarlierSite() {
    Tensor w = Tensor.of(1, 2, 3).requiresGrad(true);
    Tensor b = Tensor.of(4, 5, 6);
    Tensor y;
    try (var a = Autograd.detectAnomaly()) {
      y = w.mul(b);
      try (var g = Autograd.noGrad()) {
        b.addInPlace(Tensor.of(1, 1, 1));
      }
      assertEquals(
          "AnomalyModeTest.java", b.storage().lastWriterSite().toStackTraceElement().getFileName());
    }
    try (var g = Autograd.noGrad()) {
      b.subInPlace(Tensor.of(1, 1, 1)); // outside the mode: the site above must not be reported
    }
    assertNull(b.storage().lastWriterSite());
    String m = assertThrows(IllegalStateException.class, () -> y.sum().backward()).getMessage();
    assertTrue(m.contains("subInPlace modified it at an unknown place"), m);
  }

  @Test
  void outsideTheModeNodesKeepNoCallSite() {
    Tensor x = Tensor.of(1, 2).requiresGrad(true);
    Tensor y = x.mul(x).sum();
    assertTrue(y.gradFn().callSite().isEmpty());
    assertNull(y.gradFn().callSite);
    int[] line = new int[1];
    Tensor z;
    try (var a = Autograd.detectAnomaly()) {
      z = at(line, x.mul(x)).sum();
    }
    Node mul = z.gradFn().inputs().get(0).gradFn();
    assertEquals(line[0], mul.callSite().orElseThrow().getLineNumber());
    assertEquals(AnomalyModeTest.class.getName(), mul.callSite().orElseThrow().getClassName());
  }

  @Test
  void callSiteIsTheUserLambdaNotTheLibraryThatCallsIt() {
    int[] line = new int[1];
    AtomicReference<Tensor> inner = new AtomicReference<>();
    Function<Tensor, Tensor> f =
        t -> {
          Tensor y = at(line, t.sin());
          inner.set(y);
          return y.sum();
        };
    try (var a = Autograd.detectAnomaly()) {
      Autograd.grad(f).apply(Tensor.of(0.5, 1));
    }
    StackTraceElement site = inner.get().gradFn().callSite().orElseThrow();
    assertEquals(line[0], site.getLineNumber());
    assertTrue(site.getMethodName().startsWith("lambda$"), site.toString());

    assertTrue(Anomaly.isLibraryClass(Tensor.class));
    assertTrue(Anomaly.isLibraryClass(Engine.class));
    assertTrue(Anomaly.isLibraryClass(nabla.ops.Primitive.class));
    assertFalse(Anomaly.isLibraryClass(AnomalyModeTest.class), "tests share package nabla");
    assertFalse(Anomaly.isLibraryClass(String.class));
  }

  @Test
  void libraryPackagesAreExactlyTheSourcePackages() throws Exception {
    Path root = Path.of("src/main/java");
    assertTrue(Files.isDirectory(root), "run from nabla-core: " + root.toAbsolutePath());
    Set<String> packages;
    try (Stream<Path> files = Files.walk(root)) {
      packages =
          files
              .filter(p -> p.toString().endsWith(".java"))
              .map(p -> root.relativize(p.getParent()).toString().replace(File.separatorChar, '.'))
              .collect(Collectors.toSet());
    }
    assertEquals(packages, Anomaly.LIBRARY_PACKAGES);
  }

  @Test
  void scopesNestAndRestore() {
    assertFalse(Autograd.isAnomalyEnabled());
    Tensor neg = Tensor.of(-1).requiresGrad(true);
    try (var outer = Autograd.detectAnomaly()) {
      try (var inner = Autograd.detectAnomaly(false)) {
        assertTrue(Autograd.isAnomalyEnabled());
        Tensor y = neg.sqrt(); // no value checks in here, but call sites are recorded
        assertTrue(y.gradFn().callSite().isPresent());
        y.backward(); // NaN gradient, not checked either
        assertTrue(hasNaN(neg.grad()));
      }
      assertTrue(Autograd.isAnomalyEnabled());
      assertThrows(AnomalyException.class, neg::sqrt);
      var twice = Autograd.detectAnomaly(false);
      twice.close();
      twice.close(); // closing again changes nothing
      assertThrows(AnomalyException.class, neg::sqrt);
      try (var noGrad = Autograd.noGrad()) {
        assertThrows(AnomalyException.class, neg::sqrt, "checked without recording too");
      }
    }
    assertFalse(Autograd.isAnomalyEnabled());
    assertTrue(Double.isNaN(neg.sqrt().item()));
  }

  @Test
  void anotherThreadIsNotAffected() throws Exception {
    // Another thread while this one is in the mode.
    AtomicReference<Object> seen = new AtomicReference<>();
    try (var a = Autograd.detectAnomaly()) {
      Thread t =
          new Thread(
              () -> {
                try {
                  Tensor x = Tensor.of(-1, 0).requiresGrad(true);
                  Tensor y = x.sqrt(); // NaN at forward: fine outside the mode
                  y.sum().backward(); // NaN and ∞ gradients: fine too
                  seen.set(
                      Autograd.isAnomalyEnabled()
                          || y.gradFn().callSite().isPresent()
                          || !hasNaN(x.grad()));
                } catch (Throwable e) {
                  seen.set(e);
                }
              });
      t.start();
      t.join();
      assertThrows(AnomalyException.class, () -> Tensor.of(-1).sqrt());
    }
    assertEquals(Boolean.FALSE, seen.get());

    // This thread while another one is in the mode.
    CountDownLatch opened = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread other =
        new Thread(
            () -> {
              try (var a = Autograd.detectAnomaly()) {
                opened.countDown();
                done.await();
                assertThrows(AnomalyException.class, () -> Tensor.of(-1).sqrt());
              } catch (Throwable e) {
                failure.set(e);
              }
            });
    other.start();
    opened.await();
    try {
      assertFalse(Autograd.isAnomalyEnabled());
      Tensor x = Tensor.of(-1).requiresGrad(true);
      Tensor y = x.sqrt();
      assertTrue(y.gradFn().callSite().isEmpty());
    } finally {
      done.countDown();
      other.join();
    }
    assertNull(failure.get());
  }

  @Test
  void batchedJacobianAndCreateGraphAreCheckedToo() {
    try (var a = Autograd.detectAnomaly()) {
      AnomalyException e =
          assertThrows(
              AnomalyException.class, () -> Autograd.jacobian(t -> t.sqrt(), Tensor.of(0, 1)));
      assertEquals("SqrtBackward", e.gradFnName());
      // A finite second derivative passes: the mode does not report anything spurious.
      Tensor x = Tensor.of(1, 2).requiresGrad(true);
      Tensor g = Autograd.grad(x.pow(3).sum(), Tensor.scalar(1), true, true, x)[0];
      g.sum().backward();
      assertEquals(6.0, x.grad().toDoubleArray()[0], 1e-6);
    }
  }

  private static boolean hasNaN(Tensor t) {
    for (double v : t.toDoubleArray()) {
      if (Double.isNaN(v)) {
        return true;
      }
    }
    return false;
  }
}
