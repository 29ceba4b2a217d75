// Run by the JJava kernel before the first cell (./kit sets JJAVA_STARTUP_SCRIPTS_PATH to this file).
// It teaches the kernel to show the kit's values richly: tables as HTML, heatmaps and XChart charts as
// pictures, small INDArrays as tables. It only registers renderers; notebooks import what they use.
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.dflib.jjava.jupyter.kernel.display.common.Image;

kernel().getRenderer().createRegistration(dev.attentionkit.notebook.HtmlDisplay.class)
    .preferring(MIMEType.TEXT_HTML).supporting(MIMEType.TEXT_HTML, MIMEType.TEXT_PLAIN)
    .register((value, context) -> {
        context.renderIfRequested(MIMEType.TEXT_HTML, value::toHtml);
        context.renderIfRequested(MIMEType.TEXT_PLAIN, value::toString);
    });

kernel().getRenderer().createRegistration(dev.attentionkit.notebook.ImageDisplay.class)
    .preferring(Image.PNG).supporting(Image.PNG)
    .register((value, context) -> Image.renderImage(value.toImage(), context));

kernel().getRenderer().createRegistration(org.knowm.xchart.internal.chartpart.Chart.class)
    .preferring(Image.PNG).supporting(Image.PNG)
    .register((chart, context) -> Image.renderImage(org.knowm.xchart.BitmapEncoder.getBufferedImage(chart), context));

kernel().getRenderer().createRegistration(org.nd4j.linalg.api.ndarray.INDArray.class)
    .preferring(MIMEType.TEXT_HTML).supporting(MIMEType.TEXT_HTML, MIMEType.TEXT_PLAIN)
    .register((array, context) -> {
        context.renderIfRequested(MIMEType.TEXT_HTML, () -> dev.attentionkit.viz.DefaultDisplay.html(array));
        context.renderIfRequested(MIMEType.TEXT_PLAIN, () -> dev.attentionkit.viz.DefaultDisplay.text(array));
    });

// Progress lines of long-running cells update in place instead of printing a line per step.
dev.attentionkit.notebook.Progress.useDisplay(
    html -> display(html, "text/html"),
    (id, html) -> updateDisplay(id, html, "text/html"));

// Tablesaw tables as HTML tables (the first 50 rows) rather than fixed-width text.
kernel().getRenderer().createRegistration(tech.tablesaw.table.Relation.class)
    .preferring(MIMEType.TEXT_HTML).supporting(MIMEType.TEXT_HTML, MIMEType.TEXT_PLAIN)
    .register((table, context) -> {
        context.renderIfRequested(MIMEType.TEXT_HTML, () -> dev.attentionkit.viz.DefaultDisplay.html(table, 50));
        context.renderIfRequested(MIMEType.TEXT_PLAIN, table::toString);
    });
