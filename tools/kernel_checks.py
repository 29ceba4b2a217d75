"""Checks the kit's kernel the way JupyterLab starts it (jupyter_client and the kernelspec ./kit wrote):

1. it starts on the JDK the kit chose even when the user's PATH has a broken `java` first, or no java at
   all (JJava's launcher starts the real kernel with plain `java` from PATH);
2. Interrupt stops a long training cell within 2 s, with the kit's message, and the kernel answers after it;
3. Interrupt stops an exercise check (Exercises.check) the same way;
4. the kit's JJava extension (KitExtension) is installed: cells' values of the kit's types render as the kit's HTML
   tables and PNG pictures, progress lines are displays with an id, the extension shares the cells' class loader,
   and Kit.init() loads the ND4J backend in the kernel;
5. no kernel JVM is left behind: when the process jupyter_client started is killed (SIGKILL, as the OOM
   killer does), nothing running the kernel is left (JJava's launcher started the real kernel JVM as a child,
   which survived it); and when the server holding the kernel is killed outright, the kernel ends too, also
   when that happens while the kernel is still starting.

Usage: python tools/kernel_checks.py [--kernel attention-kit] [--only path,renderers,interrupt,grading,orphans]
Exit status 1 on the first failed check, naming it.
"""
import argparse
import os
import queue
import re
import signal
import stat
import sys
import tempfile
import time

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

INTERRUPT_AFTER_S = 3.0
STOP_WITHIN_S = 2.0
GRADING_STOP_WITHIN_S = 10.0


def fail(message):
    print(f"  FAIL {message}", flush=True)
    sys.exit(1)


def ok(message):
    print(f"  ok   {message}", flush=True)


def start(kernel, env, cwd):
    km = KernelManager(kernel_name=kernel)
    km.start_kernel(env=env, cwd=cwd)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
    except RuntimeError as error:
        km.shutdown_kernel(now=True)
        fail(f"the kernel did not start ({error}); PATH was {env.get('PATH')!r}")
    return km, kc


def run(kc, code, timeout=300, on_started=None, seen=None):
    """Executes code; returns (status, text printed, error value, seconds from request to reply).

    Every text the kernel sends meanwhile, for any cell (progress lines update in place), goes to seen."""
    msg_id = kc.execute(code)
    sent = time.monotonic()
    text, error = [], None
    started_hook_done = False
    while True:
        try:
            msg = kc.get_iopub_msg(timeout=0.05)
        except queue.Empty:
            msg = None
        if msg:
            kind, content = msg["msg_type"], msg["content"]
            data = content.get("data", {})
            shown = content.get("text") if kind == "stream" else data.get("text/html") or data.get("text/plain", "")
            if seen is not None and shown:
                seen.append(shown)
            if msg["parent_header"].get("msg_id") == msg_id:
                if kind == "stream" or kind == "execute_result":
                    text.append(content["text"] if kind == "stream" else content["data"].get("text/plain", ""))
                elif kind == "error":
                    error = f"{content['ename']}: {content['evalue']}"
                elif kind == "status" and content["execution_state"] == "idle":
                    break
        if on_started and not started_hook_done:
            started_hook_done = on_started(time.monotonic() - sent)
        if time.monotonic() - sent > timeout:
            fail(f"no reply within {timeout} s to: {code[:80]}")
    while True:
        reply = kc.get_shell_msg(timeout=30)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    return reply["content"]["status"], "".join(text), error, time.monotonic() - sent


