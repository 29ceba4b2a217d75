package dev.attentionkit.kernel;

import dev.attentionkit.notebook.Progress;
import java.lang.reflect.Field;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.dflib.jjava.jupyter.channels.ShellReplyEnvironment;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.DisplayStream;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.messages.publish.PublishUpdateDisplayData;

/**
 * Progress lines of long-running cells update in place instead of printing a line per step.
 *
 * <p>JJava answers Interrupt before the cell's code stops and then drops what that code displays, so the line saying
 * where training stopped would never arrive: each progress line keeps the reply channel of the cell that opened it
 * (JJava's {@code DisplayStream.env}, read once by reflection) and sends its updates there. If a JJava release renames
 * that field, updates go the ordinary way and only the last line can be lost.
 */
final class NotebookProgress {
    private static final int REMEMBERED = 256;
    /**
     * The display id, as transient data: {@code DisplayData.setDisplayId} returns void in the API the kit compiles
     * against (jjava-jupyter 1.0-a6) and {@code DisplayData} in the kernel (PyPI's 1.0a8), so calling it fails with
     * {@code NoSuchMethodError}; {@code putTransientData} is the same in both.
     */
    private static final String DISPLAY_ID = "display_id";

    private NotebookProgress() {}

    static void connect(BaseKernel kernel) {
        Field cellReply = replyField();
        Map<String, ShellReplyEnvironment> openedBy = Collections.synchronizedMap(new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, ShellReplyEnvironment> eldest) {
                return size() > REMEMBERED;
            }
        });
        Progress.useDisplay(
            html -> {
                DisplayData data = kernel.getRenderer().renderAs(html, "text/html");
                String id = UUID.randomUUID().toString();
                data.putTransientData(DISPLAY_ID, id);
                kernel.display(data);
                try {
                    if (cellReply != null && cellReply.get(kernel.getIO().display) instanceof ShellReplyEnvironment reply) {
                        openedBy.put(id, reply);
                    }
                } catch (IllegalAccessException e) {
                    // keep the ordinary path for this line
                }
                return id;
            },
            (id, html) -> {
                ShellReplyEnvironment reply = openedBy.get(id);
                if (reply == null) {
                    kernel.getIO().display.updateDisplay(id, kernel.getRenderer().renderAs(html, "text/html"));
                    return;
                }
                DisplayData data = new DisplayData();
                data.putHTML(html);
                data.putTransientData(DISPLAY_ID, id);
                reply.publish(new PublishUpdateDisplayData(data));
            });
    }

    private static Field replyField() {
        try {
            Field f = DisplayStream.class.getDeclaredField("env");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
