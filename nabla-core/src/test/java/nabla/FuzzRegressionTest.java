package nabla;

import static nabla.MisuseTest.assertFails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.function.Function;
import nabla.storage.Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Counter-examples found by {@link ApiFuzzTest}, one named test each: before its fix, every one of
 * these threw an ArrayIndexOutOfBounds or NullPointerException from inside the library, or took
 * seconds.
 */
class FuzzRegressionTest {

  // ------------------------------------------------------------------ 0-d tensors

  @Test
  void sizeOfA0dTensorIsAClearError() {
    Tensor s = Tensor.scalar(1);
    assertFails(IllegalArgumentException.class, () -> s.size(0), "size", "0-d");
    assertFails(IllegalArgumentException.class, () -> s.size(-1), "size", "0-d");
    assertEquals(3, Tensor.zeros(2, 3).size(-1));
  }

  @Test
  void scatterAddIntoA0dTensorIsAClearError() {
    Tensor self = Tensor.scalar(0);
    Tensor index = Tensor.scalar(0, DType.INT64);
    assertFails(
        IllegalArgumentException.class,
        () -> self.scatterAdd(0, index, Tensor.scalar(1)),
        "scatterAdd",
        "0-d");
  }

  // ------------------------------------------------------------------ embed

  @Test
  void embedIntoA0dShapeIsAClearError() {
    assertFails(
        IllegalArgumentException.class,
        () -> Tensor.scalar(1).embed(new int[0], 0, 0, 1),
        "embed",
        "0-d");
  }

  @Test
  void embedWithANegativeStartOrStepIsAClearError() {
    Tensor x = Tensor.ones(1);
    assertFails(
        IllegalArgumentException.class, () -> x.embed(new int[] {3}, 0, -1, 1), "embed", "-1");
    assertFails(
        IllegalArgumentException.class,
        () -> Tensor.ones(4).embed(new int[] {4}, 0, 0, -1),
        "embed",
        "step");
    // step 0 would write every element to one place
    assertFails(
        IllegalArgumentException.class,
        () -> Tensor.ones(2).embed(new int[] {4}, 0, 0, 0),
        "embed",
        "step");
  }

  @Test
  void embedWhoseLastPositionOverflowsAnIntIsAClearError() {
    assertFails(
        IllegalArgumentException.class,
        () -> Tensor.ones(2).embed(new int[] {4}, 0, 3, Integer.MAX_VALUE),
        "embed",
        "do not fit");
  }

  @Test
  void embedStillPlacesValues() {
    Tensor r = Tensor.of(1, 2).embed(new int[] {5}, 0, 1, 2);
    assertArrayEquals(new double[] {0, 1, 0, 2, 0}, r.toDoubleArray());
  }

  // ------------------------------------------------------------------ empty tensors

  @Test
  void sumOverAHugeEmptyDimensionReturnsAtOnce() {
    // [2^31-1, 0] holds no element; its column sum used to walk 2^31-1 empty rows (seconds once
    // the kernel was compiled).
    Tensor e = Tensor.zeros(0).expand(Integer.MAX_VALUE, 0);
    Tensor small = Tensor.ones(3, 4);
    assertTimeout(
        Duration.ofSeconds(2),
        () -> {
          for (int rep = 0; rep < 3; rep++) {
            assertArrayEquals(new int[] {1, 0}, e.sum(new int[] {0}, true).shape());
            for (int i = 0; i < 20_000; i++) {
              small.sum(new int[] {0}, false); // gets the column-sum kernel compiled
            }
          }
        });
    assertArrayEquals(new double[] {3, 3, 3, 3}, small.sum(new int[] {0}, false).toDoubleArray());
  }

  // ------------------------------------------------------------------ user functions returning
  // null

  @Test
  void transformsNameThemselvesWhenTheFunctionReturnsNull() {
    Function<Tensor, Tensor> f = x -> null;
    Tensor x = Tensor.of(1, 2);
    Tensor v = Tensor.of(1, 1);
    returnsNull("grad", () -> Autograd.grad(f).apply(x));
    returnsNull("grad", () -> Autograd.valueAndGrad(f).apply(x));
    returnsNull("gradWrt", () -> Autograd.gradWrt(a -> null).apply(new Tensor[] {x}));
    returnsNull("gradWithAux", () -> Autograd.gradWithAux(t -> null).apply(x));
    returnsNull("vjp", () -> Autograd.vjp(f, x, v));
    returnsNull("jvp", () -> Autograd.jvp(f, x, v));
    returnsNull("jvp", () -> Autograd.valueAndJvp(f, x, v));
    returnsNull("jacrev", () -> Autograd.jacobian(f, x));
    returnsNull("jacrev", () -> Autograd.jacrev(f, x));
    returnsNull("jvp", () -> Autograd.jacfwd(f, x)); // one jvp per column
    returnsNull("jacfwd", () -> Autograd.jacfwd(f, Tensor.zeros(0)));
    returnsNull("grad", () -> Autograd.hessian(f, x));
    returnsNull("grad", () -> Autograd.hvp(f, x, v));
    assertTrue(Autograd.isGradEnabled());
  }

