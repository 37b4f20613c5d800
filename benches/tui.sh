#!/usr/bin/env bash
# Time to open the terminal UI on the 10,000-patient demo database: load the cohort
# (and a patient) from the store and draw the first frame, measured through
# `oncotrack tui --snapshot` (the same loaders and renderer as the interactive UI,
# drawing into an in-memory terminal). Needs hyperfine (apt-get install hyperfine).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin="$PWD/target/release/oncotrack"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$bin" demo --patients 10000 --no-tui > /dev/null
first=$("$bin" --db oncotrack-demo.db patient list --format csv | sed -n 2p | cut -d, -f1)
# Open time: what the UI does before its first frame (the response columns are then
# filled by a background thread, measured separately by the last command).
hyperfine --warmup 2 --runs 20 \
  "$bin --db oncotrack-demo.db tui --snapshot cohort --no-assess --size 200x60" \
  "$bin --db oncotrack-demo.db tui --snapshot patient:$first --no-assess --size 200x60" \
  "$bin --db oncotrack-demo.db tui --snapshot clusters --no-assess --size 200x60"
hyperfine --runs 3 "$bin --db oncotrack-demo.db tui --snapshot cohort --size 200x60"
