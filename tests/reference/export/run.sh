#!/bin/sh
# Regenerates expected-*.txt: a 40-patient demo cohort exported plain, de-identified and
# partitioned by site, read by pyarrow 14 (before string_view), current pyarrow, DuckDB and
# pyspark (local mode, Java 17). Venvs outside the repo:
#   python3 -m venv $OLD && $OLD/bin/pip install pyarrow==14.0.2 "numpy<2"
#   python3 -m venv $NEW && $NEW/bin/pip install pyarrow duckdb pyspark
# Usage: OLD=/path/venv-pyarrow14 NEW=/path/venv-current sh tests/reference/export/run.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${ONCOTRACK:-$here/../../../target/debug/oncotrack}
work=$(mktemp -d)
cd "$work"
"$bin" demo --patients 40 </dev/null >/dev/null
printf '0123456789abcdef0123456789abcdef\n' > key.txt
chmod 600 key.txt
db="--db oncotrack-demo.db --format parquet"
"$bin" $db export all --out plain >/dev/null
"$bin" $db export all --out deid --deidentify --key-file key.txt >/dev/null
"$bin" $db export all --out part --partition-by site >/dev/null
"$bin" $db export cohort --cluster demo-endotypes --out plain/cohort.parquet >/dev/null
"$bin" $db export cohort --cluster demo-endotypes --out deid/cohort.parquet --deidentify --key-file key.txt >/dev/null
"$OLD/bin/python" "$here/check_export.py" "$work" pyarrow > "$here/expected-pyarrow14.txt"
"$NEW/bin/python" "$here/check_export.py" "$work" pyarrow > "$here/expected-pyarrow.txt"
"$NEW/bin/python" "$here/check_export.py" "$work" duckdb > "$here/expected-duckdb.txt"
"$NEW/bin/python" "$here/check_export.py" "$work" spark 2>/dev/null > "$here/expected-spark.txt"
"$NEW/bin/python" -c 'import pyarrow, duckdb, pyspark; print("pyarrow", pyarrow.__version__, "duckdb", duckdb.__version__, "pyspark", pyspark.__version__)' > "$here/versions.txt"
"$OLD/bin/python" -c 'import pyarrow; print("old pyarrow", pyarrow.__version__)' >> "$here/versions.txt"
java -version 2>&1 | head -1 >> "$here/versions.txt"
rm -rf "$work"
