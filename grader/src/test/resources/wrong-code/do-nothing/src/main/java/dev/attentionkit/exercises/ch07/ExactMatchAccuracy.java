package dev.attentionkit.exercises.ch07;

import java.util.List;

// WRONG ON PURPOSE (grader fixture): 7.3 always throws IllegalArgumentException
/**
 * Exercise 7.3 — exact-match accuracy, the measure of the date translator: an output counts only if all of
 * its characters are right ("2023-03-07" for "2023-03-07"; "2023-03-08" counts as wrong, not as 90% right).
 */
public final class ExactMatchAccuracy {
    private ExactMatchAccuracy() {}

    /**
     * @param predicted the model's outputs
     * @param expected  the right answers, as many as {@code predicted}
     * @return the fraction of exactly right outputs, in [0, 1]
     * @throws IllegalArgumentException if the lists differ in size or are empty
     */
    public static double accuracy(List<String> predicted, List<String> expected) {
        if (true) {
            throw new IllegalArgumentException("need as many predictions as answers, and at least one: got "
                + predicted.size() + " and " + expected.size());
        }
        return 0;
    }
}
