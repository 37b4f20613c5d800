//! The store as a file: upgrade from an older schema snapshot (fixtures/db), and what a failed ingest leaves.

use crate::util::Sandbox;
use oncotrack::store::{Access, Store};
use std::path::Path;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/db")
        .join(name)
}

#[test]
fn schema_1_database_upgrades_with_its_data_intact() {
    let s = Sandbox::new();
    let db = s.path().join("v1.db");
    std::fs::copy(fixture("v1.sqlite"), &db).unwrap();
    let db_arg = db.to_str().unwrap();

    // A listing does not upgrade; it asks for `init`.
    s.run_raw(&["--db", db_arg, "patient", "list"])
        .fails(1, "run `oncotrack init` to upgrade");
    assert!(
        s.run_raw(&["--db", db_arg, "init"])
            .ok()
            .contains("upgraded")
    );
    let store = Store::open(&db, Access::ReadOnly).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        oncotrack::store::migrations::MIGRATIONS.len()
    );
    let patients = store.patients().unwrap();
    assert_eq!(
        patients
            .iter()
            .map(|p| p.fields.code.as_str())
            .collect::<Vec<_>>(),
        ["V001", "V002"]
    );
    assert_eq!(store.events("V001").unwrap().len(), 2);
    assert_eq!(
        patients[0].index_date,
        Some(oncotrack::model::parse_date("2021-05-03").unwrap())
    );
}

#[test]
fn schema_2_calls_keep_their_provenance_through_the_upgrade() {
    let s = Sandbox::new();
    let db = s.path().join("v2.db");
    std::fs::copy(fixture("v2.sqlite"), &db).unwrap();
    let db_arg = db.to_str().unwrap();
    assert!(
        s.run_raw(&["--db", db_arg, "init"])
            .ok()
            .contains("upgraded")
    );
    let calls: serde_json::Value = serde_json::from_str(
        s.run_raw(&["--db", db_arg, "--format", "json", "calls", "V001"])
            .ok(),
    )
    .unwrap();
    let rows: Vec<String> = calls
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {}:{} {} {} {} {} {} {} {}",
                c["date"].as_str().unwrap(),
                c["chrom"].as_str().unwrap(),
                c["pos"],
                c["caller"].as_str().unwrap(),
                c["sample"].as_str().unwrap(),
                c["vaf_source"].as_str().unwrap(),
                c["filter"].as_str().unwrap(),
                c["vaf"],
                c["depth"],
                c["detected"]
            )
        })
        .collect();
    // As `oncotrack calls V001` listed them at schema 2 (fixtures/README.md).
    assert_eq!(
        rows,
        [
            "2024-01-10 12:25245350 mutect2 PT-17_plasma FORMAT/AF PASS 0.1 500 true",
            "2024-01-10 17:7674220 mutect2 PT-17_plasma FORMAT/AF PASS 0.04 400 true",
            "2024-01-10 MT:3243 mutect2 PT-17_plasma FORMAT/AF PASS 0.2 1000 true",
            "2024-03-01 12:25245350 mutect2 PT-17_plasma FORMAT/AF PASS 0.06 500 true",
            "2024-03-01 17:7674220 mutect2 PT-17_plasma not detected not called 0.0 null false",
            "2024-03-01 MT:3243 mutect2 PT-17_plasma not detected weak_evidence 0.0 1000 false",
            "2024-05-01 1:1500 bam overlaps.bam BAM alt/depth (MAPQ>=20, BQ>=20, fragments) PASS 0.0 7 false",
        ]
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let raw: Vec<String> = conn
        .prepare("SELECT chrom_raw FROM variant_call JOIN call_provenance USING (provenance_id) ORDER BY sample_id, variant_id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(
        raw,
        ["chr12", "chr17", "chrM", "chr12", "17", "chrM", "chr1"]
    );
    // ctDNA metrics still see the draws: a not-detected placeholder counts as tracked.
    let ctdna: serde_json::Value = serde_json::from_str(
        s.run_raw(&["--db", db_arg, "--format", "json", "ctdna", "V001"])
            .ok(),
    )
    .unwrap();
    assert_eq!(ctdna.as_array().unwrap().len(), 2, "{ctdna}");
}

#[test]
fn failed_upgrade_leaves_the_old_database_intact() {
    let s = Sandbox::new();
    let db = s.path().join("v1.db");
    std::fs::copy(fixture("v1.sqlite"), &db).unwrap();
    let mut conn = rusqlite::Connection::open(&db).unwrap();
    // Sabotage: a table with the name migration 2 creates makes it fail half-way.
    conn.execute_batch("CREATE TABLE radiomic_feature (x INTEGER);")
        .unwrap();
    let err =
        oncotrack::store::migrations::migrate(&mut conn, oncotrack::store::migrations::MIGRATIONS)
            .unwrap_err()
            .to_string();
    assert!(err.contains("0002_measurements.sql"), "{err}");
    assert_eq!(
        oncotrack::store::migrations::user_version(&conn).unwrap(),
        1
    );
    let lb: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'lb_sample'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(lb, 0, "tables of the failed migration must be rolled back");
    let patients: i64 = conn
        .query_row("SELECT count(*) FROM patient", [], |r| r.get(0))
        .unwrap();
    assert_eq!(patients, 2);
}
