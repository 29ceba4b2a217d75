#!/usr/bin/env bash
# Batch benchmark: generates N ND4J submissions of known worth (solution 10, stub 0, broken 0,
# System.exit 0, endless loop in one test 8) and grades them with --batch, then checks that
# every submission got exactly its expected total. Run from the repository root after
#   mvn -q -pl lib,grader install -DskipTests
# usage: grader/bench/batch-bench.sh [N=50] [JOBS=cores]
set -euo pipefail
N=${1:-50}
JOBS=${2:-$(nproc)}
BENCH=grader/src/test/resources/bench
WORK=$(mktemp -d /tmp/ak-batch-bench.XXXXXX)
SRC=src/main/java/dev/attentionkit/exercises/ch03
SOL=$BENCH/solution/$SRC/AttentionScores.java
declare -A WANT
for i in $(seq -w 1 "$N"); do
  d=$WORK/in/student$i; mkdir -p "$d/$SRC"
  case $((10#$i % 5)) in
    0) cp "$SOL" "$d/$SRC/"; WANT[student$i]=10 ;;
    1) cp "$BENCH/stub/$SRC/AttentionScores.java" "$d/$SRC/"; WANT[student$i]=0 ;;
    2) sed 's/return x.mmul(x.transpose());/return x.mmul(x.transpose())/' "$SOL" > "$d/$SRC/AttentionScores.java"; WANT[student$i]=0 ;;
    3) sed 's/public final class AttentionScores {/public final class AttentionScores { static { System.exit(1); }/' "$SOL" > "$d/$SRC/AttentionScores.java"; WANT[student$i]=0 ;;
    4) sed 's/public static INDArray weightsFor(INDArray x, int q) {/public static INDArray weightsFor(INDArray x, int q) { while (q >= 0) { Thread.onSpinWait(); }/' "$SOL" > "$d/$SRC/AttentionScores.java"; WANT[student$i]=8 ;;
  esac
done
CP="$(cat grader/target/runtime-classpath.txt):grader/target/classes"
start=$(date +%s.%N)
java -cp "$CP" dev.attentionkit.grading.GradeMain --kit-root "$BENCH/kit" --batch "$WORK/in" --out "$WORK/out" \
  --jobs "$JOBS" --test-timeout 10
end=$(date +%s.%N)
rows=$(($(wc -l < "$WORK/out/gradebook.csv") - 1))
bad=0
while IFS=, read -r student total; do
  if [ "${WANT[$student]}" != "$total" ]; then echo "MISMATCH $student: got $total, want ${WANT[$student]}"; bad=$((bad+1)); fi
done < <(python3 -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1])): print(r["Student"] + "," + r["Total"])' "$WORK/out/gradebook.csv")
printf 'submissions=%s rows=%s mismatches=%s jobs=%s wall=%.1fs (%s)\n' "$N" "$rows" "$bad" "$JOBS" "$(echo "$end - $start" | bc)" "$WORK"
[ "$rows" = "$N" ] && [ "$bad" = 0 ]
