//! Imaging files to the store: lesion CSVs, PyRadiomics output, and PET SUV volumes measured against their masks.

use super::cytokines::{Patients, at_line};
use super::mask;
use super::{IngestReport, Written, ingest_file};
use crate::analysis::pet::{self, LesionUptake, Method, PetError, ReferenceLabels, References};
use crate::analysis::suv::{SuvConversion, SuvKind};
use crate::error::{Error, Result};
use crate::ingest::lesions;
use crate::ingest::{self, radiomics};
use crate::model::{Body, LesionFacts, MaskSource, Modality, StudyKey};
use crate::pipeline::pet::is_nifti;
pub use crate::pipeline::pet::{PetImage, PetOptions, PetSource, load_pet};
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
    /// Where the case ids came from (empty when mapped by columns).
    pub case_column: String,
    /// Columns kept as case metadata.
    pub metadata_columns: Vec<String>,
    /// Columns read for nothing (unnamed ones beside the case id).
    pub ignored_columns: Vec<String>,
}

/// Ingests PyRadiomics output ([`radiomics::read`]), mapping cases by columns or by
/// a manifest. Features go to `radiomic_feature`; diagnostics and the other columns
/// (case metadata: `Image`, `Mask`, `class` …) to `study_metadata` under the key
/// `<lesion>/<column>` (the latest file's value wins).
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
    let mut columns = (String::new(), Vec::new(), Vec::new());
    let report = ingest_file(
        store,
        path,
        "radiomics",
        &params,
        |path| {
            let table = radiomics::read(path, manifest.as_ref(), options)?;
            missing = table.missing;
            columns = (
                table.case_column,
                table.metadata_columns,
                table.ignored_columns,
            );
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
                for (name, value) in case.diagnostics.iter().chain(&case.metadata) {
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
    let (case_column, metadata_columns, ignored_columns) = columns;
    Ok(RadiomicsIngest {
        report,
        missing,
        case_column,
        metadata_columns,
        ignored_columns,
    })
}

/// PET uptake measured on an SUV volume and its mask.
#[derive(Debug, Clone, PartialEq)]
pub struct PetMeasurement {
    /// One row per lesion region and method, in region order (label order for NIfTI,
    /// file order for RTSTRUCT and SEG).
    pub uptakes: Vec<LesionUptake>,
    /// The liver and background references used.
    pub references: References,
    /// The name of each named region (RTSTRUCT ROIName, SEG SegmentLabel) by its label.
    pub names: std::collections::BTreeMap<u32, String>,
    /// What kind of mask it was.
    pub source: MaskSource,
    /// Warnings about the mask (e.g. references that could not be checked).
    pub warnings: Vec<String>,
    /// What the SUV conversion of a DICOM series used (`None` for NIfTI).
    pub conversion: Option<SuvConversion>,
    /// The body measures known (read from the series or given).
    pub body: Body,
    /// Sex as read or given (M, F, O).
    pub sex: Option<String>,
    /// The study date of a DICOM series.
    pub study_date: Option<NaiveDate>,
    /// The scanner of a DICOM series (Manufacturer and model).
    pub scanner: String,
    /// The files read (the slices of a series, in order; or the NIfTI file).
    pub files: Vec<std::path::PathBuf>,
}

impl PetMeasurement {
    /// The stored lesion label of region `label`: its ROI or segment name when it has
    /// one (so repeated scans contoured with the same names keep their lesions), else
    /// `prefix` + the label.
    pub fn lesion_label(&self, label: u32, prefix: &str) -> String {
        self.names
            .get(&label)
            .cloned()
            .unwrap_or_else(|| format!("{prefix}{label}"))
    }
}

/// Reads a PET image (NIfTI SUV, or a DICOM PET file or folder converted to SUV, see
/// [`load_pet`]) and its mask ([`mask::load_mask`]: a NIfTI label image on the same grid,
/// an RTSTRUCT rasterised on it — every ROI, or the one `options.roi` names — or a DICOM
/// SEG), and measures every lesion region by each method. Reference regions are given by
/// label (`reference_labels`) or by name (`options.liver_roi`, `options.background_roi`);
/// an RTSTRUCT's or SEG's region named `liver` is the liver when none is given
/// ([`mask::resolve_references`]).
///
/// # Errors
/// An unreadable image, a NaN or negative SUV voxel, a DICOM series or header that
/// cannot be converted, a mask without regions or on another grid (or drawn on another
/// series or frame of reference), an ROI that does not exist, a reference label or name
/// missing from the mask, or a method without its reference.
pub fn measure_pet(
    suv_path: &Path,
    mask_path: &Path,
    methods: &[Method],
    reference_labels: &ReferenceLabels,
    options: &PetOptions,
) -> Result<PetMeasurement> {
    let image = load_pet(suv_path, options)?;
    let suv = &image.suv;
    let grid = image.image_grid(suv_path);
    let mut masks = mask::load_mask(mask_path, &grid, options.roi.as_deref())?;
    let reference_labels = mask::resolve_references(
        mask_path,
        &grid,
        &mut masks,
        reference_labels,
        mask::ReferenceNames {
            liver: options.liver_roi.as_deref(),
            background: options.background_roi.as_deref(),
        },
    )?;
    let (uptakes, references) = pet::uptake_of_regions(
        &suv.grid,
        &suv.values,
        &masks.regions,
        methods,
        &reference_labels,
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
        names: masks
            .regions
            .iter()
            .filter_map(|r| r.name.clone().map(|n| (r.label, n)))
            .collect(),
        source: masks.source,
        warnings: masks.warnings,
        conversion: image.conversion().cloned(),
        body: image.body,
        sex: image.sex.clone(),
        study_date: image.study_date(),
        scanner: image.scanner(),
        files: image.files(suv_path),
    })
}

/// Where a PET measurement is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct PetStudy {
    /// Patient identifier.
    pub patient: String,
    /// Date of the scan (`None`: the DICOM series' StudyDate).
    pub date: Option<NaiveDate>,
    /// Scanner model (empty: the DICOM series' Manufacturer and model).
    pub scanner: String,
    /// Imaging centre.
    pub site: String,
    /// Lesion label of a NIfTI mask's label = prefix + label (`L` + 3 = `L3`); an
    /// RTSTRUCT's or SEG's regions are stored by their ROI or segment name.
    pub lesion_prefix: String,
}

