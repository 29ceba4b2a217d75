package dev.attentionkit.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One adversarial submission per breach class of issue 11, each graded by the real grader in its
 * real sandbox (bubblewrap; as root in CI) and checked from outside: the points it earns, the
 * files it left outside its work area, the processes it left, the connections it made and the
 * results.json that must still be written. Where the breach is only stopped by the sandbox, the
 * same submission graded with {@code --no-sandbox} shows that the fixture really attempts it.
 *
 * <p>The fixtures are the fixture kit's correct submission with one attacking class; the
 * attacking source is written here, with the host paths it aims at filled in, so that each
 * attack targets the real kit, class path and folders of this run.
 */
class BreachTest {
    /** Full marks of the fixture kit (visible 10 + hidden 2). */
    private static final int FULL = 12;

    @BeforeAll
    static void needsTheSandbox() {
        assumeTrue(Sandbox.probe().mode() == Sandbox.Mode.BWRAP_OTHER_UID || Sandbox.probe().mode() == Sandbox.Mode.BWRAP_SELF,
                "bubblewrap is not usable here (" + Sandbox.probe() + "); the grader reports the missing layers instead");
    }

    /** The correct submission with {@code ch01/Adder.java} replaced by {@code adderBody} (the body of add). */
    private static Path submission(Path tmp, String name, String adderBody) throws IOException {
        Path dir = tmp.resolve(name);
        BatchTestSupport.copy(Fixtures.submission("correct"), dir);
        Files.writeString(dir.resolve("src/main/java/dev/attentionkit/exercises/ch01/Adder.java"), """
                package dev.attentionkit.exercises.ch01;

                import java.io.*;
                import java.nio.file.*;
                import java.util.*;

                public final class Adder {
                    public static int add(int a, int b) {
                        try {
                %s
                        } catch (Throwable t) {
                            System.out.println("attack failed: " + t);
                        }
                        return a + b;
                    }
                }
                """.formatted(adderBody.indent(12)));
        return dir;
    }

    private static String javaString(Object s) {
        return "\"" + s.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Host processes whose command line contains {@code needle}. */
    private static List<ProcessHandle> hostProcesses(String needle) {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(needle)).toList();
    }

    @Test
    void processesStartedByTheTestsDieWithTheSandbox(@TempDir Path tmp) throws Exception {
        String tag = "4242" + ProcessHandle.current().pid();
        String attack = """
                new ProcessBuilder("sleep", %s).start();
                new ProcessBuilder("setsid", "sh", "-c", "sleep " + %s + " & sleep " + %s).start();
                """.formatted(javaString(tag), javaString(tag), javaString(tag));
        GradeReport r = Fixtures.grader().grade(submission(tmp, "spawner", attack), null);
        assertEquals(FULL, r.score(), r.toString());
        Thread.sleep(500);
        assertEquals(List.of(), hostProcesses("sleep " + tag), "processes outlived the sandbox");
    }

