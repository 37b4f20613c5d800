//! A PET image to measure: a NIfTI SUV volume, or a DICOM PET series converted to SUV.
//!
//! Its mask is read by the one mask seam, [`crate::pipeline::mask::load_mask`], on the
//! [`ImageGrid`] that [`PetImage::image_grid`] describes (for a DICOM series: its
//! geometry, slice SOPInstanceUIDs, series and frame-of-reference UIDs).

use crate::analysis::suv::{self, SuvConversion, SuvKind};
use crate::error::{Error, Result};
use crate::ingest::dicom::series::{self, PetSeries};
use crate::ingest::pet::{self, Image};
use crate::model::{Body, Geometry};
use crate::pipeline::mask::ImageGrid;
use chrono::NaiveDate;
use std::path::{Path, PathBuf};

/// How to read a PET image.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PetOptions {
    /// SeriesInstanceUID to pick in a folder of several PET series.
    pub series: Option<String>,
    /// The SUV normalisation of the output (body weight by default).
    pub kind: Option<SuvKind>,
    /// Weight (kg) given by hand: replaces the header's.
    pub weight_kg: Option<f64>,
    /// Height (m) given by hand: replaces the header's.
    pub height_m: Option<f64>,
    /// Sex given by hand (M, F or O): replaces the header's.
    pub sex: Option<String>,
    /// The RTSTRUCT ROI to measure, by its ROIName (`None`: every ROI with contours).
    pub roi: Option<String>,
    /// The liver reference region (PERCIST) by its exact ROIName or SegmentLabel, instead
    /// of a label number (`None`: a region named `liver` in any case, when there is one).
    pub liver_roi: Option<String>,
    /// The background reference region by its exact ROIName or SegmentLabel.
    pub background_roi: Option<String>,
}

/// Where the image came from.
#[derive(Debug, Clone)]
pub enum PetSource {
    /// A NIfTI SUVbw volume.
    Nifti,
    /// A DICOM series, converted.
    Dicom {
        /// The series as read (rescaled values, header, files).
        series: Box<PetSeries>,
        /// What the conversion used.
        conversion: Box<SuvConversion>,
    },
}

/// A PET image in SUV, ready to measure.
#[derive(Debug, Clone)]
pub struct PetImage {
    /// SUV of the requested normalisation (SUVbw unless `--suv` says otherwise).
    pub suv: Image<f64>,
    /// The body measures used.
    pub body: Body,
    /// The normalisation of `suv`.
    pub kind: SuvKind,
    /// The source.
    pub source: PetSource,
    /// Sex as read or given (M, F, O), for the store.
    pub sex: Option<String>,
}

impl PetImage {
    /// The study date of a DICOM series.
    pub fn study_date(&self) -> Option<NaiveDate> {
        match &self.source {
            PetSource::Dicom { series, .. } => series.study_date,
            PetSource::Nifti => None,
        }
    }

    /// The scanner of a DICOM series (empty for NIfTI).
    pub fn scanner(&self) -> String {
        match &self.source {
            PetSource::Dicom { series, .. } => series.scanner.clone(),
            PetSource::Nifti => String::new(),
        }
    }

    /// Where the grid lies in patient space, for DICOM input (from the series read).
    pub fn geometry(&self) -> Option<Geometry> {
        match &self.source {
            PetSource::Dicom { series, .. } => Some(series.geometry),
            PetSource::Nifti => None,
        }
    }

    /// What the conversion used, for DICOM input.
    pub fn conversion(&self) -> Option<&SuvConversion> {
        match &self.source {
            PetSource::Dicom { conversion, .. } => Some(conversion),
            PetSource::Nifti => None,
        }
    }

