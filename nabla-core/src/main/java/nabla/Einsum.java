package nabla;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nabla.storage.Shapes;

/**
 * {@link Tensor#einsum}: Einstein summation composed from differentiable primitives. Each operand
 * first takes the diagonal of an index it repeats and sums the indices no one else needs; then the
 * operands are combined left to right, each pair as one batched matrix product (batch indices,
 * indices of one side only, contracted indices), so gradients of every order and forward mode come
 * with matmul, permute, reshape, expand and sum.
 *
 * <p>Indices are the letters a-z and A-Z; {@code ...} stands for the leading dimensions of an
 * operand, broadcast across operands (right-aligned). Without {@code ->} the output has the
 * ellipsis dimensions first, then the letters that appear exactly once, in alphabetical order
 * (upper case first). Sizes of one index must agree or be 1 (broadcast).
 */
final class Einsum {
  private Einsum() {}

  /** Labels of ellipsis dimensions: ELLIPSIS + position among the broadcast ellipsis dimensions. */
  private static final int ELLIPSIS = 1000;

  /** An operand with the label of each of its dimensions. */
  private record Term(Tensor t, List<Integer> labels) {}

  static Tensor einsum(String equation, Tensor... operands) {
    Checks.nonNull("einsum", "equation", equation);
    Checks.noNulls("einsum", "operands", operands);
    // integer operands stay integer and exact, as PyTorch's (int64 in, int64 out; int32 in,
    // int32 out): the pairwise products go through matmul, which multiplies integer matrices
    // exactly
    return contract(equation, operands);
  }

  private static Tensor contract(String equation, Tensor... operands) {
    String where = "einsum(\"" + equation + "\"): ";
    StringBuilder stripped = new StringBuilder(equation.length());
    for (int i = 0; i < equation.length(); i++) {
      if (!Character.isWhitespace(equation.charAt(i))) {
        stripped.append(equation.charAt(i));
      }
    }
    String eq = stripped.toString();
    int arrow = eq.indexOf("->");
    if (arrow >= 0 && eq.indexOf("->", arrow + 2) >= 0) {
      throw new IllegalArgumentException(where + "the equation has more than one '->'");
    }
    String lhs = arrow < 0 ? eq : eq.substring(0, arrow);
    String rhs = arrow < 0 ? null : eq.substring(arrow + 2);
    String[] terms = lhs.split(",", -1);
    if (operands.length == 0) {
      throw new IllegalArgumentException(where + "give at least one operand");
    }
    if (terms.length != operands.length) {
      throw new IllegalArgumentException(
          where
              + "the equation has "
              + terms.length
              + " operand term(s) but "
              + operands.length
              + " operand(s) were given");
    }
    // parse the terms: letters and one optional ellipsis each
    int[][] letters = new int[terms.length][];
    int[] ellipsisAt = new int[terms.length];
    int ellipsisRank = 0;
    for (int i = 0; i < terms.length; i++) {
      List<Integer> l = new ArrayList<>();
      ellipsisAt[i] = parse(where, "term '" + terms[i] + "' of operand " + i, terms[i], l);
      letters[i] = l.stream().mapToInt(Integer::intValue).toArray();
      int rank = operands[i].dim();
      int e = rank - letters[i].length;
      if (ellipsisAt[i] < 0 ? e != 0 : e < 0) {
        throw new IllegalArgumentException(
            where
                + "term '"
                + terms[i]
                + "' of operand "
                + i
                + " has "
                + letters[i].length
                + " index(es) but the operand has shape "
                + Shapes.str(operands[i].shape)
                + " (rank "
                + rank
                + ")"
                + (ellipsisAt[i] < 0 && e > 0 ? "; add '...' for the other dimensions" : ""));
      }
      ellipsisRank = Math.max(ellipsisRank, e);
    }
    // label the dimensions; the size of each label (1 broadcasts)
    List<Term> work = new ArrayList<>();
    Map<Integer, Integer> sizes = new HashMap<>();
    Map<Integer, Integer> sizeFrom = new HashMap<>();
    Map<Integer, Integer> count = new HashMap<>();
    for (int i = 0; i < terms.length; i++) {
      List<Integer> labels = new ArrayList<>();
      int e = operands[i].dim() - letters[i].length;
      for (int j = 0; j < letters[i].length; j++) {
        if (j == ellipsisAt[i]) {
          for (int k = 0; k < e; k++) {
            labels.add(ELLIPSIS + ellipsisRank - e + k);
          }
        }
        labels.add(letters[i][j]);
      }
      if (ellipsisAt[i] == letters[i].length) {
        for (int k = 0; k < e; k++) {
          labels.add(ELLIPSIS + ellipsisRank - e + k);
        }
      }
      for (int d = 0; d < labels.size(); d++) {
        int label = labels.get(d);
        int s = operands[i].shape[d];
        int first = labels.indexOf(label);
        if (first < d && operands[i].shape[first] != s) {
          throw new IllegalArgumentException(
              where
                  + "operand "
                  + i
                  + " repeats index "
                  + name(label)
                  + " on dimensions of sizes "
                  + operands[i].shape[first]
                  + " and "
                  + s
                  + " (shape "
                  + Shapes.str(operands[i].shape)
                  + "); a repeated index takes a diagonal and needs equal sizes");
        }
        Integer known = sizes.get(label);
        if (known != null && known != s && known != 1 && s != 1) {
          throw new IllegalArgumentException(
              where
                  + "index "
                  + name(label)
                  + " has size "
                  + known
                  + " in operand "
                  + sizeFrom.get(label)
                  + " but size "
                  + s
                  + " in operand "
                  + i
                  + " (shape "
                  + Shapes.str(operands[i].shape)
                  + "); sizes of one index must agree or be 1");
        }
        if (known == null || known == 1) {
          sizes.put(label, s);
          sizeFrom.put(label, i);
        }
      }
      for (int label : labels.stream().distinct().toList()) {
        count.merge(label, 1, Integer::sum);
      }
      work.add(new Term(operands[i], labels));
    }
    List<Integer> output = outputLabels(where, rhs, letters, ellipsisRank, count, sizes);
    // each operand: diagonals of repeated indices, then sums of the indices no one else needs
    for (int i = 0; i < work.size(); i++) {
      Term t = diagonals(work.get(i));
      List<Integer> keep = new ArrayList<>(output);
      for (int j = 0; j < work.size(); j++) {
        if (j != i) {
          keep.addAll(work.get(j).labels());
        }
      }
      work.set(i, sumOut(t, keep));
    }
    Term acc = work.get(0);
    for (int i = 1; i < work.size(); i++) {
      List<Integer> needed = new ArrayList<>(output);
      for (int j = i + 1; j < work.size(); j++) {
        needed.addAll(work.get(j).labels());
      }
      acc = contract(acc, work.get(i), needed, sizes);
    }
    acc = sumOut(acc, output);
    int[] perm = new int[output.size()];
    for (int i = 0; i < perm.length; i++) {
      perm[i] = acc.labels().indexOf(output.get(i));
    }
    Tensor result = acc.t();
    if (!isIdentity(perm)) {
      result = result.permute(perm);
    }
    return result;
  }

