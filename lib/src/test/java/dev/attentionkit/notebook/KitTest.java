package dev.attentionkit.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jshell.JShell;
import jdk.jshell.SnippetEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * ND4J inside a JShell-based kernel. JJava runs cells in JShell, whose classes come from a class loader
 * of its own; ND4J looks its backend up through the thread's context class loader, so when that loader
 * cannot see the class path the backend is "not found". These tests run a real JShell with the library
 * on its class path, in a fresh JVM each, as the kernel does.
 */
@DisplayName("ND4J's backend loads inside JShell")
class KitTest {
    private static final String FOREIGN_CONTEXT_LOADER =
        "Thread.currentThread().setContextClassLoader(new java.net.URLClassLoader(new java.net.URL[0], null));";

    private JShell shell;

    @BeforeEach
    void startShell() throws IOException {
        shell = JShell.builder().out(new PrintStream(new ByteArrayOutputStream())).err(new PrintStream(new ByteArrayOutputStream()))
            .remoteVMOptions("-Xmx1g").build();
        shell.addToClasspath(Path.of("target/classes").toAbsolutePath().toString());
        for (String entry : Files.readString(Path.of("target/runtime-classpath.txt")).trim().split(java.io.File.pathSeparator)) {
            shell.addToClasspath(entry);
        }
    }

    @AfterEach
    void close() {
        shell.close();
    }

    @Test
    @DisplayName("Kit.init() finds the CPU backend even when the context class loader cannot see ND4J")
    void initWorksWithAForeignContextLoader() {
        eval(FOREIGN_CONTEXT_LOADER);
        SnippetEvent init = eval("dev.attentionkit.notebook.Kit.init()");
        assertNull(init.exception(), () -> "Kit.init() threw " + init.exception());
        assertTrue(init.value().contains("CPU backend"), init.value());
        assertEquals("6.0", eval("org.nd4j.linalg.factory.Nd4j.create(new float[] {1, 2, 3}).sumNumber().doubleValue()").value());
    }

    @Test
    @DisplayName("without Kit.init() the same set-up fails: the failure mode the kit guards against")
    void withoutInitTheBackendIsNotFound() {
        eval(FOREIGN_CONTEXT_LOADER);
        SnippetEvent use = eval("org.nd4j.linalg.factory.Nd4j.create(new float[] {1, 2, 3})");
        assertNotNull(use.exception(), "expected ND4J to fail to find its backend");
    }

    private SnippetEvent eval(String code) {
        List<SnippetEvent> events = shell.eval(code);
        assertTrue(!events.isEmpty(), "JShell returned no event for: " + code);
        SnippetEvent event = events.get(0);
        assertTrue(shell.diagnostics(event.snippet()).findAny().isEmpty(),
            () -> "does not compile: " + code + shell.diagnostics(event.snippet()).map(d -> d.getMessage(null)).toList());
        return event;
    }
}