    /// The grid a mask is placed on: for a DICOM series its geometry, slice
    /// SOPInstanceUIDs, SeriesInstanceUID and FrameOfReferenceUID; for NIfTI the
    /// volume's affine (`path` names the image in messages).
    pub fn image_grid<'a>(&self, path: &'a Path) -> ImageGrid<'a> {
        match &self.source {
            PetSource::Nifti => ImageGrid::of_nifti(path, &self.suv),
            PetSource::Dicom { series, .. } => ImageGrid {
                path,
                grid: self.suv.grid,
                geometry: Ok(series.geometry),
                sform: None,
                slice_uids: Some(series.slice_uids.clone()),
                series_uid: Some(series.series_uid.clone()),
                frame_of_reference_uid: series.frame_of_reference_uid.clone(),
            },
        }
    }

    /// The files the image was read from (one for NIfTI).
    pub fn files(&self, path: &Path) -> Vec<PathBuf> {
        match &self.source {
            PetSource::Dicom { series, .. } => series.files.clone(),
            PetSource::Nifti => vec![path.to_path_buf()],
        }
    }
}

/// Whether a path names a NIfTI file (by its name: `.nii`, `.nii.gz`).
pub fn is_nifti(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.ends_with(".nii") || name.ends_with(".nii.gz")
}

fn sex_code(text: &str) -> Option<bool> {
    match text {
        "M" => Some(true),
        "F" => Some(false),
        _ => None,
    }
}

/// Reads a PET image: NIfTI (SUVbw as written), or a DICOM file or folder converted
/// to SUV by [`suv::convert`].
///
/// # Errors
/// Those of the readers; an SUV conversion error names the first slice file, the tag
/// and its value.
pub fn load_pet(path: &Path, options: &PetOptions) -> Result<PetImage> {
    let kind = options.kind.unwrap_or(SuvKind::Bw);
    if is_nifti(path) {
        let mut image = pet::read_suv(path)?;
        let body = Body {
            weight_kg: options.weight_kg,
            height_m: options.height_m,
            male: options.sex.as_deref().and_then(sex_code),
        };
        let factor =
            suv::normalisation(kind, &body).map_err(|e| Error::image(path, format!("{e}")))?;
        if factor != 1.0 {
            image.values.iter_mut().for_each(|v| *v *= factor);
        }
        return Ok(PetImage {
            suv: image,
            body,
            kind,
            source: PetSource::Nifti,
            sex: options.sex.clone(),
        });
    }
    let series = series::read(path, options.series.as_deref())?;
    let first = series
        .files
        .first()
        .cloned()
        .unwrap_or_else(|| path.to_path_buf());
    let at = |e: suv::SuvError| Error::image(&first, e.to_string());
    let mut warnings = Vec::new();
    let mut body = suv::body_of(&series.header, &mut warnings).map_err(at)?;
    let mut sex = series.header.sex.clone();
    if let Some(w) = options.weight_kg {
        body.weight_kg = Some(w);
    }
    if let Some(h) = options.height_m {
        body.height_m = Some(h);
    }
    if let Some(s) = &options.sex {
        body.male = sex_code(s);
        sex = Some(s.clone());
    }
    let mut conversion = suv::convert(&series.header, &body).map_err(at)?;
    warnings.append(&mut conversion.warnings);
    conversion.warnings = warnings;
    let factor = suv::normalisation(kind, &body).map_err(at)?;
    let plane = series.image.grid.dims[0] * series.image.grid.dims[1];
    let mut values = series.image.values.clone();
    for (k, chunk) in values.chunks_mut(plane.max(1)).enumerate() {
        let f = conversion.slice_factors.get(k).copied().unwrap_or(f64::NAN) * factor;
        chunk.iter_mut().for_each(|v| *v *= f);
    }
    if let Some((index, v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(Error::Voxel {
            path: first,
            voxel: series.image.grid.ijk(index),
            message: format!("SUV {v} is not finite"),
        });
    }
    let suv = Image {
        grid: series.image.grid,
        values,
        sform: None,
        geometry: Ok(series.geometry),
    };
    Ok(PetImage {
        suv,
        body,
        kind,
        sex,
        source: PetSource::Dicom {
            series: Box::new(series),
            conversion: Box::new(conversion),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nifti_is_told_by_name() {
        assert!(is_nifti(Path::new("a/suv.nii.gz")));
        assert!(is_nifti(Path::new("SUV.NII")));
        assert!(!is_nifti(Path::new("a/PT")));
        assert!(!is_nifti(Path::new("a/1.dcm")));
    }
}
