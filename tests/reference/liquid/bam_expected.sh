#!/usr/bin/env bash
# Expected allele counts for oncotrack `count` from samtools mpileup (see bam_expected.py).
# Run from the repository root: bash tests/reference/liquid/bam_expected.sh
set -euo pipefail
data=${1:-../shared/data/bam}
out=tests/reference/liquid/bam
mkdir -p "$out"
for bam in "$data"/*.bam fixtures/liquid/*.bam; do
    [ -e "$bam" ] || continue
    python3 tests/reference/liquid/bam_expected.py "$bam" "$out"
done
samtools --version | head -2 > "$out/VERSION"
