package dev.attentionkit.viz;

import dev.attentionkit.notebook.ImageDisplay;
import dev.attentionkit.tensor.Shapes;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.style.Styler;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Attention weights drawn as a heatmap with token labels: queries down the side (first token on top, as
 * the matrix prints), keys along the bottom, and each cell's value written in it (up to 12 × 12 cells).
 *
 * <pre>{@code Heatmap.of(weights, tokens).title("Attention weights")}</pre>
 *
 * <p>Colours that do not mislead: higher values are darker blue. Values in [0, 1] (attention weights, masks) are
 * drawn on the fixed scale 0 … 1, so two maps of weights always compare; other non-negative values on 0 … their
 * maximum; signed values on a diverging scale centred on 0 (negative blue, 0 white, positive red), symmetric, so
 * white always means 0. {@link #range} sets the scale by hand and {@link #sharedScale} gives a grid of panels
 * one scale. The legend (shown when the values are not written in the cells) rounds to three significant digits.
 *
 * <p>In a notebook the value renders inline; {@link #chart()} gives the XChart object for further styling.
 */
public final class Heatmap implements ImageDisplay {
    // Light enough at the top end that the dark value labels stay readable on every cell.
    private static final Color[] BLUES = {new Color(247, 251, 255), new Color(158, 202, 225), new Color(66, 146, 198)};
    // Diverging, centred on white: the ends stay light enough for dark value labels.
    private static final Color[] BLUE_WHITE_RED = {new Color(67, 147, 195), new Color(247, 247, 247), new Color(214, 96, 77)};
    /** Above this many rows or columns the cells are too small to carry their values, and labels get smaller. */
    static final int MAX_LABELLED_CELLS = 12;

    private final double[][] values;
    private final List<String> rows;
    private final List<String> columns;
    private String title = "Attention weights";
    private String xTitle = "keys";
    private String yTitle = "queries";
    private boolean showValues;
    private int width;
    private int height;
    private double low;
    private double high;

    private Heatmap(double[][] values, List<String> rows, List<String> columns) {
        this.values = values;
        this.rows = rows;
        this.columns = columns;
        int most = Math.max(rows.size(), columns.size());
        this.showValues = most <= MAX_LABELLED_CELLS;
        // Large maps get room for every label: about 22 pixels per token beyond the default size.
        this.width = Math.max(620, 160 + 22 * columns.size());
        this.height = Math.max(520, 140 + 22 * rows.size());
        double[] range = defaultRange(values);
        range(range[0], range[1]);
    }

    /** @param weights {@code [tokens, tokens]}, with the same tokens as queries and keys */
    public static Heatmap of(INDArray weights, List<String> tokens) {
        return of(weights, tokens, tokens);
    }

    /**
     * @param weights {@code [queries, keys]}
     * @param rows    one label per query (row)
     * @param columns one label per key (column)
     */
    public static Heatmap of(INDArray weights, List<String> rows, List<String> columns) {
        Shapes.requireRank(weights, "weights", "[queries, keys]", 2);
        if (rows.size() != weights.size(0) || columns.size() != weights.size(1)) {
            throw new IllegalArgumentException(String.format(
                "weights %s need %d query labels and %d key labels, got %d and %d",
                Shapes.describe(weights), weights.size(0), weights.size(1), rows.size(), columns.size()));
        }
        double[][] values = weights.toDoubleMatrix();
        for (int i = 0; i < values.length; i++) {
            for (int j = 0; j < values[i].length; j++) {
                if (!Double.isFinite(values[i][j])) {
                    throw new IllegalArgumentException(String.format(
                        "weights %s hold %s at [%d, %d]: a heatmap needs finite values (use a mask picture for masked scores)",
                        Shapes.describe(weights), values[i][j], i, j));
                }
            }
        }
        return new Heatmap(values, List.copyOf(rows), List.copyOf(columns));
    }

    /**
     * The colour scale: {@code low} is the lightest end (or, on a diverging scale, the blue end) and {@code high}
     * the darkest. A range with {@code low < 0 < high} is drawn diverging; it is made symmetric around 0.
     */
    public Heatmap range(double low, double high) {
        if (!(low < high) || !Double.isFinite(low) || !Double.isFinite(high)) {
            throw new IllegalArgumentException("a colour range needs finite low < high, got " + low + " and " + high);
        }
        // XChart's legend prints the ends as they are: round them outwards to three significant digits.
        if (low < 0 && high > 0) {
            double m = roundOut(Math.max(-low, high));
            this.low = -m;
            this.high = m;
        } else {
            this.low = low == 0 ? 0 : -roundOut(-low);
            this.high = roundOut(high);
        }
        return this;
    }

    /** The colour scale's ends, {@code {low, high}}. */
    public double[] range() {
        return new double[] {low, high};
    }

    /** Whether the scale is diverging (signed values: blue below 0, red above). */
    public boolean diverging() {
        return low < 0;
    }

    /**
     * Gives every map the one colour scale that covers them all, so panels placed side by side compare: the same
     * colour means the same value in each. Returns the same maps.
     */
    public static List<Heatmap> sharedScale(List<Heatmap> maps) {
        if (maps.isEmpty()) {
            return maps;
        }
        double low = Double.POSITIVE_INFINITY;
        double high = Double.NEGATIVE_INFINITY;
        for (Heatmap map : maps) {
            low = Math.min(low, map.low);
            high = Math.max(high, map.high);
        }
        for (Heatmap map : maps) {
            map.range(low, high);
        }
        return maps;
    }

    /** [0, 1] for values inside it; [0, max] for other non-negative values; symmetric [-m, m] for signed ones. */
    private static double[] defaultRange(double[][] values) {
        double min = 0;
        double max = 0;
        for (double[] row : values) {
            for (double v : row) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        if (min < 0) {
            return new double[] {min, Math.max(max, -min)};
        }
        return new double[] {0, max <= 1 ? 1 : max};
    }

    public Heatmap title(String text) {
        this.title = text;
        return this;
    }

    public Heatmap axisTitles(String x, String y) {
        this.xTitle = x;
        this.yTitle = y;
        return this;
    }

    /** Whether each cell shows its value (by default: on up to 12 × 12 cells, off above, where a legend shows). */
    public Heatmap showValues(boolean show) {
        this.showValues = show;
        return this;
    }

    public Heatmap size(int widthPixels, int heightPixels) {
        this.width = widthPixels;
        this.height = heightPixels;
        return this;
    }

    /** The XChart chart, for styling beyond this class's options. */
    public HeatMapChart chart() {
        HeatMapChart chart = new HeatMapChartBuilder().width(width).height(height).title(title)
            .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setRangeColors(diverging() ? BLUE_WHITE_RED : BLUES).setShowValue(showValues)
            .setHeatMapValueDecimalPattern("0.00")
            .setHeatMapDecimalValueFormatter(Heatmap::threeDigits)
            .setValueFontColor(Color.BLACK).setValueFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11))
            .setMin(low).setMax(high)
            .setLegendPosition(Styler.LegendPosition.OutsideE);
        // With the values written in the cells a colour legend adds nothing.
        chart.getStyler().setLegendVisible(!showValues);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesVisible(false);
        boolean many = Math.max(rows.size(), columns.size()) > MAX_LABELLED_CELLS;
        chart.getStyler().setXAxisLabelRotation(many ? 90 : columns.size() > 5 ? 45 : 0);
        if (many) {
            Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 10);
            chart.getStyler().setAxisTickLabelsFont(small);
        }

        // XChart puts y index 0 at the bottom; list the queries bottom-up so the first token is on top.
        List<String> xs = MatrixTable.uniqueNames(columns);
        List<String> ys = new ArrayList<>(MatrixTable.uniqueNames(rows));
        java.util.Collections.reverse(ys);
        List<Number[]> cells = new ArrayList<>();
        int n = rows.size();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < columns.size(); j++) {
                cells.add(new Number[] {j, n - 1 - i, values[i][j]});
            }
        }
        chart.addSeries("weights", xs, ys, cells);
        return chart;
    }

    @Override
    public BufferedImage toImage() {
        return BitmapEncoder.getBufferedImage(chart());
    }

    /** The smallest number of three significant digits at or above {@code v} (0.99679 → 0.997, 2.9968 → 3). */
    static double roundOut(double v) {
        if (v == 0) {
            return 0;
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(3, java.math.RoundingMode.CEILING)).doubleValue();
    }

    /** Three significant digits, the way a legend should read: 0.997, 12.3, -0.0412. */
    static String threeDigits(double v) {
        if (v == 0) {
            return "0";
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
    }

    @Override
    public String toString() {
        return "Heatmap(" + rows.size() + " x " + columns.size() + ", \"" + title + "\")";
    }
}
