package dev.attentionkit.grading;

import java.security.SecureRandom;

/**
 * The seed the graded tests draw their random inputs from. The grader picks a fresh one for every submission
 * and hands it to the test JVM as a system property; the tests compute their expected values from plain-loop
 * references on those inputs, so an answer hard-coded for one run fails the next. The seed is printed with the
 * report ({@code --seed N} repeats the run) and is no secret: knowing it does not help without the computation.
 */
public final class GradedSeed {
    /** The system property the graded tests read (their {@code Graded.RUN_SEED}). */
    public static final String PROPERTY = "attentionkit.graded.seed";

    private static final SecureRandom RANDOM = new SecureRandom();

    private GradedSeed() {
    }

    /** A fresh, non-zero seed (0 means "the fixed inputs of a plain Maven run"). */
    static long fresh() {
        long s;
        do {
            s = RANDOM.nextLong();
        } while (s == 0);
        return s;
    }
}
