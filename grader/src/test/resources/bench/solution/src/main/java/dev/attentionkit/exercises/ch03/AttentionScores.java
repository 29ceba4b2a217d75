package dev.attentionkit.exercises.ch03;

import dev.attentionkit.tensor.Softmax;
import org.nd4j.linalg.api.ndarray.INDArray;

public final class AttentionScores {
    public static INDArray scoresFor(INDArray x, int q) {
        return x.mmul(x.getRow(q).reshape(-1, 1)).reshape(-1);
    }

    public static INDArray weightsFor(INDArray x, int q) {
        return Softmax.lastAxis(scoresFor(x, q).reshape(1, -1)).reshape(-1);
    }

    public static INDArray scores(INDArray x) {
        return x.mmul(x.transpose());
    }

    public static INDArray contextVectors(INDArray x) {
        return Softmax.lastAxis(scores(x)).mmul(x);
    }
}
