package dev.attentionkit.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The grader where the strongest sandbox cannot be had, run as ./kit runs it (GradeMain in a JVM of its own,
 * which probes the machine afresh), with the tools it may use limited to a folder of this test's
 * ({@link Sandbox#TOOLS_PROPERTY}): no bwrap at all; a bwrap that fails the way it does in a container without
 * user namespaces (it is the real bwrap whenever no user namespace is asked for); a bwrap that can make no
 * namespace at all; and neither bwrap nor setpriv. Each grades the fixture kit's correct submission in full, and
 * the text report and results.json's {@code isolation} block name exactly what is missing.
 */
class FallbackModesTest {
    private static final int FULL = 12;

    @BeforeAll
    static void asRootWithTheTools() {
        assumeTrue(Sandbox.isRoot(), "the fallback modes below are the ones of a grader running as root");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) && Files.isExecutable(Path.of("/usr/bin/bwrap")),
                "needs /usr/bin/setpriv and /usr/bin/bwrap to build the restricted tool folders");
    }

    /** What one GradeMain run printed and wrote. */
    private record Run(String text, JsonNode json) {
        JsonNode isolation() {
            return json.get("isolation");
        }

        List<String> missing() {
            List<String> m = new ArrayList<>();
            isolation().get("missing").forEach(n -> m.add(n.asText()));
            return m;
        }

        List<String> layers() {
            List<String> m = new ArrayList<>();
            isolation().get("layers").forEach(n -> m.add(n.asText()));
            return m;
        }
    }

    private static Path tools(Path tmp, String name, boolean setpriv, String bwrapScript) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        if (setpriv) {
            Files.createSymbolicLink(dir.resolve("setpriv"), Path.of("/usr/bin/setpriv"));
        }
        if (Files.isExecutable(Path.of("/usr/bin/prlimit"))) {
            Files.createSymbolicLink(dir.resolve("prlimit"), Path.of("/usr/bin/prlimit"));
        }
        if (bwrapScript != null) {
            Path b = Files.writeString(dir.resolve("bwrap"), "#!/bin/sh\n" + bwrapScript);
            Files.setPosixFilePermissions(b, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Grader.allowTraverse(tmp, true);
        Grader.allowTraverse(dir, true);
        return dir;
    }

    private static Run grade(Path tools, Path tmp) throws Exception {
        Path json = tmp.resolve(tools.getFileName() + "-results.json");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-D" + Sandbox.TOOLS_PROPERTY + "=" + tools, "-cp",
                String.join(File.pathSeparator, Fixtures.KIT_CLASS_PATH.stream().map(Path::toString).toList()),
                GradeMain.class.getName(), Fixtures.submission("correct").toString(), "--kit-root", Fixtures.KIT.toString(),
                "--test-timeout", "30", "--json", json.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "GradeMain did not finish");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        return new Run(text, new ObjectMapper().readTree(json.toFile()));
    }

    private static void reportsExactly(Run r, String... missingStarts) {
        List<String> missing = r.missing();
        assertEquals(missingStarts.length, missing.size(), "missing: " + missing);
        for (int i = 0; i < missingStarts.length; i++) {
            assertTrue(missing.get(i).startsWith(missingStarts[i]), "expected \"" + missingStarts[i] + "...\", got " + missing.get(i));
            assertTrue(r.text().contains(missing.get(i)), "the text report does not say: " + missing.get(i) + "\n" + r.text());
        }
        assertEquals(FULL, r.json().get("score").asInt(), "grading must still work:\n" + r.text());
    }

    @Test
    void withoutBwrapSetprivAloneAndTheReportSaysWhatThatLacks(@TempDir Path tmp) throws Exception {
        Run r = grade(tools(tmp, "no-bwrap", true, null), tmp);
        assertEquals("setpriv only (no bubblewrap)", r.isolation().get("sandbox").asText());
        reportsExactly(r, "No usable bubblewrap here (bwrap not found): student code ran as an unprivileged uid without"
                + " capabilities, but WITH network access, the host's /proc and a read-only view of every world-readable file");
        assertTrue(r.layers().contains("unprivileged uid of its own, no capabilities, empty bounding set, no_new_privs"), r.layers().toString());
        assertTrue(r.layers().stream().noneMatch(l -> l.contains("namespace")), r.layers().toString());
    }

    @Test
    void bwrapWithoutUserNamespacesRunsAsRootAndDropsTheUidInside(@TempDir Path tmp) throws Exception {
        // As bwrap fails in a container that refuses user namespaces; the real bwrap when none is asked for.
        String refusing = """
                for a in "$@"; do
                  if [ "$a" = "--unshare-user" ]; then
                    echo "bwrap: No permissions to creating new namespace, likely because the kernel does not allow non-privileged user namespaces." >&2
                    exit 1
                  fi
                done
                exec /usr/bin/bwrap "$@"
                """;
        Run r = grade(tools(tmp, "no-userns", true, refusing), tmp);
        assertEquals("bubblewrap (" + tmp.resolve("no-userns/bwrap") + ") started by root, setpriv to a fresh unprivileged uid inside",
                r.isolation().get("sandbox").asText());
        reportsExactly(r, "No user namespaces here (bwrap with a user namespace failed: bwrap: No permissions to creating new"
                + " namespace, likely because the kernel does not allow non-privileged user namespaces.): bubblewrap ran as"
                + " root without one and dropped to a fresh unprivileged uid inside (setpriv)");
        assertTrue(r.layers().contains("new IPC, UTS and cgroup namespaces (no user namespace: refused here)"), r.layers().toString());
        assertTrue(r.layers().contains("new network namespace: no network, a loopback of its own only"), r.layers().toString());
    }

    @Test
    void bwrapThatCanMakeNoNamespaceFallsBackToSetpriv(@TempDir Path tmp) throws Exception {
        String failing = "echo 'bwrap: Creating new namespace failed: Operation not permitted' >&2\nexit 1\n";
        Run r = grade(tools(tmp, "no-namespaces", true, failing), tmp);
        assertEquals("setpriv only (no bubblewrap)", r.isolation().get("sandbox").asText());
        reportsExactly(r, "No usable bubblewrap here (bwrap with a user namespace failed: bwrap: Creating new namespace failed:"
                + " Operation not permitted; bwrap as root failed: bwrap: Creating new namespace failed: Operation not permitted):"
                + " student code ran as an unprivileged uid");
    }

    @Test
    void neitherBwrapNorSetprivSaysThatNothingConfinesStudentCode(@TempDir Path tmp) throws Exception {
        Run r = grade(tools(tmp, "nothing", false, null), tmp);
        assertEquals("none", r.isolation().get("sandbox").asText());
        reportsExactly(r, "No sandbox available (bwrap not found; setpriv not found): student code ran as the grader's own"
                + " user, with network access, seeing the whole file system and every process");
        assertEquals(List.of("per-test and total wall-clock limits, -Xmx 1g, output capped"), r.layers());
    }
}