    @Test
    void writesOutsideTheWorkAreaAndPlantedClassesLeaveNothingOnTheHost(@TempDir Path tmp) throws IOException {
        String mark = "attention-kit-breach-" + ProcessHandle.current().pid();
        List<Path> targets = new ArrayList<>(List.of(Path.of("/tmp"), Path.of("/root"), Path.of(System.getProperty("user.home")),
                Path.of("").toAbsolutePath(), Path.of("").toAbsolutePath().getParent(), tmp));
        for (Path p : Fixtures.KIT_CLASS_PATH) {
            targets.add(Files.isDirectory(p) ? p : p.getParent());
        }
        Path classes = Fixtures.KIT_CLASS_PATH.stream().filter(Files::isDirectory).findFirst().orElseThrow();
        StringBuilder attack = new StringBuilder("List<String> dirs = new ArrayList<>(List.of(");
        attack.append(String.join(", ", targets.stream().map(BreachTest::javaString).toList())).append("));\n");
        attack.append("""
                for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
                    dirs.add(Files.isDirectory(Path.of(e)) ? e : String.valueOf(Path.of(e).getParent()));
                }
                int written = 0;
                for (String d : dirs) {
                    try { Files.writeString(Path.of(d, %s), "x"); written++; } catch (Exception e) { }
                }
                // A class planted in the grader's own classes, which the grader JVM would load.
                for (String d : new String[] {%s}) {
                    try {
                        Files.createDirectories(Path.of(d, "dev/attentionkit/grading"));
                        Files.write(Path.of(d, "dev/attentionkit/grading/Planted" + %s + ".class"), new byte[] {(byte) 0xca, (byte) 0xfe});
                        written++;
                    } catch (Exception e) { }
                }
                System.out.println("wrote " + written);
                """.formatted(javaString(mark), javaString(classes), javaString(ProcessHandle.current().pid())));
        Path sub = submission(tmp, "writer", attack.toString());
        try {
            GradeReport r = Fixtures.grader().grade(sub, null);
            assertEquals(FULL, r.score(), r.toString());
            for (Path t : targets) {
                assertFalse(Files.exists(t.resolve(mark)), "the sandbox wrote " + t.resolve(mark));
            }
            Path planted = classes.resolve("dev/attentionkit/grading/Planted" + ProcessHandle.current().pid() + ".class");
            assertFalse(Files.exists(planted), "planted " + planted);

            // Proof that the fixture attacks: without the sandbox the same code leaves its marks.
            Fixtures.grader().withLimits(Fixtures.grader().limits().withSandbox(false)).grade(sub, null);
            assertTrue(Files.exists(Path.of("/tmp").resolve(mark)) && Files.exists(planted), "the fixture did not attack");
        } finally {
            for (Path t : targets) {
                Files.deleteIfExists(t.resolve(mark));
            }
            Files.deleteIfExists(classes.resolve("dev/attentionkit/grading/Planted" + ProcessHandle.current().pid() + ".class"));
        }
    }

    @Test
    void kitSolutionsGradedAndHiddenSourcesGitOtherWorkAreasAndTheGraderEnvironmentAreOutOfSight(@TempDir Path tmp)
            throws IOException {
        Path kit = Fixtures.KIT;
        Path repo = Path.of("").toAbsolutePath().getParent();
        // Another submission's work area exists while this one is graded: a live one, planted by hand.
        Path other = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir"), "attention-kit-work"), "grade-");
        Files.writeString(other.resolve("Secret.java"), "class Secret {}");
        String attack = """
                List<String> found = new ArrayList<>();
                for (String p : new String[] {%s, %s, %s, %s, %s, "/root/.m2", "/etc/shadow"}) {
                    if (Files.exists(Path.of(p))) found.add(p);
                }
                // Other processes: the grader's environment and command line, and their view of the file system.
                try (var procs = Files.list(Path.of("/proc"))) {
                    for (Path p : procs.filter(q -> q.getFileName().toString().matches("\\\\d+")).toList()) {
                        for (String f : new String[] {"environ", "cmdline"}) {
                            try {
                                String s = new String(Files.readAllBytes(p.resolve(f)));
                                if (s.contains("surefire") || s.contains("GradeMain") || s.contains("MAVEN")) found.add(p + "/" + f);
                            } catch (Exception e) { }
                        }
                        if (Files.exists(p.resolve("root").resolve(%s.substring(1)))) found.add(p + "/root");
                    }
                }
                // git, from wherever the class path and the working folder lead.
                for (String e : (System.getProperty("java.class.path") + File.pathSeparator + System.getProperty("user.dir")).split(File.pathSeparator)) {
                    for (Path q = Path.of(e).toAbsolutePath(); q != null; q = q.getParent()) {
                        if (Files.exists(q.resolve(".git"))) found.add(q + "/.git");
                        if (Files.exists(q.resolve("solutions"))) found.add(q + "/solutions");
                    }
                }
                try {
                    Process git = new ProcessBuilder("git", "-C", %s, "show", "HEAD:README.md").redirectErrorStream(true).start();
                    if (git.waitFor() == 0) found.add("git show");
                } catch (Exception e) { }
                if (!found.isEmpty()) {
                    System.out.println("found " + found);
                    return -1;
                }
                """.formatted(javaString(kit.resolve("solutions")), javaString(kit.resolve("graded/src/hidden/java")),
                javaString(repo.resolve(".git").toFile().exists() ? repo.resolve(".git") : repo.getParent().resolve(".git")),
                javaString(other.resolve("Secret.java")), javaString(repo.resolve("grader/pom.xml")),
                javaString(repo), javaString(repo));
        Path sub = submission(tmp, "reader", attack);
        try {
            GradeReport r = Fixtures.grader().grade(sub, null);
            assertEquals(FULL, r.score(), r.toString());
            GradeReport open = Fixtures.grader().withLimits(Fixtures.grader().limits().withSandbox(false)).grade(sub, null);
            assertEquals(FULL - 8, open.score(), "without the sandbox the fixture finds them: " + open);
        } finally {
            Compiler.deleteTree(other);
        }
    }

