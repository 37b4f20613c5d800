//! Writes the demo cohort's imaging: lesion CSVs (one per visit number), small PET SUV volumes with masks, and a PyRadiomics-style CSV with its manifest.
//!
//! Lesions follow the planted response pattern under first-line treatment: responders
//! shrink by 45 % (RECIST PR), necrotic responders keep their size while mean HU falls
//! by up to 35 % (Choi PR with RECIST SD), stable tumours change little, and at the
//! first visit on or after the patient's progression every lesion grows to 1.3 × its
//! nadir + 3 mm (≥ 20 % and ≥ 5 mm over the nadir sum: RECIST PD), with a new lung
//! lesion when the progression was pulmonary. PET volumes (32 × 32 × 24 voxels of
//! 4 mm, float32, gzip) are written for the first [`PET_PATIENTS`] patients at the
//! baseline and the second restaging, with a liver region for PERCIST. Radiomic
//! features carry a scanner batch effect for harmonisation.

use super::cohort::{Diagnosis, ResponsePattern, SITES, SimPatient};
use crate::error::{Error, Result};
use crate::ingest::pet::{Voxels, write_volume};
use crate::model::Grid;
use crate::model::date::format_date;
use chrono::NaiveDate;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};

/// Patients (the first ones) who get PET volumes.
pub const PET_PATIENTS: usize = 60;
/// Patients (the first ones) who get radiomic features.
pub const RADIOMICS_PATIENTS: usize = 300;
/// Mask label of the liver region in demo PET masks.
pub const LIVER_LABEL: u32 = 90;

/// CT scanner per treating centre (the batch of harmonisation).
const CT_SCANNERS: [&str; 4] = [
    "Siemens Somatom Force",
    "GE Revolution CT",
    "Philips IQon",
    "Canon Aquilion ONE",
];
/// PET scanner per treating centre.
const PET_SCANNERS: [&str; 4] = [
    "Siemens Biograph Vision",
    "GE Discovery MI",
    "Philips Vereos",
    "Siemens Biograph mCT",
];

/// One PET scan of the demo: files and where they belong.
#[derive(Debug, Clone, PartialEq)]
pub struct PetScan {
    /// SUV volume.
    pub suv: PathBuf,
    /// Label mask (lesion n = label n, liver = [`LIVER_LABEL`]).
    pub mask: PathBuf,
    /// Patient.
    pub patient: String,
    /// Date of the scan.
    pub date: NaiveDate,
    /// Scanner.
    pub scanner: String,
    /// Centre.
    pub site: String,
}

/// Every imaging file of the demo.
#[derive(Debug, Clone, PartialEq)]
pub struct ImagingFiles {
    /// Lesion CSVs, one per visit number.
    pub lesions: Vec<PathBuf>,
    /// PET scans.
    pub pet: Vec<PetScan>,
    /// PyRadiomics-style batch CSV.
    pub radiomics: PathBuf,
    /// Its manifest (case → patient, date, lesion, scanner).
    pub manifest: PathBuf,
}

/// A simulated lesion.
struct SimLesion {
    label: String,
    organ: &'static str,
    nodal: bool,
    /// Longest diameter (non-nodal) or short axis (nodal) at baseline, mm.
    size_mm: f64,
    hu: f64,
    suv: f64,
}

/// A lesion as measured at one visit.
struct Measured<'a> {
    lesion: &'a SimLesion,
    size_mm: f64,
    hu: f64,
    suv: f64,
    new: bool,
}

fn lesions_of(p: &SimPatient, rng: &mut ChaCha8Rng) -> Vec<SimLesion> {
    let bone = matches!(p.diagnosis, Diagnosis::Osteosarcoma | Diagnosis::Ewing);
    let mut out = vec![SimLesion {
        label: "L1".into(),
        organ: if bone { "bone" } else { "soft tissue" },
        nodal: false,
        size_mm: rng.random_range(35.0..120.0),
        hu: rng.random_range(35.0..55.0),
        suv: rng.random_range(5.0..14.0),
    }];
    let mets = rng.random_range(0..=2);
    for m in 0..mets {
        let nodal = !bone && rng.random::<f64>() < 0.3;
        out.push(SimLesion {
            label: format!("L{}", m + 2),
            organ: if nodal { "lymph node" } else { "lung" },
            nodal,
            size_mm: if nodal {
                rng.random_range(16.0..30.0)
            } else {
                rng.random_range(11.0..32.0)
            },
            hu: rng.random_range(30.0..50.0),
            suv: rng.random_range(3.0..9.0),
        });
    }
    out
}

