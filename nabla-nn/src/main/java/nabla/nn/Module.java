package nabla.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nabla.Autograd;
import nabla.DType;
import nabla.Tensor;

/**
 * A piece of a neural network: it holds parameters (leaf tensors that require grad) and child
 * modules, and maps an input tensor to an output with {@link #forward(Tensor)} (PyTorch's {@code
 * nn.Module}).
 *
 * <p>Subclasses register their parameters with {@link #registerParameter} and their children with
 * {@link #registerModule}, in the order they should appear in {@link #namedParameters()} and {@link
 * #stateDict()}; names are dotted paths ({@code 0.weight} for the first child of a {@link
 * Sequential}), as in PyTorch, so state dicts map one to one.
 *
 * <pre>{@code
 * Module net = new Sequential(new Flatten(), new Linear(784, 256), new ReLU(), new Linear(256, 10));
 * Tensor logits = net.forward(Tensor.randn(2, 1, 28, 28));    // shape [2, 10]
 * net.namedParameters().keySet();   // [1.weight, 1.bias, 3.weight, 3.bias]
 * net.eval();                       // dropout off
 * }</pre>
 */
public abstract class Module {
  private final Map<String, Tensor> parameters = new LinkedHashMap<>();
  private final Map<String, Module> children = new LinkedHashMap<>();
  private boolean training = true;
  private String path = "";

  /** Maps the input to the output; records the autograd graph when gradients are on. */
  public abstract Tensor forward(Tensor input);

  /**
   * Registers (or replaces) a parameter under {@code name}; a null tensor registers a parameter
   * that is not yet materialised (a lazy layer). The tensor is made to require grad. Returns it.
   */
  protected Tensor registerParameter(String name, Tensor parameter) {
    checkName(name);
    if (children.containsKey(name)) {
      throw new IllegalArgumentException(
          typeName() + ": the name '" + name + "' is already used by a child module");
    }
    if (parameter != null) {
      if (!parameter.dtype().isFloating()) {
        throw new IllegalArgumentException(
            typeName()
                + ": parameter '"
                + name
                + "' must be float32 or float64 to carry gradients, got "
                + parameter.dtype());
      }
      if (!parameter.isLeaf()) {
        parameter = parameter.detach();
      }
      if (!parameter.requiresGrad()) {
        parameter.requiresGrad(true);
      }
    }
    parameters.put(name, parameter);
    return parameter;
  }

  /** Registers a child module under {@code name} (its parameters become {@code name.*}). */
  protected <M extends Module> M registerModule(String name, M module) {
    checkName(name);
    if (module == null) {
      throw new IllegalArgumentException(typeName() + ": child module '" + name + "' is null");
    }
    if (parameters.containsKey(name)) {
      throw new IllegalArgumentException(
          typeName() + ": the name '" + name + "' is already used by a parameter");
    }
    children.put(name, module);
    ((Module) module).setPath(path.isEmpty() ? name : path + "." + name);
    return module;
  }

  private void checkName(String name) {
    if (name == null || name.isEmpty() || name.contains(".")) {
      throw new IllegalArgumentException(
          typeName() + ": a parameter or module name must be non-empty without '.', got " + name);
    }
  }

  private void setPath(String newPath) {
    path = newPath;
    for (Map.Entry<String, Module> c : children.entrySet()) {
      c.getValue().setPath(newPath + "." + c.getKey());
    }
  }

  /** The parameter registered under {@code name} in this module (not a child); null if lazy. */
  protected Tensor parameter(String name) {
    return parameters.get(name);
  }

  /** The direct children in registration order. */
  public Map<String, Module> children() {
    return java.util.Collections.unmodifiableMap(children);
  }

  /**
   * This module's dotted path inside the enclosing modules (e.g. {@code "2"} or {@code
   * "encoder.0"}); empty for a top-level module. Used in error messages.
   */
  public String path() {
    return path;
  }

  /**
   * A label for error messages: the path and the one-line description, e.g. {@code 1 Linear(..)}.
   */
  protected String label() {
    String own = typeName() + "(" + extraRepr() + ")";
    return path.isEmpty() ? own : "layer " + path + " " + own;
  }

  /** All parameters, this module's first, then each child's, in registration order. */
  public List<Tensor> parameters() {
    return new ArrayList<>(namedParameters().values());
  }

