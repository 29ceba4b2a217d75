package dev.attentionkit.train;

import dev.attentionkit.nn.Linear;
import dev.attentionkit.score.AdditiveScore;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * {@link AdditiveScore} (Bahdanau) as SameDiff variables: {@code score(q, k) = vᵀ · tanh(W_q · q + W_k · k)},
 * started from and written back to the plain score so that the plain class stays the definition.
 */
public final class TrainableAdditiveScore implements TrainableScore {
    private final TrainableLinear wQ; // [h, dQ]
    private final TrainableLinear wK; // [h, dK]
    private final SDVariable v;       // [h]

    private TrainableAdditiveScore(TrainableLinear wQ, TrainableLinear wK, SDVariable v) {
        this.wQ = wQ;
        this.wK = wK;
        this.v = v;
    }

    /** Variables {@code name.wQ.weight [h, dQ]}, {@code name.wK.weight [h, dK]}, {@code name.v [h]}. */
    public static TrainableAdditiveScore from(SameDiff sd, String name, AdditiveScore plain) {
        return new TrainableAdditiveScore(
            TrainableLinear.from(sd, name + ".wQ", Linear.fromWeights(plain.wQ(), null)),
            TrainableLinear.from(sd, name + ".wK", Linear.fromWeights(plain.wK(), null)),
            sd.var(name + ".v", plain.v().dup('c')));
    }

    /**
     * @param queries {@code [batch, queries, dQ]}
     * @param keys    {@code [batch, keys, dK]}
     * @return {@code [batch, queries, keys]}
     */
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
        return AdditiveScore.fromWeights(wQ.weight().getArr(), wK.weight().getArr(), v.getArr());
    }

    @Override
    public String describe() {
        return "Bahdanau (additive)";
    }
}
