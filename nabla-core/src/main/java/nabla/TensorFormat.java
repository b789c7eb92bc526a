package nabla;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Formats tensors the way PyTorch 1.13 prints them (its {@code _tensor_str}), so D2L readers
 * recognise the output: one number format per tensor chosen from the elements shown, integral
 * floats as {@code 4.}, scientific notation for wide ranges, {@code ...} summaries above 1000
 * elements, 80-column lines.
 */
final class TensorFormat {
  private TensorFormat() {}

  private static final int SUMMARIZE_ABOVE = 1000;
  private static final int EDGE_ITEMS = 3;
  private static final int LINE_WIDTH = 80;
  private static final int PRECISION = 4;
  private static final String PREFIX = "tensor(";

  static String format(Tensor t) {
    Tensor values = t.detach().to(t.dtype().isFloating() ? DType.FLOAT64 : t.dtype());
    int[] shape = t.shape();
    StringBuilder b = new StringBuilder(PREFIX);
    if (t.numel() == 0) {
      b.append("[]");
      if (shape.length != 1) {
        b.append(", size=(");
        for (int i = 0; i < shape.length; i++) {
          b.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        b.append(shape.length == 1 ? ",)" : ")");
      }
    } else {
      boolean summarize = t.numel() > SUMMARIZE_ABOVE;
      Formatter f = new Formatter(t.dtype(), summarize ? shown(values) : values.toDoubleArray());
      b.append(tensorString(values, PREFIX.length(), summarize, f));
    }
    if (t.dtype() == DType.FLOAT64) {
      b.append(", dtype=float64");
    }
    if (t.gradFn != null) {
      b.append(", gradFn=<").append(t.gradFn.name()).append('>');
    } else if (t.requiresGrad) {
      b.append(", requiresGrad=true");
    }
    return b.append(')').toString();
  }

  /** The elements a summary shows: the first and last EDGE_ITEMS along every dimension. */
  private static double[] shown(Tensor t) {
    if (t.dim() == 0) {
      return t.toDoubleArray();
    }
    int n = t.size(0);
    if (n > 2 * EDGE_ITEMS) {
      Tensor head = t.slice(0, 0, EDGE_ITEMS);
      Tensor tail = t.slice(0, n - EDGE_ITEMS, n);
      double[] a = shown(head);
      double[] c = shown(tail);
      double[] r = new double[a.length + c.length];
      System.arraycopy(a, 0, r, 0, a.length);
      System.arraycopy(c, 0, r, a.length, c.length);
      return r;
    }
    List<double[]> parts = new ArrayList<>();
    int total = 0;
    for (int i = 0; i < n; i++) {
      double[] p = shown(t.get(i));
      parts.add(p);
      total += p.length;
    }
    double[] r = new double[total];
    int at = 0;
    for (double[] p : parts) {
      System.arraycopy(p, 0, r, at, p.length);
      at += p.length;
    }
    return r;
  }

  private static String tensorString(Tensor t, int indent, boolean summarize, Formatter f) {
    int dim = t.dim();
    if (dim == 0) {
      return f.format(t.item(), false);
    }
    int n = t.size(0);
    boolean cut = summarize && n > 2 * EDGE_ITEMS;
    if (dim == 1) {
      List<String> data = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (cut && i == EDGE_ITEMS) {
          data.add(" ...");
          i = n - EDGE_ITEMS;
        }
        data.add(f.format(t.get(i).item(), true));
      }
      int perLine = Math.max(1, (LINE_WIDTH - indent) / (f.width + 2));
      StringBuilder b = new StringBuilder("[");
      for (int i = 0; i < data.size(); i++) {
        if (i > 0) {
          b.append(i % perLine == 0 ? ",\n" + " ".repeat(indent + 1) : ", ");
        }
        b.append(data.get(i));
      }
      return b.append(']').toString();
    }
    List<String> slices = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (cut && i == EDGE_ITEMS) {
        slices.add("...");
        i = n - EDGE_ITEMS;
      }
      slices.add(tensorString(t.get(i), indent + 1, summarize, f));
    }
    String separator = "," + "\n".repeat(dim - 1) + " ".repeat(indent + 1);
    return "[" + String.join(separator, slices) + "]";
  }

  /** PyTorch's _Formatter: one width and notation for a whole tensor. */
  private static final class Formatter {
    final DType dtype;
    boolean intMode = true;
    boolean sciMode;
    int width = 1;

    Formatter(DType dtype, double[] values) {
      this.dtype = dtype;
      if (!dtype.isFloating()) {
        for (double v : values) {
          width = Math.max(width, format(v, false).length());
        }
        return;
      }
      double min = Double.POSITIVE_INFINITY;
      double max = 0;
      int count = 0;
      for (double v : values) {
        if (Double.isFinite(v) && v != 0) {
          count++;
          min = Math.min(min, Math.abs(v));
          max = Math.max(max, Math.abs(v));
          if (v != Math.ceil(v)) {
            intMode = false;
          }
        }
      }
      if (count == 0) {
        return;
      }
      sciMode = max / min > 1000 || max > 1e8 || (!intMode && min < 1e-4);
      for (double v : values) {
        if (Double.isFinite(v) && v != 0) {
          int extra = intMode && !sciMode ? 1 : 0;
          width = Math.max(width, body(v).length() + extra);
        }
      }
    }

    private String body(double v) {
      if (sciMode) {
        return String.format(Locale.ROOT, "%." + PRECISION + "e", v);
      }
      if (intMode) {
        return String.format(Locale.ROOT, "%.0f", v);
      }
      return String.format(Locale.ROOT, "%." + PRECISION + "f", v);
    }

    /** One value, right-aligned to the common width when {@code pad}. */
    String format(double v, boolean pad) {
      String s;
      if (dtype == DType.BOOL) {
        s = v != 0 ? "True" : "False";
      } else if (dtype == DType.INT64) {
        s = Long.toString((long) v);
      } else if (Double.isNaN(v)) {
        s = "nan";
      } else if (Double.isInfinite(v)) {
        s = v > 0 ? "inf" : "-inf";
      } else {
        s = body(v);
        if (intMode && !sciMode) {
          s += ".";
        }
      }
      return pad && s.length() < width ? " ".repeat(width - s.length()) + s : s;
    }
  }
}