  /** Letters of a term into {@code out}; returns where its ellipsis is (-1: none). */
  private static int parse(String where, String what, String term, List<Integer> out) {
    int ellipsis = -1;
    for (int p = 0; p < term.length(); p++) {
      char c = term.charAt(p);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        out.add((int) c);
      } else if (c == '.') {
        if (!term.startsWith("...", p)) {
          throw new IllegalArgumentException(
              where + what + ": a '.' that is not part of an ellipsis '...'");
        }
        if (ellipsis >= 0) {
          throw new IllegalArgumentException(where + what + ": more than one ellipsis '...'");
        }
        ellipsis = out.size();
        p += 2;
      } else {
        throw new IllegalArgumentException(
            where
                + what
                + ": invalid character '"
                + c
                + "' (indices are letters a-z, A-Z; '...' for leading dimensions; '->' once)");
      }
    }
    return ellipsis;
  }

  private static String name(int label) {
    return label >= ELLIPSIS
        ? "'...' (dimension " + (label - ELLIPSIS) + ")"
        : "'" + (char) label + "'";
  }

  private static List<Integer> outputLabels(
      String where,
      String rhs,
      int[][] letters,
      int ellipsisRank,
      Map<Integer, Integer> count,
      Map<Integer, Integer> sizes) {
    List<Integer> out = new ArrayList<>();
    if (rhs == null) {
      for (int k = 0; k < ellipsisRank; k++) {
        out.add(ELLIPSIS + k);
      }
      Map<Integer, Integer> occurrences = new HashMap<>();
      for (int[] l : letters) {
        for (int c : l) {
          occurrences.merge(c, 1, Integer::sum);
        }
      }
      occurrences.entrySet().stream()
          .filter(e -> e.getValue() == 1)
          .map(Map.Entry::getKey)
          .sorted()
          .forEach(out::add);
      return out;
    }
    List<Integer> l = new ArrayList<>();
    int ellipsis = parse(where, "the output '" + rhs + "'", rhs, l);
    for (int i = 0; i < l.size(); i++) {
      int c = l.get(i);
      if (l.indexOf(c) != i) {
        throw new IllegalArgumentException(
            where + "the output '" + rhs + "' repeats index '" + (char) c + "'");
      }
      if (!count.containsKey(c)) {
        throw new IllegalArgumentException(
            where + "the output '" + rhs + "' has index '" + (char) c + "', which no operand has");
      }
    }
    for (int i = 0; i <= l.size(); i++) {
      if (i == ellipsis) {
        for (int k = 0; k < ellipsisRank; k++) {
          out.add(ELLIPSIS + k);
        }
      }
      if (i < l.size()) {
        out.add(l.get(i));
      }
    }
    return out;
  }

  /** Takes the diagonal of each index the term repeats ("ii->i"; sizes checked before). */
  private static Term diagonals(Term term) {
    Tensor t = term.t();
    List<Integer> labels = new ArrayList<>(term.labels());
    for (int p = 0; p < labels.size(); p++) {
      int q = labels.subList(p + 1, labels.size()).indexOf(labels.get(p));
      if (q < 0) {
        continue;
      }
      q += p + 1;
      int label = labels.get(p);
      t = t.diagonal(0, p, q);
      labels.remove(q);
      labels.remove(p);
      labels.add(label);
      p = -1; // rescan
    }
    return new Term(t, labels);
  }

  /** Sums the dimensions whose labels are not in {@code keep}. */
  private static Term sumOut(Term term, List<Integer> keep) {
    List<Integer> axes = new ArrayList<>();
    List<Integer> left = new ArrayList<>();
    for (int d = 0; d < term.labels().size(); d++) {
      if (keep.contains(term.labels().get(d))) {
        left.add(term.labels().get(d));
      } else {
        axes.add(d);
      }
    }
    if (axes.isEmpty()) {
      return term;
    }
    int[] a = axes.stream().mapToInt(Integer::intValue).toArray();
    return new Term(term.t().sum(a, false), left);
  }

  /** One batched matrix product: [batch, a only, contracted] x [batch, contracted, b only]. */
  private static Term contract(Term a, Term b, List<Integer> needed, Map<Integer, Integer> sizes) {
    List<Integer> keepA = new ArrayList<>(needed);
    keepA.addAll(b.labels());
    List<Integer> keepB = new ArrayList<>(needed);
    keepB.addAll(a.labels());
    a = sumOut(a, keepA);
    b = sumOut(b, keepB);
    List<Integer> batch = new ArrayList<>();
    List<Integer> contracted = new ArrayList<>();
    List<Integer> onlyA = new ArrayList<>();
    List<Integer> onlyB = new ArrayList<>();
    for (int l : a.labels()) {
      if (b.labels().contains(l)) {
        (needed.contains(l) ? batch : contracted).add(l);
      } else {
        onlyA.add(l);
      }
    }
    for (int l : b.labels()) {
      if (!a.labels().contains(l)) {
        onlyB.add(l);
      }
    }
    List<Integer> shared = new ArrayList<>(batch);
    shared.addAll(contracted);
    Tensor x = arrange(a, batch, onlyA, contracted, shared, sizes);
    Tensor y = arrange(b, batch, contracted, onlyB, shared, sizes);
    DType type = TypePromotion.resultType(x, y);
    Tensor z = x.to(type).matmul(y.to(type));
    List<Integer> labels = new ArrayList<>(batch);
    labels.addAll(onlyA);
    labels.addAll(onlyB);
    int[] shape = new int[labels.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = sizeIn(labels.get(i), a, b, sizes);
    }
    return new Term(z.reshape(shape), labels);
  }

  /** The size of a label in the result: batch labels are expanded to the full size. */
  private static int sizeIn(int label, Term a, Term b, Map<Integer, Integer> sizes) {
    boolean inA = a.labels().contains(label);
    boolean inB = b.labels().contains(label);
    if (inA && inB) {
      return sizes.get(label);
    }
    Term t = inA ? a : b;
    return t.t().shape[t.labels().indexOf(label)];
  }

  /**
   * The term permuted to the three groups, shared labels (batch and contracted) expanded to their
   * full size, reshaped to [prod(g1), prod(g2), prod(g3)].
   */
  private static Tensor arrange(
      Term term,
      List<Integer> g1,
      List<Integer> g2,
      List<Integer> g3,
      List<Integer> shared,
      Map<Integer, Integer> sizes) {
    List<Integer> order = new ArrayList<>(g1);
    order.addAll(g2);
    order.addAll(g3);
    int[] perm = new int[order.size()];
    int[] expanded = new int[order.size()];
    boolean expand = false;
    for (int i = 0; i < perm.length; i++) {
      perm[i] = term.labels().indexOf(order.get(i));
      int s = term.t().shape[perm[i]];
      expanded[i] = shared.contains(order.get(i)) ? sizes.get(order.get(i)) : s;
      expand |= expanded[i] != s;
    }
    Tensor t = term.t();
    if (!isIdentity(perm)) {
      t = t.permute(perm);
    }
    if (expand) {
      t = t.expand(expanded);
    }
    long[] p = {1, 1, 1};
    for (int i = 0; i < expanded.length; i++) {
      int group = i < g1.size() ? 0 : i < g1.size() + g2.size() ? 1 : 2;
      p[group] *= expanded[i];
    }
    // without batch indices, a plain matrix product (matmul's 2-d path)
    int[] shape =
        g1.isEmpty()
            ? new int[] {(int) p[1], (int) p[2]}
            : new int[] {(int) p[0], (int) p[1], (int) p[2]};
    Shapes.numel("einsum", expanded);
    return t.reshape(shape);
  }

  private static boolean isIdentity(int[] perm) {
    for (int i = 0; i < perm.length; i++) {
      if (perm[i] != i) {
        return false;
      }
    }
    return true;
  }
}
