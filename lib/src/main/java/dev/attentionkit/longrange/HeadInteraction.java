package dev.attentionkit.longrange;

import java.util.Locale;

/**
 * How the heads of the transformer block work together (TRANSFORMER only; chapter 12). {@link #NONE} is chapter 08's
 * block: independent heads, concatenated and projected.
 *
 * <ul>
 * <li>{@code talkingHeads}: the heads mix their logits before the softmax and their weights after it through two
 *     learned {@code [heads, heads]} matrices, as {@link dev.attentionkit.attention.TalkingHeadsAttention} (Shazeer et
 *     al. 2020); both start at the identity, so training starts from independent heads.</li>
 * <li>{@code gates}: each head's output is multiplied by a learned gate {@code g_h = sigmoid(α_h)} (starting at
 *     {@code sigmoid(0) = 0.5}) before the output projection, and the loss gets {@code gatePenalty · Σ_h g_h}, an L1
 *     penalty on the gates: a head the task does not need is pushed towards 0, switched off.</li>
 * </ul>
 *
 * @param talkingHeads whether the heads mix logits and weights
 * @param gates        whether each head has a gate
 * @param gatePenalty  the L1 penalty's factor, {@code >= 0}; 0 without gates
 */
public record HeadInteraction(boolean talkingHeads, boolean gates, double gatePenalty) {
    /** Chapter 08's block: independent heads, no gates. */
    public static final HeadInteraction NONE = new HeadInteraction(false, false, 0);

    /** Talking heads, no gates. */
    public static final HeadInteraction TALKING_HEADS = new HeadInteraction(true, false, 0);

    /** The gate logit every head starts with: {@code sigmoid(0) = 0.5}, half open, where a gate moves fastest. */
    public static final double INITIAL_GATE_LOGIT = 0.0;

    public HeadInteraction {
        if (!(gatePenalty >= 0) || Double.isInfinite(gatePenalty)) {
            throw new IllegalArgumentException("HeadInteraction: gatePenalty must be a number >= 0, got " + gatePenalty);
        }
        if (!gates && gatePenalty != 0) {
            throw new IllegalArgumentException("HeadInteraction: a gatePenalty of " + gatePenalty + " needs gates");
        }
    }


    /** Independent heads with gates and an L1 penalty of {@code penalty · Σ_h g_h}. */
    public static HeadInteraction gated(double penalty) {
        return new HeadInteraction(false, true, penalty);
    }

    /** Whether this is chapter 08's plain block. */
    public boolean isNone() {
        return !talkingHeads && !gates;
    }

    @Override
    public String toString() {
        if (isNone()) {
            return "independent heads";
        }
        String s = talkingHeads ? "talking heads" : "independent heads";
        return gates ? String.format(Locale.ROOT, "%s, gated (L1 %s)", s, gatePenalty) : s;
    }
}
