package dev.attentionkit.notebook;

import dev.attentionkit.tensor.Shapes;
import dev.attentionkit.viz.MatrixTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How a notebook shows a bare INDArray: small vectors and matrices as a table with index labels and
 * the shape in the caption, anything larger as ND4J's own text. Use {@link MatrixTable} for token labels.
 */
public final class Display {
    /** Larger arrays are summarised as text: a 1024 x 1024 table helps nobody. */
    public static final int MAX_CELLS = 400;

    private Display() {}

    /** HTML for {@code array}: a table for rank 0 to 2 up to {@link #MAX_CELLS} values, else preformatted text. */
    public static String html(INDArray array) {
        if (array.rank() > 2 || array.length() > MAX_CELLS || array.isEmpty()) {
            return "<pre>" + text(array).replace("&", "&amp;").replace("<", "&lt;") + "</pre>";
        }
        INDArray m = array.rank() == 2 ? array : array.reshape(1, Math.max(1, array.length()));
        List<String> rows = array.rank() == 2 ? indices(m.size(0)) : List.of("");
        return MatrixTable.of(m, rows, indices(m.size(1)))
            .title(String.format(Locale.ROOT, "%s %s", array.dataType().name().toLowerCase(Locale.ROOT), Shapes.describe(array)))
            .toHtml();
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
