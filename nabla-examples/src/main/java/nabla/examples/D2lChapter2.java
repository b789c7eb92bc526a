package nabla.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import nabla.DType;
import nabla.Generator;
import nabla.Tensor;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * The code cells of D2L chapter 2 (§2.1 data manipulation, §2.2 preprocessing, §2.3 linear algebra,
 * §2.4 calculus, §2.6 probability; §2.5 is {@link AutogradWalkthrough}) in Java, in the book's
 * order, printing what the book prints. Each section returns its results by name, so that a test
 * can check the book's values.
 *
 * <pre>{@code D2lChapter2.run("2.3", System.out, Path.of("out"))   // or ./nabla d2l 2.3}</pre>
 */
public final class D2lChapter2 {
  private D2lChapter2() {}

  /** The sections this class runs. */
  public static final List<String> SECTIONS = List.of("2.1", "2.2", "2.3", "2.4", "2.6");

  /**
   * Runs one section, printing each cell's result; returns them by name. Plots (§2.4, §2.6) and the
   * CSV file of §2.2 are written under {@code dir}.
   *
   * @throws IllegalArgumentException for a section this class does not have
   */
  public static Map<String, Object> run(String section, PrintStream out, Path dir)
      throws IOException {
    Cells c = new Cells(out);
    switch (section) {
      case "2.1" -> dataManipulation(c);
      case "2.2" -> preprocessing(c, dir);
      case "2.3" -> linearAlgebra(c);
      case "2.4" -> calculus(c, dir);
      case "2.6" -> probability(c, dir);
      default ->
          throw new IllegalArgumentException(
              "d2l: no section "
                  + section
                  + "; choose one of "
                  + SECTIONS
                  + " (2.5 is `nabla demo`'s walkthrough)");
    }
    return c.results;
  }

  /** Prints "name = value" lines and keeps the values. */
  private static final class Cells {
    final PrintStream out;
    final Map<String, Object> results = new LinkedHashMap<>();

    Cells(PrintStream out) {
      this.out = out;
    }

    <T> T show(String name, T value) {
      results.put(name, value);
      String text =
          value instanceof int[] a
              ? Arrays.toString(a)
              : value instanceof Tensor[] ts ? Arrays.toString(ts) : String.valueOf(value);
      out.println(name + (text.contains("\n") ? " =\n" : " = ") + text);
      return value;
    }

    void heading(String title) {
      out.println();
      out.println("--- " + title);
    }
  }

  // ------------------------------------------------------------------------------- 2.1

  static void dataManipulation(Cells c) {
    c.heading("2.1.1 Getting started");
    Tensor x = c.show("x", Tensor.arange(12.0)); // torch.arange(12, dtype=torch.float32)
    c.show("x.numel()", x.numel());
    c.show("x.shape", x.shape());
    Tensor xm = c.show("X", x.reshape(3, 4));
    c.show("zeros(2, 3, 4)", Tensor.zeros(2, 3, 4));
    c.show("ones(2, 3, 4)", Tensor.ones(2, 3, 4));
    Generator.manualSeed(0);
    c.show("randn(3, 4)", Tensor.randn(3, 4));
    c.show(
        "tensor([[2, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])",
        Tensor.of(new double[] {2, 1, 4, 3, 1, 2, 3, 4, 4, 3, 2, 1}, 3, 4));

    c.heading("2.1.2 Indexing and slicing");
    c.show("X[-1]", xm.get(-1));
    c.show("X[1:3]", xm.slice(0, 1, 3));
    Tensor w = xm.copy();
    w.slice(0, 1, 2).slice(1, 2, 3).fill(17); // X[1, 2] = 17
    c.show("X after X[1, 2] = 17", w.copy());
    w.slice(0, 0, 2).fill(12); // X[:2, :] = 12
    c.show("X after X[:2, :] = 12", w.copy());

    c.heading("2.1.3 Operations");
    c.show("exp(x)", x.exp());
    Tensor a = Tensor.of(1, 2, 4, 8);
    Tensor b = Tensor.of(2, 2, 2, 2);
    c.show("x + y", a.add(b));
    c.show("x - y", a.sub(b));
    c.show("x * y", a.mul(b));
    c.show("x / y", a.div(b));
    c.show("x ** y", a.pow(b));
    Tensor xx = Tensor.arange(12.0).reshape(3, 4);
    Tensor yy = Tensor.of(new double[] {2, 1, 4, 3, 1, 2, 3, 4, 4, 3, 2, 1}, 3, 4);
    c.show("cat((X, Y), dim=0)", Tensor.cat(0, xx, yy));
    c.show("cat((X, Y), dim=1)", Tensor.cat(1, xx, yy));
    c.show("X == Y", xx.eq(yy));
    c.show("X.sum()", xx.sum());

    c.heading("2.1.4 Broadcasting");
    Tensor ab = Tensor.arange(3).reshape(3, 1);
    Tensor bb = Tensor.arange(2).reshape(1, 2);
    c.show("a", ab);
    c.show("b", bb);
    c.show("a + b", ab.add(bb));

    c.heading("2.1.5 Saving memory");
    Tensor z = yy.zerosLike();
    z.copyFrom(xx.add(yy)); // Z[:] = X + Y: the same storage, new values
    c.show("Z[:] = X + Y", z);
    Tensor before = xx;
    xx.addInPlace(yy); // X += Y
    c.show("X += Y keeps X's storage", before.storage() == xx.storage());

    c.heading("2.1.6 Conversion to other Java objects");
    c.show("X.toDoubleArray()", Arrays.toString(xx.toDoubleArray()));
    Tensor s = Tensor.of(3.5);
    c.show("a", s);
    c.show("a.item()", s.item());
    c.show("(int) a.item()", (int) s.item());
  }

  // ------------------------------------------------------------------------------- 2.2

  static void preprocessing(Cells c, Path dir) throws IOException {
    c.heading("2.2.1 Reading the dataset");
    Path csv = dir.resolve("house_tiny.csv");
    Files.createDirectories(dir);
    Files.writeString(
        csv, "NumRooms,RoofType,Price\nNA,NA,127500\n2,NA,106000\n4,Slate,178100\nNA,NA,140000\n");
    c.show("written", csv.toString());
    List<CSVRecord> rows;
    try (Reader r = Files.newBufferedReader(csv)) {
      rows =
          CSVFormat.DEFAULT
              .builder()
              .setHeader()
              .setSkipHeaderRecord(true)
              .get()
              .parse(r)
              .getRecords();
    }
    StringBuilder table = new StringBuilder("   NumRooms RoofType   Price");
    for (int i = 0; i < rows.size(); i++) {
      CSVRecord row = rows.get(i);
      table.append(
          String.format(
              "%n%d  %7s %8s %7s",
              i, na(row.get("NumRooms")), na(row.get("RoofType")), row.get("Price")));
    }
    c.show("data", table.toString());

    c.heading("2.2.2 Data preparation");
    // inputs = NumRooms and RoofType; RoofType becomes one-hot columns, NaN included
    // (pd.get_dummies(dummy_na=True)); missing NumRooms are filled with the column's mean
    TreeSet<String> categories = new TreeSet<>();
    for (CSVRecord row : rows) {
      if (!row.get("RoofType").equals("NA")) {
        categories.add(row.get("RoofType"));
      }
    }
    List<String> columns = new ArrayList<>(List.of("NumRooms"));
    for (String cat : categories) {
      columns.add("RoofType_" + cat);
    }
    columns.add("RoofType_nan");
    double sum = 0;
    int known = 0;
    for (CSVRecord row : rows) {
      if (!row.get("NumRooms").equals("NA")) {
        sum += Double.parseDouble(row.get("NumRooms"));
        known++;
      }
    }
    double mean = sum / known;
    int n = rows.size();
    double[] features = new double[n * columns.size()];
    double[] prices = new double[n];
    for (int i = 0; i < n; i++) {
      CSVRecord row = rows.get(i);
      int at = i * columns.size();
      String rooms = row.get("NumRooms");
      features[at] = rooms.equals("NA") ? mean : Double.parseDouble(rooms);
      String roof = row.get("RoofType");
      int col = roof.equals("NA") ? columns.size() - 1 : 1 + categories.headSet(roof).size();
      features[at + col] = 1;
      prices[i] = Double.parseDouble(row.get("Price"));
    }
    c.show("columns", columns.toString());

    c.heading("2.2.3 Conversion to the tensor format");
    c.show("X", Tensor.ofDoubles(features, n, columns.size()));
    c.show("y", Tensor.ofDoubles(prices, n));
  }

  private static String na(String v) {
    return v.equals("NA") ? "NaN" : v;
  }

  // ------------------------------------------------------------------------------- 2.3

  static void linearAlgebra(Cells c) {
    c.heading("2.3.1 Scalars");
    Tensor x = Tensor.scalar(3.0);
    Tensor y = Tensor.scalar(2.0);
    c.show("x + y", x.add(y));
    c.show("x * y", x.mul(y));
    c.show("x / y", x.div(y));
    c.show("x ** y", x.pow(y));

    c.heading("2.3.2 Vectors");
    Tensor v = c.show("x", Tensor.arange(3));
    c.show("x[2]", v.get(2));
    c.show("len(x)", v.size(0));
    c.show("x.shape", v.shape());

    c.heading("2.3.3 Matrices");
    Tensor m = c.show("A", Tensor.arange(6).reshape(3, 2));
    c.show("A.T", m.transpose(0, 1));
    Tensor sym = Tensor.of(new double[] {1, 2, 3, 2, 0, 4, 3, 4, 5}, 3, 3);
    c.show("A == A.T", sym.eq(sym.transpose(0, 1)));

    c.heading("2.3.4 Tensors");
    c.show("arange(24).reshape(2, 3, 4)", Tensor.arange(24).reshape(2, 3, 4));

    c.heading("2.3.5 Basic properties of tensor arithmetic");
    Tensor a = Tensor.arange(6.0).reshape(2, 3);
    Tensor b = a.copy();
    c.show("A", a);
    c.show("A + B", a.add(b));
    c.show("A * B", a.mul(b));
    Tensor x3 = Tensor.arange(24).reshape(2, 3, 4);
    c.show("a + X", x3.add(2));
    c.show("(a * X).shape", x3.mul(2).shape());

    c.heading("2.3.6 Reduction");
    Tensor xs = Tensor.arange(3.0);
    c.show("x.sum()", xs.sum());
    c.show("A.sum()", a.sum());
    c.show("A.sum(axis=0)", a.sum(0));
    c.show("A.sum(axis=1)", a.sum(1));
    c.show("A.sum(axis=[0, 1]) == A.sum()", a.sum(0, 1).eq(a.sum()));
    c.show("A.mean()", a.mean());
    c.show("A.sum() / A.numel()", a.sum().div(a.numel()));
    c.show("A.mean(axis=0)", a.mean(0));
    c.show("A.sum(axis=0) / A.shape[0]", a.sum(0).div(a.size(0)));

    c.heading("2.3.7 Non-reduction sum");
    Tensor sumA = c.show("sum_A = A.sum(axis=1, keepdims=True)", a.sum(1, true));
    c.show("A / sum_A", a.div(sumA));
    c.show("A.cumsum(axis=0)", a.cumsum(0));

    c.heading("2.3.8 Dot products");
    Tensor ones = Tensor.ones(3);
    c.show("dot(x, y)", xs.dot(ones));
    c.show("sum(x * y)", xs.mul(ones).sum());

    c.heading("2.3.9 Matrix-vector products");
    c.show("A @ x", a.matmul(xs));

    c.heading("2.3.10 Matrix-matrix multiplication");
    c.show("A @ B", a.matmul(Tensor.ones(3, 4)));

    c.heading("2.3.11 Norms");
    Tensor u = Tensor.of(3, -4);
    c.show("norm(u)", u.norm());
    c.show("abs(u).sum()", u.abs().sum());
    c.show("norm(ones(4, 9))", Tensor.ones(4, 9).norm());
  }

  // ------------------------------------------------------------------------------- 2.4

  static void calculus(Cells c, Path dir) {
    c.heading("2.4.1 Derivatives and differentiation");
    List<String> lines = new ArrayList<>();
    double[] limits = new double[5];
    for (int i = 0; i < 5; i++) {
      double h = Math.pow(10, -(i + 1));
      limits[i] = (f(1 + h) - f(1)) / h;
      lines.add(String.format("h=%.5f, numerical limit=%.5f", h, limits[i]));
    }
    c.show("numerical limits", String.join("\n", lines));
    c.results.put("limits", limits);

    c.heading("2.4.2 Visualization utilities");
    Tensor x = Tensor.arange(0.0, 3.0, 0.1).to(DType.FLOAT64);
    double[] xs = x.toDoubleArray();
    double[] fx = new double[xs.length];
    double[] tangent = new double[xs.length];
    for (int i = 0; i < xs.length; i++) {
      fx[i] = f(xs[i]);
      tangent[i] = 2 * xs[i] - 3;
    }
    Map<String, double[]> series = new LinkedHashMap<>();
    series.put("f(x)", fx);
    series.put("Tangent line (x=1)", tangent);
    c.show(
        "plot",
        LinePlot.savePng(dir.resolve("d2l-2.4-tangent.png"), "f(x) = 3x² − 4x", "x", xs, series)
            .toString());
  }

  private static double f(double x) {
    return 3 * x * x - 4 * x;
  }

  // ------------------------------------------------------------------------------- 2.6

  static void probability(Cells c, Path dir) {
    Generator.manualSeed(0);
    c.heading("2.6.1 A simple example: tossing coins");
    Tensor fair = Tensor.of(0.5, 0.5);
    c.show("Multinomial(100, fair_probs).sample()", counts(fair, 100));
    c.show("Multinomial(100, fair_probs).sample() / 100", counts(fair, 100).div(100));
    Tensor ten =
        c.show("Multinomial(10000, fair_probs).sample() / 10000", counts(fair, 10_000).div(10_000));
    c.results.put("frequencies", ten.toDoubleArray());
    // one toss per row, one-hot, then the running estimate of each outcome's probability
    Tensor tosses = fair.multinomial(10_000, true);
    Tensor oneHot =
        Tensor.zeros(10_000, 2).scatterAdd(1, tosses.reshape(10_000, 1), Tensor.ones(10_000, 1));
    Tensor cum = oneHot.cumsum(0);
    Tensor estimates = cum.div(cum.sum(1, true));
    double[] e = estimates.toDoubleArray();
    double[] heads = new double[10_000];
    double[] tails = new double[10_000];
    double[] steps = new double[10_000];
    for (int i = 0; i < 10_000; i++) {
      heads[i] = e[2 * i];
      tails[i] = e[2 * i + 1];
      steps[i] = i + 1;
    }
    c.results.put("final estimates", new double[] {heads[9_999], tails[9_999]});
    Map<String, double[]> series = new LinkedHashMap<>();
    series.put("P(coin=heads)", heads);
    series.put("P(coin=tails)", tails);
    double[] half = new double[10_000];
    Arrays.fill(half, 0.5);
    series.put("0.5", half);
    c.show(
        "plot",
        LinePlot.savePng(
                dir.resolve("d2l-2.6-coins.png"), "Estimated probability", "Samples", steps, series)
            .toString());

    c.heading("2.6.2 A more formal treatment: a fair die");
    Tensor die = Tensor.ones(6).div(6);
    c.show("Multinomial(1000, fair die).sample() / 1000", counts(die, 1000).div(1000));
  }

  /** Outcome counts of n draws (torch.distributions.Multinomial(n, probs).sample()). */
  private static Tensor counts(Tensor probs, int n) {
    return probs.multinomial(n, true).bincount(null, probs.numel()).to(DType.FLOAT32);
  }
}
