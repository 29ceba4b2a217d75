package dev.attentionkit.grading;

import com.sun.source.tree.AnnotationTree;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ParenthesizedTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.JavacTask;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Finds the graded tests by parsing the test sources (no compilation), so every test can be
 * listed with its points even when the submission or the test does not compile.
 */
final class TestDiscovery {
    private TestDiscovery() {
    }

    /** A parsed source file: its package and path. */
    record Parsed(Path file, String packageName, CompilationUnitTree tree) {
    }

    /** All {@code .java} files below {@code root}, sorted; empty if it does not exist. */
    static List<Path> javaFiles(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(".java") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses {@code files} (syntax only). */
    static List<Parsed> parse(List<Path> files) {
        if (files.isEmpty()) {
            return List.of();
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new GradingException("No Java compiler: the grader must run on a JDK, not a JRE (java.home="
                    + System.getProperty("java.home") + ")");
        }
        try (StandardJavaFileManager fm = javac.getStandardFileManager(d -> { }, null, java.nio.charset.StandardCharsets.UTF_8)) {
            Iterable<? extends JavaFileObject> units = fm.getJavaFileObjectsFromPaths(files);
            JavacTask task = (JavacTask) javac.getTask(null, fm, d -> { }, List.of("-proc:none"), null, units);
            List<Parsed> out = new ArrayList<>();
            for (CompilationUnitTree cu : task.parse()) {
                Path file = Path.of(cu.getSourceFile().toUri());
                String pkg = cu.getPackageName() == null ? "" : cu.getPackageName().toString();
                out.add(new Parsed(file, pkg, cu));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The graded tests (methods with {@code @Points}) under the visible and hidden test roots,
     * restricted to package {@code dev.attentionkit.exercises.<chapter>} when {@code chapter} is
     * non-null, in file and declaration order.
     */
    static List<GradedTest> discover(Path visibleRoot, Path hiddenRoot, String chapter) {
        List<GradedTest> tests = new ArrayList<>();
        collect(visibleRoot, false, chapter, tests);
        collect(hiddenRoot, true, chapter, tests);
        // Group by chapter, visible before hidden, then exercise ("1.1" before "1.2", whatever the file names), keeping the
        // declaration order within an exercise; hidden tests sit with their chapter in reports.
        tests.sort(java.util.Comparator.comparing(GradedTest::chapter).thenComparing(GradedTest::hidden)
                .thenComparing(GradedTest::exercise));
        return tests;
    }

    private static void collect(Path root, boolean hiddenRoot, String chapter, List<GradedTest> tests) {
        for (Parsed p : parse(javaFiles(root))) {
            if (chapter != null && !p.packageName().equals("dev.attentionkit.exercises." + chapter)) {
                continue;
            }
            for (Tree t : p.tree().getTypeDecls()) {
                if (t instanceof ClassTree cls) {
                    String className = p.packageName().isEmpty() ? cls.getSimpleName().toString()
                            : p.packageName() + "." + cls.getSimpleName();
                    collectClass(p.file(), className, cls, hiddenRoot, null, tests);
                }
            }
        }
    }

    /** Graded methods of {@code cls} and of its member classes ({@code @Nested}), by binary class name. */
    private static void collectClass(Path file, String className, ClassTree cls, boolean hiddenOuter,
                                     String outerExercise, List<GradedTest> tests) {
        boolean hiddenClass = hiddenOuter || annotation(cls.getModifiers().getAnnotations(), "Hidden").isPresent();
        // The exercise a class tests is named by its @DisplayName; nested classes keep their outer class's.
        String exercise = outerExercise != null ? outerExercise
                : annotation(cls.getModifiers().getAnnotations(), "DisplayName")
                    .map(a -> String.valueOf(literal(a, file.getFileName() + ", class " + cls.getSimpleName())))
                    .orElse(cls.getSimpleName().toString());
        for (Tree member : cls.getMembers()) {
            if (member instanceof MethodTree m) {
                graded(file, className, m, hiddenClass, exercise).ifPresent(tests::add);
            } else if (member instanceof ClassTree inner) {
                collectClass(file, className + "$" + inner.getSimpleName(), inner, hiddenClass, exercise, tests);
            }
        }
    }

    private static Optional<GradedTest> graded(Path file, String className, MethodTree m, boolean hiddenClass,
                                               String exercise) {
        List<? extends AnnotationTree> anns = m.getModifiers().getAnnotations();
        Optional<AnnotationTree> points = annotation(anns, "Points");
        if (points.isEmpty()) {
            return Optional.empty();
        }
        String where = file.getFileName() + ", method " + m.getName();
        Object value = literal(points.get(), where);
        if (!(value instanceof Integer p) || p < 0) {
            throw new GradingException("@Points in " + file + " (method " + m.getName()
                    + ") must be a non-negative int literal, e.g. @Points(2)");
        }
        String display = annotation(anns, "DisplayName").map(a -> String.valueOf(literal(a, where)))
                .orElse(m.getName().toString());
        Optional<AnnotationTree> hintAnnotation = annotation(anns, "Hint");
        String hint = hintAnnotation.map(a -> hintPart(a, "value", where)).orElse("");
        String recipe = hintAnnotation.map(a -> hintPart(a, "full", where)).orElse("");
        boolean hidden = hiddenClass || annotation(anns, "Hidden").isPresent();
        return Optional.of(new GradedTest(className, m.getName().toString(), display, p, hint, hidden, file, exercise,
                recipe));
    }

    private static Optional<AnnotationTree> annotation(List<? extends AnnotationTree> anns, String simpleName) {
        return anns.stream().filter(a -> {
            String n = a.getAnnotationType().toString();
            return n.equals(simpleName) || n.endsWith("." + simpleName);
        }).findFirst().map(a -> (AnnotationTree) a);
    }

    /** The {@code @Hint} element {@code name} ("value" or "full") as a string literal, empty when absent. */
    private static String hintPart(AnnotationTree a, String name, String where) {
        for (ExpressionTree e : a.getArguments()) {
            String element = "value";
            if (e instanceof AssignmentTree as) {
                element = as.getVariable().toString();
                e = as.getExpression();
            }
            if (element.equals(name)) {
                Object v = constant(e);
                if (v == null) {
                    throw new GradingException("@Hint in " + where + " must use string literals (the grader reads them "
                            + "without compiling): " + e);
                }
                return String.valueOf(v);
            }
        }
        return "";
    }

    private static Object literal(AnnotationTree a, String where) {
        if (a.getArguments().size() != 1) {
            throw new GradingException("@" + a.getAnnotationType() + " in " + where + " needs exactly one literal value");
        }
        ExpressionTree e = a.getArguments().get(0);
        if (e instanceof AssignmentTree as) {
            e = as.getExpression();
        }
        Object v = constant(e);
        if (v == null) {
            throw new GradingException("@" + a.getAnnotationType() + " in " + where
                    + " must use a literal (the grader reads it without compiling): " + e);
        }
        return v;
    }

    /** Literals, parentheses and string concatenation; null for anything else. */
    private static Object constant(ExpressionTree e) {
        if (e instanceof LiteralTree l) {
            return l.getValue();
        }
        if (e instanceof ParenthesizedTree p) {
            return constant(p.getExpression());
        }
        if (e instanceof BinaryTree b && b.getKind() == Tree.Kind.PLUS) {
            Object l = constant(b.getLeftOperand());
            Object r = constant(b.getRightOperand());
            if (l instanceof String || r instanceof String) {
                return l == null || r == null ? null : String.valueOf(l) + r;
            }
        }
        return null;
    }
}
