package nabla.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import nabla.Tensor;
import nabla.kernels.GemmBlocking;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nabla tune-gemm}: measures the GEMM's cache blocking on this CPU and keeps the fastest for
 * later runs, as FFTW keeps its wisdom. Each candidate width of the packed B block runs in a JVM of
 * its own ({@code -Dnabla.gemm.nc=N}: the blocking is fixed when a JVM first multiplies), on the
 * products that matter (a 1024 cube, the two big products of the D2L MLP step, a float64 cube); the
 * rounds alternate the candidates, and the score is the geometric mean over the products of each
 * candidate's median GFLOP/s. The blocking sized from the L2 cache stays unless another is faster
 * by more than {@code --margin}: on a noisy machine, equal candidates are not worth a file. Then,
 * at the width kept, one tile of C per thread is measured against one packed B shared by all
 * threads ({@code -Dnabla.gemm.shared}), side by side again; the tiles stay unless the shared split
 * is faster by the margin. The result goes to {@link GemmBlocking#tunedFile()}, read at the first
 * product of every later JVM on this CPU model. Blocking changes speed, never results.
 */
@Command(
    name = "tune-gemm",
    mixinStandardHelpOptions = true,
    versionProvider = NablaCli.VersionProvider.class,
    description = {
      "Measure the GEMM's cache blocking on this CPU and keep the fastest.",
      "",
      "Runs each candidate width of the packed B block in a fresh JVM on the products",
      "that matter (1024^3, the D2L MLP's two big products, a float64 cube), alternating",
      "the candidates over the rounds, and writes the fastest to",
      "~/.nabla/gemm/<cpu>.properties ($NABLA_HOME instead of ~/.nabla), which every",
      "later JVM on this CPU model reads. The size derived from the L2 cache stays unless",
      "another is faster by more than the margin; then tiles of C per thread are measured",
      "against one packed B shared by the threads. Results do not change, only speed.",
      "Takes about a minute; run it on an otherwise idle machine."
    })
public final class TuneGemmCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--rounds",
      defaultValue = "2",
      description = "Rounds over all candidates (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--candidates",
      split = ",",
      paramLabel = "NC",
      description =
          "Widths of the packed B block to try, float32 columns, multiples of 64 (default: 256,"
              + " 512, 1024, 2048 and the one sized from the L2 cache).")
  int[] candidates;

  @Option(
      names = "--seconds",
      defaultValue = "1.0",
      description =
          "Warm-up and measuring time per product in each probe (default: ${DEFAULT-VALUE}).")
  double seconds;

  @Option(
      names = "--margin",
      defaultValue = "0.03",
      description =
          "How much faster than the L2-sized blocking a candidate must be to be kept (default:"
              + " ${DEFAULT-VALUE}).")
  double margin;

  @Option(
      names = "--file",
      paramLabel = "FILE",
      description = "Where to write the result (default: ~/.nabla/gemm/<cpu>.properties).")
  Path file;

  @Option(names = "--dry-run", description = "Measure and print, but write nothing.")
  boolean dryRun;

  @Option(
      names = "--probe",
      hidden = true,
      description = "Internal: measure this JVM's blocking and print one line.")
  boolean probe;

  /** Creates the command; used by picocli. */
  public TuneGemmCommand() {}

  /** The products a probe times: name, m, n, k, float64, B transposed, A transposed. */
  private record Product(String name, int m, int n, int k, boolean f64, boolean bT, boolean aT) {}

  private static final Product[] PRODUCTS = {
    new Product("1024^3", 1024, 1024, 1024, false, false, false),
    new Product("x.W1^T", 256, 256, 784, false, true, false),
    new Product("g^T.x", 256, 784, 256, false, false, true),
    new Product("f64 512^3", 512, 512, 512, true, false, false)
  };

  /** A candidate: the B block's width and the thread split. */
  private record Candidate(int nc, boolean shared) {
    @Override
    public String toString() {
      return "nc=" + nc + (shared ? " shared" : " tiles");
    }
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    if (probe) {
      out.println(probeLine(seconds));
      out.flush();
      return 0;
    }
    if (rounds < 1 || seconds <= 0 || margin < 0) {
      spec.commandLine().getErr().println("tune-gemm: --rounds >= 1, --seconds > 0, --margin >= 0");
      return 2;
    }
    GemmBlocking base = GemmBlocking.untuned();
    TreeSet<Integer> set = new TreeSet<>();
    for (int nc : candidates != null ? candidates : new int[] {256, 512, 1024, 2048}) {
      set.add(nc);
    }
    set.add(base.nc());
    for (int nc : set) {
      if (nc < 64 || nc % 64 != 0) {
        spec.commandLine()
            .getErr()
            .println("tune-gemm: candidate " + nc + " is not a positive multiple of 64");
        return 2;
      }
    }
    out.println(
        "CPU: "
            + GemmBlocking.cpuKey()
            + " ("
            + Runtime.getRuntime().availableProcessors()
            + " CPUs)");
    out.println("in use now: " + GemmBlocking.current());
    out.println("baseline:   " + base);
    out.println(
        "GFLOP/s of "
            + Arrays.stream(PRODUCTS).map(Product::name).toList()
            + "; "
            + rounds
            + " round(s), "
            + seconds
            + " s per product, each probe a fresh JVM");
    out.flush();
    StringBuilder table = new StringBuilder();
    table.append(String.format(Locale.ROOT, "%-16s", "candidate"));
    for (Product p : PRODUCTS) {
      table.append(String.format(Locale.ROOT, " %10s", p.name()));
    }
    table.append(String.format(Locale.ROOT, " %10s%n", "score"));
    // Stage 1: the B block's width, one tile of C per thread.
    List<Candidate> widths = new ArrayList<>();
    for (int nc : set) {
      widths.add(new Candidate(nc, false));
    }
    Map<Candidate, Double> s1 = measureAll(widths, out, table);
    Candidate baseline = new Candidate(base.nc(), false);
    Candidate best = best(s1);
    int nc = s1.get(best) > s1.get(baseline) * (1 + margin) ? best.nc() : base.nc();
    // Stage 2: at that width, tiles against one shared packed B, measured side by side again.
    Candidate tiles = new Candidate(nc, false);
    Candidate shared = new Candidate(nc, true);
    Map<Candidate, Double> s2 = measureAll(List.of(tiles, shared), out, table);
    boolean useShared = s2.get(shared) > s2.get(tiles) * (1 + margin);
    out.println("GFLOP/s, medians over the rounds (score: geometric mean):");
    out.print(table);
    out.printf(
        Locale.ROOT,
        "widths: fastest %s (%.1f), baseline %s (%.1f): keeping nc=%d; split: tiles %.1f,"
            + " shared %.1f: keeping %s%n",
        best,
        s1.get(best),
        baseline,
        s1.get(baseline),
        nc,
        s2.get(tiles),
        s2.get(shared),
        useShared ? "shared" : "tiles");
    GemmBlocking result = new GemmBlocking(nc, base.mc(), useShared, "tuned");
    Path target = file != null ? file : GemmBlocking.tunedFile();
    if (dryRun || target == null) {
      out.println(target == null ? "no home folder: nothing written" : "dry run: nothing written");
      return 0;
    }
    String comment =
        "written by ./nabla tune-gemm on "
            + Instant.now()
            + "\ncpu "
            + GemmBlocking.cpuKey()
            + ", "
            + Runtime.getRuntime().availableProcessors()
            + " CPUs, java "
            + System.getProperty("java.version")
            + "\nbaseline "
            + base
            + "; a candidate is kept when "
            + Math.round(margin * 100)
            + " % faster\nGFLOP/s, medians of "
            + rounds
            + " round(s):\n"
            + table.toString().stripTrailing();
    result.write(target, comment);
    out.println("written: " + target + " (delete it to go back to the L2-sized blocking)");
    return 0;
  }

  /** Measures the candidates over the rounds (order alternating); their scores, in order. */
  private Map<Candidate, Double> measureAll(
      List<Candidate> list, PrintWriter out, StringBuilder table)
      throws IOException, InterruptedException {
    Map<Candidate, List<double[]>> runs = new LinkedHashMap<>();
    for (Candidate c : list) {
      runs.put(c, new ArrayList<>());
    }
    for (int r = 0; r < rounds; r++) {
      List<Candidate> order = new ArrayList<>(list);
      if (r % 2 == 1) {
        Collections.reverse(order);
      }
      for (Candidate c : order) {
        double[] g = runProbe(c);
        runs.get(c).add(g);
        out.printf(Locale.ROOT, "  round %d %-16s %s%n", r + 1, c, format(g));
        out.flush();
      }
    }
    Map<Candidate, Double> scores = new LinkedHashMap<>();
    for (Candidate c : list) {
      double[] med = medians(runs.get(c));
      double score = geometricMean(med);
      scores.put(c, score);
      table.append(String.format(Locale.ROOT, "%-16s", c));
      for (double v : med) {
        table.append(String.format(Locale.ROOT, " %10.1f", v));
      }
      table.append(String.format(Locale.ROOT, " %10.1f%n", score));
    }
    return scores;
  }

  private static Candidate best(Map<Candidate, Double> scores) {
    Candidate best = null;
    for (var e : scores.entrySet()) {
      if (best == null || e.getValue() > scores.get(best)) {
        best = e.getKey();
      }
    }
    return best;
  }

  /** Runs this command with {@code --probe} in a fresh JVM with candidate c; its GFLOP/s. */
  private double[] runProbe(Candidate c) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (ModuleLayer.boot().findModule(NablaCli.VECTOR_MODULE).isPresent()) {
      cmd.add("--add-modules=" + NablaCli.VECTOR_MODULE);
    }
    String threads = System.getProperty("nabla.threads");
    if (threads != null) {
      cmd.add("-Dnabla.threads=" + threads);
    }
    cmd.add("-Dnabla.gemm.nc=" + c.nc());
    cmd.add("-Dnabla.gemm.shared=" + c.shared());
    String modulePath = System.getProperty("jdk.module.path");
    if (modulePath != null && NablaCli.class.getModule().isNamed()) {
      cmd.addAll(List.of("-p", modulePath, "-m", "nabla.examples/" + NablaCli.class.getName()));
    } else {
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), NablaCli.class.getName()));
    }
    cmd.addAll(List.of("tune-gemm", "--probe", "--seconds", Double.toString(seconds)));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("tune-gemm: the probe for " + c + " failed:\n" + text);
    }
    for (String line : text.lines().toList()) {
      if (line.startsWith("probe ")) {
        String[] parts = line.substring(6).trim().split(" ");
        String ran = parts[0] + " " + parts[1];
        if (!ran.equals(c.toString())) {
          throw new IOException(
              "tune-gemm: the probe ran with " + ran + " instead of " + c + ":\n" + text);
        }
        double[] g = new double[PRODUCTS.length];
        for (int i = 0; i < g.length; i++) {
          g[i] = Double.parseDouble(parts[i + 2]);
        }
        return g;
      }
    }
    throw new IOException("tune-gemm: no result from the probe for " + c + ":\n" + text);
  }

  /** In the probe JVM: {@code probe nc=<nc> tiles|shared <GFLOP/s per product>}. */
  static String probeLine(double seconds) {
    GemmBlocking g = GemmBlocking.current();
    StringBuilder b = new StringBuilder("probe " + new Candidate(g.nc(), g.shared()));
    for (Product p : PRODUCTS) {
      b.append(String.format(Locale.ROOT, " %.2f", measure(p, seconds)));
    }
    return b.toString();
  }

  /** Median GFLOP/s of batches of products over {@code seconds}, after as long a warm-up. */
  private static double measure(Product p, double seconds) {
    nabla.DType t = p.f64() ? nabla.DType.FLOAT64 : nabla.DType.FLOAT32;
    Tensor a =
        p.aT()
            ? Tensor.randn(p.k(), p.m()).to(t).transpose(0, 1)
            : Tensor.randn(p.m(), p.k()).to(t);
    Tensor b =
        p.bT()
            ? Tensor.randn(p.n(), p.k()).to(t).transpose(0, 1)
            : Tensor.randn(p.k(), p.n()).to(t);
    double flops = 2.0 * p.m() * p.n() * p.k();
    long warm = System.nanoTime() + (long) (seconds * 1e9);
    int batch = 1;
    while (System.nanoTime() < warm) {
      long t0 = System.nanoTime();
      a.matmul(b);
      long dt = System.nanoTime() - t0;
      batch = (int) Math.max(1, Math.min(1000, 20_000_000 / Math.max(1, dt))); // ~20 ms a batch
    }
    List<Double> rates = new ArrayList<>();
    long end = System.nanoTime() + (long) (seconds * 1e9);
    while (System.nanoTime() < end || rates.size() < 3) {
      long t0 = System.nanoTime();
      for (int i = 0; i < batch; i++) {
        a.matmul(b);
      }
      rates.add(flops * batch / (System.nanoTime() - t0));
    }
    double[] r = rates.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return r[r.length / 2];
  }

  private static double[] medians(List<double[]> runs) {
    double[] m = new double[PRODUCTS.length];
    for (int i = 0; i < m.length; i++) {
      final int j = i;
      double[] v = runs.stream().mapToDouble(g -> g[j]).sorted().toArray();
      m[i] = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
    return m;
  }

  private static double geometricMean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += Math.log(x);
    }
    return Math.exp(s / v.length);
  }

  private static String format(double[] g) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < g.length; i++) {
      b.append(String.format(Locale.ROOT, "%s %.1f  ", PRODUCTS[i].name(), g[i]));
    }
    return b.toString().trim() + " GFLOP/s";
  }
}
