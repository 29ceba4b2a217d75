package dev.attentionkit.seq2seq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.data.CharVocabulary;
import dev.attentionkit.data.DateDataset;
import dev.attentionkit.data.DateExample;
import dev.attentionkit.data.DigitStrings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The hand-written model against the SameDiff one (same weights, same logits) and against finite differences
 * (its gradients).
 */
@DisplayName("RecurrentTranslator: the SameDiff models' logits, gradients equal to finite differences, clear errors")
class RecurrentTranslatorTest {
    private static final Seq2SeqConfig TINY = new Seq2SeqConfig(AttentionKind.BAHDANAU, 4, 3, 6, 5, 30, 8, 8, 8,
        8, 1, 0.01, 11);

    private static Object decoderWeights(DateTranslator m) {
        RecurrentDecoder d = m.decoder();
        if (d instanceof BahdanauDecoder b) {
            return b.weights();
        }
        if (d instanceof LuongDecoder l) {
            return l.weights();
        }
        return ((ChoDecoder) d).weights();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(AttentionKind.class)
    @DisplayName("from a DateTranslator's weights: the same teacher-forced logits as its SameDiff graph")
    void sameLogitsAsSameDiff(AttentionKind kind) {
        List<DateExample> dates = DateDataset.generate(3, 5);
        CharVocabulary source = CharVocabulary.of(dates.stream().map(DateExample::human).toList());
        CharVocabulary target = CharVocabulary.of(List.of("0123456789-"));
        DateTranslator graph = DateTranslator.create(TINY.withAttention(kind), source, target);
        RecurrentTranslator plain = RecurrentTranslator.of(graph.encoder().weights(), decoderWeights(graph), source,
            target, DateTranslator.TARGET_LENGTH);
        INDArray expected = graph.teacherForcedLogits(dates);                                 // [3, Ty, Vout]
        int[][] src = plain.encodeSources(dates.stream().map(DateExample::human).toList(), TINY.sourceLength());
        int[][] tgt = plain.encodeTargets(dates.stream().map(DateExample::iso).toList());
        for (int i = 0; i < dates.size(); i++) {
            double[][] got = plain.teacherForcedLogits(src[i], tgt[i]);
            INDArray want = expected.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all());
            for (int t = 0; t < got.length; t++) {
                for (int v = 0; v < got[t].length; v++) {
                    assertEquals(want.getDouble(t, v), got[t][v], 1e-4, kind + " example " + i + " step " + t);
                }
            }
        }
        // fromSeed draws the same initial weights as DateTranslator.create
        RecurrentTranslator seeded = RecurrentTranslator.fromSeed(kind, new RecurrentTranslator.Sizes(4, 3, 6, 5, 30,
            DateTranslator.TARGET_LENGTH), source, target, TINY.seed());
        plain.parameters().forEach((name, w) -> assertEquals(w, seeded.parameters().get(name), name));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(AttentionKind.class)
    @DisplayName("every gradient equals central finite differences (float64), all Ty steps scored or up to the end")
    void gradientsMatchFiniteDifferences(AttentionKind kind) {
        gradientCheck(kind, false);
        gradientCheck(kind, true);
    }

    private static void gradientCheck(AttentionKind kind, boolean stopAtEnd) {
        CharVocabulary v = DigitStrings.vocabulary();
        int tx = 6;
        RecurrentTranslator m = RecurrentTranslator.fromSeed(kind, new RecurrentTranslator.Sizes(3, 2, 4, 3, tx, 5),
            v, v, 7).stopAtEnd(stopAtEnd);
        List<String> texts = List.of("3141", "27182", "9");
        int[][] src = m.encodeSources(texts, tx);
        int[][] tgt = m.encodeTargets(List.of("1413", "28172", "99"));
        m.lossAndGradients(src, tgt);
        double h = 1e-6;
        int checked = 0;
        for (String name : m.parameterNames()) {
            INDArray g = m.gradient(name);
            double[] analytic = g.data().asDouble();
            for (int i = 0; i < analytic.length; i++) {
                m.nudge(name, i, h);
                double up = m.loss(src, tgt);
                m.nudge(name, i, -2 * h);
                double down = m.loss(src, tgt);
                m.nudge(name, i, h);
                double numeric = (up - down) / (2 * h);
                assertEquals(numeric, analytic[i], 1e-7 + 1e-5 * Math.abs(numeric),
                    kind + (stopAtEnd ? " (stop at end) " : " ") + name + "[" + i + "]");
                checked++;
            }
        }
        assertTrue(checked == m.parameterCount(), "every value checked");
        // An answer that fills all Ty steps has no end marker: both ways score the same steps.
        int[][] full = m.encodeTargets(List.of("12345", "67890", "11111"));
        assertEquals(m.loss(src, full), RecurrentTranslator.of(m.encoderWeights(), m.decoderWeights(), v, v, 5)
            .loss(src, full), 1e-5);
        if (stopAtEnd) {
            assertTrue(Math.abs(m.loss(src, tgt) - RecurrentTranslator.of(m.encoderWeights(), m.decoderWeights(), v,
                v, 5).loss(src, tgt)) > 1e-4, "padded answers: fewer steps scored");
        }
    }

    @Test
    @DisplayName("training lowers the loss; greedy output, weights [Ty, Tx] with rows summing to 1 and 0 on padding")
    void trainsAndExplains() {
        CharVocabulary v = DigitStrings.vocabulary();
        int tx = 8;
        RecurrentTranslator m = RecurrentTranslator.fromSeed(AttentionKind.BAHDANAU,
            new RecurrentTranslator.Sizes(8, 8, 16, 8, tx, 8), v, v, 3);
        List<String> data = DigitStrings.generate(32, 2, 5, 9);
        int[][] src = m.encodeSources(data, tx);
        int[][] tgt = m.encodeTargets(data);
        double before = m.loss(src, tgt);
        for (int i = 0; i < 60; i++) {
            m.fitBatch(src, tgt);
        }
        double after = m.loss(src, tgt);
        assertTrue(after < 0.5 * before, "loss before " + before + ", after " + after);
        Translation t = m.explain("4821", tx);
        assertEquals(8, t.output().length());
        assertEquals(List.of(8L, (long) tx), List.of(t.weights().size(0), t.weights().size(1)));
        for (int row = 0; row < 8; row++) {
            assertEquals(1.0, t.weights().getRow(row).sumNumber().doubleValue(), 1e-5);
            for (int col = 0; col < tx - 4; col++) {
                assertEquals(0.0, t.weights().getDouble(row, col), 0.0, "padding position " + col);
            }
        }
        assertEquals("····4821", t.alignedInput());
        assertEquals(m.translate(List.of("4821"), tx).get(0), t.output());
        assertNull(RecurrentTranslator.fromSeed(AttentionKind.NONE, new RecurrentTranslator.Sizes(8, 8, 16, 8, tx, 8),
            v, v, 3).explain("4821", tx).weights());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(AttentionKind.class)
    @DisplayName("the weights it hands back rebuild the same model")
    void weightsRoundTrip(AttentionKind kind) {
        CharVocabulary v = DigitStrings.vocabulary();
        RecurrentTranslator m = RecurrentTranslator.fromSeed(kind, new RecurrentTranslator.Sizes(3, 2, 4, 3, 6, 5),
            v, v, 5);
        int[][] src = m.encodeSources(List.of("123", "45678"), 6);
        int[][] tgt = m.encodeTargets(List.of("123", "45678"));
        m.fitBatch(src, tgt);
        RecurrentTranslator copy = RecurrentTranslator.of(m.encoderWeights(), m.decoderWeights(), v, v, 5);
        assertEquals(kind, copy.kind());
        assertEquals(m.parameterCount(), copy.parameterCount());
        assertEquals(m.loss(src, tgt), copy.loss(src, tgt), 1e-5);
        Map<String, INDArray> p = m.parameters();
        assertEquals(DataType.FLOAT, p.get("decoder.gru.bias").dataType());
    }

    @Test
    @DisplayName("bad input gets a clear error: misplaced padding, wrong lengths, unknown ids, mismatched sizes")
    void errors() {
        CharVocabulary v = DigitStrings.vocabulary();
        RecurrentTranslator m = RecurrentTranslator.fromSeed(AttentionKind.LUONG_LOCATION,
            new RecurrentTranslator.Sizes(3, 2, 4, 3, 6, 5), v, v, 5);
        int[][] tgt = m.encodeTargets(List.of("12"));
        String e = assertThrows(IllegalArgumentException.class,
            () -> m.loss(new int[][] {{0, 0, 3, 0, 4, 5}}, tgt)).getMessage();
        assertTrue(e.contains("padding"), e);
        e = assertThrows(IllegalArgumentException.class, () -> m.loss(new int[][] {{0, 0, 3, 4, 5}}, tgt)).getMessage();
        assertTrue(e.contains("6 input positions"), e);
        e = assertThrows(IllegalArgumentException.class, () -> m.loss(new int[][] {{0, 0, 3, 4, 5, 99}}, tgt))
            .getMessage();
        assertTrue(e.contains("99"), e);
        e = assertThrows(IllegalArgumentException.class, () -> m.loss(new int[][] {{0, 0, 0, 0, 0, 0}}, tgt))
            .getMessage();
        assertTrue(e.contains("all padding"), e);
        e = assertThrows(IllegalArgumentException.class, () -> m.loss(new int[][] {{0, 0, 3, 4, 5, 6}},
            new int[][] {{2, 3}})).getMessage();
        assertTrue(e.contains("Ty = 5"), e);
        e = assertThrows(IllegalArgumentException.class, () -> m.encodeTargets(List.of("1234567"))).getMessage();
        assertTrue(e.contains("1234567"), e);
        CharVocabulary bigger = CharVocabulary.of(List.of("0123456789abc"));
        e = assertThrows(IllegalArgumentException.class,
            () -> RecurrentTranslator.of(m.encoderWeights(), m.decoderWeights(), bigger, v, 5)).getMessage();
        assertTrue(e.contains("input vocabulary"), e);
        e = assertThrows(IllegalArgumentException.class,
            () -> RecurrentTranslator.of(m.encoderWeights(), "not weights", v, v, 5)).getMessage();
        assertTrue(e.contains("not a decoder"), e);
        assertNotNull(m.toString());
        assertArrayEquals(new long[] {6, 4}, m.parameters().get("decoder.attention.w").shape());
    }
}
