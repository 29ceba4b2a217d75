package dev.attentionkit.grading;

/**
 * The result of one graded test.
 *
 * @param test   the test
 * @param passed whether it passed
 * @param reason one-line failure reason (empty when passed)
 * @param output what the test printed plus the failure's stack trace, already size-capped
 */
public record TestOutcome(GradedTest test, boolean passed, String reason, String output) {

    /** A passed outcome. */
    public static TestOutcome pass(GradedTest test, String output) {
        return new TestOutcome(test, true, "", output);
    }

    /** A failed outcome. */
    public static TestOutcome fail(GradedTest test, String reason, String output) {
        return new TestOutcome(test, false, reason, output);
    }

    /** Points earned. */
    public int score() {
        return passed ? test.points() : 0;
    }
}
