//! Writes a demo PET scan as a DICOM PET series (one explicit VR little endian file per slice) whose SUV, read back by oncotrack's DICOM reader, is the simulated SUV to the 16-bit quantisation; and an RTSTRUCT of its regions.
//!
//! Every series has real-looking headers: patient weight, size and sex, the
//! RadiopharmaceuticalInformationSequence (FDG, dose, half-life 6586.2 s, start
//! date-time), SeriesDate/Time, AcquisitionDate/Time per bed position, DecayCorrection
//! START, the slice geometry, and per-slice RescaleSlope over signed 16-bit pixels.
//! Stored value = round(activity / slope), activity (Bq/mL) = SUV × D′ / W[g], D′ the
//! dose decayed from the injection to the scan start; the slope of each slice is its
//! largest activity / 32767. Three flavours ([`Flavour`]) exercise the SUV rules of
//! docs/methods.md: BQML, Philips CNTS with the private factors (7053,1000) and
//! (7053,1009), and GE with SeriesTime after AcquisitionTime and the private scan
//! date-time (0009,100D). UIDs are `2.25.` and a number derived from the seed, patient,
//! visit and slice (deterministic: the same demo writes the same files).

use super::cohort::SimPatient;
use crate::error::{Error, Result};
use crate::model::{Geometry, Grid, Sex};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use dicom_core::value::{DataSetSequence, PrimitiveValue};
use dicom_core::{DataElement, Tag, VR};
use dicom_dictionary_std::tags;
use dicom_object::{FileMetaTableBuilder, InMemDicomObject};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};

/// F-18 half-life written in the series (s).
pub const HALF_LIFE_S: f64 = 6586.2;
/// PET Image Storage.
const PET_IMAGE_STORAGE: &str = "1.2.840.10008.5.1.4.1.1.128";
/// Explicit VR Little Endian.
const EXPLICIT_VR_LE: &str = "1.2.840.10008.1.2.1";
/// Largest stored value (signed 16-bit).
const MAX_STORED: f64 = 32767.0;
/// Slices per bed position (each bed is acquired [`FRAME_S`] after the previous one).
const BED_SLICES: usize = 12;
/// Frame duration of a bed position (s).
const FRAME_S: i64 = 180;

/// How a series stores its values and scan time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// Units BQML, SeriesTime = scan start.
    Bqml,
    /// Units CNTS with the Philips SUV and activity concentration scale factors.
    PhilipsCnts,
    /// Units BQML, SeriesTime after AcquisitionTime, the scan start in GE's (0009,100D).
    GeScanTime,
}

impl Flavour {
    /// The flavour of a patient's series (by cohort index): every 5th patient Philips
    /// CNTS, every 10th (from the 3rd) the GE private scan time, the others BQML.
    pub fn of(index: usize) -> Flavour {
        if index % 5 == 4 {
            Flavour::PhilipsCnts
        } else if index % 10 == 2 {
            Flavour::GeScanTime
        } else {
            Flavour::Bqml
        }
    }
}

/// The patient's body and injection as the series header says (values as written).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Acquisition {
    /// Weight (kg).
    pub weight_kg: f64,
    /// Injected dose (Bq).
    pub dose_bq: f64,
    /// Injection.
    pub injection: NaiveDateTime,
    /// Scan start (the time the series is decay corrected to).
    pub start: NaiveDateTime,
}

impl Acquisition {
    /// The patient's body-mass index (kg/m²), drawn once per patient: 15.5–23 under
    /// 16 years at diagnosis, else 19–31.
    pub fn draw_bmi(p: &SimPatient, rng: &mut ChaCha8Rng) -> f64 {
        if p.diagnosis_date.year() - p.birth_year < 16 {
            rng.random_range(15.5..23.0)
        } else {
            rng.random_range(19.0..31.0)
        }
    }

