//! NIfTI-1 SUV volumes and integer label masks (the `nifti` crate), read as nibabel's `get_fdata()` reads them.
//!
//! Values are scaled with `scl_slope`/`scl_inter` in double precision (a slope of 0
//! means no scaling, as in the NIfTI-1 standard and nibabel); voxel sizes come from
//! `pixdim[1..=3]` in mm. Voxel order is NIfTI's (i fastest), indexed as nibabel's
//! `[i, j, k]`. Reference: nibabel 5 `load(path).get_fdata()`.

use crate::error::{Error, Result};
use crate::model::{Geometry, Grid};
use nifti::{IntoNdArray, NiftiObject, ReaderOptions};
use std::path::Path;

/// A 3-D image: its grid and its values in NIfTI order.
#[derive(Debug, Clone, PartialEq)]
pub struct Image<T> {
    /// The voxel grid.
    pub grid: Grid,
    /// Voxel values, index `i + nx * (j + ny * k)`.
    pub values: Vec<T>,
    /// The affine's rows (sform when set, else none) for the same-grid check.
    pub sform: Option<[[f32; 4]; 3]>,
    /// Where the grid lies in patient space (LPS), from the sform, else the qform; or why
    /// the header does not say (needed to place an RTSTRUCT or SEG on the image).
    pub geometry: std::result::Result<Geometry, String>,
}

/// The patient-space placement of a NIfTI grid: the sform when `sform_code > 0`, else the
/// qform when `qform_code > 0` (nibabel's order), converted from RAS to DICOM's LPS by
/// negating x and y. The affine's voxel sizes must equal `pixdim` (to 1e-3 relative).
fn nifti_geometry(
    header: &nifti::NiftiHeader,
    grid: &Grid,
) -> std::result::Result<Geometry, String> {
    let (columns, offset): ([[f64; 3]; 3], [f64; 3]) = if header.sform_code > 0 {
        let rows = [header.srow_x, header.srow_y, header.srow_z].map(|r| r.map(f64::from));
        (
            [0, 1, 2].map(|a| [rows[0][a], rows[1][a], rows[2][a]]),
            [rows[0][3], rows[1][3], rows[2][3]],
        )
    } else if header.qform_code > 0 {
        let [b, c, d] = [header.quatern_b, header.quatern_c, header.quatern_d].map(f64::from);
        let a = (1.0 - b * b - c * c - d * d).max(0.0).sqrt();
        let r = [
            [
                a * a + b * b - c * c - d * d,
                2.0 * (b * c - a * d),
                2.0 * (b * d + a * c),
            ],
            [
                2.0 * (b * c + a * d),
                a * a + c * c - b * b - d * d,
                2.0 * (c * d - a * b),
            ],
            [
                2.0 * (b * d - a * c),
                2.0 * (c * d + a * b),
                a * a + d * d - c * c - b * b,
            ],
        ];
        let qfac = if header.pixdim[0] < 0.0 { -1.0 } else { 1.0 };
        let scale = [1.0, 1.0, qfac];
        (
            [0, 1, 2].map(|a| [0, 1, 2].map(|row| r[row][a] * scale[a] * grid.spacing_mm[a])),
            [header.quatern_x, header.quatern_y, header.quatern_z].map(f64::from),
        )
    } else {
        return Err(
            "the header has neither an sform nor a qform (both codes are 0): it does not \
                    say where the image lies in patient space"
                .into(),
        );
    };
    let mut directions = [[0.0; 3]; 3];
    for (axis, column) in columns.iter().enumerate() {
        let length = column.iter().map(|v| v * v).sum::<f64>().sqrt();
        let pixdim = grid.spacing_mm[axis];
        if !(length.is_finite() && (length - pixdim).abs() <= 1e-3 * pixdim) {
            return Err(format!(
                "the affine's voxel size along axis {axis} is {length} mm but pixdim[{}] is \
                 {pixdim} mm: the header contradicts itself",
                axis + 1
            ));
        }
        directions[axis] = [-column[0] / length, -column[1] / length, column[2] / length];
    }
    Ok(Geometry {
        origin_mm: [-offset[0], -offset[1], offset[2]],
        directions,
    })
}

/// The most voxels a NIfTI volume may have: 2²⁸ (268 million, 2 GiB as f64; a 400-slice
/// 512 × 512 PET has 105 million). A header declaring more is refused before its data are
/// read, so a damaged or hostile header cannot make oncotrack reserve terabytes.
pub const MAX_VOXELS: u64 = 1 << 28;

