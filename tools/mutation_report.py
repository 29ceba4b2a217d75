"""Per-exercise mutation scores from PIT's mutations.xml (./kit mutation).

PIT mutates the reference solutions one operation at a time and reruns the graded tests; a mutant that no test
detects is a wrong answer that would earn points. This prints, per exercise, how many mutants the graded tests
detect, lists every survivor with the reason it is harmless when solutions/mutation-equivalent.txt explains it,
and exits 1 when an exercise detects fewer than --min percent (default 90) of its mutants.

usage: python3 tools/mutation_report.py [MUTATIONS_XML] [--min PERCENT] [--equivalent FILE]
"""
import argparse
import re
import sys
import xml.etree.ElementTree as ET
from collections import OrderedDict

# The exercise each solution method belongs to (README's table); a class with one exercise maps every method.
EXERCISES = OrderedDict([
    ("ch01.AttentionScores", "1.1"),
    ("ch01.SoftmaxWeights", "1.2"),
    ("ch01.ContextVectors", "1.3"),
    ("ch02.MySelfAttentionV1", "2.1"),
    ("ch02.WeightTransfer", "2.2"),
    ("ch03.CausalMasking#additiveMask", "3.1"),
    ("ch03.CausalMasking#weights", "3.2"),
    ("ch03.InvertedDropout", "3.3"),
    ("ch04.HeadSplit#split", "4.1"),
    ("ch04.HeadSplit#merge", "4.2"),
    ("ch04.WrapperToMultiHead", "4.3"),
    ("ch04.ParameterCount", "4.4"),
    ("ch05.AdditiveAttention", "5.1"),
    ("ch05.ValidLengthSoftmax", "5.2"),
    ("ch06.TopKeys", "6.1"),
    ("ch06.HeadStatistics#entropy", "6.2"),
    ("ch06.HeadStatistics#strongestHead", "6.3"),
    ("ch07.AdditiveAttentionScore", "7.1"),
    ("ch07.DecoderStep", "7.2"),
    ("ch07.ExactMatchAccuracy", "7.3"),
    ("ch07.SameDiffAttention", "7.4"),
    ("ch08.PositionalEncoding", "8.1"),
    ("ch08.LayerNormalization", "8.2"),
    ("ch08.PreLnResidual", "8.3"),
    ("ch08.TalkingHeads", "8.4"),
    ("ch08.PoolingTraining", "8.5"),
    ("ch09.SlidingWindowMask", "9.1"),
    ("ch09.OnlineSoftmaxUpdate", "9.2"),
    ("ch10.WordPiece", "10.1"),
    ("ch10.Rope", "10.2"),
    ("ch10.KvCacheStep", "10.3"),
    ("ch10.GroupedHeads", "10.4"),
])
PACKAGE = "dev.attentionkit.exercises."


def exercise_of(cls, method):
    short = cls[len(PACKAGE):] if cls.startswith(PACKAGE) else cls
    short = short.split("$")[0]
    # lambda$transfer$0 belongs to transfer
    name = method.split("$")[1] if method.startswith("lambda$") else method
    return EXERCISES.get(short + "#" + name) or EXERCISES.get(short) or "?"


def call_target(description):
    """'replaced call to org/nd4j/.../INDArray::dup with receiver' -> 'INDArray::dup'; '-' when no call is named."""
    m = re.search(r"call to (\S+::\S+)", description or "")
    return m.group(1).rsplit("/", 1)[-1] if m else "-"


def load_equivalent(path):
    """Lines 'Class#method MUTATOR TARGET -- reason' ('#' at the start of a line is a comment).

    TARGET is the call a mutant changes (INDArray::dup), '-' for mutants of no call. Keys name no line number, so
    moving code (markers, comments) does not orphan them; one line explains every such mutant of the method.
    """
    known = {}
    try:
        with open(path, encoding="utf-8") as f:
            for raw in f:
                line = raw.strip()
                if not line or line.startswith("#"):
                    continue
                head, sep, reason = line.partition(" -- ")
                parts = head.split()
                if not sep or len(parts) != 3 or not reason.strip():
                    sys.exit(f"{path}: cannot read '{line}' (want 'Class#method MUTATOR TARGET -- reason')")
                known[tuple(parts)] = reason.strip()
    except FileNotFoundError:
        pass
    return known


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("xml", nargs="?", default="solutions/target/pit-reports/mutations.xml")
    ap.add_argument("--min", type=float, default=90.0)
    ap.add_argument("--equivalent", default="solutions/mutation-equivalent.txt")
    a = ap.parse_args()
    try:
        root = ET.parse(a.xml).getroot()
    except (OSError, ET.ParseError) as e:
        sys.exit(f"cannot read PIT's report {a.xml}: {e}")
    equivalent = load_equivalent(a.equivalent)
    # per exercise: detected, equivalent (survivors explained in the file), all mutants
    per = OrderedDict((e, [0, 0, 0]) for e in EXERCISES.values())
    survivors = []
    used = set()
    for m in root.iter("mutation"):
        if m.get("status") == "NON_VIABLE":
            continue
        cls = m.findtext("mutatedClass")
        method = m.findtext("mutatedMethod")
        ex = exercise_of(cls, method)
        counts = per.setdefault(ex, [0, 0, 0])
        counts[2] += 1
        if m.get("detected") == "true":
            counts[0] += 1
            continue
        short = cls[len(PACKAGE):].split("$")[0] if cls.startswith(PACKAGE) else cls
        where = f"{short}#{method}:{m.findtext('lineNumber')}"
        mutator = m.findtext("mutator").rsplit(".", 1)[-1]
        key = (f"{short}#{method}", mutator, call_target(m.findtext("description")))
        reason = equivalent.get(key)
        if reason:
            counts[1] += 1
            used.add(key)
        survivors.append((ex, where, mutator, m.get("status"), m.findtext("description"), reason))
    print(f"{'exercise':<9}{'mutants':>8}{'detected':>9}{'equivalent':>11}{'score':>8}")
    low = []
    total = [0, 0, 0]
    for ex, (d, q, n) in per.items():
        if n == 0:
            continue
        total = [total[0] + d, total[1] + q, total[2] + n]
        pct = 100.0 * d / (n - q) if n > q else 100.0
        flag = "" if pct >= a.min else f"   < {a.min:g}%"
        print(f"{ex:<9}{n:>8}{d:>9}{q:>11}{pct:>7.1f}%{flag}")
        if pct < a.min:
            low.append(ex)
    d, q, n = total
    print(f"{'all':<9}{n:>8}{d:>9}{q:>11}{100.0 * d / max(1, n - q):>7.1f}%")
    print("score = detected / (mutants - equivalent); equivalent = survivors explained in " + a.equivalent)
    if survivors:
        print(f"\n{len(survivors)} surviving mutant(s):")
        for ex, where, mutator, status, desc, reason in survivors:
            print(f"  {ex:<4} {where} {mutator} [{status}]: {desc}")
            print(f"       {'equivalent: ' + reason if reason else 'NOT EXPLAINED: kill it with a test or explain it in ' + a.equivalent}")
    stale = [k for k in equivalent if k not in used]
    for key in stale:
        print(f"note: {a.equivalent} explains {' '.join(key)}, which no longer survives (remove the line)")
    unexplained = [s for s in survivors if not s[5]]
    if low:
        sys.exit(f"\nexercises below {a.min:g}% of their non-equivalent mutants detected: {', '.join(low)}")
    if unexplained:
        print(f"\n{len(unexplained)} survivor(s) not explained yet (above the threshold, so not a failure)")

if __name__ == "__main__":
    main()
