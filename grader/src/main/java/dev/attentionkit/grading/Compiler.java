package dev.attentionkit.grading;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/** In-process javac. Annotation processing is off, so compiling never runs submitted code. */
final class Compiler {
    private Compiler() {
    }

    /**
     * Outcome of one javac run.
     *
     * @param ok     whether everything compiled
     * @param errors error text per source file that had errors, in file order
     */
    record Result(boolean ok, Map<Path, String> errors) {
        /** All error text. */
        String log() {
            return String.join("\n", errors.values());
        }
    }

    /** Compiles {@code sources} into {@code outDir} against {@code classPath}. */
    static Result compile(List<Path> sources, List<Path> classPath, Path outDir) {
        return compile(sources, classPath, List.of(outDir.getParent()), false, outDir);
    }

    /**
     * Compiles {@code sources} into {@code outDir} against {@code classPath}, looking up other
     * sources only in {@code sourcePath} (never on the class path); {@code implicit} also emits
     * classes for sources found there.
     */
    static Result compile(List<Path> sources, List<Path> classPath, List<Path> sourcePath, boolean implicit, Path outDir) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new GradingException("No Java compiler: run the grader on a JDK (java.home=" + System.getProperty("java.home") + ")");
        }
        DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diags, Locale.ROOT, StandardCharsets.UTF_8)) {
            Files.createDirectories(outDir);
            List<String> options = List.of("-d", outDir.toString(),
                    "-cp", classPath.stream().map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator)),
                    "-sourcepath", sourcePath.stream().map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator)),
                    "-proc:none", implicit ? "-implicit:class" : "-implicit:none", "-encoding", "UTF-8", "--release", "17", "-nowarn", "-Xmaxerrs", "30");
            StringWriter out = new StringWriter();
            boolean ok = javac.getTask(out, fm, diags, options, null, fm.getJavaFileObjectsFromPaths(sources)).call();
            Map<Path, String> errors = new LinkedHashMap<>();
            for (Diagnostic<? extends JavaFileObject> d : diags.getDiagnostics()) {
                if (d.getKind() != Diagnostic.Kind.ERROR) {
                    continue;
                }
                Path file = d.getSource() == null ? Path.of("javac") : Path.of(d.getSource().toUri());
                String name = file.getFileName().toString();
                String text = name + ":" + d.getLineNumber() + ": error: " + d.getMessage(Locale.ROOT);
                errors.merge(file, text, (a, b) -> a + "\n" + b);
            }
            if (!ok && errors.isEmpty()) {
                errors.put(Path.of("javac"), out.toString().isBlank() ? "javac failed" : out.toString());
            }
            return new Result(ok, errors);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Compiles the submission, leaving out files with errors (and files that then stop
     * compiling) so the rest can still be graded. Returns the errors of the files left out.
     */
    static Map<Path, String> compileLenient(List<Path> sources, List<Path> classPath, Path outDir) {
        Map<Path, String> failed = new LinkedHashMap<>();
        List<Path> remaining = new ArrayList<>(sources);
        for (int round = 0; round < 5 && !remaining.isEmpty(); round++) {
            deleteTree(outDir);
            Result r = compile(remaining, classPath, outDir);
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
                failed.put(Path.of("javac"), r.log());
                break;
            }
        }
        if (!remaining.isEmpty() && !failed.isEmpty()) {
            // Give up after a few rounds: grade what the last successful set can offer (nothing).
            deleteTree(outDir);
            Result r = compile(remaining, classPath, outDir);
            if (!r.ok()) {
                r.errors().forEach(failed::putIfAbsent);
                deleteTree(outDir);
            }
        }
        return failed;
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete " + dir, e);
        }
    }
}
