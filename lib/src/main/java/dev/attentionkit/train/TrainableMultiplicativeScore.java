package dev.attentionkit.train;

import dev.attentionkit.score.MultiplicativeScore;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * {@link MultiplicativeScore} (Luong's "general" score) as SameDiff variables: {@code score(q, k) = qᵀ · W · k},
 * started from and written back to the plain score.
 */
public final class TrainableMultiplicativeScore implements TrainableScore {
    private final TrainableParameters parameters;   // by the plain score's name: w.weight
    private final TrainableLinear keyToQuery;       // weight W [dQ, dK]

    private TrainableMultiplicativeScore(TrainableParameters parameters) {
        this.parameters = parameters;
        keyToQuery = parameters.linear("w");
    }

    /** Variable {@code name.w.weight [dQ, dK]}, initialised from {@code plain.w()}. */
    public static TrainableMultiplicativeScore from(SameDiff sd, String name, MultiplicativeScore plain) {
        return new TrainableMultiplicativeScore(TrainableParameters.of(sd, name, plain.parameters()));
    }

    /** {@code queries [batch, queries, dQ]}, {@code keys [batch, keys, dK]} to scores {@code [batch, queries, keys]}. */
    @Override
    public SDVariable scores(SDVariable queries, SDVariable keys) {
        SDVariable mappedKeys = keyToQuery.forward(keys);                               // [b, k, dQ]
        return queries.getSameDiff().mmul(queries, mappedKeys, false, true, false);    // [b, q, k]
    }

    /** A plain {@link MultiplicativeScore} with the current (trained) {@code W}. */
    public MultiplicativeScore toPlain() {
        return MultiplicativeScore.fromWeights(parameters.values().get("w.weight"));
    }

    /** The variables by the plain score's parameter name. */
    public TrainableParameters parameters() {
        return parameters;
    }

    @Override
    public String describe() {
        return "Luong (multiplicative)";
    }
}
