package dev.attentionkit.efficient;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Memory-efficient attention, as FlashAttention computes it: {@code softmax(Q·Kᵀ/sqrt(d)) · V} by blocks
 * of queries and blocks of keys, with the {@link OnlineSoftmax} carrying a running maximum and sum per
 * query, so the {@code tokens × tokens} score matrix never exists; only one
 * {@code blockSize × blockSize} tile of it does at a time.
 *
 * <p>The arithmetic is the same as the plain form's, so the result is equal within float rounding. What
 * changes is memory: for 16 384 tokens the plain form holds a 1 GiB score matrix, this one a 64 KiB tile
 * (block 128) plus the output. With a causal mask, tiles entirely above the diagonal are skipped, which
 * also halves the work.
 */
public final class BlockedAttention {
    /** 128 keeps a tile (64 KiB in float32) and its temporaries inside a core's L2 cache. */
    public static final int DEFAULT_BLOCK = 128;

    private BlockedAttention() {}

    /**
     * Blocked attention with {@link #DEFAULT_BLOCK}.
     *
     * @param queries {@code [tokens, d]}, {@code [batch, tokens, d]} or {@code [batch, heads, tokens, d]}
     * @param keys    same layout, {@code [..., keys, d]}
     * @param values  same layout, {@code [..., keys, dV]}
     * @param causal  query i sees keys 0..i only (needs as many queries as keys)
     * @return the context, {@code [..., tokens, dV]}
     */
    public static INDArray apply(INDArray queries, INDArray keys, INDArray values, boolean causal) {
        return apply(queries, keys, values, DEFAULT_BLOCK, causal);
    }

    /**
     * Blocked attention with a chosen tile size; any size works, including one that does not divide the
     * number of tokens (the last block is shorter).
     *
     * @param queries   {@code [tokens, d]}, {@code [batch, tokens, d]} or {@code [batch, heads, tokens, d]}
     * @param keys      same layout, {@code [..., keys, d]}
     * @param values    same layout, {@code [..., keys, dV]}
     * @param blockSize queries and keys per tile, at least 1
     * @param causal    query i sees keys 0..i only (needs as many queries as keys)
     * @return the context, {@code [..., tokens, dV]}
     */
    public static INDArray apply(INDArray queries, INDArray keys, INDArray values, int blockSize, boolean causal) {
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize must be at least 1, got " + blockSize);
        }
        AttentionInputs in = AttentionInputs.of(queries, keys, values);
        if (causal) {
            in.requireSelfAttention("causal blocked attention");
        }
        long nq = in.queryTokens(), nk = in.keyTokens();
        DataType type = in.q().dataType();
        INDArray q = in.q().mul(1.0 / Math.sqrt(in.d()));   // scale once, not every tile
        INDArray out = in.newContext();
        INDArray diagonal = causal ? causalMask(Math.min(blockSize, nq), Math.min(blockSize, nq), 0, type) : null;

        for (long seq = 0; seq < in.batch(); seq++) {   // each (batch, head) sequence on its own: 2-D tiles
            INDArray qSeq = q.slice(seq), kSeq = in.k().slice(seq), vSeq = in.v().slice(seq), outSeq = out.slice(seq);
            for (long qs = 0; qs < nq; qs += blockSize) {
                long qe = Math.min(nq, qs + blockSize);
                INDArray qBlock = qSeq.get(interval(qs, qe), all());                     // [bq, d]
                OnlineSoftmax.State state = OnlineSoftmax.State.start(type, qe - qs, in.dV());
                long keyEnd = causal ? qe : nk;   // tiles right of the diagonal are all masked: skip them
                for (long ks = 0; ks < keyEnd; ks += blockSize) {
                    long ke = Math.min(keyEnd, ks + blockSize);
                    INDArray scores = qBlock.mmul(kSeq.get(interval(ks, ke), all()).transpose());   // [bq, bk]
                    if (causal && ke > qs) {
                        // The diagonal tile (ks == qs): mask the keys after each query.
                        INDArray mask = qe - qs == diagonal.size(0) ? diagonal : causalMask(qe - qs, ke - ks, 0, type);
                        scores.addi(mask);
                    }
                    OnlineSoftmax.updateInPlace(state, scores, vSeq.get(interval(ks, ke), all()));
                    OnlineSoftmax.free(scores);
                }
                INDArray context = state.output();
                outSeq.get(interval(qs, qe), all()).assign(context);
                OnlineSoftmax.free(context, state.m(), state.l(), state.acc());
            }
        }
        OnlineSoftmax.free(q);
        return in.restore(out);
    }

    /**
     * An additive causal mask for one tile: 0 where key {@code keyOffset + c} is at or before query
     * {@code r}, {@code -inf} after it.
     *
     * @return {@code [rows, cols]}
     */
    static INDArray causalMask(long rows, long cols, long keyOffset, DataType type) {
        float[] mask = new float[Math.toIntExact(rows * cols)];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                mask[r * (int) cols + c] = keyOffset + c > r ? Float.NEGATIVE_INFINITY : 0f;
            }
        }
        return Nd4j.createFromArray(mask).reshape(rows, cols).castTo(type);
    }
}
