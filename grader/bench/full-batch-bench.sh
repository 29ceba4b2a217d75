#!/usr/bin/env bash
# Full-kit batch benchmark: N copies of the real course, alternately the kit's solutions (every point)
# and its stubs (0 each), graded with --batch by the real grader; then checks that nothing was lost:
# N gradebook rows, N feedback pairs (<student>.txt + <student>.json), every total as expected. Also times one
# full submission on its own first. Run from the repository root after
#   ./mvnw -B -q -pl grader -am install -DskipTests
# usage: grader/bench/full-batch-bench.sh [N=50] [JOBS=cores]
set -euo pipefail
N=${1:-50}
JOBS=${2:-$(nproc)}
WORK=$(mktemp -d /tmp/ak-full-batch.XXXXXX)
. tools/blas-env.sh
CP="$(cat grader/target/runtime-classpath.txt):grader/target/classes"
for i in $(seq -w 1 "$N"); do
  d=$WORK/in/student$i/src/main/java; mkdir -p "$d"
  if [ $((10#$i % 2)) = 0 ]; then cp -r solutions/src/main/java/. "$d/"
  else cp -r exercises/src/main/java/. "$d/"; fi
done
s0=$(date +%s.%N)
java -cp "$CP" dev.attentionkit.grading.GradeMain solutions --json "$WORK/one.json" > "$WORK/one.txt"
s1=$(date +%s.%N)
one=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['score'])" "$WORK/one.json")
max=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(sum(t['max_score'] for t in r['tests']))" "$WORK/one.json")
java -cp "$CP" dev.attentionkit.grading.GradeMain --batch "$WORK/in" --out "$WORK/out" --jobs "$JOBS" > "$WORK/batch.txt"
s2=$(date +%s.%N)
rows=$(($(wc -l < "$WORK/out/gradebook.csv") - 1))
txt=$(find "$WORK/out" -name 'student*.txt' | wc -l); json=$(find "$WORK/out" -name 'student*.json' | wc -l)
bad=$(python3 - "$WORK/out/gradebook.csv" "$max" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
bad = [r["Student"] for r in rows if r["Total"] != (sys.argv[2] if int(r["Student"][7:]) % 2 == 0 else "0")]
for b in bad:
    print("MISMATCH " + b, file=sys.stderr)
print(len(bad))
PY
)
printf 'one full submission: %s/%s in %.1fs\n' "$one" "$max" "$(echo "$s1 - $s0" | bc)"
printf 'batch: submissions=%s rows=%s feedback=%s.txt+%s.json mismatches=%s jobs=%s wall=%.1fs (%.1fs per submission) (%s)\n' \
  "$N" "$rows" "$txt" "$json" "$bad" "$JOBS" "$(echo "$s2 - $s1" | bc)" "$(echo "($s2 - $s1) / $N" | bc -l)" "$WORK"
[ "$one" = "$max" ] && [ "$rows" = "$N" ] && [ "$txt" = "$N" ] && [ "$json" = "$N" ] && [ "$bad" = 0 ]
