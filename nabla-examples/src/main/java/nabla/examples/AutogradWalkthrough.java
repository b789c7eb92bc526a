package nabla.examples;

/** Placeholder for the D2L 2.5 autograd walkthrough (to be replaced). */
public final class AutogradWalkthrough {
    private AutogradWalkthrough() {}

    /**
     * Runs the walkthrough.
     *
     * @param out where to print
     */
    public static void run(java.io.PrintStream out) { out.println("walkthrough pending"); }
}