    @Test
    void loopbackServicesAndOtherNetworkNamespacesAreUnreachable(@TempDir Path tmp) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(200);
            AtomicInteger connections = new AtomicInteger();
            Thread accept = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        connections.incrementAndGet();
                    } catch (SocketTimeoutException e) {
                        // keep listening
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            accept.setDaemon(true);
            accept.start();
            int port = server.getLocalPort();
            String attack = """
                    int reached = 0;
                    try (var s = new java.net.Socket()) { s.connect(new java.net.InetSocketAddress("127.0.0.1", %d), 1000); reached++; } catch (Exception e) { }
                    // Into another network namespace: pid 1's, and every other visible process's.
                    try (var procs = Files.list(Path.of("/proc"))) {
                        for (Path p : procs.filter(q -> q.getFileName().toString().matches("\\\\d+")).toList()) {
                            try {
                                Process n = new ProcessBuilder("nsenter", "--net=" + p + "/ns/net", "--", "bash", "-c",
                                        "exec 3<>/dev/tcp/127.0.0.1/%d").redirectErrorStream(true).start();
                                if (n.waitFor(5, java.util.concurrent.TimeUnit.SECONDS) && n.exitValue() == 0) reached++;
                            } catch (Exception e) { }
                        }
                    }
                    if (reached > 0) return -1;
                    """.formatted(port, port);
            Path sub = submission(tmp, "net", attack);
            GradeReport r = Fixtures.grader().grade(sub, null);
            assertEquals(FULL, r.score(), r.toString());
            assertEquals(0, connections.get(), "the sandbox connected to the host's loopback");
            GradeReport open = Fixtures.grader().withLimits(Fixtures.grader().limits().withSandbox(false)).grade(sub, null);
            assertTrue(open.score() < FULL && connections.get() > 0, "the fixture did not attack: " + open);
        }
    }

    @Test
    void fillingTheDiskStopsAtTheWorkAreaCap(@TempDir Path tmp) throws IOException {
        String attack = """
                long written = 0;
                byte[] chunk = new byte[16 << 20];
                String[] dirs = {System.getProperty("user.dir"), System.getProperty("java.io.tmpdir"), "/tmp", "/dev/shm", "/"};
                for (int n = 0; n < dirs.length; n++) {
                    for (int i = 0; i < 64; i++) {
                        try { Files.write(Path.of(dirs[n], "fill-" + n + "-" + i), chunk); written += chunk.length; } catch (Exception e) { break; }
                    }
                }
                System.out.println("wrote " + (written >> 20) + " MiB");
                if (written > (640L << 20)) return -1;
                """;
        Path sub = submission(tmp, "filler", attack);
        GradeReport r = Fixtures.grader().grade(sub, null);
        // Full points: the fixture measured that it could write no more than the work area and /tmp caps allow.
        assertEquals(FULL, r.score(), "the sandbox could write more than its caps: " + r);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("wrote (\\d+) MiB").matcher(r.outcome("AdderTest#addsZero").output());
        assertTrue(m.find(), r.outcome("AdderTest#addsZero").output());
        int mib = Integer.parseInt(m.group(1));
        assertTrue(mib >= 128 && mib <= 320, "the tmpfs caps are 256 + 64 MiB; wrote " + mib + " MiB");
        // And none of it reached the host's disk (the caps are tmpfs, in the sandbox's memory).
        try (Stream<Path> s = Files.walk(Path.of(System.getProperty("java.io.tmpdir")), 3)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().startsWith("fill-")).toList());
        }
    }

    @Test
    void anUndeletableFileNeitherEscapesTheSandboxNorStopsResultsJson(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/chattr")), "chattr (e2fsprogs) not installed");
        String attack = """
                Path f = Path.of(System.getProperty("user.dir"), "immutable");
                Files.writeString(f, "x");
                Process p = new ProcessBuilder("chattr", "+i", f.toString()).redirectErrorStream(true).start();
                System.out.println("chattr exit " + p.waitFor());
                """;
        Path sub = submission(tmp, "immutable", attack);
        for (boolean sandbox : new boolean[] {true, false}) {
            Path json = tmp.resolve("results-" + sandbox + ".json");
            // The bytecode rules would stop this file-and-process attack first: switched off to reach the sandbox.
            List<String> args = new ArrayList<>(List.of("--kit-root", Fixtures.KIT.toString(), sub.toString(), "--json",
                    json.toString(), "--no-reference-check"));
            if (!sandbox) {
                args.add("--no-sandbox"); // as root on a real file system, chattr +i then works: clean-up must cope
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int rc = GradeMain.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(out, true, StandardCharsets.UTF_8));
            assertEquals(0, rc, out.toString());
            JsonNode node = new ObjectMapper().readTree(json.toFile());
            assertEquals(FULL, node.get("score").asInt(), out.toString());
        }
        // What the unsandboxed run left behind: make it deletable again.
        // Other test classes create and delete their work areas beside it meanwhile: a folder that goes away
        // during the walk is skipped, not an error.
        List<Path> immutable = new ArrayList<>();
        Files.walkFileTree(Path.of(System.getProperty("java.io.tmpdir"), "attention-kit-work"), java.util.Set.of(), 4,
                new java.nio.file.SimpleFileVisitor<>() {
                    @Override
                    public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs) {
                        if (file.getFileName().toString().equals("immutable")) {
                            immutable.add(file);
                        }
                        return java.nio.file.FileVisitResult.CONTINUE;
                    }

                    @Override
                    public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
                        return java.nio.file.FileVisitResult.CONTINUE;
                    }
                });
        for (Path p : immutable) {
            new ProcessBuilder("chattr", "-i", p.toString()).start().waitFor();
            Compiler.deleteTree(p.getParent().getParent());
        }
    }

    @Test
    void framesForgedWithAKeyReadFromItsOwnMemoryEarnNothing(@TempDir Path tmp) throws IOException {
        // Wrong answers (a - b), plus PASSED frames for every Adder test, signed with every 256-bit hex key
        // found in the JVM's own memory (/proc/self/mem), for every plausible sequence number.
        String attack = """
                List<String> keys = new ArrayList<>();
                try (RandomAccessFile mem = new RandomAccessFile("/proc/self/mem", "r")) {
                    long budget = 768L << 20;
                    for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                        String[] f = line.split("\\s+");
                        if (!f[1].startsWith("rw") || budget <= 0) continue;
                        String[] r = f[0].split("-");
                        long from = Long.parseUnsignedLong(r[0], 16), to = Long.parseUnsignedLong(r[1], 16);
                        byte[] buf = new byte[1 << 20];
                        for (long at = from; at < to && budget > 0; at += buf.length) {
                            int n = (int) Math.min(buf.length, to - at);
                            try { mem.seek(at); mem.readFully(buf, 0, n); } catch (IOException e) { break; }
                            budget -= n;
                            int run = 0;
                            for (int i = 0; i < n; i++) {
                                boolean hex = (buf[i] >= '0' && buf[i] <= '9') || (buf[i] >= 'a' && buf[i] <= 'f');
                                run = hex ? run + 1 : 0;
                                if (run == 64 && keys.size() < 64) keys.add(new String(buf, i - 63, 64));
                            }
                        }
                    }
                }
                var out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
                String[] tests = {"AdderTest#addsPositives", "AdderTest#addsNegatives", "AdderTest#addsZero", "AdderHiddenTest#millions"};
                for (String k : keys) {
                    var frames = new dev.attentionkit.grading.runner.Frames(java.util.HexFormat.of().parseHex(k));
                    for (long seq = 0; seq < 24; seq++) {
                        for (String t : tests) {
                            out.println(frames.encode(seq, List.of("RESULT", "dev.attentionkit.exercises.ch01." + t, "PASSED", "", "", "")));
                        }
                    }
                }
                System.out.println("keys found: " + keys.size());
                if (true) return a - b;
                """;
        Path sub = submission(tmp, "forger-mem", attack);
        GradeReport r = Fixtures.grader().grade(sub, null);
        assertEquals(FULL - 8, r.score(), "only Multiplier's 4 points are deserved: " + r);
        // The same attack on a runner that shares its JVM with the submission (no sandbox): the forgery works there.
        // (Its scan of the JVM's memory takes more than the fixtures' 8 s on a loaded machine: a longer test limit.)
        GradeReport open = Fixtures.grader().withLimits(Fixtures.grader().limits().withSandbox(false)
                .withTestTimeout(java.time.Duration.ofSeconds(60))).grade(sub, null);
        assertTrue(open.score() > FULL - 8, "the fixture did not forge: " + open);
    }

    @Test
    void aJavacBombCostsOnlyItsOwnPointsWithinTheTotalBudget(@TempDir Path tmp) throws IOException {
        Path sub = submission(tmp, "javac-bomb", "");
        // Overloaded generic methods on nested conditionals: javac's inference tries every combination
        // (exponential in the depth; 20 levels already take more than 25 s), in a few hundred bytes of valid Java.
        StringBuilder b = new StringBuilder("""
                package dev.attentionkit.exercises.ch01;

                final class Bomb {
                    static <T extends Comparable<T>> T k(T t) { return t; }
                    static <T> java.util.List<T> k(java.util.List<T> t) { return t; }
                    static Object y() { return\s""");
        String expr = "1";
        for (int i = 0; i < 30; i++) {
            expr = "k(true ? " + expr + " : " + i + ")";
        }
        b.append(expr).append("; }\n}\n");
        Files.writeString(sub.resolve("src/main/java/dev/attentionkit/exercises/ch01/Bomb.java"), b.toString());
        Path json = tmp.resolve("results.json");
        long start = System.nanoTime();
        int rc = GradeMain.run(new String[] {"--kit-root", Fixtures.KIT.toString(), sub.toString(), "--json", json.toString(),
                "--total-timeout", "15"}, quiet(), quiet());
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        assertEquals(0, rc);
        assertTrue(seconds < 40, "took " + seconds + " s with a 15 s budget");
        JsonNode node = new ObjectMapper().readTree(json.toFile());
        assertEquals(0, node.get("score").asInt());
        assertTrue(node.get("tests").get(0).get("output").asText().contains("did not finish within"), node.toString());
    }

    @Test
    void aSubmittedClassNamedLikeAGradedHelperOrTestCannotStandInForIt(@TempDir Path tmp) throws IOException {
        Path sub = submission(tmp, "shadow", "");
        Path ch02 = sub.resolve("src/main/java/dev/attentionkit/exercises/ch02");
        // Wrong on purpose, and a Reference (the graded tests' helper) that agrees with it.
        Files.writeString(ch02.resolve("Multiplier.java"), """
                package dev.attentionkit.exercises.ch02;
                public final class Multiplier { public static int times(int a, int b) { return -1; } }
                """);
        Files.writeString(ch02.resolve("Reference.java"), """
                package dev.attentionkit.exercises.ch02;
                final class Reference { static int product(int a, int b) { return -1; } }
                """);
        Files.writeString(sub.resolve("src/main/java/dev/attentionkit/exercises/ch01/AdderTest.java"), """
                package dev.attentionkit.exercises.ch01;
                class AdderTest {
                    void addsPositives() { } void addsNegatives() { } void addsZero() { }
                }
                """);
        GradeReport r = Fixtures.grader().grade(sub, null);
        assertEquals(FULL - 4, r.score(), r.toString());
        assertFalse(r.outcome("MultiplierTest#small").passed(), r.toString());
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }
}
