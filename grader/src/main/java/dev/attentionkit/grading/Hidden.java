package dev.attentionkit.grading;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a graded test (method) or every graded test of a class as hidden: it counts towards the
 * score, but learner-facing output shows neither its name nor its messages (Gradescope
 * visibility "after_published"). Tests under {@code graded/src/hidden/java} are hidden too.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Hidden {
}
