package dev.attentionkit.grading;

/** The grader itself could not run (bad arguments, missing submission, broken test sources). */
public final class GradingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An exception with a message naming the problem. */
    public GradingException(String message) {
        super(message);
    }

    /** An exception with a message naming the problem and its cause. */
    public GradingException(String message, Throwable cause) {
        super(message, cause);
    }
}
