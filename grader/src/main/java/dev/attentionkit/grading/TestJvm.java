package dev.attentionkit.grading;

import dev.attentionkit.grading.runner.Frames;
import dev.attentionkit.grading.runner.HostMain;
import dev.attentionkit.grading.runner.RunnerMain;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs graded tests in separate, disposable JVMs and turns what it observes into outcomes.
 *
 * <p>The grader trusts only authenticated frames (see {@link Frames}) and its own clock. A test
 * that never reports — because the JVM hung, was killed, ran out of memory or exited — fails
 * with the reason observed here; the remaining tests then run in a fresh JVM, so one bad test
 * never costs the others their points.
 */
final class TestJvm {
    private static final int LINE_LIMIT = 1 << 20;
    private static final int STRAY_LIMIT = 8 * 1024;
    private static final Object EOF = new Object();

    private final RuntimeCache runtime;
    private final List<Path> classDirs;
    private final Path workDir;
    private final Limits limits;
    private final long deadline;
    private Sandbox.Mode mode = Sandbox.Mode.NONE;
    private Path proxies;
    private long seed;

    /**
     * Test JVMs on {@code runtime}'s read-only class path followed by {@code classDirs} (graded
     * tests, then the submission), in work area {@code workDir}, ending by {@code deadline}
     * (System.nanoTime()).
     */
    TestJvm(RuntimeCache runtime, List<Path> classDirs, Path workDir, Limits limits, long deadline) {
        this.runtime = runtime;
        this.classDirs = classDirs;
        this.workDir = workDir;
        this.limits = limits;
        this.deadline = deadline;
    }

    /**
     * This runner as a judge: the graded tests run in a JVM outside the sandbox that holds the
     * proxies in {@code proxyDir} instead of the submission's classes (the last of the class
     * folders), and every call to the submission goes to a sandboxed JVM ({@code HostMain}).
     */
    TestJvm judging(Path proxyDir) {
        this.proxies = proxyDir;
        return this;
    }

    /** This runner, handing {@code s} to the graded tests as their run seed (see {@link GradedSeed}). */
    TestJvm seed(long s) {
        this.seed = s;
        return this;
    }

    /** Runs {@code tests}, returning an outcome for every one of them. */
    Map<String, TestOutcome> run(List<GradedTest> tests) {
        Map<String, GradedTest> pending = new LinkedHashMap<>();
        tests.forEach(t -> pending.put(t.key(), t));
        Map<String, TestOutcome> done = new LinkedHashMap<>();
        while (!pending.isEmpty()) {
            if (System.nanoTime() > deadline) {
                for (GradedTest t : pending.values()) {
                    done.put(t.key(), TestOutcome.fail(t, "not run: grading time limit of "
                            + limits.totalTimeout().toSeconds() + " s used up by earlier tests", ""));
                }
                break;
            }
            int before = done.size();
            launch(pending, done, deadline);
            done.keySet().forEach(pending::remove);
            if (done.size() == before) {
                // No progress at all: fail the rest rather than loop forever.
                for (GradedTest t : pending.values()) {
                    done.put(t.key(), TestOutcome.fail(t, "test JVM failed before running any test", ""));
                }
                pending.clear();
            }
        }
        return done;
    }

