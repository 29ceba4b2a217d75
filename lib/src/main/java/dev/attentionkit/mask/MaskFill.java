package dev.attentionkit.mask;

/**
 * The value written into the scores of masked positions before softmax. Learners meet both in the wild;
 * for every row with at least one visible key they give the same weights, because {@code exp} of either
 * value underflows to exactly 0 in float32.
 */
public enum MaskFill {
    /** Raschka's book: {@code attn_scores.masked_fill(mask.bool(), -torch.inf)}. */
    NEGATIVE_INFINITY(Double.NEGATIVE_INFINITY),
    /** The Annotated Transformer: {@code scores.masked_fill(mask == 0, -1e9)}. */
    MINUS_1E9(-1e9);

    private final double value;

    MaskFill(double value) {
        this.value = value;
    }

    /** The score a masked position gets: {@code -∞} or {@code -1e9}. */
    public double value() {
        return value;
    }
}
