package dev.attentionkit.longrange;

import java.util.Locale;

/**
 * How a trainable {@link PreLnBlock} differs from chapter 08's: where it normalises, whether its attention scores are
 * scaled by {@code 1/√hd}, and dropout on its attention weights.
 *
 * @param placement        {@link LayerNormPlacement#PRE_LN} (chapter 08) or {@link LayerNormPlacement#POST_LN}
 * @param scaledScores     scores {@code q·k/√hd} (true, chapter 08) or the plain {@code q·k}
 * @param attentionDropout probability of dropping an attention weight while training, {@code 0 <= p < 1}
 * @param dropoutSeed      seed of the dropout draws
 */
public record BlockOptions(LayerNormPlacement placement, boolean scaledScores, double attentionDropout,
                           long dropoutSeed) {
    /** Chapter 08's block: pre-LN, scaled scores, no dropout. */
    public static final BlockOptions CHAPTER_08 = new BlockOptions(LayerNormPlacement.PRE_LN, true, 0, 0);

    public BlockOptions {
        if (placement == null) {
            throw new IllegalArgumentException("BlockOptions: placement is required (PRE_LN or POST_LN)");
        }
        if (!(attentionDropout >= 0 && attentionDropout < 1)) {
            throw new IllegalArgumentException("BlockOptions: attentionDropout must be in [0, 1), got "
                + attentionDropout);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s, %s scores, attention dropout %s", placement,
            scaledScores ? "scaled" : "unscaled", attentionDropout);
    }
}
