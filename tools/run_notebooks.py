"""Executes the course notebooks top to bottom with the kit's JJava kernel, through nbclient.

Fails (exit 1) on the first notebook with an error output, naming the notebook, the cell and the
error. Prints how long each notebook and its first cell took. With --save the executed notebooks
are written back in place (how the committed outputs are made); otherwise to --out.

Regression: without --save, every number a code cell prints (text and HTML outputs) is compared with
the committed notebook's, and the run fails when one changed beyond its tolerance, or when a cell's
text around the numbers changed, so a change that moves a figure the prose relies on cannot pass
silently. A cell opts out with a tag: ``kit-volatile`` (timings, the machine: never compared) or
``kit-profile`` (results of an experiment whose size depends on ATTENTION_KIT_PROFILE: compared only
when the run's profile is the one the notebook was committed with, which --save records in the
notebook's metadata). A cell's metadata ``{"attention-kit": {"tolerance": 0.01}}`` widens its tolerance.
"""
import argparse
import glob
import html
import os
import re
import sys
import time
from datetime import datetime, timezone

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def execute(path, kernel, timeout):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, kernel_name=kernel, timeout=timeout, record_timing=True,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
    started = time.monotonic()
    launched = datetime.now(timezone.utc)
    client.execute()
    return nb, time.monotonic() - started, launched


def first_result_seconds(nb, launched):
    """Seconds from asking for the kernel to the first code cell's reply: start-up plus the first ND4J result."""
    for cell in nb.cells:
        timing = cell.get("metadata", {}).get("execution", {})
        if cell.cell_type == "code" and "shell.execute_reply" in timing:
            end = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
            return (end - launched).total_seconds()
    return float("nan")


def errors_in(nb):
    problems = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                problems.append(f"cell {index}: {output.get('ename')}: {output.get('evalue')}")
    return problems


# Numbers as the kernel prints them, the Unicode minus included.
NUMBER = re.compile(r"[-+\u2212]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
TAG = re.compile(r"<[^>]+>")
# Durations ("trained in 42.7 s", "3 ms") change on every run and on every machine: never compared.
DURATION = re.compile(r"\d+(?:\.\d+)?\s?(?:ms|s|min)\b")
DEFAULT_TOLERANCE = 1e-4   # absolute and relative: one unit in the 4th decimal the notebooks print
PROFILE_VARIABLE = "ATTENTION_KIT_PROFILE"


def profile():
    return "ci" if os.environ.get(PROFILE_VARIABLE, "").lower() == "ci" else "full"


def cell_text(cell):
    """The text a reader sees in a cell's outputs (stream, plain text, HTML without its tags); images are left out."""
    parts = []
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "stream":
            parts.append("".join(output.get("text", "")))
        elif kind in ("execute_result", "display_data"):
            data = output.get("data", {})
            if any(mime.startswith("image/") for mime in data):
                continue   # a picture's text/plain is the object's identity (XYChart@1fbc61f7), not content
            if "text/html" in data:
                parts.append(html.unescape(TAG.sub(" ", "".join(data["text/html"]))))
            elif "text/plain" in data:
                parts.append("".join(data["text/plain"]))
    return DURATION.sub("<time>", " ".join(" ".join(parts).split()))


def numbers(text):
    return [float(m.replace("\u2212", "-")) for m in NUMBER.findall(text)]


def skeleton(text):
    return NUMBER.sub("#", text)


def changes(committed, executed, run_profile):
    """Differences in what the code cells print between the committed notebook and the executed one."""
    committed_profile = committed.metadata.get("attention-kit", {}).get("profile", "full")
    before = [c for c in committed.cells if c.cell_type == "code"]
    after = [c for c in executed.cells if c.cell_type == "code"]
    if len(before) != len(after):
        return [f"the notebook has {len(after)} code cells, the committed one {len(before)}"]
    found = []
    for index, (old, new) in enumerate(zip(before, after)):
        tags = set(new.get("metadata", {}).get("tags", []))
        if "kit-volatile" in tags or ("kit-profile" in tags and run_profile != committed_profile):
            continue
        tolerance = new.get("metadata", {}).get("attention-kit", {}).get("tolerance", DEFAULT_TOLERANCE)
        old_text, new_text = cell_text(old), cell_text(new)
        where = f"code cell {index + 1} ({new.source.strip().splitlines()[0][:60] if new.source.strip() else 'empty'})"
        if skeleton(old_text) != skeleton(new_text):
            found.append(f"{where}: its printed text changed\n      committed: {old_text[:300]}\n      now:       {new_text[:300]}")
            continue
        for position, (a, b) in enumerate(zip(numbers(old_text), numbers(new_text))):
            if abs(a - b) > tolerance * max(1.0, abs(a)):
                found.append(f"{where}: number {position + 1} changed from {a:g} to {b:g} (tolerance {tolerance:g})")
                break
    return found


def strip_timing(nb):
    # Timings change on every run; keeping them out of committed notebooks keeps diffs readable.
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notebooks", nargs="*", help="default: notebooks/*.ipynb")
    parser.add_argument("--kernel", default="attention-kit")
    parser.add_argument("--out", help="folder for the executed copies")
    parser.add_argument("--save", action="store_true", help="write outputs back into the notebooks")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    parser.add_argument("--no-compare", action="store_true", help="do not compare outputs with the committed notebooks")
    args = parser.parse_args()

    paths = args.notebooks or sorted(glob.glob("notebooks/*.ipynb"))
    if not paths:
        sys.exit("no notebooks found under notebooks/")
    for path in paths:
        if not os.path.isfile(path):
            sys.exit(f"no such notebook: {path}")

    regressions = []
    for path in paths:
        name = os.path.basename(path)
        committed = nbformat.read(path, as_version=4)
        try:
            nb, seconds, launched = execute(path, args.kernel, args.timeout)
        except CellExecutionError as error:
            # JJava's traceback lines are the kernel's own frames; the error's name and message say what went wrong.
            sys.exit(f"FAILED {name}: {error.ename}: {error.evalue}\n{str(error)[-3000:]}")
        problems = errors_in(nb)
        if problems:
            sys.exit(f"FAILED {name}: " + "; ".join(problems))
        print(f"ok  {name}: {seconds:6.1f} s in all; kernel start to first result {first_result_seconds(nb, launched):5.1f} s",
              flush=True)
        strip_timing(nb)
        found = changes(committed, nb, profile())
        if found:
            print(f"    {name}: {len(found)} output(s) differ from the committed notebook:", flush=True)
            for line in found:
                print(f"    - {line}", flush=True)
            if not args.save and not args.no_compare:
                regressions.append(name)
        if args.save:
            nb.metadata.setdefault("attention-kit", {})["profile"] = profile()
            nbformat.write(nb, path)
        if args.out:
            os.makedirs(args.out, exist_ok=True)
            nbformat.write(nb, os.path.join(args.out, name))
    if regressions:
        sys.exit(f"FAILED: outputs changed in {', '.join(regressions)} (see above). If the change is meant, re-execute "
                 "and commit the notebook (./kit run-notebooks --save NB); a cell whose output may vary needs a "
                 "kit-volatile or kit-profile tag.")
    print(f"notebooks: {len(paths)} passed, 0 failed")


if __name__ == "__main__":
    main()
