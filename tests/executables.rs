//! The two executables: `oncotrack` runs the per-patient commands itself and hands the others to `oncotrack-full`; both print the same.

use crate::response::example;
use std::path::Path;
use std::process::Command;

const FRONT: &str = env!("CARGO_BIN_EXE_oncotrack");
const FULL: &str = env!("CARGO_BIN_EXE_oncotrack-full");

/// Runs `exe ARGS` in `dir`; (exit code, stdout, stderr).
fn run(exe: &str, dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(exe)
        .args(args)
        .current_dir(dir)
        .env_remove("ONCOTRACK_DB")
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn both_executables_print_the_same_for_every_kind_of_command() {
    let sandbox = example();
    let db = sandbox.db();
    let db = db.to_str().unwrap();
    let out = sandbox.path().join("cohort.csv");
    let cases: Vec<Vec<&str>> = vec![
        // Run by `oncotrack` itself.
        vec!["--db", db, "timeline", "P001"],
        vec!["--db", db, "--format", "json", "response", "P001"],
        vec![
            "--db",
            db,
            "--format",
            "csv",
            "trend",
            "P001",
            "--series",
            "ctdna.mean_vaf,recist.sum",
        ],
        vec!["--db", db, "--format", "tsv", "ctdna", "P001"],
        vec!["--db", db, "patient", "show", "P001"],
        vec!["--db", db, "patient", "show", "P404"],
        vec!["--db", db, "--format", "parquet", "timeline", "P001"],
        // Global options after the command, and the other per-patient commands.
        vec!["timeline", "P001", "--db", db, "--format", "csv"],
        vec!["patient", "--db", db, "list", "--format", "json"],
        vec!["--db", db, "calls", "P001"],
        vec!["--db", db, "cytokines", "P001", "--busy-timeout", "2.5"],
        vec!["--db", db, "--format", "json", "trend", "P001"],
        // Usage errors and help of per-patient commands (exit 2 or 0).
        vec!["--db", db, "timeline"],
        vec!["--db", db, "--format", "xml", "timeline", "P001"],
        vec!["--db", db, "timeline", "P001", "--no-such-flag"],
        vec!["--db", db, "--busy-timeout", "-1", "timeline", "P001"],
        vec!["--db", db, "patient"],
        vec!["--db", db, "timelin", "P001"],
        vec!["help", "timeline"],
        vec!["patient", "help", "show"],
        vec!["--version"],
        vec!["--help"],
        vec!["timeline", "--help"],
        // Handed to oncotrack-full.
        vec!["--db", db, "--format", "csv", "cohort", "response"],
        vec!["export", "--help"],
        vec![
            "--db",
            db,
            "export",
            "cohort",
            "--out",
            out.to_str().unwrap(),
        ],
        vec!["--db", db, "export", "no-such-table", "--out", "x.csv"],
    ];
    let mut handed_on = 0;
    for args in &cases {
        let front = run(FRONT, sandbox.path(), args);
        if args.contains(&"export") && args.contains(&"--out") && front.0 == 0 {
            // The export wrote a file: the second run must not find it in the way.
            std::fs::remove_file(&out).unwrap();
            handed_on += 1;
        }
        let full = run(FULL, sandbox.path(), args);
        assert_eq!(
            front, full,
            "oncotrack and oncotrack-full differ on {args:?}"
        );
        // What the cases mean to test: answers and errors alike (0, 1 and 2).
        assert!(
            !front.1.is_empty() || !front.2.is_empty(),
            "{args:?} printed nothing"
        );
    }
    assert_eq!(handed_on, 1, "the export ran through oncotrack");
    let codes: Vec<i32> = cases
        .iter()
        .map(|args| run(FRONT, sandbox.path(), args).0)
        .collect();
    assert!(codes.contains(&1) && codes.contains(&2), "{codes:?}");
}

#[test]
fn without_oncotrack_full_beside_it_oncotrack_runs_its_own_commands_and_names_the_missing_file() {
    let sandbox = example();
    let alone = sandbox.path().join("bin");
    std::fs::create_dir(&alone).unwrap();
    let front = alone.join("oncotrack");
    std::fs::copy(FRONT, &front).unwrap();
    let front = front.to_str().unwrap();
    let db = sandbox.db();
    let db = db.to_str().unwrap();
    let (code, stdout, _) = run(front, sandbox.path(), &["--db", db, "timeline", "P001"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("blood draw"), "{stdout}");
    let (code, stdout, stderr) = run(front, sandbox.path(), &["--db", db, "cohort", "response"]);
    assert_eq!((code, stdout.as_str()), (1, ""), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "cannot run {}",
            alone.join("oncotrack-full").display()
        )) && stderr.contains("`cargo install --path .` installs both"),
        "{stderr}"
    );
    // A usage error is still found before anything is handed on.
    let (code, _, stderr) = run(front, sandbox.path(), &["cohort", "--no-such-flag"]);
    assert_eq!(code, 2, "{stderr}");
}
