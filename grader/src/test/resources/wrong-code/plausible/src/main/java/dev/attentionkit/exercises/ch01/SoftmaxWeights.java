package dev.attentionkit.exercises.ch01;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

// WRONG ON PURPOSE (grader fixture): 1.2 subtracts the global maximum instead of each row's
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
        int last = scores.rank() - 1;
        INDArray exp = Transforms.exp(scores.sub(scores.maxNumber().doubleValue()), false); // max keeps [..., 1]
        return exp.divi(exp.sum(true, last));
    }
}
