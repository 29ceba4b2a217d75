package dev.attentionkit.grading;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Help shown next to a failed test, in two steps: first a nudge (what to look at, e.g. "how large can exp get in
 * float32?"), and only on request ({@code ./kit grade --hints full}, {@code Exercises.check("ch01", Hints.FULL)})
 * the full recipe, so the answer is not printed before the learner has tried. Both must be string literals (the
 * grader reads them from the test's source).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Hint {
    /** The nudge, shown with every failure. */
    String value();

    /** The full recipe, shown only when asked for; empty when the nudge is all there is. */
    String full() default "";
}
