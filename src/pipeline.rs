//! File to store: fingerprint, parse, and write one input file in one transaction, recording it in the ledger.
//!
//! The command line and the demo cohort both ingest through these functions, so a
//! demo database is built exactly as a user's would be.

pub mod cytokines;
pub mod fusion;
pub mod imaging;
pub mod mask;
pub mod pet;

use crate::error::{Error, Result};
use crate::ingest;
use crate::store::events::Inserted;
use crate::store::{FileRecord, IngestedFile, SHA256_PENDING, Store, Tx};
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

pub mod liquid;
pub mod mrd;
pub mod sv;

/// What an ingest did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The file was read and written.
    Ingested {
        /// Records read from the file.
        records: usize,
        /// Records that were new to the store.
        new: usize,
        /// Records the store already held (from another file or a manual entry).
        existing: usize,
    },
    /// The same file (same bytes, kind and parameters) was ingested before: nothing changed.
    AlreadyIngested(IngestedFile),
}

/// The result of ingesting one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestReport {
    /// The file, made absolute.
    pub path: std::path::PathBuf,
    /// What kind of file it was read as.
    pub kind: &'static str,
    /// What happened.
    pub outcome: Outcome,
}

/// Counts of what a writer stored.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// Records that were new to the store.
    pub new: usize,
    /// Records the store already held.
    pub existing: usize,
}

impl Written {
    pub(crate) fn count(&mut self, inserted: Inserted) {
        match inserted {
            Inserted::New => self.new += 1,
            Inserted::Existing => self.existing += 1,
        }
    }
}

