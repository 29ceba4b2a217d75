package dev.attentionkit.efficient;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
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
    private static final MMulTranspose PLAIN = MMulTranspose.allFalse();
    private static final MMulTranspose TRANSPOSE_B = MMulTranspose.builder().transposeB(true).build();

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
        long nq = in.queryTokens(), nk = in.keyTokens(), batch = in.batch();
        double scale = 1.0 / Math.sqrt(in.d());
        // Every row of the output is written by exactly one tile's normalise(): no need to zero it first.
        INDArray out = Nd4j.createUninitialized(in.q().dataType(), new long[] {batch, nq, in.dV()}, 'c');
        int queryBlocks = Math.toIntExact((nq + queryBlock - 1) / queryBlock);
        long bk = Math.min(keyBlock, nk);
        // One tile = one block of queries of one sequence, run through all its key blocks. Tiles are
        // independent, so they run side by side; the last query blocks (the most keys if causal) go first.
        ParallelTiles.run(Math.toIntExact(queryBlocks * batch), in.q().dataType(), Math.min(queryBlock, nq) * bk, (tile, scratch) -> {
            long block = queryBlocks - 1 - tile / batch, seq = tile % batch;
            long qs = block * queryBlock, qe = Math.min(nq, qs + queryBlock);
            INDArray q = in.q().get(point(seq), interval(qs, qe), all());           // [bq, d], rows of a contiguous array
            INDArray acc = out.get(point(seq), interval(qs, qe), all());            // [bq, dV], accumulated in place
            FusedSoftmax.Running running = new FusedSoftmax.Running(Math.toIntExact(qe - qs));
            long keyEnd = causal ? qe : nk;   // keys after the block's last query are all masked: skip them
            for (long ks = 0; ks < keyEnd; ks += keyBlock) {
                long ke = Math.min(keyEnd, ks + keyBlock);
                INDArray scores = scratch.get(interval(0, (qe - qs) * (ke - ks))).reshape('c', qe - qs, ke - ks);
                Nd4j.exec(new Mmul(q, in.k().get(point(seq), interval(ks, ke), all()), scores, scale, 0.0, TRANSPOSE_B));
                // The online-softmax update (see OnlineSoftmax), fused: the mask by position, new maxima, exp,
                // sums and the rescaling of acc in one pass per row; then acc += weights · values.
                FusedSoftmax.onlineStepInPlace(scores, acc, qs, ks, causal, running);
                Nd4j.exec(new Mmul(scores, in.v().get(point(seq), interval(ks, ke), all()), acc, 1.0, 1.0, PLAIN));
            }
            running.normalise(acc);
        });
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
