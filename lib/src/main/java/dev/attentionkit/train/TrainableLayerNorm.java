package dev.attentionkit.train;

import dev.attentionkit.transformer.LayerNorm;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A {@link LayerNorm} whose gamma ({@code weight}) and beta ({@code bias}) are SameDiff variables; the same formula,
 * over the last axis: {@code (x - mean) / sqrt(var + eps) · gamma + beta} with the biased variance.
 */
public final class TrainableLayerNorm {
    private final TrainableParameters parameters;   // weight (gamma) [d], bias (beta) [d]
    private final double eps;

    private TrainableLayerNorm(TrainableParameters parameters, double eps) {
        this.parameters = parameters;
        this.eps = eps;
    }

    /** Variables {@code name.weight} and {@code name.bias} from {@code plain.parameters()}, copies of its arrays. */
    public static TrainableLayerNorm from(SameDiff sd, String name, LayerNorm plain) {
        return new TrainableLayerNorm(TrainableParameters.of(sd, name, plain.parameters()), plain.eps());
    }

    /**
     * @param x {@code [.., d]}
     * @return the same shape
     */
    public SDVariable forward(SDVariable x) {
        SameDiff sd = x.getSameDiff();
        SDVariable gamma = parameters.variable("weight");             // [d]
        long d = gamma.getShape()[0];
        // On rows [n, d] with axis 1: SameDiff 1.0.0-M2.1's mean(true, -1) is wrong on rank 3 (lib/ND4J-WORKAROUNDS.md).
        SDVariable rows = x.reshape(-1, d);                           // [n, d]
        SDVariable mean = rows.mean(true, 1);                         // [n, 1]
        SDVariable centred = rows.sub(mean);                          // [n, d]
        SDVariable var = centred.mul(centred).mean(true, 1);          // [n, 1]  biased
        SDVariable y = centred.div(sd.math.sqrt(var.add(eps))).mul(gamma).add(parameters.variable("bias"));  // [n, d]
        return y.reshape(x.shape());                                  // [.., d]
    }

    /** A plain layer norm with the current (trained) values, copied. */
    public LayerNorm toPlain() {
        var trained = parameters.values();
        return LayerNorm.fromWeights(trained.get("weight"), trained.get("bias"), eps);
    }

    /** The variables by the plain layer's state_dict names. */
    public TrainableParameters parameters() {
        return parameters;
    }
}
