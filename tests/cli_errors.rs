//! Bad input through the real binary: one-line errors naming the item, exit 1 (2 for usage), nothing written.

use crate::util::Sandbox;

#[test]
fn unknown_patient_in_event_add_writes_nothing() {
    let s = Sandbox::new();
    s.with_patients();
    let before = s.dump();
    s.run(&[
        "event",
        "add",
        "P999",
        "--date",
        "2024-01-01",
        "--kind",
        "surgery",
    ])
    .fails(1, "unknown patient 'P999'");
    assert_eq!(s.dump(), before);
}

#[test]
fn impossible_date_and_unknown_kind_are_named() {
    let s = Sandbox::new();
    s.with_patients();
    s.run(&[
        "event",
        "add",
        "P001",
        "--date",
        "2026-02-30",
        "--kind",
        "surgery",
    ])
    .fails(1, "invalid --date '2026-02-30': no such calendar date");
    s.run(&[
        "event",
        "add",
        "P001",
        "--date",
        "2026-02-03",
        "--kind",
        "remission",
    ])
    .fails(1, "invalid --kind 'remission': unknown event kind");
    s.run(&["patient", "add", "P003", "--diagnosis", "UPS", "--sex", "X"])
        .fails(1, "invalid --sex 'X'");
}

#[test]
fn duplicate_patient_is_refused() {
    let s = Sandbox::new();
    s.with_patients();
    s.run(&["patient", "add", "P001", "--diagnosis", "UPS"])
        .fails(1, "patient 'P001' already exists");
}

#[test]
fn events_file_with_one_bad_row_writes_nothing() {
    let s = Sandbox::new();
    s.with_patients();
    let before = s.dump();
    for (content, needle) in [
        (
            "patient,date,kind\nP001,2024-01-01,diagnosis\nP404,2024-01-02,surgery\n",
            "line 3: field 'patient': unknown patient 'P404'",
        ),
        (
            "patient,date,kind\nP001,2024-01-01,diagnosis\nP001,2026-02-30,surgery\n",
            "line 3: field 'date': '2026-02-30': no such calendar date",
        ),
        (
            "patient,date,kind\nP001,2024-01-01,cure\n",
            "line 2: field 'kind': 'cure'",
        ),
    ] {
        let file = s.file("bad.csv", content);
        let run = s.run(&["ingest", "events", file.to_str().unwrap()]);
        run.fails(1, needle);
        assert!(
            run.stderr.contains("bad.csv"),
            "file not named: {}",
            run.stderr
        );
        assert_eq!(s.dump(), before, "{needle}");
    }
}

#[test]
fn a_directory_where_a_file_is_expected() {
    let s = Sandbox::new();
    s.with_patients();
    std::fs::create_dir(s.path().join("folder")).unwrap();
    s.run(&["ingest", "events", "folder"])
        .fails(1, "is a directory");
    s.run_raw(&["--db", s.path().to_str().unwrap(), "patient", "list"])
        .fails(1, "is a directory");
}

#[test]
fn missing_read_only_and_corrupt_databases() {
    let s = Sandbox::new();
    s.run(&["patient", "list"]).fails(1, "no database here");
    assert!(!s.db().exists(), "a listing must not create a database");

    s.with_patients();
    let mut perms = std::fs::metadata(s.db()).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o400);
    std::fs::set_permissions(s.db(), perms).unwrap();
    s.run(&["patient", "add", "P005", "--diagnosis", "UPS"])
        .fails(1, "is read-only");
    assert_eq!(
        s.run(&["patient", "list", "--format", "json"]).json().len(),
        2
    );

    let corrupt = s.file(
        "corrupt.db",
        "this is not an SQLite database, just text that is long enough to have a header\n",
    );
    let path = corrupt.to_str().unwrap();
    s.run_raw(&["--db", path, "patient", "list"])
        .fails(1, "not an oncotrack database");
    s.run_raw(&["--db", path, "patient", "add", "P1", "--diagnosis", "UPS"])
        .fails(1, "not an oncotrack database");
}

#[test]
fn database_from_a_newer_oncotrack_is_refused() {
    let s = Sandbox::new();
    s.run(&["init"]).ok();
    let conn = rusqlite::Connection::open(s.db()).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    s.run(&["patient", "list"]).fails(1, "newer oncotrack");
    s.run(&["init"]).fails(1, "newer oncotrack");
}

#[test]
fn usage_errors_exit_2() {
    let s = Sandbox::new();
    assert_eq!(
        s.run(&["patient", "add", "P1"]).code,
        2,
        "missing --diagnosis"
    );
    assert_eq!(s.run(&["frobnicate"]).code, 2);
    assert_eq!(s.run(&["patient", "list", "--format", "yaml"]).code, 2);
    // A value the library would refuse is refused by the parser.
    let table = s.file(
        "c.csv",
        "patient,date,analyte,value\nP001,2024-01-01,IL-6,3\n",
    );
    s.run(&[
        "ingest",
        "cytokines",
        table.to_str().unwrap(),
        "--unit",
        "mg/dL",
    ])
    .fails(2, "invalid value 'mg/dL' for '--unit <UNIT>': unknown unit");
}

/// Issue 11: `--format` is global, but a command refuses a format it cannot print at
/// parse time (exit 2), before it writes anything; `ingest pet` used to save the study
/// and then fail on `--format parquet`.
#[test]
fn a_format_the_command_cannot_print_is_refused_before_anything_is_written() {
    let s = Sandbox::new();
    s.with_patients();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let suv = root.join("fixtures/pet/clinical_suv.nii.gz");
    let mask = root.join("fixtures/pet/clinical_mask.nii.gz");
    let ingest = |format: &str| {
        s.run(&[
            "ingest",
            "pet",
            suv.to_str().unwrap(),
            "--mask",
            mask.to_str().unwrap(),
            "--patient",
            "P001",
            "--date",
            "2024-03-01",
            "--format",
            format,
        ])
    };
    let before = s.dump();
    for format in ["parquet", "ipc"] {
        ingest(format).fails(
            2,
            &format!("--format {format}: `ingest pet` prints table, json, csv or tsv"),
        );
        assert_eq!(s.dump(), before, "ingest pet --format {format} wrote");
    }
    s.run(&[
        "--format",
        "parquet",
        "patient",
        "add",
        "P003",
        "--diagnosis",
        "UPS",
    ])
    .fails(2, "--format parquet: `patient add` prints");
    s.run(&["--format", "ipc", "patient", "list"])
        .fails(2, "parquet and ipc are file formats of `export`");
    assert_eq!(s.dump(), before);

    // `export` writes files: json and tsv are refused before the file is made.
    let out = s.path().join("patients.json");
    for format in ["json", "tsv"] {
        s.run(&[
            "export",
            "patients",
            "--out",
            out.to_str().unwrap(),
            "--format",
            format,
        ])
        .fails(
            2,
            &format!("--format {format}: `export` writes table, csv, parquet or ipc"),
        );
        assert!(
            !out.exists(),
            "export --format {format} wrote {}",
            out.display()
        );
    }

    // The same study ingests with a format it prints.
    let rows = ingest("json").json();
    assert_eq!(
        rows.len(),
        4,
        "one row per mask label for the default method"
    );
    assert_ne!(s.dump(), before);
}
