package dev.attentionkit.train;

import dev.attentionkit.nn.Linear;
import dev.attentionkit.score.MultiplicativeScore;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * {@link MultiplicativeScore} (Luong's "general" score) as SameDiff variables: {@code score(q, k) = qᵀ · W · k},
 * started from and written back to the plain score.
 */
public final class TrainableMultiplicativeScore implements TrainableScore {
    private final TrainableLinear keyToQuery; // weight W [dQ, dK]

    private TrainableMultiplicativeScore(TrainableLinear keyToQuery) {
        this.keyToQuery = keyToQuery;
    }

    /** Variable {@code name.w.weight [dQ, dK]}, initialised from {@code plain.w()}. */
    public static TrainableMultiplicativeScore from(SameDiff sd, String name, MultiplicativeScore plain) {
        return new TrainableMultiplicativeScore(TrainableLinear.from(sd, name + ".w", Linear.fromWeights(plain.w(), null)));
    }

    /**
     * @param queries {@code [batch, queries, dQ]}
     * @param keys    {@code [batch, keys, dK]}
     * @return {@code [batch, queries, keys]}
     */
    @Override
    public SDVariable scores(SDVariable queries, SDVariable keys) {
        SDVariable mappedKeys = keyToQuery.forward(keys);                               // [b, k, dQ]
        return queries.getSameDiff().mmul(queries, mappedKeys, false, true, false);    // [b, q, k]
    }

    /** A plain {@link MultiplicativeScore} with the current (trained) {@code W}. */
    public MultiplicativeScore toPlain() {
        return MultiplicativeScore.fromWeights(keyToQuery.weight().getArr());
    }

    @Override
    public String describe() {
        return "Luong (multiplicative)";
    }
}
