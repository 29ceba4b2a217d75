package dev.attentionkit.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attentionkit.notebook.VegaLiteDisplay;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class AttentionViewTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    // Tokens a label expression must survive: a quote, a backslash, a repeated word, a non-ASCII one.
    private static final List<String> TOKENS = List.of("[CLS]", "the", "\"it\"", "back\\slash", "the", "café");

    /** Random rows that sum to 1, as [1, heads, t, t] per layer (the encoder's output layout). */
    private static double[][][][] randomWeights(int layers, int heads, int t, long seed) {
        Random random = new Random(seed);
        double[][][][] w = new double[layers][heads][t][t];
        for (double[][][] layer : w) {
            for (double[][] head : layer) {
                for (double[] row : head) {
                    double sum = 0;
                    for (int k = 0; k < t; k++) {
                        row[k] = Math.exp(3 * random.nextGaussian());
                        sum += row[k];
                    }
                    for (int k = 0; k < t; k++) {
                        row[k] /= sum;
                    }
                }
            }
        }
        return w;
    }

    private static List<INDArray> arrays(double[][][][] w) {
        List<INDArray> out = new ArrayList<>();
        for (double[][][] layer : w) {
            out.add(Nd4j.create(layer).reshape(1, layer.length, layer[0].length, layer[0].length).castTo(DataType.FLOAT));
        }
        return out;
    }

    private static void assertNoNulls(JsonNode node, String path) {
        assertFalse(node.isNull(), "a null at " + path + " (the kernel's JSON writer would drop it)");
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            assertNoNulls(node.get(name), path + "." + name);
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                assertNoNulls(node.get(i), path + "[" + i + "]");
            }
        }
    }

    /** The data rows must hold every layer, head and query once, with the weights given (to the decimals written). */
    private static void assertDataEquals(double[][][][] w, JsonNode data) {
        assertEquals("json", data.get("format").get("type").asText());
        JsonNode values = assertDoesNotThrowJson(data.get("values").asText());
        int layers = w.length, heads = w[0].length, t = w[0][0].length;
        assertEquals(layers * heads * t, values.size(), "one row per layer, head and query");
        Set<List<Integer>> seen = new HashSet<>();
        double tolerance = 0.5 * Math.pow(10, -LayerHeadWeights.DECIMALS) + 1e-7;   // float32 input, rounded output
        for (JsonNode row : values) {
            int l = row.get("l").asInt(), h = row.get("h").asInt(), q = row.get("q").asInt();
            assertTrue(seen.add(List.of(l, h, q)), "row " + l + "/" + h + "/" + q + " appears twice");
            assertEquals(t, row.get("k").size());
            assertEquals(t, row.get("w").size());
            for (int i = 0; i < t; i++) {
                int k = row.get("k").get(i).asInt();
                double written = row.get("w").get(i).asDouble();
                assertEquals(w[l][h][q][k], written, tolerance, "weight of layer " + l + " head " + h + " query " + q + " key " + k);
            }
        }
    }

    /** The label expression is a JSON array literal of the tokens, indexed: parse it back. */
    private static List<String> tokensIn(String expression, String index) {
        String suffix = "[" + index + "]";
        assertTrue(expression.endsWith(suffix), expression);
        JsonNode array = assertDoesNotThrowJson(expression.substring(0, expression.length() - suffix.length()));
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static JsonNode assertDoesNotThrowJson(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    @Test
    @DisplayName("the head view writes valid Vega-Lite v5 JSON whose data are the weights it was given")
    void headViewSpec() throws Exception {
        double[][][][] w = randomWeights(3, 4, TOKENS.size(), 1);
        HeadView view = HeadView.of(arrays(w), TOKENS).select(2, 1).title("test");
        JsonNode spec = JSON.readTree(view.toJson());
        assertEquals(JSON.readTree(JSON.writeValueAsString(view.toVegaLite())), spec, "toJson() is toVegaLite() as JSON");
        assertEquals("https://vega.github.io/schema/vega-lite/v5.json", spec.get("$schema").asText());
        assertNoNulls(spec, "spec");
        assertDataEquals(w, spec.get("data"));

        // The sliders: layer 0..2 starting at 2, head 0..3 starting at 1; the filter reads both.
        JsonNode layer = spec.get("params").get(0), head = spec.get("params").get(1);
        assertEquals("layer", layer.get("name").asText());
        assertEquals(2, layer.get("value").asInt());
        assertEquals("range", layer.get("bind").get("input").asText());
        assertEquals(2, layer.get("bind").get("max").asInt());
        assertEquals("head", head.get("name").asText());
        assertEquals(1, head.get("value").asInt());
        assertEquals(3, head.get("bind").get("max").asInt());
        assertEquals("datum.l == layer && datum.h == head", spec.get("transform").get(0).get("filter").asText());

        // Tokens on both axes, the colour fixed to 0..1, tooltips rounded to three decimals.
        JsonNode encoding = spec.get("encoding");
        assertEquals(TOKENS, tokensIn(encoding.get("x").get("axis").get("labelExpr").asText(), "datum.value"));
        assertEquals(TOKENS, tokensIn(encoding.get("y").get("axis").get("labelExpr").asText(), "datum.value"));
        assertEquals(JSON.readTree("[0, 1]"), encoding.get("color").get("scale").get("domain"));
        assertEquals(JSON.readTree("[\"#f7fbff\", \"#08306b\"]"), encoding.get("color").get("scale").get("range"),
            "white for 0, HeadGrid's dark blue for 1");
        JsonNode weightTip = encoding.get("tooltip").get(2);
        assertEquals("w", weightTip.get("field").asText());
        assertEquals(".3f", weightTip.get("format").asText());
        assertEquals(26 * TOKENS.size(), spec.get("width").asInt());
    }

    @Test
    @DisplayName("the model view facets every layer and head on one 0..1 colour scale, with the same data")
    void modelViewSpec() throws Exception {
        double[][][][] w = randomWeights(2, 3, TOKENS.size(), 2);
        ModelView view = ModelView.of(arrays(w), TOKENS).tile(30);
        JsonNode spec = JSON.readTree(view.toJson());
        assertNoNulls(spec, "spec");
        assertDataEquals(w, spec.get("data"));
        assertEquals("l", spec.get("facet").get("row").get("field").asText());
        assertEquals("h", spec.get("facet").get("column").get("field").asText());
        JsonNode inner = spec.get("spec");
        assertEquals(30, inner.get("width").asInt());
        assertEquals(JSON.readTree("[0, 1]"), inner.get("encoding").get("color").get("scale").get("domain"));
        assertFalse(spec.has("resolve"), "one colour scale for every tile");
        assertEquals(".3f", inner.get("encoding").get("tooltip").get(4).get("format").asText());
    }

    @Test
    @DisplayName("the fallback pictures show the selected head and every head")
    void pictures() {
        double[][][][] w = randomWeights(2, 2, 4, 3);
        List<String> tokens = List.of("a", "b", "c", "d");
        BufferedImage first = HeadView.of(arrays(w), tokens).toImage();
        BufferedImage other = HeadView.of(arrays(w), tokens).select(1, 1).toImage();
        assertEquals(first.getWidth(), other.getWidth());
        assertNotEquals(pixels(first), pixels(other), "another head draws another picture");
        BufferedImage grid = ModelView.of(arrays(w), tokens).tile(20).toImage();
        assertEquals(HeadGrid.of(arrays(w)).title("All heads").tile(24).toImage().getWidth(), grid.getWidth());
    }

    private static List<Integer> pixels(BufferedImage image) {
        List<Integer> out = new ArrayList<>();
        for (int y = 0; y < image.getHeight(); y += 3) {
            for (int x = 0; x < image.getWidth(); x += 3) {
                out.add(image.getRGB(x, y));
            }
        }
        return out;
    }

    private static void assertMessage(Supplier<VegaLiteDisplay> make, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::get);
        assertTrue(e.getMessage().contains(expected), "expected a message with \"" + expected + "\", got: " + e.getMessage());
    }

    @Test
    @DisplayName("shapes, labels and values that are not one sentence's attention weights are refused by name")
    void badInput() {
        List<INDArray> good = arrays(randomWeights(2, 3, 4, 4));
        List<String> four = List.of("a", "b", "c", "d");
        assertMessage(() -> HeadView.of(List.of(), four), "got none");
        assertMessage(() -> HeadView.of(good, List.of("a", "b", "c")), "3 labels for the 4 tokens");
        assertMessage(() -> ModelView.of(List.of(good.get(0), Nd4j.rand(DataType.FLOAT, 1, 2, 4, 4)), four),
            "layer 1 has 2 heads, layer 0 has 3");
        assertMessage(() -> HeadView.of(List.of(Nd4j.rand(DataType.FLOAT, 2, 3, 4, 4)), four), "a batch of 2 sentences");
        assertMessage(() -> HeadView.of(List.of(Nd4j.rand(DataType.FLOAT, 3, 4, 5)), four), "[3, 4, 5]");
        assertMessage(() -> HeadView.of(List.of(Nd4j.rand(DataType.FLOAT, 4, 4)), four), "should be [heads, tokens, tokens]");
        INDArray nan = good.get(0).dup();
        nan.putScalar(new long[] {0, 1, 2, 3}, Double.NaN);
        assertMessage(() -> HeadView.of(List.of(nan), four), "layer 0, head 1, query 2, key 3 holds NaN");
        INDArray negative = good.get(1).dup();
        negative.putScalar(new long[] {0, 2, 0, 0}, -0.5);
        assertMessage(() -> ModelView.of(List.of(good.get(0), negative), four), "layer 1, head 2, query 0, key 0 holds -0.5");
        assertMessage(() -> HeadView.of(good, four).select(2, 0), "layer 2, head 0 is outside the 2 layers x 3 heads");
        assertMessage(() -> HeadView.of(good, four).select(0, -1), "outside");
    }
}
