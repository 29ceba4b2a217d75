package dev.attentionkit.train;

import dev.attentionkit.score.AdditiveScore;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * {@link AdditiveScore} (Bahdanau) as SameDiff variables: {@code score(q, k) = vᵀ · tanh(W_q · q + W_k · k)},
 * started from and written back to the plain score so that the plain class stays the definition.
 */
public final class TrainableAdditiveScore implements TrainableScore {
    private final TrainableParameters parameters;   // by the plain score's names: wQ.weight, wK.weight, v
    private final TrainableLinear wQ;               // [h, dQ]
    private final TrainableLinear wK;               // [h, dK]
    private final SDVariable v;                     // [h]

    private TrainableAdditiveScore(TrainableParameters parameters) {
        this.parameters = parameters;
        wQ = parameters.linear("wQ");
        wK = parameters.linear("wK");
        v = parameters.variable("v");
    }

    /** Variables {@code name.wQ.weight [h, dQ]}, {@code name.wK.weight [h, dK]}, {@code name.v [h]}. */
    public static TrainableAdditiveScore from(SameDiff sd, String name, AdditiveScore plain) {
        return new TrainableAdditiveScore(TrainableParameters.of(sd, name, plain.parameters()));
    }

    /** {@code queries [batch, queries, dQ]}, {@code keys [batch, keys, dK]} to scores {@code [batch, queries, keys]}. */
    @Override
    public SDVariable scores(SDVariable queries, SDVariable keys) {
        SameDiff sd = queries.getSameDiff();
        SDVariable qp = sd.expandDims(wQ.forward(queries), 2);            // [b, q, 1, h]
        SDVariable kp = sd.expandDims(wK.forward(keys), 1);               // [b, 1, k, h]
        SDVariable features = sd.math.tanh(qp.add(kp));                   // [b, q, k, h] by broadcasting
        return features.mul(v).sum(3);                                    // [b, q, k]
    }

    /** A plain {@link AdditiveScore} with the current (trained) weights. */
    public AdditiveScore toPlain() {
        var trained = parameters.values();
        return AdditiveScore.fromWeights(trained.get("wQ.weight"), trained.get("wK.weight"), trained.get("v"));
    }

    /** The variables by the plain score's parameter names. */
    public TrainableParameters parameters() {
        return parameters;
    }

    @Override
    public String describe() {
        return "Bahdanau (additive)";
    }
}
