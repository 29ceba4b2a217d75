package dev.attentionkit.viz;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The attention weights of one sentence, every layer and head, checked once and shared by {@link HeadView} and
 * {@link ModelView}: {@code [layer][head][query][key]}, with one token label per position.
 */
final class LayerHeadWeights {
    /** Weights are written with this many decimals (a tooltip shows three). */
    static final int DECIMALS = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    final double[][][][] weights; // [layer][head][query][key]
    final List<String> tokens;

    private LayerHeadWeights(double[][][][] weights, List<String> tokens) {
        this.weights = weights;
        this.tokens = tokens;
    }

    /**
     * @param attentions one {@code [heads, tokens, tokens]} or {@code [1, heads, tokens, tokens]} array per layer
     * @param tokens     one label per token
     */
    static LayerHeadWeights of(List<INDArray> attentions, List<String> tokens) {
        if (attentions == null || attentions.isEmpty()) {
            throw new IllegalArgumentException("attentions: expected one [heads, tokens, tokens] array per layer, got none");
        }
        if (tokens == null) {
            throw new IllegalArgumentException("tokens: expected one label per token, got null");
        }
        double[][][][] all = new double[attentions.size()][][][];
        for (int l = 0; l < attentions.size(); l++) {
            INDArray a = attentions.get(l);
            if (a == null) {
                throw new IllegalArgumentException("attentions: layer " + l + " is null");
            }
            if (a.rank() == 4) {
                if (a.size(0) != 1) {
                    throw new IllegalArgumentException(String.format(
                        "attentions: layer %d holds a batch of %d sentences %s; a view shows one sentence ([1, heads, tokens, tokens])",
                        l, a.size(0), Arrays.toString(a.shape())));
                }
                a = a.reshape(a.size(1), a.size(2), a.size(3));
            }
            if (a.rank() != 3 || a.size(1) != a.size(2)) {
                throw new IllegalArgumentException(String.format(
                    "attentions: layer %d should be [heads, tokens, tokens] (or [1, heads, tokens, tokens]), got %s",
                    l, Arrays.toString(attentions.get(l).shape())));
            }
            if (a.size(1) != tokens.size()) {
                throw new IllegalArgumentException(String.format(
                    "tokens: %d labels for the %d tokens of layer %d's weights %s", tokens.size(), a.size(1), l,
                    Arrays.toString(attentions.get(l).shape())));
            }
            if (l > 0 && a.size(0) != all[0].length) {
                throw new IllegalArgumentException(String.format(
                    "attentions: layer %d has %d heads, layer 0 has %d; a view needs the same number in every layer",
                    l, a.size(0), all[0].length));
            }
            int heads = (int) a.size(0), t = (int) a.size(1);
            double[] flat = a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
            double[][][] layer = new double[heads][t][t];
            for (int h = 0; h < heads; h++) {
                for (int q = 0; q < t; q++) {
                    for (int k = 0; k < t; k++) {
                        double w = flat[(h * t + q) * t + k];
                        if (!(w >= 0 && w <= 1 + 1e-6)) {
                            throw new IllegalArgumentException(String.format(
                                "attentions: layer %d, head %d, query %d, key %d holds %s; attention weights lie in [0, 1]",
                                l, h, q, k, w));
                        }
                        layer[h][q][k] = w;
                    }
                }
            }
            all[l] = layer;
        }
        return new LayerHeadWeights(all, List.copyOf(tokens));
    }

    int layers() {
        return weights.length;
    }

    int heads() {
        return weights[0].length;
    }

    int length() {
        return tokens.size();
    }

    static double rounded(double w) {
        double scale = Math.pow(10, DECIMALS);
        return Math.round(w * scale) / scale;
    }

    /**
     * The data of a view: one row per layer, head and query, {@code {l, h, q, k: [0..t-1], w: [t weights]}}, which
     * the specification's {@code flatten} transform turns into one row per key (fewer characters than a row per
     * weight). The rows go as one JSON string that Vega parses ({@code format: json}) rather than as a JSON array:
     * a notebook file writes an array one number per line, which would make each view's output about three times
     * larger.
     */
    Map<String, Object> data() {
        return map("values", json(rows()), "format", map("type", "json"));
    }

    List<Map<String, Object>> rows() {
        List<Integer> keys = new ArrayList<>();
        for (int k = 0; k < length(); k++) {
            keys.add(k);
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int l = 0; l < layers(); l++) {
            for (int h = 0; h < heads(); h++) {
                for (int q = 0; q < length(); q++) {
                    List<Double> w = new ArrayList<>(length());
                    for (double x : weights[l][h][q]) {
                        w.add(rounded(x));
                    }
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("l", l);
                    row.put("h", h);
                    row.put("q", q);
                    row.put("k", keys);
                    row.put("w", w);
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    /** A Vega expression that is the token label at {@code index}, e.g. {@code ["[CLS]","the"][datum.q]}. */
    String tokenAt(String index) {
        return json(tokens) + "[" + index + "]";
    }

    /** {@code it (10)}: the token and its position, since a sentence may hold the same word twice. */
    String tokenWithPosition(String index) {
        return tokenAt(index) + " + ' (' + " + index + " + ')'";
    }

    /**
     * The weights' colour: a sequential scale fixed to 0..1, white to dark blue as in {@link HeadGrid}, the same in
     * every head (Vega's "blues" scheme would start at a pale blue, so 0 would not read as nothing).
     */
    static Map<String, Object> weightColour() {
        return map("field", "w", "type", "quantitative", "title", "weight",
            "scale", map("domain", List.of(0, 1), "range", List.of("#f7fbff", "#08306b"), "interpolate", "rgb",
                "clamp", true),
            "legend", map("orient", "right", "gradientLength", 160, "format", ".1f"));
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write a Vega-Lite specification as JSON", e);
        }
    }

    /** A map that keeps the order of its keys, from key, value, key, value... */
    static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }
}
