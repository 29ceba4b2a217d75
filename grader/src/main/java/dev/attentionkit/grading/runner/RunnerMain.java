package dev.attentionkit.grading.runner;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.engine.JupiterTestEngine;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.PostDiscoveryFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.engine.FilterResult;

/**
 * Runs graded tests inside the (untrusted) test JVM and reports each result to the grader as
 * an authenticated frame on the original stdout.
 *
 * <p>Protocol: stdin carries the hex HMAC key on the first line, then one {@code Class#method}
 * per line. The key is read before any test or student class is loaded and lives only in this
 * method's locals and the listener; {@code System.out}/{@code err} are redirected to per-test
 * capped buffers, so ordinary printing by student code never reaches the grader's channel.
 */
public final class RunnerMain {
    /** Bytes of printed output kept per test. */
    private static final int OUTPUT_LIMIT = 16 * 1024;

    private RunnerMain() {
    }

    /** Entry point of the test JVM. */
    public static void main(String[] args) throws IOException {
        OutputStream channel = new FileOutputStream(FileDescriptor.out);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String keyLine = in.readLine();
        if (keyLine == null) {
            System.err.println("RunnerMain: expected the key on stdin");
            Runtime.getRuntime().halt(2);
        }
        Frames frames = new Frames(HexFormat.of().parseHex(keyLine.trim()));
        Set<String> wanted = new LinkedHashSet<>();
        for (String line = in.readLine(); line != null && !line.isBlank(); line = in.readLine()) {
            wanted.add(line.trim());
        }
        // Judge mode: the submission's classes are not here but in a sandboxed JVM, started with this command.
        List<String> host = new ArrayList<>();
        String heap = "?";
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            if (line.startsWith("host ")) {
                host.add(line.substring(5));
            } else if (line.startsWith("heap ")) {
                heap = line.substring(5);
            }
        }
        if (!host.isEmpty()) {
            Remote.configure(host, heap);
        }
        CappedBuffer capture = new CappedBuffer(OUTPUT_LIMIT);
        PrintStream captured = new PrintStream(capture, true, StandardCharsets.UTF_8);
        System.setOut(captured);
        System.setErr(captured);
        System.setIn(new ByteArrayInputStream(new byte[0]));

