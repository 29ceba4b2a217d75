package dev.attentionkit.attention;

import dev.attentionkit.mask.CausalMask;
import dev.attentionkit.mask.Mask;
import dev.attentionkit.nn.Linear;
import dev.attentionkit.tensor.Shapes;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Construction and input checks the attention modules share. */
final class ModuleChecks {
    private ModuleChecks() {}

    static void requireSameShape(Linear query, Linear key, Linear value) {
        if (query.inFeatures() != key.inFeatures() || key.inFeatures() != value.inFeatures()
            || query.outFeatures() != key.outFeatures() || key.outFeatures() != value.outFeatures()) {
            throw new IllegalArgumentException(String.format(
                "query %s, key %s and value %s must have the same in and out sizes", query, key, value));
        }
    }

    static void requirePositive(long n, String name) {
        if (n <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + n);
        }
    }

    static void requireHeads(long dOut, int numHeads) {
        if (numHeads <= 0 || dOut % numHeads != 0) {
            throw new IllegalArgumentException(String.format(
                "dOut must be divisible by numHeads, got dOut=%d, numHeads=%d", dOut, numHeads));
        }
    }

    static void requireWithinContext(INDArray x, long contextLength) {
        long tokens = x.size(-2);
        if (tokens > contextLength) {
            throw new IllegalArgumentException(String.format(
                "x %s has %d tokens, more than contextLength = %d", Shapes.describe(x), tokens, contextLength));
        }
    }

    /**
     * The mask of self-attention over {@code x}, after the checks every module makes in the same order: {@code x} is
     * {@code [(batch,) tokens, dIn]} with at most {@code contextLength} tokens, and {@code extra} fits its scores. A
     * causal module gets its causal mask combined with {@code extra} by {@code and} (as {@link CausalAttention} builds
     * it); a non-causal one gets {@code extra} itself.
     *
     * @param extra {@code [(batch,) tokens, tokens]}, true = attend, or null
     * @return the mask to attend with, or null (non-causal and no {@code extra})
     */
    static Mask selfAttentionMask(INDArray x, long dIn, long contextLength, boolean causal, Mask extra) {
        Shapes.requireSequence(x, "x", dIn, "[batch, tokens, dIn]");
        requireWithinContext(x, contextLength);
        long tokens = x.size(-2);
        requireMaskFits(extra, x.rank() == 3 ? x.size(0) : 1, tokens, tokens);
        if (!causal) {
            return extra;
        }
        return extra == null ? CausalMask.of(tokens) : CausalMask.of(tokens).and(extra);
    }

    /**
     * The output projection of a multi-head module: {@code [dOut, dOut]} for {@code dOut} context features.
     */
    static void requireOutProj(Linear outProj, long dOut) {
        if (outProj.inFeatures() != dOut || outProj.outFeatures() != dOut) {
            throw new IllegalArgumentException(String.format(
                "outProj: expected weight [dOut, dOut] = [%d, %d], got %s", dOut, dOut, Shapes.describe(outProj.weight())));
        }
    }

    /** Requires the query and key/value sequences to share rank, batch and features. */
    static void requireCross(INDArray xQuery, INDArray xKeyValue, long dIn) {
        Shapes.requireSequence(xQuery, "xQuery", dIn, "[batch, queryTokens, dIn]");
        Shapes.requireSequence(xKeyValue, "xKeyValue", dIn, "[batch, keyTokens, dIn]");
        if (xQuery.rank() != xKeyValue.rank() || (xQuery.rank() == 3 && xQuery.size(0) != xKeyValue.size(0))) {
            throw new IllegalArgumentException(String.format(
                "xQuery %s and xKeyValue %s need the same rank and batch size",
                Shapes.describe(xQuery), Shapes.describe(xKeyValue)));
        }
    }

    /** Validates a mask against scores {@code [b, h, q, k]}, naming the shapes a learner passed. */
    static void requireMaskFits(Mask mask, long batch, long queries, long keys) {
        if (mask == null) {
            return;
        }
        boolean fits = mask.queries() == queries && mask.keys() == keys
            && (!mask.isBatched() || mask.shape()[0] == batch);
        if (!fits) {
            throw new IllegalArgumentException(String.format(
                "mask %s does not fit: expected [queries, keys] = [%d, %d] or [batch, queries, keys] = [%d, %d, %d]",
                Arrays.toString(mask.shape()), queries, keys, batch, queries, keys));
        }
    }
}
