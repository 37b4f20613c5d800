//! The demo cohort: a deterministic synthetic sarcoma cohort written as real input files and ingested like a user's.
//!
//! [`cohort`] simulates the truth (patients, planted endotypes, courses, visits);
//! [`files`] writes it in the formats oncotrack ingests; [`run`] builds a fresh
//! demo database from those files through [`crate::pipeline`], the same code a
//! user's `oncotrack ingest` calls.

pub mod cohort;
pub mod cytokines;
pub mod endotypes;
pub mod files;
pub mod imaging;
pub mod liquid;

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
    /// The liquid-biopsy draws written and ingested.
    pub liquid: liquid::Summary,
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
    use crate::analysis::pet::{Method, ReferenceLabels};
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
    )?;
    ingests.push(done.report);
    files.push(panel);
    let imaging = imaging::write_imaging(&options.out_dir, cohort, options.seed)?;
    for path in &imaging.lesions {
        ingests.push(ingest_lesions(store, path, today)?);
    }
    let radiomics_options = crate::ingest::radiomics::Options {
        case_col: "case".into(),
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
    let references = ReferenceLabels {
        liver: Some(imaging::LIVER_LABEL),
        ..ReferenceLabels::default()
    };
    for scan in &imaging.pet {
        let target = PetStudy {
            patient: scan.patient.clone(),
            date: scan.date,
            scanner: scan.scanner.clone(),
            site: scan.site.clone(),
            lesion_prefix: "L".into(),
        };
        ingests.push(ingest_pet(store, &scan.suv, &scan.mask, &methods, &references, &target)?.0);
        files.push(scan.suv.clone());
    }
    files.extend(imaging.lesions);
    files.push(imaging.radiomics);
    files.push(imaging.manifest);
    Ok((files, ingests))
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
        Ok(false) => Err(Error::conflict(format!(
            "{} exists and was not made by `oncotrack demo`; it was left alone (choose another --db)",
            db.display()
        ))),
        Err(e) => Err(Error::conflict(format!(
            "{} exists and cannot be replaced by the demo ({e})",
            db.display()
        ))),
    }
}
