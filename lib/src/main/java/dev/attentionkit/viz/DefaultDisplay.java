package dev.attentionkit.viz;

import dev.attentionkit.notebook.Html;
import dev.attentionkit.tensor.Shapes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How a notebook shows a value that has no display of its own: a bare INDArray (small vectors and matrices as
 * a table with index labels and the shape in the caption, anything larger as ND4J's own text) or a Tablesaw
 * table. The kernel's start-up registers these renderers; use {@link MatrixTable} for token labels.
 */
public final class DefaultDisplay {
    /** Larger arrays are summarised as text: a 1024 x 1024 table helps nobody. */
    public static final int MAX_CELLS = 400;

    private DefaultDisplay() {}

    /** HTML for {@code array}: a table for rank 0 to 2 up to {@link #MAX_CELLS} values, else preformatted text. */
    public static String html(INDArray array) {
        if (array.rank() > 2 || array.length() > MAX_CELLS || array.isEmpty()) {
            return "<pre>" + Html.escape(text(array)) + "</pre>";
        }
        INDArray m = array.rank() == 2 ? array : array.reshape(1, Math.max(1, array.length()));
        List<String> rows = array.rank() == 2 ? indices(m.size(0)) : List.of("");
        return MatrixTable.of(m, rows, indices(m.size(1)))
            .title(String.format(Locale.ROOT, "%s %s", array.dataType().name().toLowerCase(Locale.ROOT), Shapes.describe(array)))
            .toHtml();
    }

    /**
     * HTML for a Tablesaw table: its name as the caption, then at most {@code maxRows} rows (Tablesaw's own
     * {@code toString()} is a fixed-width text layout that wraps badly in a notebook).
     */
    public static String html(tech.tablesaw.table.Relation table, int maxRows) {
        StringBuilder html = new StringBuilder("<table class=\"attention-kit\" style=\"border-collapse:collapse\">");
        html.append("<caption style=\"font-weight:bold\">").append(Html.escape(table.name()))
            .append(String.format(Locale.ROOT, " (%d rows)", table.rowCount())).append("</caption><thead><tr>");
        for (String column : table.columnNames()) {
            html.append("<th style=\"padding:2px 8px\">").append(Html.escape(column)).append("</th>");
        }
        html.append("</tr></thead><tbody>");
        int rows = Math.min(maxRows, table.rowCount());
        for (int r = 0; r < rows; r++) {
            html.append("<tr>");
            for (int c = 0; c < table.columnCount(); c++) {
                boolean number = table.column(c) instanceof tech.tablesaw.api.NumericColumn;
                html.append("<td style=\"padding:2px 8px;text-align:").append(number ? "right" : "left").append("\">")
                    .append(Html.escape(table.getString(r, c))).append("</td>");
            }
            html.append("</tr>");
        }
        if (rows < table.rowCount()) {
            html.append("<tr><td colspan=\"").append(table.columnCount()).append("\">… ")
                .append(table.rowCount() - rows).append(" more rows</td></tr>");
        }
        return html.append("</tbody></table>").toString();
    }

    /** Plain text: the shape, then ND4J's rendering of the values. */
    public static String text(INDArray array) {
        return Shapes.describe(array) + " " + array.dataType().name().toLowerCase(Locale.ROOT) + "\n" + array;
    }

    private static List<String> indices(long n) {
        List<String> labels = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            labels.add(Long.toString(i));
        }
        return labels;
    }
}
