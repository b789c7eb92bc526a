/**
 * The {@code nabla} command-line tool and the D2L section 2.5 walkthrough and exercises.
 *
 * <p>Run on the module path by the {@code ./nabla} launcher: {@code java --add-modules
 * jdk.incubator.vector -p nabla-examples.jar:lib -m nabla.examples/nabla.cli.NablaCli}.
 */
@SuppressWarnings("requires-automatic") // jfreechart has no module descriptor
module nabla.examples {
  requires transitive nabla.core; // the examples' public methods take and return tensors
  requires transitive nabla.nn; // ... and models and training metrics
  requires info.picocli;
  requires org.jfree.jfreechart;
  requires org.apache.commons.csv; // D2L 2.2
  requires java.desktop; // the exercise plots (java.awt)

  exports nabla.examples;

  // picocli reads the command classes' annotated fields reflectively
  opens nabla.cli to
      info.picocli;
}
