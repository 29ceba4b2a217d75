package dev.attentionkit.exercises.ch10;

/**
 * Exercise 10.2 — rotate a query with RoPE.
 *
 * <p>Rotary position embedding treats the features of a head as pairs {@code (x[2i], x[2i+1])} and rotates
 * pair i by the angle {@code position · θ_i}, with {@code θ_i = base^(-2i / d)}:
 *
 * <pre>
 * x'[2i]   = x[2i] · cos(a) - x[2i+1] · sin(a)
 * x'[2i+1] = x[2i] · sin(a) + x[2i+1] · cos(a)        a = position · θ_i
 * </pre>
 */
public final class Rope {
    private Rope() {}

    /**
     * @param x        one head's query or key, an even number {@code d} of features (not changed)
     * @param position the token's position, from 0
     * @param base     e.g. 10000 (SmolLM2: 100000)
     * @return the rotated copy
     */
    public static double[] rotate(double[] x, int position, double base) {
        // TODO Exercise 10.2: replace this line with your code.
        // Hint: for i in 0..d/2-1, angle = position * Math.pow(base, -2.0 * i / d); rotate (x[2i], x[2i+1]) by it.
        throw new UnsupportedOperationException("Exercise 10.2 is not done yet");
    }
}