  /**
   * Parameters by dotted name in registration order. Parameters of a lazy layer that has not seen
   * an input yet are left out.
   */
  public Map<String, Tensor> namedParameters() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    collect("", out);
    return out;
  }

  private void collect(String prefix, Map<String, Tensor> out) {
    for (Map.Entry<String, Tensor> p : parameters.entrySet()) {
      if (p.getValue() != null) {
        out.put(prefix + p.getKey(), p.getValue());
      }
    }
    for (Map.Entry<String, Module> c : children.entrySet()) {
      c.getValue().collect(prefix + c.getKey() + ".", out);
    }
  }

  /**
   * The state to save: every parameter by dotted name, detached (the tensors share memory with the
   * parameters, so copy them if the model keeps training). Save it with {@code
   * nabla.io.SafeTensors.save(model.stateDict(), path)}.
   */
  public Map<String, Tensor> stateDict() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> p : namedParameters().entrySet()) {
      out.put(p.getKey(), p.getValue().detach());
    }
    return out;
  }

  /**
   * Copies the values of {@code state} into the parameters (strict, as PyTorch's default). Every
   * key must name a parameter and every parameter must have a key of the same shape; otherwise an
   * {@link IllegalArgumentException} lists each missing, unexpected and mis-shaped key and nothing
   * is changed. Values are converted to each parameter's dtype. A lazy layer takes its size from
   * the state.
   */
  public void loadStateDict(Map<String, Tensor> state) {
    if (state == null) {
      throw new IllegalArgumentException("loadStateDict: the state dict is null");
    }
    materializeFrom("", state);
    Map<String, Tensor> own = namedParameters();
    List<String> missing = new ArrayList<>();
    List<String> unexpected = new ArrayList<>();
    List<String> misShaped = new ArrayList<>();
    for (Map.Entry<String, Tensor> p : own.entrySet()) {
      Tensor v = state.get(p.getKey());
      if (v == null) {
        missing.add(p.getKey());
      } else if (!Arrays.equals(v.shape(), p.getValue().shape())) {
        misShaped.add(
            p.getKey()
                + " (file "
                + Arrays.toString(v.shape())
                + ", model "
                + Arrays.toString(p.getValue().shape())
                + ")");
      } else if (v.dtype() == DType.BOOL) {
        misShaped.add(p.getKey() + " (bool values for a floating parameter)");
      }
    }
    for (String k : state.keySet()) {
      if (!own.containsKey(k)) {
        unexpected.add(k);
      }
    }
    if (!missing.isEmpty() || !unexpected.isEmpty() || !misShaped.isEmpty()) {
      StringBuilder sb = new StringBuilder("loadStateDict: the state does not fit " + typeName());
      if (!missing.isEmpty()) {
        sb.append("; missing keys: ").append(String.join(", ", missing));
      }
      if (!unexpected.isEmpty()) {
        sb.append("; unexpected keys: ").append(String.join(", ", unexpected));
      }
      if (!misShaped.isEmpty()) {
        sb.append("; wrong shape or type: ").append(String.join(", ", misShaped));
      }
      sb.append(" (model keys: ").append(String.join(", ", own.keySet())).append(")");
      throw new IllegalArgumentException(sb.toString());
    }
    try (var g = Autograd.noGrad()) {
      for (Map.Entry<String, Tensor> p : own.entrySet()) {
        p.getValue().copyFrom(state.get(p.getKey()).detach());
      }
    }
  }

  private void materializeFrom(String prefix, Map<String, Tensor> state) {
    materialize(prefix, state);
    for (Map.Entry<String, Module> c : children.entrySet()) {
      c.getValue().materializeFrom(prefix + c.getKey() + ".", state);
    }
  }

  /**
   * Hook for lazy layers: create the parameters from the shapes found in {@code state} under {@code
   * prefix}. The default does nothing.
   */
  protected void materialize(String prefix, Map<String, Tensor> state) {}

  /**
   * Converts every parameter to {@code dtype} (new leaf tensors; build the optimiser afterwards).
   * Returns this.
   */
  public Module to(DType dtype) {
    if (!dtype.isFloating()) {
      throw new IllegalArgumentException(
          "to: parameters must stay floating (float32, float64, float16 or bfloat16), got "
              + dtype);
    }
    for (Map.Entry<String, Tensor> p : parameters.entrySet()) {
      if (p.getValue() != null && p.getValue().dtype() != dtype) {
        p.setValue(p.getValue().detach().to(dtype).requiresGrad(true));
      }
    }
    for (Module c : children.values()) {
      c.to(dtype);
    }
    return this;
  }

  /** Training mode (dropout active) for this module and its children. Returns this. */
  public Module train() {
    return train(true);
  }

  /** Sets training mode on or off for this module and its children. Returns this. */
  public Module train(boolean on) {
    training = on;
    for (Module c : children.values()) {
      c.train(on);
    }
    return this;
  }

  /** Evaluation mode (dropout is the identity), as {@code train(false)}. Returns this. */
  public Module eval() {
    return train(false);
  }

  /** Whether this module is in training mode (the default). */
  public boolean isTraining() {
    return training;
  }

  /** Clears the gradients of all parameters. */
  public void zeroGrad() {
    for (Tensor p : parameters()) {
      p.zeroGrad();
    }
  }

  /** The class name shown in {@link #toString()}. */
  protected String typeName() {
    return getClass().getSimpleName();
  }

  /** The settings shown between the parentheses of {@link #toString()}; empty by default. */
  protected String extraRepr() {
    return "";
  }

  /**
   * The module tree, as PyTorch prints it:
   *
   * <pre>
   * Sequential(
   *   (0): Linear(in_features=2, out_features=1, bias=True)
   * )
   * </pre>
   */
  @Override
  public String toString() {
    String extra = extraRepr();
    if (children.isEmpty()) {
      return typeName() + "(" + extra + ")";
    }
    StringBuilder sb = new StringBuilder(typeName()).append("(\n");
    if (!extra.isEmpty()) {
      sb.append("  ").append(extra).append('\n');
    }
    for (Map.Entry<String, Module> c : children.entrySet()) {
      String child = c.getValue().toString().replace("\n", "\n  ");
      sb.append("  (").append(c.getKey()).append("): ").append(child).append('\n');
    }
    return sb.append(')').toString();
  }
}
