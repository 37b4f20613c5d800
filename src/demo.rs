//! The demo cohort: a deterministic synthetic sarcoma cohort written as real input files and ingested like a user's.
//!
//! [`cohort`] simulates the truth (patients, planted endotypes, courses, visits);
//! [`files`] writes it in the formats oncotrack ingests; [`run`] builds a fresh
//! demo database from those files through [`crate::pipeline`], the same code a
//! user's `oncotrack ingest` calls.

pub mod cohort;
pub mod endotypes;
pub mod files;

use crate::error::{Error, Result};
use crate::pipeline::{self, IngestReport};
use crate::store::{Access, Store};
use std::path::{Path, PathBuf};

pub use cohort::{Endotype, ResponsePattern, SimPatient};

/// What to generate and where.
#[derive(Debug, Clone)]
pub struct Options {
    /// Number of patients.
    pub patients: usize,
    /// Seed of the generator.
    pub seed: u64,
    /// Folder for the input files.
    pub out_dir: PathBuf,
    /// Database to (re)create.
    pub db: PathBuf,
}

/// What the demo did.
#[derive(Debug)]
pub struct Report {
    /// The simulated cohort (with its hidden truth).
    pub cohort: Vec<SimPatient>,
    /// The files written, in order.
    pub files: Vec<PathBuf>,
    /// What ingesting each file did.
    pub ingests: Vec<IngestReport>,
    /// Endotype clusters of the baseline cytokines and survival by cluster (None
    /// while the demo writes no cytokines).
    pub endotypes: Option<endotypes::EndotypeReport>,
}

/// Key in `store_meta` marking a database as the demo's, so a rerun may replace it.
const ORIGIN_KEY: &str = "origin";
const ORIGIN_DEMO: &str = "demo";

/// Generates the cohort, writes its files and ingests them into a fresh database.
/// An existing database at `options.db` is replaced only if an earlier demo made it.
///
/// # Errors
/// [`Error::Conflict`] when `options.db` exists and is not a demo database; I/O and
/// ingest errors otherwise.
pub fn run(options: &Options) -> Result<Report> {
    if options.patients == 0 {
        return Err(Error::InvalidValue {
            what: "--patients",
            value: "0".into(),
            reason: "the demo needs at least one patient".into(),
        });
    }
    remove_previous_demo(&options.db)?;
    std::fs::create_dir_all(&options.out_dir).map_err(|e| Error::io(&options.out_dir, e))?;
    let cohort = cohort::generate(options.patients, options.seed);
    let patients_file = files::write_patients(&options.out_dir, &cohort)?;
    let events_file = files::write_events(&options.out_dir, &cohort)?;
    let truth_file = files::write_truth(&options.out_dir, &cohort)?;

    let (mut store, _) = Store::create(&options.db)?;
    let tx = store.transaction()?;
    tx.set_meta(ORIGIN_KEY, ORIGIN_DEMO)?;
    tx.set_meta("demo_seed", &options.seed.to_string())?;
    tx.commit()?;
    let ingests = vec![
        pipeline::ingest_patients(&mut store, &patients_file)?,
        pipeline::ingest_events(&mut store, &events_file)?,
    ];
    let endotypes = endotypes::analyse(&mut store, &cohort)?;
    Ok(Report {
        cohort,
        files: vec![patients_file, events_file, truth_file],
        ingests,
        endotypes,
    })
}

/// Deletes a database an earlier demo made (with its WAL files); refuses any other.
fn remove_previous_demo(db: &Path) -> Result<()> {
    if !db.exists() {
        return Ok(());
    }
    let is_demo = Store::open(db, Access::ReadWrite)
        .and_then(|store| store.meta(ORIGIN_KEY))
        .map(|origin| origin.as_deref() == Some(ORIGIN_DEMO));
    match is_demo {
        Ok(true) => {
            for suffix in ["", "-wal", "-shm"] {
                let mut name = db.as_os_str().to_owned();
                name.push(suffix);
                let path = PathBuf::from(name);
                if path.exists() {
                    std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
                }
            }
            Ok(())
        }
        Ok(false) => Err(Error::Conflict(format!(
            "{} exists and was not made by `oncotrack demo`; it was left alone (choose another --db)",
            db.display()
        ))),
        Err(e) => Err(Error::Conflict(format!(
            "{} exists and cannot be replaced by the demo ({e})",
            db.display()
        ))),
    }
}
