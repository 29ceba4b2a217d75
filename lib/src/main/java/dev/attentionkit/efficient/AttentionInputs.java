package dev.attentionkit.efficient;

import dev.attentionkit.tensor.Shapes;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Queries, keys and values of one attention call, checked once and seen as {@code [batch, tokens, d]}.
 *
 * <p>Every efficient variant accepts {@code [tokens, d]}, {@code [batch, tokens, d]} or
 * {@code [batch, heads, tokens, headDim]}; the leading axes are independent sequences, so they are folded
 * into one batch axis (a reshape of a contiguous array, not a copy) and unfolded again at the end.
 */
record AttentionInputs(INDArray q, INDArray k, INDArray v, long[] leading) {

    /** Checks ranks, matching sizes and finiteness; the message names all three shapes. */
    static AttentionInputs of(INDArray queries, INDArray keys, INDArray values) {
        Shapes.requireQueriesKeysValues(queries, keys, values, 4);
        Shapes.requireFinite(queries, "queries");
        Shapes.requireFinite(keys, "keys");
        Shapes.requireFinite(values, "values");
        long[] lead = Arrays.copyOf(queries.shape(), queries.rank() - 2);
        return new AttentionInputs(flat(queries), flat(keys), flat(values), lead);
    }

    /** Requires as many queries as keys, which causal attention (token i sees keys 0..i) assumes. */
    AttentionInputs requireSelfAttention(String what) {
        if (q.size(1) != k.size(1)) {
            throw new IllegalArgumentException(String.format(
                "%s needs as many queries as keys, got queries [.., %d, ..] and keys [.., %d, ..]",
                what, q.size(1), k.size(1)));
        }
        return this;
    }

    long batch() {
        return q.size(0);
    }

    long queryTokens() {
        return q.size(1);
    }

    long keyTokens() {
        return k.size(1);
    }

    long d() {
        return q.size(2);
    }

    long dV() {
        return v.size(2);
    }

    /** A new, zeroed {@code [batch, queries, dV]} output in the inputs' data type. */
    INDArray newContext() {
        return Nd4j.create(q.dataType(), new long[] {batch(), queryTokens(), dV()}, 'c');
    }

    /** {@code [batch, queries, dV]} back to the caller's leading axes: {@code [..., queries, dV]}. */
    INDArray restore(INDArray context) {
        long[] shape = Arrays.copyOf(leading, leading.length + 2);
        shape[leading.length] = context.size(1);
        shape[leading.length + 1] = context.size(2);
        return context.reshape('c', shape);
    }

    private static INDArray flat(INDArray x) {
        INDArray c = x.isView() || x.ordering() != 'c' ? x.dup('c') : x;
        return c.reshape('c', c.length() / (c.size(-2) * c.size(-1)), c.size(-2), c.size(-1));
    }
}