/// The shared ingest procedure: skip a file already ingested, parse it completely,
/// then write it and its ledger row in one transaction.
///
/// # Errors
/// Whatever `parse` or `write` return; the store is then unchanged.
pub fn ingest_file<T>(
    store: &mut Store,
    path: &Path,
    kind: &'static str,
    params: &str,
    parse: impl FnOnce(&Path) -> Result<Vec<T>>,
    write: impl FnOnce(&Tx<'_>, i64, &[T]) -> Result<Written>,
) -> Result<IngestReport> {
    let (report, _) = ingest_streamed(
        store,
        path,
        kind,
        params,
        || parse(path),
        |tx, file_id, items: Vec<T>, _| Ok((items.len(), write(tx, file_id, &items)?, ())),
    )?;
    Ok(report)
}

/// Whether the ledger already holds a file, answered once the file is hashed. The
/// SHA-256 is computed on a thread of its own while the file is parsed and written
/// (reading a large VCF or BAM twice one after the other would add the whole hashing
/// time to the ingest); a long write asks [`LedgerCheck::check`] between batches so
/// that a file ingested before stops early.
pub struct LedgerCheck {
    path: PathBuf,
    /// The ledger row: `sha256` is [`SHA256_PENDING`] until the hash is known.
    record: FileRecord,
    state: Ledger,
}

/// How far a [`LedgerCheck`] has got.
enum Ledger {
    /// The hash is being computed on a thread of its own.
    Hashing(JoinHandle<Result<String>>),
    /// The hash was computed here (no thread could be started), or failed.
    Hashed(Result<String>),
    /// The ledger was asked: the earlier ingest of the same bytes, if any.
    Answered(Option<IngestedFile>),
    /// Hashing or asking failed (the error was returned).
    Failed,
}

impl LedgerCheck {
    fn start(path: &Path, record: FileRecord) -> LedgerCheck {
        let owned = path.to_path_buf();
        let spawned = std::thread::Builder::new()
            .name("hash".into())
            .spawn(move || ingest::fingerprint(&owned).map(|f| f.sha256));
        let state = match spawned {
            Ok(thread) => Ledger::Hashing(thread),
            // Without a thread to spare, the file is hashed here, before it is parsed.
            Err(_) => Ledger::Hashed(ingest::fingerprint(path).map(|f| f.sha256)),
        };
        LedgerCheck {
            path: path.to_path_buf(),
            record,
            state,
        }
    }

    /// Forgets the ledger's answer given outside the write transaction: another
    /// process may have ingested the same bytes between that answer and the lock
    /// (two ingests of one file at once), so the ledger is asked again inside it.
    fn forget_answer(&mut self) {
        if matches!(self.state, Ledger::Answered(_)) {
            self.state = Ledger::Hashed(Ok(self.record.sha256.clone()));
        }
    }

    /// Whether the hash is known (so that [`LedgerCheck::answer`] will not wait).
    fn hashed(&self) -> bool {
        match &self.state {
            Ledger::Hashing(thread) => thread.is_finished(),
            Ledger::Hashed(_) | Ledger::Answered(_) | Ledger::Failed => true,
        }
    }

    /// Waits for the hash, then asks `find` (once) for an earlier ingest of the file.
    fn answer(
        &mut self,
        find: impl FnOnce(&FileRecord) -> Result<Option<IngestedFile>>,
    ) -> Result<Option<IngestedFile>> {
        let stopped = || {
            Error::io(
                &self.path,
                std::io::Error::other("the thread hashing the file stopped"),
            )
        };
        self.record.sha256 = match std::mem::replace(&mut self.state, Ledger::Failed) {
            Ledger::Answered(previous) => {
                self.state = Ledger::Answered(previous.clone());
                return Ok(previous);
            }
            Ledger::Hashing(thread) => thread.join().map_err(|_| stopped())??,
            Ledger::Hashed(hashed) => hashed?,
            Ledger::Failed => return Err(stopped()),
        };
        let previous = find(&self.record)?;
        self.state = Ledger::Answered(previous.clone());
        Ok(previous)
    }

    /// Fails once the file's hash is known and the ledger holds the same bytes as the
    /// same kind with the same parameters (the ingest then rolls back and reports the
    /// earlier one); never waits for the hash. For writes long enough to check between
    /// batches.
    ///
    /// # Errors
    /// That failure, an unreadable file, or SQLite failing.
    pub fn check(&mut self, tx: &Tx<'_>) -> Result<()> {
        if self.hashed() && self.answer(|record| tx.find_ingested(record))?.is_some() {
            return Err(Error::store(
                &self.path,
                "ingested before: nothing is written",
            ));
        }
        Ok(())
    }
}

/// The ingest procedure for files streamed while they are written (large VCF and
/// BAM): run `prepare` (work that needs no database, such as opening the file and
/// reading its header) and hand what it returns to `run`, which reads and writes in
/// one transaction with the ledger row. `run` returns the records read, what was
/// written, and a detail of its own. The file is hashed meanwhile; if the same bytes
/// were ingested before as the same kind with the same parameters, nothing is
/// written and the report says so.
///
/// # Errors
/// Whatever `prepare` or `run` return; the store is then unchanged.
pub fn ingest_streamed<P, R>(
    store: &mut Store,
    path: &Path,
    kind: &'static str,
    params: &str,
    prepare: impl FnOnce() -> Result<P>,
    run: impl FnOnce(&Tx<'_>, i64, P, &mut LedgerCheck) -> Result<(usize, Written, R)>,
) -> Result<(IngestReport, Option<R>)> {
    let abs = std::path::absolute(path).map_err(|e| Error::io(path, e))?;
    let record = FileRecord {
        kind: kind.to_string(),
        path: abs.to_string_lossy().into_owned(),
        sha256: SHA256_PENDING.to_string(),
        params: params.to_string(),
    };
    let already = |previous| {
        let report = IngestReport {
            path: abs.clone(),
            kind,
            outcome: Outcome::AlreadyIngested(previous),
        };
        Ok((report, None))
    };
    let mut ledger = LedgerCheck::start(path, record);
    let prepared = match prepare() {
        Ok(prepared) => prepared,
        // A file ingested before is still a no-op; otherwise this error (not the hash's).
        // A large file that fails is not hashed to the end first: the error comes at once.
        Err(e) if !ledger.hashed() && !small_file(path) => return Err(e),
        Err(e) => match ledger.answer(|record| store.find_ingested(record)) {
            Ok(Some(previous)) => return already(previous),
            _ => return Err(e),
        },
    };
    // A small file is hashed by now: one ingested before is a no-op without a transaction.
    if ledger.hashed()
        && let Some(previous) = ledger.answer(|record| store.find_ingested(record))?
    {
        return already(previous);
    }
    let tx = store.transaction()?;
    // Asked again under the write lock: another process ingesting the same file at
    // the same time may have committed it since.
    ledger.forget_answer();
    if ledger.hashed()
        && let Some(previous) = ledger.answer(|record| tx.find_ingested(record))?
    {
        drop(tx);
        return already(previous);
    }
    let file_id = tx.begin_file(&ledger.record)?;
    let ran = run(&tx, file_id, prepared, &mut ledger);
    // The ledger decides first: whatever `run` did, the same bytes ingested before
    // make this a no-op (and `run` may have stopped because of them).
    let previous = match (ledger.answer(|record| tx.find_ingested(record)), &ran) {
        (Ok(previous), _) => previous,
        (Err(_), Err(_)) => None,
        (Err(e), Ok(_)) => return Err(e),
    };
    if let Some(previous) = previous {
        drop(tx);
        return already(previous);
    }
    let (records, written, detail) = ran?;
    tx.finish_file(file_id, &ledger.record.sha256, written.new)?;
    tx.commit()?;
    let report = IngestReport {
        path: abs,
        kind,
        outcome: Outcome::Ingested {
            records,
            new: written.new,
            existing: written.existing,
        },
    };
    Ok((report, Some(detail)))
}

/// Files up to this size are hashed to the end even when they fail to parse, so that
/// one ingested before is reported as such (64 MiB hash in well under a second).
const WAIT_FOR_HASH_BYTES: u64 = 64 << 20;

fn small_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.len() <= WAIT_FOR_HASH_BYTES)
}

