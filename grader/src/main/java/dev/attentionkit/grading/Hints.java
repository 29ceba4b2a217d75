package dev.attentionkit.grading;

/** How much help a report shows next to a failed test (see {@link Hint}). */
public enum Hints {
    /** The nudge only: what is wrong and where to look (the default). */
    NUDGE,
    /** The nudge and the full recipe. */
    FULL
}
