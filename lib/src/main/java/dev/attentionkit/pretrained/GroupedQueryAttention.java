package dev.attentionkit.pretrained;

import dev.attentionkit.attention.AttentionOutput;
import dev.attentionkit.attention.ScaledDotProductAttention;
import dev.attentionkit.mask.Mask;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Grouped-query attention: {@code queryHeads} query heads share {@code kvHeads} key/value heads, query head
 * {@code h} reading key/value head {@code h / (queryHeads / kvHeads)} (SmolLM2: 9 query heads, 3 groups of 3).
 * The keys and values are repeated to one per query head and handed to the course's
 * {@link ScaledDotProductAttention}; the KV cache stores only the {@code kvHeads}, which is the point.
 */
public final class GroupedQueryAttention {
    private GroupedQueryAttention() {}

    /** The key/value head that query head {@code queryHead} reads. */
    public static int kvHeadOf(int queryHead, int queryHeads, int kvHeads) {
        if (kvHeads <= 0 || queryHeads % kvHeads != 0) {
            throw new IllegalArgumentException("queryHeads " + queryHeads + " must be a multiple of kvHeads " + kvHeads);
        }
        if (queryHead < 0 || queryHead >= queryHeads) {
            throw new IllegalArgumentException("query head " + queryHead + " is outside 0.." + (queryHeads - 1));
        }
        return queryHead / (queryHeads / kvHeads);
    }

    /**
     * @param q    {@code [b, queryHeads, tq, hd]}
     * @param k    {@code [b, kvHeads, tk, hd]}
     * @param v    {@code [b, kvHeads, tk, hd]}
     * @param mask {@code [tq, tk]} (true = attend) or null
     * @return context {@code [b, queryHeads, tq, hd]}, weights {@code [b, queryHeads, tq, tk]}
     */
    public static AttentionOutput apply(INDArray q, INDArray k, INDArray v, Mask mask) {
        int queryHeads = (int) q.size(1);
        int kvHeads = (int) k.size(1);
        return ScaledDotProductAttention.apply(q, repeat(k, queryHeads), repeat(v, queryHeads), mask);
    }

    /** {@code [b, kvHeads, t, hd]} → {@code [b, queryHeads, t, hd]}, each kv head repeated for its group. */
    static INDArray repeat(INDArray kv, int queryHeads) {
        int kvHeads = (int) kv.size(1);
        if (kvHeads == queryHeads) {
            return kv;
        }
        INDArray[] heads = new INDArray[queryHeads];
        for (int h = 0; h < queryHeads; h++) {
            heads[h] = kv.get(NDArrayIndex.all(), NDArrayIndex.interval(kvHeadOf(h, queryHeads, kvHeads),
                kvHeadOf(h, queryHeads, kvHeads) + 1), NDArrayIndex.all(), NDArrayIndex.all());
        }
        return Nd4j.concat(1, heads);
    }
}
