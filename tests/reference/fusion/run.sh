#!/usr/bin/env bash
# Regenerates fixtures/liquid/fusion_junctions.bam (+ .bai) and the expected counts; run from
# the repository root. Needs pysam (0.24.1) in a venv outside the repository, e.g.
#   python3 -m venv /work/venv-fusion && /work/venv-fusion/bin/pip install pysam==0.24.1
set -euo pipefail
PY=${PYTHON:-/work/venv-fusion/bin/python}
"$PY" tests/reference/fusion/make_fusion_bam.py
"$PY" tests/reference/fusion/fusion_reference.py > /dev/null
echo "wrote tests/reference/fusion/expected.json"
