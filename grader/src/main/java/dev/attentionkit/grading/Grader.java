package dev.attentionkit.grading;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Grades a learner's workspace against the kit's graded tests.
 *
 * <p>Pipeline: discover graded tests from source; copy the submission into a fresh work area;
 * compile it (files with errors are left out so the rest still earns points); compile the
 * graded tests against it (per file if need be); run them in separate, sandboxed JVMs; report.
 * The submission folder itself is only read.
 */
public final class Grader {
    private final Path kitRoot;
    private final Path testRoot;
    private final Path hiddenRoot;
    private final List<Path> classPath;
    private final Limits limits;
    private final boolean keepWork;
    private final Long seed;
    private final boolean referenceCheck;
    private final Path signatureRoot;

    private Grader(Path kitRoot, Path testRoot, Path hiddenRoot, List<Path> classPath, Limits limits, boolean keepWork) {
        this(kitRoot, testRoot, hiddenRoot, classPath, limits, keepWork, null, true, defaultSignatures(kitRoot));
    }

    private Grader(Path kitRoot, Path testRoot, Path hiddenRoot, List<Path> classPath, Limits limits, boolean keepWork,
                   Long seed, boolean referenceCheck, Path signatureRoot) {
        this.kitRoot = kitRoot.toAbsolutePath().normalize();
        this.testRoot = testRoot.toAbsolutePath().normalize();
        this.hiddenRoot = hiddenRoot.toAbsolutePath().normalize();
        this.classPath = List.copyOf(classPath);
        this.limits = limits;
        this.keepWork = keepWork;
        this.seed = seed;
        this.referenceCheck = referenceCheck;
        this.signatureRoot = signatureRoot == null ? null : signatureRoot.toAbsolutePath().normalize();
    }

    /**
     * Where the kit declares the exercise classes: {@code solutions/src/main/java} (answers are cut out before
     * use, see {@link Signatures#strip}), else {@code signatures/src/main/java} (what the Gradescope zip ships).
     */
    private static Path defaultSignatures(Path kitRoot) {
        Path solutions = kitRoot.resolve("solutions/src/main/java");
        return Files.isDirectory(solutions) ? solutions : kitRoot.resolve("signatures/src/main/java");
    }

    /**
     * A grader for the kit at {@code kitRoot}: graded tests in {@code graded/src/test/java},
     * hidden ones in {@code graded/src/hidden/java}; the class path for the tests is the built
     * grader's ({@code grader/target/runtime-classpath.txt} plus {@code grader/target/classes})
     * when present, else this JVM's.
     */
    public static Grader forKit(Path kitRoot) {
        return new Grader(kitRoot, kitRoot.resolve("graded/src/test/java"), kitRoot.resolve("graded/src/hidden/java"),
                kitClassPath(kitRoot), Limits.defaults(), false);
    }

    /** The built grader's class path, so that a notebook kernel (whose own class path differs) grades like ./kit. */
    static List<Path> kitClassPath(Path kitRoot) {
        Path file = kitRoot.resolve("grader/target/runtime-classpath.txt");
        Path classes = kitRoot.resolve("grader/target/classes");
        if (!Files.isRegularFile(file) || !Files.isDirectory(classes)) {
            return currentClassPath();
        }
        try {
            List<Path> cp = new ArrayList<>();
            for (String s : Files.readString(file).strip().split(File.pathSeparator)) {
                if (!s.isBlank()) {
                    cp.add(kitRoot.resolve(s.strip()).toAbsolutePath().normalize());
                }
            }
            cp.add(classes.toAbsolutePath().normalize());
            return cp;
        } catch (IOException e) {
            throw new GradingException("Could not read " + file + ": " + e.getMessage(), e);
        }
    }

    /** This grader with other graded test folders (visible and hidden). */
    public Grader withTests(Path visible, Path hidden) {
        return new Grader(kitRoot, visible, hidden, classPath, limits, keepWork, seed, referenceCheck, signatureRoot);
    }

