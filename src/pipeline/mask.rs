//! One seam for masks: a NIfTI label image, an RTSTRUCT or a DICOM SEG, told apart by their bytes, read as named regions on the image grid.

use crate::analysis::raster::{self, RasterError};
use crate::error::{Error, Result};
use crate::ingest::dicom::{open, rtstruct, seg};
use crate::ingest::pet::{self as nifti, Image};
use crate::model::{Geometry, Grid, MaskReferences, MaskSource, NamedMasks, Region};
use dicom_dictionary_std::tags;
use std::io::Read;
use std::path::Path;

/// The image a mask is placed on.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageGrid<'a> {
    /// The image file, for messages.
    pub path: &'a Path,
    /// Its voxel grid.
    pub grid: Grid,
    /// Where the grid lies in patient space (LPS), or why that is unknown.
    pub geometry: std::result::Result<Geometry, String>,
    /// The NIfTI sform of the image, compared with a NIfTI mask's.
    pub sform: Option<[[f32; 4]; 3]>,
    /// SOPInstanceUID of each slice, in slice order (a DICOM series), to place SEG frames.
    pub slice_uids: Option<Vec<String>>,
    /// SeriesInstanceUID of the image (a DICOM series): an RTSTRUCT or SEG that references
    /// other series only is refused.
    pub series_uid: Option<String>,
    /// FrameOfReferenceUID of the image (a DICOM series): a mask in another frame of
    /// reference is refused.
    pub frame_of_reference_uid: Option<String>,
}

impl<'a> ImageGrid<'a> {
    /// The grid of a NIfTI image: its geometry from the affine; the series it came from is unknown.
    pub fn of_nifti(path: &'a Path, image: &Image<f64>) -> Self {
        ImageGrid {
            path,
            grid: image.grid,
            geometry: image.geometry.clone(),
            sform: image.sform,
            slice_uids: None,
            series_uid: None,
            frame_of_reference_uid: None,
        }
    }
}

