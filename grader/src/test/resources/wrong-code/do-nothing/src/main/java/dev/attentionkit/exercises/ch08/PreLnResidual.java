package dev.attentionkit.exercises.ch08;

import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

// WRONG ON PURPOSE (grader fixture): 8.3 returns x
/**
 * Exercise 8.3 — a pre-LN residual sub-layer, the pattern a transformer block uses twice:
 *
 * <pre>
 * y = x + sublayer(layerNorm(x))
 * </pre>
 *
 * The sub-layer reads the normalised {@code x}; the residual path adds the raw {@code x} back, unchanged.
 */
public final class PreLnResidual {
    private PreLnResidual() {}

    /**
     * @param x        {@code [rows, d]}
     * @param gamma    layer-norm scale {@code [d]}
     * @param beta     layer-norm shift {@code [d]}
     * @param sublayer maps {@code [rows, d]} to {@code [rows, d]} (attention or a feed-forward network)
     * @return {@code [rows, d]}
     */
    public static INDArray apply(INDArray x, INDArray gamma, INDArray beta, UnaryOperator<INDArray> sublayer) {
        return x;                                                                 // right for a zero sub-layer only                                 // [rows, d]
    }
}