/// The lesions measured at each visit, following the patient's pattern and progression.
fn course<'a>(
    p: &SimPatient,
    lesions: &'a [SimLesion],
    new_lesion: &'a SimLesion,
    rng: &mut ChaCha8Rng,
) -> Vec<Vec<Measured<'a>>> {
    let mut nadir = vec![1.0f64; lesions.len()];
    let mut visits = Vec::new();
    for (k, date) in p.visits.iter().enumerate() {
        let f = (k.min(2) as f64) / 2.0;
        let (size, hu, suv) = match p.pattern {
            ResponsePattern::Responder => (1.0 - 0.45 * f, 1.0 - 0.2 * f, 1.0 - 0.55 * f),
            ResponsePattern::NecroticResponder => (1.0 + 0.02 * f, 1.0 - 0.35 * f, 1.0 - 0.5 * f),
            ResponsePattern::Stable => (1.0 + 0.04 * f, 1.0 - 0.03 * f, 1.0 - 0.1 * f),
            ResponsePattern::Progressor => (1.0 + 0.08 * f, 1.0 + 0.03 * f, 1.0 + 0.2 * f),
        };
        let progressed = p.progression.as_ref().is_some_and(|pr| *date >= pr.date);
        let mut measured = Vec::new();
        for (i, lesion) in lesions.iter().enumerate() {
            let jitter = rng.random_range(-0.7..0.7);
            let size_mm = if progressed {
                nadir[i] * 1.3 * lesion.size_mm + 3.0
            } else {
                nadir[i] = nadir[i].min(size);
                size * lesion.size_mm + jitter
            };
            measured.push(Measured {
                lesion,
                size_mm: (size_mm.max(0.0) * 10.0).round() / 10.0,
                hu: lesion.hu * hu + rng.random_range(-1.0..1.0),
                suv: lesion.suv * suv * if progressed { 1.5 } else { 1.0 },
                new: false,
            });
        }
        let pulmonary = p
            .progression
            .as_ref()
            .is_some_and(|pr| pr.detail.contains("pulmonary"));
        if progressed && pulmonary {
            measured.push(Measured {
                lesion: new_lesion,
                size_mm: new_lesion.size_mm,
                hu: new_lesion.hu,
                suv: new_lesion.suv,
                new: true,
            });
        }
        visits.push(measured);
    }
    visits
}

fn site_index(site: &str) -> usize {
    SITES.iter().position(|s| *s == site).unwrap_or(0)
}

