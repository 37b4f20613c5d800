#!/usr/bin/env bash
# Builds fixtures/liquid/overlaps.bam (+ .bai) from the generator; run from the repository root.
set -euo pipefail
python3 tests/reference/liquid/make_overlaps_bam.py
samtools sort -o fixtures/liquid/overlaps.bam fixtures/liquid/overlaps.sam
samtools index fixtures/liquid/overlaps.bam
rm fixtures/liquid/overlaps.sam
