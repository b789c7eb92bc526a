package nabla;

import java.util.Locale;

/** Formats tensors the way PyTorch prints them, so D2L readers recognise the output. */
final class TensorFormat {
  private TensorFormat() {}

  private static final int SUMMARIZE_ABOVE = 1000;
  private static final int EDGE_ITEMS = 3;
  private static final int LINE_WIDTH = 80;

  static String format(Tensor t) {
    double[] values = t.detach().toDoubleArray();
    int[] shape = t.shape();
    boolean summarize = values.length > SUMMARIZE_ABOVE;
    Style style = Style.of(t.dtype(), values);
    StringBuilder b = new StringBuilder("tensor(");
    if (values.length == 0) {
      b.append(shape.length == 1 ? "[]" : "[], size=" + java.util.Arrays.toString(shape));
    } else {
      int width = 0;
      for (double v : values) {
        width = Math.max(width, style.format(v).length());
      }
      appendDims(b, values, shape, 0, 0, style, width, summarize, 7);
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

  private static void appendDims(
      StringBuilder b,
      double[] v,
      int[] shape,
      int dim,
      int base,
      Style style,
      int width,
      boolean summarize,
      int indent) {
    if (dim == shape.length) {
      b.append(pad(style.format(v[base]), width));
      return;
    }
    int n = shape[dim];
    int stride = 1;
    for (int i = dim + 1; i < shape.length; i++) {
      stride *= shape[i];
    }
    b.append('[');
    boolean last = dim == shape.length - 1;
    int perLine = Math.max(1, (LINE_WIDTH - indent - 1) / (width + 2));
    int printed = 0;
    for (int i = 0; i < n; i++) {
      if (summarize && n > 2 * EDGE_ITEMS && i == EDGE_ITEMS) {
        b.append(last ? "..., " : "...,\n" + " ".repeat(indent + 1));
        i = n - EDGE_ITEMS;
      }
      if (last && printed > 0 && printed % perLine == 0) {
        b.setLength(b.length() - 1);
        b.append('\n').append(" ".repeat(indent + 1));
      }
      appendDims(b, v, shape, dim + 1, base + i * stride, style, width, summarize, indent + 1);
      printed++;
      if (i < n - 1) {
        b.append(last ? ", " : "," + "\n".repeat(shape.length - dim - 1) + " ".repeat(indent + 1));
      }
    }
    b.append(']');
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
  }

  /** How numbers of one tensor are written: all with the same precision, as PyTorch does. */
  private record Style(DType dtype, boolean integral, boolean scientific) {
    static Style of(DType dtype, double[] values) {
      if (!dtype.isFloating()) {
        return new Style(dtype, true, false);
      }
      boolean integral = true;
      double maxAbs = 0;
      double minAbs = Double.POSITIVE_INFINITY;
      for (double v : values) {
        if (!Double.isFinite(v)) {
          continue;
        }
        double a = Math.abs(v);
        if (v != Math.rint(v)) {
          integral = false;
        }
        maxAbs = Math.max(maxAbs, a);
        if (a > 0) {
          minAbs = Math.min(minAbs, a);
        }
      }
      boolean sci =
          maxAbs >= 1e8 || (!integral && minAbs < 1e-4) || (maxAbs > 0 && maxAbs / minAbs > 1e3 && !integral && maxAbs >= 1e3);
      if (integral && maxAbs >= 1e8) {
        integral = false;
      }
      return new Style(dtype, integral, sci);
    }

    String format(double v) {
      if (dtype == DType.BOOL) {
        return v != 0 ? "True" : "False";
      }
      if (dtype == DType.INT64) {
        return Long.toString((long) v);
      }
      if (Double.isNaN(v)) {
        return "nan";
      }
      if (Double.isInfinite(v)) {
        return v > 0 ? "inf" : "-inf";
      }
      if (scientific) {
        return String.format(Locale.ROOT, "%.4e", v).replace("e+0", "e+0");
      }
      if (integral) {
        return String.format(Locale.ROOT, "%.0f.", v).replace("-0.", v == 0 ? "-0." : "-0.");
      }
      return String.format(Locale.ROOT, "%.4f", v);
    }
  }
}
