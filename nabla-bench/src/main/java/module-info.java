/**
 * The JMH benchmarks W1-W6 and the harness behind {@code tools/bench/compare.py}.
 *
 * <p>This descriptor is checked at compile time only: the benchmarks run from the shaded {@code
 * target/benchmarks.jar} on the class path (JMH's runner and forks load the generated classes by
 * name), and the shade configuration leaves every {@code module-info.class} out of that jar.
 */
@SuppressWarnings("requires-automatic") // JMH has no module descriptor (module name from the jar)
module nabla.bench {
  requires nabla.core;
  requires nabla.nn; // TrainEpochs
  requires jmh.core;
  requires java.management; // Compare records the JVM's arguments
  requires jdk.management; // TrainEpochs reads the process CPU time
  requires static jdk.incubator.vector; // FmaPeak (run with --add-modules=jdk.incubator.vector)
}