/// Reads the header alone and checks what it declares before the voxel data are read:
/// the voxel count within [`MAX_VOXELS`] and, for an uncompressed `.nii`, a file long
/// enough to hold them (a truncated file is named as such, with both sizes).
fn check_header(path: &Path) -> Result<()> {
    let gzipped = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    let length = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    if !gzipped && length < 348 {
        return Err(Error::image(
            path,
            format!("not a NIfTI-1 file: it has {length} bytes, fewer than a NIfTI-1 header (348)"),
        ));
    }
    let header = nifti::NiftiHeader::from_file(path).map_err(|e| nifti_error(path, e))?;
    let ndim = usize::from(header.dim[0]).clamp(1, 7);
    let voxels = header.dim[1..=ndim]
        .iter()
        .try_fold(1u64, |n, d| n.checked_mul(u64::from(*d)))
        .unwrap_or(u64::MAX);
    if voxels > MAX_VOXELS {
        return Err(Error::image(
            path,
            format!(
                "the header declares {voxels} voxels (dim {:?}), more than the {MAX_VOXELS} oncotrack reads: the header is damaged, or the image is not one PET volume",
                &header.dim[1..=ndim]
            ),
        ));
    }
    let bytes_per_voxel = u64::from(header.bitpix.max(0).unsigned_abs()).div_ceil(8);
    if !gzipped && header.vox_offset.is_finite() && header.vox_offset >= 0.0 {
        let needed = header.vox_offset as u64 + voxels * bytes_per_voxel;
        let length = std::fs::metadata(path)
            .map_err(|e| Error::io(path, e))?
            .len();
        if length < needed {
            return Err(Error::image(
                path,
                format!(
                    "the file is truncated: its header declares {voxels} voxels of {bytes_per_voxel} bytes from byte {}, which needs {needed} bytes, and the file has {length}; copy it again",
                    header.vox_offset as u64
                ),
            ));
        }
    }
    Ok(())
}

/// A NIfTI reading error in words a user can act on (the crate's own text is Rust debug
/// output for I/O errors), keeping the I/O error as its cause.
fn nifti_error(path: &Path, e: nifti::NiftiError) -> Error {
    let message = nifti_message(&e);
    match e {
        nifti::NiftiError::Io(io) => Error::image(path, message).caused_by(io),
        nifti::NiftiError::InvalidFormat | nifti::NiftiError::IncompatibleLength(..) => {
            Error::image(path, message)
        }
        other => Error::image(path, message).caused_by(other),
    }
}

/// What a NIfTI reading error means.
fn nifti_message(e: &nifti::NiftiError) -> String {
    use nifti::NiftiError;
    match e {
        NiftiError::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            "the file ends early: it is truncated (an interrupted copy or write?), or too short to be a NIfTI-1 file; copy it again".to_string()
        }
        NiftiError::Io(io) if io.to_string().contains("deflate") || io.kind() == std::io::ErrorKind::InvalidInput => {
            format!("the gzip stream is damaged or ends early ({io}): the file is truncated or corrupt; copy it again")
        }
        NiftiError::Io(io) => format!("cannot be read: {io}"),
        NiftiError::InvalidFormat => {
            "not a NIfTI-1 file: its header lacks the 'n+1' / 'ni1' magic and a 348-byte header size (a NIfTI-2, ANALYZE or other file, or a damaged header)".to_string()
        }
        NiftiError::IncompatibleLength(got, expected) => format!(
            "the file is truncated: the header declares {expected} voxels and the file holds {got}; copy it again"
        ),
        other => format!("not a readable NIfTI-1 file ({other})"),
    }
}

