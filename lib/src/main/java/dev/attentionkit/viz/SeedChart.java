package dev.attentionkit.viz;

import java.util.Arrays;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A line chart of results over several seeds: each series is drawn as its mean with error bars of ± one sample
 * standard deviation. Panels meant to be compared get the same {@link #yRange}.
 *
 * <pre>{@code
 * SeedChart.of("loss", "Adam step", "cross-entropy").series("pre-LN", steps, perSeed).yRange(0, 2.5).chart()
 * }</pre>
 */
public final class SeedChart {
    private final XYChart chart;

    private SeedChart(String title, String xTitle, String yTitle, int width, int height) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("SeedChart: width and height must be positive, got " + width + " x "
                + height);
        }
        chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        chart.getStyler().setDecimalPattern("#,##0.###");
    }

    /** A 640 × 360 chart. */
    public static SeedChart of(String title, String xTitle, String yTitle) {
        return new SeedChart(title, xTitle, yTitle, 640, 360);
    }

    public static SeedChart of(String title, String xTitle, String yTitle, int width, int height) {
        return new SeedChart(title, xTitle, yTitle, width, height);
    }

    /**
     * Adds a series.
     *
     * @param x       {@code [points]}
     * @param perSeed {@code [seeds][points]}: one row per seed; the chart shows the mean ± sd of each column
     */
    public SeedChart series(String name, double[] x, double[][] perSeed) {
        if (perSeed == null || perSeed.length == 0) {
            throw new IllegalArgumentException("SeedChart.series " + name + ": no seeds");
        }
        for (double[] row : perSeed) {
            if (row.length != x.length) {
                throw new IllegalArgumentException("SeedChart.series " + name + ": " + x.length + " x values but a seed "
                    + "with " + row.length + " values");
            }
            if (java.util.Arrays.stream(row).anyMatch(v -> !Double.isFinite(v))) {
                throw new IllegalArgumentException("SeedChart.series " + name + ": a value is not finite (NaN or "
                    + "infinite: a diverged run?); report it apart instead of drawing it");
            }
        }
        double[] mean = new double[x.length], sd = new double[x.length];
        for (int p = 0; p < x.length; p++) {
            int k = p;
            double[] column = Arrays.stream(perSeed).mapToDouble(r -> r[k]).toArray();
            mean[p] = Arrays.stream(column).average().orElseThrow();
            double m = mean[p];
            sd[p] = column.length < 2 ? 0
                : Math.sqrt(Arrays.stream(column).map(v -> (v - m) * (v - m)).sum() / (column.length - 1));
        }
        chart.addSeries(name, x, mean, sd).setMarker(SeriesMarkers.CIRCLE);
        return this;
    }

    /** A reference line without error bars (e.g. chance level). */
    public SeedChart line(String name, double[] x, double[] y) {
        chart.addSeries(name, x, y).setMarker(SeriesMarkers.NONE);
        return this;
    }

    /** A fixed y-axis range, the same for every panel that is compared. */
    public SeedChart yRange(double min, double max) {
        if (!(min < max)) {
            throw new IllegalArgumentException("SeedChart.yRange: min " + min + " must be below max " + max);
        }
        chart.getStyler().setYAxisMin(min).setYAxisMax(max);
        return this;
    }

    /** A logarithmic y axis (gradient norms across orders of magnitude). */
    public SeedChart logY() {
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisDecimalPattern("0.#E0");    // "#,##0.###" would print 1e-4 as 0
        return this;
    }

    /** The XChart chart (a notebook shows it as a picture). */
    public XYChart chart() {
        return chart;
    }
}
