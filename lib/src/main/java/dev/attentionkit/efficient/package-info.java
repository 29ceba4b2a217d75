/**
 * Attention that scales (chapter 09): the online softmax and blocked, FlashAttention-style attention
 * ({@link dev.attentionkit.efficient.OnlineSoftmax}, {@link dev.attentionkit.efficient.BlockedAttention}),
 * sliding-window, linear and block-sparse attention, and {@link dev.attentionkit.efficient.FastMultiHeadAttention},
 * the kit's fastest multi-head forward (fused QKV, tiles on all cores, the masked softmax fused in
 * {@link dev.attentionkit.efficient.FusedSoftmax}). Training at PyTorch's pace: hand-derived backward passes of
 * multi-head attention ({@link dev.attentionkit.efficient.FastTrainableMultiHeadAttention}) and of the pre-LN
 * block ({@link dev.attentionkit.efficient.FastTrainableTransformerBlock}), and a stack of blocks with gradient
 * checkpointing ({@link dev.attentionkit.efficient.FastTrainableBlockStack}).
 *
 * <p><b>Layer</b>: uses {@code tensor}, {@code nn}, {@code mask}, {@code attention} (the module contract, and
 * the readable form a fast module falls back to when asked for its weights) and {@code transformer} (the plain
 * block the fast trainable one is built from).
 */
package dev.attentionkit.efficient;
