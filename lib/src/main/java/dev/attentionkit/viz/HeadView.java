package dev.attentionkit.viz;

import static dev.attentionkit.viz.LayerHeadWeights.map;

import dev.attentionkit.notebook.VegaLiteDisplay;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An interactive "head view": one head's weights as a heatmap, queries down and keys across with the tokens on
 * both axes, and two sliders that pick the layer and the head. Hovering a cell reads its weight (three decimals),
 * the query and the key with their positions. The colour scale is fixed to 0..1 for every head, so a pale head
 * really is a spread-out one. Rendered by JupyterLab as Vega-Lite; the fallback picture is the first head shown.
 *
 * <pre>{@code HeadView.of(output.attentions(), tokens).select(5, 11).title("MiniLM")}</pre>
 *
 * <p>Unlike a view of lines between two token columns, every weight of the head is visible at once and has a
 * value to read, and two heads compare on the same scale.
 */
public final class HeadView implements VegaLiteDisplay {
    private final LayerHeadWeights data;
    private int layer;
    private int head;
    private String title = "Attention";
    private int cell = 26;

    private HeadView(LayerHeadWeights data) {
        this.data = data;
    }

    /**
     * @param attentions one {@code [heads, tokens, tokens]} or {@code [1, heads, tokens, tokens]} array per layer
     *                   (what {@code BertEncoder.Output.attentions()} returns)
     * @param tokens     one label per token
     */
    public static HeadView of(List<INDArray> attentions, List<String> tokens) {
        return new HeadView(LayerHeadWeights.of(attentions, tokens));
    }

    /** The layer and head shown first (default 0, 0). */
    public HeadView select(int layer, int head) {
        if (layer < 0 || layer >= data.layers() || head < 0 || head >= data.heads()) {
            throw new IllegalArgumentException(String.format("select: layer %d, head %d is outside the %d layers x %d heads",
                layer, head, data.layers(), data.heads()));
        }
        this.layer = layer;
        this.head = head;
        return this;
    }

    public HeadView title(String text) {
        this.title = text;
        return this;
    }

    /** Pixels per heatmap cell (default 26). */
    public HeadView cell(int pixels) {
        if (pixels < 8) {
            throw new IllegalArgumentException("cell: at least 8 pixels, got " + pixels);
        }
        this.cell = pixels;
        return this;
    }

    public int layer() {
        return layer;
    }

    public int head() {
        return head;
    }

    @Override
    public Map<String, Object> toVegaLite() {
        int t = data.length();
        Map<String, Object> axis = map("labelExpr", data.tokenAt("datum.value"), "labelFontSize", 12, "labelPadding", 4);
        Map<String, Object> xAxis = map("labelExpr", data.tokenAt("datum.value"), "labelFontSize", 12, "labelAngle", -50,
            "orient", "top");
        return map(
            "$schema", "https://vega.github.io/schema/vega-lite/v5.json",
            "description", "Head view: one head's attention weights, the layer and head chosen with the sliders",
            "title", map("text", title,
                "subtitle", map("expr", "'layer ' + layer + ', head ' + head + '  (hover a cell to read its weight)'")),
            // SVG, so each cell is an element of the page (and a browser test can read its colour).
            "usermeta", map("embedOptions", map("renderer", "svg")),
            "params", List.of(
                map("name", "layer", "value", layer,
                    "bind", map("input", "range", "min", 0, "max", data.layers() - 1, "step", 1, "name", "layer ")),
                map("name", "head", "value", head,
                    "bind", map("input", "range", "min", 0, "max", data.heads() - 1, "step", 1, "name", "head "))),
            "data", data.data(),
            "transform", List.of(
                map("filter", "datum.l == layer && datum.h == head"),
                map("flatten", List.of("k", "w")),
                map("calculate", data.tokenWithPosition("datum.q"), "as", "query"),
                map("calculate", data.tokenWithPosition("datum.k"), "as", "key")),
            "width", cell * t,
            "height", cell * t,
            "mark", map("type", "rect", "stroke", "#ffffff", "strokeWidth", 0.5),
            "encoding", map(
                "x", map("field", "k", "type", "ordinal", "title", "key (attended to)", "axis", xAxis),
                "y", map("field", "q", "type", "ordinal", "title", "query (attending)", "axis", axis),
                "color", LayerHeadWeights.weightColour(),
                "tooltip", List.of(
                    map("field", "query", "type", "nominal", "title", "query"),
                    map("field", "key", "type", "nominal", "title", "key"),
                    map("field", "w", "type", "quantitative", "title", "weight", "format", ".3f"))),
            "config", map("view", map("strokeWidth", 0)));
    }

    @Override
    public String toJson() {
        return LayerHeadWeights.json(toVegaLite());
    }

    @Override
    public BufferedImage toImage() {
        return Heatmap.of(Nd4j.create(data.weights[layer][head]), data.tokens).range(0, 1).showValues(false)
            .title(title + ": layer " + layer + ", head " + head).toImage();
    }

    @Override
    public String toString() {
        return String.format("HeadView(%d layers x %d heads, %d tokens; showing layer %d, head %d)",
            data.layers(), data.heads(), data.length(), layer, head);
    }
}
