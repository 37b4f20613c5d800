//! Patients, events, ingest and timeline through the real binary: the happy paths and their output formats.

use crate::util::Sandbox;

#[test]
fn init_creates_a_private_database_and_is_idempotent() {
    let s = Sandbox::new();
    assert!(s.run(&["init"]).ok().contains("created"));
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(s.db()).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600, "database mode {mode:o}");
    assert!(s.run(&["init"]).ok().contains("up to date"));
}

#[test]
fn db_path_comes_from_the_environment_when_not_given() {
    let s = Sandbox::new();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_oncotrack"))
        .arg("init")
        .current_dir(s.path())
        .env("ONCOTRACK_DB", s.path().join("env.db"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(s.path().join("env.db").is_file());
    assert!(!s.path().join("oncotrack.db").exists());
}

#[test]
fn patient_list_json_has_the_documented_keys() {
    let s = Sandbox::new();
    s.with_patients();
    let rows = s.run(&["patient", "list", "--format", "json"]).json();
    assert_eq!(rows.len(), 2);
    let keys: Vec<&str> = rows[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in ["id", "diagnosis", "sex", "birth_year", "site", "index_date"] {
        assert!(keys.contains(&key), "missing {key} in {keys:?}");
    }
    assert_eq!(rows[0]["id"], "P001");
    assert_eq!(rows[0]["birth_year"], 2007);
    assert_eq!(rows[1]["sex"], serde_json::Value::Null);
    assert_eq!(rows[0]["index_date"], serde_json::Value::Null);
}

#[test]
fn events_set_the_index_date_and_fill_the_timeline() {
    let s = Sandbox::new();
    s.with_patients();
    s.run(&[
        "event",
        "add",
        "P001",
        "--date",
        "2024-03-04",
        "--kind",
        "treatment-start",
        "--detail",
        "line 1: MAP",
    ])
    .ok();
    let events = s.file(
        "events.csv",
        "patient,date,kind,detail\nP001,2024-02-12,diagnosis,\"osteosarcoma, distal femur\"\nP001,2024-06-01,surgery,limb salvage\nP002,2024-05-05,diagnosis,\n",
    );
    let out = s
        .run(&["ingest", "events", events.to_str().unwrap()])
        .ok()
        .to_string();
    assert!(out.contains("3 events records read, 3 new"), "{out}");

    let rows = s.run(&["timeline", "P001", "--format", "json"]).json();
    let seen: Vec<(String, i64, String)> = rows
        .iter()
        .map(|r| {
            (
                r["date"].as_str().unwrap().to_string(),
                r["day"].as_i64().unwrap(),
                r["item"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("2024-02-12".into(), 0, "diagnosis".into()),
            ("2024-03-04".into(), 21, "treatment-start".into()),
            ("2024-06-01".into(), 110, "surgery".into()),
        ]
    );
    assert_eq!(rows[0]["detail"], "osteosarcoma, distal femur");

    let csv = s
        .run(&["timeline", "P001", "--format", "csv"])
        .ok()
        .to_string();
    assert_eq!(csv.lines().next(), Some("date,day,category,item,detail"));
    assert!(
        csv.contains("2024-02-12,0,event,diagnosis,\"osteosarcoma, distal femur\""),
        "{csv}"
    );
    let table = s.run(&["timeline", "P001"]).ok().to_string();
    assert!(
        table.lines().nth(2).unwrap().starts_with("2024-02-12  0"),
        "{table}"
    );

    let list = s
        .run(&["patient", "list", "--format", "csv"])
        .ok()
        .to_string();
    assert!(
        list.contains("P001,osteosarcoma,F,2007,Site A,2024-02-12"),
        "{list}"
    );
    let show = s
        .run(&["patient", "show", "P001", "--format", "json"])
        .json();
    assert_eq!(show[0]["events"], 3);
    assert_eq!(show[0]["treatment_lines"], 1);
    assert_eq!(show[0]["vital_status"], "alive");
}

#[test]
fn reingesting_the_same_file_changes_nothing_and_says_so() {
    let s = Sandbox::new();
    s.with_patients();
    let events = s.file("e.csv", "patient,date,kind\nP001,2024-02-12,diagnosis\n");
    s.run(&["ingest", "events", events.to_str().unwrap()]).ok();
    let before = s.dump();
    let out = s
        .run(&["ingest", "events", events.to_str().unwrap()])
        .ok()
        .to_string();
    assert!(
        out.contains("already ingested") && out.contains("nothing changed"),
        "{out}"
    );
    assert_eq!(s.dump(), before);

    // The same rows in another file are recognised as already present.
    let copy = s.file(
        "copy.csv",
        "patient,date,kind\nP001,2024-02-12,diagnosis\n\n",
    );
    let out = s
        .run(&["ingest", "events", copy.to_str().unwrap()])
        .ok()
        .to_string();
    assert!(out.contains("0 new, 1 already in the database"), "{out}");
}

#[test]
fn patients_file_ingests_and_event_add_twice_is_a_no_op() {
    let s = Sandbox::new();
    s.run(&["init"]).ok();
    let patients = s.file("p.csv", "patient,diagnosis,sex,birth_year,site,primary_site,height_cm\nP010,liposarcoma,M,1960,Site B,retroperitoneum,181\n");
    s.run(&["ingest", "patients", patients.to_str().unwrap()])
        .ok();
    let rows = s
        .run(&["patient", "show", "P010", "--format", "json"])
        .json();
    assert_eq!(rows[0]["primary_site"], "retroperitoneum");
    assert_eq!(rows[0]["height_cm"], 181.0);
    let add = [
        "event",
        "add",
        "P010",
        "--date",
        "2025-01-02",
        "--kind",
        "death",
    ];
    s.run(&add).ok();
    assert!(s.run(&add).ok().contains("already recorded"));
    let show = s.run(&["patient", "show", "P010"]).ok().to_string();
    assert!(show.contains("vital_status     dead"), "{show}");
}
