package dev.attentionkit.grading;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The hand-out for a class on an LMS: one zip with the exercise stubs (the kit's {@code exercises/src}) and a
 * README saying how to check and submit them, under one folder {@code attention-kit-exercises/}. The same
 * stubs always give the same bytes (entries sorted, one fixed time stamp), so a re-release can be compared
 * with the last one; an existing file is never overwritten.
 */
final class Release {
    /** The folder inside the zip, and the name learners zip back. */
    static final String FOLDER = "attention-kit-exercises";
    /** Every entry's time stamp: fixed, so the zip depends only on the stubs. */
    private static final java.time.LocalDateTime STAMP = java.time.LocalDateTime.of(2000, 1, 1, 0, 0);

    private Release() {
    }

    /**
     * Writes the hand-out of the kit at {@code kitRoot} to {@code zip}.
     *
     * @return the zip's entry names, in order
     * @throws GradingException if {@code zip} exists, or the kit has no stubs
     */
    static List<String> write(Path kitRoot, Path zip) {
        Path src = kitRoot.resolve("exercises/src/main/java");
        if (!Files.isDirectory(src)) {
            throw new GradingException("No exercise stubs in " + src + " (is " + kitRoot + " the kit's root folder?)");
        }
        if (Files.exists(zip, LinkOption.NOFOLLOW_LINKS)) {
            throw new GradingException("Refusing to overwrite " + zip + "; move it away or pass another --out");
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(src)) {
            files = s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && p.toString().endsWith(".java"))
                    .sorted((a, b) -> unix(src.relativize(a)).compareTo(unix(src.relativize(b)))).toList();
        } catch (IOException e) {
            throw new GradingException("Could not list " + src + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new GradingException("No .java stubs under " + src);
        }
        List<String> names = new ArrayList<>();
        Path tmp = zip.resolveSibling("." + zip.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            if (zip.toAbsolutePath().getParent() != null) {
                Files.createDirectories(zip.toAbsolutePath().getParent());
            }
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 ZipOutputStream z = new ZipOutputStream(out, StandardCharsets.UTF_8)) {
                names.add(entry(z, FOLDER + "/README.txt", readme(files.size()).getBytes(StandardCharsets.UTF_8)));
                for (Path f : files) {
                    names.add(entry(z, FOLDER + "/src/main/java/" + unix(src.relativize(f)), Files.readAllBytes(f)));
                }
            }
            Files.createLink(zip, tmp); // fails if anything has that name by now; never replaces it
            Files.delete(tmp);
        } catch (IOException | UnsupportedOperationException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the message below names the problem
            }
            throw new GradingException("Could not write " + zip + ": " + e.getMessage(), e);
        }
        return names;
    }

    private static String entry(ZipOutputStream z, String name, byte[] bytes) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setTimeLocal(STAMP); // DOS time only: no extra time fields, no dependence on the time zone
        z.putNextEntry(e);
        z.write(bytes);
        z.closeEntry();
        return name;
    }

    private static String unix(Path relative) {
        return relative.toString().replace('\\', '/');
    }

    private static String readme(int stubs) {
        return """
                attention-kit exercises
                =======================

                This folder holds the %d exercise stubs of the course (src/main/java/dev/attentionkit/exercises/chNN).
                Fill in the parts marked TODO; keep the package and class names.

                Work and check
                --------------
                - With the course kit (git clone of attention-kit, then ./kit lab): copy this folder's src/ over
                  the kit's exercises/src, open the chapter's notebook, and check with ./kit grade (or the
                  notebook's "check" cell). ./kit grade path/to/attention-kit-exercises grades this folder where it is.
                - On the class's JupyterHub the exercises are already in your home folder: nothing to copy.

                Submit
                ------
                Zip this whole folder (it must still contain src/main/java/...) and upload the zip to the
                assignment in your course's LMS (Canvas, Moodle, Blackboard) or to Gradescope:
                    cd .. && zip -r exercises.zip attention-kit-exercises
                Any file name is fine: the LMS adds your name to it. Upload again to replace your submission;
                the latest one is graded.
                """.formatted(stubs);
    }
}
