package dev.attentionkit.efficient;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Local (sliding-window) attention: token i attends only to the tokens within {@code window} positions of
 * it, as in Longformer's local attention or Mistral's sliding window.
 *
 * <p>Query i sees key j when {@code |i - j| < window}; with {@code causal}, only {@code i - window < j <= i}
 * (i itself and the {@code window - 1} tokens before it). The cost is O(tokens · window), not
 * O(tokens²): queries are taken in blocks, and each block multiplies only against the band of keys its
 * windows can reach, so nothing outside the band is ever computed. Inside the band the window is applied
 * by position in a {@link FusedSoftmax}, with no mask matrix; blocks run side by side on all cores.
 */
public final class SlidingWindowAttention {

    private SlidingWindowAttention() {}

    /**
     * @param queries {@code [tokens, d]}, {@code [batch, tokens, d]} or {@code [batch, heads, tokens, d]}
     * @param keys    same layout and number of tokens, {@code [..., tokens, d]}
     * @param values  same layout, {@code [..., tokens, dV]}
     * @param window  how many positions a query reaches (1 = only itself), at least 1
     * @param causal  look back only
     * @return the context, {@code [..., tokens, dV]}
     */
    public static INDArray apply(INDArray queries, INDArray keys, INDArray values, int window, boolean causal) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1, got " + window);
        }
        AttentionInputs in = AttentionInputs.of(queries, keys, values).requireSelfAttention("sliding-window attention");
        long n = in.queryTokens(), batch = in.batch();
        double scale = 1.0 / Math.sqrt(in.d());
        // Blocks about as tall as the window keep the band (block + 2·window keys) a small multiple of the window.
        int block = (int) Math.min(n, Math.max(64, Math.min(window, 512)));
        int blocks = Math.toIntExact((n + block - 1) / block);
        long widestBand = Math.min(n, block + 2L * window);
        INDArray out = Nd4j.createUninitialized(in.q().dataType(), new long[] {batch, n, in.dV()}, 'c');
        // One tile = one block of queries of one sequence and the band of keys its windows reach.
        ParallelTiles.run(Math.toIntExact(blocks * batch), in.q().dataType(), block * widestBand, (tile, scratch) -> {
            long seq = tile % batch, qs = tile / batch * block, qe = Math.min(n, qs + block);
            long ks = Math.max(0, qs - window + 1);
            long ke = causal ? qe : Math.min(n, qe - 1 + window);
            INDArray scores = ParallelTiles.matrix(scratch, qe - qs, ke - ks);
            Gemm.timesTransposed(in.q().get(point(seq), interval(qs, qe), all()),
                in.k().get(point(seq), interval(ks, ke), all()), scores, scale);   // [bq, band]
            FusedSoftmax.softmaxInPlace(scores, qs, ks, causal, window);        // the window applied by position
            Gemm.product(scores, in.v().get(point(seq), interval(ks, ke), all()),
                out.get(point(seq), interval(qs, qe), all()), 1.0, 0.0);
        });
        return in.restore(out);
    }

}