def fake_java_dir(root):
    """A folder with a `java` that records that it ran and exits 1, as a broken or too-old JVM would."""
    folder = os.path.join(root, "wrong-java-bin")
    os.makedirs(folder)
    marker = os.path.join(root, "wrong-java-ran")
    script = os.path.join(folder, "java")
    with open(script, "w") as f:
        f.write(f"#!/bin/sh\necho \"$@\" >> '{marker}'\necho 'this is not the JDK the kit chose' >&2\nexit 1\n")
    os.chmod(script, os.stat(script).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return folder, marker


def check_path(kernel, spec, workdir):
    expected_home = os.path.realpath(os.path.dirname(os.path.dirname(spec.argv[0])))
    wrong_bin, marker = fake_java_dir(workdir)
    empty_bin = os.path.join(workdir, "empty-bin")
    os.makedirs(empty_bin)
    cases = {
        "a broken `java` first on PATH and JAVA_HOME pointing at it": {
            "PATH": wrong_bin + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"),
            "JAVA_HOME": os.path.dirname(wrong_bin)},
        "no java on PATH at all": {"PATH": empty_bin},
    }
    for name, overrides in cases.items():
        env = {k: v for k, v in os.environ.items() if k not in ("PATH", "JAVA_HOME")}
        env.update(overrides)
        began = time.monotonic()
        km, kc = start(kernel, env, workdir)
        try:
            status, text, error, _ = run(kc, 'System.out.println(System.getProperty("java.home") + "|" '
                                             '+ Runtime.version().feature());\n'
                                             'System.out.println(dev.attentionkit.tensor.Softmax.class.getSimpleName())')
            if status != "ok":
                fail(f"{name}: the first cell failed: {error}")
            home, _, version = text.splitlines()[0].partition("|")
            if os.path.realpath(home) != expected_home:
                fail(f"{name}: the kernel runs on {home}, not the kit's JDK {expected_home}")
            ok(f"{name}: kernel started in {time.monotonic() - began:.1f} s on {home} (Java {version}), "
               "and the kit's library answers")
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    if os.path.exists(marker):
        ok("the broken java was tried and ignored (it ran for: " + open(marker).read().strip()[:60] + ")")
    else:
        ok("the broken java was never started")


# Times one training step, so the check knows how long "stops after the current batch" may take here.
TIME_ONE_BATCH = """long batchStart = System.nanoTime();
%s
System.out.println("batch_ms " + (System.nanoTime() - batchStart) / 1_000_000);"""

# The long cell, with what it finally throws kept in a system property (JJava replies to Interrupt before the
# code stops, so the exception itself never reaches the notebook, and text printed after the reply may be
# merged with other output or dropped): the next cell reads it from there.
REPORT_THROWN = """System.clearProperty("kit.check.thrown");
System.clearProperty("kit.check.thrown_at");
try {
    %s
} catch (Throwable t) {
    System.setProperty("kit.check.thrown_at", String.valueOf(System.nanoTime()));
    System.setProperty("kit.check.thrown", String.valueOf(t));
    throw t;
}"""

# Run after the interrupted cell: waits (up to 20 s) until no thread runs the given class and the kernel has
# no child processes (test JVMs) left; then waits (up to 3 s more) for what the long cell threw. Prints what
# it threw, how many milliseconds ago it threw it, and whether the work was still running when this cell began.
WAIT_UNTIL_STOPPED = """
long waitStart = System.nanoTime();
java.util.function.BooleanSupplier busy = () -> ProcessHandle.current().descendants().anyMatch(ProcessHandle::isAlive)
    || Thread.getAllStackTraces().values().stream().anyMatch(frames -> java.util.Arrays.stream(frames)
        .anyMatch(f -> f.getClassName().startsWith("%s")));
boolean busyAtStart = busy.getAsBoolean();
while (busy.getAsBoolean() && System.nanoTime() - waitStart < 20_000_000_000L) Thread.sleep(20);
long waitedMs = (System.nanoTime() - waitStart) / 1_000_000;
long thrownStart = System.nanoTime();
while (System.getProperty("kit.check.thrown") == null && System.nanoTime() - thrownStart < 3_000_000_000L) Thread.sleep(20);
String thrownAt = System.getProperty("kit.check.thrown_at");
System.out.println("thrown: " + System.getProperty("kit.check.thrown"));
System.out.println("thrown_ms_ago " + (thrownAt == null ? -1 : (System.nanoTime() - Long.parseLong(thrownAt)) / 1_000_000));
System.out.println((busy.getAsBoolean() ? "STILL RUNNING " : busyAtStart ? "was running " : "stopped ") + waitedMs);
"""


def interrupt_check(kernel, workdir, name, setup, long_cell, worker_class, expect_line, stop_within):
    """Interrupts long_cell after INTERRUPT_AFTER_S; the reply must come within STOP_WITHIN_S, the work itself
    (threads running worker_class, child processes) must stop within stop_within, and the kernel answers."""
    km, kc = start(kernel, dict(os.environ), workdir)
    try:
        if setup:
            status, text, error, _ = run(kc, setup)
            if status != "ok":
                fail(f"{name}: set-up cell failed: {error}")
            batch = re.search(r"batch_ms (\d+)", text)
            if batch:
                # The loop stops before its next batch: allow the batch under way (twice, for a noisy machine).
                batch_s = int(batch.group(1)) / 1000
                stop_within = max(stop_within, 2 * batch_s + 0.5)
                ok(f"{name}: one training batch takes {batch_s:.2f} s here; the work must stop within {stop_within:.1f} s")
        interrupted_at = {}

        def interrupt_after_delay(elapsed):
            if elapsed >= INTERRUPT_AFTER_S:
                km.interrupt_kernel()
                interrupted_at["t"] = time.monotonic()
                return True
            return False

        seen = []
        status, text, error, _ = run(kc, long_cell, timeout=120, on_started=interrupt_after_delay, seen=seen)
        replied_in = time.monotonic() - interrupted_at.get("t", float("inf"))
        if "t" not in interrupted_at:
            fail(f"{name}: the cell finished before the interrupt was sent ({text[-200:]!r})")
        if status != "error" or error is None or "interrupted" not in error:
            fail(f"{name}: after Interrupt the cell ended with status {status}, error {error!r}")
        if replied_in > STOP_WITHIN_S:
            fail(f"{name}: the cell took {replied_in:.2f} s to end after Interrupt (limit {STOP_WITHIN_S} s)")
        ok(f"{name}: Interrupt after {INTERRUPT_AFTER_S:.0f} s ended the cell in {replied_in:.2f} s ({error[:60]}...)")

        # A learner does not start the next cell at once: let the work stop while no cell runs (JJava detaches
        # a cell's output when it replies), so what it shows on its way out must reach the notebook by itself.
        idle_until = time.monotonic() + stop_within
        while time.monotonic() < idle_until:
            try:
                msg = kc.get_iopub_msg(timeout=0.05)
            except queue.Empty:
                continue
            data = msg["content"].get("data", {})
            shown = msg["content"].get("text") if msg["msg_type"] == "stream" else data.get("text/html") or data.get("text/plain", "")
            if shown:
                seen.append(shown)
        asked = time.monotonic()
        status, text, error, _ = run(kc, WAIT_UNTIL_STOPPED % worker_class, timeout=60, seen=seen)
        if status != "ok" or not text.strip():
            fail(f"{name}: the kernel does not answer after Interrupt ({status}, {error}, {text!r})")
        replied = time.monotonic()
        waited_ms = int(text.split()[-1])
        ago_ms = int(re.search(r"thrown_ms_ago (-?\d+)", text).group(1))
        if "running" in text.lower() or ago_ms < 0:
            # Still at work when the check began, stop_within after the reply: measure until it ended.
            stopped_in = asked - interrupted_at["t"] + waited_ms / 1000
        else:
            # It threw ago_ms before this cell printed (at most `replied`): an upper bound on when it ended.
            stopped_in = replied - ago_ms / 1000 - interrupted_at["t"]
        if "STILL RUNNING" in text or stopped_in > stop_within:
            fail(f"{name}: the work went on after Interrupt: {worker_class} ran {stopped_in:.1f} s longer "
                 f"(JJava only interrupts the cell's thread: the loop must check it); last output: {seen[-3:]!r}")
        ok(f"{name}: the work itself stopped within {stopped_in:.2f} s of Interrupt (no {worker_class} thread, "
           "no child process), and the kernel answers the next cell")
        thrown = next((s for s in text.splitlines() if s.startswith("thrown: ")), None)
        if thrown is None or not thrown.startswith("thrown: dev.attentionkit.notebook.StoppedByInterrupt: "):
            fail(f"{name}: the work did not end with the kit's StoppedByInterrupt but with {thrown!r}")
        ok(f"{name}: it ended with {thrown.strip()[len('thrown: '):]}")
        line = next((s for s in seen if expect_line in s and not s.startswith("thrown: ")), None)
        if line is None:
            fail(f"{name}: no progress line says {expect_line!r}; seen: {seen[-3:]!r}")
        shown = re.sub(r"<[^>]+>", "", line).strip()
        ok(f"{name}: the progress line says: {shown}")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def check_interrupt(kernel, workdir):
    interrupt_check(
        kernel, workdir, "length study (notebook 07's loop, two training threads)",
        "import dev.attentionkit.seq2seq.*;\nimport dev.attentionkit.data.*;\n"
        "LengthStudy.Setup full = LengthStudy.full();\n"
        "// no warm-up: Interrupt then lands in the timed runs, whose progress line says how far they got\n"
        "LengthStudy.Setup setup = new LengthStudy.Setup(full.sizes(), full.models(), full.seeds(), full.minLength(),\n"
        "    full.maxLength(), full.bands(), full.steps(), full.batchSize(), full.learningRate(), full.testPerBand(), 0,\n"
        "    full.threads());\n"
        "CharVocabulary digits = DigitStrings.vocabulary();\n"
        "RecurrentTranslator model = RecurrentTranslator.fromSeed(AttentionKind.BAHDANAU, setup.sizes(), digits, digits, 1);\n"
        "List<String> batch = DigitStrings.generate(setup.batchSize(), setup.minLength(), setup.maxLength(), 1);\n"
        "model.fitBatch(model.encodeSources(batch, setup.sizes().sourceLength()), model.encodeTargets(batch));\n"
        + TIME_ONE_BATCH % "model.fitBatch(model.encodeSources(batch, setup.sizes().sourceLength()), model.encodeTargets(batch));",
        REPORT_THROWN % "LengthStudy.run(setup);",
        "dev.attentionkit.seq2seq.", "interrupted after", STOP_WITHIN_S)
    interrupt_check(
        kernel, workdir, "long-range transformer training (notebook 08's loop)",
        "import dev.attentionkit.longrange.*;\n"
        "LongRangeConfig config = LongRangeConfig.ci().withEpochs(1000);\n"
        "var data = LongRangeTask.mixed(config.trainSize(), config.pairs(), config.seed());\n"
        "var model = LongRangeClassifier.create(ClassifierKind.TRANSFORMER, config);\n"
        "model.fitBatch(data.subList(0, config.batchSize()));   // ND4J's first-step set-up\n"
        + TIME_ONE_BATCH % "model.fitBatch(data.subList(0, config.batchSize()));",
        REPORT_THROWN % "model.train(data);",
        "dev.attentionkit.longrange.", "interrupted after", STOP_WITHIN_S)


def check_grading(kernel, workdir):
    # All chapters: longer than the interrupt delay on any machine. javac runs in the kernel's JVM and
    # cannot be interrupted, so the grading thread may finish the file it compiles; no test JVM outlives
    # the interrupt and the cell's reply comes at once.
    interrupt_check(
        kernel, workdir, "exercise check (Exercises.check)", None,
        REPORT_THROWN % ('for (String ch : new String[] {"ch01", "ch02", "ch03", "ch04", "ch05", "ch06", "ch07", '
                         '"ch08", "ch09"}) dev.attentionkit.grading.Exercises.check(ch);'),
        "dev.attentionkit.grading.", "interrupted", GRADING_STOP_WITHIN_S)


def executed(kc, code, timeout=300):
    """Runs one cell; returns the (type, content) of every output message it produced."""
    msg_id = kc.execute(code)
    outputs, sent = [], time.monotonic()
    while True:
        try:
            msg = kc.get_iopub_msg(timeout=1)
        except queue.Empty:
            if time.monotonic() - sent > timeout:
                fail(f"no reply within {timeout} s to: {code[:80]}")
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        if kind in ("execute_result", "display_data", "stream", "error"):
            outputs.append((kind, msg["content"]))
        if kind == "status" and msg["content"]["execution_state"] == "idle":
            return outputs


def check_renderers(kernel, workdir):
    """The kit's JJava extension, installed by the kernel itself (there is no start-up script), renders the cells'
    values of the kit's types; the extension and the cells share one class loader, so its renderers are chosen."""
    km, kc = start(kernel, dict(os.environ), workdir)
    try:
        def result(code, mime):
            outs = executed(kc, code)
            found = [c["data"].get(mime) for kind, c in outs if kind in ("execute_result", "display_data")]
            return next((f for f in found if f), None), outs

        shown, outs = result("dev.attentionkit.notebook.Kit.init()", "text/plain")
        if not shown or "ND4J" not in shown:
            fail(f"Kit.init() did not load the ND4J backend in the kernel: {outs!r}"[:800])
        ok("Kit.init() loads the ND4J backend inside the kernel")
        shown, outs = result("org.nd4j.linalg.factory.Nd4j.createFromArray(new float[][] {{1, 2}, {3, 4}})", "text/html")
        if not shown or "<table" not in shown:
            fail(f"an INDArray cell did not render as the kit's HTML table: {outs!r}"[:800])
        ok("an INDArray renders as the kit's HTML table")
        shown, outs = result("new org.knowm.xchart.XYChartBuilder().width(120).height(80).title(\"check\").build()", "image/png")
        if not shown:
            fail(f"an XChart chart did not render as PNG: {outs!r}"[:800])
        ok("an XChart chart renders as PNG")
        outs = executed(kc, "try (var p = dev.attentionkit.notebook.Progress.start(\"steps\", 2)) "
                            "{ p.step(1, \"one\"); p.step(2, \"two\"); }")
        if not any(kind == "display_data" and "steps" in c["data"].get("text/html", "")
                   and c.get("transient", {}).get("display_id") for kind, c in outs):
            fail(f"progress did not open a notebook display with an id: {outs!r}"[:800])
        ok("progress lines are notebook displays with an id (updated in place)")
        shown, outs = result("Class.forName(\"dev.attentionkit.kernel.KitExtension\").getClassLoader() "
                             "== dev.attentionkit.notebook.HtmlDisplay.class.getClassLoader()", "text/plain")
        if shown != "true":
            fail(f"the extension and the cells' classes come from different class loaders: {outs!r}"[:800])
        ok("the extension and the cells' classes share one class loader")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def processes_using(path):
    """Pids of the live processes whose command line names path (the kernel's connection file)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                args = f.read().split(b"\0")
            with open(f"/proc/{entry}/stat") as f:
                state = f.read().rpartition(")")[2].split()[0]
        except OSError:
            continue
        if state != "Z" and path.encode() in args:
            found.append(int(entry))
    return found


def check_orphans(kernel, workdir):
    km, kc = start(kernel, dict(os.environ), workdir)
    connection = km.connection_file
    started = km.provisioner.process.pid
    try:
        status, _, error, _ = run(kc, "int answer = 6 * 7;\nSystem.out.println(answer)")
        if status != "ok":
            fail(f"orphans: the first cell failed: {error}")
        before = processes_using(connection)
        jvms = [p for p in before if os.path.realpath(f"/proc/{p}/exe").endswith("/java")]
        ok(f"orphans: the kernel runs as {len(before)} process(es) naming its connection file "
           f"({len(jvms)} JVM(s)), started as pid {started}")
        os.kill(started, signal.SIGKILL)
        deadline = time.monotonic() + 10
        left = processes_using(connection)
        while left and time.monotonic() < deadline:
            time.sleep(0.1)
            left = [p for p in processes_using(connection) if p != started]
        if left:
            for pid in left:   # ours: started by this check through jupyter_client
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            fail(f"orphans: pid {started} was killed, but kernel process(es) {left} were still running 10 s later "
                 "(an orphaned kernel JVM: the kernelspec should start the kernel JVM itself, not through a launcher)")
        ok(f"orphans: killing pid {started} left no kernel process behind")
    finally:
        kc.stop_channels()
        try:
            km.shutdown_kernel(now=True)
        except Exception:   # the kernel is gone already: only the manager's files are left to clean
            km.cleanup_resources()
    check_server_killed(kernel, workdir)


# A stand-in for the Jupyter server: starts the kernel with jupyter_client; with "ready", runs one cell first (so
# the kit's JJava extension has been installed); prints the connection file, then waits to be killed.
SERVER = """import sys, time
from jupyter_client.manager import KernelManager
km = KernelManager(kernel_name=sys.argv[1])
km.start_kernel(cwd=sys.argv[2])
if sys.argv[3] == "ready":
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=120)
    kc.execute_interactive("int ready = 1;", timeout=120)
