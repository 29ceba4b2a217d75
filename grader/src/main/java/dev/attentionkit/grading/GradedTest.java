package dev.attentionkit.grading;

import java.nio.file.Path;

/**
 * One graded test method, as declared in the graded test sources.
 *
 * @param className   fully qualified test class name
 * @param method      test method name
 * @param displayName the test's {@code @DisplayName}, or the method name
 * @param points      the test's {@code @Points}
 * @param hint        the test's {@code @Hint}, or empty
 * @param hidden      whether learner-facing output must hide this test
 * @param source      the test's source file
 * @param exercise    the test class's {@code @DisplayName} (the exercise, e.g. "1.1 Attention scores for one
 *                    query"), or the class's simple name
 * @param recipe      the {@code full} form of the test's {@code @Hint} (shown only on request), or empty
 */
public record GradedTest(String className, String method, String displayName, int points,
                         String hint, boolean hidden, Path source, String exercise, String recipe) {

    /** A test whose hint has no full form. */
    public GradedTest(String className, String method, String displayName, int points, String hint, boolean hidden,
                      Path source, String exercise) {
        this(className, method, displayName, points, hint, hidden, source, exercise, "");
    }

    /** How reports head this test's group: chapter and exercise, e.g. {@code ch01 · 1.1 Attention scores}. */
    public String group() {
        return chapter() + " · " + exercise;
    }

    /** The key the runner protocol uses: {@code Class#method}. */
    public String key() {
        return className + "#" + method;
    }

    /** The chapter, i.e. the last package segment (e.g. {@code ch01}). */
    public String chapter() {
        int dot = className.lastIndexOf('.');
        String pkg = dot < 0 ? "" : className.substring(0, dot);
        return pkg.substring(pkg.lastIndexOf('.') + 1);
    }

    /** The class name without its package. */
    public String simpleClassName() {
        return className.substring(className.lastIndexOf('.') + 1);
    }
}
