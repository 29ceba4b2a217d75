"""Executes the course notebooks top to bottom with the kit's JJava kernel, through nbclient.

Fails (exit 1) on the first notebook with an error output, naming the notebook, the cell and the
error. Prints how long each notebook and its first cell took. With --save the executed notebooks
are written back in place (how the committed outputs are made); otherwise to --out.
"""
import argparse
import glob
import os
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
    args = parser.parse_args()

    paths = args.notebooks or sorted(glob.glob("notebooks/*.ipynb"))
    if not paths:
        sys.exit("no notebooks found under notebooks/")
    for path in paths:
        if not os.path.isfile(path):
            sys.exit(f"no such notebook: {path}")

    for path in paths:
        name = os.path.basename(path)
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
        if args.save:
            nbformat.write(nb, path)
        if args.out:
            os.makedirs(args.out, exist_ok=True)
            nbformat.write(nb, os.path.join(args.out, name))
    print(f"notebooks: {len(paths)} passed, 0 failed")


if __name__ == "__main__":
    main()