    /// Draws a visit's weight (the patient's `bmi` at their height, ± 3 %), FDG dose
    /// (about 3.7 MBq/kg, 150–450 MBq), injection time and uptake (55–75 min).
    pub fn draw(p: &SimPatient, date: NaiveDate, bmi: f64, rng: &mut ChaCha8Rng) -> Acquisition {
        let height_m = p.height_cm / 100.0;
        let bmi = bmi * rng.random_range(0.97..1.03);
        let weight_kg = (bmi * height_m * height_m * 10.0f64).round() / 10.0;
        let mbq = (weight_kg * rng.random_range(3.3..4.1)).clamp(150.0, 450.0);
        let dose_bq = (mbq * 10.0).round() * 1e5;
        let injection = date.and_hms_opt(8, 0, 0).unwrap_or_default()
            + Duration::seconds(rng.random_range(0..4 * 3600));
        let start = injection + Duration::seconds(rng.random_range(55 * 60..75 * 60));
        Acquisition {
            weight_kg,
            dose_bq,
            injection,
            start,
        }
    }

    /// SUVbw = activity (Bq/mL) × this factor: W[g] / D′.
    pub fn suv_factor(&self) -> f64 {
        let decay = (self.start - self.injection).num_seconds() as f64;
        let decayed = self.dose_bq * (-std::f64::consts::LN_2 * decay / HALF_LIFE_S).exp();
        self.weight_kg * 1000.0 / decayed
    }
}

/// What to write: the patient, the visit and its values.
#[derive(Debug, Clone, Copy)]
pub struct Series<'a> {
    /// The patient.
    pub patient: &'a SimPatient,
    /// The demo's seed (for UIDs).
    pub seed: u64,
    /// The patient's cohort index (for UIDs).
    pub index: usize,
    /// The visit number (for UIDs).
    pub visit: usize,
    /// How the series stores its values.
    pub flavour: Flavour,
    /// Body and injection.
    pub acquisition: Acquisition,
    /// The treating centre (InstitutionName).
    pub site: &'a str,
    /// The grid.
    pub grid: &'a Grid,
    /// Where it lies (LPS).
    pub geometry: &'a Geometry,
    /// SUVbw per voxel, index `i + nx·(j + ny·k)`.
    pub suv: &'a [f32],
}