  private static void returnsNull(String op, Executable call) {
    assertFails(IllegalStateException.class, call, op + ": the function returned null");
  }

  // ------------------------------------------------------------------ null arguments

  @Test
  void nullTensorArgumentsNameTheOperationAndTheParameter() {
    Tensor x = Tensor.of(1, 2, 3);
    Tensor idx = Tensor.ofLongs(new long[] {0});
    rejectsNull("add", "other", () -> x.add(null));
    rejectsNull("eq", "other", () -> x.eq((Tensor) null));
    rejectsNull("pow", "exponent", () -> x.pow(null));
    rejectsNull("logicalAnd", "other", () -> x.logicalAnd(null));
    rejectsNull("logicalOr", "other", () -> x.logicalOr(null));
    rejectsNull("addInPlace", "other", () -> x.addInPlace(null));
    rejectsNull("subInPlace", "other", () -> x.subInPlace(null));
    rejectsNull("copyFrom", "src", () -> x.copyFrom(null));
    rejectsNull("matmul", "other", () -> x.matmul(null));
    rejectsNull("matmul", "other", () -> Tensor.scalar(1).matmul(null));
    rejectsNull("dot", "other", () -> x.dot(null));
    rejectsNull("mseLoss", "target", () -> x.mseLoss(null));
    rejectsNull("crossEntropy", "target", () -> x.crossEntropy(null));
    rejectsNull("gather", "index", () -> x.gather(0, null));
    rejectsNull("scatterAdd", "index", () -> x.scatterAdd(0, null, x));
    rejectsNull("scatterAdd", "src", () -> x.scatterAdd(0, idx, null));
    rejectsNull("indexSelect", "index", () -> x.indexSelect(0, null));
    rejectsNull("maskedSelect", "mask", () -> x.maskedSelect(null));
    rejectsNull("where", "condition", () -> Tensor.where(null, x, x));
    rejectsNull("where", "x", () -> Tensor.where(x.gt(1), null, x));
    rejectsNull("where", "y", () -> Tensor.where(x.gt(1), x, null));
    rejectsNull("where", "x", () -> Tensor.where(x.gt(1), null, 0.0));
    rejectsNull("cat", "tensors", () -> Tensor.cat(0, (Tensor[]) null));
    rejectsNull("cat", "tensors[1]", () -> Tensor.cat(0, x, null));
    rejectsNull("stack", "tensors[0]", () -> Tensor.stack(0, null, x));
  }

  @Test
  void nullArraysAndDtypesNameTheOperationAndTheParameter() {
    Tensor x = Tensor.of(1, 2, 3);
    rejectsNull("to", "dtype", () -> x.to(null));
    rejectsNull("reshape", "shape", () -> x.reshape((int[]) null));
    rejectsNull("expand", "shape", () -> x.expand((int[]) null));
    rejectsNull("permute", "dims", () -> x.permute((int[]) null));
    rejectsNull("embed", "shape", () -> x.embed(null, 0, 0, 1));
    rejectsNull("empty", "dtype", () -> Tensor.empty(null, 2));
    rejectsNull("empty", "dtype", () -> Tensor.scalar(1, null));
    rejectsNull("zeros", "shape", () -> Tensor.zeros((int[]) null));
    rejectsNull("normal", "shape", () -> Tensor.randn((int[]) null));
    rejectsNull("of", "data", () -> Tensor.of((double[]) null));
    rejectsNull("of", "data", () -> Tensor.of((float[]) null, 2));
    rejectsNull("of", "shape", () -> Tensor.of(new double[] {1}, (int[]) null));
    rejectsNull("ofDoubles", "data", () -> Tensor.ofDoubles(null));
    rejectsNull("ofLongs", "data", () -> Tensor.ofLongs(null));
    rejectsNull("ofLongs", "shape", () -> Tensor.ofLongs(new long[] {1}, (int[]) null));
    rejectsNull("ofBooleans", "data", () -> Tensor.ofBooleans(null));
    rejectsNull("fromStorage", "storage", () -> Tensor.fromStorage(null, 1));
    rejectsNull(
        "asStrided", "storage", () -> Tensor.asStrided(null, new int[] {1}, new int[] {1}, 0));
    rejectsNull(
        "asStrided",
        "strides",
        () -> Tensor.asStrided(Storage.allocate(DType.FLOAT32, 1), new int[] {1}, null, 0));
  }

