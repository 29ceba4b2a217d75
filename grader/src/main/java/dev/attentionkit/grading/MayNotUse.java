package dev.attentionkit.grading;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What the code of the exercise a graded test class checks may not call: the kit's (or ND4J's) own
 * implementation of the concept the exercise teaches, so a one-line delegation earns nothing. Declared on the
 * test class, next to the tests; {@link ReferenceCheck} reads it from the compiled test class and checks the
 * submission's bytecode before any test runs. A violation scores 0 for the whole exercise.
 *
 * <p>Each entry is a class ({@code "dev.attentionkit.tensor.Softmax"}, its nested classes included), one method
 * of a class ({@code "dev.attentionkit.attention.MultiHeadAttention#fromWrapper"}), a package and its
 * sub-packages ({@code "dev.attentionkit.mask.*"}) or a method of any class ({@code "*#parameterCount"}).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface MayNotUse {
    /** The forbidden classes, methods or packages. */
    String[] value();
}
