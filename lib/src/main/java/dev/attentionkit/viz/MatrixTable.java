package dev.attentionkit.viz;

import dev.attentionkit.notebook.Html;
import dev.attentionkit.notebook.HtmlDisplay;
import dev.attentionkit.tensor.Shapes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * A matrix with row and column labels, e.g. attention weights with the query tokens down the side and
 * the key tokens across the top. Prints as aligned text, renders as an HTML table in a notebook, and
 * converts to a Tablesaw {@link Table} for sorting, filtering and summarising.
 */
public final class MatrixTable implements HtmlDisplay {
    private final double[][] values;
    private final List<String> rows;
    private final List<String> columns;
    private final String title;
    private final int decimals;

    private MatrixTable(double[][] values, List<String> rows, List<String> columns, String title, int decimals) {
        this.values = values;
        this.rows = rows;
        this.columns = columns;
        this.title = title;
        this.decimals = decimals;
    }

    /**
     * A table of a square matrix whose rows and columns are the same tokens (self-attention weights).
     *
     * @param matrix {@code [tokens, tokens]}
     */
    public static MatrixTable of(INDArray matrix, List<String> tokens) {
        return of(matrix, tokens, tokens);
    }

    /**
     * @param matrix  {@code [rows, columns]}, or a vector {@code [columns]} shown as one row
     * @param rows    one label per row (queries)
     * @param columns one label per column (keys)
     */
    public static MatrixTable of(INDArray matrix, List<String> rows, List<String> columns) {
        INDArray m = matrix != null && matrix.rank() == 1 ? matrix.reshape(1, matrix.length()) : matrix;
        Shapes.requireRank(m, "matrix", "[rows, columns]", 2);
        if (rows.size() != m.size(0) || columns.size() != m.size(1)) {
            throw new IllegalArgumentException(String.format(
                "matrix %s needs %d row labels and %d column labels, got %d and %d",
                Shapes.describe(m), m.size(0), m.size(1), rows.size(), columns.size()));
        }
        return new MatrixTable(m.toDoubleMatrix(), List.copyOf(rows), List.copyOf(columns), "", 4);
    }

    /** The same table with a caption. */
    public MatrixTable title(String caption) {
        return new MatrixTable(values, rows, columns, caption, decimals);
    }

    /** The same table with another number of decimals (4 by default, as the book prints). */
    public MatrixTable decimals(int places) {
        return new MatrixTable(values, rows, columns, title, places);
    }

    /** A Tablesaw table: a first text column of row labels, then one number column per column label. */
    public Table toTable() {
        Table table = Table.create(title.isEmpty() ? "matrix" : title);
        table.addColumns(StringColumn.create("", rows));
        List<String> names = uniqueNames(columns, true); // Tablesaw's column names ignore case: "The" = "the"
        for (int j = 0; j < columns.size(); j++) {
            double[] col = new double[rows.size()];
            for (int i = 0; i < rows.size(); i++) {
                col[i] = values[i][j];
            }
            table.addColumns(DoubleColumn.create(names.get(j), col));
        }
        return table;
    }

    @Override
    public String toHtml() {
        double max = 0;
        for (double[] row : values) {
            for (double v : row) {
                if (Double.isFinite(v)) { // a masked score of -∞ would make every other cell's shade 0 / ∞
                    max = Math.max(max, Math.abs(v));
                }
            }
        }
        StringBuilder html = new StringBuilder("<table class=\"attention-kit\" style=\"border-collapse:collapse;font-family:monospace\">");
        if (!title.isEmpty()) {
            html.append("<caption style=\"font-weight:bold\">").append(Html.escape(title)).append("</caption>");
        }
        html.append("<thead><tr><th></th>");
        for (String c : columns) {
            html.append("<th style=\"padding:2px 8px\">").append(Html.escape(c)).append("</th>");
        }
        html.append("</tr></thead><tbody>");
        for (int i = 0; i < rows.size(); i++) {
            html.append("<tr><th style=\"text-align:right;padding:2px 8px\">").append(Html.escape(rows.get(i))).append("</th>");
            for (int j = 0; j < columns.size(); j++) {
                // Shade each cell by its magnitude, so the largest weights stand out as in a heatmap.
                double v = values[i][j];
                double alpha = Double.isNaN(v) ? 0 : Double.isInfinite(v) ? 0.6 : max == 0 ? 0 : 0.6 * Math.abs(v) / max;
                html.append(String.format(Locale.ROOT,
                    "<td style=\"text-align:right;padding:2px 8px;background:rgba(%s,%.2f)\">%s</td>",
                    values[i][j] < 0 ? "220,80,60" : "30,120,220", alpha, format(values[i][j])));
            }
            html.append("</tr>");
        }
        return html.append("</tbody></table>").toString();
    }

    @Override
    public String toString() {
        List<String> header = new ArrayList<>(columns);
        int width = Math.max(decimals + 4, header.stream().mapToInt(String::length).max().orElse(0));
        int labelWidth = rows.stream().mapToInt(String::length).max().orElse(0);
        StringBuilder out = new StringBuilder();
        if (!title.isEmpty()) {
            out.append(title).append('\n');
        }
        out.append(" ".repeat(labelWidth));
        for (String c : header) {
            out.append(' ').append(pad(c, width));
        }
        for (int i = 0; i < rows.size(); i++) {
            out.append('\n').append(pad(rows.get(i), labelWidth));
            for (int j = 0; j < columns.size(); j++) {
                out.append(' ').append(pad(format(values[i][j]), width));
            }
        }
        return out.toString();
    }

    private String format(double v) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static String pad(String s, int width) {
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }

    /** Distinct labels for chart categories: a repeated token ("the") gets its position appended. */
    static List<String> uniqueNames(List<String> labels) {
        return uniqueNames(labels, false);
    }

    /**
     * Distinct labels: a repeated token gets its position appended. Tablesaw needs distinct column names and
     * compares them ignoring case, so there "The" and "the" count as repeated too.
     */
    static List<String> uniqueNames(List<String> labels, boolean ignoreCase) {
        List<String> keys = labels.stream().map(l -> ignoreCase ? l.toLowerCase(Locale.ROOT) : l).toList();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            String label = labels.get(i);
            boolean repeated = keys.indexOf(keys.get(i)) != keys.lastIndexOf(keys.get(i));
            names.add(repeated || label.isEmpty() ? label + " (" + i + ")" : label);
        }
        return names;
    }
}
