package dev.attentionkit.exercises.ch02;

import dev.attentionkit.testkit.Loops;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

// BREAKS THE RULES (grader fixture): 2.1 returns the graded tests' reference attention (testkit's Loops.selfAttention) instead of computing it
public final class MySelfAttentionV1 {
    private final INDArray wQuery;
    private final INDArray wKey;
    private final INDArray wValue;

    public MySelfAttentionV1(INDArray wQuery, INDArray wKey, INDArray wValue) {
        this.wQuery = wQuery;
        this.wKey = wKey;
        this.wValue = wValue;
    }

    public INDArray forward(INDArray x) {
        double[][] context = Loops.selfAttention(x.toDoubleMatrix(), wQuery.toDoubleMatrix(), wKey.toDoubleMatrix(),
            wValue.toDoubleMatrix());
        return Nd4j.createFromArray(context).castTo(x.dataType());
    }
}
