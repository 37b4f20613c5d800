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

// Issue 17, sections 1 and 2: oncotrack writes only into a database it made; concurrency.

fn foreign_db(path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("CREATE TABLE photos (name TEXT); INSERT INTO photos VALUES ('cat');")
        .unwrap();
}

#[test]
fn foreign_sqlite_file_is_refused_for_writing_and_reading_and_left_unchanged() {
    let s = Sandbox::new();
    foreign_db(&s.db());
    let before = std::fs::read(s.db()).unwrap();
    for args in [
        &["patient", "add", "P1", "--diagnosis", "osteosarcoma"][..],
        &["init"][..],
        &["patient", "list"][..],
    ] {
        let run = s.run(args);
        run.fails(
            1,
            "SQLite database made by another program (1 table: photos)",
        );
        assert!(!run.stderr.contains("oncotrack init"), "{}", run.stderr);
    }
    assert_eq!(std::fs::read(s.db()).unwrap(), before);
    // Another program's application id is named.
    let other = s.path().join("other.db");
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.pragma_update(None, "application_id", 0x4750_4B47)
        .unwrap();
    conn.execute_batch("CREATE TABLE t (x);").unwrap();
    drop(conn);
    s.run_raw(&["--db", other.to_str().unwrap(), "init"])
        .fails(1, "application_id 0x47504b47, 'GPKG'");
}

#[test]
fn empty_file_becomes_an_oncotrack_database_with_its_application_id() {
    let s = Sandbox::new();
    std::fs::write(s.db(), b"").unwrap();
    s.run(&["patient", "list"]).fails(1, "is empty");
    s.run(&["patient", "add", "P1", "--diagnosis", "osteosarcoma"])
        .ok();
    let conn = rusqlite::Connection::open(s.db()).unwrap();
    let id: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(id, oncotrack::store::APPLICATION_ID);
    let created_by: String = conn
        .query_row(
            "SELECT value FROM store_meta WHERE key = 'created_by'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(created_by.starts_with("oncotrack"), "{created_by}");
}

#[test]
fn database_of_an_older_oncotrack_without_application_id_is_still_opened() {
    let s = Sandbox::new();
    std::fs::copy(fixture("v2.sqlite"), s.db()).unwrap();
    s.run(&["init"]).ok();
    let conn = rusqlite::Connection::open(s.db()).unwrap();
    let id: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(id, oncotrack::store::APPLICATION_ID);
}

#[cfg(unix)]
#[test]
fn dangling_db_symlink_is_named_not_file_exists() {
    let s = Sandbox::new();
    std::os::unix::fs::symlink(s.path().join("nowhere/x.db"), s.db()).unwrap();
    let run = s.run(&["init"]);
    run.fails(1, "is a symbolic link to");
    assert!(!run.stderr.contains("os error 17"), "{}", run.stderr);
}

#[test]
fn second_writer_fails_with_database_is_busy_after_the_busy_timeout() {
    let s = Sandbox::new();
    s.run(&["init"]).ok();
    let mut conn = rusqlite::Connection::open(s.db()).unwrap();
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();
    let before = s.dump();
    s.run(&[
        "--busy-timeout",
        "0",
        "patient",
        "add",
        "P1",
        "--diagnosis",
        "osteosarcoma",
    ])
    .fails(1, "database is busy (another oncotrack is writing");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_oncotrack"))
        .args(["--db", s.db().to_str().unwrap(), "patient", "add", "P1"])
        .args(["--diagnosis", "osteosarcoma"])
        .env("ONCOTRACK_BUSY_TIMEOUT", "0.1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("waited 0.1 s"), "{stderr}");
    // Reads go on while another process writes.
    s.run(&["patient", "list"]).ok();
    drop(tx);
    assert_eq!(s.dump(), before);
    s.run(&["--busy-timeout", "x", "patient", "list"])
        .fails(2, "not a number of seconds");
}

#[test]
fn concurrent_ingest_of_the_same_csv_loser_says_already_ingested() {
    let s = Sandbox::new();
    s.run(&["init"]).ok();
    let mut csv = String::from("patient,diagnosis\n");
    for i in 0..5000 {
        csv.push_str(&format!("P{i:05},osteosarcoma\n"));
    }
    let file = s.file("patients.csv", &csv);
    let spawn = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_oncotrack"))
            .args(["--db", s.db().to_str().unwrap(), "ingest", "patients"])
            .arg(&file)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    for _ in 0..3 {
        std::fs::remove_file(s.db()).ok();
        for suffix in ["-wal", "-shm"] {
            std::fs::remove_file(format!("{}{suffix}", s.db().display())).ok();
        }
        s.run(&["init"]).ok();
        let (a, b) = (spawn(), spawn());
        let outputs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
        let mut said = Vec::new();
        for out in &outputs {
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{stderr}");
            assert!(!stderr.contains("UNIQUE"), "{stderr}");
            said.push(String::from_utf8_lossy(&out.stdout).into_owned());
        }
        assert_eq!(
            said.iter().filter(|o| o.contains("5000 new")).count(),
            1,
            "{said:?}"
        );
        assert_eq!(
            said.iter()
                .filter(|o| o.contains("already ingested"))
                .count(),
            1,
            "{said:?}"
        );
    }
}

#[test]
fn cytokine_ingest_killed_at_any_point_is_all_or_nothing() {
    let s = Sandbox::new();
    s.run_raw(&[
        "--db",
        "demo.db",
        "demo",
        "--patients",
        "40",
        "--no-tui",
        "--out",
        "d",
    ])
    .ok();
    let panel = s.path().join("d/cytokines.csv");
    let panel = panel.to_str().unwrap();
    let count = |db: &Path| -> i64 {
        rusqlite::Connection::open(db)
            .unwrap()
            .query_row("SELECT count(*) FROM cytokine_measurement", [], |r| {
                r.get(0)
            })
            .unwrap()
    };
    let full = s.path().join("full.db");
    let full_arg = full.to_str().unwrap();
    s.run_raw(&["--db", full_arg, "init"]).ok();
    s.run_raw(&["--db", full_arg, "ingest", "patients", "d/patients.csv"])
        .ok();
    s.run_raw(&["--db", full_arg, "ingest", "cytokines", panel])
        .ok();
    let all = count(&full);
    assert!(all > 0);
    for (trial, delay_ms) in [0u64, 20, 60, 120, 250].into_iter().enumerate() {
        let db = s.path().join(format!("k{trial}.db"));
        let db_arg = db.to_str().unwrap();
        s.run_raw(&["--db", db_arg, "init"]).ok();
        s.run_raw(&["--db", db_arg, "ingest", "patients", "d/patients.csv"])
            .ok();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_oncotrack"))
            .args(["--db", db_arg, "ingest", "cytokines", panel])
            .current_dir(s.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let conn = rusqlite::Connection::open(&db).unwrap();
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok", "killed after {delay_ms} ms");
        let n = count(&db);
        assert!(
            n == 0 || n == all,
            "killed after {delay_ms} ms: {n} of {all} rows"
        );
        s.run_raw(&["--db", db_arg, "ingest", "cytokines", panel])
            .ok();
        assert_eq!(count(&db), all, "re-ingest after a kill at {delay_ms} ms");
    }
}
