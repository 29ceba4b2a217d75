package dev.attentionkit.train;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The graph version of {@link dev.attentionkit.attention.AttentionOutput}: the context vectors and the
 * weights that produced them, kept as variables so the weights can be fetched with {@code sd.output(...)}
 * and drawn after training.
 *
 * @param context {@code [batch, queries, dV]} (multi-head: {@code [batch, queries, dOut]})
 * @param weights {@code [batch, queries, keys]} (multi-head: {@code [batch, heads, queries, keys]})
 */
public record TrainableAttentionOutput(SDVariable context, SDVariable weights) {
}
