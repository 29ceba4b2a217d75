package dev.attentionkit.grading;

import dev.attentionkit.grading.runner.CompileMain;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Compiles in a separate JVM ({@link CompileMain}) inside the sandbox, with a heap limit and a
 * deadline taken from the submission's total time budget. The sandbox sees the sources and the
 * class path read-only and writes only to its tmpfs; the classes come back as a zip on its
 * stdout, which the grader unpacks (bounded, no links, nothing outside the target folder).
 */
final class Compiler {
    /** javac never gets more than this, even when the total budget is larger. */
    static final long MAX_COMPILE_SECONDS = 120;
    private static final long MAX_OUTPUT_BYTES = 64L * 1024 * 1024;
    private static final int MAX_CLASSES = 20_000;
    private static final String HEAP = "768m";

    private Compiler() {
    }

    /** A compile job: sources and the folders holding them, as the grader sees them. */
    static final class Job {
        final String mode;
        final Map<String, Path> roots = new LinkedHashMap<>();
        final List<Path> sources = new ArrayList<>();
        final List<Path> helpers = new ArrayList<>();
        final List<Path> classDirs = new ArrayList<>();

        Job(String mode) {
            this.mode = mode;
        }
    }

    /**
     * Runs {@code job}, unpacking the classes into {@code outDir}; returns the error text per
     * source file that was left out (a failed or timed-out javac leaves out every file).
     */
    static Map<Path, String> run(Job job, RuntimeCache runtime, Limits limits, Path hostWork, Path outDir, long deadline) {
        Sandbox.Jail jail = Sandbox.jail(limits, hostWork);
        jail.prepare();
        String cpDir = jail.readOnly(runtime.dir().resolve("cp"), "cp");
        List<String> lines = new ArrayList<>();
        lines.add("mode " + job.mode);
        String out = jail.work() + "/out";
        lines.add("out " + out);
        for (Path e : runtime.entries()) {
            lines.add("cp " + cpDir + "/" + runtime.dir().resolve("cp").relativize(e));
        }
        int n = 0;
        for (Path d : job.classDirs) {
            lines.add("cp " + jail.readOnly(d, "classes-" + n++));
        }
        Map<String, Path> toHost = new LinkedHashMap<>();
        Map<Path, String> inside = new LinkedHashMap<>();
        for (Map.Entry<String, Path> r : job.roots.entrySet()) {
            String at = jail.readOnly(r.getValue(), r.getKey());
            inside.put(r.getValue(), at);
        }
        for (Path s : job.sources) {
            String p = insidePath(s, inside);
            toHost.put(p, s);
            lines.add("src " + p);
        }
        for (Path s : job.helpers) {
            String p = insidePath(s, inside);
            toHost.put(p, s);
            lines.add("helper " + p);
        }
        String runnerCp = String.join(File.pathSeparator, runtime.entries().stream()
                .map(e -> cpDir + "/" + runtime.dir().resolve("cp").relativize(e)).toList());
        List<String> argv = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + HEAP, "-Xss4m", "-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-XX:-UsePerfData", "-Djava.io.tmpdir=" + jail.work(), "-Duser.home=" + jail.work(),
                "-cp", runnerCp, CompileMain.class.getName());
        long seconds = Math.min(MAX_COMPILE_SECONDS, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime()));
        List<Path> all = new ArrayList<>(job.sources);
        if (seconds <= 0) {
            return everyFile(all, "not compiled: the grading time limit of " + limits.totalTimeout().toSeconds() + " s was used up");
        }
        byte[] zip;
        try {
            ProcessBuilder pb = new ProcessBuilder(jail.command(argv)).directory(jail.hostDir().toFile());
            pb.environment().clear();
            pb.environment().put("PATH", "/usr/bin:/bin");
            pb.environment().put("LANG", "C.UTF-8");
            pb.environment().put("HOME", jail.work());
            Process p = pb.start();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread errReader = new Thread(() -> readCapped(p.getErrorStream(), err, new boolean[1]), "compile-stderr");
            errReader.setDaemon(true);
            errReader.start();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            boolean[] overflow = {false};
            Thread reader = new Thread(() -> readCapped(p.getInputStream(), bytes, overflow), "compile-output");
            reader.setDaemon(true);
            reader.start();
            try (OutputStream stdin = p.getOutputStream()) {
                stdin.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // javac's JVM died at once: reported below from its exit status
            }
            boolean done = p.waitFor(seconds, TimeUnit.SECONDS);
            if (!done || overflow[0]) {
                kill(p);
                reader.join(2000);
                return everyFile(all, overflow[0] ? "not compiled: javac produced more than "
                        + MAX_OUTPUT_BYTES / (1024 * 1024) + " MB of classes"
                        : "not compiled: javac did not finish within " + seconds + " s"
                        + (seconds < MAX_COMPILE_SECONDS ? " (what was left of the grading time limit)" : ""));
            }
            reader.join(5000);
            kill(p);
            if (p.exitValue() != 0) {
                errReader.join(2000);
                String said;
                synchronized (err) {
                    said = Text.firstLines(err.toString(StandardCharsets.UTF_8).strip(), 3);
                }
                return everyFile(all, "not compiled: javac's JVM ended with status " + p.exitValue()
                        + (p.exitValue() == 3 ? " (out of memory: heap limit " + HEAP + ")" : "")
                        + (said.isEmpty() ? "" : ": " + said));
            }
            zip = bytes.toByteArray();
        } catch (IOException e) {
            throw new GradingException("Could not start javac: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return everyFile(all, "not compiled: grading was interrupted");
        }
        return unpack(zip, outDir, toHost);
    }

    private static String insidePath(Path source, Map<Path, String> roots) {
        for (Map.Entry<Path, String> r : roots.entrySet()) {
            if (source.startsWith(r.getKey())) {
                return r.getValue() + "/" + r.getKey().relativize(source).toString().replace('\\', '/');
            }
        }
        throw new IllegalArgumentException(source + " is under none of " + roots.keySet());
    }

    private static Map<Path, String> everyFile(List<Path> files, String why) {
        Map<Path, String> m = new LinkedHashMap<>();
        files.forEach(f -> m.put(f, f.getFileName() + ": " + why));
        if (m.isEmpty()) {
            m.put(Path.of("javac"), why);
        }
        return m;
    }

    /** Unpacks classes (bounded, only .class files inside {@code outDir}) and the error entries. */
    private static Map<Path, String> unpack(byte[] zip, Path outDir, Map<String, Path> toHost) {
        Map<Path, String> errors = new LinkedHashMap<>();
        Path root = outDir.toAbsolutePath().normalize();
        int classes = 0;
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            Files.createDirectories(root);
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                String name = e.getName();
                if (name.startsWith("errors/")) {
                    String text = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
                    int nl = text.indexOf('\n');
                    String file = nl < 0 ? text : text.substring(0, nl);
                    errors.merge(toHost.getOrDefault(file, Path.of("javac")), nl < 0 ? "" : text.substring(nl + 1),
                            (a, b) -> a + "\n" + b);
                } else if (name.startsWith("classes/") && name.endsWith(".class") && !e.isDirectory()) {
                    Path target = root.resolve(name.substring("classes/".length())).normalize();
                    if (!target.startsWith(root) || ++classes > MAX_CLASSES) {
                        continue;
                    }
                    Files.createDirectories(target.getParent());
                    Files.write(target, in.readAllBytes());
                }
            }
        } catch (IOException e) {
            errors.put(Path.of("javac"), "javac's output could not be read: " + e.getMessage());
        }
        return errors;
    }

    private static void readCapped(InputStream in, ByteArrayOutputStream out, boolean[] overflow) {
        byte[] buf = new byte[65536];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                if (out.size() + n > MAX_OUTPUT_BYTES) {
                    overflow[0] = true;
                    return;
                }
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            // killed
        }
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /** Every .java file under {@code root}, sorted; none when it does not exist. */
    static List<Path> javaFiles(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && p.toString().endsWith(".java"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not list " + root, e);
        }
    }

    /**
     * Deletes {@code dir} as far as it can (best effort: an undeletable file, e.g. {@code chattr
     * +i}, is left behind); returns what could not be deleted, never throws.
     */
    static List<Path> deleteTree(Path dir) {
        List<Path> left = new ArrayList<>();
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return left;
        }
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    left.add(p);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            left.add(dir);
        }
        return left;
    }
}
