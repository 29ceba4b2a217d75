package dev.attentionkit.longrange;

import java.util.Arrays;

/**
 * One sequence of the associative-recall task ({@link LongRangeTask}).
 *
 * @param tokens   token ids, {@code [2·pairs + 2]}: key value key value ... ? key
 * @param label    the class, {@code 0 .. LongRangeTask.CLASSES - 1}: the value paired with the query key
 * @param distance how many tokens come after the deciding value (2: it is in the last pair before the query)
 */
public record LongRangeExample(int[] tokens, int label, int distance) {
    public LongRangeExample {
        tokens = tokens.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    /** The deciding value's position, {@code length - 1 - distance}; its key is one before it. */
    public int valuePosition() {
        return tokens.length - 1 - distance;
    }

    /** Pairs in the sequence. */
    public int pairs() {
        return (tokens.length - 2) / 2;
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
        return LongRangeTask.text(tokens) + " → " + LongRangeTask.valueName(label) + " (distance " + distance + ")";
    }
}