/// The SHA-256 of a series: of its files' SHA-256s, in slice order.
fn series_digest(files: &[std::path::PathBuf]) -> Result<String> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for f in files {
        hasher.update(ingest::fingerprint(f)?.sha256.as_bytes());
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Measures a PET study ([`measure_pet`]) and stores the uptake of every lesion by
/// every method (the method and its parameter are part of the key) in one
/// transaction, with the body measures (weight, height, sex) of the series or given
/// by hand. The ledger fingerprints the SUV file (for a DICOM series: its first
/// slice, with the digest of every slice in the parameters); the mask's SHA-256, the
/// patient, date, methods and SUV options are part of its parameters. Lesions are
/// stored without target or nodal status (the RECIST baseline gives those).
///
/// # Errors
/// Those of [`measure_pet`], an unknown patient, a DICOM series without a date and
/// no `--date`, or values conflicting with the store.
pub fn ingest_pet(
    store: &mut Store,
    suv_path: &Path,
    mask_path: &Path,
    methods: &[Method],
    reference_labels: &ReferenceLabels,
    target: &PetStudy,
    options: &PetOptions,
) -> Result<(IngestReport, PetMeasurement)> {
    let measurement = measure_pet(suv_path, mask_path, methods, reference_labels, options)?;
    let date = target
        .date
        .or(measurement.study_date)
        .ok_or_else(|| Error::InvalidValue {
            what: "--date",
            value: String::new(),
            reason: "the scan date is needed (the series has no StudyDate or SeriesDate)".into(),
        })?;
    let scanner = if target.scanner.is_empty() {
        measurement.scanner.clone()
    } else {
        target.scanner.clone()
    };
    let mask_sha = ingest::fingerprint(mask_path)?.sha256;
    let (ledger_path, series) = if is_nifti(suv_path) {
        (suv_path.to_path_buf(), String::new())
    } else {
        let first = measurement
            .files
            .first()
            .cloned()
            .unwrap_or_else(|| suv_path.to_path_buf());
        (first, series_digest(&measurement.files)?)
    };
    let mut params = format!(
        "mask={mask_sha};patient={};date={date};methods={};refs={:?};prefix={};series={series};suv={};body={:?}",
        target.patient,
        methods
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(","),
        reference_labels,
        target.lesion_prefix,
        options.kind.unwrap_or(SuvKind::Bw).name(),
        (options.weight_kg, options.height_m, &options.sex),
    );
    if let Some(roi) = &options.roi {
        params.push_str(&format!(";roi={roi}"));
    }
    if let Some(roi) = &options.liver_roi {
        params.push_str(&format!(";liver_roi={roi}"));
    }
    if let Some(roi) = &options.background_roi {
        params.push_str(&format!(";background_roi={roi}"));
    }
    let report = ingest_file(
        store,
        &ledger_path,
        "pet",
        &params,
        |_| Ok(measurement.uptakes.clone()),
        |tx, file_id, rows| {
            let patient = tx
                .patient_id(&target.patient)?
                .ok_or_else(|| Error::UnknownPatient(target.patient.clone()))?;
            let study = tx.study_id(
                patient,
                &StudyKey {
                    patient: target.patient.clone(),
                    date,
                    modality: Modality::Pet,
                    scanner: scanner.clone(),
                    site: target.site.clone(),
                },
            )?;
            let labels: Vec<String> = rows
                .iter()
                .map(|row| measurement.lesion_label(row.label, &target.lesion_prefix))
                .collect();
            if let Some((mean, sd)) = measurement.references.liver {
                tx.set_liver_reference(study, mean, sd)?;
            }
            let sex = measurement
                .sex
                .as_deref()
                .filter(|s| matches!(*s, "M" | "F" | "O"));
            tx.set_study_body(
                study,
                measurement.body.weight_kg,
                measurement.body.height_m,
                sex,
            )?;
            if let Some(c) = &measurement.conversion {
                tx.set_study_metadata(study, "pet/units", &c.units)?;
                tx.set_study_metadata(study, "pet/decay_correction", &c.decay_correction)?;
                tx.set_study_metadata(study, "pet/suvbw_factor", &c.suvbw_factor().to_string())?;
                if let Some(r) = c.reference_source {
                    tx.set_study_metadata(study, "pet/reference_time_source", r)?;
                }
            }
            let mut written = Written::default();
            for (row, label) in rows.iter().zip(labels) {
                let lesion = tx.lesion_id(
                    patient,
                    &LesionFacts {
                        label,
                        ..LesionFacts::default()
                    },
                )?;
                written.count(tx.add_pet_uptake(study, lesion, row, Some(file_id))?);
            }
            Ok(written)
        },
    )?;
    Ok((report, measurement))
}
