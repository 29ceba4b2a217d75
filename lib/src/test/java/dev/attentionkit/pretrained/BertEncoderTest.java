package dev.attentionkit.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

class BertEncoderTest {
    private static final Path GOLDEN = Path.of("src/test/resources/dev/attentionkit/pretrained/minilm-golden.safetensors");
    private static BertEncoder model;
    private static WordPieceTokenizer tokenizer;
    private static SafeTensors golden;

    @BeforeAll
    static void load() {
        if (ModelFiles.present(ModelFiles.MINILM, "model.safetensors")) {
            InferenceThreads.one();
            model = BertEncoder.miniLm(DataType.DOUBLE);
            tokenizer = WordPieceTokenizer.miniLm();
            golden = SafeTensors.open(GOLDEN);
        }
    }

    private static void requireModel() {
        Assumptions.assumeTrue(model != null, "run ./kit models");
    }

    private static int[] ids(int sentence) {
        double[] ids = golden.tensor("s" + sentence + ".ids", DataType.DOUBLE).data().asDouble();
        return java.util.Arrays.stream(ids).mapToInt(d -> (int) d).toArray();
    }

    @Test
    @DisplayName("hidden states of every layer and every head's attention equal onnxruntime's within 1e-5")
    void equalsOnnxRuntime() {
        requireModel();
        for (int s = 0; s < 2; s++) {
            BertEncoder.Output out = model.forward(ids(s));
            INDArray hidden = golden.tensor("s" + s + ".hidden", DataType.DOUBLE);        // [7, t, d]
            INDArray attention = golden.tensor("s" + s + ".attention", DataType.DOUBLE);  // [6, h, t, t]
            assertEquals(7, out.hidden().size());
            double worstHidden = 0;
            double worstAttention = 0;
            for (int l = 0; l <= 6; l++) {
                INDArray got = out.hidden().get(l).reshape(hidden.size(1), hidden.size(2));
                worstHidden = Math.max(worstHidden, got.sub(hidden.slice(l)).amaxNumber().doubleValue());
                if (l < 6) {
                    INDArray w = out.attention(l).reshape(attention.size(1), attention.size(2), attention.size(3));
                    worstAttention = Math.max(worstAttention, w.sub(attention.slice(l)).amaxNumber().doubleValue());
                }
            }
            System.out.printf("MiniLM vs onnxruntime, sentence %d: max |Δ| hidden %.2e, attention %.2e%n", s,
                worstHidden, worstAttention);
            assertTrue(worstHidden < 1e-5, "hidden states differ by " + worstHidden);
            assertTrue(worstAttention < 1e-5, "attention weights differ by " + worstAttention);
        }
    }

    @Test
    @DisplayName("a padded batch gives each sentence the embedding onnxruntime gives it alone; float32 within 1e-5")
    void paddedBatchAndFloat() {
        requireModel();
        BertEncoder.Output out = model.forward(new int[][] {ids(0), ids(1)});
        INDArray embeddings = BertEncoder.sentenceEmbedding(out);                         // [2, d]
        for (int s = 0; s < 2; s++) {
            INDArray expected = golden.tensor("s" + s + ".embedding", DataType.DOUBLE);
            double diff = embeddings.getRow(s).sub(expected).amaxNumber().doubleValue();
            assertTrue(diff < 1e-5, "sentence " + s + " embedding differs by " + diff);
        }
        BertEncoder single = BertEncoder.miniLm(DataType.FLOAT);
        INDArray e32 = BertEncoder.sentenceEmbedding(single.forward(ids(0))).castTo(DataType.DOUBLE);
        double diff = e32.getRow(0).sub(golden.tensor("s0.embedding", DataType.DOUBLE)).amaxNumber().doubleValue();
        System.out.printf("MiniLM float32 sentence embedding vs onnxruntime: max |Δ| %.2e%n", diff);
        assertTrue(diff < 1e-5, "float32 embedding differs by " + diff);
    }

    @Test
    @DisplayName("the tokenizer gives the ids the reference used")
    void tokenizerIds() {
        requireModel();
        assertArrayEquals(ids(0), tokenizer.encode("The animal didn't cross the road because it was too tired.").ids());
    }

    @Test
    @DisplayName("ablating a head changes only the layers from its own on, and leaves its own weights")
    void ablation() {
        requireModel();
        BertEncoder.Output base = model.forward(ids(0));
        BertEncoder.Output ablated = model.withoutHead(2, 5).forward(ids(0));
        assertEquals(0.0, ablated.hidden().get(2).sub(base.hidden().get(2)).amaxNumber().doubleValue());
        assertEquals(0.0, ablated.attention(2).sub(base.attention(2)).amaxNumber().doubleValue());
        assertTrue(ablated.hidden().get(3).sub(base.hidden().get(3)).amaxNumber().doubleValue() > 1e-3);
        assertThrows(IllegalArgumentException.class, () -> model.withoutHead(6, 0));
        assertThrows(IllegalArgumentException.class, () -> model.forward(new int[] {101, 40000, 102}));
    }

    @Test
    @DisplayName("a weight of the wrong shape is an error naming the tensor")
    void wrongShape(@TempDir Path dir) throws IOException {
        String header = "{\"embeddings.word_embeddings.weight\":{\"dtype\":\"F32\",\"shape\":[10,4],\"data_offsets\":[0,160]}}";
        Path p = TestFiles.safetensors(dir, "tiny.safetensors", header, new byte[160]);
        BertEncoder.Config config = new BertEncoder.Config(10, 8, 1, 2, 16, 16, 2, 1e-12);
        String m = assertThrows(TensorFormatException.class,
            () -> BertEncoder.fromSafeTensors(SafeTensors.open(p), config, DataType.FLOAT)).getMessage();
        assertTrue(m.contains("embeddings.word_embeddings.weight") && m.contains("[10, 4]") && m.contains("[10, 8]"), m);
        Path config2 = Files.writeString(dir.resolve("config.json"), "{\"hidden_size\": 8}");
        m = assertThrows(IllegalArgumentException.class, () -> BertEncoder.Config.fromJson(config2)).getMessage();
        assertTrue(m.contains("vocab_size"), m);
    }
}