/// Reads a NIfTI-1 file as a scaled 3-D volume of f64 (a 4-D file with one volume is accepted).
fn read_volume(path: &Path) -> Result<Image<f64>> {
    crate::ingest::open_regular(path)?;
    check_header(path)?;
    let object = ReaderOptions::new()
        .read_file(path)
        .map_err(|e| nifti_error(path, e))?;
    let header = object.header().clone();
    let ndim = header.dim[0] as usize;
    let dims: Vec<usize> = header.dim[1..=ndim.min(7)]
        .iter()
        .map(|d| *d as usize)
        .collect();
    let extra: usize = dims.iter().skip(3).product();
    if !(1..=7).contains(&ndim) || extra != 1 {
        return Err(Error::image(
            path,
            format!("expected a 3-D volume, found dimensions {dims:?}"),
        ));
    }
    let mut shape = [1usize; 3];
    for (axis, d) in dims.iter().take(3).enumerate() {
        shape[axis] = *d;
    }
    let mut spacing_mm = [1.0f64; 3];
    for (axis, spacing) in spacing_mm.iter_mut().enumerate().take(ndim) {
        let p = f64::from(header.pixdim[axis + 1]).abs();
        if !(p.is_finite() && p > 0.0) {
            return Err(Error::image(
                path,
                format!("pixdim[{}] = {p} is not a voxel size", axis + 1),
            ));
        }
        *spacing = p;
    }
    let array = object.into_volume().into_ndarray::<f64>().map_err(|e| {
        Error::image(path, format!("cannot read the voxel data ({e})")).caused_by(e)
    })?;
    // The crate builds the array in Fortran order, so its memory order is NIfTI's.
    let values: Vec<f64> = if array.t().is_standard_layout() {
        array.into_raw_vec_and_offset().0
    } else {
        array.t().iter().copied().collect()
    };
    let grid = Grid {
        dims: shape,
        spacing_mm,
    };
    if values.len() != grid.len() {
        return Err(Error::image(
            path,
            "voxel data does not match the header's dimensions",
        ));
    }
    let sform = (header.sform_code > 0).then_some([header.srow_x, header.srow_y, header.srow_z]);
    let geometry = nifti_geometry(&header, &grid);
    Ok(Image {
        grid,
        values,
        sform,
        geometry,
    })
}

/// Reads an SUV volume. Every voxel must be a finite, non-negative SUV.
///
/// # Errors
/// [`Error::Image`] for an unreadable or non-3-D file; [`Error::Voxel`] naming the
/// first NaN, infinite or negative voxel.
pub fn read_suv(path: &Path) -> Result<Image<f64>> {
    let image = read_volume(path)?;
    if let Some((index, v)) = image
        .values
        .iter()
        .enumerate()
        .find(|(_, v)| !v.is_finite() || **v < 0.0)
    {
        return Err(Error::Voxel {
            path: path.to_path_buf(),
            voxel: image.grid.ijk(index),
            message: if v.is_nan() {
                "SUV is NaN".into()
            } else {
                format!("SUV {v} is not a finite, non-negative value")
            },
        });
    }
    Ok(image)
}

/// Reads a label mask: 0 is background, every other integer a label.
///
/// # Errors
/// [`Error::Image`] for an unreadable file or a mask with no label; [`Error::Voxel`]
/// naming the first voxel that is not a non-negative integer.
pub fn read_mask(path: &Path) -> Result<Image<u32>> {
    let image = read_volume(path)?;
    let mut labels = Vec::with_capacity(image.values.len());
    for (index, v) in image.values.iter().enumerate() {
        if !(v.is_finite() && *v >= 0.0 && v.fract() == 0.0 && *v <= f64::from(u32::MAX)) {
            return Err(Error::Voxel {
                path: path.to_path_buf(),
                voxel: image.grid.ijk(index),
                message: format!("mask value {v} is not a label (a non-negative integer)"),
            });
        }
        labels.push(*v as u32);
    }
    if labels.iter().all(|l| *l == 0) {
        return Err(Error::image(
            path,
            "the mask has no labels (every voxel is 0)",
        ));
    }
    Ok(Image {
        grid: image.grid,
        values: labels,
        sform: image.sform,
        geometry: image.geometry,
    })
}

/// Checks that a mask lies on the SUV volume's grid: same dimensions, voxel sizes
/// (to 1e-4 relative) and, when both have one, the same sform affine (to 1e-3 mm).
///
/// # Errors
/// [`Error::Image`] on the mask, saying what differs and naming the SUV volume.
pub fn check_same_grid(
    suv_path: &Path,
    suv: &Image<f64>,
    mask_path: &Path,
    mask: &Image<u32>,
) -> Result<()> {
    let (a, b) = (&suv.grid, &mask.grid);
    let volume = suv_path.display();
    if a.dims != b.dims {
        return Err(Error::image(
            mask_path,
            format!(
                "mask grid {:?} does not match the grid {:?} of the SUV volume {volume}",
                b.dims, a.dims
            ),
        ));
    }
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-4 * x.abs().max(y.abs());
    if !(0..3).all(|i| close(a.spacing_mm[i], b.spacing_mm[i])) {
        return Err(Error::image(
            mask_path,
            format!(
                "mask voxel size {:?} mm does not match the voxel size {:?} mm of the SUV volume {volume}",
                b.spacing_mm, a.spacing_mm
            ),
        ));
    }
    if let (Some(sa), Some(sb)) = (&suv.sform, &mask.sform) {
        let same = sa
            .iter()
            .flatten()
            .zip(sb.iter().flatten())
            .all(|(x, y)| (x - y).abs() <= 1e-3);
        if !same {
            return Err(Error::image(
                mask_path,
                format!(
                    "mask affine (sform) does not match the affine of the SUV volume {volume}: not the same grid in space"
                ),
            ));
        }
    }
    Ok(())
}