/// Whether `path` is a DICOM Part 10 file ('DICM' at byte 128).
///
/// # Errors
/// [`Error::Io`] when the file cannot be read.
pub fn is_dicom(path: &Path) -> Result<bool> {
    let mut head = [0u8; 132];
    let mut file = crate::ingest::open_regular(path)?;
    let mut read = 0;
    while read < head.len() {
        match file.read(&mut head[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    Ok(read == head.len() && &head[128..] == b"DICM")
}

/// Reads the mask at `path` as named regions on `image`'s grid: a NIfTI label image (one
/// region per label, unnamed), an RTSTRUCT (one region per ROI with closed contours, or
/// the ROI named `roi`, rasterised by [`raster::rasterise`]), or a DICOM SEG (one region
/// per segment). An RTSTRUCT or SEG must reference the image's series and frame of
/// reference when the image says which they are; for a NIfTI image they cannot be
/// checked, and a warning says so.
///
/// # Errors
/// An unreadable mask; a NIfTI mask on another grid; `roi` given for a mask that is not an
/// RTSTRUCT or naming no ROI; contours or frames that do not lie on the grid; a mask
/// referencing another series or frame of reference; a region without voxels.
pub fn load_mask(path: &Path, image: &ImageGrid<'_>, roi: Option<&str>) -> Result<NamedMasks> {
    if !is_dicom(path)? {
        if roi.is_some() {
            return Err(Error::InvalidValue {
                what: "--roi",
                value: roi.unwrap_or_default().into(),
                reason: format!(
                    "{} is a NIfTI label image, not an RTSTRUCT: --roi chooses an RTSTRUCT's ROI",
                    path.display()
                ),
            });
        }
        return nifti_mask(path, image);
    }
    let object = open::open_file(path)?;
    let top = open::Attributes::top(path, &object);
    let modality = top.text(tags::MODALITY).unwrap_or_default();
    let sop_class = top.text(tags::SOP_CLASS_UID).unwrap_or_default();
    let masks = if modality == "RTSTRUCT" || sop_class == rtstruct::RTSTRUCT_SOP_CLASS {
        rtstruct_mask(path, &object, image, roi)?
    } else if modality == "SEG" || sop_class == seg::SEG_SOP_CLASS {
        if let Some(roi) = roi {
            return Err(Error::InvalidValue {
                what: "--roi",
                value: roi.into(),
                reason: format!(
                    "{} is a DICOM SEG: --roi chooses an RTSTRUCT's ROI (every segment is read)",
                    path.display()
                ),
            });
        }
        seg_mask(path, &object, image)?
    } else {
        return Err(top.error(
            tags::MODALITY,
            format!(
                " = '{}': a mask is a NIfTI label image, an RTSTRUCT or a SEG, not \
                 this DICOM object",
                open::shown(&modality)
            ),
        ));
    };
    if let Some(empty) = masks.regions.iter().find(|r| r.voxels.is_empty()) {
        return Err(Error::image(
            path,
            format!(
                "{} '{}' covers no voxel of the image grid (no voxel centre lies inside it)",
                if masks.source == MaskSource::Seg {
                    "segment"
                } else {
                    "ROI"
                },
                empty.name.as_deref().unwrap_or_default()
            ),
        ));
    }
    Ok(masks)
}

/// Reference regions named by their ROIName or SegmentLabel (`--liver-roi`,
/// `--background-roi`) rather than by a label number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReferenceNames<'a> {
    /// The liver region (PERCIST), by exact name.
    pub liver: Option<&'a str>,
    /// The background region (background:F), by exact name.
    pub background: Option<&'a str>,
}

/// Whether a region's name says it is the liver: `liver` in any case, spaces around it
/// ignored (`LIVER`, `Liver`).
fn is_liver(name: &str) -> bool {
    name.trim().eq_ignore_ascii_case("liver")
}

/// The reference labels of `masks` (read from `path` onto `image` by [`load_mask`]): `labels` with the regions `names` gives resolved to their labels (an
/// ROINumber or SegmentNumber), and, when no liver is given at all (no label, name or
/// `--liver-mean`), the region named `liver` (any case) of an RTSTRUCT or SEG as the
/// liver. Given `--liver-mean/--liver-sd` instead, such a region stays a reference, not
/// a lesion: it is dropped from `masks`. When `--roi` kept one ROI of an RTSTRUCT, a named
/// reference ROI is read from the file as well and added to `masks` (the default liver is
/// then not looked for: name it).
///
/// # Errors
/// A name given for a NIfTI label image (its regions have numbers, not names); a name no
/// region has (the message lists those present) or several have; two regions named like
/// `liver` when none was chosen.
pub fn resolve_references(
    path: &Path,
    image: &ImageGrid<'_>,
    masks: &mut NamedMasks,
    labels: &crate::analysis::pet::ReferenceLabels,
    names: ReferenceNames<'_>,
) -> Result<crate::analysis::pet::ReferenceLabels> {
    let mut out = *labels;
    if let Some(name) = names.liver {
        out.liver = Some(named_region(path, image, masks, name, "--liver-roi")?);
    }
    if let Some(name) = names.background {
        out.background = Some(named_region(path, image, masks, name, "--background-roi")?);
    }
    if out.liver.is_some() || masks.source == MaskSource::Nifti {
        return Ok(out);
    }
    let livers: Vec<&Region> = masks
        .regions
        .iter()
        .filter(|r| r.name.as_deref().is_some_and(is_liver))
        .collect();
    match livers.as_slice() {
        [] => {}
        [liver] if labels.liver_given.is_none() => out.liver = Some(liver.label),
        [liver] => {
            let label = liver.label;
            masks.regions.retain(|r| r.label != label);
        }
        several => {
            return Err(Error::image(
                path,
                format!(
                    "{} {}s are named like 'liver' ({}): say which is the PERCIST liver \
                     reference with --liver-roi NAME",
                    several.len(),
                    region_kind(masks.source),
                    several
                        .iter()
                        .map(|r| format!(
                            "'{}' = {}",
                            r.name.as_deref().unwrap_or_default(),
                            r.label
                        ))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
    Ok(out)
}

/// "ROI" for an RTSTRUCT, "segment" for a SEG.
fn region_kind(source: MaskSource) -> &'static str {
    if source == MaskSource::Seg {
        "segment"
    } else {
        "ROI"
    }
}

/// The label of the one region of `masks` named `name` (exact), for `flag`.
fn named_region(
    path: &Path,
    image: &ImageGrid<'_>,
    masks: &mut NamedMasks,
    name: &str,
    flag: &'static str,
) -> Result<u32> {
    if masks.source == MaskSource::Nifti {
        return Err(Error::InvalidValue {
            what: flag,
            value: name.into(),
            reason: format!(
                "{} is a NIfTI label image: its regions have numbers, not names; give {} N",
                path.display(),
                flag.replace("-roi", "-label")
            ),
        });
    }
    let found: Vec<u32> = masks
        .regions
        .iter()
        .filter(|r| r.name.as_deref() == Some(name))
        .map(|r| r.label)
        .collect();
    if let [label] = found.as_slice() {
        return Ok(*label);
    }
    if masks.source == MaskSource::RtStruct {
        // The RTSTRUCT reader names what is wrong (no such ROI, listing those present;
        // no contour; a name given twice); or `--roi` kept another ROI, and this one is
        // read too.
        let extra = load_mask(path, image, Some(name)).map_err(|mut e| {
            if let Error::Image { message, .. } = &mut e {
                message.push_str(&format!(" ({flag} {name})"));
            }
            e
        })?;
        let mut regions = extra.regions.into_iter();
        if let (Some(region), None) = (regions.next(), regions.next()) {
            let label = region.label;
            masks.regions.push(region);
            return Ok(label);
        }
    }
    let listed = masks
        .regions
        .iter()
        .map(|r| format!("'{}'", r.name.as_deref().unwrap_or_default()))
        .collect::<Vec<_>>()
        .join(", ");
    Err(Error::image(
        path,
        if found.is_empty() {
            format!(
                "SegmentLabel (0062,0005): no segment is named '{name}' ({flag} {name}); the segments are {listed}"
            )
        } else {
            format!(
                "SegmentLabel (0062,0005): {} segments are named '{name}' ({flag} {name}); rename one so the reference is unambiguous",
                found.len()
            )
        },
    ))
}

fn nifti_mask(path: &Path, image: &ImageGrid<'_>) -> Result<NamedMasks> {
    let mask = nifti::read_mask(path)?;
    if image.series_uid.is_none() {
        // A NIfTI image: same grid and sform, errors naming both files.
        let shape = Image {
            grid: image.grid,
            values: Vec::new(),
            sform: image.sform,
            geometry: image.geometry.clone(),
        };
        nifti::check_same_grid(image.path, &shape, path, &mask)?;
    }
    // A DICOM series, or a NIfTI image without an sform to compare: the mask must lie
    // where the image does in patient space.
    if (image.series_uid.is_some() || (image.sform.is_none() && mask.geometry.is_ok()))
        && let Ok(geometry) = &image.geometry
    {
        check_on_geometry(path, &mask, &image.grid, geometry)?;
    }
    let regions = crate::analysis::pet::label_voxels(&mask.values)
        .into_iter()
        .map(|(label, voxels)| Region {
            label,
            name: None,
            voxels,
        })
        .collect();
    Ok(NamedMasks {
        grid: image.grid,
        regions,
        source: MaskSource::Nifti,
        references: MaskReferences::default(),
        warnings: Vec::new(),
    })
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
    let g = mask.geometry.as_ref().map_err(|why| {
        Error::image(
            mask_path,
            format!("{why}: the mask cannot be placed on the DICOM series"),
        )
    })?;
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

/// The geometry of the image, or an error saying why a DICOM mask cannot be placed.
fn geometry<'g>(path: &Path, image: &'g ImageGrid<'_>) -> Result<&'g Geometry> {
    image.geometry.as_ref().map_err(|why| {
        Error::image(
            image.path,
            format!(
                "{why}; the mask {} gives patient coordinates and cannot be placed on it",
                path.display()
            ),
        )
    })
}

/// Refuses a mask referencing other series or frames of reference than the image's, when
/// the image says which it is; otherwise warns that this could not be checked.
fn check_references(
    path: &Path,
    image: &ImageGrid<'_>,
    references: &MaskReferences,
    warnings: &mut Vec<String>,
) -> Result<()> {
    if let Some(uid) = &image.frame_of_reference_uid
        && !references.frame_of_reference_uids.is_empty()
        && !references.frame_of_reference_uids.contains(uid)
    {
        return Err(Error::image(
            path,
            format!(
                "FrameOfReferenceUID (0020,0052) = {}: the mask was drawn in another frame of \
                 reference than the image's ({uid})",
                references.frame_of_reference_uids.join("\\")
            ),
        ));
    }
    if let Some(uid) = &image.series_uid
        && !references.series_uids.is_empty()
        && !references.series_uids.contains(uid)
    {
        return Err(Error::image(
            path,
            format!(
                "SeriesInstanceUID (0020,000E) = {}: the mask references another series than \
                 the image ({uid}); give the series it was drawn on",
                references.series_uids.join("\\")
            ),
        ));
    }
    if image.series_uid.is_none() && image.frame_of_reference_uid.is_none() {
        warnings.push(format!(
            "{} does not say which DICOM series it is, so the mask's referenced series and frame \
             of reference cannot be checked: the mask is placed by patient coordinates only",
            image.path.display()
        ));
    }
    Ok(())
}

fn rtstruct_mask(
    path: &Path,
    object: &open::Object,
    image: &ImageGrid<'_>,
    roi: Option<&str>,
) -> Result<NamedMasks> {
    let set = rtstruct::read_object(path, object)?;
    let rois = set.select(path, roi)?;
    let geometry = geometry(path, image)?;
    let mut references = MaskReferences {
        frame_of_reference_uids: set.frame_of_reference_uids.clone(),
        series_uids: set.series_uids.clone(),
    };
    for roi in &rois {
        if let Some(uid) = &roi.frame_of_reference_uid
            && !references.frame_of_reference_uids.contains(uid)
        {
            references.frame_of_reference_uids.push(uid.clone());
        }
    }
    let mut warnings = Vec::new();
    check_references(path, image, &references, &mut warnings)?;
    let mut regions = Vec::with_capacity(rois.len());
    for roi in rois {
        let contours: Vec<Vec<[f64; 3]>> = roi.contours.iter().map(|c| c.points.clone()).collect();
        let voxels = raster::rasterise(&image.grid, geometry, &contours).map_err(|e| {
            let detail = match &e {
                RasterError::OutsideGrid { .. } | RasterError::OffSlice { .. } => format!(
                    "ROIContourSequence (3006,0039) of ROI '{}' (ROINumber {}): {e}",
                    roi.name, roi.number
                ),
                _ => format!("ROI '{}': {e}", roi.name),
            };
            Error::image(path, detail).caused_by(e)
        })?;
        regions.push(Region {
            label: roi.number,
            name: Some(roi.name.clone()),
            voxels,
        });
    }
    Ok(NamedMasks {
        grid: image.grid,
        regions,
        source: MaskSource::RtStruct,
        references,
        warnings,
    })
}

fn seg_mask(path: &Path, object: &open::Object, image: &ImageGrid<'_>) -> Result<NamedMasks> {
    let segmentation = seg::read_object(path, object)?;
    let geometry = geometry(path, image)?;
    let references = MaskReferences {
        frame_of_reference_uids: segmentation
            .frame_of_reference_uid
            .iter()
            .cloned()
            .collect(),
        series_uids: segmentation.series_uids.clone(),
    };
    let mut warnings = Vec::new();
    check_references(path, image, &references, &mut warnings)?;
    let regions =
        segmentation.to_regions(path, &image.grid, geometry, image.slice_uids.as_deref())?;
    Ok(NamedMasks {
        grid: image.grid,
        regions,
        source: MaskSource::Seg,
        references,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::pet::ReferenceLabels;

    fn masks(source: MaskSource, names: &[(u32, &str)]) -> NamedMasks {
        NamedMasks {
            grid: Grid {
                dims: [4, 4, 1],
                spacing_mm: [1.0; 3],
            },
            regions: names
                .iter()
                .map(|&(label, name)| Region {
                    label,
                    name: Some(name.into()),
                    voxels: vec![label as usize],
                })
                .collect(),
            source,
            references: MaskReferences::default(),
            warnings: Vec::new(),
        }
    }

    fn image(path: &Path) -> ImageGrid<'_> {
        ImageGrid {
            path,
            grid: Grid {
                dims: [4, 4, 1],
                spacing_mm: [1.0; 3],
            },
            geometry: Err("not needed".into()),
            sform: None,
            slice_uids: None,
            series_uid: None,
            frame_of_reference_uid: None,
        }
    }

    #[test]
    fn reference_regions_are_found_by_segment_name_and_a_liver_by_itself() {
        let path = Path::new("seg.dcm");
        let names = |liver, background| ReferenceNames { liver, background };
        let mut seg = masks(
            MaskSource::Seg,
            &[(1, "Tumor"), (2, "LIVER"), (3, "Muscle")],
        );
        let none = ReferenceLabels::default();
        // Found by itself, in any case; named; the background by name.
        let got = resolve_references(path, &image(path), &mut seg, &none, names(None, None));
        assert_eq!(got.unwrap().liver, Some(2));
        let got = resolve_references(
            path,
            &image(path),
            &mut seg,
            &none,
            names(Some("Muscle"), Some("Tumor")),
        )
        .unwrap();
        assert_eq!((got.liver, got.background), (Some(3), Some(1)));
        // A label given wins over the name search.
        let labelled = ReferenceLabels {
            liver: Some(3),
            ..none
        };
        let got = resolve_references(path, &image(path), &mut seg, &labelled, names(None, None));
        assert_eq!(got.unwrap().liver, Some(3));
        // Numbers given: the liver segment is dropped, not measured as a lesion.
        let given = ReferenceLabels {
            liver_given: Some((2.0, 0.2)),
            ..none
        };
        let got = resolve_references(path, &image(path), &mut seg, &given, names(None, None));
        assert_eq!(got.unwrap().liver, None);
        assert_eq!(
            seg.regions.iter().map(|r| r.label).collect::<Vec<_>>(),
            [1, 3]
        );
        // Unknown and repeated names name the tag and the segments present.
        let mut seg = masks(MaskSource::Seg, &[(1, "Tumor"), (2, "Tumor")]);
        let error = resolve_references(
            path,
            &image(path),
            &mut seg,
            &none,
            names(Some("liv"), None),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            error,
            "seg.dcm: SegmentLabel (0062,0005): no segment is named 'liv' (--liver-roi liv); \
             the segments are 'Tumor', 'Tumor'"
        );
        let error = resolve_references(
            path,
            &image(path),
            &mut seg,
            &none,
            names(None, Some("Tumor")),
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("2 segments are named 'Tumor' (--background-roi Tumor)"),
            "{error}"
        );
        // A NIfTI label image has no names.
        let mut nifti = masks(MaskSource::Nifti, &[]);
        let error = resolve_references(
            path,
            &image(path),
            &mut nifti,
            &none,
            names(Some("x"), None),
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("give --liver-label N"), "{error}");
        // A NIfTI mask is not searched for a liver.
        let mut nifti = NamedMasks {
            source: MaskSource::Nifti,
            ..masks(MaskSource::Seg, &[(2, "liver")])
        };
        let got = resolve_references(path, &image(path), &mut nifti, &none, names(None, None));
        assert_eq!(got.unwrap().liver, None);
    }
}
