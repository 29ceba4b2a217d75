package dev.attentionkit.grading;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Confines every process that touches student code (javac on the submission, the test JVM) with
 * bubblewrap ({@code bwrap}, Debian package {@code bubblewrap}), a maintained sandbox.
 *
 * <p>Layers, strongest first (see grader/README.md, "Threat model"):
 * <ul>
 *   <li>an unprivileged uid of its own: as root the grader drops to a fresh uid with
 *       {@code setpriv} (no capabilities, empty bounding set, {@code no_new_privs}) before
 *       {@code bwrap} starts, so nothing in the sandbox is root on the host, and the
 *       process cap ({@code RLIMIT_NPROC}) binds;</li>
 *   <li>new user, PID, network, IPC, UTS and cgroup namespaces: a private {@code /proc}, only a
 *       loopback interface of its own, no view of other processes;</li>
 *   <li>a file system built from nothing: read-only binds of {@code /usr} (the JDK and libc), the
 *       JDK's {@code /etc} configuration, and exactly the folders the process needs (the kit's
 *       class path from a read-only copy, the compiled submission); writable only a size-capped
 *       tmpfs work area and {@code /tmp}. The kit, {@code .git}, {@code solutions/}, the graded
 *       sources, {@code ~/.m2}, other submissions and the results folder do not exist inside;</li>
 *   <li>{@code --die-with-parent}, {@code --new-session} (no terminal injection), an empty
 *       environment, {@code prlimit} caps on processes, file size and core dumps.</li>
 * </ul>
 * Where a layer cannot be had, the grader still runs, and {@link Jail#missing()} names exactly
 * what is missing; the report and results.json repeat it.
 */
final class Sandbox {
    /** Where the sandbox shows what it binds. */
    static final String INSIDE = "/ak";
    /** The work area inside the sandbox: the current folder, HOME and java.io.tmpdir. */
    static final String WORK = INSIDE + "/work";

    /** Kept for reports from older graders: the process cap did not bind root. */
    static final String ROOT_NPROC_WARNING = "Grading as root: the cap on threads and processes does not bind root, "
            + "so a thread bomb is stopped only by the per-test timeout, the heap limit and the private PID namespace "
            + "(grade as an ordinary user for the cap).";

    /** How this machine confines student code. */
    enum Mode {
        /** Root drops to a fresh uid with setpriv, then bwrap with a user namespace: every layer. */
        BWRAP_OTHER_UID,
        /** bwrap as root without a user namespace, setpriv inside it: every layer. */
        BWRAP_ROOT_SETPRIV,
        /** A non-root grader runs bwrap as itself (user namespace): every layer, the uid is the grader's own. */
        BWRAP_SELF,
        /** No bwrap, but root: a fresh uid without capabilities; no namespaces, the host file system is visible. */
        SETPRIV_ONLY,
        /** Nothing available (or --no-sandbox). */
        NONE
    }

    private static final long WORK_BYTES = 256L * 1024 * 1024;
    private static final long TMP_BYTES = 64L * 1024 * 1024;
    private static final long JAVACPP_BYTES = 16L * 1024 * 1024;
    private static final long MAX_FILE_BYTES = 256L * 1024 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static volatile Probe probe;

    private Sandbox() {
    }

    /** What the probe found: the mode, the tools' paths, and why better modes failed. */
    record Probe(Mode mode, String bwrap, String setpriv, String prlimit, boolean disableUserns, String why) {
    }

    /** A process to be confined: its read-only binds, then {@link #command}. */
    static final class Jail {
        private final Mode mode;
        private final Probe probe;
        private final Limits limits;
        private final Path hostWork;
        private final Map<String, Path> binds = new LinkedHashMap<>();
        private final int uid;
        private Path nativeCache;

        private Jail(Mode mode, Probe probe, Limits limits, Path hostWork) {
            this.mode = mode;
            this.probe = probe;
            this.limits = limits;
            this.hostWork = hostWork;
            this.uid = 1_000_000 + RANDOM.nextInt(1 << 24);
        }

        /** Whether the process gets a file system view of its own. */
        boolean isolatedFileSystem() {
            return mode == Mode.BWRAP_OTHER_UID || mode == Mode.BWRAP_ROOT_SETPRIV || mode == Mode.BWRAP_SELF;
        }

        /** How it is confined. */
        Mode mode() {
            return mode;
        }

        /**
         * Shows {@code host} read-only at {@code INSIDE/name} and returns the path the process
         * must use for it (the host path itself when there is no private file system).
         */
        String readOnly(Path host, String name) {
            if (!isolatedFileSystem()) {
                return host.toString();
            }
            String inside = INSIDE + "/" + name;
            binds.put(inside, host.toAbsolutePath().normalize());
            return inside;
        }

        /**
         * Shows JavaCPP's cache of extracted native libraries {@code host} at its own path, read-only
         * inside a writable tmpfs (JavaCPP insists on a writable cache folder; absolute links
         * between its libraries keep working). Returns the value for {@code -Dorg.bytedeco.javacpp.cachedir},
         * or null where the process should extract for itself.
         */
        String nativeCache(Path host) {
            if (!isolatedFileSystem() || host == null) {
                return null;
            }
            nativeCache = host.toAbsolutePath().normalize();
            return nativeCache.toString();
        }

        /**
         * Creates the host folder the process starts in (and, without a private file system,
         * works in); hands it to the sandbox's uid where that uid is not the grader's.
         */
        void prepare() {
            try {
                Files.createDirectories(hostWork);
                if (mode == Mode.SETPRIV_ONLY) {
                    Files.setAttribute(hostWork, "unix:uid", uid);
                    Files.setAttribute(hostWork, "unix:gid", uid);
                }
            } catch (IOException | UnsupportedOperationException e) {
                throw new GradingException("Could not prepare the sandbox's work folder " + hostWork + ": " + e.getMessage(), e);
            }
        }

        /** The folder to start the process in. */
        Path hostDir() {
            return isolatedFileSystem() ? Path.of("/") : hostWork;
        }

        /** The writable work area as the process sees it. */
        String work() {
            return isolatedFileSystem() ? WORK : hostWork.toString();
        }

        /** The full command line for {@code argv} (whose paths came from {@link #readOnly} and {@link #work}). */
        List<String> command(List<String> argv) {
            List<String> cmd = new ArrayList<>();
            if (mode == Mode.NONE) {
                cmd.addAll(argv);
                return cmd;
            }
            if (probe.prlimit() != null) {
                cmd.addAll(List.of(probe.prlimit(), "--core=0", "--fsize=" + MAX_FILE_BYTES,
                        "--nproc=" + (mode == Mode.BWRAP_SELF ? threadsOfThisUser() + limits.maxProcesses() : limits.maxProcesses()),
                        "--"));
            }
            switch (mode) {
                case BWRAP_OTHER_UID -> {
                    cmd.addAll(setpriv(probe.setpriv(), uid));
                    cmd.addAll(bwrap(true));
                }
                case BWRAP_SELF -> cmd.addAll(bwrap(true));
                case BWRAP_ROOT_SETPRIV -> {
                    cmd.addAll(bwrap(false));
                    cmd.addAll(setpriv(probe.setpriv(), uid));
                }
                case SETPRIV_ONLY -> cmd.addAll(setpriv(probe.setpriv(), uid));
                default -> throw new IllegalStateException(mode.toString());
            }
            cmd.addAll(argv);
            return cmd;
        }

        private List<String> bwrap(boolean userNamespace) {
            List<String> b = new ArrayList<>(List.of(probe.bwrap()));
            if (userNamespace) {
                b.addAll(List.of("--unshare-user", "--uid", "65534", "--gid", "65534"));
                if (probe.disableUserns()) {
                    b.add("--disable-userns");
                }
            }
            b.addAll(List.of("--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                    "--die-with-parent", "--new-session", "--hostname", "grading",
                    "--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "LANG", "C.UTF-8",
                    "--setenv", "HOME", WORK));
            // The BLAS kernel for this CPU (tools/blas-env.sh, or the user's own): a setting, not a secret.
            String blasCore = System.getenv("OPENBLAS_CORETYPE");
            if (blasCore != null && blasCore.matches("[A-Za-z0-9_]+")) {
                b.addAll(List.of("--setenv", "OPENBLAS_CORETYPE", blasCore));
            }
            // Without a user namespace bwrap runs as root: the folders it makes on the way to a mount point are
            // root's and 0700, and its tmpfs root's, so the uid setpriv drops to inside could neither reach the
            // binds nor write: parent folders 0755, writable tmpfs world-writable with the sticky bit, as /tmp is
            // (only that one uid runs inside).
            java.util.Set<String> made = new java.util.HashSet<>(List.of("/"));
            java.util.function.BiConsumer<String, List<String>> at = (dest, op) -> {
                if (!userNamespace) {
                    Path d = Path.of(dest);
                    for (int i = 1; i < d.getNameCount(); i++) {
                        String parent = "/" + d.subpath(0, i);
                        if (made.add(parent)) {
                            b.addAll(List.of("--perms", "0755", "--dir", parent));
                        }
                    }
                }
                made.add(dest);
                b.addAll(op);
            };
            List<String> system = systemBinds();
            for (int i = 0; i + 2 < system.size(); i += 3) {
                at.accept(system.get(i + 2), system.subList(i, i + 3));
            }
            List<String> perms = userNamespace ? List.of() : List.of("--perms", "1777");
            at.accept("/proc", List.of("--proc", "/proc"));
            at.accept("/dev", List.of("--dev", "/dev"));
            List<String> tmp = new ArrayList<>(perms);
            tmp.addAll(List.of("--size", Long.toString(TMP_BYTES), "--tmpfs", "/tmp"));
            at.accept("/tmp", tmp);
            List<String> work = new ArrayList<>(perms);
            work.addAll(List.of("--size", Long.toString(WORK_BYTES), "--tmpfs", WORK));
            at.accept(WORK, work);
            if (nativeCache != null) {
                // JavaCPP wants a writable cache folder: a small tmpfs, with the extracted libraries bound read-only in it.
                List<String> cache = new ArrayList<>(perms);
                cache.addAll(List.of("--size", Long.toString(JAVACPP_BYTES), "--tmpfs", nativeCache.toString()));
                at.accept(nativeCache.toString(), cache);
                try (var s = Files.list(nativeCache)) {
                    for (Path d : s.sorted().toList()) {
                        at.accept(d.toString(), List.of("--ro-bind", d.toString(), d.toString()));
                    }
                } catch (IOException e) {
                    // an unreadable cache: JavaCPP extracts into the tmpfs and reports it if that is too small
                }
            }
            binds.forEach((inside, host) -> at.accept(inside, List.of("--ro-bind", host.toString(), inside)));
            // bwrap's own root and /dev are unbounded tmpfs owned by the sandbox's uid: read-only once built,
            // so only the size-capped work area and /tmp take writes.
            b.addAll(List.of("--remount-ro", "/dev", "--remount-ro", "/", "--chdir", WORK, "--"));
            return b;
        }

        /** What this jail lacks, in words a learner and an instructor can act on; empty when nothing is missing. */
        List<String> missing() {
            return Sandbox.missing(mode, probe, limits);
        }
    }

    /** A jail for one process whose writable area is {@code hostWork} when no private file system can be had. */
    static Jail jail(Limits limits, Path hostWork) {
        Probe p = probe();
        Mode mode = limits.sandbox() ? p.mode() : Mode.NONE;
        return new Jail(mode, p, limits, hostWork);
    }

    /** The protections missing for processes under {@code limits}, as sentences. */
    static List<String> missing(Limits limits) {
        Probe p = probe();
        return missing(limits.sandbox() ? p.mode() : Mode.NONE, p, limits);
    }

    private static List<String> missing(Mode mode, Probe p, Limits limits) {
        List<String> m = new ArrayList<>();
        if (!limits.sandbox()) {
            m.add("Sandbox switched off (--no-sandbox): student code ran as the grader's own user, with network access,"
                    + " seeing the whole file system and every process.");
            return m;
        }
        switch (mode) {
            case BWRAP_OTHER_UID -> { }
            case BWRAP_ROOT_SETPRIV -> m.add("No user namespaces here (" + p.why() + "): bubblewrap ran as root without"
                    + " one and dropped to a fresh unprivileged uid inside (setpriv); every other layer is in place.");
            case BWRAP_SELF -> m.add("Student code ran as the grader's own user (inside bubblewrap, without access to"
                    + " anything not bound in); grade as root for a separate unprivileged uid.");
            case SETPRIV_ONLY -> m.add("No usable bubblewrap here (" + p.why() + "): student code ran as an unprivileged uid"
                    + " without capabilities, but WITH network access, the host's /proc and a read-only view of every"
                    + " world-readable file (install the Debian package bubblewrap and allow user namespaces).");
            case NONE -> m.add("No sandbox available (" + p.why() + "): student code ran as the grader's own user, with"
                    + " network access, seeing the whole file system and every process (install bubblewrap and allow"
                    + " user namespaces, or grade as root).");
        }
        if (p.prlimit() == null && mode != Mode.NONE) {
            m.add("prlimit (util-linux) not found: no cap on processes, file sizes or core dumps.");
        }
        return m;
    }

    /** The host's system folders the JDK and libc need, read-only; top-level links such as /lib -> usr/lib kept as links. */
    private static List<String> systemBinds() {
        List<String> b = new ArrayList<>(List.of("--ro-bind", "/usr", "/usr"));
        for (String top : List.of("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")) {
            Path p = Path.of(top);
            try {
                if (Files.isSymbolicLink(p)) {
                    b.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), top));
                } else if (Files.isDirectory(p)) {
                    b.addAll(List.of("--ro-bind", top, top));
                }
            } catch (IOException e) {
                // unreadable: leave it out
            }
        }
        Path javaHome = Path.of(System.getProperty("java.home")).toAbsolutePath().normalize();
        if (!javaHome.startsWith("/usr")) {
            b.addAll(List.of("--ro-bind", javaHome.toString(), javaHome.toString()));
        }
        // Debian's JDK keeps its configuration in /etc/java-NN-openjdk (conf/ links there); nothing else of /etc is needed.
        try (var s = Files.list(Path.of("/etc"))) {
            for (Path e : s.filter(f -> f.getFileName().toString().startsWith("java-")).sorted().toList()) {
                b.addAll(List.of("--ro-bind", e.toString(), e.toString()));
            }
        } catch (IOException e) {
            // no /etc: nothing to bind
        }
        return b;
    }

    private static List<String> setpriv(String setpriv, int uid) {
        return List.of(setpriv, "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--no-new-privs",
                "--bounding-set=-all", "--inh-caps=-all", "--");
    }

    /** Finds the best mode this machine allows, once per grader process, by running each candidate. */
    static Probe probe() {
        Probe p = probe;
        if (p == null) {
            synchronized (Sandbox.class) {
                if (probe == null) {
                    probe = detect();
                }
                p = probe;
            }
        }
        return p;
    }

    private static Probe detect() {
        String bwrap = which("bwrap");
        String setpriv = which("setpriv");
        String prlimit = which("prlimit");
        if (prlimit != null && run(List.of(prlimit, "--core=0", "--", "/bin/true")) != null) {
            prlimit = null;
        }
        boolean root = isRoot();
        List<String> why = new ArrayList<>();
        if (bwrap == null) {
            why.add("bwrap not found");
        }
        if (root && setpriv == null) {
            why.add("setpriv not found");
        }
        String truePath = "/bin/true";
        if (bwrap != null) {
            for (boolean disable : new boolean[] {true, false}) {
                Probe candidate = new Probe(root ? Mode.BWRAP_OTHER_UID : Mode.BWRAP_SELF, bwrap, setpriv, prlimit, disable, "");
                if (root && setpriv == null) {
                    break;
                }
                String err = run(new Jail(candidate.mode(), candidate, Limits.defaults(), Path.of("/tmp")).command(List.of(truePath)));
                if (err == null) {
                    return candidate;
                }
                if (!disable) {
                    why.add("bwrap with a user namespace failed: " + err);
                }
            }
            if (root && setpriv != null) {
                Probe candidate = new Probe(Mode.BWRAP_ROOT_SETPRIV, bwrap, setpriv, prlimit, false, String.join("; ", why));
                String err = run(new Jail(candidate.mode(), candidate, Limits.defaults(), Path.of("/tmp")).command(List.of(truePath)));
                if (err == null) {
                    return candidate;
                }
                why.add("bwrap as root failed: " + err);
            }
        }
        String reason = String.join("; ", why);
        if (root && setpriv != null) {
            Probe candidate = new Probe(Mode.SETPRIV_ONLY, bwrap, setpriv, prlimit, false, reason);
            if (run(new Jail(candidate.mode(), candidate, Limits.defaults(), Path.of("/tmp")).command(List.of(truePath))) == null) {
                return candidate;
            }
        }
        return new Probe(Mode.NONE, bwrap, setpriv, prlimit, false, reason.isEmpty() ? "not root and no bwrap" : reason);
    }

    /** Null when {@code cmd} succeeds, else the first line of what it printed. */
    private static String run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).directory(Path.of("/").toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "timed out";
            }
            String out = new String(p.getInputStream().readNBytes(2000), StandardCharsets.UTF_8).strip();
            return p.exitValue() == 0 ? null : (out.isEmpty() ? "exit " + p.exitValue() : Text.firstLines(out, 1));
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * Where the tools are looked for: the system folders, or the folders of the system property
     * {@value #TOOLS_PROPERTY} (separated by {@code :}), which the grader's tests use to run it on a machine
     * without bwrap, or with one that fails as in a container without user namespaces. PATH is not used: a
     * grader started as root should not run whatever a PATH entry calls bwrap.
     */
    static final String TOOLS_PROPERTY = "attentionkit.sandbox.tools";

    private static String which(String tool) {
        String dirs = System.getProperty(TOOLS_PROPERTY);
        for (String dir : dirs != null ? List.of(dirs.split(":")) : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                try {
                    // The real file: setpriv runs inside bwrap in one mode, where only the system folders are bound.
                    return p.toRealPath().toString();
                } catch (IOException e) {
                    return p.toString();
                }
            }
        }
        return null;
    }

    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return "root".equals(System.getProperty("user.name"));
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
