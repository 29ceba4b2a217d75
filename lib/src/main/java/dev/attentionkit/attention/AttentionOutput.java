package dev.attentionkit.attention;

import dev.attentionkit.tensor.Shapes;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What an attention layer computes: the context vectors and the attention weights that produced them.
 * The weights are kept so they can be printed, tabulated or drawn as a heatmap afterwards.
 *
 * @param context {@code [tokens, dOut]} or {@code [batch, tokens, dOut]}
 * @param weights {@code [queries, keys]} or {@code [batch, queries, keys]}; multi-head modules add a heads axis,
 *                {@code [(batch,) heads, queries, keys]}. Each row sums to 1, except where dropout was applied
 *                (the weights are returned after dropout, so {@code context = weights · values} holds) and in
 *                rows whose every key is masked, which are all zeros.
 */
public record AttentionOutput(INDArray context, INDArray weights) {
    @Override
    public String toString() {
        return "AttentionOutput(context " + Shapes.describe(context) + ", weights " + Shapes.describe(weights) + ")";
    }
}
