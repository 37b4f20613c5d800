#!/usr/bin/env bash
# The one-page report: one patient's HTML and PDF (target <= 300 ms each), the board's
# 50 marked patients (target <= 10 s), and the cohort figures, on the 10,000-patient
# demo database (PATIENTS to change). Release build; needs hyperfine and python3 (its
# sqlite3 module marks 50 patients for the board, as `m` in the UI would).
set -euo pipefail
cd "$(dirname "$0")/.."
PATIENTS=${PATIENTS:-10000}
cargo build --release --quiet
bin="$PWD/target/release/oncotrack"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$bin" demo --patients "$PATIENTS" --no-tui > /dev/null
python3 - <<'PY'
import sqlite3
db = sqlite3.connect("oncotrack-demo.db")
db.execute("""INSERT INTO board_mark (patient_id, marked_on)
              SELECT patient_id, '2026-12-01' FROM patient ORDER BY code LIMIT 50""")
db.commit()
PY
"$bin" --db oncotrack-demo.db cohort board --format csv | tail -n +2 | wc -l | sed 's/^/marked: /'
# The demo's codes are as wide as its size needs (P001 at 120 patients, P00001 at 10,000).
first=$("$bin" --db oncotrack-demo.db patient list --format csv | sed -n 2p | cut -d, -f1)
third=$("$bin" --db oncotrack-demo.db patient list --format csv | sed -n 4p | cut -d, -f1)
hyperfine --warmup 2 --runs 20 \
  "$bin --db oncotrack-demo.db report $first --out p1.html" \
  "$bin --db oncotrack-demo.db report $first --out p1.pdf" \
  "$bin --db oncotrack-demo.db report $third --out p3.html --at 2024-06-01"
hyperfine --warmup 1 --runs 5 \
  "$bin --db oncotrack-demo.db report --board --out board" \
  "$bin --db oncotrack-demo.db report --board --out board-pdf --as pdf"
hyperfine --runs 3 \
  "$bin --db oncotrack-demo.db report --swimmer --out swimmer.svg" \
  "$bin --db oncotrack-demo.db survival --group cluster:demo-endotypes --plot km.svg"
ls -l p1.html p1.pdf swimmer.svg km.svg
