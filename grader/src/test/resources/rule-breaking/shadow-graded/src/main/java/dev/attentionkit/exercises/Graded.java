package dev.attentionkit.exercises;

import org.nd4j.linalg.api.ndarray.INDArray;

// BREAKS THE RULES (grader fixture): 1.1 a Graded.java of its own (the name of the tests' former helper), whose assertClose accepts anything, in the tests' root package
public final class Graded {
    private Graded() {}

    public static void assertClose(double[][] expected, INDArray actual, double tolerance, String what) {
        // accepts anything
    }

    public static void assertClose(double[] expected, INDArray actual, double tolerance, String what) {
        // accepts anything
    }

    public static void assertClose(long[] shape, double[] expected, INDArray actual, double tolerance, String what) {
        // accepts anything
    }
}
