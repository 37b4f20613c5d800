//! Imaging files to the store: lesion CSVs, PyRadiomics output, and PET SUV volumes measured against their masks.

use super::cytokines::{Patients, at_line};
use super::{IngestReport, Written, ingest_file};
use crate::analysis::pet::{self, LesionUptake, Method, PetError, ReferenceLabels, References};
use crate::error::{Error, Result};
use crate::ingest::lesions;
use crate::ingest::{self, radiomics};
use crate::model::{LesionFacts, Modality, StudyKey};
use crate::store::Store;
use chrono::NaiveDate;
use std::path::Path;

/// Ingests a lesion CSV ([`lesions::read`]). Every patient must exist.
///
/// # Errors
/// A parse error, an unknown patient, or values conflicting with the store (another
/// scanner for the study, another target status for the lesion, other diameters),
/// named with the line; nothing is written then.
pub fn ingest_lesions(store: &mut Store, path: &Path, today: NaiveDate) -> Result<IngestReport> {
    ingest_file(
        store,
        path,
        "lesions",
        "",
        |path| lesions::read(path, today),
        |tx, file_id, rows| {
            let mut patients = Patients::new(path);
            let mut written = Written::default();
            for row in rows {
                let conflict = at_line(path, row.line, "lesion");
                let patient = patients.id(tx, &row.study.patient, row.line, "patient")?;
                let study = tx
                    .study_id(patient, &row.study)
                    .map_err(at_line(path, row.line, "scanner"))?;
                let lesion = tx.lesion_id(patient, &row.lesion).map_err(&conflict)?;
                let inserted = tx
                    .add_lesion_measurement(study, lesion, row, Some(file_id))
                    .map_err(&conflict)?;
                written.count(inserted);
            }
            Ok(written)
        },
    )
}

/// What ingesting a radiomics file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RadiomicsIngest {
    /// The ingest itself.
    pub report: IngestReport,
    /// Feature cells that were empty or `nan` (not stored).
    pub missing: usize,
}

/// Ingests PyRadiomics output ([`radiomics::read`]), mapping cases by columns or by
/// a manifest. Features go to `radiomic_feature`; diagnostics to `study_metadata`
/// under the key `<lesion>/<diagnostic>` (the latest file's value wins).
///
/// # Errors
/// A parse error, an unknown patient, a case missing from the manifest, or a
/// feature value conflicting with the store; nothing is written then.
pub fn ingest_radiomics(
    store: &mut Store,
    path: &Path,
    manifest: Option<&Path>,
    options: &radiomics::Options,
) -> Result<RadiomicsIngest> {
    let (manifest, manifest_sha) = match manifest {
        Some(m) => (
            Some(radiomics::read_manifest(m, options)?),
            ingest::fingerprint(m)?.sha256,
        ),
        None => (None, String::new()),
    };
    let params = format!(
        "case_col={};modality={};manifest={manifest_sha}",
        options.case_col,
        options.modality.as_str()
    );
    let mut missing = 0;
    let report = ingest_file(
        store,
        path,
        "radiomics",
        &params,
        |path| {
            let table = radiomics::read(path, manifest.as_ref(), options)?;
            missing = table.missing;
            Ok(table.cases)
        },
        |tx, file_id, cases| {
            let mut patients = Patients::new(path);
            let mut written = Written::default();
            for case in cases {
                let field = if case.case.is_empty() {
                    "patient"
                } else {
                    case.case.as_str()
                };
                let conflict = at_line(path, case.line, field);
                let patient = patients.id(tx, &case.target.study.patient, case.line, field)?;
                let study = tx
                    .study_id(patient, &case.target.study)
                    .map_err(&conflict)?;
                let lesion = tx
                    .lesion_id(
                        patient,
                        &LesionFacts {
                            label: case.target.lesion.clone(),
                            ..LesionFacts::default()
                        },
                    )
                    .map_err(&conflict)?;
                for (name, value) in &case.diagnostics {
                    tx.set_study_metadata(study, &format!("{}/{name}", case.target.lesion), value)?;
                }
                // A case counts as new when any of its features is.
                let mut inserted = crate::store::events::Inserted::Existing;
                for (name, value) in &case.features {
                    if tx
                        .add_radiomic_feature(study, lesion, name, *value, Some(file_id))
                        .map_err(&conflict)?
                        == crate::store::events::Inserted::New
                    {
                        inserted = crate::store::events::Inserted::New;
                    }
                }
                written.count(inserted);
            }
            Ok(written)
        },
    )?;
    Ok(RadiomicsIngest { report, missing })
}

