package dev.attentionkit.viz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

@DisplayName("SeedChart: mean ± sd over seeds as error bars")
class SeedChartTest {
    @Test
    @DisplayName("a series is the per-point mean with the sample standard deviation as its error bars")
    void meanAndErrorBars() {
        double[][] perSeed = {{1, 4}, {3, 4}, {5, 10}};
        XYChart chart = SeedChart.of("t", "x", "y").series("a", new double[] {0, 1}, perSeed).yRange(0, 12).chart();
        XYSeries s = chart.getSeriesMap().get("a");
        assertArrayEquals(new double[] {3, 6}, s.getYData(), 1e-12);
        // by hand: column 0 deviations −2, 0, 2 → √(8/2) = 2; column 1: −2, −2, 4 → √(24/2) = √12
        assertArrayEquals(new double[] {2, Math.sqrt(12)}, s.getExtraValues(), 1e-12);
        assertTrue(chart.getStyler().getYAxisMax() == 12);
    }

    @Test
    @DisplayName("a logarithmic axis labels small values in scientific notation, not as 0")
    void logAxisLabels() {
        XYChart chart = SeedChart.of("t", "x", "y").series("a", new double[] {0, 1}, new double[][] {{1e-4, 1}}).logY()
            .chart();
        assertTrue(chart.getStyler().isYAxisLogarithmic());
        String label = new java.text.DecimalFormat(chart.getStyler().getYAxisDecimalPattern()).format(1e-4);
        assertTrue(!label.equals("0") && label.contains("E-4"), "1e-4 is labelled " + label);
    }

    @Test
    @DisplayName("mismatched lengths, no seeds, an empty range and non-finite values are refused by name")
    void badInput() {
        SeedChart c = SeedChart.of("t", "x", "y");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.series("a", new double[2], new double[][] {{1}}))
            .getMessage().contains("2 x values but a seed with 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.series("b", new double[2], new double[0][]))
            .getMessage().contains("no seeds"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.yRange(1, 1)).getMessage().contains("below"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> c.series("n", new double[] {0}, new double[][] {{Double.NaN}})).getMessage().contains("not finite"));
    }
}
