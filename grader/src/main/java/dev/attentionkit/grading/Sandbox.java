package dev.attentionkit.grading;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The command prefix that confines the test JVM, built from what this machine offers:
 * {@code unshare} (util-linux) for a private network (no network at all), a private PID
 * namespace (every process the tests start dies with the JVM) and a private mount namespace
 * in which the kit's solutions and graded test sources are covered by empty read-only tmpfs;
 * {@code prlimit} for process, core-dump and file-size limits. Whatever is missing is left out
 * with a warning, never silently.
 */
final class Sandbox {
    /**
     * Runs inside the new mount namespace: covers each folder to hide with an empty read-only
     * tmpfs, then covers the shared parent of all work areas (other submissions graded at the
     * same time) and bind-mounts only this submission's work area back, found through the
     * current directory, which still points at it after its parent is covered ({@code -c}: mount
     * must not canonicalise "." into a path, which would name the new, empty folder).
     */
    private static final String HIDE_SCRIPT =
            "n=$1; shift; while [ \"$n\" -gt 0 ]; do mount -t tmpfs -o ro,size=4k,mode=000 ak-hidden \"$1\" || exit 97;"
            + " shift; n=$((n-1)); done;"
            + " w=$1; shift; if [ -n \"$w\" ]; then cd \"$w\" && mount -t tmpfs -o size=64k,mode=755 ak-work \"${w%/*}\""
            + " && mkdir \"$w\" && mount -c --bind . \"$w\" && cd \"$w/run\" || exit 97; fi; exec \"$@\"";
    private static volatile Boolean unshareWorks;
    private static volatile Boolean mountWorks;
    private static volatile Boolean prlimitWorks;
    private static volatile boolean userNamespace;

    private Sandbox() {
    }

    /** The kernel does not apply RLIMIT_NPROC to root, so the process cap needs an unprivileged grader. */
    static final String ROOT_NPROC_WARNING = "Grading as root: the cap on threads and processes does not bind root, "
            + "so a thread bomb is stopped only by the per-test timeout, the heap limit and the private PID namespace "
            + "(grade as an ordinary user for the cap).";

    private static final boolean RUNNING_AS_ROOT = "root".equals(System.getProperty("user.name"));

    /** The prefix for a test JVM, hiding {@code hide} (existing folders) from it; notes degradations in {@code warnings}. */
    static List<String> prefix(Limits limits, List<Path> hide, List<String> warnings) {
        return prefix(limits, hide, null, warnings);
    }

    /**
     * The prefix for a test JVM, hiding {@code hide} (existing folders) and, when {@code work} is
     * given, every sibling of the work area {@code work}; notes degradations in {@code warnings}.
     */
    static List<String> prefix(Limits limits, List<Path> hide, Path work, List<String> warnings) {
        List<String> cmd = new ArrayList<>();
        if (!limits.sandbox()) {
            warnings.add("Sandbox switched off (--no-sandbox): tests ran with network access and could see the kit's files.");
            return cmd;
        }
        if (prlimitWorks == null) {
            prlimitWorks = works(List.of("prlimit", "--core=0", "true"));
        }
        if (prlimitWorks) {
            cmd.addAll(List.of("prlimit", "--core=0", "--fsize=" + 256L * 1024 * 1024,
                    "--nproc=" + (threadsOfThisUser() + limits.maxProcesses())));
            if (RUNNING_AS_ROOT) {
                warnings.add(ROOT_NPROC_WARNING);
            }
        } else {
            warnings.add("prlimit not available: no cap on processes or file sizes for the tests.");
        }
        if (unshareWorks == null) {
            // As root plain namespaces work; other users need a user namespace (root inside it only).
            if (works(List.of("unshare", "--net", "--pid", "--fork", "--kill-child", "true"))) {
                unshareWorks = true;
            } else if (works(List.of("unshare", "--map-root-user", "--net", "--pid", "--fork", "--kill-child", "true"))) {
                userNamespace = true;
                unshareWorks = true;
            } else {
                unshareWorks = false;
            }
        }
        if (!unshareWorks) {
            warnings.add("unshare not permitted here: tests ran WITH network access and could read the kit's files"
                    + " (run as root, or enable user namespaces, to isolate them).");
            return cmd;
        }
        List<Path> existing = hide.stream().filter(Files::isDirectory).toList();
        if (mountWorks == null) {
            mountWorks = probeMounts();
        }
        if (mountWorks && (!existing.isEmpty() || work != null)) {
            cmd.addAll(hideCommand(existing, work));
            cmd.remove(cmd.size() - 1); // drop the probe's "true"
        } else {
            cmd.addAll(unshare("--net", "--pid", "--fork", "--kill-child"));
            if (!mountWorks && !existing.isEmpty()) {
                warnings.add("Could not hide " + existing + " from the tests (mount namespace not permitted).");
            }
        }
        return cmd;
    }

    private static List<String> hideCommand(List<Path> dirs, Path work) {
        List<String> cmd = new ArrayList<>(unshare("--net", "--pid", "--fork", "--kill-child", "--mount",
                "--propagation", "private", "sh", "-c", HIDE_SCRIPT, "sh", Integer.toString(dirs.size())));
        dirs.forEach(d -> cmd.add(d.toAbsolutePath().toString()));
        cmd.add(work == null ? "" : work.toAbsolutePath().normalize().toString());
        cmd.add("true");
        return cmd;
    }

    private static List<String> unshare(String... options) {
        List<String> cmd = new ArrayList<>(List.of("unshare"));
        if (userNamespace) {
            cmd.add("--map-root-user");
        }
        cmd.addAll(List.of(options));
        return cmd;
    }

    /** Tries the whole hiding script on a throw-away work area, so a failure shows up here, not as failed tests. */
    private static boolean probeMounts() {
        Path parent = null;
        try {
            parent = Files.createTempDirectory("attention-kit-probe-");
            Path hidden = Files.createDirectories(parent.resolve("hidden"));
            Path work = parent.resolve("w");
            Files.createDirectories(work.resolve("run"));
            return works(hideCommand(List.of(hidden), work), work.resolve("run"));
        } catch (IOException e) {
            return false;
        } finally {
            if (parent != null) {
                Compiler.deleteTree(parent);
            }
        }
    }

    private static boolean works(List<String> cmd) {
        return works(cmd, null);
    }

    private static boolean works(List<String> cmd, Path dir) {
        try {
            Process p = new ProcessBuilder(cmd).directory(dir == null ? null : dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Threads already running under this user: RLIMIT_NPROC counts them all, so the cap sits on top. */
    private static int threadsOfThisUser() {
        int total = 0;
        try (var dirs = Files.list(Path.of("/proc"))) {
            String uid = null;
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    uid = line.split("\\s+")[1];
                }
            }
            for (Path d : dirs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try {
                    String owner = null;
                    int threads = 0;
                    for (String line : Files.readAllLines(d.resolve("status"))) {
                        if (line.startsWith("Uid:")) {
                            owner = line.split("\\s+")[1];
                        } else if (line.startsWith("Threads:")) {
                            threads = Integer.parseInt(line.split("\\s+")[1]);
                        }
                    }
                    if (owner != null && owner.equals(uid)) {
                        total += threads;
                    }
                } catch (IOException | RuntimeException e) {
                    // The process ended while we looked; skip it.
                }
            }
        } catch (IOException e) {
            return 4096;
        }
        return total;
    }
}