    /** This grader handing {@code cp} (kit library, JUnit, grader classes) to javac and the test JVMs. */
    public Grader withClassPath(List<Path> cp) {
        return new Grader(kitRoot, testRoot, hiddenRoot, cp, limits, keepWork, seed, referenceCheck, signatureRoot);
    }

    /** This grader with other limits. */
    public Grader withLimits(Limits l) {
        return new Grader(kitRoot, testRoot, hiddenRoot, classPath, l, keepWork, seed, referenceCheck, signatureRoot);
    }

    /** This grader, keeping its work area for inspection when {@code keep}. */
    public Grader keepingWork(boolean keep) {
        return new Grader(kitRoot, testRoot, hiddenRoot, classPath, limits, keep, seed, referenceCheck, signatureRoot);
    }

    /**
     * This grader drawing the graded inputs from {@code s} (see {@link GradedSeed}) instead of a fresh seed per
     * submission: repeats a run exactly (0: the fixed inputs of a plain Maven run).
     */
    public Grader withSeed(long s) {
        return new Grader(kitRoot, testRoot, hiddenRoot, classPath, limits, keepWork, s, referenceCheck, signatureRoot);
    }

    /**
     * This grader with the bytecode rules ({@link ReferenceCheck}) switched on or off. Off only for testing the
     * layers behind it (time, memory and output limits, the sandbox) with fixtures the rules would stop first.
     */
    Grader withReferenceCheck(boolean on) {
        return new Grader(kitRoot, testRoot, hiddenRoot, classPath, limits, keepWork, seed, on, signatureRoot);
    }

    /**
     * This grader taking the exercise classes' signatures from the sources under {@code root} (solutions or
     * stubs): the graded tests are compiled against them, never against the submission.
     */
    public Grader withSignatures(Path root) {
        return new Grader(kitRoot, testRoot, hiddenRoot, classPath, limits, keepWork, seed, referenceCheck, root);
    }

    /** The sources of the exercise classes' signatures (may not exist: then the tests compile against the submission). */
    Path signatureRoot() {
        return signatureRoot;
    }

    /** The visible graded test sources. */
    Path testRoot() {
        return testRoot;
    }

    /** The hidden graded test sources. */
    Path hiddenRoot() {
        return hiddenRoot;
    }

    /** The class path handed to javac and the test JVMs. */
    List<Path> classPath() {
        return classPath;
    }

    /** The limits in force. */
    public Limits limits() {
        return limits;
    }

    /**
     * Grades {@code workspace} with the kit at {@code kitRoot}: the notebook entry point.
     *
     * @param kitRoot       the kit's root folder (holds {@code graded/})
     * @param workspace     a folder with {@code src/main/java}, loose .java files, or a zip
     * @param chapterFilter e.g. {@code "ch01"} to grade one chapter only; null for all
     * @return the report; render it with {@code toString()} or {@code toHtml()}
     */
    public static GradeReport grade(Path kitRoot, Path workspace, String chapterFilter) {
        return forKit(kitRoot).grade(workspace, chapterFilter);
    }

    /** The graded tests this grader would run for {@code chapterFilter} (null: all). */
    public List<GradedTest> tests(String chapterFilter) {
        List<GradedTest> tests = TestDiscovery.discover(testRoot, hiddenRoot, blankToNull(chapterFilter));
        if (tests.isEmpty()) {
            throw new GradingException("No graded tests (methods annotated @Points) under " + testRoot
                    + (chapterFilter == null ? "" : " for chapter " + chapterFilter
                    + " (package dev.attentionkit.exercises." + chapterFilter + ")"));
        }
        return tests;
    }

    /**
     * Grades {@code workspace}.
     *
     * @throws GradingException if the submission is missing or holds no Java sources, or the
     *                          graded tests cannot be read
     */
    public GradeReport grade(Path workspace, String chapterFilter) {
        long start = System.nanoTime();
        List<GradedTest> tests = tests(chapterFilter);
        Path work = createWorkDir();
        try {
            return gradeIn(work, workspace, tests, start);
        } finally {
            if (!keepWork) {
                Compiler.deleteTree(work);
            }
        }
    }

