package dev.attentionkit.kernel;

import java.util.Optional;

/**
 * The kernel ends with the process that started it (the Jupyter server: JupyterLab, or a learner's server on the
 * hub). A server killed outright (SIGKILL, the OOM killer, a hub that stops waiting) cannot shut its kernels down,
 * and a kernel left behind keeps its heap and ports. jupyter_client names the server in {@code JPY_PARENT_PID}: if
 * this JVM's parent is no longer that process, the server ended while the kernel was still starting, and the kernel
 * ends now; otherwise it ends when the server does (Java polls a parent that is not its own child every few seconds
 * at most). {@code tools/kernel_checks.py --only orphans} checks both.
 */
final class ServerWatch {
    private ServerWatch() {}

    /** Whether the server named by {@code JPY_PARENT_PID} is already gone: named, and not this JVM's parent. */
    static boolean serverGone(String serverPid, Optional<ProcessHandle> parent) {
        return serverPid != null && !serverPid.isBlank()
            && !parent.map(p -> String.valueOf(p.pid()).equals(serverPid.strip())).orElse(false);
    }

    static void endWithServer(String serverPid) {
        Optional<ProcessHandle> parent = ProcessHandle.current().parent();
        if (serverGone(serverPid, parent)) {
            Runtime.getRuntime().halt(0);
        }
        parent.ifPresent(server -> server.onExit().thenRun(() -> Runtime.getRuntime().halt(0)));
    }
}
