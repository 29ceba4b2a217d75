package dev.attentionkit.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LlamaDecoderTest {
    private static final Path DIR = Path.of("src/test/resources/dev/attentionkit/pretrained");
    private static LlamaDecoder model;
    private static ByteLevelBpeTokenizer tokenizer;
    private static SafeTensors golden;

    @BeforeAll
    static void load() {
        if (ModelFiles.present(ModelFiles.SMOLLM2, ModelFiles.SMOLLM2_GGUF)) {
            InferenceThreads.one();   // small matrices: one thread is fastest, most of all on a busy machine
            Gguf g = Gguf.open(ModelFiles.require(ModelFiles.SMOLLM2, ModelFiles.SMOLLM2_GGUF));
            model = LlamaDecoder.fromGguf(g, DataType.DOUBLE);
            tokenizer = ByteLevelBpeTokenizer.fromGguf(g);
            golden = SafeTensors.open(DIR.resolve("smollm2-golden.safetensors"));
        }
    }

    private static void requireModel() {
        Assumptions.assumeTrue(model != null, "run ./kit models");
    }

    private static int[] promptIds() {
        return java.util.Arrays.stream(golden.tensor("ids", DataType.DOUBLE).data().asDouble()).mapToInt(d -> (int) d).toArray();
    }

    @Test
    @DisplayName("logits and attention weights (layers 0, 15, 29) equal onnxruntime's float64 graph within 1e-5")
    void equalsOnnxRuntime() {
        requireModel();
        LlamaDecoder.Output out = model.forward(promptIds());
        INDArray logits = out.logits().getRow(out.logits().size(0) - 1);
        double logitDiff = logits.sub(golden.tensor("logits.last", DataType.DOUBLE)).amaxNumber().doubleValue();
        double attentionDiff = 0;
        for (int layer : new int[] {0, 15, 29}) {
            INDArray expected = golden.tensor("attention." + layer, DataType.DOUBLE);            // [9, t, t]
            INDArray got = out.attentions().get(layer).reshape(expected.shape());
            attentionDiff = Math.max(attentionDiff, got.sub(expected).amaxNumber().doubleValue());
        }
        System.out.printf("SmolLM2 vs onnxruntime: max |Δ| last-token logits %.2e, attention %.2e%n", logitDiff, attentionDiff);
        assertTrue(logitDiff < 1e-5, "logits differ by " + logitDiff);
        assertTrue(attentionDiff < 1e-5, "attention differs by " + attentionDiff);
    }

    @Test
    @DisplayName("the KV cache gives the logits of the full pass, token by token, and the same greedy text")
    void kvCache() {
        requireModel();
        int[] ids = promptIds();
        INDArray full = model.forward(ids).logits();                                             // [t, vocab]
        LlamaDecoder.KvCache cache = model.newCache();
        INDArray first = model.step(java.util.Arrays.copyOf(ids, 5), cache);                    // 5 tokens at once
        assertEquals(0.0, first.sub(full.getRow(4)).amaxNumber().doubleValue(), 1e-9);
        for (int i = 5; i < ids.length; i++) {
            INDArray step = model.step(new int[] {ids[i]}, cache);
            assertEquals(0.0, step.sub(full.getRow(i)).amaxNumber().doubleValue(), 1e-9, "token " + i);
        }
        assertEquals(ids.length, cache.length());
        // 30 layers x (k and v) x 3 kv heads x t tokens x 64 features
        assertEquals(30L * 2 * 3 * ids.length * 64, cache.floats());
        int[] prompt = tokenizer.encode("The capital of France is");
        assertArrayEquals(model.generate(prompt, 4, 2, false), model.generate(prompt, 4, 2, true));
    }

    @Test
    @DisplayName("byte-level BPE ids equal the reference tokenizer's, and decode gives the text back")
    @SuppressWarnings("unchecked")
    void tokenizer() throws IOException {
        requireModel();
        List<Object> cases = (List<Object>) Json.parse(Files.readString(DIR.resolve("smollm2-tokenizer.json")));
        assertEquals(8, cases.size());
        for (Object c : cases) {
            Map<String, Object> m = Json.object(c, "case");
            String text = (String) m.get("text");
            int[] expected = ((List<Object>) m.get("ids")).stream().mapToInt(o -> ((Long) o).intValue()).toArray();
            assertArrayEquals(expected, tokenizer.encode(text), text);
            if (m.containsKey("llama_cpp_ids")) {
                int[] llama = ((List<Object>) m.get("llama_cpp_ids")).stream().mapToInt(o -> ((Long) o).intValue()).toArray();
                assertArrayEquals(llama, tokenizer.encode(text), "llama.cpp: " + text);
            }
            assertEquals(text, tokenizer.decode(tokenizer.encode(text)));
        }
    }

    @Test
    @DisplayName("ablating a query head changes the loss; bad ids are errors")
    void ablationAndErrors() {
        requireModel();
        int[] ids = promptIds();
        double base = model.nextTokenLoss(ids);
        double ablated = model.withoutHead(0, 4).nextTokenLoss(ids);
        assertTrue(Math.abs(ablated - base) > 1e-6, "loss unchanged: " + base);
        assertThrows(IllegalArgumentException.class, () -> model.forward(new int[] {1, 49152}));
        assertThrows(IllegalArgumentException.class, () -> model.withoutHead(30, 0));
    }

    @Test
    @DisplayName("RoPE: rotated query·key depends only on the distance; query heads map to kv heads in groups")
    void ropeAndGroups() {
        RotaryEmbedding rope = new RotaryEmbedding(8, 10000);
        INDArray q = Nd4j.rand(DataType.DOUBLE, 1, 1, 1, 8);
        INDArray k = Nd4j.rand(DataType.DOUBLE, 1, 1, 1, 8);
        double at3and1 = rope.apply(q, 3).mul(rope.apply(k, 1)).sumNumber().doubleValue();
        double at7and5 = rope.apply(q, 7).mul(rope.apply(k, 5)).sumNumber().doubleValue();
        double at7and4 = rope.apply(q, 7).mul(rope.apply(k, 4)).sumNumber().doubleValue();
        assertEquals(at3and1, at7and5, 1e-12);
        assertTrue(Math.abs(at3and1 - at7and4) > 1e-6);
        assertEquals(q.norm2Number().doubleValue(), rope.apply(q, 11).norm2Number().doubleValue(), 1e-12); // a rotation
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1, 2, 2, 2},
            java.util.stream.IntStream.range(0, 9).map(h -> GroupedQueryAttention.kvHeadOf(h, 9, 3)).toArray());
        assertThrows(IllegalArgumentException.class, () -> GroupedQueryAttention.kvHeadOf(0, 9, 2));
    }
}
