package dev.attentionkit.efficient;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Memory-efficient attention, as FlashAttention computes it: {@code softmax(Q·Kᵀ/sqrt(d)) · V} by blocks
 * of queries and blocks of keys, with the online softmax ({@link OnlineSoftmax}) carrying a running maximum
 * and sum per query, so the {@code tokens × tokens} score matrix never exists; only one
 * {@code queryBlock × keyBlock} tile of it does at a time (per core).
 *
 * <p>The arithmetic is the same as the plain form's, so the result is equal within float rounding. What
 * changes is memory: for 16 384 tokens the plain form holds a 1 GiB score matrix, this one a 4 MiB tile
 * (512 queries × 2048 keys) per core plus the output. With a causal mask, keys after a query block's last
 * token are skipped, which also halves the work. Each tile's update is fused ({@link FusedSoftmax}: the mask
 * by position, new maxima, exp and sums in one pass per row, then one GEMM that adds {@code weights · values}
 * to the accumulator), and query blocks run side by side on all cores ({@link ParallelTiles}), so on a CPU
 * this form is also faster than the plain one.
 */
public final class BlockedAttention {
    /** Queries per tile. */
    public static final int DEFAULT_QUERY_BLOCK = 512;
    /**
     * Keys per tile. A tile of 512 × 2048 float32 scores is 4 MiB; wide tiles mean few online-softmax steps
     * and large products, and every step has the fixed cost of two native calls.
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
        long nq = in.queryTokens(), nk = in.keyTokens(), batch = in.batch();
        double scale = 1.0 / Math.sqrt(in.d());
        // Every row of the output is written by exactly one tile's normalise(): no need to zero it first.
        INDArray out = Nd4j.createUninitialized(in.q().dataType(), new long[] {batch, nq, in.dV()}, 'c');
        int queryBlocks = Math.toIntExact((nq + queryBlock - 1) / queryBlock);
        // One tile = one block of queries of one sequence, run through all its key blocks. Tiles are
        // independent, so they run side by side; the last query blocks (the most keys if causal) go first.
        long scratchLength = Math.min(queryBlock, nq) * Math.min(keyBlock, nk);
        ParallelTiles.run(Math.toIntExact(queryBlocks * batch), in.q().dataType(), scratchLength, (tile, scratch) -> {
            long block = queryBlocks - 1 - tile / batch, seq = tile % batch;
            long qs = block * queryBlock, qe = Math.min(nq, qs + queryBlock);
            INDArray q = in.q().get(point(seq), interval(qs, qe), all());           // [bq, d], rows of a contiguous array
            INDArray acc = out.get(point(seq), interval(qs, qe), all());            // [bq, dV], accumulated in place
            FusedSoftmax.Running running = new FusedSoftmax.Running(Math.toIntExact(qe - qs));
            long keyEnd = causal ? qe : nk;   // keys after the block's last query are all masked: skip them
            for (long ks = 0; ks < keyEnd; ks += keyBlock) {
                long ke = Math.min(keyEnd, ks + keyBlock);
                foldKeyBlock(in, seq, q, acc, qs, ks, ke, causal, scale, scratch, running);
            }
            running.normalise(acc);
        });
        return in.restore(out);
    }

    /**
     * One key block into a query block's running state: scaled scores into the scratch, the online-softmax
     * update fused (see {@link OnlineSoftmax}: the mask by position, new maxima, exp, sums and the rescaling
     * of {@code acc}, one pass per row), then {@code acc += weights · values}.
     *
     * @param q   {@code [bq, d]} queries {@code qs..} of sequence {@code seq}
     * @param acc {@code [bq, dV]} their accumulator
     */
    static void foldKeyBlock(AttentionInputs in, long seq, INDArray q, INDArray acc, long qs, long ks, long ke,
                             boolean causal, double scale, INDArray scratch, FusedSoftmax.Running running) {
        INDArray scores = ParallelTiles.matrix(scratch, q.size(0), ke - ks);
        Gemm.timesTransposed(q, in.k().get(point(seq), interval(ks, ke), all()), scores, scale);
        FusedSoftmax.onlineStepInPlace(scores, acc, qs, ks, causal, running);
        Gemm.product(scores, in.v().get(point(seq), interval(ks, ke), all()), acc, 1.0, 1.0);
    }
}
