package dev.attentionkit.train;

import dev.attentionkit.transformer.LayerNorm;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A {@link LayerNorm} whose gamma and beta are SameDiff variables; the same formula, over the last axis:
 * {@code (x - mean) / sqrt(var + eps) · gamma + beta} with the biased variance.
 */
public final class TrainableLayerNorm {
    private final SDVariable gamma; // [d]
    private final SDVariable beta;  // [d]
    private final double eps;

    private TrainableLayerNorm(SDVariable gamma, SDVariable beta, double eps) {
        this.gamma = gamma;
        this.beta = beta;
        this.eps = eps;
    }

    /** Variables {@code name.gamma} and {@code name.beta}, copies of {@code plain}'s. */
    public static TrainableLayerNorm from(SameDiff sd, String name, LayerNorm plain) {
        return new TrainableLayerNorm(sd.var(name + ".gamma", plain.gamma().dup('c')),
            sd.var(name + ".beta", plain.beta().dup('c')), plain.eps());
    }

    /**
     * @param x {@code [.., d]}
     * @return the same shape
     */
    public SDVariable forward(SDVariable x) {
        SameDiff sd = x.getSameDiff();
        SDVariable mean = x.mean(true, -1);                          // [.., 1]
        SDVariable centred = x.sub(mean);                            // [.., d]
        SDVariable var = centred.mul(centred).mean(true, -1);        // [.., 1]
        return centred.div(sd.math.sqrt(var.add(eps))).mul(gamma).add(beta);
    }

    /** A plain layer norm with the current (trained) values. */
    public LayerNorm toPlain() {
        return LayerNorm.fromWeights(gamma.getArr(), beta.getArr(), eps);
    }
}