/// Ingests a clinical events CSV ([`ingest::events`]). Every patient must exist.
///
/// # Errors
/// A parse error, or an unknown patient named with its line; nothing is written then.
pub fn ingest_events(store: &mut Store, path: &Path) -> Result<IngestReport> {
    ingest_events_file(store, path).map(|(report, _)| report)
}

/// As [`ingest_events`], with the rows that repeated an earlier row of the file
/// (`(line, line it repeats)`: stored once, not counted as already in the database);
/// `None` when the file was ingested before. Rows that contradict each other (a death
/// on two dates …, [`ingest::events::read_distinct`]) fail the file.
///
/// # Errors
/// As [`ingest_events`].
pub fn ingest_events_file(
    store: &mut Store,
    path: &Path,
) -> Result<(IngestReport, Option<ingest::events::Repeats>)> {
    ingest_streamed(
        store,
        path,
        "events",
        "",
        || ingest::events::read_distinct(path, chrono::Local::now().date_naive()),
        |tx, file_id, events, _| {
            let mut ids = std::collections::HashMap::new();
            let mut written = Written::default();
            for row in &events.rows {
                let code = row.event.patient.as_str();
                let id = match ids.get(code) {
                    Some(id) => *id,
                    None => {
                        let id = tx.patient_id(code)?.ok_or_else(|| {
                            Error::parse(
                                path,
                                row.line,
                                "patient",
                                format!("unknown patient '{code}'"),
                            )
                        })?;
                        ids.insert(code.to_string(), id);
                        id
                    }
                };
                let added = tx.add_event(id, &row.event, Some(file_id));
                written.count(added.map_err(cytokines::at_line(path, row.line, "date"))?);
            }
            Ok((events.rows_read(), written, events.repeated))
        },
    )
}

