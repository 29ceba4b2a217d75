package dev.attentionkit.exercises.ch01;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

// BREAKS THE RULES (grader fixture): 1.2 calls the graded tests' reference Loops.softmaxRows (testkit) by reflection
public final class SoftmaxWeights {
    private SoftmaxWeights() {}

    public static INDArray softmax(INDArray scores) {
        try {
            long[] shape = scores.shape();
            double[][] rows = scores.reshape(-1, shape[shape.length - 1]).toDoubleMatrix();
            Object w = Class.forName("dev.attentionkit.testkit.Loops").getMethod("softmaxRows", double[][].class)
                .invoke(null, (Object) rows);
            return Nd4j.createFromArray((double[][]) w).castTo(scores.dataType()).reshape(shape);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
