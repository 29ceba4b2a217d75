package dev.attentionkit.viz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    @DisplayName("heatmap scales: weights on 0..1, other non-negative values on 0..max, signed values diverging around 0")
    void heatmapScales() {
        Heatmap weights = Heatmap.of(Nd4j.createFromArray(new float[][] {{0.2f, 0.3f}, {0.1f, 0.25f}}), List.of("a", "b"));
        assertArrayEquals(new double[] {0, 1}, weights.range(), "a weak map is not stretched to look strong");
        assertFalse(weights.diverging());
        Heatmap counts = Heatmap.of(Nd4j.createFromArray(new float[][] {{0f, 7f}, {3f, 2f}}), List.of("a", "b"));
        assertArrayEquals(new double[] {0, 7}, counts.range());
        Heatmap signed = Heatmap.of(Nd4j.createFromArray(new float[][] {{-0.5f, 2f}, {1f, 0f}}), List.of("a", "b"));
        assertArrayEquals(new double[] {-2, 2}, signed.range(), "symmetric, so white is 0");
        assertTrue(signed.diverging());
    }

    @Test
    @DisplayName("a signed map draws negative values blue, positive red, and 0 white")
    void heatmapDiverging() {
        float[][] pe = new float[6][6];
        pe[0][0] = -1f;   // top left: blue end
        pe[5][5] = 1f;    // bottom right: red end
        BufferedImage image = Heatmap.of(Nd4j.createFromArray(pe), TOKENS).showValues(false).size(400, 300).toImage();
        int[] blue = find(image, 0x4393C3);
        int[] red = find(image, 0xD6604D);
        assertTrue(blue != null && red != null, "both ends of the diverging scale are drawn");
        assertTrue(blue[0] < red[0] && blue[1] < red[1], "blue top left, red bottom right");
        assertTrue(find(image, 0xF7F7F7) != null, "zeros are drawn white");
    }

    @Test
    @DisplayName("sharedScale gives a grid of panels one scale (an untrained uniform map no longer looks darkest)")
    void heatmapSharedScale() {
        Heatmap small = Heatmap.of(Nd4j.createFromArray(new float[][] {{0f, 3f}, {1f, 2f}}), List.of("a", "b"));
        Heatmap large = Heatmap.of(Nd4j.createFromArray(new float[][] {{0f, 12f}, {5f, 1f}}), List.of("a", "b"));
        Heatmap.sharedScale(List.of(small, large));
        assertArrayEquals(new double[] {0, 12}, small.range());
        assertArrayEquals(new double[] {0, 12}, large.range());
        Heatmap signed = Heatmap.of(Nd4j.createFromArray(new float[][] {{-4f, 1f}, {1f, 2f}}), List.of("a", "b"));
        Heatmap.sharedScale(List.of(small, signed));
        assertArrayEquals(new double[] {-12, 12}, small.range(), "one signed panel makes the shared scale diverging");
    }

    @Test
    @DisplayName("legend values are rounded to three significant digits")
    void heatmapLegendDigits() {
        assertEquals("0.997", Heatmap.threeDigits(0.9967870712280273));
        assertEquals("12.3", Heatmap.threeDigits(12.34567));
        assertEquals("-0.0412", Heatmap.threeDigits(-0.041234));
        assertEquals("1", Heatmap.threeDigits(1.0));
        assertEquals("0", Heatmap.threeDigits(0.0));
        Heatmap odd = Heatmap.of(Nd4j.createFromArray(new double[][] {{0.1, 2.9967870712280273}}), List.of("q"), List.of("a", "b"));
        assertArrayEquals(new double[] {0, 3}, odd.range(), "the scale's ends (printed by the legend) are rounded outwards");
        assertEquals(0.997, Heatmap.roundOut(0.9967870712280273));
        assertEquals(0.0413, Heatmap.roundOut(0.041234), "outwards, not to the nearest");
    }

    @Test
    @DisplayName("maps over 12 tokens drop the in-cell values, grow to fit their labels; bad input is named")
    void heatmapLargeAndBad() {
        List<String> tokens = java.util.stream.IntStream.range(0, 24).mapToObj(i -> "t" + i).toList();
        BufferedImage image = Heatmap.of(Nd4j.rand(24, 24), tokens).toImage();
        assertTrue(image.getWidth() >= 22 * 24 && image.getHeight() >= 22 * 24, image.getWidth() + " x " + image.getHeight());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
            () -> Heatmap.of(Nd4j.createFromArray(new float[][] {{0f, Float.NaN}}), List.of("q"), List.of("a", "b")));
        assertTrue(nan.getMessage().contains("NaN") && nan.getMessage().contains("[0, 1]"), nan.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Heatmap.of(Nd4j.ones(2, 2), List.of("a", "b")).range(1, 1));
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
