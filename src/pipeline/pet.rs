//! A PET image to measure: a NIfTI SUV volume, or a DICOM PET series converted to SUV; and its mask, checked to lie on the image's grid.
//!
//! The mask seam is [`load_mask`]: it dispatches on the mask file's kind. NIfTI label
//! images are read here; DICOM masks (RTSTRUCT, SEG) plug in at the marked arm.

use crate::analysis::suv::{self, SuvConversion, SuvKind};
use crate::error::{Error, Result};
use crate::ingest::dicom::series::{self, PetSeries};
use crate::ingest::pet::{self, Image};
use crate::model::{Body, Geometry, Grid};
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
    /// Where the grid lies in patient space (DICOM input).
    pub geometry: Option<Geometry>,
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

    /// What the conversion used, for DICOM input.
    pub fn conversion(&self) -> Option<&SuvConversion> {
        match &self.source {
            PetSource::Dicom { conversion, .. } => Some(conversion),
            PetSource::Nifti => None,
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
            geometry: None,
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
    };
    Ok(PetImage {
        suv,
        geometry: Some(series.geometry),
        body,
        kind,
        sex,
        source: PetSource::Dicom {
            series: Box::new(series),
            conversion: Box::new(conversion),
        },
    })
}

/// The NIfTI affine (RAS) as a patient-space geometry (LPS: x and y rows negated).
fn nifti_geometry(affine: &[[f64; 4]; 3], grid: &Grid) -> Geometry {
    let lps = [affine[0].map(|v| -v), affine[1].map(|v| -v), affine[2]];
    let mut directions = [[0.0; 3]; 3];
    for (axis, direction) in directions.iter_mut().enumerate() {
        let s = grid.spacing_mm[axis];
        for (row, d) in direction.iter_mut().enumerate() {
            *d = lps[row][axis] / s;
        }
    }
    Geometry {
        origin_mm: [lps[0][3], lps[1][3], lps[2][3]],
        directions,
    }
}

/// Checks that a NIfTI mask lies on a DICOM series' grid in patient space: same
/// dimensions and voxel size, origin within 0.01 mm, axis directions within 1e-4.
fn check_on_geometry(
    mask_path: &Path,
    mask: &Image<u32>,
    grid: &Grid,
    geometry: &Geometry,
) -> Result<()> {
    if mask.grid.dims != grid.dims {
        return Err(Error::image(
            mask_path,
            format!(
                "mask grid {:?} does not match the PET series' {:?}",
                mask.grid.dims, grid.dims
            ),
        ));
    }
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-4 * x.abs().max(y.abs()).max(1.0);
    if !(0..3).all(|i| close(mask.grid.spacing_mm[i], grid.spacing_mm[i])) {
        return Err(Error::image(
            mask_path,
            format!(
                "mask voxel size {:?} mm does not match the PET series' {:?} mm",
                mask.grid.spacing_mm, grid.spacing_mm
            ),
        ));
    }
    let Some(affine) = pet::read_affine(mask_path)? else {
        return Err(Error::image(
            mask_path,
            "the mask has neither an sform nor a qform: it cannot be placed on the DICOM series",
        ));
    };
    let g = nifti_geometry(&affine, &mask.grid);
    let origin_ok = (0..3).all(|i| (g.origin_mm[i] - geometry.origin_mm[i]).abs() <= 0.01);
    let axes_ok = (0..3)
        .all(|a| (0..3).all(|r| (g.directions[a][r] - geometry.directions[a][r]).abs() <= 1e-4));
    if !(origin_ok && axes_ok) {
        return Err(Error::image(
            mask_path,
            format!(
                "the mask's affine (as LPS: origin {:?} mm, axes {:?}) does not place it on the PET series (origin {:?} mm, axes {:?})",
                g.origin_mm, g.directions, geometry.origin_mm, geometry.directions
            ),
        ));
    }
    Ok(())
}

/// Reads the label mask of a PET image, on its grid. NIfTI label images are read and
/// checked here (against the DICOM geometry for a DICOM series, against the grid and
/// sform for a NIfTI volume, named `pet_path` in errors); `roi` selects a region of a DICOM mask.
///
/// # Errors
/// An unreadable mask, a mask on another grid, or a mask kind this build does not read.
pub fn load_mask(
    path: &Path,
    pet_path: &Path,
    grid: &Grid,
    geometry: Option<&Geometry>,
    suv: &Image<f64>,
    roi: Option<&str>,
) -> Result<Image<u32>> {
    if is_nifti(path) {
        if let Some(name) = roi {
            return Err(Error::image(
                path,
                format!(
                    "--roi {name} names a region of an RTSTRUCT or SEG; a NIfTI mask has labels"
                ),
            ));
        }
        let mask = pet::read_mask(path)?;
        match geometry {
            Some(g) => check_on_geometry(path, &mask, grid, g)?,
            None => pet::check_same_grid(pet_path, suv, path, &mask)?,
        }
        return Ok(mask);
    }
    // DICOM masks (RTSTRUCT, SEG; issue 14 §3) plug in here.
    Err(Error::image(
        path,
        "not a NIfTI label mask (.nii, .nii.gz); RTSTRUCT and SEG masks are not read by this build",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nifti_affine_is_ras_and_becomes_lps() {
        // The IBSI STS conversion: diag(-4.6875, -4.6875, 3.27), offset (21.09, 86.72, -881.3).
        let affine = [
            [-4.6875, 0.0, 0.0, 21.09375],
            [0.0, -4.6875, 0.0, 86.71875],
            [0.0, 0.0, 3.27, -881.3],
        ];
        let grid = Grid {
            dims: [41, 43, 59],
            spacing_mm: [4.6875, 4.6875, 3.27],
        };
        let g = nifti_geometry(&affine, &grid);
        assert_eq!(g.origin_mm, [-21.09375, -86.71875, -881.3]);
        assert_eq!(
            g.directions,
            [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
        );
    }

    #[test]
    fn nifti_is_told_by_name() {
        assert!(is_nifti(Path::new("a/suv.nii.gz")));
        assert!(is_nifti(Path::new("SUV.NII")));
        assert!(!is_nifti(Path::new("a/PT")));
        assert!(!is_nifti(Path::new("a/1.dcm")));
    }
}
