#!/usr/bin/env bash
# Response assessment and trends on a synthetic store of N patients (default 2000) shaped
# like fixtures/response/example.sql: `cohort response` (every criterion for every
# patient), `response` and `trend` for one patient. No reference tool computes these
# criteria, so there is no ratio. Needs hyperfine and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
profile=${PROFILE:-release}
if [ "$profile" = release ]; then cargo build --release --quiet; else cargo build --quiet; fi
bin="$PWD/target/$profile/oncotrack"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" --db "$work/r.db" init > /dev/null
python3 benches/response_db.py "$work/r.db" "$n"
hyperfine --warmup 1 --runs 10 \
  "$bin --db $work/r.db --format csv cohort response" \
  "$bin --db $work/r.db --format json response P00001" \
  "$bin --db $work/r.db --format json trend P00001 --series ctdna.mean_vaf,cytokine:IL-6,pet.tlg,recist.sum"