  @Test
  void nullArgumentsOfAutogradNameTheOperationAndTheParameter() {
    Tensor x = Tensor.of(1, 2, 3);
    Tensor w = Tensor.of(1, 2).requiresGrad(true);
    Tensor y = w.mul(2).sum();
    Function<Tensor, Tensor> f = t -> t.sum();
    rejectsNull("backward", "output", () -> Autograd.backward(null, x, false, false));
    rejectsNull("grad", "output", () -> Autograd.grad(null, x));
    rejectsNull("grad", "inputs[0]", () -> Autograd.grad(y, (Tensor) null));
    rejectsNull("grad", "outputs", () -> Autograd.grad(null, new Tensor[1], false, false, w));
    rejectsNull("grad", "gradients", () -> Autograd.grad(new Tensor[] {y}, null, false, false, w));
    rejectsNull("grad", "f", () -> Autograd.grad((Function<Tensor, Tensor>) null));
    rejectsNull("grad", "x", () -> Autograd.grad(f).apply(null));
    rejectsNull("valueAndGrad", "f", () -> Autograd.valueAndGrad(null));
    rejectsNull("gradWrt", "f", () -> Autograd.gradWrt(null));
    rejectsNull("gradWrt", "argnums", () -> Autograd.gradWrt(a -> a[0].sum(), (int[]) null));
    rejectsNull("gradWrt", "args", () -> Autograd.gradWrt(a -> a[0].sum()).apply(null));
    rejectsNull("gradWrt", "args[0]", () -> Autograd.gradWrt(a -> a[0].sum()).apply(new Tensor[1]));
    rejectsNull("gradWithAux", "f", () -> Autograd.gradWithAux(null));
    rejectsNull("vjp", "f", () -> Autograd.vjp(null, x, x));
    rejectsNull("vjp", "x", () -> Autograd.vjp(f, null, x));
    rejectsNull("vjp", "v", () -> Autograd.vjp(f, x, null));
    rejectsNull("jvp", "f", () -> Autograd.jvp(null, x, x));
    rejectsNull("jvp", "x", () -> Autograd.jvp(f, null, x));
    rejectsNull("jvp", "v", () -> Autograd.valueAndJvp(f, x, null));
    rejectsNull("jacrev", "f", () -> Autograd.jacobian(null, x));
    rejectsNull("jacrev", "x", () -> Autograd.jacrev(f, null));
    rejectsNull("jacfwd", "f", () -> Autograd.jacfwd(null, x));
    rejectsNull("jacfwd", "x", () -> Autograd.jacfwd(f, null));
    rejectsNull("hessian", "f", () -> Autograd.hessian(null, x));
    rejectsNull("hvp", "f", () -> Autograd.hvp(null, x, x));
    rejectsNull("checkpoint", "f", () -> Autograd.checkpoint(null, x));
    rejectsNull("checkpoint", "x", () -> Autograd.checkpoint(f, null));
    assertTrue(Autograd.isGradEnabled());
  }

  @Test
  void nullArgumentsOfAGradientTapeNameTheOperationAndTheParameter() {
    Tensor x = Tensor.of(1, 2);
    try (GradientTape tape = GradientTape.open()) {
      rejectsNull("watch", "x", () -> tape.watch(null));
      tape.watch(x);
      Tensor y = x.mul(x).sum();
      rejectsNull("gradient", "target", () -> tape.gradient(null, x));
      rejectsNull("gradient", "source", () -> tape.gradient(y, (Tensor) null));
      rejectsNull("gradient", "sources", () -> tape.gradient(y, (Tensor[]) null));
      rejectsNull("gradient", "sources[1]", () -> tape.gradient(y, x, null));
      // the rejected calls did not use up the one-shot tape
      assertArrayEquals(new double[] {2, 4}, tape.gradient(y, x).toDoubleArray());
    }
  }

  private static void rejectsNull(String op, String parameter, Executable call) {
    assertFails(IllegalArgumentException.class, call, op + ": " + parameter + " must not be null");
  }

  @Test
  void nullsTheApiDocumentsStillWork() {
    Tensor x = Tensor.of(1, 2, 3).requiresGrad(true);
    assertEquals(6.0, x.sum(null, false).item());
    x.setGrad(null);
    Tensor y = x.mul(x).sum();
    assertEquals(2.0, Autograd.grad(y, null, true, false, x)[0].toDoubleArray()[0]);
    // A null head gradient means ones for a one-element output, in backward as in grad.
    Autograd.backward(y, null, false, false);
    assertArrayEquals(new double[] {2, 4, 6}, x.grad().toDoubleArray());
    assertFails(
        IllegalArgumentException.class,
        () -> Autograd.backward(x.mul(2), null, false, false),
        "backward",
        "[3]");
    assertTrue(Autograd.isGradEnabled());
  }
}
