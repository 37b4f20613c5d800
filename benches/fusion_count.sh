#!/usr/bin/env bash
# `count --fusions` for 20 fusions  vs  `samtools view -c` over the same ±1 kb windows of a >= 1 GB BAM (hyperfine).
# The BAM is benches/liquid_make_bam.py's (5,000,000 cfDNA-like read pairs on a 20 Mb chr1, ~1 GB; the one
# benches/liquid.sh makes is reused when present). The 20 junctions join chr1 to itself (A at 0.5 + 0.9 i Mb,
# B 400 kb further on, the four orientations in turn): the time is that of reading and classifying the reads
# of the 40 windows, which junction reads would not change.
# Needs: cargo, python3, samtools, hyperfine. The lead runs it in release after the merge:
#   bash benches/fusion_count.sh [WORK_DIR]   (default /tmp/liquid-bench; results in docs/benchmarks.md)
set -euo pipefail
work=${1:-/tmp/liquid-bench}
mkdir -p "$work"
cargo build --release --quiet
bin=$(pwd)/target/release/oncotrack
cd "$work"
[ -s big.bam.bai ] || { python3 "$OLDPWD/benches/liquid_make_bam.py" 5000000 loci1000.tsv \
    | samtools view -b -@2 -o big.bam - && samtools index big.bam; }
ls -l big.bam

orientations=("+-" "++" "-+" "--")
printf 'chrom_a\tpos_a\tchrom_b\tpos_b\torientation\tgene\n' > fusions20.tsv
: > windows20.txt
for i in $(seq 0 19); do
    a=$((500000 + 900000 * i)); b=$((a + 400000)); o=${orientations[$((i % 4))]}
    printf 'chr1\t%d\tchr1\t%d\t%s\tG%dA-G%dB\n' "$a" "$b" "$o" "$i" "$i" >> fusions20.tsv
    # The windows count --fusions reads: ±(insert window + 1) bp around each edge.
    for pos in "$a" "$b"; do echo "chr1:$((pos - 1001))-$((pos + 1001))" >> windows20.txt; done
done
"$bin" --format tsv count big.bam --fusions fusions20.tsv | head -5
echo "samtools view -c over the 40 windows: $(samtools view -c big.bam $(cat windows20.txt)) records"
# oncotrack sweeps the windows with one thread per core (at most 4, one per 8 windows: 2 here);
# samtools view reads with one thread unless given -@. Both are also timed on equal terms:
# oncotrack held to one core (taskset), and samtools with one extra decompression thread.
uptime
windows=$(tr '\n' ' ' < windows20.txt)
hyperfine --warmup 1 --runs 10 --export-markdown fusion_count.md \
    -n 'oncotrack count --fusions (20 fusions)' "$bin count big.bam --fusions fusions20.tsv --format tsv > /dev/null" \
    -n 'samtools view -c (40 windows of ±1 kb)' "samtools view -c big.bam $windows > /dev/null" \
    -n 'oncotrack, one core (taskset -c 0)' "taskset -c 0 $bin count big.bam --fusions fusions20.tsv --format tsv > /dev/null" \
    -n 'samtools view -c -@1 (two threads)' "samtools view -c -@1 big.bam $windows > /dev/null"
uptime
cat fusion_count.md
