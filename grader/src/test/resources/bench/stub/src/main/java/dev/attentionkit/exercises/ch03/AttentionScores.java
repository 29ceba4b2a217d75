package dev.attentionkit.exercises.ch03;

import org.nd4j.linalg.api.ndarray.INDArray;

public final class AttentionScores {
    public static INDArray scoresFor(INDArray x, int q) {
        throw new UnsupportedOperationException("TODO");
    }

    public static INDArray weightsFor(INDArray x, int q) {
        throw new UnsupportedOperationException("TODO");
    }

    public static INDArray scores(INDArray x) {
        throw new UnsupportedOperationException("TODO");
    }

    public static INDArray contextVectors(INDArray x) {
        throw new UnsupportedOperationException("TODO");
    }
}
