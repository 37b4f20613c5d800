#!/usr/bin/env bash
# The demo at scale: `oncotrack demo --patients N` (default 10,000) in a release build,
# with wall time and peak memory from /usr/bin/time, and the sizes of what it wrote.
set -euo pipefail
cd "$(dirname "$0")/.."
patients=${1:-10000}
cargo build --release --quiet
bin="$PWD/target/release/oncotrack"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
/usr/bin/time -f 'wall %e s, peak RSS %M KB' "$bin" demo --patients "$patients" --no-tui > summary.txt
tail -n +1 summary.txt | head -40
echo "database: $(stat -c %s oncotrack-demo.db) bytes; input files: $(du -sb oncotrack-demo | cut -f1) bytes in $(find oncotrack-demo -type f | wc -l) files"