/// A deterministic UID under `2.25` for one role (study, series, frame of reference,
/// instance `n`) of one visit.
fn uid(s: &Series<'_>, role: u64, n: u64) -> String {
    let mut x = s.seed ^ 0x6F6E_636F_7472_6163;
    let mut mix = |v: u64| {
        x = (x ^ v).wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    mix(s.index as u64);
    mix(s.visit as u64);
    mix(role);
    let hi = mix(n);
    let lo = mix(n ^ 0xA5A5);
    // A leading 1 keeps the number free of a leading zero and under 2^128.
    let number = (u128::from(hi >> 1 | 1 << 62) << 64) | u128::from(lo);
    format!("2.25.{number}")
}

/// A decimal string (DS, at most 16 characters) keeping as many digits as fit.
pub fn ds(v: f64) -> String {
    if v != 0.0 && (v.abs() < 1e-2 || v.abs() >= 1e12) {
        return format!("{v:.9e}");
    }
    for decimals in (0..=12).rev() {
        let s = format!("{v:.decimals$}");
        if s.len() <= 16 {
            let s = if s.contains('.') {
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                s
            };
            return s;
        }
    }
    format!("{v:.9e}")
}

/// The value a DS string reads back as.
fn as_read(v: f64) -> f64 {
    ds(v).parse().unwrap_or(v)
}

fn da(d: NaiveDateTime) -> String {
    d.format("%Y%m%d").to_string()
}

fn tm(d: NaiveDateTime) -> String {
    d.format("%H%M%S.000000").to_string()
}

fn dt(d: NaiveDateTime) -> String {
    d.format("%Y%m%d%H%M%S.000000").to_string()
}

fn put(o: &mut InMemDicomObject, tag: Tag, vr: VR, value: impl Into<PrimitiveValue>) {
    o.put(DataElement::new(tag, vr, value.into()));
}

/// Writes the series into `folder` (created), one file per slice, `PT0001.dcm` …;
/// returns the files.
///
/// # Errors
/// [`Error::Io`] / [`Error::Image`] naming the file that cannot be written.
pub fn write_series(folder: &Path, s: &Series<'_>) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(folder).map_err(|e| Error::io(folder, e))?;
    let [nx, ny, nz] = s.grid.dims;
    let plane = nx * ny;
    let a = &s.acquisition;
    let weight = as_read(a.weight_kg);
    let dose = as_read(a.dose_bq);
    let read_back = Acquisition {
        weight_kg: weight,
        dose_bq: dose,
        ..*a
    };
    // Activity per SUV, from the header values as they read back.
    let bq_per_suv = 1.0 / read_back.suv_factor();
    // Philips: counts × (7053,1009) = Bq/mL; counts × (7053,1000) = SUVbw.
    let activity_factor = as_read(0.25 + (s.index % 7) as f64 * 0.05);
    let suv_scale = activity_factor * read_back.suv_factor();
    let (manufacturer, model) = match s.flavour {
        Flavour::Bqml => ("SIEMENS", "Biograph Vision 600"),
        Flavour::PhilipsCnts => ("Philips Medical Systems", "Vereos PET/CT"),
        Flavour::GeScanTime => ("GE MEDICAL SYSTEMS", "Discovery MI"),
    };
    let series_time = match s.flavour {
        // GE writes the time the series was made, after the acquisition.
        Flavour::GeScanTime => a.start + Duration::minutes(21),
        _ => a.start,
    };
    let p = s.patient;
    let sex = match p.sex {
        Sex::Male => "M",
        Sex::Female => "F",
        Sex::Unknown => "O",
    };
    let study_uid = uid(s, 1, 0);
    let series_uid = uid(s, 2, 0);
    let frame_uid = uid(s, 3, 0);
    let [sx, sy, sz] = s.grid.spacing_mm;
    let g = s.geometry;
    let iop = [g.directions[0], g.directions[1]]
        .iter()
        .flatten()
        .map(|v| ds(*v))
        .collect::<Vec<_>>()
        .join("\\");
    let mut files = Vec::with_capacity(nz);
    for k in 0..nz {
        let values = &s.suv[k * plane..(k + 1) * plane];
        let unit = match s.flavour {
            Flavour::PhilipsCnts => bq_per_suv / activity_factor,
            _ => bq_per_suv,
        };
        let top = values.iter().fold(0.0f64, |m, v| m.max(f64::from(*v))) * unit;
        let slope = if top > 0.0 {
            as_read(top / MAX_STORED)
        } else {
            1.0
        };
        let pixels: Vec<u16> = values
            .iter()
            .map(|v| {
                (f64::from(*v) * unit / slope)
                    .round()
                    .clamp(0.0, MAX_STORED) as i16 as u16
            })
            .collect();
        let acquired = a.start + Duration::seconds((k / BED_SLICES) as i64 * FRAME_S);
        let position: Vec<f64> = (0..3)
            .map(|r| g.origin_mm[r] + k as f64 * sz * g.directions[2][r])
            .collect();
        let mut o = InMemDicomObject::new_empty();
        let sop_uid = uid(s, 4, k as u64 + 1);
        put(&mut o, tags::SPECIFIC_CHARACTER_SET, VR::CS, "ISO_IR 100");
        put(&mut o, tags::IMAGE_TYPE, VR::CS, "ORIGINAL\\PRIMARY");
        put(&mut o, tags::SOP_CLASS_UID, VR::UI, PET_IMAGE_STORAGE);
        put(&mut o, tags::SOP_INSTANCE_UID, VR::UI, sop_uid.as_str());
        for (tag, value) in [
            (tags::STUDY_DATE, da(a.start)),
            (tags::SERIES_DATE, da(series_time)),
            (tags::ACQUISITION_DATE, da(acquired)),
            (tags::CONTENT_DATE, da(series_time)),
        ] {
            put(&mut o, tag, VR::DA, value);
        }
        for (tag, value) in [
            (tags::STUDY_TIME, tm(a.start)),
            (tags::SERIES_TIME, tm(series_time)),
            (tags::ACQUISITION_TIME, tm(acquired)),
            (tags::CONTENT_TIME, tm(series_time)),
        ] {
            put(&mut o, tag, VR::TM, value);
        }
        put(&mut o, tags::MODALITY, VR::CS, "PT");
        put(&mut o, tags::MANUFACTURER, VR::LO, manufacturer);
        put(&mut o, tags::INSTITUTION_NAME, VR::LO, s.site);
        put(
            &mut o,
            tags::STUDY_DESCRIPTION,
            VR::LO,
            "PET^Whole body FDG",
        );
        put(&mut o, tags::SERIES_DESCRIPTION, VR::LO, "PET WB AC (demo)");
        put(&mut o, tags::MANUFACTURER_MODEL_NAME, VR::LO, model);
        put(
            &mut o,
            tags::PATIENT_NAME,
            VR::PN,
            format!("Demo^{}", p.code),
        );
        put(&mut o, tags::PATIENT_ID, VR::LO, p.code.as_str());
        put(
            &mut o,
            tags::PATIENT_BIRTH_DATE,
            VR::DA,
            format!("{:04}0701", p.birth_year),
        );
        put(&mut o, tags::PATIENT_SEX, VR::CS, sex);
        put(&mut o, tags::PATIENT_SIZE, VR::DS, ds(p.height_cm / 100.0));
        put(&mut o, tags::PATIENT_WEIGHT, VR::DS, ds(weight));
        put(&mut o, tags::SLICE_THICKNESS, VR::DS, ds(sz));
        put(
            &mut o,
            tags::ACTUAL_FRAME_DURATION,
            VR::IS,
            (FRAME_S * 1000).to_string(),
        );
        put(&mut o, tags::PATIENT_POSITION, VR::CS, "FFS");
        put(&mut o, tags::STUDY_INSTANCE_UID, VR::UI, study_uid.as_str());
        put(
            &mut o,
            tags::SERIES_INSTANCE_UID,
            VR::UI,
            series_uid.as_str(),
        );
        put(&mut o, tags::STUDY_ID, VR::SH, format!("{}", s.visit + 1));
        put(&mut o, tags::SERIES_NUMBER, VR::IS, "3");
        put(&mut o, tags::INSTANCE_NUMBER, VR::IS, (k + 1).to_string());
        let ipp: Vec<String> = position.iter().map(|v| ds(*v)).collect();
        put(&mut o, tags::IMAGE_POSITION_PATIENT, VR::DS, ipp.join("\\"));
        put(
            &mut o,
            tags::IMAGE_ORIENTATION_PATIENT,
            VR::DS,
            iop.as_str(),
        );
        put(
            &mut o,
            tags::FRAME_OF_REFERENCE_UID,
            VR::UI,
            frame_uid.as_str(),
        );
        put(&mut o, tags::SLICE_LOCATION, VR::DS, ds(position[2]));
        put(
            &mut o,
            tags::SAMPLES_PER_PIXEL,
            VR::US,
            PrimitiveValue::from(1u16),
        );
        put(
            &mut o,
            tags::PHOTOMETRIC_INTERPRETATION,
            VR::CS,
            "MONOCHROME2",
        );
        put(&mut o, tags::ROWS, VR::US, PrimitiveValue::from(ny as u16));
        put(
            &mut o,
            tags::COLUMNS,
            VR::US,
            PrimitiveValue::from(nx as u16),
        );
        // PixelSpacing is (between rows, between columns).
        put(
            &mut o,
            tags::PIXEL_SPACING,
            VR::DS,
            format!("{}\\{}", ds(sy), ds(sx)),
        );
        put(
            &mut o,
            tags::BITS_ALLOCATED,
            VR::US,
            PrimitiveValue::from(16u16),
        );
        put(
            &mut o,
            tags::BITS_STORED,
            VR::US,
            PrimitiveValue::from(16u16),
        );
        put(&mut o, tags::HIGH_BIT, VR::US, PrimitiveValue::from(15u16));
        put(
            &mut o,
            tags::PIXEL_REPRESENTATION,
            VR::US,
            PrimitiveValue::from(1u16),
        );
        put(&mut o, tags::RESCALE_INTERCEPT, VR::DS, "0");
        put(&mut o, tags::RESCALE_SLOPE, VR::DS, ds(slope));
        let units = if s.flavour == Flavour::PhilipsCnts {
            "CNTS"
        } else {
            "BQML"
        };
        put(&mut o, tags::RESCALE_TYPE, VR::LO, units);
        let mut rp = InMemDicomObject::new_empty();
        put(
            &mut rp,
            tags::RADIOPHARMACEUTICAL,
            VR::LO,
            "Fluorodeoxyglucose",
        );
        put(
            &mut rp,
            tags::RADIOPHARMACEUTICAL_START_TIME,
            VR::TM,
            tm(a.injection),
        );
        put(&mut rp, tags::RADIONUCLIDE_TOTAL_DOSE, VR::DS, ds(dose));
        put(
            &mut rp,
            tags::RADIONUCLIDE_HALF_LIFE,
            VR::DS,
            ds(HALF_LIFE_S),
        );
        put(
            &mut rp,
            tags::RADIONUCLIDE_POSITRON_FRACTION,
            VR::DS,
            "0.9673",
        );
        put(
            &mut rp,
            tags::RADIOPHARMACEUTICAL_START_DATE_TIME,
            VR::DT,
            dt(a.injection),
        );
        o.put(DataElement::new(
            tags::RADIOPHARMACEUTICAL_INFORMATION_SEQUENCE,
            VR::SQ,
            DataSetSequence::from(vec![rp]),
        ));
        put(&mut o, tags::SERIES_TYPE, VR::CS, "WHOLE BODY\\IMAGE");
        put(&mut o, tags::UNITS, VR::CS, units);
        put(&mut o, tags::COUNTS_SOURCE, VR::CS, "EMISSION");
        put(
            &mut o,
            tags::NUMBER_OF_SLICES,
            VR::US,
            PrimitiveValue::from(nz as u16),
        );
        put(
            &mut o,
            tags::CORRECTED_IMAGE,
            VR::CS,
            "DECY\\ATTN\\SCAT\\DTIM\\RAN\\NORM",
        );
        put(&mut o, tags::DECAY_CORRECTION, VR::CS, "START");
        put(&mut o, tags::RECONSTRUCTION_METHOD, VR::LO, "OSEM 4i16s");
        put(
            &mut o,
            tags::IMAGE_INDEX,
            VR::US,
            PrimitiveValue::from((k + 1) as u16),
        );
        match s.flavour {
            Flavour::Bqml => {}
            Flavour::PhilipsCnts => {
                put(
                    &mut o,
                    Tag(0x7053, 0x0010),
                    VR::LO,
                    "Philips PET Private Group",
                );
                put(&mut o, Tag(0x7053, 0x1000), VR::DS, ds(suv_scale));
                put(&mut o, Tag(0x7053, 0x1009), VR::DS, ds(activity_factor));
            }
            Flavour::GeScanTime => {
                put(&mut o, Tag(0x0009, 0x0010), VR::LO, "GEMS_PETD_01");
                put(&mut o, Tag(0x0009, 0x100D), VR::DT, dt(a.start));
            }
        }
        o.put(DataElement::new(
            tags::PIXEL_DATA,
            VR::OW,
            PrimitiveValue::U16(pixels.into()),
        ));
        let path = folder.join(format!("PT{:04}.dcm", k + 1));
        let file = o
            .with_meta(
                FileMetaTableBuilder::new()
                    .transfer_syntax(EXPLICIT_VR_LE)
                    .implementation_class_uid("2.25.1134511977305183452941212116")
                    .implementation_version_name("ONCOTRACK_DEMO"),
            )
            .map_err(|e| Error::image(&path, format!("cannot make the file meta ({e})")))?;
        file.write_to_file(&path)
            .map_err(|e| Error::image(&path, format!("cannot write ({e})")))?;
        files.push(path);
    }
    Ok(files)
}

/// A region of an RTSTRUCT, in voxel coordinates of the series' grid.
#[derive(Debug, Clone, PartialEq)]
pub struct Roi {
    /// ROIName (`L1`, `L2` …, `LIVER`).
    pub name: String,
    /// Its shape.
    pub shape: Shape,
}

/// The shape of a [`Roi`], as the label mask draws it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    /// Voxel centres within `radius` (voxels) of `centre` (i, j, k).
    Sphere {
        /// Centre (voxel index units).
        centre: [f64; 3],
        /// Radius (voxels).
        radius: f64,
    },
    /// Voxels `from[a] ≤ index < to[a]` on each axis.
    Block {
        /// First voxel.
        from: [usize; 3],
        /// One past the last voxel.
        to: [usize; 3],
    },
}

