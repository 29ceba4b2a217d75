package dev.attentionkit.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attentionkit.notebook.HtmlDisplay;
import dev.attentionkit.notebook.ImageDisplay;
import dev.attentionkit.notebook.VegaLiteDisplay;
import dev.attentionkit.viz.DefaultDisplay;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.dflib.jjava.jupyter.Extension;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.common.Image;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

/**
 * The kit's JJava extension, on JJava's own {@link Renderer} (the class the kernel renders every cell's value with):
 * each kit type comes out in the formats the start-up script used to give it, and the extension is listed where
 * JJava's {@link ServiceLoader} looks.
 */
@DisplayName("KitExtension: the kit's renderers inside JJava")
class KitExtensionTest {

    private static Renderer kitRenderer() {
        Renderer renderer = new Renderer();
        Renderers.register(renderer);
        return renderer;
    }

    @Test
    @DisplayName("HTML, PNG and Vega-Lite values render in their formats, with text beside them")
    void kitTypes() {
        Renderer renderer = kitRenderer();
        HtmlDisplay html = new HtmlDisplay() {
            @Override
            public String toHtml() {
                return "<table><tr><td>1</td></tr></table>";
            }

            @Override
            public String toString() {
                return "a table";
            }
        };
        DisplayData shown = renderer.render(html);
        assertEquals(html.toHtml(), shown.getData(MIMEType.TEXT_HTML));
        assertEquals("a table", shown.getData(MIMEType.TEXT_PLAIN));

        ImageDisplay picture = () -> new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        assertTrue(renderer.render(picture).hasDataForType(Image.PNG), "an ImageDisplay renders as PNG");

        VegaLiteDisplay view = new VegaLiteDisplay() {
            @Override
            public Map<String, Object> toVegaLite() {
                return Map.of("mark", "rect");
            }

            @Override
            public String toJson() {
                return "{\"mark\": \"rect\"}";
            }

            @Override
            public BufferedImage toImage() {
                return new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
            }
        };
        DisplayData both = renderer.render(view);
        assertEquals(Map.of("mark", "rect"), both.getData(MIMEType.parse(VegaLiteDisplay.MIME_TYPE)));
        assertTrue(both.hasDataForType(Image.PNG), "a Vega-Lite view comes with a PNG for viewers without Vega");
    }

    @Test
    @DisplayName("arrays and Tablesaw tables render as the kit's HTML tables")
    void arraysAndTables() {
        Renderer renderer = kitRenderer();
        var array = Nd4j.createFromArray(new float[][] {{1, 2}, {3, 4}});
        DisplayData shown = renderer.render(array);
        assertEquals(DefaultDisplay.html(array), shown.getData(MIMEType.TEXT_HTML));
        assertEquals(DefaultDisplay.text(array), shown.getData(MIMEType.TEXT_PLAIN));

        Table table = Table.create("t", IntColumn.create("n", 1, 2, 3));
        assertEquals(DefaultDisplay.html(table, Renderers.TABLE_ROWS), renderer.render(table).getData(MIMEType.TEXT_HTML));
        assertFalse(new Renderer().render(table).hasDataForType(MIMEType.TEXT_HTML), "without the kit: text only");
    }

    @Test
    @DisplayName("JJava's ServiceLoader finds the extension in the library's jar")
    void listedForServiceLoader() {
        List<String> found = ServiceLoader.load(Extension.class).stream().map(p -> p.type().getName()).toList();
        assertTrue(found.contains(KitExtension.class.getName()), "ServiceLoader found " + found);
    }

    @Test
    @DisplayName("the kernel ends at once when the server named in JPY_PARENT_PID is no longer its parent")
    void serverGone() {
        Optional<ProcessHandle> parent = ProcessHandle.current().parent();
        String parentPid = parent.map(p -> String.valueOf(p.pid())).orElseThrow();
        assertFalse(ServerWatch.serverGone(parentPid, parent), "started by the named server");
        assertFalse(ServerWatch.serverGone(" " + parentPid + "\n", parent), "whitespace around the pid");
        assertFalse(ServerWatch.serverGone(null, parent), "not started by Jupyter");
        assertFalse(ServerWatch.serverGone("", parent), "not started by Jupyter");
        assertTrue(ServerWatch.serverGone(String.valueOf(ProcessHandle.current().pid()), parent), "another process named");
        assertTrue(ServerWatch.serverGone(parentPid, Optional.empty()), "no parent left");
    }
}
