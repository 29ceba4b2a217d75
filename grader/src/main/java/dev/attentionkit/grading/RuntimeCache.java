package dev.attentionkit.grading;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A read-only copy of the class path that sandboxed processes run with, plus ND4J's native
 * libraries extracted once by a trusted JVM. Owned by the grader's user, world-readable, never
 * writable by the sandbox's uid, and shown to the sandbox read-only: nothing on a test JVM's
 * class path can be changed by student code, and {@code ~/.m2} or the kit's build folders are
 * never visible to it. Keyed by the class path's paths, sizes and dates, so a rebuilt kit gets a
 * fresh copy; kept between runs (jars are hard links where the file system allows).
 *
 * @param dir      the cache folder
 * @param entries  the class path entries in their original order, inside {@code dir}
 * @param natives  JavaCPP's cache folder (shared by class paths with the same native jars), or null without ND4J
 */
record RuntimeCache(Path dir, List<Path> entries, Path natives) {
    private static final Map<String, RuntimeCache> MEMO = new ConcurrentHashMap<>();

    /** The cache for {@code classPath}, built on first use. */
    static RuntimeCache of(List<Path> classPath, Path parent) {
        String key = key(classPath);
        return MEMO.computeIfAbsent(parent + "|" + key, k -> build(classPath, parent, key));
    }

    private static RuntimeCache build(List<Path> classPath, Path parent, String key) {
        Path dir = parent.resolve("runtime-" + key);
        if (!Files.isDirectory(dir)) {
            Path tmp;
            try {
                tmp = Files.createTempDirectory(parent, ".runtime-");
                Grader.allowTraverse(tmp, true);
                Path cp = Files.createDirectories(tmp.resolve("cp"));
                Grader.allowTraverse(cp, true);
                for (int i = 0; i < classPath.size(); i++) {
                    copyEntry(classPath.get(i), cp.resolve(String.format("%03d", i)));
                }
                try {
                    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException | java.nio.file.DirectoryNotEmptyException e) {
                    Compiler.deleteTree(tmp); // another grader built it meanwhile
                }
            } catch (IOException e) {
                throw new GradingException("Could not prepare the sandbox's read-only class path in " + parent + ": " + e.getMessage(), e);
            }
        }
        List<Path> entries = entriesIn(dir, classPath);
        return new RuntimeCache(dir, entries, natives(classPath, entries, parent));
    }

    /** ND4J's extracted libraries, shared by every class path with the same native jars (400 MB: extracted once). */
    private static Path natives(List<Path> classPath, List<Path> entries, Path parent) {
        List<Path> jars = classPath.stream().filter(p -> p.getFileName().toString()
                .matches("(nd4j-native|openblas|javacpp|mkl|nd4j-cuda).*\\.jar")).toList();
        if (jars.stream().noneMatch(p -> p.getFileName().toString().startsWith("nd4j-"))) {
            return null;
        }
        Path dir = parent.resolve("natives-" + key(jars));
        synchronized (RuntimeCache.class) {
            if (!Files.isDirectory(dir)) {
                try {
                    Path tmp = Files.createTempDirectory(parent, ".natives-");
                    Grader.allowTraverse(tmp, true);
                    extractNatives(entries, tmp, dir);
                    try {
                        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                    } catch (IOException e) {
                        Compiler.deleteTree(tmp); // another grader built it meanwhile
                    }
                } catch (IOException e) {
                    throw new GradingException("Could not extract ND4J's native libraries into " + parent + ": " + e.getMessage(), e);
                }
            }
        }
        return dir;
    }

    private static List<Path> entriesIn(Path dir, List<Path> classPath) {
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < classPath.size(); i++) {
            Path slot = dir.resolve("cp").resolve(String.format("%03d", i));
            Path src = classPath.get(i);
            out.add(Files.isDirectory(src) ? slot : slot.resolve(src.getFileName().toString()));
        }
        return out;
    }

    /** A jar keeps its file name (JavaCPP names its cache after it); a class folder is copied whole. */
    private static void copyEntry(Path src, Path slot) throws IOException {
        Files.createDirectories(slot);
        Grader.allowTraverse(slot, true);
        if (Files.isDirectory(src)) {
            try (Stream<Path> s = Files.walk(src)) {
                for (Path p : s.toList()) {
                    Path t = slot.resolve(src.relativize(p).toString());
                    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        Files.createDirectories(t);
                        Grader.allowTraverse(t, true);
                    } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                        Files.copy(p, t);
                        readable(t);
                    }
                }
            }
        } else if (Files.isRegularFile(src)) {
            Path t = slot.resolve(src.getFileName().toString());
            try {
                if (!Files.getPosixFilePermissions(src).contains(PosixFilePermission.OTHERS_READ)) {
                    throw new IOException("not world-readable");
                }
                Files.createLink(t, src);
            } catch (IOException | UnsupportedOperationException e) {
                Files.copy(src, t, StandardCopyOption.REPLACE_EXISTING);
                readable(t);
            }
        }
    }

    private static void readable(Path f) throws IOException {
        try {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not POSIX
        }
    }

    /**
     * Runs a trusted JVM (no student code) that loads ND4J, so JavaCPP extracts its libraries
     * into {@code natives}; {@code finalPath} is where they will live (their links point there).
     */
    private static void extractNatives(List<Path> cp, Path natives, Path finalPath) throws IOException {
        // Extract at the final path through a link, so absolute links between the libraries stay right.
        Path link = finalPath;
        boolean linked = false;
        try {
            if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, natives);
                linked = true;
            }
        } catch (IOException e) {
            link = natives;
        }
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dorg.bytedeco.javacpp.cachedir=" + (linked ? link : natives),
                "-cp", String.join(File.pathSeparator, cp.stream().map(Path::toString).toList()),
                "dev.attentionkit.grading.runner.NativeWarmup");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readNBytes(64 * 1024);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("extracting ND4J's native libraries failed: "
                        + Text.firstLines(new String(out, StandardCharsets.UTF_8), 5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            if (linked) {
                Files.deleteIfExists(link);
            }
        }
        try (Stream<Path> s = Files.walk(natives)) {
            for (Path p : s.toList()) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Grader.allowTraverse(p, true);
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    readable(p);
                }
            }
        }
        Files.deleteIfExists(natives.resolve(".lock"));
    }

    private static String key(List<Path> classPath) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Path p : classPath) {
                md.update(p.toString().getBytes(StandardCharsets.UTF_8));
                if (Files.isDirectory(p)) {
                    try (Stream<Path> s = Files.walk(p)) {
                        for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                            stamp(md, f);
                        }
                    }
                } else if (Files.isRegularFile(p)) {
                    stamp(md, p);
                }
                md.update((byte) 0);
            }
            md.update(Set.of().toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest()).substring(0, 24);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void stamp(MessageDigest md, Path f) throws IOException {
        md.update((f + "|" + Files.size(f) + "|" + Files.getLastModifiedTime(f).toMillis() + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
