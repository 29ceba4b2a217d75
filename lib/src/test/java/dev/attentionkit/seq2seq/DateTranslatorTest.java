package dev.attentionkit.seq2seq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.data.DateDataset;
import dev.attentionkit.data.DateExample;
import dev.attentionkit.data.DateSplits;
import dev.attentionkit.score.AdditiveScore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A tiny model: training lowers the loss, translations and weights have the right form, files round-trip. */
@DisplayName("DateTranslator: training smoke test, decoding, saving and loading")
class DateTranslatorTest {
    // 4 Adam steps in all (one epoch of 128 dates in batches of 32): each SameDiff step costs about a second here.
    private static final Seq2SeqConfig TINY = new Seq2SeqConfig(AttentionKind.BAHDANAU, 8, 8, 16, 8, 30, 128, 32, 32,
        32, 1, 0.02, 3);
    private static DateSplits splits;
    private static DateTranslator model;
    private static double before;
    private static double after;

    @TempDir
    Path dir;

    @BeforeAll
    static void trainTiny() {
        splits = DateDataset.splits(TINY.trainSize(), TINY.validationSize(), TINY.testSize(), TINY.seed());
        model = DateTranslator.create(TINY, splits.inputVocabulary(), splits.outputVocabulary());
        before = model.loss(splits.train());
        Seq2SeqTraining.train(model, splits);
        after = model.loss(splits.train());
    }

    @Test
    @DisplayName("the loss (computed, not SameDiff's listener value) decreases with training")
    void lossDecreases() {
        assertTrue(before > 0 && after < before * 0.9, "loss before " + before + ", after " + after);
    }

    @Test
    @DisplayName("greedy decoding writes 10 output characters; each attention row sums to 1, padding gets 0")
    void translation() {
        String human = splits.test().get(0).human();
        Translation t = model.explain(human);
        assertEquals(10, t.output().length());
        INDArray w = t.weights();
        assertEquals(List.of(10L, 30L), List.of(w.size(0), w.size(1)));
        int pads = 30 - human.length();
        for (int row = 0; row < 10; row++) {
            assertEquals(1.0, w.getRow(row).sumNumber().doubleValue(), 1e-4);
            for (int col = 0; col < pads; col++) {
                assertEquals(0.0, w.getDouble(row, col), 1e-6, "padding position " + col);
            }
        }
        assertTrue(t.alignedInput().endsWith(human));
        assertTrue(model.plainScore() instanceof AdditiveScore);
    }

    @Test
    @DisplayName("save then load gives the same translations; the file is not overwritten")
    void saveAndLoad() {
        Path file = dir.resolve("model.sdz");
        model.save(file);
        DateTranslator loaded = DateTranslator.load(file, TINY);
        List<String> humans = splits.test().stream().map(e -> e.human()).toList();
        assertEquals(model.translate(humans), loaded.translate(humans));
        assertNotNull(loaded.explain(humans.get(0)).weights());
        var e = assertThrows(IllegalStateException.class, () -> model.save(file));
        assertTrue(e.getMessage().contains("model.sdz"), e.getMessage());
    }

    @Test
    @DisplayName("a corrupt file, a missing file and a model of another configuration give clear errors")
    void badFiles() throws IOException {
        byte[] junk = new byte[4096];
        new Random(1).nextBytes(junk);
        Path corrupt = Files.write(dir.resolve("corrupt.sdz"), junk);
        String message = assertThrows(IllegalArgumentException.class, () -> DateTranslator.load(corrupt)).getMessage();
        assertTrue(message.contains("corrupt.sdz"), message);

        Path missing = dir.resolve("missing.sdz");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DateTranslator.load(missing))
            .getMessage().contains("missing.sdz"));

        Path file = dir.resolve("bahdanau.sdz");
        model.save(file);
        Seq2SeqConfig luong = TINY.withAttention(AttentionKind.LUONG);
        message = assertThrows(IllegalArgumentException.class, () -> DateTranslator.load(file, luong)).getMessage();
        assertTrue(message.contains("bahdanau.sdz") && message.contains("LUONG") && message.contains("BAHDANAU"),
            message);
    }

    // BAHDANAU is the trained model; the other three kinds share LuongDecoder's step with LUONG (their scores
    // are checked against SameDiff by RecurrentTranslatorTest), so two new graphs cover every step function.
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(value = AttentionKind.class, names = {"BAHDANAU", "LUONG", "NONE"})
    @DisplayName("Bahdanau, Luong and no attention: the greedy pass writes what the teacher-forced pass predicts when fed that output")
    void greedyMatchesTeacherForcing(AttentionKind kind) {
        DateTranslator m = kind == AttentionKind.BAHDANAU ? model : DateTranslator.create(TINY.withAttention(kind),
            splits.inputVocabulary(), splits.outputVocabulary());
        if (kind != AttentionKind.BAHDANAU) {
            m.fitBatch(splits.train().subList(0, 32));
        }
        List<DateExample> some = splits.test().subList(0, 8);
        List<String> greedy = m.translate(some.stream().map(DateExample::human).toList());
        // Feed the greedy outputs back as the "true" previous characters: each step must predict the same one.
        List<DateExample> fed = new java.util.ArrayList<>();
        for (int i = 0; i < some.size(); i++) {
            fed.add(new DateExample(some.get(i).human(), greedy.get(i)));
        }
        INDArray logits = m.teacherForcedLogits(fed);                                   // [8, Ty, Vout]
        for (int i = 0; i < some.size(); i++) {
            int[] ids = new int[DateTranslator.TARGET_LENGTH];
            for (int t = 0; t < ids.length; t++) {
                ids[t] = logits.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(t), org.nd4j.linalg.indexing.NDArrayIndex.all())
                    .argMax().getInt(0);
            }
            assertEquals(greedy.get(i), m.targetVocabulary().decode(ids), kind + ", input " + some.get(i).human());
        }
        assertEquals(kind == AttentionKind.NONE, m.explain(some.get(0).human()).weights() == null);
        assertEquals(kind == AttentionKind.NONE, m.plainScore() == null);
    }
}
