package dev.attentionkit.viz;

import static dev.attentionkit.viz.LayerHeadWeights.map;

import dev.attentionkit.notebook.VegaLiteDisplay;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An interactive "model view": every head of every layer as a small heatmap (layers down, heads across), queries
 * down and keys across in each, all on one colour scale fixed to 0..1. Hovering a cell of any tile reads the layer,
 * head, query, key and weight. Rendered by JupyterLab as Vega-Lite; the fallback picture is {@link HeadGrid}'s.
 *
 * <pre>{@code ModelView.of(output.attentions(), tokens).title("MiniLM, all 72 heads")}</pre>
 */
public final class ModelView implements VegaLiteDisplay {
    private final LayerHeadWeights data;
    private String title = "All heads";
    private int tile = 44;

    private ModelView(LayerHeadWeights data) {
        this.data = data;
    }

    /**
     * @param attentions one {@code [heads, tokens, tokens]} or {@code [1, heads, tokens, tokens]} array per layer
     * @param tokens     one label per token
     */
    public static ModelView of(List<INDArray> attentions, List<String> tokens) {
        return new ModelView(LayerHeadWeights.of(attentions, tokens));
    }

    public ModelView title(String text) {
        this.title = text;
        return this;
    }

    /** Pixels per tile side (default 44). */
    public ModelView tile(int pixels) {
        if (pixels < 8) {
            throw new IllegalArgumentException("tile: at least 8 pixels, got " + pixels);
        }
        this.tile = pixels;
        return this;
    }

    @Override
    public Map<String, Object> toVegaLite() {
        Map<String, Object> noAxis = map("labels", false, "ticks", false, "domain", false, "title", "");
        return map(
            "$schema", "https://vega.github.io/schema/vega-lite/v5.json",
            "description", "Model view: every head of every layer as a small heatmap on one colour scale",
            "title", map("text", title, "subtitle", "queries down, keys across in each tile; hover a cell to read it"),
            "data", data.data(),
            "transform", List.of(
                map("flatten", List.of("k", "w")),
                map("calculate", data.tokenWithPosition("datum.q"), "as", "query"),
                map("calculate", data.tokenWithPosition("datum.k"), "as", "key")),
            "facet", map(
                "row", map("field", "l", "type", "ordinal", "title", "layer", "header", map("labelFontSize", 11, "labelAngle", 0)),
                "column", map("field", "h", "type", "ordinal", "title", "head", "header", map("labelFontSize", 11))),
            "spacing", 4,
            "spec", map(
                "width", tile,
                "height", tile,
                "mark", "rect",
                "encoding", map(
                    "x", map("field", "k", "type", "ordinal", "axis", noAxis),
                    "y", map("field", "q", "type", "ordinal", "axis", noAxis),
                    "color", LayerHeadWeights.weightColour(),
                    "tooltip", List.of(
                        map("field", "l", "type", "ordinal", "title", "layer"),
                        map("field", "h", "type", "ordinal", "title", "head"),
                        map("field", "query", "type", "nominal", "title", "query"),
                        map("field", "key", "type", "nominal", "title", "key"),
                        map("field", "w", "type", "quantitative", "title", "weight", "format", ".3f")))),
            "config", map("view", map("strokeWidth", 0)));
    }

    @Override
    public String toJson() {
        return LayerHeadWeights.json(toVegaLite());
    }

    @Override
    public BufferedImage toImage() {
        List<INDArray> layers = new ArrayList<>();
        for (double[][][] layer : data.weights) {
            layers.add(Nd4j.create(layer));
        }
        return HeadGrid.of(layers).title(title).tile(Math.max(tile, 24)).toImage();
    }

    @Override
    public String toString() {
        return String.format("ModelView(%d layers x %d heads, %d tokens)", data.layers(), data.heads(), data.length());
    }
}
