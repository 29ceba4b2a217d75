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

// Interactive views as Vega-Lite (JupyterLab draws them, also in untrusted notebooks) with a PNG beside them for
// viewers without Vega (GitHub). The specification goes as a tree of maps and lists, so it reaches the notebook as
// a JSON object rather than as a string.
{
    MIMEType vegaLite = MIMEType.parse(dev.attentionkit.notebook.VegaLiteDisplay.MIME_TYPE);
    kernel().getRenderer().createRegistration(dev.attentionkit.notebook.VegaLiteDisplay.class)
        .preferring(vegaLite, Image.PNG).supporting(vegaLite, Image.PNG, MIMEType.TEXT_PLAIN)
        .register((value, context) -> {
            context.renderIfRequested(vegaLite, value::toVegaLite);
            if (context.wantsDataRenderedAs(Image.PNG)) {
                Image.renderImage(value.toImage(), context);
            }
            context.renderIfRequested(MIMEType.TEXT_PLAIN, value::toString);
        });
}

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
// JJava answers Interrupt before the cell's code stops and then drops what that code displays, so the line
// saying where training stopped would never arrive: each progress line keeps the reply channel of the cell
// that opened it (JJava's DisplayStream.env, read once by reflection) and sends its updates there. If a
// JJava release renames that field, updates go the ordinary way and only the last line can be lost.
{
    java.lang.reflect.Field replyField;
    try {
        replyField = org.dflib.jjava.jupyter.kernel.DisplayStream.class.getDeclaredField("env");
        replyField.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
        replyField = null;
    }
    final java.lang.reflect.Field cellReply = replyField;
    final java.util.Map<String, org.dflib.jjava.jupyter.channels.ShellReplyEnvironment> openedBy =
        java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(java.util.Map.Entry<String, org.dflib.jjava.jupyter.channels.ShellReplyEnvironment> eldest) {
                return size() > 256;
            }
        });
    dev.attentionkit.notebook.Progress.useDisplay(
        html -> {
            String id = display(html, "text/html");
            try {
                if (cellReply != null && cellReply.get(kernel().getIO().display) instanceof org.dflib.jjava.jupyter.channels.ShellReplyEnvironment reply) {
                    openedBy.put(id, reply);
                }
            } catch (IllegalAccessException e) {
                // keep the ordinary path for this line
            }
            return id;
        },
        (id, html) -> {
            org.dflib.jjava.jupyter.channels.ShellReplyEnvironment reply = openedBy.get(id);
            if (reply == null) {
                updateDisplay(id, html, "text/html");
                return;
            }
            org.dflib.jjava.jupyter.kernel.display.DisplayData data = new org.dflib.jjava.jupyter.kernel.display.DisplayData();
            data.putHTML(html);
            data.setDisplayId(id);
            reply.publish(new org.dflib.jjava.jupyter.messages.publish.PublishUpdateDisplayData(data));
        });
}

// Tablesaw tables as HTML tables (the first 50 rows) rather than fixed-width text.
kernel().getRenderer().createRegistration(tech.tablesaw.table.Relation.class)
    .preferring(MIMEType.TEXT_HTML).supporting(MIMEType.TEXT_HTML, MIMEType.TEXT_PLAIN)
    .register((table, context) -> {
        context.renderIfRequested(MIMEType.TEXT_HTML, () -> dev.attentionkit.viz.DefaultDisplay.html(table, 50));
        context.renderIfRequested(MIMEType.TEXT_PLAIN, table::toString);
    });

// The kernel ends with the process that started it (the Jupyter server: JupyterLab, or a learner's server on
// the hub). A server killed outright (SIGKILL, the OOM killer, a hub that stops waiting) cannot shut its
// kernels down, and a kernel left behind keeps its heap and ports. jupyter_client names the server in
// JPY_PARENT_PID: if this JVM's parent is no longer that process, the server ended while the kernel was still
// starting, and the kernel ends now; otherwise it ends when the server does (Java polls a parent that is not
// its own child every few seconds at most). tools/kernel_checks.py --only orphans checks both.
{
    String serverPid = System.getenv("JPY_PARENT_PID");
    java.util.Optional<ProcessHandle> parent = ProcessHandle.current().parent();
    if (serverPid != null && !serverPid.isBlank()
            && !parent.map(p -> String.valueOf(p.pid()).equals(serverPid.strip())).orElse(false)) {
        Runtime.getRuntime().halt(0);
    }
    parent.ifPresent(server -> server.onExit().thenRun(() -> Runtime.getRuntime().halt(0)));
}
