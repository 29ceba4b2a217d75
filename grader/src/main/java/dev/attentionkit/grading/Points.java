package dev.attentionkit.grading;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The points a graded test is worth. Only test methods carrying this annotation are graded.
 * The grader reads the value from the test's source, so it must be an int literal.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Points {
    /** Points earned when the test passes (0 when it fails). */
    int value();
}
