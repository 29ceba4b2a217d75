/**
 * Attention that scales (chapter 09): the online softmax and blocked, FlashAttention-style attention
 * ({@link dev.attentionkit.efficient.OnlineSoftmax}, {@link dev.attentionkit.efficient.BlockedAttention}),
 * sliding-window, linear and block-sparse attention, and {@link dev.attentionkit.efficient.FastMultiHeadAttention},
 * the kit's fastest multi-head forward (fused QKV, tiles on all cores, the masked softmax fused in
 * {@link dev.attentionkit.efficient.FusedSoftmax}).
 *
 * <p><b>Layer</b>: uses {@code tensor}, {@code nn} and {@code mask}; it does not depend on the teaching modules of
 * {@code attention}, whose results its tests compare with.
 */
package dev.attentionkit.efficient;
