package dev.attentionkit.exercises.ch01;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

// BREAKS THE RULES (grader fixture): 1.1 does nothing; either shadowing Check.java would pass it
public final class AttentionScores {
    private AttentionScores() {}

    public static INDArray forQuery(INDArray inputs, int query) {
        return Nd4j.zeros(inputs.rows());
    }
}