        Listener listener = new Listener(frames, channel, capture, wanted);
        Set<String> classes = new LinkedHashSet<>();
        for (String id : wanted) {
            classes.add(id.substring(0, id.indexOf('#')));
        }
        List<DiscoverySelector> selectors = new ArrayList<>();
        for (String className : classes) {
            try {
                // Loading without initialising surfaces missing student classes as a clear class-level failure.
                Class.forName(className, false, RunnerMain.class.getClassLoader());
                selectors.add(selectClass(className));
            } catch (ClassNotFoundException | LinkageError e) {
                listener.send("CLASSFAIL", className, "test class could not be loaded: " + e, "", "");
            }
        }
        if (!selectors.isEmpty()) {
            PostDiscoveryFilter onlyWanted = descriptor -> descriptor.getSource()
                    .filter(MethodSource.class::isInstance)
                    .map(MethodSource.class::cast)
                    .map(m -> wanted.contains(m.getClassName() + "#" + m.getMethodName())
                            ? FilterResult.included("graded") : FilterResult.excluded("not graded"))
                    .orElse(FilterResult.included("container"));
            LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectors)
                    .filters(onlyWanted)
                    .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "false")
                    .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
                    .build();
            // No service-loader auto-registration: nothing on the class path can add listeners or engines.
            LauncherConfig config = LauncherConfig.builder()
                    .enableTestEngineAutoRegistration(false)
                    .enableLauncherSessionListenerAutoRegistration(false)
                    .enableLauncherDiscoveryListenerAutoRegistration(false)
                    .enablePostDiscoveryFilterAutoRegistration(false)
                    .enableTestExecutionListenerAutoRegistration(false)
                    .addTestEngines(new JupiterTestEngine())
                    .build();
            Launcher launcher = LauncherFactory.create(config);
            launcher.execute(request, listener);
        }
        listener.send("DONE");
        // Halt, not exit: lingering student threads or shutdown hooks must not keep the JVM alive.
        Runtime.getRuntime().halt(0);
    }

    /** Turns JUnit events for graded methods into frames. */
    private static final class Listener implements TestExecutionListener {
        private final Frames frames;
        private final OutputStream channel;
        private final CappedBuffer capture;
        private final Set<String> wanted;
        private long seq;
        private String currentKey;
        private String currentId;
        private Throwable failure;
        private String failureStatus;

        Listener(Frames frames, OutputStream channel, CappedBuffer capture, Set<String> wanted) {
            this.frames = frames;
            this.channel = channel;
            this.capture = capture;
            this.wanted = wanted;
        }

        synchronized void send(String... fields) {
            String line = "\n" + frames.encode(seq++, List.of(fields)) + "\n";
            try {
                channel.write(line.getBytes(StandardCharsets.UTF_8));
                channel.flush();
            } catch (IOException e) {
                Runtime.getRuntime().halt(3);
            }
        }

        private Optional<String> key(TestIdentifier id) {
            return id.getSource()
                    .filter(MethodSource.class::isInstance)
                    .map(MethodSource.class::cast)
                    .map(m -> m.getClassName() + "#" + m.getMethodName())
                    .filter(wanted::contains);
        }

        @Override
        public synchronized void executionStarted(TestIdentifier id) {
            if (currentKey == null && id.getSource().filter(ClassSource.class::isInstance).isPresent()) {
                // Lets the grader time and blame class set-up (static initialisers, @BeforeAll).
                send("CLASSSTART", ((ClassSource) id.getSource().get()).getClassName());
                return;
            }
            Optional<String> key = key(id);
            if (key.isPresent() && currentKey == null) {
                currentKey = key.get();
                currentId = id.getUniqueId();
                failure = null;
                failureStatus = null;
                capture.drain();
                send("START", currentKey);
            }
        }

        @Override
        public synchronized void executionSkipped(TestIdentifier id, String reason) {
            Optional<String> key = key(id);
            if (key.isPresent() && currentKey == null) {
                send("RESULT", key.get(), "FAILED", "test was skipped: " + reason, "", "");
            } else if (id.getSource().filter(ClassSource.class::isInstance).isPresent()) {
                send("CLASSFAIL", ((ClassSource) id.getSource().get()).getClassName(),
                        "test class was skipped: " + reason, "", "");
            }
        }

        @Override
        public synchronized void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (currentKey != null && result.getStatus() != TestExecutionResult.Status.SUCCESSFUL && failure == null) {
                failure = result.getThrowable().orElse(null);
                failureStatus = result.getStatus().name();
                if (failure == null) {
                    failure = new AssertionError(failureStatus);
                }
            }
            if (currentKey != null && id.getUniqueId().equals(currentId)) {
                String output = capture.drain();
                if (failure == null) {
                    send("RESULT", currentKey, "PASSED", "", output, "");
                } else {
                    String prefix = "ABORTED".equals(failureStatus) ? "aborted: " : "";
                    send("RESULT", currentKey, "FAILED", prefix + Failures.describe(failure, currentKey),
                            output, Failures.trace(failure));
                }
                currentKey = null;
                currentId = null;
            } else if (currentKey == null && id.getSource().filter(ClassSource.class::isInstance).isPresent()) {
                String className = ((ClassSource) id.getSource().get()).getClassName();
                if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                    Throwable t = result.getThrowable().orElse(new AssertionError(result.getStatus().name()));
                    send("CLASSFAIL", className, Failures.describe(t, className + "#"), capture.drain(), Failures.trace(t));
                }
                send("CLASSEND", className);
            }
        }
    }
}
