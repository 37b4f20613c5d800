"""Reads oncotrack's Parquet exports with pyarrow, DuckDB and pyspark and prints rows and types.

Usage: python check_export.py DIR TOOL...   (TOOL: pyarrow, duckdb, spark)
DIR holds plain/ and deid/ (`export all --format parquet`) and part/ (`export all
--format parquet --partition-by site`). The output is compared with expected-*.txt
by run.sh; see docs/export.md for the versions it was made with.
"""
import os
import sys

TABLES = ["patients", "timeline", "calls", "cytokines", "lesions", "pet",
          "radiomics", "clusters", "survival"]
# `export cohort --cluster demo-endotypes`, plain and de-identified (not partitioned).
COHORT = TABLES + ["cohort"]


def show(tool, kind, table, rows, types):
    print(f"{tool}\t{kind}\t{table}\t{rows}\t" + ", ".join(f"{n}:{t}" for n, t in types))


def check_pyarrow(root):
    import pyarrow.parquet as pq
    import pyarrow.dataset as ds
    for kind in ["plain", "deid"]:
        for t in COHORT:
            tab = pq.read_table(os.path.join(root, kind, t + ".parquet"))
            show("pyarrow", kind, t, tab.num_rows, [(f.name, str(f.type)) for f in tab.schema])
    for t in TABLES:
        tab = ds.dataset(os.path.join(root, "part", t), format="parquet",
                         partitioning="hive").to_table()
        show("pyarrow", "part", t, tab.num_rows, [(f.name, str(f.type)) for f in tab.schema])


def check_duckdb(root):
    import duckdb
    con = duckdb.connect()
    for kind in ["plain", "deid", "part"]:
        for t in TABLES if kind == "part" else COHORT:
            if kind == "part":
                src = f"read_parquet('{root}/part/{t}/*/*.parquet', hive_partitioning=true)"
            else:
                src = f"read_parquet('{root}/{kind}/{t}.parquet')"
            rows = con.execute(f"SELECT count(*) FROM {src}").fetchone()[0]
            types = [(r[0], r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()]
            show("duckdb", kind, t, rows, types)
    for kind in ["plain", "deid"]:
        sql = (f"SELECT sum(os_days), count(*) FILTER (WHERE os_event), "
               f"sum(efs_days), count(*) FILTER (WHERE efs_event) "
               f"FROM read_parquet('{root}/{kind}/survival.parquet')")
        print("duckdb", kind, "survival sums (os_days, os_events, efs_days, efs_events):",
              con.execute(sql).fetchone(), sep="\t")
    # The cohort table's survival columns equal the survival table's.
    for kind in ["plain", "deid"]:
        same = con.execute(
            f"SELECT count(*) FROM read_parquet('{root}/{kind}/cohort.parquet') c "
            f"JOIN read_parquet('{root}/{kind}/survival.parquet') s USING (patient) "
            f"WHERE c.os_days IS NOT DISTINCT FROM s.os_days "
            f"AND c.os_event IS NOT DISTINCT FROM s.os_event "
            f"AND c.efs_days IS NOT DISTINCT FROM s.efs_days "
            f"AND c.efs_event IS NOT DISTINCT FROM s.efs_event").fetchone()[0]
        print("duckdb", kind, f"cohort rows with the survival table's OS and EFS: {same}", sep="\t")
    # A de-identified table is ordered by pseudonym, not by patient code.
    for t in COHORT:
        src = f"read_parquet('{root}/deid/{t}.parquet')"
        ordered = con.execute(
            f"SELECT bool_and(ok) FROM (SELECT patient >= lag(patient, 1, '') "
            f"OVER (ORDER BY file_row_number) AS ok FROM "
            f"read_parquet('{root}/deid/{t}.parquet', file_row_number=true))").fetchone()[0]
        print("duckdb", "deid", t, f"ordered by pseudonym: {ordered}", sep="\t")


def check_spark(root):
    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[1]").appName("oncotrack-export")
             .config("spark.ui.enabled", "false")
             .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    for kind in ["plain", "deid", "part"]:
        for t in TABLES if kind == "part" else COHORT:
            path = os.path.join(root, kind, t if kind == "part" else t + ".parquet")
            df = spark.read.parquet(path)
            show("spark", kind, t, df.count(), [(f.name, f.dataType.simpleString()) for f in df.schema])
    spark.stop()


if __name__ == "__main__":
    root = os.path.abspath(sys.argv[1])
    for tool in sys.argv[2:]:
        {"pyarrow": check_pyarrow, "duckdb": check_duckdb, "spark": check_spark}[tool](root)
