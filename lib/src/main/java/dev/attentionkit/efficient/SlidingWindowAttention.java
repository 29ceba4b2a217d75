package dev.attentionkit.efficient;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Local (sliding-window) attention: token i attends only to the tokens within {@code window} positions of
 * it, as in Longformer's local attention or Mistral's sliding window.
 *
 * <p>Query i sees key j when {@code |i - j| < window}; with {@code causal}, only {@code i - window < j <= i}
 * (i itself and the {@code window - 1} tokens before it). The cost is O(tokens · window), not
 * O(tokens²): queries are taken in blocks, and each block multiplies only against the band of keys its
 * windows can reach, so nothing outside the band is ever computed (and then masked).
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
        long n = in.queryTokens();
        DataType type = in.q().dataType();
        // Blocks about as tall as the window keep the band (block + 2·window keys) a small multiple of the window.
        int block = (int) Math.min(n, Math.max(64, Math.min(window, 512)));
        INDArray q = in.q().mul(1.0 / Math.sqrt(in.d()));
        INDArray out = in.newContext();

        for (long qs = 0; qs < n; qs += block) {
            long qe = Math.min(n, qs + block);
            long ks = Math.max(0, qs - window + 1);
            long ke = causal ? qe : Math.min(n, qe - 1 + window);
            // Contiguous copies of the block and its band: ND4J multiplies views about twice as slowly.
            INDArray qBlock = q.get(all(), interval(qs, qe), all()).dup('c');
            INDArray kBand = in.k().get(all(), interval(ks, ke), all()).dup('c');
            INDArray vBand = in.v().get(all(), interval(ks, ke), all()).dup('c');
            INDArray scores = Nd4j.matmul(qBlock, kBand, false, true, false);        // [b, bq, band]
            INDArray mask = bandMask(qs, qe, ks, ke, window, causal, type);           // [bq, band]
            Broadcast.add(scores, mask, scores, 1, 2);
            Nd4j.exec(new SoftMax(scores, scores, 2));                                // in place, last axis
            INDArray context = Nd4j.matmul(scores, vBand);
            out.get(all(), interval(qs, qe), all()).assign(context);
            OnlineSoftmax.free(qBlock, kBand, vBand, scores, mask, context);
        }
        OnlineSoftmax.free(q);
        return in.restore(out);
    }

    /** 0 inside the window, {@code -inf} outside, for queries {@code qs..qe-1} and keys {@code ks..ke-1}. */
    private static INDArray bandMask(long qs, long qe, long ks, long ke, int window, boolean causal, DataType type) {
        int rows = (int) (qe - qs), cols = (int) (ke - ks);
        float[] mask = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            long i = qs + r;
            for (int c = 0; c < cols; c++) {
                long j = ks + c;
                boolean inside = causal ? j <= i && i - j < window : Math.abs(i - j) < window;
                mask[r * cols + c] = inside ? 0f : Float.NEGATIVE_INFINITY;
            }
        }
        return Nd4j.createFromArray(mask).reshape(rows, cols).castTo(type);
    }
}