print(km.connection_file, flush=True)
time.sleep(600)
"""


def check_server_killed(kernel, workdir):
    # Killed once the kernel answers, the kernel must end within 10 s; killed at once, while the JVM is still
    # starting, it must end as soon as the kit's extension is installed (the hub's Ctrl-C can come that early).
    for when, within in (("ready", 10), ("starting", 120)):
        server_killed(kernel, workdir, when, within)


def server_killed(kernel, workdir, when, within):
    import subprocess
    server = subprocess.Popen([sys.executable, "-c", SERVER, kernel, workdir, when], stdout=subprocess.PIPE, text=True)
    connection = server.stdout.readline().strip()
    if not connection:
        server.kill()
        fail("orphans: the stand-in server could not start the kernel")
    kernel_pids = processes_using(connection)
    if not kernel_pids:
        time.sleep(0.5)   # the kernel process may not have exec'd java yet
        kernel_pids = processes_using(connection)
    if not kernel_pids:
        server.kill()
        fail(f"orphans: no process names the connection file {connection}")
    server.kill()   # SIGKILL: the server cannot shut its kernels down
    server.wait()
    killed = time.monotonic()
    left = kernel_pids
    while left and time.monotonic() - killed < within:
        time.sleep(0.1)
        left = processes_using(connection)
    for pid in left:   # ours: started by the stand-in server above
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    try:
        os.remove(connection)
    except OSError:
        pass
    what = "the server holding the kernel" + (" was killed" if when == "ready" else " was killed while the kernel was starting")
    if left:
        fail(f"orphans: {what}, but kernel process(es) {left} were still running {within} s later "
             "(the kit's JJava extension, KitExtension, should end the kernel with its server)")
    ok(f"orphans: {what}; its kernel ({len(kernel_pids)} process(es)) ended {time.monotonic() - killed:.1f} s later")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kernel", default="attention-kit")
    parser.add_argument("--only", default="path,renderers,interrupt,grading,orphans")
    args = parser.parse_args()
    spec = KernelSpecManager().get_kernel_spec(args.kernel)
    if not os.path.isabs(spec.argv[0]) or not os.access(spec.argv[0], os.X_OK):
        fail(f"the kernelspec's java {spec.argv[0]!r} is not an absolute path to an executable")
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="attention-kit-kernel-") as workdir:
        only = set(args.only.split(","))
        unknown = only - {"path", "renderers", "interrupt", "grading", "orphans"}
        if unknown:
            fail(f"unknown check(s) for --only: {', '.join(sorted(unknown))} (path, renderers, interrupt, grading, orphans)")
        if "path" in only:
            check_path(args.kernel, spec, workdir)
        if "renderers" in only:
            check_renderers(args.kernel, workdir)
        if "interrupt" in only:
            check_interrupt(args.kernel, workdir)
        if "grading" in only:
            check_grading(args.kernel, workdir)
        if "orphans" in only:
            check_orphans(args.kernel, workdir)

    print(f"kernel checks passed in {time.monotonic() - began:.1f} s", flush=True)


if __name__ == "__main__":
    main()