    private void launch(Map<String, GradedTest> pending, Map<String, TestOutcome> done, long deadline) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Frames frames = new Frames(key);
        Process process;
        try {
            Sandbox.Jail jail = Sandbox.jail(limits, workDir.resolve("run"));
            jail.prepare();
            mode = jail.mode();
            ProcessBuilder pb;
            if (proxies == null) {
                pb = new ProcessBuilder(jail.command(command(jail))).directory(jail.hostDir().toFile());
            } else {
                hostCommand = jail.command(hostCommand(jail));
                Path judgeDir = Files.createDirectories(workDir.resolve("judge"));
                pb = new ProcessBuilder(judgeCommand(judgeDir)).directory(judgeDir.toFile());
            }
            Map<String, String> env = pb.environment();
            String blasCore = env.get("OPENBLAS_CORETYPE"); // the BLAS kernel for this CPU (tools/blas-env.sh)
            env.clear(); // nothing of the grader's environment (tokens, paths) leaks into the tests
            env.put("PATH", "/usr/bin:/bin");
            if (blasCore != null) {
                env.put("OPENBLAS_CORETYPE", blasCore);
            }
            env.put("HOME", proxies == null ? jail.work() : workDir.resolve("judge").toString());
            env.put("LANG", "C.UTF-8");
            process = pb.start();
        } catch (IOException e) {
            throw new GradingException("Could not start the test JVM: " + e.getMessage(), e);
        }
        BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        ByteArrayOutputStream stray = new ByteArrayOutputStream();
        Thread reader = daemon(() -> readFrames(process.getInputStream(), frames, queue, stray));
        CappedSink stderr = new CappedSink(16 * 1024);
        Thread errReader = daemon(() -> drain(process.getErrorStream(), stderr));
        try (OutputStream stdin = process.getOutputStream()) {
            StringBuilder input = new StringBuilder(HexFormat.of().formatHex(key)).append('\n');
            pending.keySet().forEach(k -> input.append(k).append('\n'));
            if (proxies != null) {
                input.append('\n');
                hostCommand.forEach(a -> input.append("host ").append(a).append('\n'));
                input.append("heap ").append(limits.heap()).append('\n');
            }
            stdin.write(input.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // The JVM died at once; handled below like any other early exit.
        }

        String current = null;
        long currentStart = 0;
        String currentClass = null;
        long classStart = 0;
        boolean finished = false;
        String killedFor = null;
        long exitSeenAt = 0;
        while (true) {
            Object item;
            try {
                item = queue.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill(process);
                killedFor = "grading was interrupted";
                break;
            }
            if (item == EOF) {
                break;
            }
            if (item instanceof List<?> f) {
                List<String> fields = f.stream().map(String::valueOf).toList();
                switch (fields.get(0)) {
                    case "CLASSSTART" -> {
                        currentClass = fields.get(1);
                        classStart = System.nanoTime();
                    }
                    case "CLASSEND" -> currentClass = null;
                    case "START" -> {
                        current = fields.get(1);
                        currentStart = System.nanoTime();
                    }
                    case "RESULT" -> {
                        GradedTest t = pending.get(fields.get(1));
                        if (t != null && !done.containsKey(t.key())) {
                            String printed = Text.cap(fields.get(4), 16_000);
                            String output = printed.isBlank() ? fields.get(5)
                                    : fields.get(5).isEmpty() ? printed : printed + "\n" + fields.get(5);
                            done.put(t.key(), "PASSED".equals(fields.get(2)) ? TestOutcome.pass(t, fields.get(4))
                                    : TestOutcome.fail(t, fields.get(3), output));
                        }
                        current = null;
                    }
                    case "CLASSFAIL" -> {
                        for (GradedTest t : pending.values()) {
                            if (t.className().equals(fields.get(1)) && !done.containsKey(t.key())) {
                                done.put(t.key(), TestOutcome.fail(t, fields.get(2), fields.get(3) + fields.get(4)));
                            }
                        }
                    }
                    case "DONE" -> finished = true;
                    default -> { }
                }
                continue;
            }
            long now = System.nanoTime();
            if (current != null && now - currentStart > limits.testTimeout().toNanos()) {
                killedFor = "timed out after " + limits.testTimeout().toSeconds() + " s (an endless loop? too slow?)";
                kill(process);
                break;
            }
            if (current == null && currentClass != null && now - classStart > 2 * limits.testTimeout().toNanos()) {
                killedFor = "test class set-up timed out after " + 2 * limits.testTimeout().toSeconds()
                        + " s (static initialiser or @BeforeAll)";
                kill(process);
                break;
            }
            if (now > deadline) {
                killedFor = "timed out: the grading time limit of " + limits.totalTimeout().toSeconds() + " s ran out";
                kill(process);
                break;
            }
            if (!process.isAlive()) {
                // Stdout may stay open if the tests left a process holding it; don't wait for it long.
                if (exitSeenAt == 0) {
                    exitSeenAt = now;
                } else if (now - exitSeenAt > TimeUnit.SECONDS.toNanos(2)) {
                    break;
                }
            }
        }
        try {
            process.waitFor(5, TimeUnit.SECONDS);
            errReader.join(1000);
            reader.join(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kill(process);
        if (finished) {
            for (GradedTest t : pending.values()) {
                done.putIfAbsent(t.key(), TestOutcome.fail(t,
                        "not run: JUnit did not find this test (is the method a @Test?)", ""));
            }
            return;
        }
        String why = killedFor != null ? killedFor
                : exitReason(process, stderr.text() + "\n" + stray.toString(StandardCharsets.UTF_8));
        String evidence = "test JVM stderr:\n" + Text.cap(stderr.text(), 4000)
                + (stray.size() > 0 ? "\nunframed stdout:\n" + stray.toString(StandardCharsets.UTF_8) : "");
        if (current != null && pending.containsKey(current)) {
            GradedTest t = pending.get(current);
            done.putIfAbsent(current, TestOutcome.fail(t, why, evidence));
        } else if (currentClass != null) {
            // Died while setting up a test class: its tests cannot run; the other classes get a fresh JVM.
            for (GradedTest t : pending.values()) {
                if (t.className().equals(currentClass)) {
                    done.putIfAbsent(t.key(), TestOutcome.fail(t,
                            killedFor != null ? why : "test class set-up failed: " + why, evidence));
                }
            }
        } else if (killedFor != null) {
            for (GradedTest t : pending.values()) {
                done.putIfAbsent(t.key(), TestOutcome.fail(t, why, evidence));
            }
        } else if (done.keySet().stream().noneMatch(pending::containsKey)) {
            for (GradedTest t : pending.values()) {
                done.putIfAbsent(t.key(), TestOutcome.fail(t, "test JVM stopped before any test ran: " + why, evidence));
            }
        }
    }

    private List<String> hostCommand = List.of();

    /**
     * The sandboxed JVM that hosts the submission for a judge: the kit's class path and the submission, no tests, and
     * not the tests' fixtures (testkit): the submission has no use for them, and a call to their references fails there
     * even where the bytecode rules are off.
     */
    private List<String> hostCommand(Sandbox.Jail jail) {
        String cpDir = jail.readOnly(runtime.dir().resolve("cp"), "cp");
        List<String> cp = new ArrayList<>();
        for (Path e : runtime.entries()) {
            if (!ReferenceCheck.fixtureNames(List.of(e)).isEmpty()) {
                continue;
            }
            cp.add(cpDir + "/" + runtime.dir().resolve("cp").relativize(e));
        }
        cp.add(jail.readOnly(classDirs.get(classDirs.size() - 1), "classes"));
        String natives = jail.nativeCache(runtime.natives());
        List<String> cmd = new ArrayList<>(jvmOptions(jail.work()));
        if (natives != null) {
            cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + natives);
        }
        cmd.addAll(List.of("-cp", String.join(File.pathSeparator, cp), HostMain.class.getName()));
        return cmd;
    }

    /** The trusted JVM that runs the graded tests against proxies: outside the sandbox, holding no submitted code. */
    private List<String> judgeCommand(Path dir) {
        List<String> cp = new ArrayList<>();
        runtime.entries().forEach(e -> cp.add(e.toString()));
        for (int i = 0; i < classDirs.size() - 1; i++) {
            cp.add(classDirs.get(i).toString());
        }
        cp.add(proxies.toString());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m", "-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-XX:+DisableAttachMechanism", "-XX:-UsePerfData", "-Xshare:auto", "-Djava.awt.headless=true",
                "-Djava.io.tmpdir=" + dir, "-Duser.home=" + dir, "-D" + GradedSeed.PROPERTY + "=" + seed));
        if (runtime.natives() != null) {
            cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + runtime.natives());
        }
        cmd.addAll(List.of("-cp", String.join(File.pathSeparator, cp), RunnerMain.class.getName()));
        return cmd;
    }

    private List<String> jvmOptions(String work) {
        return new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + limits.heap(), "-Xss" + limits.stack(),
                "-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-XX:+DisableAttachMechanism", "-XX:-UsePerfData", "-Xshare:auto",
                "-Djava.awt.headless=true", "-Djava.io.tmpdir=" + work, "-Duser.home=" + work,
                "-Dorg.bytedeco.javacpp.maxbytes=" + limits.heap(),
                "-Dorg.bytedeco.javacpp.maxphysicalbytes=0"));
    }

    private List<String> command(Sandbox.Jail jail) {
        String cpDir = jail.readOnly(runtime.dir().resolve("cp"), "cp");
        List<String> cp = new ArrayList<>();
        for (Path e : runtime.entries()) {
            cp.add(cpDir + "/" + runtime.dir().resolve("cp").relativize(e));
        }
        for (int i = 0; i < classDirs.size(); i++) {
            cp.add(jail.readOnly(classDirs.get(i), "classes-" + i));
        }
        String natives = jail.nativeCache(runtime.natives());
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xmx" + limits.heap(), "-Xss" + limits.stack(),
                "-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-XX:+DisableAttachMechanism", "-XX:-UsePerfData", "-Xshare:auto",
                "-Djava.awt.headless=true", "-Djava.io.tmpdir=" + jail.work(), "-Duser.home=" + jail.work(),
                "-Dorg.bytedeco.javacpp.maxbytes=" + limits.heap(),
                "-Dorg.bytedeco.javacpp.maxphysicalbytes=0",
                "-D" + GradedSeed.PROPERTY + "=" + seed));
        if (natives != null) {
            cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + natives);
        }
        cmd.addAll(List.of("-cp", String.join(File.pathSeparator, cp), RunnerMain.class.getName()));
        return cmd;
    }

    /** Why the JVM ended without reporting, from its exit status and what it printed (JVM messages, not test output). */
    private String exitReason(Process p, String printed) {
        if (printed.contains("Terminating due to java.lang.OutOfMemoryError")) {
            return "ran out of memory (heap limit " + limits.heap() + ")";
        }
        if (p.isAlive()) {
            return "test JVM stopped reporting";
        }
        int code = p.exitValue();
        if (code == 1 && mode != Sandbox.Mode.NONE && printed.contains("bwrap:")) {
            return "the grader's sandbox could not be set up (" + Text.firstLines(printed.substring(printed.indexOf("bwrap:")), 1)
                    + "); rerun with --no-sandbox and report this";
        }
        if (code >= 128) {
            return "test JVM was killed by signal " + (code - 128) + " (crash, or a resource limit)";
        }
        return "test JVM exited with status " + code + " during this test (System.exit?)";
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    private static Thread daemon(Runnable r) {
        Thread t = new Thread(r, "grader-io");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Reads stdout lines (each capped), passing on genuine frames in order and keeping a little of the rest. */
    private static void readFrames(InputStream in, Frames frames, BlockingQueue<Object> queue, ByteArrayOutputStream stray) {
        long seq = 0;
        try {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            boolean overflow = false;
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] != '\n') {
                        if (line.size() < LINE_LIMIT) {
                            line.write(buf[i]);
                        } else {
                            overflow = true;
                        }
                        continue;
                    }
                    String s = line.toString(StandardCharsets.UTF_8);
                    line.reset();
                    Optional<List<String>> f = overflow ? Optional.empty() : decode(frames, s, seq);
                    overflow = false;
                    if (f.isPresent()) {
                        seq++;
                        queue.add(f.get());
                    } else if (!s.isEmpty() && stray.size() < STRAY_LIMIT) {
                        byte[] b = (Text.cap(s, 200) + "\n").getBytes(StandardCharsets.UTF_8);
                        stray.write(b, 0, Math.min(b.length, STRAY_LIMIT - stray.size()));
                    }
                }
            }
        } catch (IOException e) {
            // Stream closed because the JVM was killed.
        } finally {
            queue.add(EOF);
        }
    }

    private static Optional<List<String>> decode(Frames frames, String line, long seq) {
        int at = line.lastIndexOf(Frames.PREFIX);
        return at < 0 ? Optional.empty() : frames.decode(line.substring(at), seq);
    }

    private static void drain(InputStream in, CappedSink sink) {
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                sink.write(buf, n);
            }
        } catch (IOException e) {
            // Stream closed because the JVM was killed.
        }
    }

    /** Keeps the first bytes written to it. */
    private static final class CappedSink {
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final int limit;
        private long dropped;

        CappedSink(int limit) {
            this.limit = limit;
        }

        synchronized void write(byte[] b, int n) {
            int room = Math.max(0, Math.min(n, limit - kept.size()));
            kept.write(b, 0, room);
            dropped += n - room;
        }

        synchronized String text() {
            return kept.toString(StandardCharsets.UTF_8) + (dropped > 0 ? "\n... [" + dropped + " more bytes]" : "");
        }
    }

    static void ensureDir(Path p) {
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
