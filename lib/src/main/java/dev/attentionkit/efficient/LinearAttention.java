package dev.attentionkit.efficient;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import org.nd4j.linalg.api.ndarray.INDArray;
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

    /** Every query uses all keys: per sequence, {@code φ(Q) · (φ(K)ᵀV) / (φ(Q) · Σⱼ φ(kⱼ))}. */
    private static INDArray global(INDArray phiQ, INDArray phiK, INDArray v) {
        long b = phiQ.size(0), n = phiQ.size(1), d = phiQ.size(2), dV = v.size(2);
        INDArray out = Nd4j.createUninitialized(phiQ.dataType(), new long[] {b, n, dV}, 'c');
        ParallelTiles.run(Math.toIntExact(b), phiQ.dataType(), d * dV + d + n, (seq, scratch) -> {
            INDArray kv = ParallelTiles.matrix(scratch, d, dV);                 // Σⱼ φ(kⱼ)ᵀ vⱼ
            INDArray z = scratch.get(interval(d * dV, d * dV + d)).reshape('c', d, 1);         // Σⱼ φ(kⱼ)
            INDArray denominator = scratch.get(interval(d * dV + d, d * dV + d + n)).reshape('c', n, 1);
            INDArray k = phiK.get(point(seq), all(), all()), q = phiQ.get(point(seq), all(), all());
            INDArray o = out.get(point(seq), all(), all());
            Gemm.transposedTimes(k, v.get(point(seq), all(), all()), kv);
            z.assign(k.sum(0).reshape(d, 1));
            Gemm.product(q, kv, o, 1.0, 0.0);                                   // numerators [n, dV]
            Gemm.product(q, z, denominator, 1.0, 0.0);                          // [n, 1]
            o.diviColumnVector(denominator);
        });
        return out;
    }

    /**
     * Running sums, computed chunk by chunk in three passes so that the chunks can run side by side:
     * <ol>
     *   <li>each chunk's own sums, {@code φ(K_c)ᵀV_c} ({@code [d, dV]}) and {@code Σ φ(k)} ({@code [d]});</li>
     *   <li>a running total over the chunks (one cumulative sum), so chunk c can read the sums of all the
     *       chunks before it;</li>
     *   <li>each chunk's output: the keys before it through those sums, the keys inside it through a small
     *       masked {@code φ(Q_c)·φ(K_c)ᵀ} ({@code j <= i}).</li>
     * </ol>
     */
    private static INDArray causal(INDArray phiQ, INDArray phiK, INDArray v, int chunk) {
        long b = phiQ.size(0), n = phiQ.size(1), d = phiQ.size(2), dV = v.size(2);
        int chunks = Math.toIntExact((n + chunk - 1) / chunk);
        long size = Math.min(chunk, n);
        INDArray states = Nd4j.createUninitialized(phiQ.dataType(), new long[] {b, chunks, d, dV}, 'c');
        INDArray norms = Nd4j.createUninitialized(phiQ.dataType(), new long[] {b, chunks, d}, 'c');
        ParallelTiles.run(Math.toIntExact(b * chunks), phiQ.dataType(), 1, (tile, unused) -> {
            long seq = tile / chunks, c = tile % chunks, s = c * chunk, e = Math.min(n, s + chunk);
            INDArray k = phiK.get(point(seq), interval(s, e), all());
            Gemm.transposedTimes(k, v.get(point(seq), interval(s, e), all()),
                states.get(point(seq), point(c), all(), all()));
            norms.get(point(seq), point(c), all()).assign(k.sum(0));
        });
        states.cumsumi(1);                                   // chunk c now holds the sums over chunks 0..c
        norms.cumsumi(1);

        INDArray out = Nd4j.createUninitialized(phiQ.dataType(), new long[] {b, n, dV}, 'c');
        INDArray lower = lowerTriangle(size, phiQ);
        ParallelTiles.run(Math.toIntExact(b * chunks), phiQ.dataType(), size * size + size, (tile, scratch) -> {
            long seq = tile / chunks, c = tile % chunks, s = c * chunk, e = Math.min(n, s + chunk), len = e - s;
            INDArray q = phiQ.get(point(seq), interval(s, e), all()), vc = v.get(point(seq), interval(s, e), all());
            INDArray local = ParallelTiles.matrix(scratch, len, len);
            INDArray denominator = scratch.get(interval(len * len, len * len + len)).reshape('c', len, 1);
            Gemm.timesTransposed(q, phiK.get(point(seq), interval(s, e), all()), local, 1.0);
            local.muli(len == size ? lower : lowerTriangle(len, phiQ));         // j <= i inside the chunk
            INDArray o = out.get(point(seq), interval(s, e), all());
            Gemm.product(local, vc, o, 1.0, 0.0);                               // keys inside the chunk
            denominator.assign(local.sum(1).reshape(len, 1));
            if (c > 0) {                                                        // keys in the chunks before
                Gemm.product(q, states.get(point(seq), point(c - 1), all(), all()), o, 1.0, 1.0);
                Gemm.product(q, norms.get(point(seq), point(c - 1), all()).reshape(d, 1), denominator, 1.0, 1.0);
            }
            o.diviColumnVector(denominator);
        });
        OnlineSoftmax.free(states, norms, lower);
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
