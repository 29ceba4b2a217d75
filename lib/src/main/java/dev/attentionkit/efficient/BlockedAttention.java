package dev.attentionkit.efficient;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.util.ArrayList;
import java.util.List;
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
 * changes is memory: for 16 384 tokens the plain form holds a 1 GiB score matrix, this one a 4 MiB tile
 * (512 queries × 2048 keys) plus the output. With a causal mask, keys after a query block's last token are
 * skipped, which also halves the work; only tiles that cross the diagonal get a mask.
 */
public final class BlockedAttention {
    /** Queries per tile. */
    public static final int DEFAULT_QUERY_BLOCK = 512;
    /**
     * Keys per tile. A tile of 512 × 2048 float32 scores is 4 MiB; wide tiles mean few online-softmax steps,
     * and on ND4J every step is several native calls whose fixed cost dominates small tiles (measured on a
     * 2-core machine: 128-query tiles were several times slower than 512 × 2048 at 4096 tokens).
     */
    public static final int DEFAULT_KEY_BLOCK = 2048;

    private BlockedAttention() {}

    /**
     * Blocked attention with tiles of {@link #DEFAULT_QUERY_BLOCK} queries × {@link #DEFAULT_KEY_BLOCK} keys.
     *
     * @param queries {@code [tokens, d]}, {@code [batch, tokens, d]} or {@code [batch, heads, tokens, d]}
     * @param keys    same layout, {@code [..., keys, d]}
     * @param values  same layout, {@code [..., keys, dV]}
     * @param causal  query i sees keys 0..i only (needs as many queries as keys)
     * @return the context, {@code [..., tokens, dV]}
     */
    public static INDArray apply(INDArray queries, INDArray keys, INDArray values, boolean causal) {
        return apply(queries, keys, values, DEFAULT_QUERY_BLOCK, DEFAULT_KEY_BLOCK, causal);
    }

    /**
     * Blocked attention with square tiles of {@code blockSize}.
     *
     * @see #apply(INDArray, INDArray, INDArray, int, int, boolean)
     */
    public static INDArray apply(INDArray queries, INDArray keys, INDArray values, int blockSize, boolean causal) {
        return apply(queries, keys, values, blockSize, blockSize, causal);
    }

    /**
     * Blocked attention with chosen tile sizes; any sizes work, including ones that do not divide the number
     * of tokens (the last block is shorter). The result does not depend on them, only speed and memory do.
     *
     * @param queries    {@code [tokens, d]}, {@code [batch, tokens, d]} or {@code [batch, heads, tokens, d]}
     * @param keys       same layout, {@code [..., keys, d]}
     * @param values     same layout, {@code [..., keys, dV]}
     * @param queryBlock queries per tile, at least 1
     * @param keyBlock   keys per tile, at least 1
     * @param causal     query i sees keys 0..i only (needs as many queries as keys)
     * @return the context, {@code [..., tokens, dV]}
     */
    public static INDArray apply(INDArray queries, INDArray keys, INDArray values, int queryBlock, int keyBlock,
                                 boolean causal) {
        if (queryBlock < 1 || keyBlock < 1) {
            throw new IllegalArgumentException("block sizes must be at least 1, got queryBlock " + queryBlock
                + ", keyBlock " + keyBlock);
        }
        AttentionInputs in = AttentionInputs.of(queries, keys, values);
        if (causal) {
            in.requireSelfAttention("causal blocked attention");
        }
        long nq = in.queryTokens(), nk = in.keyTokens();
        DataType type = in.q().dataType();
        INDArray q = in.q().mul(1.0 / Math.sqrt(in.d()));   // scale once, not every tile
        INDArray out = in.newContext();
        // Where a tile crosses the diagonal, the masked part is a corner of this one triangle: query qs + r
        // sees key qs + c when c <= r.
        INDArray triangle = causal ? causalMask(Math.min(queryBlock, nq), Math.min(queryBlock, nq), 0, type) : null;

        for (long seq = 0; seq < in.batch(); seq++) {   // each (batch, head) sequence on its own: 2-D tiles
            INDArray qSeq = q.slice(seq), outSeq = out.slice(seq);
            // Contiguous copies of the key and value blocks, made once per sequence and reused by every query
            // block: ND4J's matmul on a view costs about twice as much as on a contiguous array.
            List<INDArray> kBlocks = blocks(in.k().slice(seq), keyBlock), vBlocks = blocks(in.v().slice(seq), keyBlock);
            for (long qs = 0; qs < nq; qs += queryBlock) {
                long qe = Math.min(nq, qs + queryBlock);
                INDArray qBlock = qSeq.get(interval(qs, qe), all()).dup('c');            // [bq, d]
                OnlineSoftmax.State state = OnlineSoftmax.State.start(type, qe - qs, in.dV());
                long keyEnd = causal ? qe : nk;   // keys after the block's last query are all masked: skip them
                for (long ks = 0; ks < keyEnd; ks += keyBlock) {
                    long ke = Math.min(keyEnd, ks + keyBlock);
                    int kb = (int) (ks / keyBlock);
                    INDArray kBlock = ke - ks == kBlocks.get(kb).size(0) ? kBlocks.get(kb)
                        : kBlocks.get(kb).get(interval(0, ke - ks), all()).dup('c');       // cut at the causal limit
                    INDArray vBlock = ke - ks == vBlocks.get(kb).size(0) ? vBlocks.get(kb)
                        : vBlocks.get(kb).get(interval(0, ke - ks), all()).dup('c');
                    INDArray scores = Nd4j.matmul(qBlock, kBlock, false, true, false);      // [bq, bk]
                    if (causal && ke - 1 > qs) {
                        // The tile crosses the diagonal: keys from max(ks, qs) on need the triangle, the rest none.
                        long from = Math.max(ks, qs);
                        scores.get(all(), interval(from - ks, ke - ks))
                            .addi(triangle.get(interval(0, qe - qs), interval(from - qs, ke - qs)));
                    }
                    state = OnlineSoftmax.updateInPlace(state, scores, vBlock);
                    OnlineSoftmax.free(scores);
                    if (kBlock != kBlocks.get(kb)) {
                        OnlineSoftmax.free(kBlock, vBlock);
                    }
                }
                INDArray context = state.output();
                outSeq.get(interval(qs, qe), all()).assign(context);
                OnlineSoftmax.free(qBlock, context, state.m(), state.l(), state.acc());
            }
            kBlocks.forEach(OnlineSoftmax::free);
            vBlocks.forEach(OnlineSoftmax::free);
        }
        OnlineSoftmax.free(q, triangle);
        return in.restore(out);
    }

    /** Consecutive row blocks of {@code x [tokens, d]}, each a contiguous copy {@code [size, d]} (the last may be shorter). */
    static List<INDArray> blocks(INDArray x, int size) {
        List<INDArray> blocks = new ArrayList<>();
        for (long s = 0; s < x.size(0); s += size) {
            blocks.add(x.get(interval(s, Math.min(x.size(0), s + size)), all()).dup('c'));
        }
        return blocks;
    }

    /**
     * An additive causal mask for one tile: 0 where key {@code keyOffset + c} is at or before query
     * {@code r}, {@code -inf} after it (offsets relative to the tile's first query).
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
