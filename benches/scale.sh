#!/usr/bin/env bash
# A store that scales (issue 16 §6): for each cohort size (default 10000 50000 200000),
# a store of N patients x 20 visits made by the lean generator benches/scale_db.py
# (written straight into an `oncotrack init` database: at 200,000 patients `demo
# --patients` would measure its file writing and ingest, not the store), then
#   - generation time and the database size,
#   - `timeline`, `patient show`, `response` p50 / p95 over 100 random patients (one
#     process per call, as a user runs them; target p95 <= 5 ms),
#   - the terminal UI's first frame (`tui --snapshot cohort --no-assess`, hyperfine; target
#     <= 300 ms),
#   - `export cohort` to Parquet (target <= 60 s),
#   - peak memory of each step (/usr/bin/time; target <= 2 GB).
# Release build. Needs hyperfine and python3; about 10 GB of disk at 200,000 patients
# (WORK, default a temporary folder, removed at the end unless KEEP=1).
# DB_DIR=folder reuses DB_DIR/scale-N.db made earlier instead of generating it (an hour
# at 200,000): used in place when its schema is this oncotrack's, else copied into WORK
# and upgraded there by `oncotrack init` (the migration is timed; the original is left
# as it was).
# Usage: [DB_DIR=folder] benches/scale.sh [N ...]
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 50000 200000)
VISITS=${VISITS:-20}
# PROFILE=debug: a quick check of the script itself (numbers meaningless).
profile=${PROFILE:-release}
if [ "$profile" = release ]; then cargo build --release --quiet; else cargo build --quiet; fi
bin="$PWD/target/$profile/oncotrack"
WORK=${WORK:-$(mktemp -d)}
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
peak() { /usr/bin/time -f '%e s wall, %U s user, %M KB peak' "$@" 2>&1 >/dev/null | tail -1; }
# The machine may be shared: every figure is printed with the load average before it.
load() { echo "  (load $(cut -d' ' -f1-3 /proc/loadavg))"; }
for n in "${sizes[@]}"; do
  db="$WORK/scale-$n.db"
  echo "== $n patients x $VISITS visits"
  if [ -n "${DB_DIR:-}" ] && [ -f "$DB_DIR/scale-$n.db" ]; then
    have=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True).execute("PRAGMA user_version").fetchone()[0])' "$DB_DIR/scale-$n.db")
    want=$(ls schema/*.sql | wc -l)
    if [ "$have" = "$want" ]; then
      db="$DB_DIR/scale-$n.db"
      echo "reused: $db (schema $have)"
    else
      rm -f "$db" "$db-wal" "$db-shm"
      cp "$DB_DIR/scale-$n.db" "$db"
      echo "reused: a copy of $DB_DIR/scale-$n.db (schema $have)"
      echo "migrate to schema $want: $(peak "$bin" --db "$db" init)"
    fi
  else
    rm -f "$db" "$db-wal" "$db-shm"
    "$bin" --db "$db" init > /dev/null
    echo "generate: $(peak python3 benches/scale_db.py "$db" "$n" "$VISITS")"
  fi
  echo "database: $(du -b "$db" | cut -f1) bytes ($(du -bc "$db"* | tail -1 | cut -f1) with WAL)"
  load
  python3 benches/scale_measure.py "$bin" "$db" "$n" 100
  load
  first=$(printf 'P%0*d' "$(( ${#n} > 5 ? ${#n} : 5 ))" 1)
  echo "patient show peak memory: $(peak "$bin" --db "$db" patient show "$first")"
  hyperfine --warmup 2 --runs 10 --style basic \
    "$bin --db $db tui --snapshot cohort --no-assess --size 200x60" 2>&1 | grep -E 'Time|Range'
  load
  echo "tui first frame peak memory: $(peak "$bin" --db "$db" tui --snapshot cohort --no-assess --size 200x60)"
  echo "export cohort (parquet): $(peak "$bin" --db "$db" export cohort --out "$WORK/cohort-$n.parquet")"
  load
  echo "cohort parquet: $(du -b "$WORK/cohort-$n.parquet" | cut -f1) bytes"
done
