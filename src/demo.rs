//! The demo cohort: a deterministic synthetic sarcoma cohort written as real input files and ingested like a user's.
//!
//! [`cohort`] simulates the truth (patients, planted endotypes, courses, visits);
//! [`files`] writes it in the formats oncotrack ingests; [`run`] builds a fresh
//! demo database from those files through [`crate::pipeline`], the same code a
//! user's `oncotrack ingest` calls.

pub mod cohort;
pub mod cytokines;
pub mod dicom;
pub mod endotypes;
pub mod files;
pub mod folder;
pub mod fusion;
pub mod imaging;
pub mod liquid;

use crate::error::{Error, Result};
use crate::pipeline::{self, IngestReport};
use crate::store::Store;
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
    /// The liquid-biopsy draws written and ingested.
    pub liquid: liquid::Summary,
    /// Endotype clusters of the baseline cytokines and survival by cluster (None
    /// while the demo writes no cytokines).
    pub endotypes: Option<endotypes::EndotypeReport>,
}

/// Key in `store_meta` marking a database as the demo's, so a rerun may replace it.
const ORIGIN_KEY: &str = "origin";
const ORIGIN_DEMO: &str = "demo";
/// Key in `store_meta` holding the last ledger row a finished demo wrote.
const LAST_FILE_KEY: &str = "demo_last_file";

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
    // Both checked before either is touched: a refusal changes nothing.
    let previous_db = check_previous_demo(&options.db)?;
    let previous_out = folder::check(&options.out_dir)?;
    if previous_db {
        remove_database(&options.db)?;
    }
    folder::replace(&options.out_dir, &previous_out)?;
    let cohort = cohort::generate(options.patients, options.seed);
    let patients_file = files::write_patients(&options.out_dir, &cohort)?;
    let events_file = files::write_events(&options.out_dir, &cohort)?;
    let truth_file = files::write_truth(&options.out_dir, &cohort)?;

    let seed = options.seed.to_string();
    // The marker comes with the schema, in one transaction.
    let (mut store, _) = Store::create_with(
        &options.db,
        &[(ORIGIN_KEY, ORIGIN_DEMO), ("demo_seed", seed.as_str())],
    )?;
    let mut ingests = vec![
        pipeline::ingest_patients(&mut store, &patients_file)?,
        pipeline::ingest_events(&mut store, &events_file)?,
    ];
    let liquid = liquid::run(&mut store, &options.out_dir, &cohort, options.seed)?;
    let mut files = vec![patients_file, events_file, truth_file];
    let (written, done) = cytokines_and_imaging(&mut store, options, &cohort)?;
    files.extend(written);
    ingests.extend(done);
    let endotypes = endotypes::analyse(&mut store, &cohort)?;
    // What the demo made ends here: whatever is added later is someone's data.
    if let Some(last) = store.last_file_id()? {
        let tx = store.transaction()?;
        tx.set_meta(LAST_FILE_KEY, &last.to_string())?;
        tx.commit()?;
    }
    folder::finish(&options.out_dir)?;
    Ok(Report {
        cohort,
        files,
        ingests,
        liquid,
        endotypes,
    })
}

