package nabla.linalg;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;
import nabla.DType;
import nabla.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Every {@link Linalg} function on every pair of awkward arguments (null, 0-d, vectors, empty and
 * non-square matrices, batches that do not broadcast, integer, bool and mixed dtypes, singular and
 * indefinite matrices): each call either returns or throws IllegalArgumentException /
 * UnsupportedOperationException naming the operation, never an index, null-pointer or class-cast
 * exception from inside.
 */
class LinalgMisuseTest {
  record Op(String name, BiFunction<Tensor, Tensor, Object> call) {}

  static final List<Op> OPS =
      List.of(
          new Op("solve", Linalg::solve),
          new Op("inv", (a, b) -> Linalg.inv(a)),
          new Op("det", (a, b) -> Linalg.det(a)),
          new Op("slogdet", (a, b) -> Linalg.slogdet(a)),
          new Op("cholesky", (a, b) -> Linalg.cholesky(a)),
          new Op("solveTriangular", (a, b) -> Linalg.solveTriangular(a, b, true)),
          new Op("solveTriangular", (a, b) -> Linalg.solveTriangular(a, b, false)),
          new Op("matrixPower", (a, b) -> Linalg.matrixPower(a, -3)),
          new Op("qr", (a, b) -> Linalg.qr(a)),
          new Op("eigh", (a, b) -> Linalg.eigh(a)),
          new Op("svd", (a, b) -> Linalg.svd(a)),
          new Op("pinv", (a, b) -> Linalg.pinv(a)),
          new Op("lstsq", Linalg::lstsq));

  static List<Tensor> awkward() {
    List<Tensor> ts = new ArrayList<>();
    ts.add(null);
    ts.add(Tensor.scalar(2.0, DType.FLOAT64));
    ts.add(Tensor.ofDoubles(new double[] {1, 2, 3}, 3));
    ts.add(Tensor.zeros(DType.FLOAT64, 0, 0));
    ts.add(Tensor.zeros(DType.FLOAT64, 3, 0));
    ts.add(Tensor.ofDoubles(new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
    ts.add(Tensor.ofDoubles(new double[] {1, 2, 3, 4, 5, 6}, 3, 2));
    ts.add(Tensor.ofDoubles(new double[] {1, 2, 2, 4}, 2, 2)); // singular
    ts.add(Tensor.ofDoubles(new double[] {1, 2, 2, 1}, 2, 2)); // indefinite
    ts.add(Tensor.ofDoubles(new double[] {0, 0, 0, 0}, 2, 2));
    ts.add(Tensor.eye(3).to(DType.FLOAT64).expand(4, 3, 3));
    ts.add(Tensor.eye(3).to(DType.FLOAT64).expand(2, 3, 3).contiguous().transpose(-2, -1));
    ts.add(Tensor.eye(3)); // float32
    ts.add(Tensor.ofLongs(new long[] {1, 0, 0, 1}, 2, 2));
    ts.add(Tensor.ofBooleans(new boolean[] {true, false, false, true}, 2, 2));
    ts.add(Tensor.ofDoubles(new double[] {Double.NaN, 1, 1, Double.POSITIVE_INFINITY}, 2, 2));
    return ts;
  }

  static String describe(Tensor t) {
    return t == null ? "null" : t.dtype() + Arrays.toString(t.shape());
  }

  @Test
  void everyCallReturnsOrExplains() {
    List<Tensor> ts = awkward();
    int calls = 0;
    int explained = 0;
    for (Op op : OPS) {
      for (Tensor a : ts) {
        for (Tensor b : ts) {
          calls++;
          String what = op.name() + "(" + describe(a) + ", " + describe(b) + ")";
          try {
            op.call().apply(a, b);
          } catch (IllegalArgumentException | UnsupportedOperationException e) {
            explained++;
            String m = e.getMessage();
            assertTrue(
                m != null
                    && m.toLowerCase(Locale.ROOT).contains(op.name().toLowerCase(Locale.ROOT)),
                what + ": the message does not name the operation: " + m);
          } catch (RuntimeException e) {
            fail(what + " threw " + e, e);
          }
        }
      }
    }
    // the list holds both valid and invalid cases: some calls must fail, many must succeed
    assertTrue(explained > calls / 4 && explained < calls, explained + " of " + calls);
  }
}
