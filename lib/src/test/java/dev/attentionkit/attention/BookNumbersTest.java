package dev.attentionkit.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attentionkit.data.BookExample;
import dev.attentionkit.nn.TorchRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The numbers printed in chapter 3 of <i>Build a Large Language Model (From Scratch)</i>, computed there
 * by PyTorch: an independent check of the library and of the seeded weights, to the book's 4 decimals.
 */
@DisplayName("The library reproduces the book's printed numbers")
class BookNumbersTest {
    private static final double BOOK = 5e-5; // the book prints 4 decimals

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
        assertArrayEquals(new double[] {0.9544, 1.4950, 1.4754, 0.8434, 0.7070, 1.0865},
            SimpleSelfAttention.scoresFor(inputs, 1).toDoubleVector(), BOOK);
        assertArrayEquals(new double[] {0.1385, 0.2379, 0.2333, 0.1240, 0.1082, 0.1581},
            SimpleSelfAttention.weightsFor(inputs, 1).toDoubleVector(), BOOK);
        assertArrayEquals(new double[] {0.4419, 0.6515, 0.5683},
            SimpleSelfAttention.contextFor(inputs, 1).toDoubleVector(), BOOK);
    }

    @Test
    @DisplayName("3.3.2: all context vectors")
    void simpleSelfAttentionForAllQueries() {
        double[][] book = {
            {0.4421, 0.5931, 0.5790},
            {0.4419, 0.6515, 0.5683},
            {0.4431, 0.6496, 0.5671},
            {0.4304, 0.6298, 0.5510},
            {0.4671, 0.5910, 0.5266},
            {0.4177, 0.6503, 0.5645}};
        assertMatrix(book, SimpleSelfAttention.contextVectors(BookExample.inputs()));
    }

    @Test
    @DisplayName("3.4.1: query of 'journey' and its context vector with torch.manual_seed(123)")
    void trainableWeightsStepByStep() {
        SelfAttentionV1 v1 = SelfAttentionV1.fromSeed(3, 2, 123);
        INDArray x2 = BookExample.inputs().getRow(1).reshape(1, 3);
        assertArrayEquals(new double[] {0.4306, 1.4551}, x2.mmul(v1.wQuery()).toDoubleVector(), BOOK);
        AttentionOutput out = v1.attend(BookExample.inputs());
        assertArrayEquals(new double[] {0.1500, 0.2264, 0.2199, 0.1311, 0.0906, 0.1820},
            out.weights().getRow(1).toDoubleVector(), BOOK);
        assertArrayEquals(new double[] {0.3061, 0.8210}, out.context().getRow(1).toDoubleVector(), BOOK);
    }

    @Test
    @DisplayName("3.4.2: SelfAttention_v1 with seed 123")
    void selfAttentionV1() {
        double[][] book = {
            {0.2996, 0.8053}, {0.3061, 0.8210}, {0.3058, 0.8203},
            {0.2948, 0.7939}, {0.2927, 0.7891}, {0.2990, 0.8040}};
        assertMatrix(book, SelfAttentionV1.fromSeed(3, 2, 123).forward(BookExample.inputs()));
    }

    @Test
    @DisplayName("3.4.2: SelfAttention_v2 with seed 789")
    void selfAttentionV2() {
        double[][] book = {
            {-0.0739, 0.0713}, {-0.0748, 0.0703}, {-0.0749, 0.0702},
            {-0.0760, 0.0685}, {-0.0763, 0.0679}, {-0.0754, 0.0693}};
        assertMatrix(book, SelfAttentionV2.fromSeed(3, 2, false, 789).forward(BookExample.inputs()));
    }

    static void assertMatrix(double[][] expected, INDArray actual) {
        assertEquals(expected.length, actual.rows(), "rows");
        double[][] got = actual.toDoubleMatrix();
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], got[i], BOOK, "row " + i);
        }
    }
}
