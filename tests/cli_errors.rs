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

// Issue 17, section 3: hostile inputs outside the VCF and BAM readers.

#[test]
fn format_csv_json_tsv_piped_into_head_exits_0_quietly() {
    use std::io::Read;
    let s = Sandbox::new();
    s.run(&["init"]).ok();
    let mut csv = String::from("patient,diagnosis\n");
    for i in 0..3000 {
        csv.push_str(&format!("P{i:05},osteosarcoma\n"));
    }
    let file = s.file("patients.csv", &csv);
    s.run(&["ingest", "patients", file.to_str().unwrap()]).ok();
    for format in ["csv", "json", "tsv", "table"] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_oncotrack"))
            .args(["--db", s.db().to_str().unwrap(), "patient", "list"])
            .args(["--format", format])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // What `head -1` does: read a little, then close the pipe. The listing is
        // larger than a pipe's buffer, so the writer meets the closed pipe.
        let mut first = [0u8; 64];
        let mut stdout = child.stdout.take().unwrap();
        stdout.read_exact(&mut first).unwrap();
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "--format {format}: {stderr}");
        assert!(stderr.is_empty(), "--format {format}: {stderr}");
    }
}

#[test]
fn future_dates_for_events_are_refused() {
    let s = Sandbox::new();
    s.with_patients();
    let before = s.dump();
    let tomorrow = (chrono::Local::now().date_naive() + chrono::Days::new(1))
        .format("%Y-%m-%d")
        .to_string();
    s.run(&[
        "event", "add", "P001", "--date", &tomorrow, "--kind", "surgery",
    ])
    .fails(1, "lies in the future");
    let file = s.file(
        "events.csv",
        &format!("patient,date,kind\nP001,2024-01-10,diagnosis\nP001,{tomorrow},surgery\n"),
    );
    s.run(&["ingest", "events", file.to_str().unwrap()]).fails(
        1,
        &format!("line 3: field 'date': '{tomorrow}' lies in the future"),
    );
    assert_eq!(s.dump(), before);
}

// Issue 17, section 5: small leaks.

#[cfg(unix)]
#[test]
fn key_file_readable_by_others_is_refused_with_chmod_600() {
    use std::os::unix::fs::PermissionsExt;
    let s = Sandbox::new();
    s.with_patients();
    let key = s.file("key.txt", "a-secret-key-of-32-bytes-or-more!!");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = s.path().join("p.csv");
    let args = [
        "export",
        "patients",
        "--out",
        out.to_str().unwrap(),
        "--deidentify",
        "--key-file",
        key.to_str().unwrap(),
    ];
    s.run(&args).fails(1, "chmod 600");
    assert!(!out.exists());
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    s.run(&args).ok();
    assert!(!std::fs::read_to_string(&out).unwrap().contains("P001"));
}

#[cfg(unix)]
#[test]
fn export_out_never_follows_a_symlink_and_writes_files_0600() {
    use std::os::unix::fs::PermissionsExt;
    let s = Sandbox::new();
    s.with_patients();
    let victim = s.file("victim.txt", "victim");
    let link = s.path().join("link.csv");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    s.run(&["export", "patients", "--out", link.to_str().unwrap()])
        .fails(1, "is a symbolic link");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "victim");
    // A folder link for `all`.
    std::fs::create_dir(s.path().join("real")).unwrap();
    let folder_link = s.path().join("folder");
    std::os::unix::fs::symlink(s.path().join("real"), &folder_link).unwrap();
    s.run(&["export", "all", "--out", folder_link.to_str().unwrap()])
        .fails(1, "is a symbolic link");
    assert_eq!(std::fs::read_dir(s.path().join("real")).unwrap().count(), 0);
    // Exported files are the owner's only, a replaced one included.
    let out = s.file("p.csv", "old");
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o644)).unwrap();
    s.run(&["export", "patients", "--out", out.to_str().unwrap()])
        .ok();
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
    assert!(std::fs::read_to_string(&out).unwrap().contains("P001"));
    let folder = s.path().join("all");
    s.run(&["export", "all", "--out", folder.to_str().unwrap()])
        .ok();
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", path.display());
        assert!(!path.file_name().unwrap().to_string_lossy().starts_with('.'));
    }
}

#[test]
fn csv_of_zero_bytes_is_refused_at_its_first_long_line() {
    let s = Sandbox::new();
    s.with_patients();
    let before = s.dump();
    let mut bytes = b"patient,date,kind\n".to_vec();
    bytes.extend(std::iter::repeat_n(0u8, 3 << 20));
    let path = s.path().join("zeros.csv");
    std::fs::write(&path, &bytes).unwrap();
    for kind in ["events", "patients", "cytokines", "lesions"] {
        s.run(&["ingest", kind, path.to_str().unwrap()]).fails(
            1,
            "line 2: field '(record)': line is longer than 1 MiB (starting at byte 18)",
        );
    }
    assert_eq!(s.dump(), before);
}
