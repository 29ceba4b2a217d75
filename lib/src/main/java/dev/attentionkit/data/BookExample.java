package dev.attentionkit.data;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The running example of chapter 3 of <i>Build a Large Language Model (From Scratch)</i>: the sentence
 * "Your journey starts with one step" as six tokens with three-dimensional embeddings, small enough
 * to check every number by hand.
 */
public final class BookExample {
    private BookExample() {}

    /** The six tokens, in order. */
    public static final List<String> TOKENS = List.of("Your", "journey", "starts", "with", "one", "step");

    /** The embeddings the book writes out, {@code [6, 3]} float32; a fresh copy on every call. */
    public static INDArray inputs() {
        return Nd4j.createFromArray(new float[][] {
            {0.43f, 0.15f, 0.89f}, // Your     (x^1)
            {0.55f, 0.87f, 0.66f}, // journey  (x^2)
            {0.57f, 0.85f, 0.64f}, // starts   (x^3)
            {0.22f, 0.58f, 0.33f}, // with     (x^4)
            {0.77f, 0.25f, 0.10f}, // one      (x^5)
            {0.05f, 0.80f, 0.55f}, // step     (x^6)
        });
    }

    /** Two copies of {@link #inputs()} stacked as a batch, {@code [2, 6, 3]}, as book section 3.5.3 does. */
    public static INDArray batch() {
        return Nd4j.stack(0, inputs(), inputs());
    }
}
