"""Checks the grader's two reference results: full marks on solutions/, nothing on the stubs."""
import json
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        results = json.load(f)
    tests = results.get("tests", [])
    if not tests:
        sys.exit(f"{path}: no tests were graded")
    possible = sum(t["max_score"] for t in tests)
    return results["score"], possible, tests


def main(solutions, exercises):
    score, possible, tests = load(solutions)
    if score != possible:
        failed = [t["name"] for t in tests if t["score"] < t["max_score"]]
        sys.exit(f"solutions/ earned {score}/{possible}; these lost points: {failed}")
    print(f"solutions/: {score}/{possible} points over {len(tests)} graded tests")
    score, possible, tests = load(exercises)
    if score != 0:
        passed = [t["name"] for t in tests if t["score"] > 0]
        sys.exit(f"the untouched exercises/ earned {score}/{possible}; stubs must earn nothing, but these scored: {passed}")
    print(f"exercises/ (untouched stubs): 0/{possible} points, as it should be")


if __name__ == "__main__":
    main(*sys.argv[1:3])
