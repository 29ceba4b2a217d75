package dev.attentionkit.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.data.BookExample;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import tech.tablesaw.api.Table;

@DisplayName("Tables, heatmaps and notebook display")
class VizTest {
    private static final List<String> TOKENS = BookExample.TOKENS;

    @Test
    @DisplayName("a MatrixTable prints 4 decimals with token labels and escapes HTML")
    void matrixTableText() {
        MatrixTable table = MatrixTable.of(Nd4j.createFromArray(new float[][] {{0.123456f, 1f}, {2f, -3f}}),
            List.of("a<b", "c"), List.of("x", "y"));
        assertTrue(table.toString().contains("0.1235"), table.toString());
        assertTrue(table.toHtml().contains("a&lt;b") && !table.toHtml().contains("a<b"));
    }

    @Test
    @DisplayName("HTML shading ignores infinite cells (masked scores), so finite cells keep theirs and no NaN appears")
    void matrixTableHtmlWithInfinity() {
        String html = MatrixTable.of(Nd4j.createFromArray(new float[][] {{1f, Float.NEGATIVE_INFINITY}, {0.5f, 1f}}),
            List.of("a", "b"), List.of("x", "y")).toHtml();
        assertTrue(!html.contains("NaN"), html);
        assertTrue(html.contains("rgba(30,120,220,0.60)") && html.contains("rgba(30,120,220,0.30)"), html);
        assertTrue(html.contains("rgba(220,80,60,0.60)\">-Infinity"), html);
    }

    @Test
    @DisplayName("as a Tablesaw table: a label column, then one column per key, repeated tokens made unique")
    void tablesaw() {
        Table t = MatrixTable.of(Nd4j.eye(3), List.of("the", "cat", "the"), List.of("the", "cat", "the")).toTable();
        assertEquals(List.of("", "the (0)", "cat", "the (2)"), t.columnNames());
        assertEquals(1.0, t.doubleColumn("the (2)").get(2));
    }

    @Test
    @DisplayName("as a Tablesaw table: tokens differing only in case (The, the) get distinct column names")
    void tablesawIgnoresCase() {
        Table t = MatrixTable.of(Nd4j.eye(3), List.of("The", "cat", "the")).toTable();
        assertEquals(List.of("", "The (0)", "cat", "the (2)"), t.columnNames());
    }

    @Test
    @DisplayName("label counts that do not fit the matrix are rejected with the shape")
    void wrongLabels() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> MatrixTable.of(Nd4j.ones(6, 6), List.of("a", "b")));
        assertTrue(error.getMessage().contains("[6, 6]") && error.getMessage().contains("6 row labels"), error.getMessage());
    }

    @Test
    @DisplayName("a heatmap renders at the requested size, darker where the weight is larger")
    void heatmapImage() {
        float[][] w = new float[6][6];
        w[0][0] = 1f; // top-left cell: the largest weight
        BufferedImage image = Heatmap.of(Nd4j.createFromArray(w), TOKENS).showValues(false).size(400, 300).toImage();
        assertEquals(400, image.getWidth());
        assertEquals(300, image.getHeight());
        // The largest weight gets the darkest colour of the scale, (66, 146, 198), and the first query and
        // first key sit top left, as the matrix prints.
        int[] at = find(image, 0x4292C6);
        assertTrue(at != null, "the darkest colour of the scale is drawn");
        assertTrue(at[0] < 200 && at[1] < 150, "the largest weight is drawn top left, found at " + at[0] + ", " + at[1]);
    }

    @Test
    @DisplayName("small arrays display as a table with their shape; large ones as text")
    void display() {
        assertTrue(DefaultDisplay.html(Nd4j.ones(2, 3)).contains("[2, 3]"));
        assertTrue(DefaultDisplay.html(Nd4j.ones(30, 30)).startsWith("<pre>"));
    }

    @Test
    @DisplayName("a Tablesaw table displays as HTML: caption, header, rows, and a note on rows left out")
    void tablesawAsHtml() {
        Table t = MatrixTable.of(Nd4j.eye(3), List.of("a", "b", "c"), List.of("x", "y", "z")).title("weights").toTable();
        String html = DefaultDisplay.html(t, 2);
        assertTrue(html.contains("weights (3 rows)") && html.contains("<th style=\"padding:2px 8px\">x</th>"), html);
        assertTrue(html.contains("1 more rows"), html);
    }

    private static int[] find(BufferedImage image, int rgb) {
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xFFFFFF) == rgb) {
                    return new int[] {x, y};
                }
            }
        }
        return null;
    }
}