/// PET uptake measured on an SUV volume and its mask.
#[derive(Debug, Clone, PartialEq)]
pub struct PetMeasurement {
    /// One row per lesion label and method, in label order.
    pub uptakes: Vec<LesionUptake>,
    /// The liver and background references used.
    pub references: References,
}

/// Reads an SUV volume and its mask, checks they share a grid, and measures every
/// lesion label by each method.
///
/// # Errors
/// An unreadable image, a NaN or negative SUV voxel, a mask without labels or on
/// another grid, a reference label missing from the mask, or a method without its
/// reference.
pub fn measure_pet(
    suv_path: &Path,
    mask_path: &Path,
    methods: &[Method],
    reference_labels: &ReferenceLabels,
) -> Result<PetMeasurement> {
    let suv = ingest::pet::read_suv(suv_path)?;
    let mask = ingest::pet::read_mask(mask_path)?;
    ingest::pet::check_same_grid(suv_path, &suv, mask_path, &mask)?;
    let (uptakes, references) = pet::uptake(
        &suv.grid,
        &suv.values,
        &mask.values,
        methods,
        reference_labels,
    )
    .map_err(|e| match e {
        PetError::MissingLabel(_) => Error::image(mask_path, e.to_string()),
        PetError::NoLiver | PetError::NoBackground => Error::InvalidValue {
            what: "--method",
            value: if e == PetError::NoLiver {
                "percist"
            } else {
                "background"
            }
            .into(),
            reason: e.to_string(),
        },
    })?;
    if uptakes.is_empty() {
        return Err(Error::image(
            mask_path,
            "the mask has no lesion labels besides the reference regions",
        ));
    }
    Ok(PetMeasurement {
        uptakes,
        references,
    })
}

/// Where a PET measurement is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct PetStudy {
    /// Patient identifier.
    pub patient: String,
    /// Date of the scan.
    pub date: NaiveDate,
    /// Scanner model.
    pub scanner: String,
    /// Imaging centre.
    pub site: String,
    /// Lesion label = prefix + mask label (`L` + 3 = `L3`).
    pub lesion_prefix: String,
}

/// Measures a PET study ([`measure_pet`]) and stores the uptake of every lesion by
/// every method (the method and its parameter are part of the key) in one
/// transaction. The ledger fingerprints the SUV file; the mask's SHA-256, the
/// patient, date and methods are part of its parameters.
///
/// # Errors
/// Those of [`measure_pet`], an unknown patient, or values conflicting with the store.
pub fn ingest_pet(
    store: &mut Store,
    suv_path: &Path,
    mask_path: &Path,
    methods: &[Method],
    reference_labels: &ReferenceLabels,
    target: &PetStudy,
) -> Result<(IngestReport, PetMeasurement)> {
    let mask_sha = ingest::fingerprint(mask_path)?.sha256;
    let params = format!(
        "mask={mask_sha};patient={};date={};methods={};refs={:?};prefix={}",
        target.patient,
        target.date,
        methods
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(","),
        reference_labels,
        target.lesion_prefix
    );
    let measurement = std::cell::RefCell::new(None);
    let report = ingest_file(
        store,
        suv_path,
        "pet",
        &params,
        |path| {
            let m = measure_pet(path, mask_path, methods, reference_labels)?;
            let rows = m.uptakes.clone();
            *measurement.borrow_mut() = Some(m);
            Ok(rows)
        },
        |tx, file_id, rows| {
            let patient = tx
                .patient_id(&target.patient)?
                .ok_or_else(|| Error::UnknownPatient(target.patient.clone()))?;
            let study = tx.study_id(
                patient,
                &StudyKey {
                    patient: target.patient.clone(),
                    date: target.date,
                    modality: Modality::Pet,
                    scanner: target.scanner.clone(),
                    site: target.site.clone(),
                },
            )?;
            let liver = measurement
                .borrow()
                .as_ref()
                .and_then(|m: &PetMeasurement| m.references.liver);
            if let Some((mean, sd)) = liver {
                tx.set_liver_reference(study, mean, sd)?;
            }
            let mut written = Written::default();
            for row in rows {
                let lesion = tx.lesion_id(
                    patient,
                    &LesionFacts {
                        label: format!("{}{}", target.lesion_prefix, row.label),
                        ..LesionFacts::default()
                    },
                )?;
                written.count(tx.add_pet_uptake(study, lesion, row, Some(file_id))?);
            }
            Ok(written)
        },
    )?;
    let measurement = match measurement.into_inner() {
        Some(m) => m,
        // Already ingested: measure again for the caller's report.
        None => measure_pet(suv_path, mask_path, methods, reference_labels)?,
    };
    Ok((report, measurement))
}
