package nabla.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import nabla.DType;
import nabla.Tensor;
import org.junit.jupiter.api.Test;

/**
 * An element's result does not depend on where it sits in a kernel call: the Vector API kernels
 * compute exp, sigmoid, silu and erf with their own vector code, which differs from the scalar
 * {@code Math}-based functions in the last bit, so before the fix the elements of a short call, or
 * the tail of a long one, came out differently from the same values in the middle of a long call —
 * and a log-softmax changed with its number of rows (the rows per thread, the rows of a vmap).
 */
class PositionIndependenceTest {

  private static Tensor random(DType dtype, int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextDouble(-12, 12);
    }
    return Tensor.ofDoubles(v, n).to(dtype);
  }

  @Test
  void elementwiseFunctionsGiveTheSameBitsAtEveryOffsetAndLength() {
    java.util.List<UnaryOperator<Tensor>> ops =
        java.util.List.of(Tensor::exp, Tensor::sigmoid, Tensor::silu, Tensor::erf, Tensor::erfc);
    for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      Tensor x = random(dtype, 301, 7);
      for (UnaryOperator<Tensor> op : ops) {
        double[] whole = op.apply(x).toDoubleArray();
        for (int start : new int[] {0, 1, 5, 17, 64}) {
          for (int len : new int[] {1, 3, 16, 31, 33, 100, 301 - 64}) {
            double[] part = op.apply(x.slice(0, start, start + len)).toDoubleArray();
            double[] expected = java.util.Arrays.copyOfRange(whole, start, start + len);
            assertArrayEquals(expected, part, 0.0, dtype + " at " + start + " length " + len);
          }
        }
      }
    }
  }

  @Test
  void logSoftmaxRowsDoNotDependOnHowManyRowsThereAre() {
    for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      Tensor x = random(dtype, 7 * 37, 11).reshape(7, 37);
      double[] all = x.logSoftmax(1).toDoubleArray();
      for (int rows = 1; rows <= 7; rows++) {
        double[] some = x.slice(0, 0, rows).logSoftmax(1).toDoubleArray();
        assertArrayEquals(
            java.util.Arrays.copyOf(all, rows * 37), some, 0.0, dtype + " with " + rows + " rows");
      }
    }
  }

  @Test
  void stridedInputsGiveTheBitsOfTheirContiguousCopy() {
    java.util.List<UnaryOperator<Tensor>> ops =
        java.util.List.of(Tensor::exp, Tensor::sigmoid, Tensor::silu, Tensor::erf, Tensor::sin);
    for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      Tensor x = random(dtype, 6 * 45, 13).reshape(6, 45);
      for (UnaryOperator<Tensor> op : ops) {
        Tensor t = x.transpose(0, 1); // [45, 6], strided rows
        assertArrayEquals(
            op.apply(t.contiguous()).toDoubleArray(), op.apply(t).toDoubleArray(), 0.0, "" + dtype);
        Tensor stepped = x.slice(1, 1, 45, 3); // every third column
        assertArrayEquals(
            op.apply(stepped.contiguous()).toDoubleArray(),
            op.apply(stepped).toDoubleArray(),
            0.0,
            "" + dtype);
      }
    }
  }
}
