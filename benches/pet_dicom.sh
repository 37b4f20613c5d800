#!/usr/bin/env bash
# DICOM PET benchmark (issue 14 §6): `oncotrack pet FOLDER --mask RTSTRUCT` (release build:
# series read, sorted, converted to SUV; 20 RTSTRUCT ROIs rasterised on its grid; 20 lesions
# x 3 methods) against the pydicom+numpy reference (benches/pet_dicom_numpy.py) doing the
# same, on a 400-slice 200x200 BQML series and its RTSTRUCT written by
# benches/make_pet_dicom.py, in one hyperfine run; then checks both give the same numbers
# (voxel counts equal, values to 1e-9 relative).
# Needs: hyperfine, a Python with pydicom and numpy (PYTHON, default /work/venv-dicom/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/work/venv-dicom/bin/python}
BIN=${BIN:-target/release/oncotrack}
SLICES=${SLICES:-400}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
[ "$BIN" != target/release/oncotrack ] || cargo build --release --quiet
mkdir -p "$WORK/series"
"$PYTHON" benches/make_pet_dicom.py "$WORK/series" "$WORK/rtstruct.dcm" "$SLICES"
METHODS=(relative:0.41 relative:0.5 absolute:2.5)
FLAGS=""
for m in "${METHODS[@]}"; do FLAGS="$FLAGS --method $m"; done
hyperfine --warmup 1 --runs ${RUNS:-5} --export-markdown "$WORK/result.md" \
  -n oncotrack "$BIN pet $WORK/series --mask $WORK/rtstruct.dcm $FLAGS --format json" \
  -n pydicom-numpy "$PYTHON benches/pet_dicom_numpy.py $WORK/series $WORK/rtstruct.dcm ${METHODS[*]}"
cat "$WORK/result.md"
$BIN pet "$WORK/series" --mask "$WORK/rtstruct.dcm" $FLAGS --format json > "$WORK/rust.json"
"$PYTHON" benches/pet_dicom_numpy.py "$WORK/series" "$WORK/rtstruct.dcm" "${METHODS[@]}" > "$WORK/numpy.json"
"$PYTHON" - "$WORK/rust.json" "$WORK/numpy.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert len(a) == len(b), (len(a), len(b))
worst = 0.0
for x, y in zip(a, b):
    key = ("label", "name", "method", "voxels")
    assert [x[k] for k in key] == [y[k] for k in key], (x, y)
    for k in ("threshold", "suv_max", "suv_peak", "suv_mean", "mtv_ml", "tlg"):
        if x[k] is None or y[k] is None:
            assert x[k] == y[k]
            continue
        worst = max(worst, abs(x[k] - y[k]) / max(abs(y[k]), 1e-12))
assert worst <= 1e-9, worst
print(f"{len(a)} rows agree; largest relative difference {worst:.2e}")
PY
