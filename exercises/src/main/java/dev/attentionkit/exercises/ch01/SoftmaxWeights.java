package dev.attentionkit.exercises.ch01;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Exercise 1.2 — from scores to attention weights with softmax (book section 3.3.1).
 *
 * <p>Softmax over the last axis: {@code w_j = exp(s_j) / Σ_k exp(s_k)}. Make it numerically stable:
 * subtracting the row's maximum first changes nothing mathematically but keeps {@code exp} from
 * overflowing when scores are large.
 */
public final class SoftmaxWeights {
    private SoftmaxWeights() {}

    /**
     * @param scores any shape {@code [..., keys]}
     * @return the same shape; every slice along the last axis is positive and sums to 1
     */
    public static INDArray softmax(INDArray scores) {
        // TODO Exercise 1.2: replace this line with your code.
        // Stuck? ./kit grade gives a nudge for each failing test, ./kit grade --hints full the whole recipe.
        throw new UnsupportedOperationException("Exercise 1.2 is not done yet");
    }
}
