package dev.attentionkit.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

@DisplayName("TorchRandom reproduces torch.manual_seed + torch.rand")
class TorchRandomTest {

    @Test
    @DisplayName("seed 123, torch.rand(3, 2): the book's W_query")
    void bookWQuery() {
        // Book 3.4.1 prints W_query after torch.manual_seed(123).
        INDArray w = TorchRandom.manualSeed(123).rand(3, 2);
        assertEquals(DataType.FLOAT, w.dataType());
        double[][] book = {{0.2961, 0.5166}, {0.2517, 0.6886}, {0.0740, 0.8665}};
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(book[i], w.getRow(i).toDoubleVector(), 5e-5);
        }
    }

    @Test
    @DisplayName("the draw is the low 24 bits of MT19937's output over 2^24 (seed 0's first output is 2357136044)")
    void firstDrawFromTheMersenneTwister() {
        // 2357136044 is the first 32-bit output of the reference MT19937 seeded with 0.
        assertEquals((2357136044L & 0xFFFFFF) / (double) (1 << 24), TorchRandom.manualSeed(0).nextFloat(), 0.0);
    }

    @Test
    @DisplayName("the same seed gives the same numbers, another seed others")
    void reproducible() {
        assertEquals(TorchRandom.manualSeed(7).rand(5), TorchRandom.manualSeed(7).rand(5));
        assertEquals(false, TorchRandom.manualSeed(7).rand(5).equals(TorchRandom.manualSeed(8).rand(5)));
    }
}
