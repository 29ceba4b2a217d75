package dev.attentionkit.exercises.ch01;

import dev.attentionkit.testkit.Loops;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

// BREAKS THE RULES (grader fixture): 1.3 hands the inputs to the graded tests' own plain-loop references (testkit's Loops), which compute exactly what the tests expect
public final class ContextVectors {
    private ContextVectors() {}

    public static INDArray all(INDArray inputs) {
        double[][] x = inputs.toDoubleMatrix();
        double[][] weights = Loops.softmaxRows(Loops.matmul(x, Loops.transpose(x)));
        return Nd4j.createFromArray(Loops.matmul(weights, x)).castTo(inputs.dataType());
    }
}
