package dev.attentionkit.grading;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Builds a Gradescope autograder zip that runs this same grader on Gradescope's machines:
 * {@code setup.sh} (installs a JDK), {@code run_autograder} (grades /autograder/submission into
 * /autograder/results/results.json), the kit's jars under {@code lib/} and the graded tests
 * (visible and hidden) under {@code graded/}.
 */
final class GradescopePackager {
    private GradescopePackager() {
    }

    /**
     * Writes the zip to {@code zip} (which must not exist yet).
     *
     * @param extraArgs grader options to repeat on Gradescope (timeouts, heap)
     * @return warnings worth telling the instructor
     */
    static List<String> build(Path kitRoot, Grader grader, Path zip, List<String> extraArgs) {
        if (Files.exists(zip)) {
            throw new GradingException("Refusing to overwrite " + zip + "; move it away or pass another --out");
        }
        grader.tests(null); // the graded tests must parse before we ship them
        List<Path> cp = grader.classPath();
        List<String> warnings = cp.stream().map(Path::toString)
                .filter(s -> s.matches(".*-(macosx|windows|linux-arm64|linux-ppc64le)[^/]*\\.jar"))
                .map(s -> "Native jar for another platform than Gradescope's linux-x86_64: " + s)
                .toList();
        try {
            Files.createDirectories(zip.toAbsolutePath().getParent());
            try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
                z.setLevel(Deflater.BEST_SPEED); // jars are compressed already
                text(z, "setup.sh", SETUP);
                text(z, "run_autograder", RUN.replace("@ARGS@", extraArgs.stream().map(GradescopePackager::quote)
                        .collect(Collectors.joining(" "))));
                text(z, "README.txt", README);
                Set<String> names = new HashSet<>();
                int n = 0;
                for (Path entry : cp) {
                    if (Files.isDirectory(entry)) {
                        String name = "lib/classes-" + (n++) + ".jar";
                        z.putNextEntry(new ZipEntry(name));
                        z.write(jarOf(entry));
                        z.closeEntry();
                    } else if (Files.isRegularFile(entry) && entry.toString().endsWith(".jar")) {
                        String name = "lib/" + entry.getFileName();
                        if (!names.add(name)) {
                            name = "lib/" + (n++) + "-" + entry.getFileName();
                        }
                        z.putNextEntry(new ZipEntry(name));
                        Files.copy(entry, z);
                        z.closeEntry();
                    }
                }
                tree(z, grader.testRoot(), "graded/src/test/java/");
                tree(z, grader.hiddenRoot(), "graded/src/hidden/java/");
                signatures(z, grader.signatureRoot());
            }
        } catch (IOException e) {
            throw new GradingException("Could not write " + zip + ": " + e.getMessage(), e);
        }
        return warnings;
    }

    private static void text(ZipOutputStream z, String name, String content) throws IOException {
        z.putNextEntry(new ZipEntry(name));
        z.write(content.getBytes(StandardCharsets.UTF_8));
        z.closeEntry();
    }

    private static void tree(ZipOutputStream z, Path root, String prefix) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                z.putNextEntry(new ZipEntry(prefix + root.relativize(p).toString().replace('\\', '/')));
                Files.copy(p, z);
                z.closeEntry();
            }
        }
    }

    /**
     * The exercise classes' signatures the graded tests are compiled against: the solutions with every answer
     * region cut out ({@link Signatures#strip}), so the zip carries no answers.
     */
    private static void signatures(ZipOutputStream z, Path root) throws IOException {
        if (root == null || !Files.isDirectory(root)) {
            return;
        }
        for (Path f : Compiler.javaFiles(root)) {
            z.putNextEntry(new ZipEntry("signatures/src/main/java/" + root.relativize(f).toString().replace('\\', '/')));
            z.write(Signatures.strip(Files.readString(f, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        }
    }

    /** A class folder as jar bytes. */
    private static byte[] jarOf(Path dir) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (ZipOutputStream jar = new ZipOutputStream(bytes); Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                jar.putNextEntry(new ZipEntry(dir.relativize(p).toString().replace('\\', '/')));
                Files.copy(p, jar);
                jar.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static final String SETUP = """
            #!/usr/bin/env bash
            # attention-kit autograder set-up: a JDK (javac is needed), bubblewrap (the sandbox) and util-linux
            # (setpriv, prlimit). AUTOGRADER_ROOT lets instructors try this locally; Gradescope uses /autograder.
            set -euo pipefail
            ROOT="${AUTOGRADER_ROOT:-/autograder}"
            if ! command -v javac >/dev/null || ! command -v bwrap >/dev/null || ! command -v setpriv >/dev/null; then
                apt-get update
                DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jdk-headless bubblewrap util-linux
            fi
            # Zip files carry no exec bit; make sure Gradescope can start the grader.
            chmod +x "$ROOT/source/run_autograder"
            cp "$ROOT/source/run_autograder" "$ROOT/run_autograder" 2>/dev/null || true
            chmod 755 "$ROOT/run_autograder" 2>/dev/null || true
            # The grader's files belong to root and nobody else may change them; student code runs as another uid.
            chmod -R go-w "$ROOT/source"
            """;

    /**
     * The whole script is one brace block that bash reads to its end before running any of it,
     * so a submission that rewrites this file while it runs changes nothing; student code runs
     * in the grader's sandbox, which does not see this folder, as another uid, which cannot write it.
     */
    private static final String RUN = """
            #!/usr/bin/env bash
            # attention-kit autograder: grades the submission with the kit's own grader.
            # AUTOGRADER_ROOT lets instructors try this locally; Gradescope uses /autograder.
            {
            ROOT="${AUTOGRADER_ROOT:-/autograder}"
            mkdir -p "$ROOT/results"
            cd "$ROOT/source" || exit 1
            rm -f "$ROOT/results/results.json"
            java -cp "$ROOT/source/lib/*" dev.attentionkit.grading.GradeMain "$ROOT/submission" \\
                --kit-root "$ROOT/source" --json "$ROOT/results/results.json" @ARGS@
            status=$?
            if [ ! -s "$ROOT/results/results.json" ]; then
                printf '{"score": 0, "output": "The autograder itself failed (status %s); please tell your instructor.", "output_format": "text", "stdout_visibility": "hidden", "tests": []}\\n' "$status" \\
                    > "$ROOT/results/results.json"
            fi
            exit 0
            }
            """;

    private static final String README = """
            attention-kit Gradescope autograder, generated by `./kit grade --gradescope`.
            Upload this zip as a "Zip file upload" autograder (Ubuntu base image). Learners submit their
            exercises/ folder (or its src/main/java tree, or the .java files); hidden tests count but are
            shown only after grades are published.

            Memory: Gradescope's default of 768 MB is too little. One grading runs the grader JVM (about
            200 MB), then javac in a JVM of its own (heap up to 768 MB), then the test JVM (heap 1 GB by
            default, --heap, plus ND4J's native memory up to the same amount). Choose 2 GB or more in the
            autograder settings, or build the zip with --heap 512m for a 1.5 GB machine.

            Isolation there: the grader probes the machine at start and says in results.json ("isolation":
            "layers" and "missing") what it got. With bubblewrap working (installed by setup.sh; it needs
            user namespaces, or root with mount namespaces, in Gradescope's container) student code runs as
            a fresh unprivileged uid with no capabilities, in new PID and network namespaces, seeing only
            /usr, the JDK and its own read-only class path, writing only a 256 MiB tmpfs. Where the
            container forbids namespaces the grader falls back to setpriv alone: an unprivileged uid
            without capabilities, but with the network and a read-only view of world-readable files; the
            "missing" list then says so. run_autograder is read whole before it runs, so rewriting it
            during a run changes nothing. Pass/fail is decided outside the sandbox, in a JVM that holds the
            graded tests (compiled against the exercise signatures in signatures/, answers cut out) and
            none of the submission's code: see the kit's grader/README.md, "Threat model".
            """;
}