/// A header carrying the grid's voxel size in mm, for writing. The qform (identity
/// rotation, pixdim) and the sform (diagonal of the voxel size) describe the same grid:
/// the crate's default sform is the 1 mm identity, which disagreed with pixdim.
fn header_for(grid: &Grid) -> nifti::NiftiHeader {
    let [x, y, z] = grid.spacing_mm.map(|v| v as f32);
    nifti::NiftiHeader {
        pixdim: [1.0, x, y, z, 1.0, 1.0, 1.0, 1.0],
        xyzt_units: 2, // millimetres
        srow_x: [x, 0.0, 0.0, 0.0],
        srow_y: [0.0, y, 0.0, 0.0],
        srow_z: [0.0, 0.0, z, 0.0],
        ..nifti::NiftiHeader::default()
    }
}

fn f_order<T: Clone>(path: &Path, grid: &Grid, values: &[T]) -> Result<ndarray::Array3<T>> {
    ndarray::Array3::from_shape_vec(ndarray::ShapeBuilder::f(grid.dims), values.to_vec())
        .map_err(|e| Error::image(path, format!("values do not fill the grid ({e})")).caused_by(e))
}

/// Voxel values to write: SUV as float32, labels as int16.
#[derive(Debug, Clone, Copy)]
pub enum Voxels<'a> {
    /// An SUV volume.
    Suv(&'a [f32]),
    /// A label mask.
    Labels(&'a [i16]),
}

/// Writes a volume as NIfTI-1 (`.nii` or `.nii.gz` by name), values in NIfTI order,
/// with the grid's voxel size; used by the demo and by tests to make images.
///
/// # Errors
/// [`Error::Image`] when the values do not fill the grid or the file cannot be written.
pub fn write_volume(path: &Path, grid: &Grid, voxels: Voxels<'_>) -> Result<()> {
    let header = header_for(grid);
    let writer = nifti::writer::WriterOptions::new(path).reference_header(&header);
    match voxels {
        Voxels::Suv(values) => writer.write_nifti(&f_order(path, grid, values)?),
        Voxels::Labels(labels) => writer.write_nifti(&f_order(path, grid, labels)?),
    }
    .map_err(|e| Error::image(path, format!("cannot write ({e})")).caused_by(e))
}

/// A header placing the grid in space as `geometry` (DICOM LPS) does: the sform is
/// the LPS affine with its x and y rows negated (RAS), and the qform the same rotation
/// as a quaternion (NIfTI-1's `mat44_to_quatern`, qfac −1 for a left-handed stack).
fn header_at(grid: &Grid, geometry: &Geometry) -> nifti::NiftiHeader {
    let mut header = header_for(grid);
    // RAS direction of each axis (column), and the RAS affine rows.
    let sign = [-1.0, -1.0, 1.0];
    let mut r = [[0.0f64; 3]; 3];
    let mut rows = [[0.0f32; 4]; 3];
    for row in 0..3 {
        for axis in 0..3 {
            r[row][axis] = sign[row] * geometry.directions[axis][row];
            rows[row][axis] = (r[row][axis] * grid.spacing_mm[axis]) as f32;
        }
        rows[row][3] = (sign[row] * geometry.origin_mm[row]) as f32;
    }
    let det = r[0][0] * (r[1][1] * r[2][2] - r[1][2] * r[2][1])
        - r[0][1] * (r[1][0] * r[2][2] - r[1][2] * r[2][0])
        + r[0][2] * (r[1][0] * r[2][1] - r[1][1] * r[2][0]);
    let qfac = if det < 0.0 { -1.0 } else { 1.0 };
    for row in r.iter_mut() {
        row[2] *= qfac;
    }
    let trace = r[0][0] + r[1][1] + r[2][2] + 1.0;
    let (a, mut b, mut c, mut d);
    if trace > 0.5 {
        a = 0.5 * trace.sqrt();
        b = 0.25 * (r[2][1] - r[1][2]) / a;
        c = 0.25 * (r[0][2] - r[2][0]) / a;
        d = 0.25 * (r[1][0] - r[0][1]) / a;
    } else {
        let xd = 1.0 + r[0][0] - (r[1][1] + r[2][2]);
        let yd = 1.0 + r[1][1] - (r[0][0] + r[2][2]);
        let zd = 1.0 + r[2][2] - (r[0][0] + r[1][1]);
        if xd > 1.0 {
            b = 0.5 * xd.sqrt();
            c = 0.25 * (r[0][1] + r[1][0]) / b;
            d = 0.25 * (r[0][2] + r[2][0]) / b;
            a = 0.25 * (r[2][1] - r[1][2]) / b;
        } else if yd > 1.0 {
            c = 0.5 * yd.sqrt();
            b = 0.25 * (r[0][1] + r[1][0]) / c;
            d = 0.25 * (r[1][2] + r[2][1]) / c;
            a = 0.25 * (r[0][2] - r[2][0]) / c;
        } else {
            d = 0.5 * zd.sqrt();
            b = 0.25 * (r[0][2] + r[2][0]) / d;
            c = 0.25 * (r[1][2] + r[2][1]) / d;
            a = 0.25 * (r[1][0] - r[0][1]) / d;
        }
        if a < 0.0 {
            (b, c, d) = (-b, -c, -d);
        }
    }
    header.pixdim[0] = qfac as f32;
    header.quatern_b = b as f32;
    header.quatern_c = c as f32;
    header.quatern_d = d as f32;
    header.quatern_x = rows[0][3];
    header.quatern_y = rows[1][3];
    header.quatern_z = rows[2][3];
    header.srow_x = rows[0];
    header.srow_y = rows[1];
    header.srow_z = rows[2];
    header
}

/// Writes a volume as [`write_volume`] does, placed in space as a DICOM series with
/// `geometry` is (sform and qform both say so): a mask on a DICOM PET series' grid.
///
/// # Errors
/// [`Error::Image`] when the values do not fill the grid or the file cannot be written.
pub fn write_volume_at(
    path: &Path,
    grid: &Grid,
    geometry: &Geometry,
    voxels: Voxels<'_>,
) -> Result<()> {
    let header = header_at(grid, geometry);
    let writer = nifti::writer::WriterOptions::new(path).reference_header(&header);
    match voxels {
        Voxels::Suv(values) => writer.write_nifti(&f_order(path, grid, values)?),
        Voxels::Labels(labels) => writer.write_nifti(&f_order(path, grid, labels)?),
    }
    .map_err(|e| Error::image(path, format!("cannot write ({e})")).caused_by(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_volume_written_at_a_dicom_geometry_has_agreeing_sform_and_qform() {
        let dir = tempfile::tempdir().unwrap();
        let grid = Grid {
            dims: [2, 3, 4],
            spacing_mm: [4.0, 3.0, 2.5],
        };
        let geometries = [
            // Axial, the usual DICOM orientation.
            Geometry {
                origin_mm: [-62.0, -50.0, -700.0],
                directions: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
            },
            // A left-handed stack (slices towards the feet).
            Geometry {
                origin_mm: [10.0, 20.0, 30.0],
                directions: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, -1.0]],
            },
            // Coronal.
            Geometry {
                origin_mm: [1.0, 2.0, 3.0],
                directions: [[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]],
            },
        ];
        for (n, g) in geometries.iter().enumerate() {
            let path = dir.path().join(format!("m{n}.nii.gz"));
            write_volume_at(&path, &grid, g, Voxels::Labels(&[1; 24])).unwrap();
            let written = nifti::NiftiHeader::from_file(&path).unwrap();
            let sform = [written.srow_x, written.srow_y, written.srow_z].map(|r| r.map(f64::from));
            let mut h = nifti::NiftiHeader::from_file(&path).unwrap();
            h.sform_code = 0;
            let qpath = dir.path().join(format!("q{n}.nii"));
            nifti::writer::WriterOptions::new(&qpath)
                .reference_header(&h)
                .write_nifti(&f_order(&qpath, &grid, &[1i16; 24]).unwrap())
                .unwrap();
            // The qform alone, through the reader's own geometry (LPS), back to RAS rows.
            let q = nifti_geometry(&nifti::NiftiHeader::from_file(&qpath).unwrap(), &grid).unwrap();
            let qform: [[f64; 4]; 3] = std::array::from_fn(|row| {
                let sign = if row < 2 { -1.0 } else { 1.0 };
                std::array::from_fn(|col| {
                    sign * if col == 3 {
                        q.origin_mm[row]
                    } else {
                        q.directions[col][row] * grid.spacing_mm[col]
                    }
                })
            });
            for row in 0..3 {
                for col in 0..4 {
                    // A 180° rotation has quatern a ≈ 0, which NIfTI recomputes from
                    // float32 b, c, d: about 1e-3 of a voxel off, the format's limit.
                    assert!(
                        (sform[row][col] - qform[row][col]).abs() < 2e-3 * 4.0,
                        "{n}: sform {sform:?} qform {qform:?}"
                    );
                    let lps = if col == 3 {
                        g.origin_mm[row]
                    } else {
                        g.directions[col][row] * grid.spacing_mm[col]
                    };
                    let ras = if row < 2 { -lps } else { lps };
                    assert!((sform[row][col] - ras).abs() < 1e-5, "{n}: {sform:?}");
                }
            }
        }
    }

    #[test]
    fn geometry_from_the_sform_else_the_qform_in_lps() {
        let grid = Grid {
            dims: [4, 4, 4],
            spacing_mm: [2.0, 3.0, 4.0],
        };
        // sform: RAS x runs towards −i (a radiological flip), origin (10, 20, 30) RAS.
        let header = nifti::NiftiHeader {
            pixdim: [1.0, 2.0, 3.0, 4.0, 1.0, 1.0, 1.0, 1.0],
            sform_code: 1,
            srow_x: [-2.0, 0.0, 0.0, 10.0],
            srow_y: [0.0, 3.0, 0.0, 20.0],
            srow_z: [0.0, 0.0, 4.0, 30.0],
            ..nifti::NiftiHeader::default()
        };
        let g = nifti_geometry(&header, &grid).unwrap();
        assert_eq!(g.origin_mm, [-10.0, -20.0, 30.0]);
        assert_eq!(
            g.directions,
            [[1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 1.0]]
        );
        // qform only: 180° about z (quatern d = 1) is LPS's own axes.
        let header = nifti::NiftiHeader {
            pixdim: [1.0, 2.0, 3.0, 4.0, 1.0, 1.0, 1.0, 1.0],
            sform_code: 0,
            qform_code: 1,
            quatern_d: 1.0,
            quatern_x: 5.0,
            ..nifti::NiftiHeader::default()
        };
        let g = nifti_geometry(&header, &grid).unwrap();
        assert_eq!(g.origin_mm, [-5.0, 0.0, 0.0]);
        for (got, want) in g
            .directions
            .iter()
            .flatten()
            .zip([1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0])
        {
            assert!((got - want).abs() < 1e-12, "{:?}", g.directions);
        }
        // An sform of 1 mm voxels where pixdim says 2 mm contradicts itself.
        let header = nifti::NiftiHeader {
            pixdim: [1.0, 2.0, 3.0, 4.0, 1.0, 1.0, 1.0, 1.0],
            ..nifti::NiftiHeader::default()
        };
        assert!(
            nifti_geometry(&header, &grid)
                .unwrap_err()
                .contains("contradicts itself")
        );
    }

    #[test]
    fn written_volumes_agree_on_voxel_size_in_qform_and_sform() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.nii.gz");
        let grid = Grid {
            dims: [2, 3, 4],
            spacing_mm: [4.0, 4.0, 2.5],
        };
        write_volume(&path, &grid, Voxels::Suv(&[1.0; 24])).unwrap();
        let h = nifti::NiftiHeader::from_file(&path).unwrap();
        assert_eq!((h.qform_code, h.sform_code), (1, 1));
        assert_eq!(&h.pixdim[1..4], &[4.0, 4.0, 2.5]);
        assert_eq!(
            [h.srow_x[0], h.srow_y[1], h.srow_z[2]],
            [4.0, 4.0, 2.5],
            "sform voxel size = pixdim"
        );
        let g = read_suv(&path).unwrap().geometry.unwrap();
        assert_eq!(g.origin_mm, [0.0; 3]);
    }
}
