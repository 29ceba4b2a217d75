package dev.attentionkit.grading;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A hint shown to the learner next to a failed test, e.g. "divide by sqrt(d_k), not d_k".
 * Must be a string literal (the grader reads it from the test's source).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Hint {
    /** The hint text. */
    String value();
}
