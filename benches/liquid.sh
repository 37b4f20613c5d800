#!/usr/bin/env bash
# Liquid-biopsy benchmarks against the reference tools, in the same run (hyperfine).
#  1. ingest of a 1,000,000-record bgzipped Mutect2 VCF  vs  bcftools query of the same fields;
#  2. `count` at 1,000 loci of a >= 1 GB BAM              vs  samtools mpileup at the same loci,
#     with identical counts checked first;
#  3. `demo --patients 10000`.
# Needs: cargo, python3, bgzip (tabix), bcftools, samtools, hyperfine, /usr/bin/time.
# Usage (from the repository root): bash benches/liquid.sh [WORK_DIR]   (default /tmp/liquid-bench)
set -euo pipefail
work=${1:-/tmp/liquid-bench}
mkdir -p "$work"
cargo build --release --quiet
bin=$(pwd)/target/release/oncotrack
cd "$work"

[ -s mutect2_1M.vcf.gz ] || python3 "$OLDPWD/benches/liquid_make_vcf.py" 1000000 | bgzip -@2 > mutect2_1M.vcf.gz
[ -s big.bam.bai ] || { python3 "$OLDPWD/benches/liquid_make_bam.py" 6000000 loci1000.tsv \
    | samtools view -b -@2 -o big.bam - && samtools index big.bam; }
tail -n +2 loci1000.tsv | awk -v OFS='\t' '{print $1, $2 - 1, $2}' > loci1000.bed
ls -l mutect2_1M.vcf.gz big.bam

fresh_db='rm -f bench.db bench.db-wal bench.db-shm && '"$bin"' --db bench.db init >/dev/null && '"$bin"' --db bench.db patient add P1 --diagnosis UPS >/dev/null'
echo "== peak RSS of the VCF ingest"
eval "$fresh_db"
/usr/bin/time -f 'ingest vcf: %e s wall, %M KB peak RSS' "$bin" --db bench.db ingest vcf mutect2_1M.vcf.gz \
    --patient P1 --date 2024-01-01 --all-filters >/dev/null
hyperfine --warmup 1 --runs 5 --export-markdown vcf.md \
    --prepare "$fresh_db" \
    -n 'oncotrack ingest vcf' "$bin --db bench.db ingest vcf mutect2_1M.vcf.gz --patient P1 --date 2024-01-01 --all-filters" \
    -n 'bcftools query' "bcftools query -f '%CHROM\t%POS\t%REF\t%ALT\t%FILTER\t[%AD\t%AF]\n' mutect2_1M.vcf.gz > /dev/null"

echo "== count at 1,000 loci: identical counts first"
mpileup="samtools mpileup -A -B -q 20 -Q 20 --ff UNMAP,SECONDARY,QCFAIL,DUP,SUPPLEMENTARY --no-output-ins --no-output-ins --no-output-del --no-output-ends -l loci1000.bed big.bam"
"$bin" --format tsv count big.bam --loci loci1000.tsv | tail -n +2 | cut -f1,2,5 > ours.txt
$mpileup 2>/dev/null | awk -v OFS='\t' '{n = 0; s = toupper($5); for (i = 1; i <= length(s); i++) if (substr(s, i, 1) ~ /[ACGTN]/) n++; print $1, $2, n}' > theirs.txt
cmp ours.txt theirs.txt && echo "counts identical at $(wc -l < ours.txt) loci"
hyperfine --warmup 1 --runs 5 --export-markdown count.md \
    -n 'oncotrack count' "$bin count big.bam --loci loci1000.tsv --format tsv > /dev/null" \
    -n 'samtools mpileup -l' "$mpileup > /dev/null 2>&1"

echo "== demo --patients 10000"
hyperfine --runs 3 --export-markdown demo.md \
    -n 'demo --patients 10000' "rm -rf demo10k demo10k.db* && $bin --db demo10k.db demo --patients 10000 --out demo10k > /dev/null"
