"""Writes the student stubs in exercises/ from the reference solutions in solutions/ (nbgrader's and Otter's
convention, in Java comments).

In a solution, the code between ``// BEGIN SOLUTION <number>`` and ``// END SOLUTION`` is the answer. In the
stub it becomes a TODO line, a pointer to the grader's hints (a nudge first, the recipe on request: the hints live
in the graded tests' ``@Hint``, not in the stub), any ``// Hint:`` lines of the region, and a ``throw`` that says
the exercise is not done.
Everything else (imports, Javadoc, signatures, helpers) is the same file: the imports are the ones an answer needs.

    python3 tools/make_exercises.py           write the stubs (never over a stub a learner has edited)
    python3 tools/make_exercises.py --check   exit 1 if a stub differs from what the solutions give (CI)

A stub is only overwritten when git has no uncommitted change to it, so a learner's work is never lost.
"""
import argparse
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions/src/main/java"
EXERCISES = ROOT / "exercises/src/main/java"
BEGIN = re.compile(r"^(\s*)// BEGIN SOLUTION (\S+)\s*$")
END = re.compile(r"^\s*// END SOLUTION\s*$")
HINT = re.compile(r"^\s*// Hint:")
POINTER = "// Stuck? ./kit grade gives a nudge for each failing test, ./kit grade --hints full the whole recipe."


class MarkerError(Exception):
    pass


def stub_of(source, name):
    """The stub text for one solution file's text; raises MarkerError naming the file and line of a bad marker."""
    lines = source.splitlines(keepends=True)
    out, region, regions = [], None, 0
    for number, line in enumerate(lines, 1):
        begin = BEGIN.match(line)
        if begin:
            if region is not None:
                raise MarkerError(f"{name}:{number}: BEGIN SOLUTION inside the region opened at line {region[2]}")
            region = (begin.group(1), begin.group(2), number, [])
        elif END.match(line):
            if region is None:
                raise MarkerError(f"{name}:{number}: END SOLUTION without a BEGIN SOLUTION")
            indent, exercise, _, hints = region
            out.append(f"{indent}// TODO Exercise {exercise}: replace this line with your code.\n")
            out.append(f"{indent}{POINTER}\n")
            out.extend(hints)
            out.append(f'{indent}throw new UnsupportedOperationException("Exercise {exercise} is not done yet");\n')
            region, regions = None, regions + 1
        elif region is not None:
            if HINT.match(line):
                region[3].append(line)
        else:
            out.append(line)
    if region is not None:
        raise MarkerError(f"{name}:{region[2]}: BEGIN SOLUTION {region[1]} is never closed by END SOLUTION")
    if regions == 0:
        raise MarkerError(f"{name}: no BEGIN SOLUTION / END SOLUTION region: every solution file is an exercise")
    return "".join(out)


def edited_by_learner(path):
    """Whether git reports an uncommitted change to this stub (or cannot tell, e.g. outside a git checkout)."""
    result = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", str(path)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        return True
    return bool(result.stdout.strip())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when a stub is stale")
    args = parser.parse_args()

    solutions = sorted(SOLUTIONS.rglob("*.java"))
    if not solutions:
        sys.exit(f"no solutions under {SOLUTIONS}")
    stale, refused, written = [], [], 0
    for solution in solutions:
        relative = solution.relative_to(SOLUTIONS)
        try:
            want = stub_of(solution.read_text(encoding="utf-8"), f"solutions/{relative}")
        except MarkerError as error:
            sys.exit(f"error: {error}")
        stub = EXERCISES / relative
        have = stub.read_text(encoding="utf-8") if stub.exists() else None
        if have == want:
            continue
        stale.append(f"exercises/{relative}")
        if args.check:
            continue
        if have is not None and edited_by_learner(stub):
            refused.append(f"exercises/{relative}")
            continue
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text(want, encoding="utf-8")
        written += 1
    orphans = sorted(str(p.relative_to(EXERCISES)) for p in EXERCISES.rglob("*.java")
                     if not (SOLUTIONS / p.relative_to(EXERCISES)).exists())
    if orphans:
        print("stubs without a solution (left alone): " + ", ".join(orphans), file=sys.stderr)
    if args.check:
        if stale or orphans:
            sys.exit("stale stubs: " + ", ".join(stale + orphans)
                     + "\nexercises/ is generated from solutions/: run python3 tools/make_exercises.py and commit")
        print(f"exercises: {len(solutions)} stubs match the solutions")
        return
    if refused:
        sys.exit("not overwritten, they have uncommitted changes (a learner's work?): " + ", ".join(refused)
                 + "\ncommit or stash them first")
    print(f"exercises: {written} stub(s) written, {len(solutions) - written} already up to date")


if __name__ == "__main__":
    main()
