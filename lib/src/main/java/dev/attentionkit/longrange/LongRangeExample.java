package dev.attentionkit.longrange;

import java.util.Arrays;

/**
 * One sequence of the long-range task.
 *
 * @param tokens   token ids, {@code [length]}
 * @param label    the class, {@code 0 .. LongRangeTask.CLASSES - 1}: which value follows the marker
 * @param distance how many tokens come after the deciding value token (0: it is the last token)
 */
public record LongRangeExample(int[] tokens, int label, int distance) {
    public LongRangeExample {
        tokens = tokens.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    /** The deciding token's position, {@code length - 1 - distance}. */
    public int valuePosition() {
        return tokens.length - 1 - distance;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LongRangeExample e && e.label == label && e.distance == distance
            && Arrays.equals(e.tokens, tokens);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(tokens) + 7 * label + distance;
    }

    @Override
    public String toString() {
        return LongRangeTask.text(tokens) + " → " + LongRangeTask.VOCABULARY.get(1 + label) + " (distance " + distance + ")";
    }
}
