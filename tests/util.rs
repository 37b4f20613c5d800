//! Test helpers: a temp dir per test and a wrapper that runs the real binary in it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A file or folder of the real public data in `../shared/data`, or `None` (saying
/// that the test skips it) when that folder is absent, as on a fresh machine.
///
/// When `../shared/data` is there (as in CI) but `relative` is not, the test fails
/// instead of skipping: a renamed or missing file must not become a test that checked
/// nothing. Tests that walk a folder count what they checked and assert it is not zero.
#[track_caller]
pub fn shared_data(relative: &str) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    if !root.is_dir() {
        eprintln!(
            "skipped: the shared data folder {} is absent",
            root.display()
        );
        return None;
    }
    let path = root.join(relative);
    assert!(
        path.exists(),
        "{} is missing from the shared data in {} (present, so the test must not skip)",
        relative,
        root.display()
    );
    Some(path)
}

/// A scratch folder with a database path inside it, removed when dropped.
pub struct Sandbox {
    dir: tempfile::TempDir,
}

/// What a run of the binary printed and returned.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        &self.stdout
    }

    /// Asserts failure with `code` and a one-line error containing `needle`.
    #[track_caller]
    pub fn fails(&self, code: i32, needle: &str) {
        assert_eq!(
            self.code, code,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}: {}",
            self.stderr
        );
        if code == 1 {
            assert_eq!(
                self.stderr.trim_end().lines().count(),
                1,
                "not one line: {}",
                self.stderr
            );
        }
    }

    /// Parses stdout as a JSON array.
    #[track_caller]
    pub fn json(&self) -> Vec<serde_json::Value> {
        serde_json::from_str(self.ok())
            .unwrap_or_else(|e| panic!("invalid JSON ({e}): {}", self.stdout))
    }
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn db(&self) -> PathBuf {
        self.path().join("test.db")
    }

    /// Writes a file in the sandbox and returns its path.
    pub fn file(&self, name: &str, content: &str) -> PathBuf {
        let path = self.path().join(name);
        std::fs::write(&path, content).expect("write file");
        path
    }

    /// A pseudonym key file readable by its owner only, as oncotrack requires.
    pub fn key_file(&self, content: &str) -> PathBuf {
        let path = self.file("key.txt", content);
        #[cfg(unix)]
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .unwrap();
        path
    }

    /// Runs `oncotrack --db <sandbox db> ARGS` in the sandbox.
    pub fn run(&self, args: &[&str]) -> Run {
        let db = self.db();
        let mut full = vec!["--db", db.to_str().expect("utf-8 path")];
        full.extend_from_slice(args);
        self.run_raw(&full)
    }

    /// Runs `oncotrack ARGS` in the sandbox without adding `--db`.
    pub fn run_raw(&self, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_oncotrack"))
            .args(args)
            .current_dir(self.path())
            .env_remove("ONCOTRACK_DB")
            .output()
            .expect("run oncotrack");
        Run::from(output)
    }

    /// `init` plus two patients, for tests that need a populated store.
    pub fn with_patients(&self) {
        self.run(&["init"]).ok();
        self.run(&[
            "patient",
            "add",
            "P001",
            "--diagnosis",
            "osteosarcoma",
            "--sex",
            "F",
            "--birth-year",
            "2007",
            "--site",
            "Site A",
        ])
        .ok();
        self.run(&["patient", "add", "P002", "--diagnosis", "Ewing sarcoma"])
            .ok();
    }

    /// The whole database as text (schema and rows), for "nothing changed" checks.
    pub fn dump(&self) -> String {
        let conn = rusqlite::Connection::open_with_flags(
            self.db(),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("open db");
        let mut out = String::new();
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for table in tables {
            let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
            let columns = stmt.column_count();
            let rows: Vec<String> = stmt
                .query_map([], |r| {
                    Ok((0..columns)
                        .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                        .collect::<Vec<_>>()
                        .join("|"))
                })
                .unwrap()
                .map(Result::unwrap)
                .collect();
            out.push_str(&format!("{table}: {}\n", rows.join("\n  ")));
        }
        out
    }
}