    /** Grades like {@link #grade(Path, String)}, but a submission that cannot be read scores 0 instead of throwing. */
    public GradeReport gradeOrZero(Path workspace, String chapterFilter) {
        List<GradedTest> tests = tests(chapterFilter);
        try {
            return grade(workspace, chapterFilter);
        } catch (GradingException | UncheckedIOException e) {
            List<TestOutcome> zero = tests.stream().map(t -> TestOutcome.fail(t, e.getMessage(), "")).toList();
            return new GradeReport(workspace.toString(), zero, List.of(e.getMessage()), Duration.ZERO, false);
        }
    }

    private GradeReport gradeIn(Path work, Path workspace, List<GradedTest> tests, long start) {
        long runSeed = seed != null ? seed : GradedSeed.fresh();
        // One budget for everything the submission can slow down: javac on it, javac on the tests, the tests.
        long deadline = start + limits.totalTimeout().toNanos();
        Submission submission = Submission.collect(workspace, work);
        List<String> warnings = new ArrayList<>(submission.warnings());
        if (keepWork) {
            warnings.add("Work folder kept at " + work);
        }
        warnings.addAll(Sandbox.missing(limits));
        RuntimeCache runtime = RuntimeCache.of(classPath, workParentFor(work));
        Path src = work.resolve("src");
        shareReadOnly(src);
        Path classes = work.resolve("classes");
        Compiler.Job student = new Compiler.Job("lenient");
        student.roots.put("src", src);
        student.sources.addAll(submission.sources());
        Map<Path, String> studentErrors = submission.sources().isEmpty() ? Map.of()
                : Compiler.run(student, runtime, limits, work.resolve("compile"), classes, deadline);
        shareReadOnly(classes);
        String studentLog = String.join("\n", studentErrors.values());
        if (!studentErrors.isEmpty()) {
            warnings.add("Your code does not compile; these files were left out:\n" + Text.firstLines(studentLog, 12));
        }

        // The graded tests compile against the kit's signatures, not the submission's: how each test runs (judged
        // outside, or inside the sandbox) must not be the submission's choice.
        Path signatures = compileSignatures(work, runtime, deadline, warnings);
        Path testClasses = work.resolve("test-classes");
        Map<String, TestOutcome> outcomes = new LinkedHashMap<>();
        List<GradedTest> runnable = compileTests(tests, work, signatures != null ? signatures : classes, testClasses,
                runtime, deadline, studentLog, outcomes);
        if (signatures != null) {
            runnable = checkSignatures(testClasses, classes, signatures, runnable, studentLog, outcomes);
        }
        runnable = checkReferences(classes, testClasses, runnable, outcomes, warnings);

        Set<String> insideClasses = new java.util.TreeSet<>();
        if (!runnable.isEmpty()) {
            shareReadOnly(testClasses);
            // Judged outside: the graded tests run in a trusted JVM, calling the submission through proxies.
            Proxies proxies = Proxies.scan(testClasses, classPath);
            Set<String> testClassNames = new LinkedHashSet<>();
            TestDiscovery.discover(testRoot, hiddenRoot, null).forEach(t -> testClassNames.add(topLevel(t.className())));
            boolean helperInside = proxies.inSandbox().stream().anyMatch(c -> !testClassNames.contains(c));
            List<GradedTest> judged = new ArrayList<>();
            List<GradedTest> inside = new ArrayList<>();
            for (GradedTest t : runnable) {
                (limits.sandbox() && !helperInside && proxies.judged(t.className()) ? judged : inside).add(t);
            }
            if (!judged.isEmpty()) {
                Path proxyDir = work.resolve("proxies");
                proxies.write(proxyDir);
                outcomes.putAll(new TestJvm(runtime, List.of(testClasses, classes), work, limits, deadline)
                        .judging(proxyDir).seed(runSeed).run(judged));
            }
            if (!inside.isEmpty()) {
                inside.forEach(t -> insideClasses.add(topLevel(t.className())));
                outcomes.putAll(new TestJvm(runtime, List.of(testClasses, classes), work, limits, deadline)
                        .seed(runSeed).run(inside));
            }
        }
        List<TestOutcome> ordered = tests.stream().map(t -> outcomes.getOrDefault(t.key(),
                TestOutcome.fail(t, "not run (internal grader error)", ""))).toList();
        return new GradeReport(workspace.toString(), ordered, warnings,
                Duration.ofNanos(System.nanoTime() - start), false, runSeed, Hints.NUDGE,
                Isolation.of(limits, insideClasses));
    }

