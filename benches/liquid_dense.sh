#!/usr/bin/env bash
# Dense-panel BAM benchmarks (issue 12 §4) against samtools mpileup, in the same run (hyperfine):
#  a. `count` at 1,000 loci one per kb over 1 Mb at ~400x (paired 101 bp reads, 150-190 bp
#     fragments)                  vs  samtools mpileup -A -B -q 20 -Q 20 -l POS.tsv;
#  b. `count` at 50 loci every 400 bp (20 kb) at ~20,000x  vs  the same with -d 0;
#  c. `mrd` on (b) with 10,000 simulations (targets: the 20 kb panel)  vs  `count` on (b).
# Counts are checked identical to samtools' before timing. The sparse case (1,000 loci of a
# 1 GB BAM) is benches/liquid.sh.
# Needs: cargo, python3, samtools, hyperfine.
# Usage (from the repository root): bash benches/liquid_dense.sh [WORK_DIR]   (default /tmp/liquid-dense;
#   BIN=path/to/oncotrack to skip the release build)
set -euo pipefail
work=${1:-/tmp/liquid-dense}
mkdir -p "$work"
if [ -z "${BIN:-}" ]; then
    cargo build --release --quiet
    BIN=$(pwd)/target/release/oncotrack
fi
make=$(pwd)/benches/liquid_make_bam.py
cd "$work"

# a: 1,980,000 pairs over 1,000,400 bp (2 x 101 x 1.98e6 / 1.0004e6 = 400x)
[ -s dense_a.bam.bai ] || { python3 "$make" 1980000 dense_a.tsv 1000400 1000 1000 \
    | samtools view -b -o dense_a.bam - && samtools index dense_a.bam; }
# b: 2,080,000 pairs over 21,000 bp (20,000x)
[ -s dense_b.bam.bai ] || { python3 "$make" 2080000 dense_b.tsv 21000 50 400 \
    | samtools view -b -o dense_b.bam - && samtools index dense_b.bam; }
for c in a b; do tail -n +2 "dense_$c.tsv" | cut -f1,2 > "dense_$c.pos.tsv"; done
printf 'chr1\t999\t20600\n' > dense_b.bed
ls -l dense_a.bam dense_b.bam

mpileup_a="samtools mpileup -A -B -q 20 -Q 20 -l dense_a.pos.tsv dense_a.bam"
mpileup_b="samtools mpileup -A -B -q 20 -Q 20 -d 0 -l dense_b.pos.tsv dense_b.bam"
check() { # $1 case, $2 samtools command
    "$BIN" --format tsv count "dense_$1.bam" --loci "dense_$1.tsv" | tail -n +2 | cut -f1,2,5 > "ours_$1.txt"
    $2 2>/dev/null | awk -v OFS='\t' '{s = toupper($5); gsub(/\^./, "", s); n = gsub(/[ACGTN]/, "", s); print $1, $2, n}' > "theirs_$1.txt"
    cmp "ours_$1.txt" "theirs_$1.txt" && echo "case $1: counts identical at $(wc -l < "ours_$1.txt") loci"
}
check a "$mpileup_a"
check b "$mpileup_b"

hyperfine --warmup 1 --runs 5 --export-markdown dense_a.md \
    -n 'oncotrack count (a)' "$BIN count dense_a.bam --loci dense_a.tsv --format tsv > /dev/null" \
    -n 'samtools mpileup -l (a)' "$mpileup_a > /dev/null 2>&1"
hyperfine --warmup 1 --runs 5 --export-markdown dense_b.md \
    -n 'oncotrack count (b)' "$BIN count dense_b.bam --loci dense_b.tsv --format tsv > /dev/null" \
    -n 'samtools mpileup -d 0 -l (b)' "$mpileup_b > /dev/null 2>&1" \
    -n 'oncotrack mrd (b), 10,000 simulations' "$BIN mrd dense_b.bam --loci dense_b.tsv --targets dense_b.bed --simulations 10000 --format json > /dev/null"
