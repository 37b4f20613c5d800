#!/usr/bin/env bash
# PET uptake benchmark: `oncotrack pet` (release build) against the numpy+nibabel
# reference (benches/pet_numpy.py) on a 256x256x300 float32 volume with 20 lesions and
# 3 methods, in the same hyperfine run; then checks both give the same numbers.
# Needs: hyperfine, a Python with nibabel and numpy (PYTHON, default /work/venv-imaging/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/work/venv-imaging/bin/python}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cargo build --release --quiet
"$PYTHON" benches/make_pet_volume.py "$WORK"
BIN=target/release/oncotrack
METHODS=(relative:0.41 relative:0.5 absolute:2.5)
FLAGS=""
for m in "${METHODS[@]}"; do FLAGS="$FLAGS --method $m"; done
hyperfine --warmup 1 --runs 5 --export-markdown "$WORK/result.md" \
  -n oncotrack "$BIN pet $WORK/bench_suv.nii --mask $WORK/bench_mask.nii $FLAGS --format json" \
  -n numpy "$PYTHON benches/pet_numpy.py $WORK/bench_suv.nii $WORK/bench_mask.nii ${METHODS[*]}"
cat "$WORK/result.md"
$BIN pet "$WORK/bench_suv.nii" --mask "$WORK/bench_mask.nii" $FLAGS --format json > "$WORK/rust.json"
"$PYTHON" benches/pet_numpy.py "$WORK/bench_suv.nii" "$WORK/bench_mask.nii" "${METHODS[@]}" > "$WORK/numpy.json"
"$PYTHON" - "$WORK/rust.json" "$WORK/numpy.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert len(a) == len(b), (len(a), len(b))
worst = 0.0
for x, y in zip(a, b):
    assert (x["label"], x["method"], x["voxels"]) == (y["label"], y["method"], y["voxels"]), (x, y)
    for k in ("threshold", "suv_max", "suv_peak", "suv_mean", "mtv_ml", "tlg"):
        if x[k] is None or y[k] is None:
            assert x[k] == y[k]
            continue
        worst = max(worst, abs(x[k] - y[k]) / max(abs(y[k]), 1e-12))
print(f"{len(a)} rows agree; largest relative difference {worst:.2e}")
PY
