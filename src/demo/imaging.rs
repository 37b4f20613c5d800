//! Writes the demo cohort's imaging: lesion CSVs (one per visit number), small PET SUV volumes with masks, and a PyRadiomics-style CSV with its manifest.
//!
//! Lesions follow the planted response pattern under first-line treatment: responders
//! shrink by 45 % (RECIST PR), necrotic responders keep their size while mean HU falls
//! by up to 35 % (Choi PR with RECIST SD), stable tumours change little, and at the
//! first visit on or after the patient's progression every lesion grows to 1.3 × its
//! nadir + 3 mm (≥ 20 % and ≥ 5 mm over the nadir sum: RECIST PD), with a new lung
//! lesion when the progression was pulmonary. PET scans (32 × 32 × 24 voxels of
//! 4 mm) are written for the first [`PET_PATIENTS`] patients at the baseline and the
//! second restaging, with a liver region for PERCIST: each as a DICOM PET series
//! folder (`pet/<patient>_<date>_pt/`, see [`super::dicom`]) with an RTSTRUCT of its
//! lesions and liver (`_rtstruct.dcm`), which the demo ingests as its mask. Radiomic
//! features carry a scanner batch effect for harmonisation.

use super::cohort::{Diagnosis, ResponsePattern, SITES, SimPatient};
use super::dicom::{Acquisition, Flavour, Roi, Series, Shape, write_rtstruct, write_series};
use crate::error::{Error, Result};
use crate::model::date::format_date;
use crate::model::{Geometry, Grid};
use chrono::NaiveDate;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};

