package dev.attentionkit.notebook;

import java.awt.image.BufferedImage;
import java.util.Map;

/**
 * Something a notebook shows as an interactive Vega-Lite chart, with a picture beside it. The kit's kernel set-up
 * registers a JJava renderer for this interface that sends both: JupyterLab 4 draws the chart (its Vega renderer
 * works offline and in untrusted notebooks, where inline JavaScript is blocked), and viewers that do not run Vega,
 * such as GitHub's notebook preview, show the picture.
 */
public interface VegaLiteDisplay {
    /** The MIME type JupyterLab's Vega renderer reads. */
    String MIME_TYPE = "application/vnd.vegalite.v5+json";

    /**
     * The Vega-Lite v5 specification as a tree of what JSON holds: maps with string keys, lists, strings,
     * numbers and booleans, and no nulls (the kernel's JSON writer would drop a key whose value is null).
     */
    Map<String, Object> toVegaLite();

    /** The same specification as JSON text. */
    String toJson();

    /** The fallback picture: what the chart shows before the learner changes anything. */
    BufferedImage toImage();
}
