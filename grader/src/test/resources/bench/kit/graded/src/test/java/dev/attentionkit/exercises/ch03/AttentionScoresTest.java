package dev.attentionkit.exercises.ch03;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attentionkit.attention.SimpleSelfAttention;
import dev.attentionkit.data.BookExample;
import dev.attentionkit.grading.Hint;
import dev.attentionkit.grading.Points;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Benchmark: ND4J-backed graded tests, like the course's real ones. */
class AttentionScoresTest {
    private static final INDArray X = BookExample.inputs();

    @Test
    @Points(2)
    @DisplayName("scores of query 1 are dot products")
    void scoresForQuery() {
        assertArrayEquals(SimpleSelfAttention.scoresFor(X, 1).toDoubleVector(),
                AttentionScores.scoresFor(X, 1).toDoubleVector(), 1e-4);
    }

    @Test
    @Points(2)
    @DisplayName("weights of query 1 sum to one")
    @Hint("Normalise with softmax over the last axis.")
    void weightsSumToOne() {
        assertEquals(1.0, AttentionScores.weightsFor(X, 1).sumNumber().doubleValue(), 1e-4);
    }

    @Test
    @Points(3)
    @DisplayName("all attention scores form a 6x6 matrix")
    void allScores() {
        assertArrayEquals(new long[] {6, 6}, AttentionScores.scores(X).shape());
    }

    @Test
    @Points(3)
    @DisplayName("context vectors match the book")
    void contextVectors() {
        assertArrayEquals(SimpleSelfAttention.contextVectors(X).toDoubleMatrix()[1],
                AttentionScores.contextVectors(X).toDoubleMatrix()[1], 1e-4);
    }
}
