package dev.attentionkit.longrange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.attention.MultiHeadAttention;
import dev.attentionkit.transformer.TransformerBlock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

@DisplayName("PreLnBlock's options: post-LN wiring, unscaled scores, attention dropout")
class BlockOptionsTest {
    private static final TransformerBlock PLAIN = TransformerBlock.fromSeed(8, 2, 32, 6, 11);

    private static INDArray input() {
        Nd4j.getRandom().setSeed(3);
        return Nd4j.rand(DataType.DOUBLE, 3, 6, 8).subi(0.5).muli(4);
    }

    @Test
    @DisplayName("post-LN ends in a layer norm: at initialisation (γ = 1, β = 0) every output row has mean 0, variance 1")
    void postLnOutputIsNormalised() {
        PreLnBlock post = new PreLnBlock(PLAIN, DataType.DOUBLE,
            new BlockOptions(LayerNormPlacement.POST_LN, true, 0, 0));
        INDArray y = post.forward(input()).reshape(18, 8);
        assertTrue(y.mean(1).amaxNumber().doubleValue() < 1e-9, "row means " + y.mean(1));
        assertTrue(y.var(false, 1).sub(1).amaxNumber().doubleValue() < 1e-3, "row variances " + y.var(false, 1));
        INDArray pre = new PreLnBlock(PLAIN, DataType.DOUBLE).forward(input()).reshape(18, 8);
        assertTrue(pre.var(false, 1).sub(1).amaxNumber().doubleValue() > 0.1, "pre-LN leaves the residual unnormalised");
        assertEquals(LayerNormPlacement.POST_LN, post.placement());
        assertThrows(IllegalStateException.class, post::toPlain);
    }

    @Test
    @DisplayName("the attention weights are softmax(Q·Kᵀ/√hd), or softmax(Q·Kᵀ) unscaled, recomputed with ND4J")
    void scaledAndUnscaledWeights() {
        MultiHeadAttention mha = (MultiHeadAttention) PLAIN.attention();
        INDArray x = input();
        INDArray x2 = x.reshape(18, 8);
        // what the block's attention reads: ln1(x) (γ = 1, β = 0 at initialisation)
        INDArray centred = x2.subColumnVector(x2.mean(1).reshape(18, 1));
        INDArray l1 = centred.divColumnVector(Transforms.sqrt(centred.mul(centred).mean(1).reshape(18, 1).add(1e-5)));
        INDArray q = l1.mmul(mha.query().weight().castTo(DataType.DOUBLE).transpose());
        INDArray k = l1.mmul(mha.key().weight().castTo(DataType.DOUBLE).transpose());
        for (boolean scaled : new boolean[] {true, false}) {
            PreLnBlock block = new PreLnBlock(PLAIN, DataType.DOUBLE, new BlockOptions(LayerNormPlacement.PRE_LN,
                scaled, 0, 0));
            block.forward(x);
            INDArray weights = block.lastWeights();                                        // [b·heads, T, T]
            for (int b = 0; b < 3; b++) {
                for (int h = 0; h < 2; h++) {
                    INDArray qh = q.get(NDArrayIndex.interval(b * 6, b * 6 + 6), NDArrayIndex.interval(h * 4, h * 4 + 4));
                    INDArray kh = k.get(NDArrayIndex.interval(b * 6, b * 6 + 6), NDArrayIndex.interval(h * 4, h * 4 + 4));
                    INDArray s = qh.mmul(kh.transpose()).muli(scaled ? 0.5 : 1);
                    INDArray expected = Transforms.softmax(s, true);
                    INDArray actual = weights.get(NDArrayIndex.point(b * 2 + h), NDArrayIndex.all(), NDArrayIndex.all());
                    assertTrue(expected.equalsWithEps(actual, 1e-9), (scaled ? "scaled" : "unscaled") + " b" + b + " h"
                        + h + ": expected " + expected + " got " + actual);
                }
            }
        }
    }

    @Test
    @DisplayName("attention dropout: off in evaluation (the plain block's output), a different output while training")
    void dropoutOnlyWhileTraining() {
        INDArray x = input();
        INDArray plain = new PreLnBlock(PLAIN, DataType.DOUBLE).forward(x);
        PreLnBlock dropped = new PreLnBlock(PLAIN, DataType.DOUBLE,
            new BlockOptions(LayerNormPlacement.PRE_LN, true, 0.5, 9));
        INDArray training = dropped.forward(x);
        assertFalse(plain.equalsWithEps(training, 1e-6), "training with dropout changes the output");
        dropped.training(false);
        assertTrue(plain.equalsWithEps(dropped.forward(x), 1e-12), "evaluation: no dropout");
        dropped.training(true);
        dropped.reseedDropout(4);
        INDArray first = dropped.forward(x);
        dropped.reseedDropout(4);
        assertTrue(first.equalsWithEps(dropped.forward(x), 1e-12), "the same seed, the same mask");
    }

    @Test
    @DisplayName("bad options and inputs get errors naming the problem")
    void badInput() {
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> new BlockOptions(LayerNormPlacement.PRE_LN, true, 1.0, 0)).getMessage().contains("attentionDropout"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> new BlockOptions(LayerNormPlacement.PRE_LN, true, Double.NaN, 0)).getMessage()
            .contains("attentionDropout"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new BlockOptions(null, true, 0, 0)).getMessage()
            .contains("placement"));
        PreLnBlock block = new PreLnBlock(PLAIN, DataType.DOUBLE, BlockOptions.CHAPTER_08);
        assertTrue(assertThrows(IllegalStateException.class, () -> block.backward(Nd4j.zeros(DataType.DOUBLE, 1, 6, 8)))
            .getMessage().contains("call forward first"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> block.forward(Nd4j.zeros(DataType.DOUBLE, 2, 6, 5)))
            .getMessage().contains("d = 8"));
        assertThrows(IllegalArgumentException.class, () -> new PreLnBlock(PLAIN, DataType.DOUBLE, (BlockOptions) null));
    }
}
