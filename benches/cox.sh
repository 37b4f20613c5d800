#!/usr/bin/env bash
# Survival benchmark (issue 16 §4): `survival --cox` on 100,000 rows x 5 covariates and
# Kaplan-Meier + log-rank on 100,000 rows in 4 groups, oncotrack (release build) against
# lifelines in the same hyperfine run (whole processes: Python's start-up and imports count,
# as they do for a user), then lifelines' fit time alone and a check that both agree.
# Needs hyperfine and a Python with lifelines, numpy, pandas (PYTHON, default
# /work/venv-analyst/bin/python; tests/reference/cox/generate.py says which versions).
# Usage: benches/cox.sh [ROWS]   (default 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/work/venv-analyst/bin/python}
ROWS=${1:-100000}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cargo build --release --quiet
BIN=$PWD/target/release/oncotrack
"$PYTHON" benches/cox_reference.py make "$ROWS" "$WORK"
COX="$BIN --format json survival --input $WORK/cox.csv --time-col time --event-col event --cox x1,x2,x3,x4,x5"
KM="$BIN --format json survival --input $WORK/km.csv --time-col time --event-col event --group-col group"
hyperfine --warmup 1 --runs 5 --export-markdown "$WORK/cox.md" \
  -n oncotrack-cox "$COX" \
  -n lifelines-cox "$PYTHON benches/cox_reference.py cox $WORK/cox.csv"
hyperfine --warmup 1 --runs 5 --export-markdown "$WORK/km.md" \
  -n oncotrack-km "$KM" \
  -n lifelines-km "$PYTHON benches/cox_reference.py km $WORK/km.csv"
cat "$WORK/cox.md" "$WORK/km.md"
/usr/bin/time -f 'oncotrack cox: wall %e s, peak RSS %M KB' $COX > "$WORK/ours.json"
"$PYTHON" benches/cox_reference.py cox "$WORK/cox.csv" > "$WORK/theirs.json"
"$PYTHON" benches/cox_reference.py km "$WORK/km.csv" > /dev/null
"$PYTHON" - "$WORK/ours.json" "$WORK/theirs.json" <<'PY'
import json, sys
ours, theirs = (json.load(open(p)) for p in sys.argv[1:3])
worst = max(abs(c["coef"] - theirs["coef"][c["covariate"]]) for c in ours["coefficients"])
print(f"largest coefficient difference {worst:.2e}; log-likelihood {ours['model']['log_likelihood']:.6f} vs "
      f"{theirs['log_likelihood']:.6f}; concordance {ours['model']['concordance']:.6f} vs {theirs['concordance']:.6f}")
PY
