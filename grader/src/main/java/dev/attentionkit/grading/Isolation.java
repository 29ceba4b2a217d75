package dev.attentionkit.grading;

import java.util.ArrayList;
import java.util.List;

/**
 * How the student code of one grading was confined, as results.json reports it: the layers
 * that were in place, the ones that were missing, and how far the verdicts can be trusted.
 *
 * @param sandbox  the mechanism, in words
 * @param layers   protections that were in place
 * @param missing  protections that were not (empty when none)
 * @param verdicts where pass/fail was decided, and what could still forge it
 */
public record Isolation(String sandbox, List<String> layers, List<String> missing, String verdicts) {
    /** Copies the lists. */
    public Isolation {
        layers = List.copyOf(layers);
        missing = List.copyOf(missing);
    }

    /** Where pass/fail is decided for test classes judged outside the sandbox. */
    static final String JUDGED = "Pass/fail is decided in a trusted JVM that holds none of the submission's code: the"
            + " graded tests run there and call the submission through generated proxies, which forward each call to"
            + " the sandboxed JVM and get its answer back as data.";

    /** The weaker channel, for test classes that still run inside the sandbox. */
    static final String INSIDE = " These test classes (chosen by the kit's tests, never by the submission) read the submission's fields,"
            + " take method references to it, or pass it objects that cannot cross as data, and still run inside the"
            + " sandboxed JVM, reporting over an HMAC-authenticated channel whose key lives in that JVM, so code that reads"
            + " its own memory (/proc/self/mem) could forge their results (the bytecode policy on exercise code is what"
            + " stops that): ";

    /** Nothing known (a report that was never graded). */
    static final Isolation UNKNOWN = new Isolation("not graded", List.of(), List.of(), "");

    /**
     * The isolation that {@code limits} gets on this machine, with {@code insideClasses} the test
     * classes that had to run inside the sandbox.
     */
    static Isolation of(Limits limits, java.util.Collection<String> insideClasses) {
        Sandbox.Probe p = Sandbox.probe();
        Sandbox.Mode mode = limits.sandbox() ? p.mode() : Sandbox.Mode.NONE;
        List<String> layers = new ArrayList<>();
        String sandbox;
        switch (mode) {
            case BWRAP_OTHER_UID, BWRAP_ROOT_SETPRIV, BWRAP_SELF -> {
                sandbox = "bubblewrap (" + p.bwrap() + ")" + (mode == Sandbox.Mode.BWRAP_SELF ? " as the grader's own user"
                        : mode == Sandbox.Mode.BWRAP_OTHER_UID ? ", started by setpriv as a fresh unprivileged uid"
                        : " started by root, setpriv to a fresh unprivileged uid inside");
                if (mode != Sandbox.Mode.BWRAP_SELF) {
                    layers.add("unprivileged uid of its own, no capabilities, empty bounding set, no_new_privs");
                } else {
                    layers.add("no capabilities, no_new_privs (uid: the grader's own)");
                }
                layers.add("new PID namespace: private /proc, no other process visible, all killed with the sandbox");
                layers.add("new network namespace: no network, a loopback of its own only");
                layers.add(mode == Sandbox.Mode.BWRAP_ROOT_SETPRIV ? "new IPC, UTS and cgroup namespaces (no user namespace: refused here)"
                        : "new user, IPC, UTS and cgroup namespaces" + (p.disableUserns() ? "; no further user namespaces" : ""));
                layers.add("file system built from nothing: /usr and the JDK's /etc read-only, the class path from a"
                        + " read-only copy, the compiled submission read-only; no kit, .git, solutions, graded or hidden"
                        + " test sources, ~/.m2, other submissions or results");
                layers.add("writable: a 256 MiB tmpfs work area and a 64 MiB tmpfs /tmp only");
                layers.add("javac on the submission and on the graded tests runs in the same sandbox, time- and memory-limited");
            }
            case SETPRIV_ONLY -> {
                sandbox = "setpriv only (no bubblewrap)";
                layers.add("unprivileged uid of its own, no capabilities, empty bounding set, no_new_privs");
            }
            default -> sandbox = "none";
        }
        if (mode != Sandbox.Mode.NONE && p.prlimit() != null) {
            layers.add("prlimit: processes capped at " + limits.maxProcesses() + ", files at 256 MiB, no core dumps");
        }
        layers.add("per-test and total wall-clock limits, -Xmx " + limits.heap() + ", output capped");
        String verdicts = !limits.sandbox() ? "Sandbox off: the graded tests ran in the same JVM as the submission."
                : JUDGED + (insideClasses.isEmpty() ? "" : INSIDE + String.join(", ", insideClasses) + ".");
        return new Isolation(sandbox, layers, Sandbox.missing(limits), verdicts);
    }
}