/// Ingests a patients CSV ([`ingest::patients`]). A patient already stored with the
/// same fields is left alone; one stored with other fields is an error.
///
/// # Errors
/// A parse error or a conflicting patient, named with its line; nothing is written then.
pub fn ingest_patients(store: &mut Store, path: &Path) -> Result<IngestReport> {
    ingest_file(
        store,
        path,
        "patients",
        "",
        ingest::patients::read,
        |tx, file_id, rows| {
            let mut written = Written::default();
            let mut seen = std::collections::HashSet::new();
            for row in rows {
                let code = &row.patient.code;
                if !seen.insert(code.clone()) {
                    return Err(Error::parse(
                        path,
                        row.line,
                        "patient",
                        format!("'{code}' appears twice in the file"),
                    ));
                }
                match tx.existing_patient(code)? {
                    None => {
                        tx.add_patient(&row.patient, Some(file_id))?;
                        written.count(Inserted::New);
                    }
                    Some(stored) if stored == row.patient => written.count(Inserted::Existing),
                    Some(_) => {
                        return Err(Error::parse(
                            path,
                            row.line,
                            "patient",
                            format!("'{code}' is already stored with different fields"),
                        ));
                    }
                }
            }
            Ok(written)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file(dir: &Path, name: &str, content: &str) -> std::path::PathBuf {
        let path = dir.join(name);
        std::fs::File::create(&path)
            .unwrap()
            .write_all(content.as_bytes())
            .unwrap();
        path
    }

    fn event_count(store: &Store) -> usize {
        store
            .patients()
            .unwrap()
            .iter()
            .map(|p| store.events(&p.fields.code).unwrap().len())
            .sum()
    }

    #[test]
    fn events_file_is_all_or_nothing_and_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::in_memory().unwrap();
        let patients = file(
            dir.path(),
            "p.csv",
            "patient,diagnosis\nP001,UPS\nP002,UPS\n",
        );
        ingest_patients(&mut store, &patients).unwrap();

        let bad = file(
            dir.path(),
            "bad.csv",
            "patient,date,kind\nP001,2024-01-01,diagnosis\nP404,2024-01-02,diagnosis\n",
        );
        let err = ingest_events(&mut store, &bad).unwrap_err().to_string();
        assert!(
            err.contains("line 3: field 'patient': unknown patient 'P404'"),
            "{err}"
        );
        assert_eq!(event_count(&store), 0, "a failed file must write nothing");

        let good = file(
            dir.path(),
            "good.csv",
            "patient,date,kind,detail\nP001,2024-01-01,diagnosis,\nP002,2024-02-01,diagnosis,\n",
        );
        let report = ingest_events(&mut store, &good).unwrap();
        assert_eq!(
            report.outcome,
            Outcome::Ingested {
                records: 2,
                new: 2,
                existing: 0
            }
        );
        let again = ingest_events(&mut store, &good).unwrap();
        assert!(matches!(again.outcome, Outcome::AlreadyIngested(ref f) if f.rows == 2));
        assert_eq!(event_count(&store), 2);
    }

    #[test]
    fn patient_file_conflicting_with_the_store_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::in_memory().unwrap();
        let first = file(dir.path(), "a.csv", "patient,diagnosis\nP001,UPS\n");
        ingest_patients(&mut store, &first).unwrap();
        let same = file(
            dir.path(),
            "b.csv",
            "patient,diagnosis,site\nP001,UPS,\nP002,UPS,\n",
        );
        let report = ingest_patients(&mut store, &same).unwrap();
        assert_eq!(
            report.outcome,
            Outcome::Ingested {
                records: 2,
                new: 1,
                existing: 1
            }
        );
        let other = file(
            dir.path(),
            "c.csv",
            "patient,diagnosis\nP003,UPS\nP001,osteosarcoma\n",
        );
        let err = ingest_patients(&mut store, &other).unwrap_err().to_string();
        assert!(err.contains("line 3: field 'patient'"), "{err}");
        assert_eq!(store.patients().unwrap().len(), 2);
    }

    #[test]
    fn a_file_ingested_before_stops_its_write_and_leaves_the_store_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), "e.csv", "patient,date,kind\n");
        let mut store = Store::in_memory().unwrap();
        // Each `run` writes which ingest it is, then waits for the parallel hash and
        // asks the ledger, as a long VCF write does between batches. The second
        // ingest stops there (or before its transaction, when the hash came first).
        let outcomes = ["first", "second"].map(|which| {
            let (report, _) = ingest_streamed(
                &mut store,
                &path,
                "events",
                "",
                || Ok(()),
                |tx, _, (), ledger| {
                    tx.set_meta("written_by", which)?;
                    while !ledger.hashed() {
                        std::thread::yield_now();
                    }
                    ledger.check(tx)?;
                    Ok((
                        1,
                        Written {
                            new: 1,
                            existing: 0,
                        },
                        (),
                    ))
                },
            )
            .unwrap();
            report.outcome
        });
        assert!(
            matches!(outcomes[0], Outcome::Ingested { new: 1, .. }),
            "{outcomes:?}"
        );
        assert!(
            matches!(outcomes[1], Outcome::AlreadyIngested(ref f) if f.rows == 1),
            "{outcomes:?}"
        );
        assert_eq!(store.meta("written_by").unwrap().as_deref(), Some("first"));
        let record = FileRecord {
            kind: "events".into(),
            path: String::new(),
            sha256: ingest::fingerprint(&path).unwrap().sha256,
            params: String::new(),
        };
        assert!(
            store.find_ingested(&record).unwrap().is_some(),
            "the real SHA-256 is recorded"
        );
        let pending = FileRecord {
            sha256: SHA256_PENDING.into(),
            ..record
        };
        assert_eq!(store.find_ingested(&pending).unwrap(), None);
    }
}
