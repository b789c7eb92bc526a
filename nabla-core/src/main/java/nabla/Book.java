package nabla;

/**
 * A backward pass's bookkeeping for one node: how many consumers have not yet sent their gradient,
 * the sum received so far, and whether the node leads to a requested tensor. {@link Node} extends
 * it so that the pass owning a node keeps these in the node itself (no map lookups); other passes
 * keep theirs in a map (see {@code Engine.Pass}).
 */
class Book {
  int dependents;
  Tensor pending;
  boolean needed;
}
