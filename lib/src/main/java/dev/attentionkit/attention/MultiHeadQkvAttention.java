package dev.attentionkit.attention;

import dev.attentionkit.nn.Dropout;
import dev.attentionkit.nn.Linear;

/**
 * What the weight-split multi-head modules share ({@link MultiHeadAttention}, {@link TalkingHeadsAttention}): on top
 * of {@link QkvAttention}'s query, key and value projections, the output projection {@code out_proj} with its accessor,
 * the checks of {@code fromLayers} and {@code toString} (the sizes, heads among them, are kept by
 * {@link AbstractAttentionModule}). How the heads attend stays written out in each module's own file.
 *
 * @param <M> the module itself, so that {@code train()} and {@code eval()} return it
 */
abstract class MultiHeadQkvAttention<M extends MultiHeadQkvAttention<M>> extends QkvAttention<M> {
    final Linear outProj;       // [dOut, dOut], with bias

    /** @param causal false only for a {@code bidirectional()} form, which shares every array with its module */
    MultiHeadQkvAttention(Linear query, Linear key, Linear value, Linear outProj, int numHeads, long contextLength,
                          Dropout dropout, boolean causal) {
        super(query, key, value, dropout, numHeads, contextLength, causal);
        this.outProj = outProj;
    }

    /**
     * The checks of a module's {@code fromLayers}, before anything else is read: query, key and value of one shape,
     * {@code numHeads} dividing {@code dOut}, a positive {@code contextLength}, {@code outProj [dOut, dOut]}.
     */
    static void requireLayers(Linear query, Linear key, Linear value, Linear outProj, int numHeads, long contextLength) {
        ModuleChecks.requireSameShape(query, key, value);
        ModuleChecks.requireHeads(query.outFeatures(), numHeads);
        ModuleChecks.requirePositive(contextLength, "contextLength");
        ModuleChecks.requireOutProj(outProj, query.outFeatures());
    }

    /** {@code out_proj}, weight {@code [dOut, dOut]} and bias {@code [dOut]} (the live layer). */
    public Linear outProj() {
        return outProj;
    }

    /** {@code Name(dIn=.., dOut=.., numHeads=.., contextLength=.., dropout=.., qkvBias=..[, bidirectional])}. */
    @Override
    public String toString() {
        return getClass().getSimpleName() + "(dIn=" + dIn() + ", dOut=" + dOut() + ", numHeads=" + numHeads()
            + ", contextLength=" + contextLength() + ", dropout=" + dropout.p()
            + ", qkvBias=" + query.bias().isPresent() + (isCausal() ? "" : ", bidirectional") + ")";
    }
}
