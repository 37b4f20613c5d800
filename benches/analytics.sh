#!/usr/bin/env bash
# Cohort-analytics benchmark: oncotrack's ComBat and Ward against neuroCombat and scipy in the same run.
# Needs a Python with neuroCombat, scipy, pandas (PYTHON, default /work/venv-analytics/bin/python).
# Builds with the `bench-analytics` profile (oncotrack and kodama optimised, other crates not:
# a full release build of polars takes ~20 minutes on the 2-core machine).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/work/venv-analytics/bin/python}
DIR=${DIR:-$(mktemp -d)}
cargo build --profile bench-analytics --bench analytics --quiet
BIN=$(ls -t target/bench-analytics/deps/analytics-* | grep -v '\.d$' | head -1)
[ -f "$DIR/combat.csv" ] || "$BIN" --generate "$DIR"
echo "inputs in $DIR"
ours=$("$BIN" "$DIR")
theirs=$("$PYTHON" benches/analytics_reference.py "$DIR")
echo "$ours" | sed 's/^/oncotrack /'
echo "$theirs" | sed 's/^/reference /'
for name in combat ward; do
  o=$(echo "$ours" | awk -v n=$name '$1==n {print $2}')
  t=$(echo "$theirs" | awk -v n=$name '$1==n {print $2}')
  awk -v n=$name -v o="$o" -v t="$t" 'BEGIN { printf "%s: oncotrack %.3f s, reference %.3f s, speed-up %.1fx (time ratio %.2f)\n", n, o, t, t/o, o/t }'
done
