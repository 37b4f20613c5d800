//! A DICOM PET series as one volume: the slices of one SeriesInstanceUID sorted along the slice normal, with its grid, patient-space geometry and SUV header.
//!
//! - Input: a folder (its files, not sub-folders; files that are not DICOM are passed
//!   over) or one file (then the series of that file, among the files of its folder).
//!   A folder with several PET series needs `--series UID`.
//! - Slices are sorted by ImagePositionPatient projected on the normal of
//!   ImageOrientationPatient (row × column), never by file name or InstanceNumber;
//!   the slice spacing is the median step of those positions (SliceThickness is not
//!   used). Two slices at one position, a step of about twice the others (a missing
//!   slice) or an uneven step are errors naming the files.
//! - Values: stored × RescaleSlope + RescaleIntercept of each slice (RescaleIntercept
//!   must be 0, as the IBSI manual requires for PET). Voxel (i, j, k) is column i,
//!   row j of sorted slice k, indexed `i + nx·(j + ny·k)` as [`Image`] is.
//! - Reference: pydicom 3 + numpy (tests/reference/pet_sts.py reads the same way).

use super::{DicomFile, number, numbers, parse_da, parse_dt, parse_tm, text};
use crate::error::{Error, Result};
use crate::ingest::pet::Image;
use crate::model::{Geometry, Grid, SliceTiming, SuvHeader};
use chrono::NaiveDate;
use dicom_core::Tag;
use dicom_core::value::PrimitiveValue;
use dicom_dictionary_std::tags;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A PET series read as one volume.
#[derive(Debug, Clone)]
pub struct PetSeries {
    /// Rescaled values (stored × slope + intercept), in the units of Units (0054,1001).
    pub image: Image<f64>,
    /// Where the grid lies in patient space (LPS).
    pub geometry: Geometry,
    /// What SUV conversion needs.
    pub header: SuvHeader,
    /// SeriesInstanceUID.
    pub series_uid: String,
    /// SOPInstanceUID of each slice, in sorted order (SEG frames are placed by them).
    pub slice_uids: Vec<String>,
    /// FrameOfReferenceUID (0020,0052) of the first slice.
    pub frame_of_reference_uid: Option<String>,
    /// The slice files, in sorted order.
    pub files: Vec<PathBuf>,
    /// StudyDate (0008,0020), else SeriesDate.
    pub study_date: Option<NaiveDate>,
    /// Manufacturer and ManufacturerModelName.
    pub scanner: String,
}

/// GE private PET scan date-time.
const GE_SCAN_DATETIME: Tag = Tag(0x0009, 0x100D);
/// Philips private SUV Scale Factor.
const PHILIPS_SUV_FACTOR: Tag = Tag(0x7053, 0x1000);
/// Philips private Activity Concentration Scale Factor.
const PHILIPS_ACTIVITY_FACTOR: Tag = Tag(0x7053, 0x1009);

fn bad(file: &DicomFile, message: impl Into<String>) -> Error {
    Error::image(&file.path, message)
}

/// The files a path names: a folder's regular files (sorted by name, for stable
/// messages only), or one file and its folder's files.
fn candidates(path: &Path) -> Result<(Vec<PathBuf>, Option<PathBuf>)> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let (folder, chosen) = if meta.is_dir() {
        (path.to_path_buf(), None)
    } else {
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        (parent.to_path_buf(), Some(path.to_path_buf()))
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&folder).map_err(|e| Error::io(&folder, e))? {
        let entry = entry.map_err(|e| Error::io(&folder, e))?;
        let p = entry.path();
        if p.is_file() {
            files.push(p);
        }
    }
    files.sort();
    Ok((files, chosen))
}

/// Whether a file starts like DICOM (reads 132 bytes).
fn looks_dicom(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 132];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && super::is_dicom(&head)
}

