/**
 * Masks: which keys each query may attend to ({@code true} = attend). {@link dev.attentionkit.mask.CausalMask}
 * hides the future, {@link dev.attentionkit.mask.PaddingMask} hides padding (d2l's valid lengths),
 * {@link dev.attentionkit.mask.LocalMask} keeps a sliding window; any boolean array is a
 * {@link dev.attentionkit.mask.Mask} too, and masks combine with {@code and} / {@code or} / {@code not}.
 * {@link dev.attentionkit.mask.MaskFill} names the two conventions for the masked scores ({@code -∞}, {@code -1e9}).
 *
 * <p><b>Layer</b>: above {@code tensor}, which is all it uses.
 */
package dev.attentionkit.mask;
