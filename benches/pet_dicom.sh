#!/usr/bin/env bash
# DICOM PET benchmark (issue 14 §6): `oncotrack pet FOLDER` (release build: series read,
# sorted, converted to SUV, 20 lesions x 3 methods) against the pydicom+numpy reference
# (benches/pet_dicom_numpy.py) doing the same, on a 400-slice 200x200 BQML series written by
# benches/make_pet_dicom.py, in one hyperfine run; then checks both give the same numbers.
# Needs: hyperfine, a Python with pydicom, numpy, nibabel (PYTHON, default /work/venv-dicom/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/work/venv-dicom/bin/python}
BIN=${BIN:-target/release/oncotrack}
SLICES=${SLICES:-400}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
[ "$BIN" != target/release/oncotrack ] || cargo build --release --quiet
mkdir -p "$WORK/series"
"$PYTHON" benches/make_pet_dicom.py "$WORK/series" "$SLICES"
mv "$WORK/series/mask.nii.gz" "$WORK/mask.nii.gz"
METHODS=(relative:0.41 relative:0.5 absolute:2.5)
FLAGS=""
for m in "${METHODS[@]}"; do FLAGS="$FLAGS --method $m"; done
hyperfine --warmup 1 --runs ${RUNS:-5} --export-markdown "$WORK/result.md" \
  -n oncotrack "$BIN pet $WORK/series --mask $WORK/mask.nii.gz $FLAGS --format json" \
  -n pydicom-numpy "$PYTHON benches/pet_dicom_numpy.py $WORK/series $WORK/mask.nii.gz ${METHODS[*]}"
cat "$WORK/result.md"
$BIN pet "$WORK/series" --mask "$WORK/mask.nii.gz" $FLAGS --format json > "$WORK/rust.json"
"$PYTHON" benches/pet_dicom_numpy.py "$WORK/series" "$WORK/mask.nii.gz" "${METHODS[@]}" > "$WORK/numpy.json"
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