/// A 32 × 32 × 24 SUV volume of 4 mm voxels with the visit's lesions as Gaussian
/// blobs, a liver region, and its label mask.
fn pet_images(measured: &[Measured<'_>], rng: &mut ChaCha8Rng) -> (Grid, Vec<f32>, Vec<i16>) {
    let grid = Grid {
        dims: [32, 32, 24],
        spacing_mm: [4.0; 3],
    };
    let [nx, ny, nz] = grid.dims;
    let mut suv: Vec<f32> = (0..grid.len())
        .map(|_| rng.random_range(0.6f32..1.0f32))
        .collect();
    let mut mask = vec![0i16; grid.len()];
    let index = |i: usize, j: usize, k: usize| i + nx * (j + ny * k);
    // Liver: a block in one corner, SUV about 2.
    for k in 2..10 {
        for j in 22..30 {
            for i in 2..12 {
                suv[index(i, j, k)] = rng.random_range(1.7f32..2.3f32);
                mask[index(i, j, k)] = LIVER_LABEL as i16;
            }
        }
    }
    let centres = [[18.0, 12.0, 12.0], [8.0, 8.0, 16.0], [24.0, 24.0, 6.0]];
    for (m, centre) in measured.iter().filter(|m| !m.new).zip(centres) {
        let label: i16 = m.lesion.label[1..].parse().unwrap_or(1);
        let radius_vox = (m.size_mm.min(40.0) / 2.0 / 4.0).max(1.2);
        for k in 0..nz {
            for j in 0..ny {
                for i in 0..nx {
                    let d2 = (i as f64 - centre[0]).powi(2)
                        + (j as f64 - centre[1]).powi(2)
                        + (k as f64 - centre[2]).powi(2);
                    let d = d2.sqrt();
                    if d <= radius_vox + 1.0 {
                        mask[index(i, j, k)] = label;
                    }
                    if d <= radius_vox + 1.0 {
                        let blob = m.suv * (-(d / radius_vox).powi(2)).exp();
                        let v = &mut suv[index(i, j, k)];
                        *v = v.max(blob as f32 + 0.8);
                    }
                }
            }
        }
    }
    (grid, suv, mask)
}

/// Writes all imaging files of the demo under `dir`.
///
/// # Errors
/// When a file cannot be written.
pub fn write_imaging(dir: &Path, cohort: &[SimPatient], seed: u64) -> Result<ImagingFiles> {
    let pet_dir = dir.join("pet");
    std::fs::create_dir_all(&pet_dir).map_err(|e| Error::io(&pet_dir, e))?;
    let visits = cohort.iter().map(|p| p.visits.len()).max().unwrap_or(0);
    let lesion_paths: Vec<PathBuf> = (1..=visits)
        .map(|v| dir.join(format!("lesions_visit{v:02}.csv")))
        .collect();
    let mut lesion_writers = Vec::new();
    for path in &lesion_paths {
        let mut w = csv::Writer::from_path(path).map_err(|e| Error::io(path, e.into()))?;
        w.write_record([
            "patient",
            "date",
            "modality",
            "scanner",
            "site",
            "lesion",
            "organ",
            "target",
            "nodal",
            "longest_diameter_mm",
            "short_axis_mm",
            "mean_hu",
            "new_lesion",
        ])
        .map_err(|e| Error::io(path, e.into()))?;
        lesion_writers.push(w);
    }
    let radiomics = dir.join("radiomics.csv");
    let manifest = dir.join("radiomics_manifest.csv");
    let rio = |e: csv::Error| Error::io(&radiomics, e.into());
    let mio = |e: csv::Error| Error::io(&manifest, e.into());
    let mut rw = csv::Writer::from_path(&radiomics).map_err(rio)?;
    let mut mw = csv::Writer::from_path(&manifest).map_err(mio)?;
    // Column order as PyRadiomics batch mode writes: input columns, diagnostics, features.
    rw.write_record([
        "Image",
        "Mask",
        "case",
        "diagnostics_Versions_PyRadiomics",
        "diagnostics_Image-original_Spacing",
        "diagnostics_Mask-original_VoxelNum",
        "original_shape_Maximum3DDiameter",
        "original_shape_MeshVolume",
        "original_firstorder_Mean",
        "original_firstorder_Entropy",
        "original_glcm_Contrast",
        "original_glszm_ZoneEntropy",
    ])
    .map_err(rio)?;
    mw.write_record([
        "case", "patient", "date", "lesion", "scanner", "site", "modality",
    ])
    .map_err(mio)?;

    let mut pet = Vec::new();
    for (index, p) in cohort.iter().enumerate() {
        let mut rng = super::patient_rng(seed, index, 0x1_3A6E);
        let lesions = lesions_of(p, &mut rng);
        let new_lesion = SimLesion {
            label: "N1".into(),
            organ: "lung",
            nodal: false,
            size_mm: rng.random_range(8.0..15.0),
            hu: rng.random_range(30.0..45.0),
            suv: rng.random_range(3.0..6.0),
        };
        let site = site_index(p.site);
        let ct_scanner = CT_SCANNERS[site];
        let per_visit = course(p, &lesions, &new_lesion, &mut rng);
        for (k, (date, measured)) in p.visits.iter().zip(&per_visit).enumerate() {
            let date_text = format_date(*date);
            let path = &lesion_paths[k];
            for m in measured {
                let l = m.lesion;
                // Target status is fixed at baseline by RECIST's measurability.
                let target = !m.new
                    && if l.nodal {
                        l.size_mm >= 15.0
                    } else {
                        l.size_mm >= 10.0
                    };
                let (longest, short) = if l.nodal {
                    (
                        format!("{:.1}", m.size_mm * 1.4),
                        format!("{:.1}", m.size_mm),
                    )
                } else {
                    (format!("{:.1}", m.size_mm), String::new())
                };
                lesion_writers[k]
                    .write_record([
                        p.code.as_str(),
                        &date_text,
                        "CT",
                        ct_scanner,
                        p.site,
                        &l.label,
                        l.organ,
                        if target { "y" } else { "n" },
                        if l.nodal { "y" } else { "n" },
                        &longest,
                        &short,
                        &format!("{:.1}", m.hu),
                        if m.new { "y" } else { "n" },
                    ])
                    .map_err(|e| Error::io(path, e.into()))?;
                if index < RADIOMICS_PATIENTS && !m.new {
                    let case = format!("{}_{:02}_{}", p.code, k + 1, l.label);
                    let scale = [1.0, 1.3, 0.85, 1.15][site];
                    let volume = std::f64::consts::PI / 6.0 * m.size_mm.powi(3);
                    let spacing = [
                        "(0.78, 0.78, 1.0)",
                        "(0.7, 0.7, 1.25)",
                        "(0.8, 0.8, 2.0)",
                        "(0.6, 0.6, 1.0)",
                    ][site];
                    rw.write_record([
                        format!("images/{case}.nrrd"),
                        format!("masks/{case}.nrrd"),
                        case.clone(),
                        "v3.1.0".into(),
                        spacing.into(),
                        format!("{:.0}", volume / 0.8),
                        format!("{:.3}", m.size_mm),
                        format!("{volume:.3}"),
                        format!("{:.4}", m.hu + [0.0, 6.0, -4.0, 10.0][site]),
                        format!(
                            "{:.4}",
                            3.5 + 0.02 * (50.0 - m.hu) + rng.random_range(-0.2..0.2)
                        ),
                        format!("{:.4}", 20.0 * scale * rng.random_range(0.8..1.2)),
                        format!("{:.4}", 5.0 + rng.random_range(-0.5..0.5)),
                    ])
                    .map_err(rio)?;
                    mw.write_record([
                        case.as_str(),
                        p.code.as_str(),
                        &date_text,
                        &l.label,
                        ct_scanner,
                        p.site,
                        "CT",
                    ])
                    .map_err(mio)?;
                }
            }
            let pet_visit = k == 0 || k == 2.min(p.visits.len() - 1);
            if index < PET_PATIENTS && pet_visit {
                let (grid, suv, mask) = pet_images(measured, &mut rng);
                let stem = format!("{}_{date_text}", p.code);
                let suv_path = pet_dir.join(format!("{stem}_suv.nii.gz"));
                let mask_path = pet_dir.join(format!("{stem}_mask.nii.gz"));
                write_volume(&suv_path, &grid, Voxels::Suv(&suv))?;
                write_volume(&mask_path, &grid, Voxels::Labels(&mask))?;
                pet.push(PetScan {
                    suv: suv_path,
                    mask: mask_path,
                    patient: p.code.clone(),
                    date: *date,
                    scanner: PET_SCANNERS[site].to_string(),
                    site: p.site.to_string(),
                });
            }
        }
    }
    for (w, path) in lesion_writers.iter_mut().zip(&lesion_paths) {
        w.flush().map_err(|e| Error::io(path, e))?;
    }
    rw.flush().map_err(|e| Error::io(&radiomics, e))?;
    mw.flush().map_err(|e| Error::io(&manifest, e))?;
    Ok(ImagingFiles {
        lesions: lesion_paths,
        pet,
        radiomics,
        manifest,
    })
}
