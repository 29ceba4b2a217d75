package dev.attentionkit.stability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("SeedStats and TrainingLog: mean ± sd over seeds")
class SeedStatsTest {
    @Test
    @DisplayName("the sample standard deviation agrees with the one-pass formula (Σx² − n·mean²)/(n − 1)")
    void meanAndSd() {
        double[] xs = {0.5, 2.25, 3, 7.125, -1};
        double sum = 0, squares = 0;
        for (double x : xs) {
            sum += x;
            squares += x * x;
        }
        double mean = sum / xs.length;
        assertEquals(mean, SeedStats.mean(xs), 1e-12);
        assertEquals(Math.sqrt((squares - xs.length * mean * mean) / (xs.length - 1)), SeedStats.sd(xs), 1e-12);
        assertEquals(0, SeedStats.sd(new double[] {4}));
        assertEquals(String.format(java.util.Locale.ROOT, "%.2f ± %.2f", SeedStats.mean(xs), SeedStats.sd(xs)),
            SeedStats.format(xs, 2));
        assertArrayEquals(new double[] {2, 4}, SeedStats.column(new double[][] {{1, 2}, {3, 4}}, 1));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SeedStats.mean(new double[0])).getMessage()
            .contains("no values"));
    }

    @Test
    @DisplayName("a training log averages losses and gradient norms over a window and spots divergence")
    void trainingLog() {
        TrainingLog log = new TrainingLog(new double[] {3, 2, 1}, new double[][] {{1, 10}, {2, 20}, {3, 30}});
        assertEquals(1.5, log.meanLoss(1, 3), 1e-12);
        assertArrayEquals(new double[] {1.5, 15}, log.meanGradientNorms(0, 2), 1e-12);
        assertTrue(!log.diverged());
        assertTrue(new TrainingLog(new double[] {1, Double.NaN}, new double[][] {{1}, {1}}).diverged());
        assertThrows(IllegalArgumentException.class, () -> log.meanLoss(2, 2));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new TrainingLog(new double[2], new double[1][1]))
            .getMessage().contains("2 losses but 1 rows"));
    }
}
