package dev.attentionkit.grading;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A learner's sources, copied into the grader's work area. Accepts a workspace folder with
 * {@code src/main/java}, a folder of loose {@code .java} files, or a zip of either. The original
 * files are only read, never modified.
 *
 * @param sources  the copied sources, one per class file path under the work area
 * @param warnings problems the learner should see (rejected files, duplicates)
 */
record Submission(List<Path> sources, List<String> warnings) {
    /** Exercise code must live here; anything else could shadow the kit, JUnit or the tests. */
    static final String EXERCISE_PACKAGE = "dev.attentionkit.exercises";
    private static final long MAX_UNZIPPED_BYTES = 50L * 1024 * 1024;
    private static final int MAX_ENTRIES = 5000;
    private static final int MAX_FILES = 2000;
    private static final long MAX_FILE_BYTES = 1024 * 1024;

    /** Copies the Java sources of {@code submission} into {@code srcDir} (created), validating packages. */
    static Submission collect(Path submission, Path workDir) {
        Path root = submission.toAbsolutePath().normalize();
        if (!Files.exists(root)) {
            throw new GradingException("Submission not found: " + root);
        }
        if (Files.isRegularFile(root) && root.getFileName().toString().endsWith(".zip")) {
            String shared = hardLinked(root);
            if (shared != null) {
                throw new GradingException("Submission " + root + " " + shared);
            }
            root = unzip(root, workDir.resolve("unzipped"));
        } else if (!Files.isDirectory(root)) {
            throw new GradingException("Submission must be a folder or a .zip file: " + root);
        }
        Path base = findSourceRoot(root);
        // Nothing reached through a link may be graded: a link to a classmate's folder would grade their work.
        try {
            Path real = root.toRealPath();
            if (!base.toRealPath().startsWith(real)) {
                throw new GradingException("Submission folder " + base + " is a link to " + base.toRealPath()
                        + ", outside the submission; links are not followed");
            }
        } catch (IOException e) {
            throw new GradingException("Could not read " + base + ": " + e.getMessage(), e);
        }
        List<Path> files = javaFiles(base);
        if (files.isEmpty()) {
            throw new GradingException("No Java sources in " + submission.toAbsolutePath().normalize()
                    + " (expected src/main/java/dev/attentionkit/exercises/... or .java files)");
        }
        if (files.size() > MAX_FILES) {
            throw new GradingException("Too many Java files in " + root + ": " + files.size() + " (at most " + MAX_FILES + ")");
        }
        List<String> refused = new ArrayList<>();
        files = files.stream().filter(f -> {
            // A hard link is a second name for a file that may live anywhere on the same file system (a
            // classmate's answer, a secret of the grader's): its content is not the learner's to submit.
            String shared = hardLinked(f);
            if (shared != null) {
                refused.add("Rejected " + base.relativize(f) + ": it " + shared);
                return false;
            }
            try {
                if (Files.size(f) <= MAX_FILE_BYTES) {
                    return true;
                }
            } catch (IOException e) {
                // unreadable: reported like an oversized file
            }
            refused.add("Rejected " + base.relativize(f) + ": larger than " + MAX_FILE_BYTES / 1024 + " KiB");
            return false;
        }).toList();
        Path srcDir = workDir.resolve("src");
        List<Path> copied = new ArrayList<>();
        List<String> warnings = new ArrayList<>(refused);
        Map<Path, Path> seen = new HashMap<>();
        for (TestDiscovery.Parsed p : TestDiscovery.parse(files)) {
            String shown = base.relativize(p.file()).toString();
            String pkg = p.packageName();
            if (!(pkg.equals(EXERCISE_PACKAGE) || pkg.startsWith(EXERCISE_PACKAGE + "."))) {
                warnings.add("Rejected " + shown + ": package '" + (pkg.isEmpty() ? "(default)" : pkg)
                        + "' is outside " + EXERCISE_PACKAGE + "; exercise code may not add or replace"
                        + " classes of the kit, JUnit or the tests.");
                continue;
            }
            Path target = srcDir.resolve(pkg.replace('.', '/')).resolve(p.file().getFileName().toString());
            if (seen.containsKey(target)) {
                warnings.add("Ignored " + shown + ": same class file as " + base.relativize(seen.get(target)));
                continue;
            }
            seen.put(target, p.file());
            try {
                Files.createDirectories(target.getParent());
                Files.copy(p.file(), target, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                throw new UncheckedIOException("Could not copy " + p.file() + " to the work area", e);
            }
            copied.add(target);
        }
        return new Submission(List.copyOf(copied), List.copyOf(warnings));
    }

    /**
     * Null for a file with one name; else why it is refused: it is a hard link (link count above 1), a second
     * name of a file that may live outside the submission, and nothing says where the other names are.
     */
    static String hardLinked(Path file) {
        try {
            Object n = Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
            if (n instanceof Integer count && count > 1) {
                return "is a hard link (" + count + " names for one file; the others may be outside the submission):"
                        + " hard links are not followed; submit a copy of the file";
            }
            return null;
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return null; // no link counts on this file system (not POSIX): nothing to check
        } catch (IOException e) {
            return "cannot be read (" + e.getMessage() + ")";
        }
    }

    private static Path findSourceRoot(Path root) {
        Path maven = root.resolve("src/main/java");
        if (Files.isDirectory(maven)) {
            return maven;
        }
        // A zip often wraps the workspace in one folder, e.g. exercises/src/main/java.
        try (Stream<Path> s = Files.list(root)) {
            List<Path> dirs = s.filter(Files::isDirectory).toList();
            if (dirs.size() == 1 && Files.isDirectory(dirs.get(0).resolve("src/main/java"))) {
                return dirs.get(0).resolve("src/main/java");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return root;
    }

    /** Regular (non-link) .java files, skipping build output, VCS folders and test sources. */
    private static List<Path> javaFiles(Path base) {
        try (Stream<Path> s = Files.walk(base)) {
            return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> p.getFileName().toString().endsWith(".java"))
                    .filter(p -> {
                        String rel = base.relativize(p).toString().replace('\\', '/');
                        return !rel.startsWith("target/") && !rel.contains("/target/") && !rel.contains(".git/")
                                && !rel.startsWith("src/test/") && !rel.contains("/src/test/");
                    })
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not list " + base, e);
        }
    }

    /** Extracts a zip with bounds on size and entry count, refusing entries that escape {@code dest}. */
    static Path unzip(Path zip, Path dest) {
        long total = 0;
        int entries = 0;
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            Files.createDirectories(dest);
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (++entries > MAX_ENTRIES) {
                    throw new GradingException("Zip has more than " + MAX_ENTRIES + " entries: " + zip);
                }
                Path out = dest.resolve(e.getName()).normalize();
                if (!out.startsWith(dest)) {
                    throw new GradingException("Zip entry escapes the extraction folder: " + e.getName() + " in " + zip);
                }
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                    continue;
                }
                Files.createDirectories(out.getParent());
                total += copyBounded(in, out, MAX_UNZIPPED_BYTES - total, zip);
            }
            if (entries == 0) {
                throw new GradingException("Not a zip file, or an empty one: " + zip);
            }
        } catch (IOException e) {
            throw new GradingException("Could not read zip " + zip + ": " + e.getMessage(), e);
        }
        return dest;
    }

    private static long copyBounded(InputStream in, Path out, long budget, Path zip) throws IOException {
        byte[] buf = new byte[8192];
        long n = 0;
        try (var os = Files.newOutputStream(out)) {
            for (int r; (r = in.read(buf)) > 0; ) {
                n += r;
                if (n > budget) {
                    throw new GradingException("Zip unpacks to more than " + MAX_UNZIPPED_BYTES / (1024 * 1024) + " MB: " + zip);
                }
                os.write(buf, 0, r);
            }
        }
        return n;
    }
}
