package dev.attentionkit.seq2seq;

import java.util.List;

/** Exact-match accuracy: a translation counts only if every character is right. */
public final class ExactMatch {
    private ExactMatch() {}

    /**
     * @param predicted the model's outputs
     * @param expected  the right answers, same count
     * @return the fraction of positions {@code i} with {@code predicted[i].equals(expected[i])}, in [0, 1]
     */
    public static double accuracy(List<String> predicted, List<String> expected) {
        if (predicted.size() != expected.size()) {
            throw new IllegalArgumentException("predicted has " + predicted.size() + " entries, expected "
                + expected.size());
        }
        if (expected.isEmpty()) {
            throw new IllegalArgumentException("no examples to score");
        }
        long right = 0;
        for (int i = 0; i < expected.size(); i++) {
            if (expected.get(i).equals(predicted.get(i))) {
                right++;
            }
        }
        return (double) right / expected.size();
    }

    /**
     * @return the fraction of characters equal at the same position, over all pairs (each pair must have the same
     *         length), in [0, 1]: partial credit where {@link #accuracy} gives none
     */
    public static double characterAccuracy(List<String> predicted, List<String> expected) {
        if (predicted.size() != expected.size()) {
            throw new IllegalArgumentException("predicted has " + predicted.size() + " entries, expected "
                + expected.size());
        }
        if (expected.isEmpty()) {
            throw new IllegalArgumentException("no examples to score");
        }
        long right = 0;
        long total = 0;
        for (int i = 0; i < expected.size(); i++) {
            String p = predicted.get(i);
            String e = expected.get(i);
            if (p.length() != e.length()) {
                throw new IllegalArgumentException("entry " + i + ": predicted \"" + p + "\" has " + p.length()
                    + " characters, expected \"" + e + "\" has " + e.length());
            }
            for (int c = 0; c < e.length(); c++) {
                right += p.charAt(c) == e.charAt(c) ? 1 : 0;
            }
            total += e.length();
        }
        return (double) right / total;
    }
}
