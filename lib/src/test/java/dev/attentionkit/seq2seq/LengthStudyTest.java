package dev.attentionkit.seq2seq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import tech.tablesaw.api.Table;

/** The study's statistics and table on runs made up here (no training), checked against sums by hand. */
@DisplayName("LengthStudy: mean ± sd over seeds, one table row per model and band, error bars")
class LengthStudyTest {
    private static final RecurrentTranslator.Sizes SIZES = new RecurrentTranslator.Sizes(4, 4, 8, 4, 40, 40);
    private static final LengthStudy.Setup SETUP = new LengthStudy.Setup(SIZES,
        List.of(AttentionKind.BAHDANAU, AttentionKind.NONE), List.of(1L, 2L, 3L), 8, 40,
        List.of(new int[] {8, 15}, new int[] {16, 40}), 100, 8, 0.01, 10, 0, 1);

    private static LengthStudy.Run run(AttentionKind kind, long seed, double shortBand, double longBand) {
        return new LengthStudy.Run(kind, seed, new double[] {shortBand, longBand},
            new double[] {shortBand, longBand}, seed, new double[] {1, 0.5}, null);
    }

    private static final LengthStudy.Result RESULT = new LengthStudy.Result(SETUP, List.of(
        run(AttentionKind.BAHDANAU, 1, 0.9, 0.8), run(AttentionKind.BAHDANAU, 2, 0.7, 0.6),
        run(AttentionKind.BAHDANAU, 3, 0.8, 1.0),
        run(AttentionKind.NONE, 1, 0.5, 0.1), run(AttentionKind.NONE, 2, 0.5, 0.1), run(AttentionKind.NONE, 3, 0.5, 0.1)),
        12.0);

    @Test
    @DisplayName("a tiny study runs end to end on two threads: every run, every band, rates in [0, 1]")
    void tinyStudy() {
        LengthStudy.Setup tiny = new LengthStudy.Setup(new RecurrentTranslator.Sizes(4, 4, 8, 4, 6, 6),
            List.of(AttentionKind.LUONG_LOCATION, AttentionKind.NONE), List.of(1L, 2L), 2, 6,
            List.of(new int[] {2, 3}, new int[] {4, 6}), 5, 4, 0.01, 5, 1, 2);
        LengthStudy.Result r = LengthStudy.run(tiny);
        assertEquals(4, r.runs().size());
        for (LengthStudy.Run run : r.runs()) {
            assertEquals(5, run.lossCurve().length);
            for (double x : run.characterAccuracy()) {
                assertTrue(x >= 0 && x <= 1, "rate " + x);
            }
        }
        // the same seed gives the same run whatever the thread count
        LengthStudy.Result one = LengthStudy.run(tiny.withThreads(1));
        assertArrayEquals(r.run(AttentionKind.NONE, 2).lossCurve(), one.run(AttentionKind.NONE, 2).lossCurve());
    }

    @Test
    @DisplayName("Interrupt (the cell's thread interrupted) stops the study with a message, and clears the flag")
    void interrupted() {
        LengthStudy.Setup tiny = new LengthStudy.Setup(new RecurrentTranslator.Sizes(4, 4, 8, 4, 6, 6),
            List.of(AttentionKind.NONE), List.of(1L, 2L), 2, 6, List.of(new int[] {2, 6}), 100_000, 4, 0.01, 5, 0, 1);
        Thread.currentThread().interrupt();
        var e = assertThrows(dev.attentionkit.notebook.StoppedByInterrupt.class, () -> LengthStudy.run(tiny));
        assertTrue(e.getMessage().contains("interrupted after 0 of 2 runs"), e.getMessage());
        assertTrue(!Thread.currentThread().isInterrupted(), "the flag is cleared");
    }

    @Test
    @DisplayName("mean and sample standard deviation in percent")
    void stats() {
        double[] s = RESULT.stats(AttentionKind.BAHDANAU, 1, true);   // 80, 60, 100
        assertEquals(80, s[0], 1e-9);
        assertEquals(Math.sqrt((0 + 400 + 400) / 2.0), s[1], 1e-9);
        assertEquals(0, RESULT.stats(AttentionKind.NONE, 0, false)[1], 1e-9);
    }

    @Test
    @DisplayName("the table has a row per model and band with mean ± sd; the chart a series per model")
    void tableAndChart() {
        Table t = RESULT.table();
        assertEquals(4, t.rowCount());
        assertEquals("NONE", t.stringColumn("model").get(3));
        assertEquals("16–40", t.stringColumn("input length").get(3));
        assertTrue(t.stringColumn(2).get(1).contains("80.0 ± 20.0"), t.stringColumn(2).get(1));
        XYChart chart = RESULT.chart(true);
        assertEquals(2, chart.getSeriesMap().size());
        assertTrue(RESULT.timings().stringColumn(1).get(0).startsWith("2.0 ± 1.0"), RESULT.timings().print());
        assertEquals("20.0", RESULT.timings().stringColumn(2).get(0), "2 s over 100 steps");
        assertEquals(2, RESULT.lossChart(1, 1).getSeriesMap().size());
    }

    @Test
    @DisplayName("bands or training lengths beyond Tx and a missing run give clear errors")
    void errors() {
        var e = assertThrows(IllegalArgumentException.class, () -> new LengthStudy.Setup(SIZES,
            List.of(AttentionKind.NONE), List.of(1L), 8, 40, List.of(new int[] {8, 99}), 10, 8, 0.01, 10, 0, 1));
        assertTrue(e.getMessage().contains("[8, 99]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LengthStudy.Setup(SIZES,
            List.of(AttentionKind.NONE), List.of(1L), 8, 41, List.of(new int[] {8, 9}), 10, 8, 0.01, 10, 0, 1));
        assertTrue(e.getMessage().contains("8..41"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RESULT.run(AttentionKind.LUONG, 1));
        assertTrue(e.getMessage().contains("LUONG"), e.getMessage());
    }
}
