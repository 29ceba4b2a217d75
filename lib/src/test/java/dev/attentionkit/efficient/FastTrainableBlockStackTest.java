package dev.attentionkit.efficient;

import static dev.attentionkit.efficient.FastTrainableTransformerBlockTest.B;
import static dev.attentionkit.efficient.FastTrainableTransformerBlockTest.D;
import static dev.attentionkit.efficient.FastTrainableTransformerBlockTest.H;
import static dev.attentionkit.efficient.FastTrainableTransformerBlockTest.HIDDEN;
import static dev.attentionkit.efficient.FastTrainableTransformerBlockTest.plain;
import static dev.attentionkit.efficient.FastTrainableTransformerBlockTest.r;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.transformer.TransformerBlock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@DisplayName("A stack of trainable blocks, with and without gradient checkpointing")
class FastTrainableBlockStackTest {
    private static final int BLOCKS = 3, T = 70;   // 70 tokens: causal tiles of two blocks of queries

    private static List<TransformerBlock> blocks(int tokens) {
        List<TransformerBlock> list = new ArrayList<>();
        for (int i = 0; i < BLOCKS; i++) {
            list.add(plain(100 + 20L * i, true, tokens));
        }
        return list;
    }

    @Test
    @DisplayName("checkpointed gradients (every block's, and the input's) equal the non-checkpointed ones exactly, in float64")
    void checkpointedEqualsPlain() {
        INDArray x = r(7, B, T, D), g = r(8, B, T, D);
        FastTrainableBlockStack full = FastTrainableBlockStack.from(blocks(T), false);
        FastTrainableBlockStack checkpointed = FastTrainableBlockStack.from(blocks(T), true);
        INDArray yFull = full.forward(x), yCkpt = checkpointed.forward(x);
        assertEquals(0.0, yFull.sub(yCkpt).amaxNumber().doubleValue(), "outputs differ");
        INDArray dxFull = full.backward(g), dxCkpt = checkpointed.backward(g);
        assertEquals(0.0, dxFull.sub(dxCkpt).amaxNumber().doubleValue(), "input gradients differ");
        assertTrue(dxFull.amaxNumber().doubleValue() > 0, "the input gradient is all zeros");
        assertEquals(BLOCKS - 1, checkpointed.recomputations());
        assertEquals(0, full.recomputations());
        for (int b = 0; b < BLOCKS; b++) {
            for (Map.Entry<String, INDArray> e : full.gradients(b).entrySet()) {
                INDArray other = checkpointed.gradients(b).get(e.getKey());
                double diff = e.getValue().sub(other).amaxNumber().doubleValue();
                assertEquals(0.0, diff, "block " + b + " " + e.getKey());
            }
        }
    }

    @Test
    @DisplayName("the stack's gradients are the chain rule through its blocks: equal to the blocks run one by one")
    void equalsBlocksOneByOne() {
        INDArray x = r(7, B, T, D), g = r(8, B, T, D);
        FastTrainableBlockStack stack = FastTrainableBlockStack.from(blocks(T), true);
        stack.forward(x);
        INDArray dx = stack.backward(g);
        List<FastTrainableTransformerBlock> single = blocks(T).stream().map(FastTrainableTransformerBlock::from).toList();
        INDArray h = x;
        for (FastTrainableTransformerBlock b : single) {
            h = b.forward(h);
        }
        INDArray d = g;
        for (int i = BLOCKS - 1; i >= 0; i--) {
            d = single.get(i).backward(d);
        }
        INDArray chained = d;
        assertTrue(dx.equalsWithEps(chained, 1e-12), () -> "dX: max |diff| " + dx.sub(chained).amaxNumber());
        for (int i = 0; i < BLOCKS; i++) {
            for (Map.Entry<String, INDArray> e : single.get(i).gradients().entrySet()) {
                INDArray s = stack.gradients(i).get(e.getKey());
                assertTrue(s.equalsWithEps(e.getValue(), 1e-12), "block " + i + " " + e.getKey());
            }
        }
    }

    @Test
    @DisplayName("checkpointed: the first block's gradients agree with central finite differences through the whole stack")
    void finiteDifferencesThroughTheStack() {
        int tokens = 5;
        INDArray x = r(7, B, tokens, D), g = r(8, B, tokens, D);
        FastTrainableBlockStack stack = FastTrainableBlockStack.from(blocks(tokens), true);
        stack.forward(x);
        INDArray dx = stack.backward(g);
        Map<String, INDArray> targets = new LinkedHashMap<>(), analytic = new LinkedHashMap<>();
        for (String name : List.of("ln1.weight", "attention.W_key.weight", "ffn.fc1.bias")) {
            targets.put(name, stack.parameters(0).get(name));
            analytic.put(name, stack.gradients(0).get(name));
        }
        targets.put("x", x);
        analytic.put("x", dx);
        List<String> failures = FastTrainableTransformerBlockTest.finiteDifferences(targets, analytic,
            () -> FastTrainableTransformerBlockTest.loss(stack.forward(x), g));
        assertTrue(failures.isEmpty(), () -> failures.size() + " gradients off, e.g. " + failures.subList(0, Math.min(5, failures.size())));
    }

    @Test
    @DisplayName("checkpointing keeps one block's activations plus every block's input; without, every block's activations")
    void retainedBytes() {
        INDArray x = r(7, B, T, D);
        FastTrainableBlockStack full = FastTrainableBlockStack.from(blocks(T), false);
        FastTrainableBlockStack checkpointed = FastTrainableBlockStack.from(blocks(T), true);
        full.forward(x);
        checkpointed.forward(x);
        long rows = (long) B * T, w = Double.BYTES;
        // One block's activations, from its shapes: x̂ and LN output twice [rows, d], 1/σ twice [rows] (double[]),
        // qkv [rows, 3d], attention weights [B·H·T, T], heads' outputs [rows, d], hidden [rows, 4d].
        long perBlock = (4 * rows * D + rows * 3 * D + (long) B * H * T * T + rows * D + rows * HIDDEN) * w + 2 * rows * Double.BYTES;
        long input = rows * D * w;
        assertEquals(BLOCKS * perBlock + 2 * input, full.retainedActivationBytes());
        assertEquals(perBlock + BLOCKS * input, checkpointed.retainedActivationBytes());
        assertTrue(checkpointed.bufferBytes() < full.bufferBytes());
    }

    @Test
    @DisplayName("bad input is refused with a message naming the problem")
    void badInput() {
        assertThrows(IllegalArgumentException.class, () -> FastTrainableBlockStack.from(List.of(), true));
        TransformerBlock wide = TransformerBlock.fromSeed(2 * D, H, HIDDEN, T, 1);
        IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class,
            () -> FastTrainableBlockStack.from(List.of(plain(1, true, T), wide), false));
        assertTrue(mixed.getMessage().contains("block 1"), mixed.getMessage());
        FastTrainableBlockStack stack = FastTrainableBlockStack.from(blocks(T), true);
        IllegalStateException early = assertThrows(IllegalStateException.class, () -> stack.backward(Nd4j.zeros(DataType.DOUBLE, B, T, D)));
        assertTrue(early.getMessage().contains("forward first"), early.getMessage());
        stack.forward(r(7, B, T, D));
        stack.backward(r(8, B, T, D));
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> stack.backward(r(8, B, T, D)));
        assertTrue(twice.getMessage().contains("forward first"), twice.getMessage());
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class, () -> stack.forward(Nd4j.zeros(DataType.DOUBLE, B, T, D + 1)));
        assertTrue(width.getMessage().contains("[2, 70, 9]"), width.getMessage());
    }
}
