/**
 * The transformer block and its parts (chapter 08): sinusoidal and learned positional encodings,
 * {@link dev.attentionkit.transformer.LayerNorm}, {@link dev.attentionkit.transformer.FeedForward} and the
 * pre-LN {@link dev.attentionkit.transformer.TransformerBlock}.
 *
 * <p><b>Layer</b>: uses {@code tensor}, {@code nn}, {@code mask} and {@code attention}.
 */
package dev.attentionkit.transformer;
