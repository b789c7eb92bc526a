package nabla.spark;

import java.io.Serializable;

/** The model's parameter values after {@code version} optimiser steps, as broadcast each step. */
record ParameterSnapshot(long version, float[][] values) implements Serializable {}
