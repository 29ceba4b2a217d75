package dev.attentionkit.grading.runner;

import java.io.BufferedReader;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * javac in a process of its own, run by the grader inside the sandbox with a time and memory
 * limit: a submission that keeps javac busy (or crashes it) costs only its own compile step.
 * Annotation processing is off, and only the sources named are compiled: nothing is looked up
 * on a source path, so a class on the class path can never stand in for a graded source.
 *
 * <p>Reads its job from stdin, one {@code key value} per line: {@code mode lenient|tests},
 * {@code out DIR}, {@code cp ENTRY}..., {@code src FILE}... and, for tests, {@code helper FILE}...
 * (compiled with every test file). Writes a zip to stdout: {@code classes/...} and one
 * {@code errors/N} entry per file left out ({@code FILE\nmessage}).
 *
 * <p>{@code lenient} (the submission): files with errors are left out, repeatedly, so the rest
 * still earns points. {@code tests} (the graded tests): all together, else each test file with
 * the helpers; a test file that does not compile is left out.
 */
public final class CompileMain {
    private CompileMain() {
    }

    /** Entry point; see the class comment. */
    public static void main(String[] args) throws IOException {
        OutputStream stdout = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out));
        String mode = "lenient";
        Path out = null;
        List<String> cp = new ArrayList<>();
        List<Path> sources = new ArrayList<>();
        List<Path> helpers = new ArrayList<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            int sp = line.indexOf(' ');
            if (sp < 0) {
                continue;
            }
            String k = line.substring(0, sp);
            String v = line.substring(sp + 1);
            switch (k) {
                case "mode" -> mode = v;
                case "out" -> out = Path.of(v);
                case "cp" -> cp.add(v);
                case "src" -> sources.add(Path.of(v));
                case "helper" -> helpers.add(Path.of(v));
                default -> { }
            }
        }
        if (out == null) {
            System.err.println("CompileMain: no 'out' folder given");
            System.exit(2);
        }
        Path empty = Files.createDirectories(out.resolveSibling("empty-sourcepath"));
        Map<Path, String> failed = mode.equals("tests")
                ? tests(sources, helpers, cp, empty, out) : lenient(sources, cp, empty, out);
        try (ZipOutputStream z = new ZipOutputStream(stdout)) {
            if (Files.isDirectory(out)) {
                try (Stream<Path> s = Files.walk(out)) {
                    for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                        z.putNextEntry(new ZipEntry("classes/" + out.relativize(p).toString().replace('\\', '/')));
                        Files.copy(p, z);
                        z.closeEntry();
                    }
                }
            }
            int n = 0;
            for (Map.Entry<Path, String> e : failed.entrySet()) {
                z.putNextEntry(new ZipEntry("errors/" + n++));
                z.write((e.getKey() + "\n" + e.getValue()).getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        System.exit(0);
    }

    private static Map<Path, String> lenient(List<Path> sources, List<String> cp, Path empty, Path out) throws IOException {
        Map<Path, String> failed = new LinkedHashMap<>();
        List<Path> remaining = new ArrayList<>(sources);
        for (int round = 0; round < 5 && !remaining.isEmpty(); round++) {
            delete(out);
            Result r = compile(remaining, cp, empty, out);
            if (r.ok()) {
                return failed;
            }
            boolean removed = false;
            for (Map.Entry<Path, String> e : r.errors().entrySet()) {
                if (remaining.remove(e.getKey())) {
                    failed.putIfAbsent(e.getKey(), e.getValue());
                    removed = true;
                }
            }
            if (!removed) {
                failed.put(Path.of("javac"), String.join("\n", r.errors().values()));
                break;
            }
        }
        delete(out);
        if (!remaining.isEmpty()) {
            Result r = compile(remaining, cp, empty, out);
            if (!r.ok()) {
                r.errors().forEach(failed::putIfAbsent);
                delete(out);
            }
        }
        return failed;
    }

    private static Map<Path, String> tests(List<Path> tests, List<Path> helpers, List<String> cp, Path empty, Path out)
            throws IOException {
        List<Path> all = new ArrayList<>(helpers);
        all.addAll(tests);
        Map<Path, String> broken = new LinkedHashMap<>();
        if (compile(all, cp, empty, out).ok()) {
            return broken;
        }
        delete(out);
        for (Path t : tests) {
            List<Path> one = new ArrayList<>(helpers);
            one.add(t);
            Path scratch = out.resolveSibling("one");
            delete(scratch);
            Result r = compile(one, cp, empty, scratch);
            if (r.ok()) {
                copyTree(scratch, out);
            } else {
                String own = r.errors().get(t);
                broken.put(t, own != null ? own : String.join("\n", r.errors().values()));
            }
        }
        return broken;
    }

    private record Result(boolean ok, Map<Path, String> errors) {
    }

    private static Result compile(List<Path> sources, List<String> cp, Path sourcePath, Path out) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            System.err.println("CompileMain: no Java compiler (a JRE, not a JDK?)");
            System.exit(2);
        }
        Files.createDirectories(out);
        DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diags, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of("-d", out.toString(), "-cp", String.join(java.io.File.pathSeparator, cp),
                    "-sourcepath", sourcePath.toString(), "-implicit:none", "-proc:none", "-encoding", "UTF-8",
                    "--release", "17", "-nowarn", "-Xmaxerrs", "30");
            StringWriter w = new StringWriter();
            boolean ok = javac.getTask(w, fm, diags, options, null, fm.getJavaFileObjectsFromPaths(sources)).call();
            Map<Path, String> errors = new LinkedHashMap<>();
            for (Diagnostic<? extends JavaFileObject> d : diags.getDiagnostics()) {
                if (d.getKind() != Diagnostic.Kind.ERROR) {
                    continue;
                }
                Path file = d.getSource() == null ? Path.of("javac") : Path.of(d.getSource().toUri());
                String text = file.getFileName() + ":" + d.getLineNumber() + ": error: " + d.getMessage(Locale.ROOT);
                errors.merge(file, text, (a, b) -> a + "\n" + b);
            }
            if (!ok && errors.isEmpty()) {
                errors.put(Path.of("javac"), w.toString().isBlank() ? "javac failed" : w.toString());
            }
            return new Result(ok, errors);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                Files.createDirectories(t.getParent());
                Files.copy(p, t, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
