/**
 * Chapter 11's experiments on training stability: a stack of trainable transformer blocks
 * ({@link dev.attentionkit.stability.TransformerStack}) on chapter 08's associative-recall task, configured by
 * {@link dev.attentionkit.stability.StackConfig} (pre-LN or post-LN, scores with or without {@code 1/√d_k}, attention
 * dropout, initialisation scale, learning rate and warm-up), training logs with every layer's gradient norm
 * ({@link dev.attentionkit.stability.TrainingLog}) and mean ± sd over seeds ({@link dev.attentionkit.stability.SeedStats}).
 *
 * <p><b>Layer</b>: an experiment, at the top, beside {@code longrange}. Uses {@code longrange} (its task and its
 * trainable blocks, whose backward passes are written out), {@code transformer}, {@code nn} and {@code notebook}
 * (the run profile); nothing uses it.
 */
package dev.attentionkit.stability;
