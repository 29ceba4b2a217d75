package dev.attentionkit.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attentionkit.data.BookExample;
import dev.attentionkit.nn.TorchRandom;
import dev.attentionkit.testkit.Book;
import dev.attentionkit.testkit.Check;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The numbers printed in chapter 3 of <i>Build a Large Language Model (From Scratch)</i>, computed there
 * by PyTorch: an independent check of the library and of the seeded weights, to the book's 4 decimals.
 */
@DisplayName("The library reproduces the book's printed numbers")
class BookNumbersTest {
    private static final double BOOK = Book.PRINTED; // the book prints 4 decimals

    @Test
    @DisplayName("torch.manual_seed(0); torch.rand(3) gives 0.4963, 0.7682, 0.0885")
    void torchRandMatchesPyTorch() {
        assertArrayEquals(new double[] {0.4963, 0.7682, 0.0885},
            TorchRandom.manualSeed(0).rand(3).toDoubleVector(), BOOK);
    }

    @Test
    @DisplayName("3.3.1: scores, weights and context vector of the query 'journey'")
    void simpleSelfAttentionForOneQuery() {
        INDArray inputs = BookExample.inputs();
        Check.assertClose(Book.journeyScores(), SimpleSelfAttention.scoresFor(inputs, 1), BOOK, "scores of 'journey'");
        Check.assertClose(Book.journeyWeights(), SimpleSelfAttention.weightsFor(inputs, 1), BOOK, "weights of 'journey'");
        Check.assertClose(Book.journeyContext(), SimpleSelfAttention.contextFor(inputs, 1), BOOK, "context of 'journey'");
    }

    @Test
    @DisplayName("3.3.2: all context vectors")
    void simpleSelfAttentionForAllQueries() {
        assertMatrix(Book.contextVectors(), SimpleSelfAttention.contextVectors(BookExample.inputs()));
    }

    @Test
    @DisplayName("3.4.1: query of 'journey' and its context vector with torch.manual_seed(123)")
    void trainableWeightsStepByStep() {
        SelfAttentionV1 v1 = SelfAttentionV1.fromSeed(3, 2, 123);
        INDArray x2 = BookExample.inputs().getRow(1).reshape(1, 3);
        assertArrayEquals(Book.journeyQuery123(), x2.mmul(v1.wQuery()).toDoubleVector(), BOOK);
        AttentionOutput out = v1.attend(BookExample.inputs());
        assertArrayEquals(Book.journeyWeights123(), out.weights().getRow(1).toDoubleVector(), BOOK);
        assertArrayEquals(Book.journeyContext123(), out.context().getRow(1).toDoubleVector(), BOOK);
    }

    @Test
    @DisplayName("3.4.2: SelfAttention_v1 with seed 123")
    void selfAttentionV1() {
        assertMatrix(Book.selfAttentionV1(), SelfAttentionV1.fromSeed(3, 2, 123).forward(BookExample.inputs()));
    }

    @Test
    @DisplayName("3.4.2: SelfAttention_v2 with seed 789")
    void selfAttentionV2() {
        assertMatrix(Book.selfAttentionV2(), SelfAttentionV2.fromSeed(3, 2, false, 789).forward(BookExample.inputs()));
    }

    @Test
    @DisplayName("3.3.1: the library's BookExample holds the book's six embeddings, in order")
    void bookExampleIsTheBooksInputs() {
        assertEquals(Book.TOKENS, BookExample.TOKENS);
        Check.assertClose(Book.inputs(), BookExample.inputs(), 1e-7, "BookExample.inputs() (float32)");
    }

    static void assertMatrix(double[][] expected, INDArray actual) {
        Check.assertClose(expected, actual, BOOK, "the book's printed matrix");
    }
}
