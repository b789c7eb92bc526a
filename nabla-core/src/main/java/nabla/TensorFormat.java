package nabla;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import nabla.storage.Storage;

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
    Trace.valueRead(t, "printing");
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
      // Only the elements shown are read, straight from the storage: printing a huge tensor
      // (a debugger calls toString too) neither copies it nor allocates per element.
      View v = new View(t.storage(), shape, t.strides(), t.numel() > SUMMARIZE_ABOVE);
      List<Integer> positions = new ArrayList<>();
      v.shown(0, t.offset(), positions);
      Formatter f = new Formatter(v, positions);
      b.append(v.string(0, t.offset(), PREFIX.length(), f));
    }
    if (t.dtype() == DType.FLOAT64 || t.dtype().isStorageOnly()) {
      b.append(", dtype=").append(t.dtype());
    }
    if (t.gradFn() != null) {
      b.append(", gradFn=<").append(t.gradFn().name()).append('>');
    } else if (t.requiresGrad()) {
      b.append(", requiresGrad=true");
    }
    return b.append(')').toString();
  }

  /** A strided view walked by storage positions; {@code cut} drops the middle of long dims. */
  private record View(Storage storage, int[] shape, int[] strides, boolean summarize) {
    /** Indices shown along dimension d: all, or the first and last EDGE_ITEMS. */
    boolean cut(int d) {
      return summarize && shape[d] > 2 * EDGE_ITEMS;
    }

    /** Storage positions of the elements a print shows, in print order. */
    void shown(int d, int base, List<Integer> out) {
      if (d == shape.length) {
        out.add(base);
        return;
      }
      for (int i = 0; i < shape[d]; i++) {
        if (cut(d) && i == EDGE_ITEMS) {
          i = shape[d] - EDGE_ITEMS;
        }
        shown(d + 1, base + i * strides[d], out);
      }
    }

    double value(int pos) {
      return storage.getDouble(pos);
    }

    String string(int d, int base, int indent, Formatter f) {
      int dims = shape.length - d;
      if (dims == 0) {
        return f.format(base, false);
      }
      int n = shape[d];
      if (dims == 1) {
        List<String> data = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          if (cut(d) && i == EDGE_ITEMS) {
            data.add(" ...");
            i = n - EDGE_ITEMS;
          }
          data.add(f.format(base + i * strides[d], true));
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
        if (cut(d) && i == EDGE_ITEMS) {
          slices.add("...");
          i = n - EDGE_ITEMS;
        }
        slices.add(string(d + 1, base + i * strides[d], indent + 1, f));
      }
      String separator = "," + "\n".repeat(dims - 1) + " ".repeat(indent + 1);
      return "[" + String.join(separator, slices) + "]";
    }
  }

  /** PyTorch's _Formatter: one width and notation for a whole tensor. */
  private static final class Formatter {
    final DType dtype;
    boolean intMode = true;
    boolean sciMode;
    int width = 1;

    final View view;

    Formatter(View view, List<Integer> positions) {
      this.view = view;
      this.dtype = view.storage().dtype();
      if (!dtype.isFloating()) {
        for (int pos : positions) {
          width = Math.max(width, format(pos, false).length());
        }
        return;
      }
      double min = Double.POSITIVE_INFINITY;
      double max = 0;
      int count = 0;
      for (int pos : positions) {
        double v = view.value(pos);
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
      for (int pos : positions) {
        double v = view.value(pos);
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

    /** The element at a storage position, right-aligned to the common width when {@code pad}. */
    String format(int pos, boolean pad) {
      String s;
      double v = dtype.isFloating() ? view.value(pos) : 0;
      if (dtype == DType.BOOL) {
        s = view.storage().b[pos] ? "True" : "False";
      } else if (dtype.isInteger()) {
        s = Long.toString(view.storage().getLong(pos)); // exact: no detour through double
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