    /**
     * Compiles the kit's exercise signatures (the solutions with the answers cut out) into a folder of their own;
     * null, with a warning, when the kit has none (the tests then compile against the submission, as before).
     */
    private Path compileSignatures(Path work, RuntimeCache runtime, long deadline, List<String> warnings) {
        if (signatureRoot == null || !Files.isDirectory(signatureRoot)) {
            warnings.add("The kit's exercise signatures were not found (" + signatureRoot + "): the graded tests were"
                    + " compiled against the submission's own classes, so a submission that changes its signatures"
                    + " can change how its tests run.");
            return null;
        }
        String key;
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            for (Path f : Compiler.javaFiles(signatureRoot)) {
                sha.update(signatureRoot.relativize(f).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update(Files.readAllBytes(f));
            }
            key = signatureRoot + "@" + java.util.HexFormat.of().formatHex(sha.digest());
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new GradingException("Could not read the exercise signatures under " + signatureRoot + ": " + e.getMessage(), e);
        }
        // Compiled once per grader process (a batch grades many submissions against the same signatures).
        Path cached = COMPILED_SIGNATURES.get(key);
        if (cached != null) {
            return cached;
        }
        Path dir = work.resolve("signatures");
        Path src = dir.resolve("src");
        Compiler.Job job = new Compiler.Job("lenient");
        job.roots.put("signatures", src);
        job.sources.addAll(Signatures.strippedCopy(signatureRoot, src));
        shareReadOnly(src);
        Path out = dir.resolve("classes");
        ensureDir(out);
        Map<Path, String> errors = job.sources.isEmpty() ? Map.of()
                : Compiler.run(job, runtime, limits, dir.resolve("compile"), out, deadline);
        shareReadOnly(out);
        if (!errors.isEmpty()) {
            warnings.add("The kit's exercise signatures under " + signatureRoot + " do not compile (the tests that need"
                    + " them fail):\n" + Text.firstLines(String.join("\n", errors.values()), 8));
            return out;
        }
        try {
            Path keep = Files.createTempDirectory(workParent(), "signatures-");
            allowTraverse(keep, true);
            Path kept = keep.resolve("classes");
            copyClasses(out, kept);
            shareReadOnly(kept);
            if (COMPILED_SIGNATURES.putIfAbsent(key, kept) == null) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> Compiler.deleteTree(keep)));
            } else {
                Compiler.deleteTree(keep);
            }
        } catch (IOException | RuntimeException e) {
            // not kept: the next submission compiles them again
        }
        return out;
    }

    /** The kit's exercise signatures compiled in this process, by source folder and content. */
    private static final Map<String, Path> COMPILED_SIGNATURES = new java.util.concurrent.ConcurrentHashMap<>();

    private static void copyClasses(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(t);
                } else if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.copy(p, t);
                }
            }
        }
    }

    /**
     * The tests whose calls into the submission do not link against it exactly as against the kit's signatures
     * fail, naming the member; returns the rest.
     */
    private static List<GradedTest> checkSignatures(Path testClasses, Path classes, Path signatures, List<GradedTest> runnable,
                                                    String studentLog, Map<String, TestOutcome> outcomes) {
        Map<String, String> bad = Signatures.mismatches(testClasses, classes, signatures);
        List<GradedTest> ok = new ArrayList<>();
        for (GradedTest t : runnable) {
            String why = bad.get(topLevel(t.className()));
            if (why == null) {
                ok.add(t);
            } else if (!studentLog.isEmpty() && why.startsWith("your code has no class")) {
                outcomes.put(t.key(), TestOutcome.fail(t, "your code does not compile: " + Text.firstLines(studentLog, 1),
                        Text.cap(Text.firstLines(studentLog, 20) + "\n\nso " + why, 8000)));
            } else {
                outcomes.put(t.key(), TestOutcome.fail(t, "does not match the exercise's signatures: " + why, ""));
            }
        }
        return ok;
    }

    private static void ensureDir(Path p) {
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What the submission's bytecode references ({@link ReferenceCheck}): the tests of an exercise whose code breaks
     * a rule fail without running, with the call, file and line. Returns the tests that may run.
     */
    private List<GradedTest> checkReferences(Path classes, Path testClasses, List<GradedTest> runnable,
                                             Map<String, TestOutcome> outcomes, List<String> warnings) {
        if (runnable.isEmpty() || !referenceCheck) {
            return runnable;
        }
        ReferenceCheck.Result check = ReferenceCheck.check(classes, testClasses, runnable,
                ReferenceCheck.gradedNames(List.of(testRoot, hiddenRoot)), ReferenceCheck.fixtureNames(classPath));
        warnings.addAll(check.warnings());
        List<GradedTest> clean = new ArrayList<>();
        for (GradedTest t : runnable) {
            String why = check.reason(t);
            if (why == null) {
                clean.add(t);
            } else {
                outcomes.put(t.key(), TestOutcome.fail(t, why, Text.cap(check.details(t), 8000)));
            }
        }
        return clean;
    }

    /**
     * Compiles the graded tests from a private copy of their sources, every file named explicitly
     * (no source path: nothing on the class path, such as a submitted {@code Graded.class}, can stand
     * in for a graded source); tests whose file does not compile get a failed outcome. Returns the
     * runnable tests.
     */
    private List<GradedTest> compileTests(List<GradedTest> tests, Path work, Path classes, Path out, RuntimeCache runtime,
                                          long deadline, String studentLog, Map<String, TestOutcome> outcomes) {
        Path copy = work.resolve("tests");
        Map<Path, Path> copied = new LinkedHashMap<>();
        copyTree(testRoot, copy.resolve("visible"), copied);
        copyTree(hiddenRoot, copy.resolve("hidden"), copied);
        shareReadOnly(copy);
        Set<Path> allTests = new LinkedHashSet<>();
        TestDiscovery.discover(testRoot, hiddenRoot, null).forEach(t -> allTests.add(t.source().toAbsolutePath().normalize()));
        Set<Path> files = new LinkedHashSet<>();
        tests.forEach(t -> files.add(t.source().toAbsolutePath().normalize()));
        Compiler.Job job = new Compiler.Job("tests");
        job.roots.put("tests", copy);
        job.classDirs.add(classes);
        for (Map.Entry<Path, Path> e : copied.entrySet()) {
            if (files.contains(e.getKey())) {
                job.sources.add(e.getValue());
            } else if (!allTests.contains(e.getKey()) && !e.getKey().getFileName().toString().endsWith("Test.java")) {
                job.helpers.add(e.getValue());
            }
        }
        Map<Path, String> errors = Compiler.run(job, runtime, limits, work.resolve("compile-tests"), out, deadline);
        Map<Path, String> broken = new LinkedHashMap<>();
        for (Map.Entry<Path, Path> e : copied.entrySet()) {
            String err = errors.get(e.getValue());
            if (err != null) {
                broken.put(e.getKey(), err);
            }
        }
        String general = errors.entrySet().stream().filter(e -> !copied.containsValue(e.getKey()))
                .map(Map.Entry::getValue).reduce((a, b) -> a + "\n" + b).orElse(null);
        List<GradedTest> runnable = new ArrayList<>();
        for (GradedTest t : tests) {
            String err = broken.get(t.source().toAbsolutePath().normalize());
            if (err == null && general != null) {
                err = general;
            }
            if (err == null) {
                runnable.add(t);
            } else if (!studentLog.isEmpty()) {
                outcomes.put(t.key(), TestOutcome.fail(t, "your code does not compile: " + Text.firstLines(studentLog, 1),
                        Text.cap(Text.firstLines(studentLog, 20) + "\n\nso the test could not compile:\n"
                                + Text.firstLines(err, 10), 8000)));
            } else {
                outcomes.put(t.key(), TestOutcome.fail(t, "test does not compile against your code: "
                        + Text.firstLines(err, 1), Text.cap(Text.firstLines(err, 20), 8000)));
            }
        }
        return runnable;
    }

    /** Copies the .java files under {@code from} to {@code to}, recording original -> copy. */
    private static void copyTree(Path from, Path to, Map<Path, Path> copied) {
        Path root = from.toAbsolutePath().normalize();
        for (Path f : Compiler.javaFiles(root)) {
            Path t = to.resolve(root.relativize(f).toString());
            try {
                Files.createDirectories(t.getParent());
                Files.copy(f, t);
            } catch (IOException e) {
                throw new GradingException("Could not copy graded test " + f + ": " + e.getMessage(), e);
            }
            copied.put(f, t);
        }
    }

    /** Lets the sandbox's uid read a tree the grader wrote (folders 755, files 644); it can never write there. */
    static void shareReadOnly(Path tree) {
        if (!Files.isDirectory(tree)) {
            return;
        }
        try (Stream<Path> s = Files.walk(tree)) {
            for (Path p : s.toList()) {
                if (Files.isSymbolicLink(p)) {
                    continue;
                }
                Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(
                        Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        } catch (IOException | UnsupportedOperationException e) {
            // not POSIX: the sandbox then runs as the grader's own user anyway
        }
    }

    /** Folder modes: {@code world} 755 (readable), else 711 (traversable, not listable). */
    static void allowTraverse(Path dir, boolean world) {
        try {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString(world ? "rwxr-xr-x" : "rwx--x--x"));
        } catch (IOException | UnsupportedOperationException e) {
            // not POSIX
        }
    }

    private static String topLevel(String className) {
        int d = className.indexOf('$');
        return d < 0 ? className : className.substring(0, d);
    }

    private static Path workParentFor(Path work) {
        return work.getParent();
    }

    /** The parent of all work areas: a folder of its own, so the sandbox can hide other submissions' work areas. */
    private static Path workParent() {
        return Path.of(System.getProperty("java.io.tmpdir"), "attention-kit-work").toAbsolutePath().normalize();
    }

    private static Path createWorkDir() {
        try {
            Path parent = workParent();
            Files.createDirectories(parent);
            try {
                // Traversable, not listable: the sandbox's uid reaches the read-only class path copy by name,
                // and cannot list (or guess) other work areas.
                Files.setPosixFilePermissions(parent, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
            } catch (UnsupportedOperationException | IOException e) {
                // Not POSIX, or another user's folder: the work area itself is still private.
            }
            try {
                Path dir = Files.createTempDirectory(parent, "grade-");
                allowTraverse(dir, false);
                return dir;
            } catch (IOException e) {
                return Files.createTempDirectory("attention-kit-grade-"); // the shared folder belongs to someone else
            }
        } catch (IOException e) {
            throw new GradingException("Could not create a temporary work folder: " + e.getMessage(), e);
        }
    }

    /** This JVM's class path (the kit library, JUnit and the grader), as the tests need it. */
    static List<Path> currentClassPath() {
        return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(s -> !s.isBlank()).map(Path::of).map(p -> p.toAbsolutePath().normalize()).toList();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() || s.equals("all") ? null : s.strip();
    }
}
