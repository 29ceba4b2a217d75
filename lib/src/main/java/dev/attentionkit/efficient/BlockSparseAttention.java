package dev.attentionkit.efficient;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Block-sparse attention: softmax attention restricted to the tiles a {@link BlockSparsePattern} allows
 * (Sparse Transformer, BigBird). Each query block visits only its allowed key blocks, folding them in with
 * the online softmax ({@link OnlineSoftmax}, fused as in {@link BlockedAttention}), so the cost is
 * proportional to the number of allowed tiles and no {@code tokens × tokens} matrix is built. The result
 * equals full attention with every disallowed position masked out.
 */
public final class BlockSparseAttention {

    private BlockSparseAttention() {}

    /**
     * @param queries {@code [tokens, d]}, {@code [batch, tokens, d]} or {@code [batch, heads, tokens, d]}
     * @param keys    same layout and number of tokens, {@code [..., tokens, d]}
     * @param values  same layout, {@code [..., tokens, dV]}
     * @param pattern which tiles are computed; its {@code tokens} must equal the inputs' tokens
     * @return the context, {@code [..., tokens, dV]}
     */
    public static INDArray apply(INDArray queries, INDArray keys, INDArray values, BlockSparsePattern pattern) {
        if (pattern == null) {
            throw new IllegalArgumentException("pattern is null");
        }
        AttentionInputs in = AttentionInputs.of(queries, keys, values).requireSelfAttention("block-sparse attention");
        long n = in.queryTokens();
        if (n != pattern.tokens()) {
            throw new IllegalArgumentException(String.format("%s is for %d tokens, the inputs have %d (queries %s)",
                pattern, pattern.tokens(), n, java.util.Arrays.toString(queries.shape())));
        }
        int bs = pattern.blockSize(), blocks = pattern.blockCount();
        long batch = in.batch();
        double scale = 1.0 / Math.sqrt(in.d());
        INDArray out = Nd4j.createUninitialized(in.q().dataType(), new long[] {batch, n, in.dV()}, 'c');
        // One tile = one query block of one sequence, through its allowed key blocks (as in BlockedAttention).
        ParallelTiles.run(Math.toIntExact(blocks * batch), in.q().dataType(), (long) bs * bs, (tile, scratch) -> {
            long seq = tile % batch;
            int qb = Math.toIntExact(tile / batch);
            long qs = (long) qb * bs, qe = Math.min(n, qs + bs);
            INDArray q = in.q().get(point(seq), interval(qs, qe), all());
            INDArray acc = out.get(point(seq), interval(qs, qe), all());
            FusedSoftmax.Running running = new FusedSoftmax.Running(Math.toIntExact(qe - qs));
            for (int kb = 0; kb < blocks; kb++) {
                if (!pattern.tile(qb, kb) || (pattern.causal() && kb > qb)) {
                    continue;
                }
                long ks = (long) kb * bs, ke = Math.min(n, ks + bs);
                BlockedAttention.foldKeyBlock(in, seq, q, acc, qs, ks, ke, pattern.causal(), scale, scratch, running);
            }
            running.normalise(acc);
        });
        return in.restore(out);
    }
}
