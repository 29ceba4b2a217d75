package dev.attentionkit.score;

import dev.attentionkit.nn.Linear;
import dev.attentionkit.nn.NamedParameters;
import dev.attentionkit.nn.TorchRandom;
import dev.attentionkit.tensor.Shapes;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Luong's location-based score, {@code a_t = softmax(W_a · h_t)}: the scores come from the query alone,
 * one per key position, with {@code W_a [maxKeys, dQ]}; the keys contribute only their count, and the
 * scores are cut to it. The model learns where to look, not what to look for.
 */
public final class LocationScore implements ScoreFunction, NamedParameters {
    private final Linear wA; // [maxKeys, dQ]

    private LocationScore(Linear wA) {
        this.wA = wA;
    }

    /** {@code W_a} as {@code nn.Linear(dQ, maxKeys, bias=False).weight} after {@code torch.manual_seed(seed)}. */
    public static LocationScore fromSeed(long dQ, long maxKeys, long seed) {
        return new LocationScore(Linear.init(dQ, maxKeys, false, TorchRandom.manualSeed(seed)));
    }

    /** @param wA {@code [maxKeys, dQ]} (copied) */
    public static LocationScore fromWeights(INDArray wA) {
        Shapes.requireMatrix(wA, "W_a", "[maxKeys, dQ]");
        return new LocationScore(Linear.fromWeights(wA, null));
    }

    /**
     * @param queries {@code [(batch,) queries, dQ]}
     * @param keys    {@code [(batch,) keys, any]} with {@code keys <= maxKeys}; only their number is used
     * @return {@code [(batch,) queries, keys]}
     */
    @Override
    public INDArray scores(INDArray queries, INDArray keys) {
        ScoreShapes.check("LocationScore", queries, keys, dQ(), -1);
        long nk = keys.size(-2);
        if (nk > maxKeys()) {
            throw new IllegalArgumentException(String.format(
                "LocationScore: keys %s has %d positions, more than maxKeys = %d of W_a %s",
                Shapes.describe(keys), nk, maxKeys(), Shapes.describe(wA.weight())));
        }
        INDArray all = wA.forward(queries);                               // [b, q, maxKeys]
        INDArray cut = queries.rank() == 3
            ? all.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, nk))
            : all.get(NDArrayIndex.all(), NDArrayIndex.interval(0, nk));
        return cut.dup('c');                                              // [b, q, k]
    }

    /** {@code W_a [maxKeys, dQ]} (the live array). */
    public INDArray wA() {
        return wA.weight();
    }

    public long dQ() {
        return wA.inFeatures();
    }

    public long maxKeys() {
        return wA.outFeatures();
    }

    /** {@code wA.weight [maxKeys, dQ]}; live. */
    @Override
    public Map<String, INDArray> parameters() {
        return NamedParameters.builder().add("wA", wA).build();
    }

    @Override
    public String toString() {
        return "LocationScore(dQ=" + dQ() + ", maxKeys=" + maxKeys() + ")";
    }
}
