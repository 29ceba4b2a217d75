package dev.attentionkit.exercises.ch01;

import dev.attentionkit.tensor.Softmax;
import org.nd4j.linalg.api.ndarray.INDArray;

// BREAKS THE RULES (grader fixture): 1.2 a one-line delegation to the kit's Softmax.lastAxis
public final class SoftmaxWeights {
    private SoftmaxWeights() {}

    public static INDArray softmax(INDArray scores) {
        return Softmax.lastAxis(scores);
    }
}
