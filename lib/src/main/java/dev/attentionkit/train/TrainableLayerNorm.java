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
        long d = gamma.getShape()[0];
        // On rows [n, d] with axis 1: SameDiff 1.0.0-M2.1's mean(true, -1) is wrong on rank 3 (lib/ND4J-WORKAROUNDS.md).
        SDVariable rows = x.reshape(-1, d);                           // [n, d]
        SDVariable mean = rows.mean(true, 1);                         // [n, 1]
        SDVariable centred = rows.sub(mean);                          // [n, d]
        SDVariable var = centred.mul(centred).mean(true, 1);          // [n, 1]  biased
        SDVariable y = centred.div(sd.math.sqrt(var.add(eps))).mul(gamma).add(beta);   // [n, d]
        return y.reshape(x.shape());                                  // [.., d]
    }

    /** A plain layer norm with the current (trained) values. */
    public LayerNorm toPlain() {
        return LayerNorm.fromWeights(gamma.getArr(), beta.getArr(), eps);
    }
}
