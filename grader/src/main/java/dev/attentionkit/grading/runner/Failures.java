package dev.attentionkit.grading.runner;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Short, learner-readable descriptions of test failures. */
public final class Failures {
    private static final int TRACE_LIMIT = 4000;

    private Failures() {
    }

    /**
     * One line: the exception type (omitted for plain assertion failures), the first line of its
     * message, and where in the exercise code it was thrown, e.g.
     * {@code UnsupportedOperationException: TODO (at Adder.java:5)}.
     */
    public static String describe(Throwable t, String testKey) {
        String message = t.getMessage() == null ? "" : t.getMessage().strip();
        int nl = message.indexOf('\n');
        if (nl >= 0) {
            message = message.substring(0, nl).strip() + " ...";
        }
        boolean assertion = t instanceof AssertionError;
        String type = t.getClass().getSimpleName();
        String text = assertion && !message.isEmpty() ? message : message.isEmpty() ? type : type + ": " + message;
        String where = location(t, testKey.substring(0, testKey.indexOf('#')));
        return where.isEmpty() || assertion ? text : text + " (at " + where + ")";
    }

    /** The first stack frame in exercise code that is not the test class itself. */
    private static String location(Throwable t, String testClass) {
        for (StackTraceElement e : t.getStackTrace()) {
            String cls = e.getClassName();
            if (cls.startsWith("dev.attentionkit.exercises.") && !cls.startsWith(testClass) && e.getFileName() != null) {
                return e.getFileName() + ":" + e.getLineNumber();
            }
        }
        return "";
    }

    /** The stack trace without JUnit and reflection frames, cut to a readable size. */
    public static String trace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        StringBuilder b = new StringBuilder();
        for (String line : w.toString().split("\\R")) {
            String l = line.strip();
            boolean frame = l.startsWith("at ");
            if (!frame || l.startsWith("at dev.attentionkit.")) {
                b.append(line).append('\n');
            }
        }
        String s = b.toString();
        return s.length() <= TRACE_LIMIT ? s : s.substring(0, TRACE_LIMIT) + "\n... [trace truncated]";
    }
}
