package dev.attentionkit.score;

import dev.attentionkit.nn.Linear;
import dev.attentionkit.nn.NamedParameters;
import dev.attentionkit.nn.TorchRandom;
import dev.attentionkit.tensor.Shapes;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Luong's "general" score, {@code score(q, k) = qᵀ · W · k} with a trainable {@code W [dQ, dK]}: a dot
 * product after mapping the key into the query's space, so queries and keys may differ in size.
 */
public final class MultiplicativeScore implements ScoreFunction, NamedParameters {
    private final Linear keyToQuery; // weight W [dQ, dK]: k ↦ W · k

    private MultiplicativeScore(Linear keyToQuery) {
        this.keyToQuery = keyToQuery;
    }

    /**
     * {@code W} as {@code nn.Linear(dK, dQ, bias=False).weight} after {@code torch.manual_seed(seed)}:
     * uniform in {@code ±1/sqrt(dK)}.
     */
    public static MultiplicativeScore fromSeed(long dQ, long dK, long seed) {
        return new MultiplicativeScore(Linear.init(dK, dQ, false, TorchRandom.manualSeed(seed)));
    }

    /** @param w {@code [dQ, dK]} (copied) */
    public static MultiplicativeScore fromWeights(INDArray w) {
        Shapes.requireMatrix(w, "W", "[dQ, dK]");
        return new MultiplicativeScore(Linear.fromWeights(w, null));
    }

    /**
     * @param queries {@code [(batch,) queries, dQ]}
     * @param keys    {@code [(batch,) keys, dK]}
     * @return {@code [(batch,) queries, keys]}
     */
    @Override
    public INDArray scores(INDArray queries, INDArray keys) {
        ScoreShapes.check("MultiplicativeScore", queries, keys, dQ(), dK());
        INDArray mappedKeys = keyToQuery.forward(keys);                   // [b, k, dQ]
        return Nd4j.matmul(queries, mappedKeys, false, true, false);      // [b, q, k]
    }

    /** {@code W [dQ, dK]} (the live array). */
    public INDArray w() {
        return keyToQuery.weight();
    }

    public long dQ() {
        return keyToQuery.outFeatures();
    }

    public long dK() {
        return keyToQuery.inFeatures();
    }

    /** {@code w.weight [dQ, dK]}; live. */
    @Override
    public Map<String, INDArray> parameters() {
        return NamedParameters.builder().add("w", keyToQuery).build();
    }

    @Override
    public String toString() {
        return "MultiplicativeScore(dQ=" + dQ() + ", dK=" + dK() + ")";
    }
}