/// Reads the PET series at `path` (a folder or one of its files); `series` picks a
/// SeriesInstanceUID when the folder holds several PET series.
///
/// # Errors
/// [`Error::Image`] naming the file, tag and value: no PET series (e.g. a CT series),
/// several PET series without `series`, a compressed transfer syntax, slices that do
/// not share a grid, a duplicated or missing slice, uneven spacing, a non-zero
/// RescaleIntercept, pixel data that does not fill the slice.
pub fn read(path: &Path, series: Option<&str>) -> Result<PetSeries> {
    let (files, chosen) = candidates(path)?;
    let mut by_series: BTreeMap<String, Vec<DicomFile>> = BTreeMap::new();
    let mut modality_of: BTreeMap<String, String> = BTreeMap::new();
    let mut wanted = series.map(str::to_string);
    for file in files {
        let is_chosen = chosen.as_deref() == Some(file.as_path());
        if !is_chosen && !looks_dicom(&file) {
            continue;
        }
        let dicom = super::open(&file)?;
        let uid = text(&dicom.object, tags::SERIES_INSTANCE_UID).unwrap_or_default();
        if is_chosen && wanted.is_none() {
            wanted = Some(uid.clone());
        }
        let modality = text(&dicom.object, tags::MODALITY).unwrap_or_default();
        modality_of.entry(uid.clone()).or_insert(modality);
        by_series.entry(uid).or_default().push(dicom);
    }
    if by_series.is_empty() {
        return Err(Error::image(path, "holds no DICOM file"));
    }
    let uid = match wanted {
        Some(uid) => {
            if !by_series.contains_key(&uid) {
                return Err(Error::image(
                    path,
                    format!(
                        "no series with SeriesInstanceUID '{uid}' (found: {})",
                        by_series.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
            uid
        }
        None => {
            let pet: Vec<&String> = modality_of
                .iter()
                .filter(|(_, m)| m.as_str() == "PT")
                .map(|(u, _)| u)
                .collect();
            match pet.as_slice() {
                [one] => (*one).clone(),
                [] => {
                    let (uid, files) = by_series.iter().next().expect("not empty");
                    return Err(bad(
                        &files[0],
                        format!(
                            "tag (0008,0060) Modality = '{}': not a PET series (SeriesInstanceUID {uid}); give a folder holding a PT series",
                            modality_of.get(uid).map_or("", String::as_str)
                        ),
                    ));
                }
                several => {
                    return Err(Error::image(
                        path,
                        format!(
                            "holds {} PET series (tag (0020,000E) SeriesInstanceUID = {}): pick \
                             one with --series UID",
                            several.len(),
                            several
                                .iter()
                                .map(|uid| match by_series.get(*uid).and_then(|f| f.first()) {
                                    Some(file) => format!("{uid} in {}", file.path.display()),
                                    None => uid.to_string(),
                                })
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
            }
        }
    };
    let slices = by_series.remove(&uid).expect("checked");
    let modality = modality_of.get(&uid).cloned().unwrap_or_default();
    if modality != "PT" {
        return Err(bad(
            &slices[0],
            format!("tag (0008,0060) Modality = '{modality}': not a PET series"),
        ));
    }
    assemble(slices, uid)
}

/// One slice's geometry and pixel layout.
struct Plane {
    rows: usize,
    columns: usize,
    spacing: [f64; 2],
    row_dir: [f64; 3],
    col_dir: [f64; 3],
    position: [f64; 3],
}

fn plane(file: &DicomFile) -> Result<Plane> {
    let o = &file.object;
    let need = |tag: Tag, name: &str| -> Result<Vec<f64>> {
        numbers(o, tag).ok_or_else(|| {
            bad(
                file,
                format!(
                    "tag ({:04X},{:04X}) {name} is absent or not numeric",
                    tag.0, tag.1
                ),
            )
        })
    };
    let rows = need(tags::ROWS, "Rows")?[0] as usize;
    let columns = need(tags::COLUMNS, "Columns")?[0] as usize;
    let ps = need(tags::PIXEL_SPACING, "PixelSpacing")?;
    let iop = need(tags::IMAGE_ORIENTATION_PATIENT, "ImageOrientationPatient")?;
    let ipp = need(tags::IMAGE_POSITION_PATIENT, "ImagePositionPatient")?;
    if ps.len() != 2 || !ps.iter().all(|v| v.is_finite() && *v > 0.0) {
        return Err(bad(
            file,
            format!("tag (0028,0030) PixelSpacing = {ps:?}: expected two positive numbers"),
        ));
    }
    if iop.len() != 6 || ipp.len() != 3 || !iop.iter().chain(&ipp).all(|v| v.is_finite()) {
        return Err(bad(
            file,
            format!(
                "tag (0020,0037)/(0020,0032) orientation {iop:?} / position {ipp:?}: expected 6 and 3 numbers"
            ),
        ));
    }
    let unit = |v: &[f64]| -> Option<[f64; 3]> {
        let n = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
        (n > 0.5).then(|| [v[0] / n, v[1] / n, v[2] / n])
    };
    let (Some(row_dir), Some(col_dir)) = (unit(&iop[..3]), unit(&iop[3..])) else {
        return Err(bad(
            file,
            format!("tag (0020,0037) ImageOrientationPatient = {iop:?}: not two unit vectors"),
        ));
    };
    if rows == 0 || columns == 0 {
        return Err(bad(file, "tag (0028,0010)/(0028,0011): an empty image"));
    }
    Ok(Plane {
        rows,
        columns,
        // PixelSpacing is (between rows, between columns): i steps columns, j rows.
        spacing: [ps[1], ps[0]],
        row_dir,
        col_dir,
        position: [ipp[0], ipp[1], ipp[2]],
    })
}

fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// The rescaled pixel values of one slice.
fn pixels(file: &DicomFile, plane: &Plane) -> Result<Vec<f64>> {
    let o = &file.object;
    if let Some(frames) = number(o, tags::NUMBER_OF_FRAMES)
        && frames > 1.0
    {
        return Err(bad(
            file,
            format!("tag (0028,0008) NumberOfFrames = '{frames}': multi-frame PET is not read"),
        ));
    }
    if let Some(spp) = number(o, tags::SAMPLES_PER_PIXEL)
        && spp != 1.0
    {
        return Err(bad(
            file,
            format!("tag (0028,0002) SamplesPerPixel = '{spp}': expected 1"),
        ));
    }
    let bits = number(o, tags::BITS_ALLOCATED).unwrap_or(16.0) as u32;
    let stored = number(o, tags::BITS_STORED).map_or(bits, |b| b as u32);
    let signed = number(o, tags::PIXEL_REPRESENTATION).unwrap_or(0.0) == 1.0;
    let slope = number(o, tags::RESCALE_SLOPE).unwrap_or(1.0);
    let intercept = number(o, tags::RESCALE_INTERCEPT).unwrap_or(0.0);
    if !(slope.is_finite() && slope != 0.0) {
        return Err(bad(
            file,
            format!("tag (0028,1053) RescaleSlope = '{slope}': not a usable slope"),
        ));
    }
    if intercept != 0.0 {
        return Err(bad(
            file,
            format!(
                "tag (0028,1052) RescaleIntercept = '{intercept}': must be 0 for PET (IBSI SUV manual); the series cannot be converted"
            ),
        ));
    }
    let n = plane.rows * plane.columns;
    let element = o
        .get(tags::PIXEL_DATA)
        .ok_or_else(|| bad(file, "tag (7FE0,0010) PixelData is absent"))?;
    let raw: Vec<u32> = match (element.value().primitive(), bits) {
        (Some(PrimitiveValue::U16(v)), 16) => v.iter().map(|x| u32::from(*x)).collect(),
        (Some(PrimitiveValue::I16(v)), 16) => v.iter().map(|x| u32::from(*x as u16)).collect(),
        (Some(PrimitiveValue::U32(v)), 32) => v.to_vec(),
        (Some(PrimitiveValue::I32(v)), 32) => v.iter().map(|x| *x as u32).collect(),
        (Some(PrimitiveValue::U8(b)), 16) => b
            .chunks_exact(2)
            .map(|c| u32::from(u16::from_le_bytes([c[0], c[1]])))
            .collect(),
        (Some(PrimitiveValue::U8(b)), 32) => b
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
        (Some(PrimitiveValue::U8(b)), 8) => b.iter().map(|x| u32::from(*x)).collect(),
        _ => {
            return Err(bad(
                file,
                format!(
                    "tag (0028,0100) BitsAllocated = '{bits}': pixel data of this layout is not read (expected 8, 16 or 32 bits, native)"
                ),
            ));
        }
    };
    if raw.len() < n {
        return Err(bad(
            file,
            format!(
                "tag (7FE0,0010) PixelData holds {} values, Rows × Columns = {n}",
                raw.len()
            ),
        ));
    }
    let stored = stored.clamp(1, bits);
    let mask: u64 = (1u64 << stored) - 1;
    Ok(raw[..n]
        .iter()
        .map(|&r| {
            let v = u64::from(r) & mask;
            let value = if signed && (v >> (stored - 1)) & 1 == 1 {
                v as i64 - (1i64 << stored)
            } else {
                v as i64
            };
            value as f64 * slope + intercept
        })
        .collect())
}

fn timing(o: &dicom_object::InMemDicomObject) -> SliceTiming {
    let acquisition = text(o, tags::ACQUISITION_DATE_TIME)
        .and_then(|t| parse_dt(&t))
        .or_else(|| {
            let date = text(o, tags::ACQUISITION_DATE).and_then(|t| parse_da(&t))?;
            let time = text(o, tags::ACQUISITION_TIME).and_then(|t| parse_tm(&t))?;
            Some(date.and_time(time))
        });
    SliceTiming {
        acquisition,
        frame_duration_ms: number(o, tags::ACTUAL_FRAME_DURATION),
        frame_reference_ms: number(o, tags::FRAME_REFERENCE_TIME),
    }
}

fn header_of(first: &DicomFile, timings: Vec<SliceTiming>) -> SuvHeader {
    let o = &first.object;
    let rp = o
        .get(tags::RADIOPHARMACEUTICAL_INFORMATION_SEQUENCE)
        .and_then(|e| e.items())
        .and_then(|items| items.first());
    let rp_text = |tag: Tag| rp.and_then(|item| text(item, tag));
    let rp_number = |tag: Tag| rp.and_then(|item| number(item, tag));
    SuvHeader {
        units: text(o, tags::UNITS),
        suv_type: text(o, tags::SUV_TYPE),
        decay_correction: text(o, tags::DECAY_CORRECTION),
        weight: number(o, tags::PATIENT_WEIGHT),
        height_m: number(o, tags::PATIENT_SIZE),
        sex: text(o, tags::PATIENT_SEX),
        dose: rp_number(tags::RADIONUCLIDE_TOTAL_DOSE),
        half_life_s: rp_number(tags::RADIONUCLIDE_HALF_LIFE),
        injection_datetime: rp_text(tags::RADIOPHARMACEUTICAL_START_DATE_TIME)
            .and_then(|t| parse_dt(&t)),
        injection_time: rp_text(tags::RADIOPHARMACEUTICAL_START_TIME).and_then(|t| parse_tm(&t)),
        series_date: text(o, tags::SERIES_DATE).and_then(|t| parse_da(&t)),
        series_time: text(o, tags::SERIES_TIME).and_then(|t| parse_tm(&t)),
        ge_scan_datetime: text(o, GE_SCAN_DATETIME).and_then(|t| parse_dt(&t)),
        philips_suv_factor: number(o, PHILIPS_SUV_FACTOR),
        philips_activity_factor: number(o, PHILIPS_ACTIVITY_FACTOR),
        slices: timings,
    }
}

/// Sorts, checks and stacks the slices of one series.
fn assemble(slices: Vec<DicomFile>, uid: String) -> Result<PetSeries> {
    let planes: Vec<Plane> = slices.iter().map(plane).collect::<Result<_>>()?;
    let p0 = &planes[0];
    let normal = cross(p0.row_dir, p0.col_dir);
    for (file, p) in slices.iter().zip(&planes).skip(1) {
        if p.rows != p0.rows || p.columns != p0.columns {
            return Err(bad(
                file,
                format!(
                    "tag (0028,0010)/(0028,0011) {}×{} differs from the series' {}×{} ({})",
                    p.rows,
                    p.columns,
                    p0.rows,
                    p0.columns,
                    slices[0].path.display()
                ),
            ));
        }
        let same = |a: [f64; 3], b: [f64; 3]| (0..3).all(|i| (a[i] - b[i]).abs() < 1e-4);
        if !same(p.row_dir, p0.row_dir) || !same(p.col_dir, p0.col_dir) {
            return Err(bad(
                file,
                "tag (0020,0037) ImageOrientationPatient differs from the series' other slices",
            ));
        }
        if (p.spacing[0] - p0.spacing[0]).abs() > 1e-4
            || (p.spacing[1] - p0.spacing[1]).abs() > 1e-4
        {
            return Err(bad(
                file,
                "tag (0028,0030) PixelSpacing differs from the series' other slices",
            ));
        }
    }
    let mut order: Vec<usize> = (0..slices.len()).collect();
    let s: Vec<f64> = planes.iter().map(|p| dot(p.position, normal)).collect();
    order.sort_by(|a, b| s[*a].total_cmp(&s[*b]));
    let name = |k: usize| slices[order[k]].path.display().to_string();
    let mut steps = Vec::new();
    for k in 1..order.len() {
        let step = s[order[k]] - s[order[k - 1]];
        if step.abs() < 1e-3 {
            return Err(bad(
                &slices[order[k]],
                format!(
                    "tag (0020,0032) ImagePositionPatient: a duplicated slice, at the same position ({:.3} mm along the normal) as {}",
                    s[order[k]],
                    name(k - 1)
                ),
            ));
        }
        steps.push(step);
    }
    let spacing_k = if steps.is_empty() {
        number(&slices[0].object, tags::SLICE_THICKNESS).unwrap_or(1.0)
    } else {
        let mut sorted = steps.clone();
        sorted.sort_by(f64::total_cmp);
        sorted[sorted.len() / 2]
    };
    let tolerance = (1e-3 * spacing_k).max(0.01);
    for (k, step) in steps.iter().enumerate() {
        if (step - spacing_k).abs() > tolerance {
            let ratio = step / spacing_k;
            let what = if (ratio - ratio.round()).abs() < 0.05 && ratio.round() >= 2.0 {
                format!(
                    "{} slice(s) missing between {} and this slice (a step of {step:.3} mm where the series steps {spacing_k:.3} mm)",
                    ratio.round() as usize - 1,
                    name(k)
                )
            } else {
                format!(
                    "uneven slice spacing: {step:.3} mm from {} where the series steps {spacing_k:.3} mm",
                    name(k)
                )
            };
            return Err(bad(
                &slices[order[k + 1]],
                format!("tag (0020,0032) ImagePositionPatient: {what}"),
            ));
        }
    }
    // Every slice must lie on the first one's stack (no in-plane shift).
    let first = planes[order[0]].position;
    for &index in order.iter().skip(1) {
        let p = planes[index].position;
        let d = [p[0] - first[0], p[1] - first[1], p[2] - first[2]];
        let along = dot(d, normal);
        let off = [
            d[0] - along * normal[0],
            d[1] - along * normal[1],
            d[2] - along * normal[2],
        ];
        if dot(off, off).sqrt() > 0.01 {
            return Err(bad(
                &slices[index],
                format!(
                    "tag (0020,0032) ImagePositionPatient is shifted in-plane from {} (a tilted or irregular stack is not read)",
                    slices[order[0]].path.display()
                ),
            ));
        }
    }
    let grid = Grid {
        dims: [p0.columns, p0.rows, slices.len()],
        spacing_mm: [p0.spacing[0], p0.spacing[1], spacing_k],
    };
    let mut values = Vec::with_capacity(grid.len());
    let mut timings = Vec::with_capacity(order.len());
    for &index in &order {
        values.extend(pixels(&slices[index], &planes[index])?);
        timings.push(timing(&slices[index].object));
    }
    let first_file = &slices[order[0]];
    let o = &first_file.object;
    let header = header_of(first_file, timings);
    let study_date = text(o, tags::STUDY_DATE)
        .and_then(|t| parse_da(&t))
        .or(header.series_date);
    let scanner = [tags::MANUFACTURER, tags::MANUFACTURER_MODEL_NAME]
        .iter()
        .filter_map(|t| text(o, *t))
        .collect::<Vec<_>>()
        .join(" ");
    let geometry = Geometry {
        origin_mm: first,
        directions: [p0.row_dir, p0.col_dir, normal],
    };
    let files = order.iter().map(|&i| slices[i].path.clone()).collect();
    let slice_uids = order
        .iter()
        .map(|&i| text(&slices[i].object, tags::SOP_INSTANCE_UID).unwrap_or_default())
        .collect();
    let frame_of_reference_uid = text(o, tags::FRAME_OF_REFERENCE_UID);
    Ok(PetSeries {
        image: Image {
            grid,
            values,
            sform: None,
            geometry: Ok(geometry),
        },
        geometry,
        header,
        series_uid: uid,
        slice_uids,
        frame_of_reference_uid,
        files,
        study_date,
        scanner,
    })
}
