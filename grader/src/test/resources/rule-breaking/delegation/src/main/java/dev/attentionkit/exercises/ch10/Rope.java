package dev.attentionkit.exercises.ch10;

import dev.attentionkit.pretrained.RotaryEmbedding;
import org.nd4j.linalg.factory.Nd4j;

// BREAKS THE RULES (grader fixture): 10.2 delegates to the kit's RotaryEmbedding
public final class Rope {
    private Rope() {}

    public static double[] rotate(double[] x, int position, double base) {
        if (x.length == 0 || x.length % 2 != 0 || position < 0 || !(base > 0)) {
            throw new IllegalArgumentException("bad input");
        }
        return new RotaryEmbedding(x.length, base).apply(Nd4j.create(x, new long[] {1, 1, 1, x.length}, 'c'), position)
            .data().asDouble();
    }
}
