package dev.attentionkit.score;

import dev.attentionkit.nn.Linear;
import dev.attentionkit.nn.NamedParameters;
import dev.attentionkit.nn.TorchRandom;
import dev.attentionkit.tensor.Shapes;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Bahdanau's additive score, {@code score(q, k) = vᵀ · tanh(W_q · q + W_k · k)}: a one-hidden-layer network
 * on every (query, key) pair, with {@code W_q [h, dQ]}, {@code W_k [h, dK]}, {@code v [h]}. It needs no
 * common size for queries and keys, at the price of a {@code [batch, queries, keys, h]} intermediate.
 */
public final class AdditiveScore implements ScoreFunction, NamedParameters {
    private final Linear wQ; // [h, dQ]
    private final Linear wK; // [h, dK]
    private final INDArray v; // [h]

    private AdditiveScore(Linear wQ, Linear wK, INDArray v) {
        this.wQ = wQ;
        this.wK = wK;
        this.v = v;
    }

    /**
     * After {@code torch.manual_seed(seed)}: {@code nn.Linear(dQ, h, bias=False)}, {@code nn.Linear(dK, h,
     * bias=False)} and {@code nn.Linear(h, 1, bias=False)} drawn in that order (W_q, W_k, v).
     */
    public static AdditiveScore fromSeed(long dQ, long dK, long hidden, long seed) {
        TorchRandom random = TorchRandom.manualSeed(seed);
        Linear wQ = Linear.init(dQ, hidden, false, random);
        Linear wK = Linear.init(dK, hidden, false, random);
        INDArray v = Linear.init(hidden, 1, false, random).weight().reshape(hidden);
        return new AdditiveScore(wQ, wK, v);
    }

    /**
     * @param wQ {@code [h, dQ]}
     * @param wK {@code [h, dK]}
     * @param v  {@code [h]}
     */
    public static AdditiveScore fromWeights(INDArray wQ, INDArray wK, INDArray v) {
        Shapes.requireMatrix(wQ, "W_q", "[h, dQ]");
        Shapes.requireMatrix(wK, "W_k", "[h, dK]");
        if (wK.size(0) != wQ.size(0)) {
            throw new IllegalArgumentException(String.format(
                "W_k: expected [h, dK] with h = %d like W_q %s, got %s",
                wQ.size(0), Shapes.describe(wQ), Shapes.describe(wK)));
        }
        Shapes.requireShape(v, "v", "[h]", wQ.size(0));
        return new AdditiveScore(Linear.fromWeights(wQ, null), Linear.fromWeights(wK, null), v.dup('c'));
    }

    /**
     * @param queries {@code [(batch,) queries, dQ]}
     * @param keys    {@code [(batch,) keys, dK]}
     * @return {@code [(batch,) queries, keys]}
     */
    @Override
    public INDArray scores(INDArray queries, INDArray keys) {
        ScoreShapes.check("AdditiveScore", queries, keys, dQ(), dK());
        boolean unbatched = queries.rank() == 2;
        INDArray q = unbatched ? queries.reshape(1, queries.size(0), queries.size(1)) : queries;
        INDArray k = unbatched ? keys.reshape(1, keys.size(0), keys.size(1)) : keys;
        long b = q.size(0);
        long nq = q.size(1);
        long nk = k.size(1);
        long h = hidden();
        INDArray qp = wQ.forward(q).reshape(b, nq, 1, h);                 // [b, q, 1, h]
        INDArray kp = wK.forward(k).reshape(b, 1, nk, h);                 // [b, 1, k, h]
        INDArray features = Transforms.tanh(qp.add(kp), false);          // [b, q, k, h] by broadcasting
        INDArray scores = features.reshape('c', b * nq * nk, h)
            .mmul(v.reshape(h, 1))                                        // [b·q·k, 1]
            .reshape('c', b, nq, nk);                                     // [b, q, k]
        return unbatched ? scores.reshape(nq, nk) : scores;
    }

    /** {@code W_q [h, dQ]} (the live array). */
    public INDArray wQ() {
        return wQ.weight();
    }

    /** {@code W_k [h, dK]} (the live array). */
    public INDArray wK() {
        return wK.weight();
    }

    /** {@code v [h]} (the live array). */
    public INDArray v() {
        return v;
    }

    public long dQ() {
        return wQ.inFeatures();
    }

    public long dK() {
        return wK.inFeatures();
    }

    public long hidden() {
        return wQ.outFeatures();
    }

    /** {@code wQ.weight [h, dQ]}, {@code wK.weight [h, dK]}, {@code v [h]}; live. */
    @Override
    public Map<String, INDArray> parameters() {
        return NamedParameters.builder().add("wQ", wQ).add("wK", wK).add("v", v).build();
    }

    @Override
    public String toString() {
        return "AdditiveScore(dQ=" + dQ() + ", dK=" + dK() + ", hidden=" + hidden() + ")";
    }
}
