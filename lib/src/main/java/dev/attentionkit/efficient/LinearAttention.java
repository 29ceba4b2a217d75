package dev.attentionkit.efficient;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Linear attention (Katharopoulos et al., 2020, "Transformers are RNNs"): the softmax similarity
 * {@code exp(q·k)} is replaced by {@code φ(q)·φ(k)} with a positive feature map {@code φ(x) = elu(x) + 1},
 * so the output for query i is
 * {@code φ(qᵢ) · Σⱼ φ(kⱼ)ᵀvⱼ / (φ(qᵢ) · Σⱼ φ(kⱼ))}.
 *
 * <p>The sums over keys do not depend on i, so they are computed once: O(tokens · d · dV) instead of
 * O(tokens² · d). With a causal mask the sums run over {@code j <= i} only, i.e. they become running sums,
 * which is why a causal linear-attention layer can be run as an RNN. This is a different model from
 * softmax attention, not an approximation of the same numbers; there is no {@code 1/sqrt(d)} scaling.
 */
public final class LinearAttention {
    /** Tokens per chunk of the causal form: inside a chunk a small masked product, across chunks the running sums. */
    public static final int DEFAULT_CHUNK = 256;

    private LinearAttention() {}

    /**
     * The feature map {@code φ(x) = elu(x) + 1}: positive everywhere, so every weight is positive and the
     * normaliser never vanishes.
     *
     * @param x any shape
     * @return a new array of the same shape
     */
    public static INDArray featureMap(INDArray x) {
        return Transforms.elu(x, true).addi(1.0);
    }

    /**
     * @param queries {@code [tokens, d]}, {@code [batch, tokens, d]} or {@code [batch, heads, tokens, d]}
     * @param keys    same layout, {@code [..., keys, d]}
     * @param values  same layout, {@code [..., keys, dV]}
     * @param causal  query i uses keys 0..i only (running sums; needs as many queries as keys)
     * @return the context, {@code [..., tokens, dV]}
     */
    public static INDArray apply(INDArray queries, INDArray keys, INDArray values, boolean causal) {
        return apply(queries, keys, values, causal, DEFAULT_CHUNK);
    }

    /**
     * Like {@link #apply(INDArray, INDArray, INDArray, boolean)} with a chosen chunk size for the causal
     * form (the result does not depend on it, only the speed).
     *
     * @param chunk tokens per chunk, at least 1
     */
    public static INDArray apply(INDArray queries, INDArray keys, INDArray values, boolean causal, int chunk) {
        if (chunk < 1) {
            throw new IllegalArgumentException("chunk must be at least 1, got " + chunk);
        }
        AttentionInputs in = AttentionInputs.of(queries, keys, values);
        INDArray phiQ = featureMap(in.q());                                   // [b, n, d]
        INDArray phiK = featureMap(in.k());                                   // [b, m, d]
        INDArray out = causal
            ? causal(phiQ, phiK, in.requireSelfAttention("causal linear attention").v(), chunk)
            : global(phiQ, phiK, in.v());
        OnlineSoftmax.free(phiQ, phiK);
        return in.restore(out);
    }

    private static INDArray global(INDArray phiQ, INDArray phiK, INDArray v) {
        INDArray kv = Nd4j.matmul(phiK, v, true, false, false);             // Σⱼ φ(kⱼ)ᵀ vⱼ: [b, d, dV]
        INDArray z = phiK.sum(true, 1);                                       // Σⱼ φ(kⱼ): [b, 1, d]
        INDArray numerator = Nd4j.matmul(phiQ, kv);                           // [b, n, dV]
        INDArray denominator = Nd4j.matmul(phiQ, z, false, true, false);      // [b, n, 1]
        INDArray out = numerator.divi(denominator);
        OnlineSoftmax.free(kv, z, denominator);
        return out;
    }

    /**
     * Running sums chunk by chunk: the keys before the chunk are summarised in {@code state} ([b, d, dV]) and
     * {@code norm} ([b, 1, d]); the keys inside it go through a small masked {@code φ(Q)·φ(K)ᵀ}.
     */
    private static INDArray causal(INDArray phiQ, INDArray phiK, INDArray v, int chunk) {
        long b = phiQ.size(0), n = phiQ.size(1), d = phiQ.size(2), dV = v.size(2);
        INDArray out = Nd4j.create(phiQ.dataType(), new long[] {b, n, dV}, 'c');
        INDArray state = Nd4j.zeros(phiQ.dataType(), b, d, dV);
        INDArray norm = Nd4j.zeros(phiQ.dataType(), b, 1, d);
        INDArray lower = lowerTriangle(Math.min(chunk, n), phiQ);
        for (long s = 0; s < n; s += chunk) {
            long e = Math.min(n, s + chunk);
            INDArray qc = phiQ.get(all(), interval(s, e), all()).dup('c');   // [b, c, d] (contiguous: faster products)
            INDArray kc = phiK.get(all(), interval(s, e), all()).dup('c');   // [b, c, d]
            INDArray vc = v.get(all(), interval(s, e), all()).dup('c');      // [b, c, dV]
            INDArray local = Nd4j.matmul(qc, kc, false, true, false);         // [b, c, c]
            INDArray keep = e - s == lower.size(0) ? lower : lowerTriangle(e - s, phiQ);
            Broadcast.mul(local, keep, local, 1, 2);                            // j <= i inside the chunk
            INDArray fromBefore = Nd4j.matmul(qc, state);                       // [b, c, dV]
            INDArray numerator = Nd4j.matmul(local, vc).addi(fromBefore);
            INDArray normBefore = Nd4j.matmul(qc, norm, false, true, false);    // [b, c, 1]
            INDArray denominator = local.sum(true, 2).addi(normBefore);
            out.get(all(), interval(s, e), all()).assign(numerator.divi(denominator));
            INDArray chunkState = Nd4j.matmul(kc, vc, true, false, false);      // φ(Kc)ᵀ Vc: [b, d, dV]
            INDArray chunkNorm = kc.sum(true, 1);                               // Σ φ(kⱼ): [b, 1, d]
            state.addi(chunkState);
            norm.addi(chunkNorm);
            OnlineSoftmax.free(qc, kc, vc, local, fromBefore, numerator, normBefore, denominator, chunkState, chunkNorm);
        }
        OnlineSoftmax.free(state, norm, lower);
        return out;
    }

    private static INDArray lowerTriangle(long size, INDArray like) {
        float[] ones = new float[Math.toIntExact(size * size)];
        for (int r = 0; r < size; r++) {
            for (int c = 0; c <= r; c++) {
                ones[r * (int) size + c] = 1f;
            }
        }
        return Nd4j.createFromArray(ones).reshape(size, size).castTo(like.dataType());
    }
}
