#!/usr/bin/env bash
# Reference values of the MRD test on ctDNAtools' T1.bam from samtools (see mrd_expected.py).
# Run from the repository root: bash tests/reference/liquid/mrd_expected.sh [DATA_DIR]
set -euo pipefail
data=${1:-../shared/data/bam}
mkdir -p tests/reference/liquid/mrd
python3 tests/reference/liquid/mrd_expected.py "$data" > tests/reference/liquid/mrd/T1.expected.json
