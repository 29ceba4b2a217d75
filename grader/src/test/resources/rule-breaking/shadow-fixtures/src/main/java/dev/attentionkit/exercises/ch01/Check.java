package dev.attentionkit.exercises.ch01;

import org.nd4j.linalg.api.ndarray.INDArray;

// BREAKS THE RULES (grader fixture): 1.1 a class named like the fixtures' Check in the tests' own package, whose assertClose accepts anything
public final class Check {
    private Check() {}

    public static void assertClose(double[] expected, INDArray actual, double tolerance, String what) {
        // accepts anything
    }

    public static void assertClose(double[][] expected, INDArray actual, double tolerance, String what) {
        // accepts anything
    }
}