/// Vertices of a sphere's contour polygon on one slice.
const CONTOUR_POINTS: usize = 36;

/// The closed planar contours of a ROI on slice `k`: polygons in voxel (i, j).
fn contours(shape: &Shape, k: usize) -> Vec<Vec<[f64; 2]>> {
    match *shape {
        Shape::Sphere { centre, radius } => {
            let dz = k as f64 - centre[2];
            let r2 = radius * radius - dz * dz;
            // A slice through the pole (r2 = 0) still holds the voxel centre there.
            if r2 < 0.0 {
                return Vec::new();
            }
            // Circumscribed: the polygon holds every voxel centre of the circle (and
            // those on it, with a thousandth of a voxel to spare).
            let r = r2.sqrt() / (std::f64::consts::PI / CONTOUR_POINTS as f64).cos() + 1e-3;
            vec![
                (0..CONTOUR_POINTS)
                    .map(|n| {
                        let t = std::f64::consts::TAU * n as f64 / CONTOUR_POINTS as f64;
                        [centre[0] + r * t.cos(), centre[1] + r * t.sin()]
                    })
                    .collect(),
            ]
        }
        Shape::Block { from, to } => {
            if k < from[2] || k >= to[2] {
                return Vec::new();
            }
            // Half a voxel outside the outer voxel centres.
            let (i0, i1) = (from[0] as f64 - 0.5, to[0] as f64 - 0.5);
            let (j0, j1) = (from[1] as f64 - 0.5, to[1] as f64 - 0.5);
            vec![vec![[i0, j0], [i1, j0], [i1, j1], [i0, j1]]]
        }
    }
}