/// A per-patient random stream for one kind of simulated data (`salt`), independent
/// of the cohort size like the cohort itself.
pub(crate) fn patient_rng(seed: u64, index: usize, salt: u64) -> rand_chacha::ChaCha8Rng {
    use rand::SeedableRng;
    let stream =
        seed ^ salt.rotate_left(17) ^ (index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    rand_chacha::ChaCha8Rng::seed_from_u64(stream)
}

/// Writes the cytokine panels, lesion CSVs, PET volumes and radiomic features of the
/// cohort and ingests them through the pipeline, as `oncotrack ingest` would.
fn cytokines_and_imaging(
    store: &mut Store,
    options: &Options,
    cohort: &[SimPatient],
) -> Result<(Vec<PathBuf>, Vec<IngestReport>)> {
    use crate::analysis::pet::Method;
    use crate::pipeline::imaging::{PetStudy, ingest_lesions, ingest_pet, ingest_radiomics};
    let today = chrono::Local::now().date_naive();
    let mut files = Vec::new();
    let mut ingests = Vec::new();
    let panel = cytokines::write_cytokines(&options.out_dir, cohort, options.seed)?;
    let done = pipeline::cytokines::ingest_cytokines(
        store,
        &panel,
        &crate::ingest::cytokines::Options::new(today),
        None,
        None,
    )?;
    ingests.push(done.report);
    files.push(panel);
    let imaging = imaging::write_imaging(&options.out_dir, cohort, options.seed)?;
    for path in &imaging.lesions {
        ingests.push(ingest_lesions(store, path, today)?);
    }
    let radiomics_options = crate::ingest::radiomics::Options {
        case_col: crate::ingest::radiomics::CaseColumn::Auto,
        modality: crate::model::Modality::Ct,
        today,
    };
    ingests.push(
        ingest_radiomics(
            store,
            &imaging.radiomics,
            Some(&imaging.manifest),
            &radiomics_options,
        )?
        .report,
    );
    let methods = [
        Method::Relative(0.41),
        Method::Absolute(2.5),
        Method::Percist,
    ];
    // The PERCIST liver is the RTSTRUCT's ROI `LIVER`, found by its name as
    // `oncotrack ingest pet` finds it without --liver-roi.
    let references = Default::default();
    for scan in &imaging.pet {
        let target = PetStudy {
            patient: scan.patient.clone(),
            date: Some(scan.date),
            scanner: scan.scanner.clone(),
            site: scan.site.clone(),
            lesion_prefix: "L".into(),
        };
        ingests.push(
            ingest_pet(
                store,
                &scan.series,
                &scan.rtstruct,
                &methods,
                &references,
                &target,
                &Default::default(),
            )?
            .0,
        );
        files.push(scan.series.clone());
        files.push(scan.rtstruct.clone());
    }
    files.extend(imaging.lesions);
    files.push(imaging.radiomics);
    files.push(imaging.manifest);
    Ok((files, ingests))
}

/// Whether `db` is a database an earlier demo made and may be replaced (true), or
/// there is nothing there (false); refuses any other file, and a demo database to
/// which patients, events or files were added since. Reads only.
fn check_previous_demo(db: &Path) -> Result<bool> {
    match std::fs::symlink_metadata(db) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(Error::io(db, e)),
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(Error::conflict(format!(
                "--db {} is a symbolic link; the demo replaces only a database file it made \
                 and left it alone (choose another --db)",
                db.display()
            )));
        }
        Ok(_) => {}
    }
    let cannot = |e: Error| {
        Error::conflict(format!(
            "{} exists and cannot be replaced by the demo ({e})",
            db.display()
        ))
    };
    let store = Store::inspect(db).map_err(cannot)?;
    // A database with no schema: a demo or init killed before its first commit.
    if store.is_empty().map_err(cannot)? {
        return Ok(true);
    }
    if store.meta(ORIGIN_KEY).map_err(cannot)?.as_deref() != Some(ORIGIN_DEMO) {
        return Err(Error::conflict(format!(
            "{} exists and was not made by `oncotrack demo`; it was left alone (choose another --db)",
            db.display()
        )));
    }
    let last = store
        .meta(LAST_FILE_KEY)
        .map_err(cannot)?
        .and_then(|v| v.parse::<i64>().ok());
    let added = store.added_since(last).map_err(cannot)?;
    if !added.is_none() {
        let mut what = Vec::new();
        for (n, one, many) in [
            (added.patients, "patient", "patients"),
            (added.events, "event", "events"),
            (added.files, "ingested file", "ingested files"),
        ] {
            if n > 0 {
                what.push(format!("{n} {}", if n == 1 { one } else { many }));
            }
        }
        return Err(Error::conflict(format!(
            "{} was made by `oncotrack demo`, but it holds what was added since ({}); it is no \
             longer only the demo's and was left alone (choose another --db, or delete it yourself)",
            db.display(),
            what.join(", ")
        )));
    }
    Ok(true)
}

/// Deletes a database (with its WAL files) that [`check_previous_demo`] accepted.
fn remove_database(db: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        let path = PathBuf::from(name);
        if std::fs::symlink_metadata(&path).is_ok() {
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        }
    }
    Ok(())
}
