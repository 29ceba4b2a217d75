package dev.attentionkit.kernel;

import dev.attentionkit.notebook.HtmlDisplay;
import dev.attentionkit.notebook.ImageDisplay;
import dev.attentionkit.notebook.VegaLiteDisplay;
import dev.attentionkit.viz.DefaultDisplay;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.common.Image;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.nd4j.linalg.api.ndarray.INDArray;
import tech.tablesaw.table.Relation;

/** How a cell's value of a kit type is shown: HTML tables, PNG pictures, Vega-Lite views with a PNG beside them. */
final class Renderers {
    /** Rows of a Tablesaw table shown as HTML. */
    static final int TABLE_ROWS = 50;

    private Renderers() {}

    static void register(Renderer renderer) {
        renderer.createRegistration(HtmlDisplay.class)
            .preferring(MIMEType.TEXT_HTML).supporting(MIMEType.TEXT_HTML, MIMEType.TEXT_PLAIN)
            .register((value, context) -> {
                context.renderIfRequested(MIMEType.TEXT_HTML, value::toHtml);
                context.renderIfRequested(MIMEType.TEXT_PLAIN, value::toString);
            });

        renderer.createRegistration(ImageDisplay.class)
            .preferring(Image.PNG).supporting(Image.PNG)
            .register((value, context) -> Image.renderImage(value.toImage(), context));

        // Interactive views as Vega-Lite (JupyterLab draws them, also in untrusted notebooks) with a PNG beside them
        // for viewers without Vega (GitHub). The specification goes as a tree of maps and lists, so it reaches the
        // notebook as a JSON object rather than as a string.
        MIMEType vegaLite = MIMEType.parse(VegaLiteDisplay.MIME_TYPE);
        renderer.createRegistration(VegaLiteDisplay.class)
            .preferring(vegaLite, Image.PNG).supporting(vegaLite, Image.PNG, MIMEType.TEXT_PLAIN)
            .register((value, context) -> {
                context.renderIfRequested(vegaLite, value::toVegaLite);
                if (context.wantsDataRenderedAs(Image.PNG)) {
                    Image.renderImage(value.toImage(), context);
                }
                context.renderIfRequested(MIMEType.TEXT_PLAIN, value::toString);
            });

        renderer.createRegistration(Chart.class)
            .preferring(Image.PNG).supporting(Image.PNG)
            .register((chart, context) -> Image.renderImage(BitmapEncoder.getBufferedImage(chart), context));

        renderer.createRegistration(INDArray.class)
            .preferring(MIMEType.TEXT_HTML).supporting(MIMEType.TEXT_HTML, MIMEType.TEXT_PLAIN)
            .register((array, context) -> {
                context.renderIfRequested(MIMEType.TEXT_HTML, () -> DefaultDisplay.html(array));
                context.renderIfRequested(MIMEType.TEXT_PLAIN, () -> DefaultDisplay.text(array));
            });

        renderer.createRegistration(Relation.class)
            .preferring(MIMEType.TEXT_HTML).supporting(MIMEType.TEXT_HTML, MIMEType.TEXT_PLAIN)
            .register((table, context) -> {
                context.renderIfRequested(MIMEType.TEXT_HTML, () -> DefaultDisplay.html(table, TABLE_ROWS));
                context.renderIfRequested(MIMEType.TEXT_PLAIN, table::toString);
            });
    }
}