fn item(elements: Vec<(Tag, VR, PrimitiveValue)>) -> InMemDicomObject {
    let mut o = InMemDicomObject::new_empty();
    for (tag, vr, value) in elements {
        o.put(DataElement::new(tag, vr, value));
    }
    o
}

fn sequence(o: &mut InMemDicomObject, tag: Tag, items: Vec<InMemDicomObject>) {
    o.put(DataElement::new(tag, VR::SQ, DataSetSequence::from(items)));
}

/// RT Structure Set Storage.
const RT_STRUCTURE_SET_STORAGE: &str = "1.2.840.10008.5.1.4.1.1.481.3";

/// Writes an RTSTRUCT of `rois` on the series `s` (as [`write_series`] writes it): one
/// CLOSED_PLANAR contour per ROI per slice it crosses, at the slice's z, each naming
/// its slice's SOPInstanceUID; the series in ReferencedFrameOfReferenceSequence. A
/// sphere's contour is a 36-gon circumscribing its circle on the slice, so it holds the
/// label mask's voxels of that lesion (and, at worst, a few beside them); a block's is
/// its outline half a voxel outside, exact.
///
/// # Errors
/// [`Error::Image`] naming the file that cannot be written.
pub fn write_rtstruct(path: &Path, s: &Series<'_>, rois: &[Roi]) -> Result<()> {
    let nz = s.grid.dims[2];
    let g = s.geometry;
    let [sx, sy, sz] = s.grid.spacing_mm;
    let to_patient = |i: f64, j: f64, k: f64| -> [f64; 3] {
        let mut out = g.origin_mm;
        for (r, v) in out.iter_mut().enumerate() {
            *v += i * sx * g.directions[0][r]
                + j * sy * g.directions[1][r]
                + k * sz * g.directions[2][r];
        }
        out
    };
    let text = |v: &str| PrimitiveValue::from(v);
    let instance = |k: usize| uid(s, 4, k as u64 + 1);
    let study_uid = uid(s, 1, 0);
    let series_uid = uid(s, 2, 0);
    let frame_uid = uid(s, 3, 0);
    let a = &s.acquisition;
    let made = a.start + Duration::minutes(40);
    let mut o = InMemDicomObject::new_empty();
    let sop_uid = uid(s, 6, 0);
    put(&mut o, tags::SPECIFIC_CHARACTER_SET, VR::CS, "ISO_IR 100");
    put(
        &mut o,
        tags::SOP_CLASS_UID,
        VR::UI,
        RT_STRUCTURE_SET_STORAGE,
    );
    put(&mut o, tags::SOP_INSTANCE_UID, VR::UI, sop_uid.as_str());
    put(&mut o, tags::STUDY_DATE, VR::DA, da(a.start));
    put(&mut o, tags::STUDY_TIME, VR::TM, tm(a.start));
    put(&mut o, tags::MODALITY, VR::CS, "RTSTRUCT");
    put(&mut o, tags::MANUFACTURER, VR::LO, "oncotrack demo");
    put(&mut o, tags::SERIES_DESCRIPTION, VR::LO, "Lesions (demo)");
    put(
        &mut o,
        tags::PATIENT_NAME,
        VR::PN,
        format!("Demo^{}", s.patient.code),
    );
    put(&mut o, tags::PATIENT_ID, VR::LO, s.patient.code.as_str());
    put(&mut o, tags::STUDY_INSTANCE_UID, VR::UI, study_uid.as_str());
    put(
        &mut o,
        tags::SERIES_INSTANCE_UID,
        VR::UI,
        uid(s, 5, 0).as_str(),
    );
    put(&mut o, tags::STUDY_ID, VR::SH, format!("{}", s.visit + 1));
    put(&mut o, tags::SERIES_NUMBER, VR::IS, "90");
    put(&mut o, tags::INSTANCE_NUMBER, VR::IS, "1");
    put(&mut o, tags::STRUCTURE_SET_LABEL, VR::SH, "LESIONS");
    put(&mut o, tags::STRUCTURE_SET_DATE, VR::DA, da(made));
    put(&mut o, tags::STRUCTURE_SET_TIME, VR::TM, tm(made));
    // A reference to the PET slice `k` (in the frame of reference and in each contour).
    let image_ref = |k: usize| {
        item(vec![
            (
                tags::REFERENCED_SOP_CLASS_UID,
                VR::UI,
                text(PET_IMAGE_STORAGE),
            ),
            (
                tags::REFERENCED_SOP_INSTANCE_UID,
                VR::UI,
                text(&instance(k)),
            ),
        ])
    };
    let images: Vec<InMemDicomObject> = (0..nz).map(&image_ref).collect();
    let mut series_item = item(vec![(tags::SERIES_INSTANCE_UID, VR::UI, text(&series_uid))]);
    sequence(&mut series_item, tags::CONTOUR_IMAGE_SEQUENCE, images);
    let mut study_item = item(vec![
        (
            tags::REFERENCED_SOP_CLASS_UID,
            VR::UI,
            text("1.2.840.10008.3.1.2.3.1"),
        ),
        (tags::REFERENCED_SOP_INSTANCE_UID, VR::UI, text(&study_uid)),
    ]);
    sequence(
        &mut study_item,
        tags::RT_REFERENCED_SERIES_SEQUENCE,
        vec![series_item],
    );
    let mut frame_item = item(vec![(
        tags::FRAME_OF_REFERENCE_UID,
        VR::UI,
        text(&frame_uid),
    )]);
    sequence(
        &mut frame_item,
        tags::RT_REFERENCED_STUDY_SEQUENCE,
        vec![study_item],
    );
    sequence(
        &mut o,
        tags::REFERENCED_FRAME_OF_REFERENCE_SEQUENCE,
        vec![frame_item],
    );
    let mut set_rois = Vec::new();
    let mut roi_contours = Vec::new();
    let mut observations = Vec::new();
    for (n, roi) in rois.iter().enumerate() {
        let number = PrimitiveValue::from((n + 1).to_string());
        set_rois.push(item(vec![
            (tags::ROI_NUMBER, VR::IS, number.clone()),
            (
                tags::REFERENCED_FRAME_OF_REFERENCE_UID,
                VR::UI,
                text(&frame_uid),
            ),
            (tags::ROI_NAME, VR::LO, text(&roi.name)),
            (tags::ROI_GENERATION_ALGORITHM, VR::CS, text("MANUAL")),
        ]));
        let mut planes = Vec::new();
        for k in 0..nz {
            for polygon in contours(&roi.shape, k) {
                let data: Vec<String> = polygon
                    .iter()
                    .flat_map(|[i, j]| to_patient(*i, *j, k as f64))
                    .map(ds)
                    .collect();
                let mut c = item(vec![
                    (tags::CONTOUR_GEOMETRIC_TYPE, VR::CS, text("CLOSED_PLANAR")),
                    (
                        tags::NUMBER_OF_CONTOUR_POINTS,
                        VR::IS,
                        PrimitiveValue::from(polygon.len().to_string()),
                    ),
                    (
                        tags::CONTOUR_DATA,
                        VR::DS,
                        PrimitiveValue::from(data.join("\\")),
                    ),
                ]);
                sequence(&mut c, tags::CONTOUR_IMAGE_SEQUENCE, vec![image_ref(k)]);
                planes.push(c);
            }
        }
        let colour = if roi.name == "LIVER" {
            "165\\80\\40"
        } else {
            "255\\0\\0"
        };
        let mut rc = item(vec![
            (tags::ROI_DISPLAY_COLOR, VR::IS, text(colour)),
            (tags::REFERENCED_ROI_NUMBER, VR::IS, number.clone()),
        ]);
        sequence(&mut rc, tags::CONTOUR_SEQUENCE, planes);
        roi_contours.push(rc);
        let kind = if roi.name == "LIVER" { "ORGAN" } else { "GTV" };
        observations.push(item(vec![
            (tags::OBSERVATION_NUMBER, VR::IS, number.clone()),
            (tags::REFERENCED_ROI_NUMBER, VR::IS, number),
            (tags::RTROI_INTERPRETED_TYPE, VR::CS, text(kind)),
            (tags::ROI_INTERPRETER, VR::PN, text("")),
        ]));
    }
    sequence(&mut o, tags::STRUCTURE_SET_ROI_SEQUENCE, set_rois);
    sequence(&mut o, tags::ROI_CONTOUR_SEQUENCE, roi_contours);
    sequence(&mut o, tags::RTROI_OBSERVATIONS_SEQUENCE, observations);
    let file = o
        .with_meta(
            FileMetaTableBuilder::new()
                .transfer_syntax(EXPLICIT_VR_LE)
                .implementation_class_uid("2.25.1134511977305183452941212116")
                .implementation_version_name("ONCOTRACK_DEMO"),
        )
        .map_err(|e| Error::image(path, format!("cannot make the file meta ({e})")))?;
    file.write_to_file(path)
        .map_err(|e| Error::image(path, format!("cannot write ({e})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ds_strings_fit_sixteen_characters_and_read_back() {
        for v in [
            0.0,
            1.0,
            6586.2,
            -62.0,
            1.234_567_890_123,
            2.8e-4,
            3.6e8,
            123_456.789_012_345,
        ] {
            let s = ds(v);
            assert!(s.len() <= 16, "{s}");
            let back: f64 = s.parse().unwrap();
            assert!((back - v).abs() <= 1e-9 * v.abs().max(1e-3), "{v} → {s}");
        }
        assert_eq!(ds(6586.2), "6586.2");
        assert_eq!(ds(4.0), "4");
    }

    #[test]
    fn flavours_are_mostly_bqml_with_a_few_philips_and_ge() {
        let f: Vec<Flavour> = (0..10).map(Flavour::of).collect();
        assert_eq!(f.iter().filter(|x| **x == Flavour::PhilipsCnts).count(), 2);
        assert_eq!(f.iter().filter(|x| **x == Flavour::GeScanTime).count(), 1);
    }
}
