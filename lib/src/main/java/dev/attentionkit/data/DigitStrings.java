package dev.attentionkit.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Chapter 07's length study task: strings of random digits, to be copied. A constructed task, chosen because the
 * information the answer needs grows with the input (every digit is needed, and no digit follows from another), so
 * a fixed-size summary of the input must eventually run out of room; a date inside a sentence carries a fixed
 * amount of information however long the sentence is.
 */
public final class DigitStrings {
    private static final String DIGITS = "0123456789";

    private DigitStrings() {}

    /**
     * {@code n} strings of random digits, lengths uniform in {@code [minLength, maxLength]}; the same seed gives the
     * same strings.
     *
     * @throws IllegalArgumentException if {@code n < 0} or the lengths are not {@code 1 ≤ minLength ≤ maxLength}
     */
    public static List<String> generate(int n, int minLength, int maxLength, long seed) {
        if (n < 0 || minLength < 1 || minLength > maxLength) {
            throw new IllegalArgumentException("need n ≥ 0 and 1 ≤ minLength ≤ maxLength, got n " + n + ", lengths "
                + minLength + ".." + maxLength);
        }
        Random random = new Random(seed);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int length = minLength + random.nextInt(maxLength - minLength + 1);
            StringBuilder s = new StringBuilder(length);
            for (int k = 0; k < length; k++) {
                s.append(DIGITS.charAt(random.nextInt(10)));
            }
            out.add(s.toString());
        }
        return out;
    }

    /** Padding, unknown and the ten digits: the vocabulary of inputs and answers. */
    public static CharVocabulary vocabulary() {
        return CharVocabulary.of(List.of(DIGITS));
    }
}
