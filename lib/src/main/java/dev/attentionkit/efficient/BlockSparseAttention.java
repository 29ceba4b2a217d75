package dev.attentionkit.efficient;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Block-sparse attention: softmax attention restricted to the tiles a {@link BlockSparsePattern} allows
 * (Sparse Transformer, BigBird). Each query block visits only its allowed key blocks, folding them in with
 * the {@link OnlineSoftmax}, so the cost is proportional to the number of allowed tiles and no
 * {@code tokens × tokens} matrix is built. The result equals full attention with every disallowed
 * position masked out.
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
        int bs = pattern.blockSize();
        DataType type = in.q().dataType();
        INDArray q = in.q().mul(1.0 / Math.sqrt(in.d()));
        INDArray out = in.newContext();

        for (long seq = 0; seq < in.batch(); seq++) {   // each (batch, head) sequence on its own: 2-D tiles
            INDArray qSeq = q.slice(seq), outSeq = out.slice(seq);
            List<INDArray> kBlocks = BlockedAttention.blocks(in.k().slice(seq), bs);   // contiguous, see BlockedAttention
            List<INDArray> vBlocks = BlockedAttention.blocks(in.v().slice(seq), bs);
            for (int qb = 0; qb < pattern.blockCount(); qb++) {
                long qs = (long) qb * bs, qe = Math.min(n, qs + bs);
                INDArray qBlock = qSeq.get(interval(qs, qe), all()).dup('c');
                OnlineSoftmax.State state = OnlineSoftmax.State.start(type, qe - qs, in.dV());
                for (int kb = 0; kb < pattern.blockCount(); kb++) {
                    if (!pattern.tile(qb, kb) || (pattern.causal() && kb > qb)) {
                        continue;
                    }
                    long ks = (long) kb * bs, ke = Math.min(n, ks + bs);
                    INDArray scores = Nd4j.matmul(qBlock, kBlocks.get(kb), false, true, false);   // [bq, bk]
                    INDArray mask = null;
                    if (pattern.causal() && kb == qb) {
                        mask = BlockedAttention.causalMask(qe - qs, ke - ks, 0, type);
                        scores.addi(mask);
                    }
                    state = OnlineSoftmax.updateInPlace(state, scores, vBlocks.get(kb));
                    OnlineSoftmax.free(scores, mask);
                }
                INDArray context = state.output();
                outSeq.get(interval(qs, qe), all()).assign(context);
                OnlineSoftmax.free(qBlock, context, state.m(), state.l(), state.acc());
            }
            kBlocks.forEach(OnlineSoftmax::free);
            vBlocks.forEach(OnlineSoftmax::free);
        }
        OnlineSoftmax.free(q);
        return in.restore(out);
    }
}
