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
