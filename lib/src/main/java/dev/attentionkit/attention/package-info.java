/**
 * The attention modules of chapters 01–05, in the book's order: {@link dev.attentionkit.attention.SimpleSelfAttention}
 * (no weights), {@link dev.attentionkit.attention.SelfAttentionV1} and {@link dev.attentionkit.attention.SelfAttentionV2},
 * {@link dev.attentionkit.attention.CausalAttention}, {@link dev.attentionkit.attention.MultiHeadAttentionWrapper},
 * {@link dev.attentionkit.attention.MultiHeadAttention}, {@link dev.attentionkit.attention.FusedQkvAttention}, and
 * {@link dev.attentionkit.attention.AttentionLayer} with a swappable score, mask and normalisation. Every module
 * returns its weights with its output ({@link dev.attentionkit.attention.AttentionOutput}) so they can be drawn.
 *
 * <p><b>Layer</b>: uses {@code tensor}, {@code nn}, {@code mask} and {@code score}; nothing that trains, draws
 * or runs in a notebook.
 */
package dev.attentionkit.attention;
