package dev.attentionkit.attention;

import static dev.attentionkit.attention.BookNumbersTest.assertMatrix;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.attentionkit.data.BookExample;
import dev.attentionkit.testkit.Book;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Sections 3.5 and 3.6 of the book: the printed outputs of CausalAttention and the multi-head modules. */
@DisplayName("Causal and multi-head attention reproduce the book's printed numbers")
class CausalAndMultiHeadBookNumbersTest {

    @Test
    @DisplayName("3.5.3: CausalAttention(3, 2, 6, 0.0) with torch.manual_seed(123) on the batch")
    void causalAttention() {
        INDArray batch = BookExample.batch();
        INDArray context = CausalAttention.fromSeed(3, 2, 6, 0.0, false, 123).forward(batch);
        assertArrayEquals(new long[] {2, 6, 2}, context.shape());
        for (int b = 0; b < 2; b++) {
            assertMatrix(Book.causalAttention(), element(context, b));
        }
    }

    @Test
    @DisplayName("3.6.1: MultiHeadAttentionWrapper(3, 2, 6, 0.0, num_heads=2) with seed 123")
    void wrapper() {
        double[][] book = Book.wrapper();
        INDArray context = MultiHeadAttentionWrapper.fromSeed(3, 2, 6, 0.0, 2, false, 123).forward(BookExample.batch());
        assertArrayEquals(new long[] {2, 6, 4}, context.shape());
        for (int b = 0; b < 2; b++) {
            assertMatrix(book, element(context, b));
        }
    }

    @Test
    @DisplayName("3.6.2: MultiHeadAttention(3, 2, 6, 0.0, num_heads=2) with seed 123")
    void multiHeadAttention() {
        double[][] book = Book.multiHeadAttention();
        INDArray context = MultiHeadAttention.fromSeed(3, 2, 6, 0.0, 2, 123).forward(BookExample.batch());
        assertArrayEquals(new long[] {2, 6, 2}, context.shape());
        for (int b = 0; b < 2; b++) {
            assertMatrix(book, element(context, b));
        }
    }

    @Test
    @DisplayName("3.6 exercise: GPT-2 small attention (768, 768, 1024, 12 heads) has 2,360,064 parameters")
    void gpt2ParameterCount() {
        MultiHeadAttention mha = MultiHeadAttention.fromSeed(768, 768, 1024, 0.0, 12, false, 123);
        assertEquals(2_360_064L, mha.parameterCount());
        assertEquals(64, mha.headDim());
        assertEquals(2_360_064L, FusedQkvAttention.fromMultiHeadAttention(mha).parameterCount());
    }

    static INDArray element(INDArray batch, int b) {
        return batch.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all());
    }
}