/// Patients (the first ones) who get PET volumes.
pub const PET_PATIENTS: usize = 60;
/// Patients (the first ones) who get radiomic features.
pub const RADIOMICS_PATIENTS: usize = 300;
/// Label of the liver region in the label image the demo's RTSTRUCT contours are drawn
/// around (the image itself is not written).
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
    /// The DICOM PET series folder (what the demo ingests).
    pub series: PathBuf,
    /// An RTSTRUCT of the series: ROIs `LIVER` (the PERCIST reference, found by its name)
    /// and `L1`, `L2` … (lesions); the mask the demo ingests.
    pub rtstruct: PathBuf,
    /// How the series stores its values (BQML, Philips CNTS, GE private time).
    pub flavour: Flavour,
    /// Body and injection written in the series.
    pub acquisition: Acquisition,
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
/// blobs, a liver region, its label image (lesion n = label n, liver =
/// [`LIVER_LABEL`]; kept in memory for the tests) and the RTSTRUCT ROIs drawn around it.
fn pet_images(
    measured: &[Measured<'_>],
    rng: &mut ChaCha8Rng,
) -> (Grid, Vec<f32>, Vec<i16>, Vec<Roi>) {
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
    let mut rois = vec![Roi {
        name: "LIVER".into(),
        shape: Shape::Block {
            from: [2, 22, 2],
            to: [12, 30, 10],
        },
    }];
    for (m, centre) in measured.iter().filter(|m| !m.new).zip(centres) {
        let label: i16 = m.lesion.label[1..].parse().unwrap_or(1);
        let radius_vox = (m.size_mm.min(40.0) / 2.0 / 4.0).max(1.2);
        rois.push(Roi {
            name: m.lesion.label.clone(),
            shape: Shape::Sphere {
                centre,
                radius: radius_vox + 1.0,
            },
        });
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
    (grid, suv, mask, rois)
}

/// Where the demo's PET grid lies (LPS): axial slices, the field of view centred in x
/// and y, the first slice at z = −700 mm, slices towards the head.
pub fn pet_geometry(grid: &Grid) -> Geometry {
    let centre = |axis: usize| -((grid.dims[axis] as f64 - 1.0) / 2.0) * grid.spacing_mm[axis];
    Geometry {
        origin_mm: [centre(0), centre(1) - 20.0, -700.0],
        directions: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
    }
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
        // The DICOM headers draw from their own stream: the images stay as they were.
        let mut header_rng = super::patient_rng(seed, index, 0x00D1_C04D);
        let bmi = Acquisition::draw_bmi(p, &mut header_rng);
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
                let (grid, suv, _, rois) = pet_images(measured, &mut rng);
                let stem = format!("{}_{date_text}", p.code);
                let series_path = pet_dir.join(format!("{stem}_pt"));
                let geometry = pet_geometry(&grid);
                let flavour = Flavour::of(index);
                let acquisition = Acquisition::draw(p, *date, bmi, &mut header_rng);
                let rtstruct_path = pet_dir.join(format!("{stem}_rtstruct.dcm"));
                let series = Series {
                    patient: p,
                    seed,
                    index,
                    visit: k,
                    flavour,
                    acquisition,
                    site: p.site,
                    grid: &grid,
                    geometry: &geometry,
                    suv: &suv,
                };
                write_series(&series_path, &series)?;
                write_rtstruct(&rtstruct_path, &series, &rois)?;
                pet.push(PetScan {
                    series: series_path,
                    rtstruct: rtstruct_path,
                    flavour,
                    acquisition,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::mask::load_mask;
    use crate::pipeline::pet::{PetOptions, load_pet};

    /// The largest SUV step of a slice's 16-bit quantisation in `suv`.
    fn steps(grid: &Grid, suv: &[f32]) -> Vec<f64> {
        let plane = grid.dims[0] * grid.dims[1];
        suv.chunks(plane)
            .map(|s| s.iter().fold(0.0f64, |m, v| m.max(f64::from(*v))) / 32767.0)
            .collect()
    }

    #[test]
    fn every_flavour_of_series_reads_back_as_the_simulated_suv() {
        let cohort = super::super::cohort::generate(3, 7);
        let p = &cohort[1];
        let lesion = SimLesion {
            label: "L1".into(),
            organ: "lung",
            nodal: false,
            size_mm: 30.0,
            hu: 40.0,
            suv: 9.5,
        };
        let measured = [Measured {
            lesion: &lesion,
            size_mm: 30.0,
            hu: 40.0,
            suv: 9.5,
            new: false,
        }];
        let mut rng = super::super::patient_rng(1, 0, 1);
        let (grid, suv, _, _) = pet_images(&measured, &mut rng);
        let geometry = pet_geometry(&grid);
        let acquisition = Acquisition::draw(p, p.visits[0], 24.0, &mut rng);
        let dir = tempfile::tempdir().unwrap();
        let step = steps(&grid, &suv);
        let mut read = Vec::new();
        for flavour in [Flavour::Bqml, Flavour::PhilipsCnts, Flavour::GeScanTime] {
            let folder = dir.path().join(format!("{flavour:?}"));
            let files = write_series(
                &folder,
                &Series {
                    patient: p,
                    seed: 1,
                    index: 1,
                    visit: 0,
                    flavour,
                    acquisition,
                    site: p.site,
                    grid: &grid,
                    geometry: &geometry,
                    suv: &suv,
                },
            )
            .unwrap();
            assert_eq!(files.len(), grid.dims[2]);
            let image = load_pet(&folder, &PetOptions::default()).unwrap();
            assert_eq!(image.suv.grid, grid, "{flavour:?}");
            assert_eq!(image.geometry(), Some(geometry), "{flavour:?}");
            let c = image.conversion().unwrap();
            assert_eq!(
                c.units,
                if flavour == Flavour::PhilipsCnts {
                    "CNTS"
                } else {
                    "BQML"
                }
            );
            assert_eq!(c.weight_kg, Some(acquisition.weight_kg));
            assert_eq!(c.half_life_s, Some(6586.2));
            // Philips' SUV Scale Factor (7053,1000) is SUVbw per count: no decay is computed.
            let (source, start) = match flavour {
                Flavour::Bqml => (Some("series"), Some(acquisition.start)),
                Flavour::GeScanTime => (Some("ge-private"), Some(acquisition.start)),
                Flavour::PhilipsCnts => (None, None),
            };
            assert_eq!(c.reference_source, source, "{flavour:?}");
            assert_eq!(c.reference_datetime, start, "{flavour:?}");
            let plane = grid.dims[0] * grid.dims[1];
            for (n, (got, want)) in image.suv.values.iter().zip(&suv).enumerate() {
                let bound = 0.5 * step[n / plane] * (1.0 + 1e-6) + 1e-9;
                assert!(
                    (got - f64::from(*want)).abs() <= bound,
                    "{flavour:?} voxel {n}: {got} vs {want} (step {})",
                    step[n / plane]
                );
            }
            read.push(image.suv.values);
        }
        // CNTS and GE give the BQML series' SUV, to the quantisation.
        for other in &read[1..] {
            for (n, (a, b)) in read[0].iter().zip(other).enumerate() {
                assert!((a - b).abs() <= step[n / (32 * 32)] * 1.000_01, "voxel {n}");
            }
        }
    }

    #[test]
    fn the_demo_writes_each_flavour_and_its_rtstruct_lies_on_the_series() {
        let cohort = super::super::cohort::generate(10, 4);
        let dir = tempfile::tempdir().unwrap();
        let files = write_imaging(dir.path(), &cohort, 4).unwrap();
        assert_eq!(files.pet.len(), 20);
        for flavour in [Flavour::Bqml, Flavour::PhilipsCnts, Flavour::GeScanTime] {
            assert!(
                files.pet.iter().any(|s| s.flavour == flavour),
                "no {flavour:?} series"
            );
        }
        // No NIfTI beside the series: the RTSTRUCT is the demo's mask.
        let pet_dir = dir.path().join("pet");
        for entry in std::fs::read_dir(&pet_dir).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            assert!(
                name.ends_with("_pt") || name.ends_with("_rtstruct.dcm"),
                "{name}"
            );
        }
        for scan in &files.pet {
            let image = load_pet(&scan.series, &PetOptions::default()).unwrap();
            assert_eq!(image.body.weight_kg, Some(scan.acquisition.weight_kg));
            assert!(image.body.height_m.is_some() && image.sex.is_some());
            // Background 0.6–1.0 and lesions up to 1.5 × 14 + 0.8.
            let max = image.suv.values.iter().copied().fold(0.0, f64::max);
            assert!(
                (1.0..=22.0).contains(&max),
                "{}: SUVmax {max}",
                scan.series.display()
            );
            rtstruct_lies_on_the_series(scan, &image);
            // PERCIST finds its liver by the ROI's name, as the demo ingests it.
            let measured = crate::pipeline::imaging::measure_pet(
                &scan.series,
                &scan.rtstruct,
                &[crate::analysis::pet::Method::Percist],
                &Default::default(),
                &PetOptions::default(),
            )
            .unwrap();
            let (mean, sd) = measured.references.liver.unwrap();
            assert!((1.9..2.1).contains(&mean) && sd < 0.25, "{mean} {sd}");
            assert!(measured.uptakes.iter().all(|u| u.label != 1));
        }
    }

    /// The RTSTRUCT rasterised on the series is the label image it was drawn around: the
    /// liver block exactly, and each lesion's sphere (voxel centres within its radius)
    /// with at most a few voxels beside it (the 36-gon circumscribes the circle); and
    /// lesions that overlap in the label image (the later label wins there) overlap as ROIs.
    #[test]
    fn the_rtstruct_rasterised_is_the_label_image_it_was_drawn_around() {
        let cohort = super::super::cohort::generate(3, 7);
        let p = &cohort[0];
        let dir = tempfile::tempdir().unwrap();
        let lesions: Vec<SimLesion> = [(40.0, 9.0), (40.0, 6.0), (24.0, 5.0)]
            .iter()
            .enumerate()
            .map(|(n, &(size_mm, suv))| SimLesion {
                label: format!("L{}", n + 1),
                organ: "lung",
                nodal: false,
                size_mm,
                hu: 40.0,
                suv,
            })
            .collect();
        let measured: Vec<Measured<'_>> = lesions
            .iter()
            .map(|l| Measured {
                lesion: l,
                size_mm: l.size_mm,
                hu: l.hu,
                suv: l.suv,
                new: false,
            })
            .collect();
        let mut rng = super::super::patient_rng(1, 0, 1);
        let (grid, suv, labels, rois) = pet_images(&measured, &mut rng);
        let geometry = pet_geometry(&grid);
        let series = Series {
            patient: p,
            seed: 1,
            index: 0,
            visit: 0,
            flavour: Flavour::Bqml,
            acquisition: Acquisition::draw(p, p.visits[0], 24.0, &mut rng),
            site: p.site,
            grid: &grid,
            geometry: &geometry,
            suv: &suv,
        };
        let folder = dir.path().join("pt");
        write_series(&folder, &series).unwrap();
        let rtstruct = dir.path().join("rtstruct.dcm");
        write_rtstruct(&rtstruct, &series, &rois).unwrap();
        let image = load_pet(&folder, &PetOptions::default()).unwrap();
        let masks = load_mask(&rtstruct, &image.image_grid(&folder), None).unwrap();
        let [nx, ny, _] = grid.dims;
        let mut overlap = 0;
        for (roi, region) in rois.iter().zip(&masks.regions) {
            assert_eq!(region.name.as_deref(), Some(roi.name.as_str()));
            let drawn: Vec<usize> = (0..grid.len())
                .filter(|&v| {
                    let (i, j, k) = (v % nx, (v / nx) % ny, v / (nx * ny));
                    match roi.shape {
                        Shape::Sphere { centre, radius } => {
                            (i as f64 - centre[0]).powi(2)
                                + (j as f64 - centre[1]).powi(2)
                                + (k as f64 - centre[2]).powi(2)
                                <= radius * radius
                        }
                        Shape::Block { from, to } => {
                            (from[0]..to[0]).contains(&i)
                                && (from[1]..to[1]).contains(&j)
                                && (from[2]..to[2]).contains(&k)
                        }
                    }
                })
                .collect();
            let label = if roi.name == "LIVER" {
                LIVER_LABEL
            } else {
                roi.name[1..].parse().unwrap()
            };
            // The label image holds the shape, less what a later lesion drew over.
            for (v, &at) in labels.iter().enumerate() {
                if at as u32 == label {
                    assert!(drawn.binary_search(&v).is_ok(), "{}: voxel {v}", roi.name);
                } else if drawn.binary_search(&v).is_ok() {
                    assert!(at != 0, "{}: voxel {v}", roi.name);
                    overlap += 1;
                }
            }
            let extra = region
                .voxels
                .iter()
                .filter(|v| drawn.binary_search(v).is_err())
                .count();
            assert!(
                drawn.iter().all(|v| region.voxels.binary_search(v).is_ok()),
                "{}: a voxel of the shape is outside the ROI",
                roi.name
            );
            if roi.name == "LIVER" {
                assert_eq!(extra, 0);
            } else {
                assert!(extra * 100 <= drawn.len(), "{}: {extra} extra", roi.name);
            }
        }
        // L1 and L2 of these sizes overlap: the ROIs keep both.
        assert!(overlap > 0);
    }

    /// The RTSTRUCT names LIVER, L1 …, and each contour is CLOSED_PLANAR on a slice of the
    /// series (its z, its SOPInstanceUID).
    fn rtstruct_lies_on_the_series(scan: &PetScan, image: &crate::pipeline::pet::PetImage) {
        use crate::ingest::dicom::{numbers, open, text};
        use dicom_dictionary_std::tags;
        let files = image.files(&scan.series);
        let instances: Vec<String> = files
            .iter()
            .map(|f| text(&open(f).unwrap().object, tags::SOP_INSTANCE_UID).unwrap())
            .collect();
        let rt = open(&scan.rtstruct).unwrap().object;
        assert_eq!(text(&rt, tags::MODALITY).as_deref(), Some("RTSTRUCT"));
        let names: Vec<String> = rt
            .get(tags::STRUCTURE_SET_ROI_SEQUENCE)
            .and_then(|e| e.items())
            .unwrap()
            .iter()
            .map(|i| text(i, tags::ROI_NAME).unwrap())
            .collect();
        assert_eq!(names[0], "LIVER");
        let lesions = names[1..].iter().enumerate();
        assert!(
            lesions.clone().all(|(n, l)| *l == format!("L{}", n + 1)),
            "{names:?}"
        );
        let g = image.geometry().unwrap();
        let grid = &image.suv.grid;
        let roi_contours = rt
            .get(tags::ROI_CONTOUR_SEQUENCE)
            .and_then(|e| e.items())
            .unwrap();
        for (name, rc) in names.iter().zip(roi_contours) {
            let contours = rc
                .get(tags::CONTOUR_SEQUENCE)
                .and_then(|e| e.items())
                .unwrap();
            assert!(!contours.is_empty(), "{name}");
            for c in contours {
                let kind = text(c, tags::CONTOUR_GEOMETRIC_TYPE);
                assert_eq!(kind.as_deref(), Some("CLOSED_PLANAR"));
                let points = numbers(c, tags::CONTOUR_DATA).unwrap();
                let z = points[2];
                let k = ((z - g.origin_mm[2]) / grid.spacing_mm[2]).round() as usize;
                assert!(points.chunks(3).all(|p| (p[2] - z).abs() < 1e-6));
                let referenced = c
                    .get(tags::CONTOUR_IMAGE_SEQUENCE)
                    .and_then(|e| e.items())
                    .map(|i| text(&i[0], tags::REFERENCED_SOP_INSTANCE_UID).unwrap())
                    .unwrap();
                assert_eq!(referenced, instances[k], "{name} slice {k}");
            }
        }
        let masks = load_mask(&scan.rtstruct, &image.image_grid(&scan.series), None).unwrap();
        let regions: Vec<&str> = masks
            .regions
            .iter()
            .map(|r| r.name.as_deref().unwrap())
            .collect();
        assert_eq!(regions, names);
    }
}
