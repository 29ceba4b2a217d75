package dev.attentionkit.efficient;

import dev.attentionkit.mask.Mask;
import dev.attentionkit.mask.MaskPattern;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exact attention, {@code softmax(mask(Q·Kᵀ/sqrt(d)))·V}, by the fastest of this package's forms that the mask
 * allows: the mask is read for its {@link MaskPattern} (the structure {@code CausalMask} and {@code LocalMask}
 * masks carry), never as a {@code [queries, keys]} array.
 *
 * <ul>
 *   <li>no mask, or a causal one: {@link BlockedAttention} (tiles, online softmax, O(tokens) memory);</li>
 *   <li>a window, causal or both ways: {@link SlidingWindowAttention} (only the band is computed);</li>
 *   <li>any other mask (padding, a hand-made one): refused, with the readable form to use instead.</li>
 * </ul>
 * All give the same numbers as the plain form to float rounding.
 */
public final class EfficientAttention {
    private EfficientAttention() {}

    /**
     * @param queries {@code [tokens, d]}, {@code [batch, tokens, d]} or {@code [batch, heads, tokens, d]}
     * @param keys    same layout, {@code [..., keys, d]}
     * @param values  same layout, {@code [..., keys, dV]}
     * @param mask    null (every key), or a mask with a {@link MaskPattern} of {@code [tokens, tokens]}
     * @return the context, {@code [..., tokens, dV]}
     */
    public static INDArray apply(INDArray queries, INDArray keys, INDArray values, Mask mask) {
        if (mask == null) {
            return BlockedAttention.apply(queries, keys, values, false);
        }
        MaskPattern pattern = mask.pattern().orElseThrow(() -> new IllegalArgumentException(String.format(
            "mask %s has no pattern the efficient forms can apply by position (causal or a window, as CausalMask "
            + "and LocalMask make); for any other mask use ScaledDotProductAttention.apply(q, k, v, mask)",
            java.util.Arrays.toString(mask.shape()))));
        long tokens = queries.size(-2);
        if (mask.queries() != tokens || mask.keys() != keys.size(-2)) {
            throw new IllegalArgumentException(String.format("mask %s does not fit %d queries and %d keys",
                java.util.Arrays.toString(mask.shape()), tokens, keys.size(-2)));
        }
        if (pattern.hasWindow()) {
            return SlidingWindowAttention.apply(queries, keys, values, pattern.window(), pattern.causal());
        }
        return BlockedAttention.apply(queries, keys, values, pattern.causal());
    }
}
