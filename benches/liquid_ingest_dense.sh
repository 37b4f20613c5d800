#!/usr/bin/env bash
# `ingest bam --loci --targets` on the dense panel (b) of benches/liquid_dense.sh (2,080,000
# read pairs over 21 kb, ~20,000x; 50 loci every 400 bp; targets the 19.6 kb panel), where one
# read of the BAM gives both the allele counts and the MRD pileup, with `count` and `mrd` alone,
# against another build (OLD, e.g. main's before the one read) in the same hyperfine run.
# Before timing it checks that both builds print the same `count` and `mrd` output and store
# the same rows (sqlite3 dumps, time stamps blanked).
# Needs: cargo, python3, samtools, sqlite3, hyperfine.
# Usage (from the repository root):
#   OLD=path/to/old/oncotrack bash benches/liquid_ingest_dense.sh [WORK_DIR]   (default /tmp/liquid-dense;
#   BIN=path/to/oncotrack to skip the release build; without OLD only this build is timed)
set -euo pipefail
work=${1:-/tmp/liquid-dense}
mkdir -p "$work"
if [ -z "${BIN:-}" ]; then
    cargo build --release --quiet
    BIN=$(pwd)/target/release/oncotrack
fi
make=$(pwd)/benches/liquid_make_bam.py
cd "$work"
[ -s dense_b.bam.bai ] || { python3 "$make" 2080000 dense_b.tsv 21000 50 400 \
    | samtools view -b -o dense_b.bam - && samtools index dense_b.bam; }
printf 'chr1\t999\t20600\n' > dense_b.bed
ls -l dense_b.bam

rm -f base.db
"$BIN" --db base.db init > /dev/null
"$BIN" --db base.db patient add P1 --diagnosis osteosarcoma > /dev/null
count="count dense_b.bam --loci dense_b.tsv --format tsv"
mrd="mrd dense_b.bam --loci dense_b.tsv --targets dense_b.bed --simulations 10000 --format json"
ingest="ingest bam dense_b.bam --patient P1 --date 2024-03-01 --loci dense_b.tsv --targets dense_b.bed --simulations 10000"

builds=(new)
[ -n "${OLD:-}" ] && builds=(old new)
bin_of() { if [ "$1" = old ]; then echo "$OLD"; else echo "$BIN"; fi; }
for b in "${builds[@]}"; do
    bin=$(bin_of "$b")
    $bin $count > "count_$b.txt"
    $bin $mrd > "mrd_$b.json"
    cp base.db "check_$b.db"
    $bin --db "check_$b.db" $ingest > "ingest_$b.txt"
    sqlite3 "check_$b.db" .dump | sed -E "s/'[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z'/'(time)'/g" > "dump_$b.sql"
done
if [ -n "${OLD:-}" ]; then
    cmp count_old.txt count_new.txt && cmp mrd_old.json mrd_new.json \
        && cmp ingest_old.txt ingest_new.txt && cmp dump_old.sql dump_new.sql \
        && echo "old and new: count, mrd, ingest output and the stored rows ($(wc -l < dump_new.sql) dump lines) identical"
fi

args=()
for b in "${builds[@]}"; do
    bin=$(bin_of "$b")
    args+=(-n "$b: oncotrack count (b)" "$bin $count > /dev/null")
    args+=(-n "$b: oncotrack mrd (b), 10,000 simulations" "$bin $mrd > /dev/null")
    args+=(-n "$b: oncotrack ingest bam (b) --loci --targets" "$bin --db run_$b.db $ingest > /dev/null")
done
prepare="true"
for b in "${builds[@]}"; do prepare="$prepare && cp base.db run_$b.db"; done
uptime
hyperfine --warmup 1 --runs "${RUNS:-5}" --prepare "$prepare" --export-markdown ingest_dense.md \
    --export-json ingest_dense.json "${args[@]}"
uptime
# User CPU per command (hyperfine's mean of user time).
python3 - <<'PY'
import json
for r in json.load(open("ingest_dense.json"))["results"]:
    print(f"{r['command']}: mean {r['mean']:.2f} ± {r['stddev']:.2f} s, user {r['user']:.2f} s, system {r['system']:.2f} s")
PY
