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
 * the matrix prints), keys along the bottom, and each cell's value written in it.
 *
 * <pre>{@code Heatmap.of(weights, tokens).title("Attention weights")}</pre>
 *
 * In a notebook the value renders inline; {@link #chart()} gives the XChart object for further styling.
 */
public final class Heatmap implements ImageDisplay {
    // Light enough at the top end that the dark value labels stay readable on every cell.
    private static final Color[] BLUES = {new Color(247, 251, 255), new Color(158, 202, 225), new Color(66, 146, 198)};

    private final double[][] values;
    private final List<String> rows;
    private final List<String> columns;
    private String title = "Attention weights";
    private String xTitle = "keys";
    private String yTitle = "queries";
    private boolean showValues = true;
    private int width = 620;
    private int height = 520;

    private Heatmap(double[][] values, List<String> rows, List<String> columns) {
        this.values = values;
        this.rows = rows;
        this.columns = columns;
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
        return new Heatmap(weights.toDoubleMatrix(), List.copyOf(rows), List.copyOf(columns));
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

    /** Whether each cell shows its value (on by default; turn off for large maps). */
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
        chart.getStyler().setRangeColors(BLUES).setShowValue(showValues)
            .setHeatMapValueDecimalPattern("0.00")
            .setValueFontColor(Color.BLACK).setValueFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11))
            .setMin(0).setMax(Math.max(1e-12, max()))
            .setLegendPosition(Styler.LegendPosition.OutsideE);
        // With the values written in the cells a colour legend adds nothing.
        chart.getStyler().setLegendVisible(!showValues);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesVisible(false);
        chart.getStyler().setXAxisLabelRotation(columns.size() > 5 ? 45 : 0);

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

    private double max() {
        double m = 0;
        for (double[] row : values) {
            for (double v : row) {
                m = Math.max(m, v);
            }
        }
        return m;
    }

    @Override
    public String toString() {
        return "Heatmap(" + rows.size() + " x " + columns.size() + ", \"" + title + "\")";
    }
}
